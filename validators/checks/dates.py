"""Dates: evidence inside the subsidy window, delivery inside the contract's service period."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from fractions import Fraction

from model.base import DocType, FindingCode
from model.document import Document
from model.report import Evidence
from validators.checks.common import label, yuan
from validators.context import CheckContext
from validators.ledger import settlement_spans
from validators.runner import Draft, check
from validators.subsidy import NONE, Span, days_inside, fen, inside


def _iso(d: date) -> str:
    return d.isoformat()


def _delivery(ctx: CheckContext, doc: Document) -> tuple[Evidence, ...]:
    """Where a statement shows its deliveries: its table of lines, else its period."""
    items = ctx.value(doc, "items")
    if items is not None and items.bbox is not None:
        return (items.evidence,)
    return tuple(v.evidence for name in ("period_start", "period_end")
                 if (v := ctx.value(doc, name)) is not None and v.bbox is not None)


def _outside(spans: list[Span], lo: date, hi: date) -> tuple[list[str], Fraction]:
    """The spans not wholly inside [lo, hi], each in words with the part left out (pro rata
    by days), and the total left out, exact."""
    parts, total = [], NONE
    for span in spans:
        if lo <= span.start and span.end <= hi:
            continue
        out = Fraction(span.amount) - inside(span, lo, hi)
        days, kept = days_inside(span, span.start, span.end), days_inside(span, lo, hi)
        parts.append(f"{_iso(span.start)} 至 {_iso(span.end)} 的交付 {yuan(span.amount)}"
                     f"（{days - kept}/{days} 天在外，不计入 {yuan(fen(out))}）")
        total += out
    return parts, total


@check(FindingCode.DATE_OUT_OF_WINDOW, "材料日期早于补贴期起始日或晚于申报日（该部分不计入补贴）")
def out_of_window(ctx: CheckContext) -> Iterator[Draft]:
    w0, w1 = ctx.window
    where = f"补贴期 {_iso(w0)} 至 {_iso(w1)}"
    for doc in ctx.of_type(DocType.SETTLEMENT):
        spans = settlement_spans(ctx, doc)
        parts, out = _outside(spans, w0, w1)
        if parts:
            yield Draft(f"{label(doc)}有交付不全在{where}内，期外部分按天数比例不计入：{'；'.join(parts)}",
                        (doc.file,), _delivery(ctx, doc), expected=f"{_iso(w0)}..{_iso(w1)}",
                        observed="; ".join(f"{_iso(s.start)}..{_iso(s.end)}" for s in spans
                                           if s.start < w0 or s.end > w1),
                        at_stake=fen(out))
    for doc_type, name, words in ((DocType.INVOICE, "issue_date", "开票日期"),
                                  (DocType.PAYMENT, "payment_date", "付款日期")):
        amount_field = "total_amount" if doc_type is DocType.INVOICE else "amount"
        for v in ctx.values(doc_type, name):
            if not w0 <= v.value <= w1:
                amount = ctx.value(v.doc, amount_field)
                yield Draft(f"{label(v.doc)}{words} {_iso(v.value)} 不在{where}内，不计入补贴", (v.doc.file,),
                            (v.evidence,), expected=f"{_iso(w0)}..{_iso(w1)}", observed=_iso(v.value),
                            at_stake=amount.value if amount is not None else None)


@check(FindingCode.CONTRACT_PERIOD, "交付或结算超出合同服务期限，或申报期内合同无效")
def contract_period(ctx: CheckContext) -> Iterator[Draft]:
    w0, _ = ctx.window
    for no, contract in ctx.contracts.items():
        s0, s1 = ctx.value(contract, "service_start"), ctx.value(contract, "service_end")
        if s0 is None or s1 is None:
            continue
        if s1.value < w0:
            yield Draft(f"合同{label(contract)}服务期限 {_iso(s0.value)} 至 {_iso(s1.value)} 在补贴期开始前已届满",
                        (contract.file,), (s1.evidence,), observed=_iso(s1.value), situation="expired")
        period = f"{_iso(s0.value)} 至 {_iso(s1.value)}"
        for doc in ctx.belonging_to(no, DocType.SETTLEMENT):
            spans = settlement_spans(ctx, doc)
            parts, out = _outside(spans, s0.value, s1.value)
            if parts:
                yield Draft(f"{label(doc)}有交付超出合同{label(contract)}服务期限 {period}，超出部分不计入：{'；'.join(parts)}",
                            (doc.file, contract.file), (*_delivery(ctx, doc), s0.evidence, s1.evidence),
                            expected=f"{_iso(s0.value)}..{_iso(s1.value)}",
                            observed="; ".join(f"{_iso(s.start)}..{_iso(s.end)}" for s in spans
                                               if s.start < s0.value or s.end > s1.value),
                            at_stake=fen(out))
