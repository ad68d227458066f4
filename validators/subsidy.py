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
from datetime import date
from decimal import Decimal
from fractions import Fraction

from pipeline.model import ContractSubsidy, Subsidy
from pipeline.rules import SubsidyRules

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


def _overlap(span: Span, lo: date, hi: date) -> Fraction:
    """The share of ``span`` inside [lo, hi], pro rata by days, exact."""
    inside = max(0, (min(span.end, hi) - max(span.start, lo)).days + 1)
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
        in_window = _overlap(span, w0, w1)
        counted = _overlap(span, lo, hi) if lo <= hi else NONE
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
            other_subsidies=fen(t.claim.other_subsidies), subsidy=fen(t.subsidy))
        for t in tallies
    ]
    subsidy = Subsidy(rate=rules.rate, eligible_cost=fen(sum((t.eligible for t in tallies), NONE)),
                      subsidy=fen(total), capped_by=capped_by, per_contract=per_contract)
    return Result(subsidy=subsidy, tallies=tallies, cap_cut=cap_cut)
