"""The caps of the subsidy: per-contract total-support share and the company cap."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction

from model.base import FindingCode
from validators.checks.common import plain, yuan
from validators.context import CheckContext
from validators.ledger import result_of
from validators.runner import Draft, check
from validators.subsidy import fen


@check(FindingCode.SUBSIDY_CAPPED, "补贴额被单合同财政支持比例上限或企业补贴上限核减")
def capped(ctx: CheckContext) -> Iterator[Draft]:
    result = result_of(ctx)
    share = ctx.rules.subsidy.total_support_share
    for t in result.tallies:
        if t.cut_by_share > 0:
            yield Draft(f"合同 {t.claim.contract_no} 已申请其他算力补贴 {yuan(t.claim.other_subsidies)}，"
                        f"各级财政支持合计不得超过核定算力成本 {yuan(fen(t.eligible))} 的 {share:.0%}，"
                        f"本项补贴核减 {yuan(fen(t.cut_by_share))}，为 {yuan(fen(t.share_room))}",
                        ("application.yaml",), expected=plain(fen(t.share_room)),
                        observed=plain(fen(t.cut_by_share + t.share_room)))
    if result.subsidy.capped_by == "company_cap":
        cap = Fraction(ctx.rules.subsidy.company_cap)
        yield Draft(f"各合同补贴合计 {yuan(fen(cap + result.cap_cut))} 超过企业补贴上限 {yuan(fen(cap))}，"
                    f"按同一比例核减 {yuan(fen(result.cap_cut))}", ("application.yaml",),
                    expected=plain(fen(cap)), observed=plain(fen(cap + result.cap_cut)))
