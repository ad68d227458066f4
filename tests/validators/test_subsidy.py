"""The subsidy calculator (docs/policy.md §4): properties over random claims, and hand-computed edges.

The property tests recompute every contract's delivered, paid and eligible cost, and the whole
subsidy, independently with ``fractions.Fraction`` and compare after rounding half up to the fen.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.report import ContractSubsidy, Subsidy
from policy.rules import SubsidyRules, load_rules
from validators.subsidy import Claim, Result, Span, calculate, tally

RULES: SubsidyRules = load_rules().subsidy
WINDOW_START = date(2024, 5, 21)
APPLIED = date(2025, 3, 31)
WINDOW = (WINDOW_START, APPLIED)
FEN = Decimal("0.01")
RATE = Fraction(RULES.rate)
SHARE = Fraction(RULES.total_support_share)
CAP = Fraction(RULES.company_cap)

PROPERTY = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def D(text: str) -> Decimal:
    return Decimal(text)


def day(d: date, amount: str, compute: bool = True) -> Span:
    """A one-day span: an invoice or a payment proof."""
    return Span(D(amount), d, d, compute)


def month(year: int, mon: int, amount: str, compute: bool = True) -> Span:
    """A settlement line over one calendar month."""
    last = calendar.monthrange(year, mon)[1]
    return Span(D(amount), date(year, mon, 1), date(year, mon, last), compute)


def run(claims: Sequence[Claim], window: tuple[date, date] = WINDOW) -> Result:
    return calculate(claims, window, RULES)


def only(result: Result) -> ContractSubsidy:
    (pc,) = result.subsidy.per_contract
    return pc


# --- the exact reference -------------------------------------------------------------------------


def fen(x: Fraction) -> Decimal:
    """Round half up to the fen (amounts here are never negative)."""
    assert x >= 0
    return Decimal(math.floor(x * 100 + Fraction(1, 2))) / 100


def _share(span: Span, lo: date, hi: date) -> Fraction:
    inside = max(0, (min(span.end, hi) - max(span.start, lo)).days + 1)
    return Fraction(span.amount) * inside / ((span.end - span.start).days + 1)


@dataclass
class Exact:
    delivered: Fraction
    paid: Fraction
    eligible: Fraction
    subsidy: Fraction


@dataclass
class Reference:
    contracts: list[Exact]
    eligible: Fraction
    subsidy: Fraction
    capped_by: str | None


def reference(claims: Sequence[Claim], window: tuple[date, date]) -> Reference:
    """§4 computed with fractions, straight from the policy text."""
    w0, w1 = window
    rows = []
    share_cut = False
    for c in claims:
        s0, s1 = c.service or (date.min, date.max)
        lo, hi = max(w0, s0), min(w1, s1)
        delivered = sum((_share(s, lo, hi) for s in c.delivered if s.compute), Fraction(0))
        proofs = c.invoiced or c.paid
        paid = sum((Fraction(s.amount) for s in proofs if s.compute and w0 <= s.start <= w1), Fraction(0))
        eligible = min(Fraction(c.contract_amount), delivered, paid)
        wanted = RATE * eligible
        room = max(Fraction(0), SHARE * eligible - Fraction(c.other_subsidies))
        share_cut = share_cut or wanted > room
        rows.append(Exact(delivered, paid, eligible, min(wanted, room)))
    total = sum((r.subsidy for r in rows), Fraction(0))
    capped_by = "total_support_share" if share_cut else None
    if total > CAP:
        for r in rows:
            r.subsidy = r.subsidy * CAP / total
        total, capped_by = CAP, "company_cap"
    return Reference(rows, sum((r.eligible for r in rows), Fraction(0)), total, capped_by)


# --- random claims -------------------------------------------------------------------------------

MONTHS = [(y, m) for y in (2024, 2025) for m in range(1, 13)]


def _fen(cents: int) -> Decimal:
    return Decimal(cents) / 100


COMPUTE = st.sampled_from([True, True, True, False])  # now and then a non-compute span
PER_MILLE = st.sampled_from(range(1001))  # drawn evenly, where st.integers favours small numbers


@st.composite
def claims_st(draw: st.DrawFn, number: str, top: int) -> Claim:
    """One contract; ``top`` bounds its amount in fen."""
    amount = top * draw(PER_MILLE) // 1000 + draw(st.integers(0, 99))

    def part(most: int) -> st.SearchStrategy[int]:  # a share of the contract, to the fen
        return st.builds(lambda k, cents: amount * k // most + cents, PER_MILLE, st.integers(0, 99))

    delivered = [
        Span(_fen(draw(part(2000))), date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1]), draw(COMPUTE))
        for y, m in draw(st.lists(st.sampled_from(MONTHS), min_size=1, max_size=10))
    ]
    one_day = st.builds(lambda cents, d, compute: Span(_fen(cents), d, d, compute),
                        part(1000), st.dates(date(2024, 3, 1), date(2025, 12, 31)), COMPUTE)
    invoiced = draw(st.just([]) | st.lists(one_day, min_size=1, max_size=4))
    paid = draw(st.lists(one_day, max_size=3))
    service = None
    if draw(st.booleans()):
        start = draw(st.dates(date(2023, 10, 1), date(2025, 3, 31)))
        service = (start, start + timedelta(days=draw(st.integers(30, 900))))
    other = _fen(draw(st.just(0) | part(5000) | part(1000)))  # at most a fifth, or the whole amount
    return Claim(number, _fen(amount), other, service, delivered, invoiced, paid)


@st.composite
def large_claims(draw: st.DrawFn, number: str) -> Claim:
    """A contract of a large company, fully delivered and paid in any window: eligible = its amount."""
    amount = 4 * 10**10 * draw(PER_MILLE) // 1000 + draw(st.integers(0, 99))
    delivered = [Span(_fen(amount // 6), date(2024, m, 1), date(2024, m, calendar.monthrange(2024, m)[1]))
                 for m in range(6, 13)]
    invoiced = [Span(_fen(amount), date(2024, 12, 31), date(2024, 12, 31))]
    other = _fen(draw(st.just(0) | st.builds(lambda k: amount * k // 2000, PER_MILLE)))
    return Claim(number, _fen(amount), other, None, delivered, invoiced)


@st.composite
def applications(draw: st.DrawFn) -> tuple[list[Claim], tuple[date, date]]:
    n = draw(st.integers(1, 5))
    if draw(st.booleans()):  # a large company: often over the company cap
        claims = [draw(large_claims(f"C{i + 1}")) for i in range(n)]
    else:
        tops = st.sampled_from([10**5, 10**8, 10**10, 4 * 10**10])  # in fen: up to 400 million yuan
        claims = [draw(claims_st(f"C{i + 1}", draw(tops))) for i in range(n)]
    return claims, (WINDOW_START, draw(st.dates(date(2025, 1, 1), date(2025, 12, 31))))


def _money(s: Subsidy) -> list[Decimal]:
    out = [s.eligible_cost, s.subsidy]
    for pc in s.per_contract:
        out += [pc.contract_amount, pc.delivered_in_window, pc.paid_in_window, pc.non_compute_excluded,
                pc.eligible_cost, pc.other_subsidies, pc.subsidy]
    return out


# --- properties ----------------------------------------------------------------------------------


@PROPERTY
@given(applications())
def test_subsidy_never_above_rate_times_eligible(app: tuple[list[Claim], tuple[date, date]]) -> None:
    claims, window = app
    s = run(claims, window).subsidy
    for pc in s.per_contract:
        assert pc.subsidy <= RULES.rate * pc.eligible_cost + FEN
    assert s.subsidy <= RULES.rate * s.eligible_cost + FEN


@PROPERTY
@given(applications())
def test_total_never_above_company_cap(app: tuple[list[Claim], tuple[date, date]]) -> None:
    claims, window = app
    result = run(claims, window)
    s = result.subsidy
    assert s.subsidy <= RULES.company_cap
    assert sum((pc.subsidy for pc in s.per_contract), Decimal(0)) <= RULES.company_cap + FEN * len(claims)
    if s.capped_by == "company_cap":  # bound: exactly the cap, every contract cut by one factor
        assert s.subsidy == RULES.company_cap
        factors = {t.subsidy / (Fraction(RULES.rate) * t.eligible - t.cut_by_share)
                   for t in result.tallies if t.subsidy > 0}
        assert len(factors) == 1 and factors.pop() < 1


@PROPERTY
@given(applications())
def test_each_contract_within_total_support_share(app: tuple[list[Claim], tuple[date, date]]) -> None:
    claims, window = app
    for pc in run(claims, window).subsidy.per_contract:
        assert (pc.subsidy == 0
                or pc.subsidy + pc.other_subsidies <= RULES.total_support_share * pc.eligible_cost + FEN)


@PROPERTY
@given(applications(), st.data())
def test_invariant_to_order_of_contracts_and_spans(
    app: tuple[list[Claim], tuple[date, date]], data: st.DataObject
) -> None:
    claims, window = app
    shuffled = [
        replace(c, delivered=data.draw(st.permutations(c.delivered)),
                invoiced=data.draw(st.permutations(c.invoiced)), paid=data.draw(st.permutations(c.paid)))
        for c in data.draw(st.permutations(claims))
    ]
    a, b = run(claims, window).subsidy, run(shuffled, window).subsidy
    assert (a.subsidy, a.eligible_cost, a.capped_by) == (b.subsidy, b.eligible_cost, b.capped_by)

    def key(pc: ContractSubsidy) -> str:
        return pc.contract_no

    assert sorted(a.per_contract, key=key) == sorted(b.per_contract, key=key)


@PROPERTY
@given(applications())
def test_eligible_cost_and_subsidy_match_the_exact_reference(
        app: tuple[list[Claim], tuple[date, date]]) -> None:
    """Eligible is the least of contract, delivered and paid, per contract; the subsidy and
    its cap are the exact reference's, rounded once at the end."""
    claims, window = app
    ref = reference(claims, window)
    s = run(claims, window).subsidy
    for c, pc, exact in zip(claims, s.per_contract, ref.contracts, strict=True):
        assert pc.contract_no == c.contract_no
        assert pc.delivered_in_window == fen(exact.delivered)
        assert pc.paid_in_window == fen(exact.paid)
        assert pc.eligible_cost == fen(exact.eligible)
        assert exact.eligible == min(Fraction(c.contract_amount), exact.delivered, exact.paid)
    assert s.eligible_cost == fen(ref.eligible)
    assert s.subsidy == fen(ref.subsidy)
    assert s.capped_by == ref.capped_by
    assert [pc.subsidy for pc in s.per_contract] == [fen(r.subsidy) for r in ref.contracts]


@PROPERTY
@given(applications())
def test_money_outputs_have_two_places(app: tuple[list[Claim], tuple[date, date]]) -> None:
    claims, window = app
    s = run(claims, window).subsidy
    for value in _money(s):
        assert value.as_tuple().exponent == -2, value
    dumped = s.model_dump(mode="json")
    assert all(len(pc["subsidy"].split(".")[1]) == 2 for pc in dumped["per_contract"])
    assert len(dumped["subsidy"].split(".")[1]) == 2


# --- edges: the window ---------------------------------------------------------------------------


def test_evidence_on_window_start_and_application_date_counts_in_full() -> None:
    claim = Claim("W", D("1000000.00"),
                  delivered=[Span(D("100.00"), WINDOW_START, WINDOW_START),
                             Span(D("200.00"), APPLIED, APPLIED)],
                  invoiced=[day(WINDOW_START, "100.00"), day(APPLIED, "200.00")])
    pc = only(run([claim]))
    assert pc.delivered_in_window == D("300.00")
    assert pc.paid_in_window == D("300.00")
    assert pc.eligible_cost == D("300.00")
    assert pc.subsidy == D("60.00")


def test_evidence_one_day_outside_the_window_does_not_count() -> None:
    before, after = WINDOW_START - timedelta(days=1), APPLIED + timedelta(days=1)
    claim = Claim("W", D("1000000.00"),
                  delivered=[Span(D("100.00"), before, before), Span(D("200.00"), after, after),
                             Span(D("50.00"), WINDOW_START, WINDOW_START)],
                  invoiced=[day(before, "100.00"), day(after, "200.00"), day(WINDOW_START, "50.00")])
    pc = only(run([claim]))
    assert pc.delivered_in_window == D("50.00")
    assert pc.paid_in_window == D("50.00")
    t = tally(claim, WINDOW)
    assert t.delivered_outside_window == D("300.00")
    assert t.paid_outside_window == D("300.00")


def test_monthly_line_straddling_window_start_counts_pro_rata_by_days() -> None:
    # May 2024 has 31 days; 21..31 May is 11 of them: 3,100.00 × 11/31 = 1,100.00
    claim = Claim("P", D("1000000.00"), delivered=[month(2024, 5, "3100.00")],
                  invoiced=[day(date(2024, 6, 5), "5000.00")])
    pc = only(run([claim]))
    assert pc.delivered_in_window == D("1100.00")
    assert pc.eligible_cost == D("1100.00")
    assert pc.subsidy == D("220.00")
    assert tally(claim, WINDOW).delivered_outside_window == D("2000.00")


def test_contract_expiring_mid_claim_delivers_nothing_after_service_end() -> None:
    # service ends 15 Dec 2024; lines run June 2024 .. March 2025 at 31,000.00 a month:
    # June..November 6 × 31,000 = 186,000; December 15/31 × 31,000 = 15,000; nothing after
    lines = [month(2024, m, "31000.00") for m in range(6, 13)] + [
        month(2025, m, "31000.00") for m in (1, 2, 3)]
    claim = Claim("E", D("1000000.00"), service=(date(2024, 1, 1), date(2024, 12, 15)), delivered=lines,
                  invoiced=[day(date(2025, 1, 10), "400000.00")])
    pc = only(run([claim]))
    assert pc.delivered_in_window == D("201000.00")
    assert pc.eligible_cost == D("201000.00")
    assert pc.subsidy == D("40200.00")
    assert tally(claim, WINDOW).delivered_outside_service == D("109000.00")  # 16,000 + 3 × 31,000


# --- edges: the caps -----------------------------------------------------------------------------


def _one_million(other: str) -> Claim:
    return Claim("S", D("1000000.00"), D(other), delivered=[month(2024, 7, "1000000.00")],
                 invoiced=[day(date(2024, 8, 1), "1000000.00")])


@pytest.mark.parametrize(
    ("other", "subsidy", "capped_by"),
    [
        ("0.00", "200000.00", None),  # 20 % of eligible
        ("300000.00", "200000.00", None),  # room 50 % − 30 % = 20 %: no cut
        ("350000.00", "150000.00", "total_support_share"),  # room 15 %
        ("500000.00", "0.00", "total_support_share"),  # no room left
    ],
    ids=["none", "thirty-percent", "thirty-five-percent", "fifty-percent"],
)
def test_other_subsidies_and_total_support_share(other: str, subsidy: str, capped_by: str | None) -> None:
    s = run([_one_million(other)]).subsidy
    assert s.per_contract[0].eligible_cost == D("1000000.00")
    assert s.per_contract[0].subsidy == D(subsidy)
    assert s.subsidy == D(subsidy)
    assert s.capped_by == capped_by


def test_company_over_cap_scales_every_contract_by_same_factor() -> None:
    def big(no: str, amount: str) -> Claim:
        return Claim(no, D(amount), delivered=[month(2024, 9, amount)],
                     invoiced=[day(date(2024, 10, 8), amount)])

    result = run([big("A", "100000000.00"), big("B", "60000000.00"), big("C", "40000000.00")])
    s = result.subsidy
    assert s.eligible_cost == D("200000000.00")
    assert s.subsidy == D("30000000.00")
    assert s.capped_by == "company_cap"
    assert [pc.subsidy for pc in s.per_contract] == [D("15000000.00"), D("9000000.00"), D("6000000.00")]
    for pc in s.per_contract:
        assert pc.subsidy / (RULES.rate * pc.eligible_cost) == D("0.75")
    assert result.cap_cut == D("10000000")


# --- edges: evidence -----------------------------------------------------------------------------


def test_paid_falls_back_to_payment_proofs_only_without_invoices() -> None:
    delivered = [month(2024, 7, "100000.00")]
    with_invoices = Claim("I", D("100000.00"), delivered=delivered,
                          invoiced=[day(date(2024, 8, 1), "40000.00")],
                          paid=[day(date(2024, 8, 2), "100000.00")])
    without = Claim("P", D("100000.00"), delivered=delivered, paid=[day(date(2024, 8, 2), "90000.00")])
    invoices_outside = Claim("O", D("100000.00"), delivered=delivered,
                             invoiced=[day(date(2024, 1, 5), "100000.00")],
                             paid=[day(date(2024, 8, 2), "100000.00")])
    a, b, c = run([with_invoices, without, invoices_outside]).subsidy.per_contract
    assert (a.paid_in_window, a.eligible_cost) == (D("40000.00"), D("40000.00"))
    assert (b.paid_in_window, b.eligible_cost) == (D("90000.00"), D("90000.00"))
    assert (c.paid_in_window, c.eligible_cost) == (D("0.00"), D("0.00"))  # invoices exist: no fallback


def test_non_compute_left_out_of_delivered_and_paid_and_reported() -> None:
    claim = Claim("N", D("1000000.00"),
                  delivered=[month(2024, 7, "100000.00"), month(2024, 7, "20000.00", compute=False),
                             month(2024, 5, "3100.00", compute=False)],  # 11/31 in window: 1,100.00
                  invoiced=[day(date(2024, 8, 1), "100000.00"), day(date(2024, 8, 1), "20000.00", False)])
    pc = only(run([claim]))
    assert pc.delivered_in_window == D("100000.00")
    assert pc.paid_in_window == D("100000.00")
    assert pc.eligible_cost == D("100000.00")
    assert pc.non_compute_excluded == D("21100.00")
    t = tally(claim, WINDOW)
    assert t.paid_non_compute == D("20000.00")  # the invoices' non-compute items: kept in the tally


def test_non_compute_proofs_used_in_fallback_are_left_out() -> None:
    claim = Claim("N", D("1000000.00"), delivered=[month(2024, 7, "100000.00")],
                  paid=[day(date(2024, 8, 1), "60000.00"), day(date(2024, 8, 1), "30000.00", False)])
    pc = only(run([claim]))
    assert pc.paid_in_window == D("60000.00")
    assert tally(claim, WINDOW).paid_non_compute == D("30000.00")


# --- edges: rounding -----------------------------------------------------------------------------


def _half_fen(no: str, other: str = "0.00") -> Claim:
    # 0.05 over 20..21 May, one of two days in the window: 0.025 delivered
    return Claim(no, D("100.00"), D(other), delivered=[Span(D("0.05"), date(2024, 5, 20), WINDOW_START)],
                 invoiced=[day(date(2024, 6, 1), "1.00")])


def test_half_a_fen_rounds_up() -> None:
    result = run([_half_fen("R")])
    assert result.tallies[0].eligible == D("0.025")
    pc = result.subsidy.per_contract[0]
    assert pc.delivered_in_window == D("0.03")
    assert pc.eligible_cost == D("0.03")
    assert pc.subsidy == D("0.01")  # 0.20 × 0.025 = 0.005, half up


def test_rounding_only_at_the_end() -> None:
    # two contracts of 0.025 each: 0.03 each shown, but the total is round(0.05) = 0.05
    s = run([_half_fen("A"), _half_fen("B")]).subsidy
    assert [pc.eligible_cost for pc in s.per_contract] == [D("0.03"), D("0.03")]
    assert s.eligible_cost == D("0.05")
    assert s.subsidy == D("0.01")  # 0.005 + 0.005, not 0.01 + 0.01


def test_share_room_computed_on_unrounded_eligible() -> None:
    # room = 0.50 × 0.025 − 0.01 = 0.0025 → 0.00; on the rounded 0.03 it would be 0.005 → 0.01
    s = run([_half_fen("R", other="0.01")]).subsidy
    assert s.per_contract[0].subsidy == D("0.00")
    assert s.capped_by == "total_support_share"


def test_thirds_sum_before_rounding() -> None:
    # 100.00 over 19..21 May, one of three days inside: 33.333… each, three contracts
    def third(no: str) -> Claim:
        return Claim(no, D("1000.00"), delivered=[Span(D("100.00"), date(2024, 5, 19), WINDOW_START)],
                     invoiced=[day(date(2024, 6, 1), "1000.00")])

    s = run([third("A"), third("B"), third("C")]).subsidy
    assert [pc.eligible_cost for pc in s.per_contract] == [D("33.33")] * 3
    assert [pc.subsidy for pc in s.per_contract] == [D("6.67")] * 3
    assert s.eligible_cost == D("100.00")  # not 99.99
    assert s.subsidy == D("20.00")  # not 20.01


# --- bugs: ties decided by representation error --------------------------------------------------


def test_exact_half_fen_from_pro_rata_shares_rounds_up() -> None:
    # 0.01 × 1/3 + 0.01 × 1/12 + 0.01 × 1/12 = 0.005 exactly, to be shown as 0.01
    claim = Claim("H", D("100.00"),
                  delivered=[Span(D("0.01"), date(2024, 5, 19), WINDOW_START),
                             Span(D("0.01"), date(2024, 5, 10), WINDOW_START),
                             Span(D("0.01"), date(2024, 5, 10), WINDOW_START)],
                  invoiced=[day(date(2024, 6, 1), "1.00")])
    assert reference([claim], WINDOW).contracts[0].eligible == Fraction(1, 200)
    pc = only(run([claim]))
    assert pc.delivered_in_window == D("0.01")
    assert pc.eligible_cost == D("0.01")


def test_total_exactly_at_company_cap_is_not_capped() -> None:
    # May 2024 lines count 11/31: A 12,000,000 × 11/31 + 36,700,000 = 40,958,064.516…,
    # B 294,900,000 × 11/31 + 4,400,000 = 109,041,935.483…; eligible 150,000,000 exactly, 20 % is the cap
    def claim(no: str, may: str, june: str) -> Claim:
        return Claim(no, D("500000000.00"), delivered=[month(2024, 5, may), month(2024, 6, june)],
                     invoiced=[day(date(2024, 7, 1), "500000000.00")])

    claims = [claim("A", "12000000.00", "36700000.00"), claim("B", "294900000.00", "4400000.00")]
    assert reference(claims, WINDOW).subsidy == CAP
    result = run(claims)
    assert result.subsidy.eligible_cost == D("150000000.00")
    assert result.subsidy.subsidy == D("30000000.00")
    assert result.cap_cut == 0
    assert result.subsidy.capped_by is None
