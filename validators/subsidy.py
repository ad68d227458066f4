"""The subsidy calculator of the policy (docs/policy.md §4), in exact decimals.

Per contract: compute delivered inside the window and the service period (settlement lines,
pro rata by days where a line straddles a boundary, non-compute lines left out), compute
paid inside the window (invoices, else payment proofs, non-compute items left out), and
the eligible cost min(contract, delivered, paid). Then rate × eligible, cut to the
total-support share less other subsidies, and scaled down together to the company cap.
Exact fractions throughout (a pro-rata share of 11/31 stays 11/31), rounded half up to
the fen only at the very end.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from model.base import FindingCode
from model.report import ContractSubsidy, Subsidy, SubsidyLine
from policy.rules import SubsidyRules

ZERO = Decimal(0)
NONE = Fraction(0)


def fen(value: Fraction | Decimal) -> Decimal:
    """``value`` rounded half up to the fen, exactly (no intermediate float or context)."""
    cents = Fraction(value) * 100
    rounded = math.floor(cents + Fraction(1, 2)) if cents >= 0 else -math.floor(-cents + Fraction(1, 2))
    return Decimal(rounded).scaleb(-2)


@dataclass(frozen=True)
class Span:
    """An amount of evidence over a period (a settlement line) or on a day (an invoice)."""

    amount: Decimal
    start: date
    end: date
    compute: bool = True
    source: str = ""
    name: str = ""


@dataclass
class Claim:
    """One contract's evidence, as the calculator needs it."""

    contract_no: str
    contract_amount: Decimal
    other_subsidies: Decimal = ZERO
    service: tuple[date, date] | None = None
    delivered: list[Span] = field(default_factory=list)
    invoiced: list[Span] = field(default_factory=list)
    paid: list[Span] = field(default_factory=list)
    skipped: list[SubsidyLine] = field(default_factory=list)
    """Evidence of the contract that could not be counted at all, each with why."""


@dataclass
class Tally:
    """The parts of one contract's evidence, exact, before rounding."""

    claim: Claim
    delivered: Fraction = NONE
    delivered_outside_window: Fraction = NONE
    delivered_outside_service: Fraction = NONE
    paid: Fraction = NONE
    paid_outside_window: Fraction = NONE
    non_compute: Fraction = NONE
    paid_non_compute: Fraction = NONE
    eligible: Fraction = NONE
    subsidy: Fraction = NONE
    share_room: Fraction = NONE
    cut_by_share: Fraction = NONE


@dataclass
class Result:
    subsidy: Subsidy
    tallies: list[Tally]
    cap_cut: Fraction = NONE  # how much the company cap took off, exact


def _days(a: date, b: date) -> int:
    return (b - a).days + 1


def days_inside(span: Span, lo: date, hi: date) -> int:
    """How many of the span's days fall in [lo, hi]."""
    return max(0, (min(span.end, hi) - max(span.start, lo)).days + 1)


def inside(span: Span, lo: date, hi: date) -> Fraction:
    """The share of ``span`` inside [lo, hi], pro rata by days, exact."""
    inside = days_inside(span, lo, hi)
    total = _days(span.start, span.end)
    if total <= 0:
        return NONE
    return Fraction(span.amount) * Fraction(inside, total)


def tally(claim: Claim, window: tuple[date, date]) -> Tally:
    """The delivered, paid and eligible amounts of one contract."""
    w0, w1 = window
    s0, s1 = claim.service or (date.min, date.max)
    lo, hi = max(w0, s0), min(w1, s1)
    t = Tally(claim)
    for span in claim.delivered:
        in_window = inside(span, w0, w1)
        counted = inside(span, lo, hi) if lo <= hi else NONE
        if not span.compute:
            t.non_compute += counted
            continue
        t.delivered += counted
        t.delivered_outside_window += Fraction(span.amount) - in_window
        t.delivered_outside_service += in_window - counted
    proofs = claim.invoiced if claim.invoiced else claim.paid
    for span in proofs:
        amount = Fraction(span.amount)
        if w0 <= span.start <= w1:
            if span.compute:
                t.paid += amount
            else:
                t.paid_non_compute += amount
        elif span.compute:
            t.paid_outside_window += amount
    t.eligible = max(NONE, min(Fraction(claim.contract_amount), t.delivered, t.paid))
    return t


def calculate(claims: Iterable[Claim], window: tuple[date, date], rules: SubsidyRules) -> Result:
    """The subsidy of an application's contracts under ``rules``."""
    tallies = [tally(c, window) for c in claims]
    rate, share, cap = Fraction(rules.rate), Fraction(rules.total_support_share), Fraction(rules.company_cap)
    for t in tallies:
        wanted = rate * t.eligible
        t.share_room = max(NONE, share * t.eligible - Fraction(t.claim.other_subsidies))
        t.subsidy = min(wanted, t.share_room)
        t.cut_by_share = wanted - t.subsidy
    total = sum((t.subsidy for t in tallies), NONE)
    capped_by = "total_support_share" if any(t.cut_by_share > 0 for t in tallies) else None
    cap_cut = NONE
    if total > cap:
        factor = cap / total
        for t in tallies:
            t.subsidy *= factor
        cap_cut = total - cap
        total = cap
        capped_by = "company_cap"
    per_contract = [
        ContractSubsidy(
            contract_no=t.claim.contract_no, contract_amount=fen(t.claim.contract_amount),
            delivered_in_window=fen(t.delivered), paid_in_window=fen(t.paid),
            non_compute_excluded=fen(t.non_compute), eligible_cost=fen(t.eligible),
            other_subsidies=fen(t.claim.other_subsidies), subsidy=fen(t.subsidy),
            service_start=t.claim.service[0] if t.claim.service else None,
            service_end=t.claim.service[1] if t.claim.service else None,
            lines=lines_of(t.claim, window),
            proofs="invoices" if t.claim.invoiced else "payments" if t.claim.paid else "none",
            share_cut=fen(t.cut_by_share))
        for t in tallies
    ]
    subsidy = Subsidy(rate=rules.rate, eligible_cost=fen(sum((t.eligible for t in tallies), NONE)),
                      subsidy=fen(total), capped_by=capped_by, per_contract=per_contract,
                      window_start=window[0], window_end=window[1], cap_cut=fen(cap_cut))
    return Result(subsidy=subsidy, tallies=tallies, cap_cut=cap_cut)


# --- the arithmetic shown step by step ---------------------------------------------------------


def _line(span: Span, what: str, counted: Fraction, days_counted: int, why: list[str],
          codes: list[FindingCode]) -> SubsidyLine:
    line = SubsidyLine(file=span.source, what=what, name=span.name, amount=span.amount, start=span.start,
                       end=span.end, compute=span.compute, days=_days(span.start, span.end),
                       days_counted=days_counted, counted=fen(counted),
                       left_out=fen(Fraction(span.amount) - counted), why="；".join(why))
    line._codes = codes
    return line


def _order(span: Span) -> tuple[object, ...]:
    return (span.start, span.end, span.source, span.name, span.amount, span.compute)


def lines_of(claim: Claim, window: tuple[date, date]) -> list[SubsidyLine]:
    """Every piece of a contract's evidence with what of it counts and why the rest does not:
    the reviewer's view of the calculation above, in the same exact arithmetic."""
    w0, w1 = window
    s0, s1 = claim.service or (date.min, date.max)
    lo, hi = max(w0, s0), min(w1, s1)
    out: list[SubsidyLine] = []
    for span in sorted(claim.delivered, key=_order):
        kept = days_inside(span, lo, hi) if lo <= hi else 0
        why: list[str] = []
        codes: list[FindingCode] = []
        if not span.compute:
            why.append("非智能算力项目，不计入")
            codes.append(FindingCode.NON_COMPUTE_ITEM)
            kept = 0
        else:
            before = max(0, (min(span.end, w0 - timedelta(days=1)) - span.start).days + 1)
            after = max(0, (span.end - max(span.start, w1 + timedelta(days=1))).days + 1)
            if before:
                why.append(f"{before} 天早于补贴期起始日 {w0.isoformat()}")
            if after:
                why.append(f"{after} 天晚于补贴期截止日 {w1.isoformat()}")
            if before or after:
                codes.append(FindingCode.DATE_OUT_OF_WINDOW)
            outside_service = _days(span.start, span.end) - before - after - kept
            if outside_service > 0:
                why.append(f"{outside_service} 天超出合同服务期限")
                codes.append(FindingCode.CONTRACT_PERIOD)
            if why:
                why[-1] += "，按天数比例不计入"
        counted = inside(span, lo, hi) if span.compute and lo <= hi else NONE
        out.append(_line(span, "delivered", counted, kept, why, codes))
    used, unused = (claim.invoiced, claim.paid) if claim.invoiced else (claim.paid, [])
    what = "invoiced" if claim.invoiced else "paid"
    for span in sorted(used, key=_order):
        inside_window = w0 <= span.start <= w1
        why, codes = [], []
        if not span.compute:
            why.append("非智能算力项目，不计入")
            codes.append(FindingCode.NON_COMPUTE_ITEM)
        elif not inside_window:
            why.append(f"{'开票' if what == 'invoiced' else '付款'}日期不在补贴期内，不计入")
            codes.append(FindingCode.DATE_OUT_OF_WINDOW)
        counted = Fraction(span.amount) if span.compute and inside_window else NONE
        out.append(_line(span, what, counted, 1 if counted else 0, why, codes))
    for span in sorted(unused, key=_order):
        line = _line(span, "paid", NONE, 0, ["已有发票，期内支付按发票计，付款凭证用于核对"], [])
        line.left_out = fen(NONE)
        out.append(line)
    out.extend(claim.skipped)
    return out
