"""Billing units are named as the rules file in force names them, not only the bundled one."""

from __future__ import annotations

from extractors.common import canonical_unit, rules_in_force
from policy.rules import load_rules


def test_units_follow_the_bundled_rules_by_default() -> None:
    assert canonical_unit("卡月") == "卡·月"
    assert canonical_unit("PFLOPS", "PFLOPS月") == "PFLOPS·月"
    assert canonical_unit("片·天") == "片·天"  # no band: as printed


def test_units_follow_the_rules_in_force() -> None:
    rules = load_rules()
    bands = dict(rules.market_price_bands)
    card_month = bands.pop("卡·月")
    bands["GPU月"] = card_month.model_copy(update={"aliases": [*card_month.aliases, "片·天"]})
    other = rules.model_copy(update={"market_price_bands": bands})
    with rules_in_force(other):
        assert canonical_unit("卡月") == "GPU月"
        assert canonical_unit("片·天") == "GPU月"
    assert canonical_unit("卡月") == "卡·月"  # and back once the block ends
