"""From an application's documents to the calculator's per-contract evidence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from model.base import DocType, FindingCode
from model.document import Document, LineItem
from model.report import SubsidyLine
from policy.rules import Rules
from validators.context import CheckContext
from validators.names import norm_code
from validators.subsidy import ZERO, Claim, Result, Span, calculate


def is_compute(name: str, rules: Rules) -> bool:
    """Whether a line is intelligent compute: a compute word wins, else any non-compute word
    (storage, network, security …) marks it as other services."""
    if any(k.lower() in name.lower() for k in rules.compute_keywords):
        return True
    return not any(k.lower() in name.lower() for k in rules.non_compute_keywords)


@dataclass(frozen=True)
class InvoiceRef:
    doc: Document
    key: tuple[str, str]
    total: Decimal
    issued: date
    non_compute: Decimal


def invoice_key(ctx: CheckContext, doc: Document) -> tuple[str, str] | None:
    no = ctx.value(doc, "invoice_no")
    if no is None or not no.value:
        return None
    code = ctx.value(doc, "invoice_code")
    return (norm_code(code.value) if code is not None and code.value else "", norm_code(no.value))


def item_total(item: LineItem) -> Decimal:
    """A line's amount with its tax (an invoice's lines are printed before tax)."""
    if item.tax_amount is not None:
        return item.amount + item.tax_amount
    if item.tax_rate is not None:
        return item.amount * (1 + item.tax_rate)
    return item.amount


def invoices_of(ctx: CheckContext, contract_no: str,
                skipped: list[SubsidyLine] | None = None) -> list[InvoiceRef]:
    """The contract's invoices, each invoice (code and number) once; those that cannot be
    counted go to ``skipped`` with why."""
    out: dict[tuple[str, str], InvoiceRef] = {}
    for doc in ctx.belonging_to(contract_no, DocType.INVOICE):
        key = invoice_key(ctx, doc)
        total, issued = ctx.value(doc, "total_amount"), ctx.value(doc, "issue_date")
        if key is None or total is None or issued is None:
            read = (("发票号码", key), ("价税合计", total), ("开票日期", issued))
            unread = [w for w, v in read if v is None]
            _skip(skipped, doc, "invoiced", f"{'、'.join(unread)}未能读取，未计入", FindingCode.FIELD_MISSING,
                  total.value if total is not None else None)
            continue
        if key in out:
            _skip(skipped, doc, "invoiced", f"与《{out[key].doc.file}》为同一张发票，只计一次",
                  FindingCode.DUPLICATE_DOCUMENT, total.value)
            continue
        items = ctx.value(doc, "items")
        lines = items.value if items else []
        other = sum((item_total(i) for i in lines if not is_compute(i.name, ctx.rules)), ZERO)
        out[key] = InvoiceRef(doc, key, total.value, issued.value, other)
    return list(out.values())


def _skip(skipped: list[SubsidyLine] | None, doc: Document, what: str, why: str, code: FindingCode,
          amount: Decimal | None = None) -> None:
    if skipped is None:
        return
    line = SubsidyLine(file=doc.file, what=what, amount=amount, why=why)  # type: ignore[arg-type]
    line._codes = [code]
    skipped.append(line)


def settlement_spans(ctx: CheckContext, doc: Document) -> list[Span]:
    """A statement's lines as spans over their periods (the statement's period where a line
    gives none); a statement without readable lines counts as one line."""
    p0, p1 = ctx.value(doc, "period_start"), ctx.value(doc, "period_end")
    items = ctx.value(doc, "items")
    total = ctx.value(doc, "total_amount")
    spans = []
    for item in items.value if items else []:
        start = item.period_start or (p0.value if p0 else None)
        end = item.period_end or (p1.value if p1 else None)
        if start is None or end is None or end < start:
            continue
        spans.append(Span(item.amount, start, end, is_compute(item.name, ctx.rules), doc.file, item.name))
    lines = sum((s.amount for s in spans), ZERO)
    tolerance = ctx.rules.tolerance.amount_match * max(len(spans), 1)
    if total is not None and spans and abs(lines - total.value) > tolerance:
        # lines that do not add up to the statement's total were misread: trust the total,
        # spread over the statement's period, with the non-compute lines still kept apart
        other = [s for s in spans if not s.compute]
        if p0 is not None and p1 is not None and p0.value <= p1.value:
            rest = total.value - sum((s.amount for s in other), ZERO)
            return [Span(rest, p0.value, p1.value, True, doc.file, "结算合计"), *other]
    if not spans and total is not None and p0 is not None and p1 is not None and p0.value <= p1.value:
        spans.append(Span(total.value, p0.value, p1.value, True, doc.file, "结算合计"))
    return spans


def result_of(ctx: CheckContext) -> Result:
    """The calculator's result for the application, computed once per check."""
    if ctx.subsidy is None:
        ctx.subsidy = calculate(claims(ctx), ctx.window, ctx.rules.subsidy)
    return ctx.subsidy


def claims(ctx: CheckContext) -> list[Claim]:
    """One claim per contract the application declares."""
    assert ctx.manifest is not None
    out = []
    for declared in ctx.manifest.contracts:
        no = norm_code(declared.contract_no)
        contract = ctx.contracts.get(no)
        amount = declared.amount
        service = None
        if contract is not None:
            total = ctx.value(contract, "total_amount")
            amount = total.value if total is not None else amount
            s0, s1 = ctx.value(contract, "service_start"), ctx.value(contract, "service_end")
            if s0 is not None and s1 is not None:
                service = (s0.value, s1.value)
        claim = Claim(contract_no=declared.contract_no, contract_amount=amount,
                      other_subsidies=declared.other_subsidies, service=service)
        for doc_type in (DocType.SETTLEMENT, DocType.PAYMENT):
            counted = ctx.belonging_to(no, doc_type)
            for doc in ctx.of_type(doc_type):
                if ctx.contract_of(doc) == no and all(doc is not c for c in counted):
                    _skip(claim.skipped, doc, "delivered" if doc_type is DocType.SETTLEMENT else "paid",
                          "与本合同另一份相同的材料重复，只计一次", FindingCode.DUPLICATE_DOCUMENT)
        for doc in ctx.belonging_to(no, DocType.SETTLEMENT):
            spans = settlement_spans(ctx, doc)
            if not spans:
                _skip(claim.skipped, doc, "delivered", "结算期间或金额未能读取，未计入",
                      FindingCode.FIELD_MISSING)
            claim.delivered.extend(spans)
        for inv in invoices_of(ctx, no, claim.skipped):
            compute = inv.total - inv.non_compute
            claim.invoiced.append(Span(compute, inv.issued, inv.issued, True, inv.doc.file, "发票"))
            if inv.non_compute:
                claim.invoiced.append(Span(inv.non_compute, inv.issued, inv.issued, False, inv.doc.file,
                                           "发票中的非智能算力项目"))
        for doc in ctx.belonging_to(no, DocType.PAYMENT):
            amount_v, when = ctx.value(doc, "amount"), ctx.value(doc, "payment_date")
            if amount_v is not None and when is not None:
                claim.paid.append(Span(amount_v.value, when.value, when.value, True, doc.file, "付款"))
            else:
                _skip(claim.skipped, doc, "paid", "付款金额或日期未能读取，未计入", FindingCode.FIELD_MISSING,
                      amount_v.value if amount_v is not None else None)
        out.append(claim)
    return out

