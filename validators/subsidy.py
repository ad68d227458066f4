"""The subsidy calculator of the policy (docs/policy.md §4), in exact decimals.

Per contract: compute delivered inside the window and the service period (settlement lines,
pro rata by days where a line straddles a boundary, non-compute lines left out), compute
paid inside the window (invoices, else payment proofs, non-compute items left out), and
the eligible cost min(contract, delivered, paid). Then rate × eligible, cut to the
total-support share less other subsidies, and scaled down together to the company cap.
Rounded half up to the fen only at the very end.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from pipeline.model import ContractSubsidy, Subsidy, round_fen
from pipeline.rules import SubsidyRules

EXACT = decimal.Context(prec=60, rounding=decimal.ROUND_HALF_EVEN)
ZERO = Decimal(0)


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
    """The parts of one contract's evidence, before rounding."""

    claim: Claim
    delivered: Decimal = ZERO
    delivered_outside_window: Decimal = ZERO
    delivered_outside_service: Decimal = ZERO
    paid: Decimal = ZERO
    paid_outside_window: Decimal = ZERO
    non_compute: Decimal = ZERO
    paid_non_compute: Decimal = ZERO
    eligible: Decimal = ZERO
    subsidy: Decimal = ZERO
    share_room: Decimal = ZERO
    cut_by_share: Decimal = ZERO


@dataclass
class Result:
    subsidy: Subsidy
    tallies: list[Tally]
    cap_cut: Decimal = ZERO  # how much the company cap took off, unrounded


def _days(a: date, b: date) -> int:
    return (b - a).days + 1


def _overlap(span: Span, lo: date, hi: date) -> Decimal:
    """The share of ``span`` inside [lo, hi], pro rata by days."""
    inside = max(0, (min(span.end, hi) - max(span.start, lo)).days + 1)
    total = _days(span.start, span.end)
    if total <= 0:
        return ZERO
    return EXACT.divide(EXACT.multiply(span.amount, Decimal(inside)), Decimal(total))


def tally(claim: Claim, window: tuple[date, date]) -> Tally:
    """The delivered, paid and eligible amounts of one contract."""
    w0, w1 = window
    s0, s1 = claim.service or (date.min, date.max)
    lo, hi = max(w0, s0), min(w1, s1)
    t = Tally(claim)
    for span in claim.delivered:
        in_window = _overlap(span, w0, w1)
        counted = _overlap(span, lo, hi) if lo <= hi else ZERO
        if not span.compute:
            t.non_compute += in_window
            continue
        t.delivered += counted
        t.delivered_outside_window += span.amount - in_window
        t.delivered_outside_service += in_window - counted
    proofs = claim.invoiced if claim.invoiced else claim.paid
    for span in proofs:
        if w0 <= span.start <= w1:
            if span.compute:
                t.paid += span.amount
            else:
                t.paid_non_compute += span.amount
        elif span.compute:
            t.paid_outside_window += span.amount
    t.eligible = max(ZERO, min(claim.contract_amount, t.delivered, t.paid))
    return t


def calculate(claims: Iterable[Claim], window: tuple[date, date], rules: SubsidyRules) -> Result:
    """The subsidy of an application's contracts under ``rules``."""
    tallies = [tally(c, window) for c in claims]
    for t in tallies:
        wanted = EXACT.multiply(rules.rate, t.eligible)
        t.share_room = max(ZERO, EXACT.multiply(rules.total_support_share, t.eligible)
                           - t.claim.other_subsidies)
        t.subsidy = min(wanted, t.share_room)
        t.cut_by_share = wanted - t.subsidy
    total = sum((t.subsidy for t in tallies), ZERO)
    capped_by = "total_support_share" if any(t.cut_by_share > 0 for t in tallies) else None
    cap_cut = ZERO
    if total > rules.company_cap:
        factor = EXACT.divide(rules.company_cap, total)
        for t in tallies:
            t.subsidy = EXACT.multiply(t.subsidy, factor)
        cap_cut = total - rules.company_cap
        total = rules.company_cap
        capped_by = "company_cap"
    per_contract = [
        ContractSubsidy(
            contract_no=t.claim.contract_no, contract_amount=round_fen(t.claim.contract_amount),
            delivered_in_window=round_fen(t.delivered), paid_in_window=round_fen(t.paid),
            non_compute_excluded=round_fen(t.non_compute), eligible_cost=round_fen(t.eligible),
            other_subsidies=round_fen(t.claim.other_subsidies), subsidy=round_fen(t.subsidy))
        for t in tallies
    ]
    subsidy = Subsidy(rate=rules.rate, eligible_cost=round_fen(sum((t.eligible for t in tallies), ZERO)),
                      subsidy=round_fen(total), capped_by=capped_by, per_contract=per_contract)
    return Result(subsidy=subsidy, tallies=tallies, cap_cut=cap_cut)
