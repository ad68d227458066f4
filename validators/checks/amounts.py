"""Amounts across documents: declared against contract, invoices against settlements and
payments, nothing over the contract, nothing billed beyond delivery, only compute counted,
and the direction's minimum."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from intake.manifest import DeclaredContract
from model.base import DocType, FindingCode, TypedBy
from model.report import Evidence, SubsidyLine
from policy.words import say
from validators.checks.common import label, plain, yuan
from validators.context import CheckContext
from validators.ledger import invoices_of, is_compute, item_total
from validators.names import norm_code, norm_name
from validators.runner import Draft, check

ZERO = Decimal(0)


def declared(ctx: CheckContext) -> Iterator[tuple[DeclaredContract, str]]:
    """Each contract the manifest declares, with its number as compared."""
    assert ctx.manifest is not None
    for claim in ctx.manifest.contracts:
        yield claim, norm_code(claim.contract_no)


Sum = tuple[Decimal, list[str], list[Evidence]]
"""A total over documents: the amount, the files and where each amount added is printed."""


def _sum_of(ctx: CheckContext, no: str, doc_type: DocType, name: str) -> Sum:
    total, files, places = ZERO, [], []
    for doc in ctx.belonging_to(no, doc_type):
        v = ctx.value(doc, name)
        if v is not None:
            total += v.value
            files.append(doc.file)
            places.append(v.evidence)
    return total, files, places


def unread_kinds(ctx: CheckContext, no: str) -> set[str]:
    """The kinds of document of a contract whose sum may be short: one of them has no amount
    read (FIELD_MISSING asks about it), or a file of no known type may be one of them
    (DOC_UNCLASSIFIED asks about it), or one whose content only resembles another type (a
    finding resting on a sum it is part of asks anyway), or one of the kind that names neither
    its contract nor its supplier. No mismatch is told from them."""
    out = set()
    summed = {DocType.INVOICE, DocType.SETTLEMENT, DocType.PAYMENT}
    unknown = any(d.doc_type is DocType.OTHER or (d.typed_by is TypedBy.RESEMBLANCE and d.doc_type not in summed)
                  for d in ctx.readable)
    for kind, doc_type, name in (("发票", DocType.INVOICE, "total_amount"),
                                 ("结算单", DocType.SETTLEMENT, "total_amount"),
                                 ("付款凭证", DocType.PAYMENT, "amount")):
        if unknown or any(ctx.value(doc, name) is None for doc in ctx.belonging_to(no, doc_type)) \
                or any(ctx.contract_of(doc) is None for doc in ctx.of_type(doc_type)):
            out.add(kind)  # one that names no contract and no supplier may be this one's too
    skipped: list[SubsidyLine] = []
    invoices_of(ctx, no, skipped)  # an invoice without its number or date is not counted either
    if any(FindingCode.FIELD_MISSING in line._codes for line in skipped):
        out.add("发票")
    return out


def contract_totals(ctx: CheckContext, no: str) -> dict[str, Sum]:
    """The contract's invoiced (each invoice once), settled and paid totals, with files."""
    invoices = invoices_of(ctx, no)
    totals = [ctx.value(i.doc, "total_amount") for i in invoices]
    return {
        "发票": (sum((i.total for i in invoices), ZERO), [i.doc.file for i in invoices],
               [v.evidence for v in totals if v is not None]),
        "结算单": _sum_of(ctx, no, DocType.SETTLEMENT, "total_amount"),
        "付款凭证": _sum_of(ctx, no, DocType.PAYMENT, "amount"),
    }


@check(FindingCode.AMOUNT_MISMATCH, "申报金额与合同、发票与结算单与付款之间金额不一致，或超出合同总额")
def amount_mismatch(ctx: CheckContext) -> Iterator[Draft]:
    tolerance = ctx.rules.tolerance.amount_match
    for claim, no in declared(ctx):
        contract = ctx.contracts.get(no)
        total = ctx.value(contract, "total_amount") if contract is not None else None
        if total is not None and abs(total.value - claim.amount) > tolerance:
            yield Draft(f"申报表所填合同 {claim.contract_no} 金额 {yuan(claim.amount)}，与合同{label(total.doc)}"
                        f"总金额 {yuan(total.value)} 不一致", ("application.yaml", total.doc.file), (total.evidence,),
                        expected=plain(total.value), observed=plain(claim.amount),
                        at_stake=total.value - claim.amount)
        unread = unread_kinds(ctx, no)
        sums = {k: v for k, v in contract_totals(ctx, no).items() if v[1] and k not in unread}
        kinds = list(sums)
        for i, a in enumerate(kinds):
            for b in kinds[i + 1:]:
                billed = b if a == "结算单" else a
                if "结算单" in (a, b) and sums[billed][0] > sums["结算单"][0]:
                    continue  # billed beyond delivery: UNDELIVERED reports it, with what is left out
                if abs(sums[a][0] - sums[b][0]) > tolerance * max(len(sums[a][1]), len(sums[b][1]), 1):
                    yield Draft(f"合同 {claim.contract_no} 的{a}合计 {yuan(sums[a][0])}，与{b}合计 {yuan(sums[b][0])} 不一致",
                                tuple(sorted({*sums[a][1], *sums[b][1]})), (*sums[a][2], *sums[b][2]),
                                expected=plain(sums[b][0]),
                                observed=plain(sums[a][0]), at_stake=sums[a][0] - sums[b][0])
        if total is not None:
            over = [k for k in ("结算单", "发票") if k in sums and sums[k][0] > total.value + tolerance]
            for amount in dict.fromkeys(sums[k][0] for k in over):  # the same excess seen twice is one
                kinds = [k for k in over if sums[k][0] == amount]
                files = sorted({f for k in kinds for f in sums[k][1]})
                yield Draft(f"合同 {claim.contract_no} 的{'与'.join(kinds)}合计{'均为' if len(kinds) > 1 else ''} "
                            f"{yuan(amount)}，超出合同总金额 {yuan(total.value)}，超出的 {yuan(amount - total.value)} 不计入",
                            (total.doc.file, *files), (total.evidence, *(e for k in kinds for e in sums[k][2])),
                            expected=plain(total.value), observed=plain(amount),
                            at_stake=amount - total.value, situation="over_contract")


@check(FindingCode.UNDELIVERED, "开票或付款多于结算确认的交付量（超出部分不计入补贴）")
def undelivered(ctx: CheckContext) -> Iterator[Draft]:
    tolerance = ctx.rules.tolerance.amount_match
    for claim, no in declared(ctx):
        if "结算单" in unread_kinds(ctx, no):
            continue  # a statement's total unread: what was delivered is not known
        sums = contract_totals(ctx, no)
        settled, _, delivered = sums["结算单"]
        for kind in ("发票", "付款凭证"):
            billed, files, places = sums[kind]
            if files and billed > settled + tolerance * max(len(files), 1):
                yield Draft(f"合同 {claim.contract_no} 的{kind}合计 {yuan(billed)} 多于结算单确认交付 {yuan(settled)}，"
                            f"超出的 {yuan(billed - settled)} 不计入补贴", tuple(sorted(files)), (*places, *delivered),
                            expected=plain(settled), observed=plain(billed), at_stake=billed - settled)


CATEGORY = re.compile(r"\*[^*]*\*")
"""An invoice line's tax category (*信息技术服务*对象存储), printed before its name."""
MONTH = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月份?|\d{4}[-./]\d{1,2}(?:[-./]\d{1,2})?|[第]?[一二三四1-4]季度")


def service_name(name: str) -> str:
    """A line's service as compared between documents: without the invoice's tax category
    and the period a statement puts before it (2024年10月对象存储 is 对象存储)."""
    return norm_name(MONTH.sub("", CATEGORY.sub("", name)))


@check(FindingCode.NON_COMPUTE_ITEM, "发票或结算单含存储、网络、安全等非智能算力项目（不计入补贴）", needs_manifest=False)
def non_compute(ctx: CheckContext) -> Iterator[Draft]:
    """One finding per non-compute line of a contract, however many documents show it (the
    invoice before tax, the statement with it)."""
    seen: dict[tuple[str, str], list[tuple[str, str, Decimal, Evidence | None]]] = {}
    for doc in ctx.of_type(DocType.INVOICE) + ctx.of_type(DocType.SETTLEMENT):
        items = ctx.value(doc, "items")
        for item in items.value if items is not None else []:
            if not is_compute(item.name, ctx.rules):
                key = (ctx.contract_of(doc) or doc.file, service_name(item.name))
                amount = item_total(item) if doc.doc_type is DocType.INVOICE else item.amount
                where = items.evidence if items is not None and items.bbox is not None else None
                seen.setdefault(key, []).append((doc.file, item.name, amount, where))
    for uses in seen.values():
        name = uses[0][1]
        shown = "、".join(f"《{file}》{yuan(amount)}" for file, _, amount, _ in uses)
        yield Draft(f"非智能算力项目“{name}”（{shown}），该部分不计入补贴",
                    tuple(dict.fromkeys(u[0] for u in uses)), tuple(u[3] for u in uses if u[3] is not None),
                    observed=name, at_stake=max(u[2] for u in uses))


@check(FindingCode.THRESHOLD_NOT_MET, "申报智能算力总金额低于申报方向的最低要求")
def threshold(ctx: CheckContext) -> Iterator[Draft]:
    assert ctx.manifest is not None
    minimum = ctx.rules.min_total.for_direction(ctx.manifest.direction)
    total = ZERO
    for claim, no in declared(ctx):
        contract = ctx.contracts.get(no)
        v = ctx.value(contract, "total_amount") if contract is not None else None
        total += v.value if v is not None else claim.amount
    if total < minimum:
        yield Draft(f"申报智能算力总金额 {yuan(total)} 低于{say('directions', ctx.manifest.direction)}方向最低要求 {yuan(minimum)}",
                    ("application.yaml",), expected=plain(minimum), observed=plain(total), at_stake=minimum - total)
