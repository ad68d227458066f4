"""The recommendation a report opens with (建议结论), from the kinds of its findings and the
fields it could not verify, and what of the subsidy is payable as things stand."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from model.base import DocType, FindingCode, Kind, Verdict
from model.report import Finding, Subsidy, Unverified
from policy.words import say
from validators.checks.common import unread, yuan
from validators.context import CheckContext

CHECKED: dict[DocType, tuple[str, ...]] = {
    DocType.CONTRACT: ("contract_no", "party_a", "party_b", "total_amount", "unit_price", "quantity",
                       "service_start", "service_end"),
    DocType.INVOICE: ("invoice_no", "issue_date", "buyer", "seller", "amount_ex_tax", "tax_rate",
                      "tax_amount", "total_amount", "total_in_words"),
    DocType.SETTLEMENT: ("customer", "supplier", "period_start", "period_end", "total_amount", "items"),
    DocType.PAYMENT: ("payer", "payee", "amount", "payment_date"),
    DocType.SUPPLIER_CERTIFICATE: ("supplier", "customer"),
    DocType.COMMITMENT: ("company", "signed", "sign_date"),
    DocType.PLATFORM_LOG: ("daily_tokens", "served_companies"),
    DocType.AGENT_FILING: ("filing_no", "daily_active_users"),
}
"""The fields the checks compare or compute with, per document type: one of them unread, or
read with low confidence, is a check the report could not fully make."""

REASONS_SHOWN = 4
"""How many decisive findings the verdict names, one line each; the rest are counted."""


def unverified(ctx: CheckContext) -> list[Unverified]:
    """Every field the checks needed that reading did not find, or found with a confidence
    under the rules' ``low_confidence``, in document order."""
    low = ctx.rules.reading.low_confidence
    out: list[Unverified] = []
    for doc in ctx.readable:
        if doc.file in ctx.copies:
            continue  # its structured copy's exact data stands for it
        for name in CHECKED.get(doc.doc_type, ()):
            found = getattr(doc.fields, name, None)
            if found is None:
                if name in doc.missing and unread(doc, name):
                    out.append(Unverified(file=doc.file, field=name, reason="unread",
                                          detail=doc.missing[name].text))
            elif found.confidence < low:
                out.append(Unverified(file=doc.file, field=name, reason="low_confidence",
                                      confidence=found.confidence, page=found.page, bbox=found.bbox,
                                      detail=f"识别置信度 {found.confidence:.0%}"))
    return out


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    reasons: list[str]
    state: str
    payable: Decimal | None


def _lines(findings: list[Finding], kind: Kind) -> list[str]:
    chosen = [f for f in findings if f.kind is kind]
    lines = [f"{say('codes', f.code)}：{f.message}" for f in chosen[:REASONS_SHOWN]]
    if len(chosen) > REASONS_SHOWN:
        lines.append(f"另有 {len(chosen) - REASONS_SHOWN} 项{say('kinds', kind)}，见下文核查发现")
    return lines


def decide(ctx: CheckContext, findings: list[Finding], fields: list[Unverified],
           subsidy: Subsidy | None) -> Decision:
    """The verdict and its reasons (decisive findings first, one line each), with the state
    of the subsidy: withheld (0) under a veto, pending while anything but a note is open."""
    kinds = {f.kind for f in findings}
    computed = subsidy.subsidy if subsidy is not None else None
    if ctx.load_error is not None or ctx.manifest is None:
        blocking = (FindingCode.MANIFEST_INVALID, FindingCode.DOC_UNREADABLE)
        why = [f.message for f in findings if f.code in blocking]
        return Decision(Verdict.UNABLE, why[:REASONS_SHOWN] or ["申报无法核查"], "withheld", None)
    if Kind.VETO in kinds:
        return Decision(Verdict.REJECT, _lines(findings, Kind.VETO), "withheld", Decimal("0.00"))
    if Kind.FIX in kinds:
        return Decision(Verdict.RESUBMIT, _lines(findings, Kind.FIX), "pending", computed)
    reasons = []
    if fields:
        shown = fields[:REASONS_SHOWN]
        names = "、".join(dict.fromkeys(f"《{u.file}》{say('fields', u.field)}" for u in shown))
        more = f"等 {len(fields)} 项" if len(fields) > REASONS_SHOWN else ""
        reasons.append(f"核查所需字段未能读取或识别置信度低：{names}{more}，请对照原件核对")
    reasons += _lines(findings, Kind.ADJUST)
    if reasons:
        return Decision(Verdict.APPROVE_AFTER_CHECK, reasons, "pending", computed)
    lines = ["材料齐全，各项核查一致"]
    if subsidy is not None:
        lines.append(f"核定算力成本 {yuan(subsidy.eligible_cost)}，补贴 {yuan(subsidy.subsidy)}")
    capped = [f for f in findings if f.code is FindingCode.SUBSIDY_CAPPED]
    lines += [f"{say('codes', f.code)}：{f.message}" for f in capped]
    return Decision(Verdict.APPROVE, lines, "final", computed)


def link_lines(subsidy: Subsidy | None, findings: list[Finding]) -> None:
    """Each left-out line of the calculation linked to the findings that report it."""
    if subsidy is None:
        return
    for contract in subsidy.per_contract:
        for line in contract.lines:
            line.finding_ids = [f.finding_id for f in findings
                                if f.code in line._codes and line.file in f.documents]
