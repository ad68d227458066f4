"""Amounts across documents: declared against contract, invoices against settlements and
payments, nothing over the contract, nothing billed beyond delivery, only compute counted,
and the direction's minimum."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from pipeline.model import DocType, FindingCode
from validators.context import CheckContext, norm_code
from validators.ledger import invoices_of, is_compute
from validators.registry import Draft, rule
from validators.rules.common import label, plain, yuan

ZERO = Decimal(0)


def _sum_of(ctx: CheckContext, no: str, doc_type: DocType, name: str) -> tuple[Decimal, list[str]]:
    total, files = ZERO, []
    for doc in ctx.belonging_to(no, doc_type):
        v = ctx.value(doc, name)
        if v is not None:
            total += v.value
            files.append(doc.file)
    return total, files


def unread_kinds(ctx: CheckContext, no: str) -> set[str]:
    """The kinds of document of a contract whose sum is short because one of them has no
    amount read (FIELD_MISSING asks the reviewer about it): no mismatch is told from them."""
    out = set()
    for kind, doc_type, name in (("结算单", DocType.SETTLEMENT, "total_amount"),
                                 ("付款凭证", DocType.PAYMENT, "amount")):
        if any(ctx.value(doc, name) is None for doc in ctx.belonging_to(no, doc_type)):
            out.add(kind)
    return out


def contract_totals(ctx: CheckContext, no: str) -> dict[str, tuple[Decimal, list[str]]]:
    """The contract's invoiced (each invoice once), settled and paid totals, with files."""
    invoices = invoices_of(ctx, no)
    return {
        "发票": (sum((i.total for i in invoices), ZERO), [i.doc.file for i in invoices]),
        "结算单": _sum_of(ctx, no, DocType.SETTLEMENT, "total_amount"),
        "付款凭证": _sum_of(ctx, no, DocType.PAYMENT, "amount"),
    }


@rule(FindingCode.AMOUNT_MISMATCH, "申报金额与合同、发票与结算单与付款之间金额不一致，或超出合同总额")
def amount_mismatch(ctx: CheckContext) -> Iterator[Draft]:
    assert ctx.manifest is not None
    tolerance = ctx.rules.tolerance.amount_match
    for claim in ctx.manifest.contracts:
        no = norm_code(claim.contract_no)
        contract = ctx.contracts.get(no)
        total = ctx.value(contract, "total_amount") if contract is not None else None
        if total is not None and abs(total.value - claim.amount) > tolerance:
            yield Draft(f"申报表所填合同 {claim.contract_no} 金额 {yuan(claim.amount)}，与合同{label(total.doc)}"
                        f"总金额 {yuan(total.value)} 不一致", ("application.yaml", total.doc.file), (total.evidence,),
                        expected=plain(total.value), observed=plain(claim.amount))
        unread = unread_kinds(ctx, no)
        sums = {k: v for k, v in contract_totals(ctx, no).items() if v[1] and k not in unread}
        kinds = list(sums)
        for i, a in enumerate(kinds):
            for b in kinds[i + 1:]:
                if abs(sums[a][0] - sums[b][0]) > tolerance * max(len(sums[a][1]), len(sums[b][1]), 1):
                    yield Draft(f"合同 {claim.contract_no} 的{a}合计 {yuan(sums[a][0])}，与{b}合计 {yuan(sums[b][0])} 不一致",
                                tuple(sorted({*sums[a][1], *sums[b][1]})), expected=plain(sums[b][0]),
                                observed=plain(sums[a][0]))
        if total is not None:
            for kind in ("发票", "结算单"):
                if kind in sums and sums[kind][0] > total.value + tolerance:
                    yield Draft(f"合同 {claim.contract_no} 的{kind}合计 {yuan(sums[kind][0])} 超出合同总金额 {yuan(total.value)}",
                                (total.doc.file, *sorted(sums[kind][1])), (total.evidence,),
                                expected=plain(total.value), observed=plain(sums[kind][0]))


@rule(FindingCode.UNDELIVERED, "开票或付款多于结算确认的交付量（超出部分不计入补贴）")
def undelivered(ctx: CheckContext) -> Iterator[Draft]:
    assert ctx.manifest is not None
    tolerance = ctx.rules.tolerance.amount_match
    for claim in ctx.manifest.contracts:
        no = norm_code(claim.contract_no)
        if "结算单" in unread_kinds(ctx, no):
            continue  # a statement's total unread: what was delivered is not known
        sums = contract_totals(ctx, no)
        settled = sums["结算单"][0]
        for kind in ("发票", "付款凭证"):
            billed, files = sums[kind]
            if files and billed > settled + tolerance * max(len(files), 1):
                yield Draft(f"合同 {claim.contract_no} 的{kind}合计 {yuan(billed)} 多于结算单确认交付 {yuan(settled)}，"
                            f"超出的 {yuan(billed - settled)} 不计入补贴", tuple(sorted(files)),
                            expected=plain(settled), observed=plain(billed))


@rule(FindingCode.NON_COMPUTE_ITEM, "发票或结算单含存储、网络、安全等非智能算力项目（不计入补贴）", needs_manifest=False)
def non_compute(ctx: CheckContext) -> Iterator[Draft]:
    for doc in ctx.of_type(DocType.INVOICE) + ctx.of_type(DocType.SETTLEMENT):
        items = ctx.value(doc, "items")
        for item in items.value if items is not None else []:
            if not is_compute(item.name, ctx.rules):
                yield Draft(f"{label(doc)}含非智能算力项目“{item.name}” {yuan(item.amount)}，该部分不计入补贴",
                            (doc.file,), (items.evidence,) if items is not None else (), observed=item.name)


@rule(FindingCode.THRESHOLD_NOT_MET, "申报智能算力总金额低于申报方向的最低要求")
def threshold(ctx: CheckContext) -> Iterator[Draft]:
    assert ctx.manifest is not None
    minimum = ctx.rules.min_total.for_direction(ctx.manifest.direction)
    total = ZERO
    for claim in ctx.manifest.contracts:
        contract = ctx.contracts.get(norm_code(claim.contract_no))
        v = ctx.value(contract, "total_amount") if contract is not None else None
        total += v.value if v is not None else claim.amount
    if total < minimum:
        yield Draft(f"申报智能算力总金额 {yuan(total)} 低于{ctx.manifest.direction.value}方向最低要求 {yuan(minimum)}",
                    ("application.yaml",), expected=plain(minimum), observed=plain(total))
