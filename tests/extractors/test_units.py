"""Billing units are named as the rules file given names them, not only the bundled one."""

from __future__ import annotations

from extractors.units import canonical_unit
from policy.rules import load_rules


def test_units_follow_the_bundled_rules() -> None:
    rules = load_rules()
    assert canonical_unit("卡月", rules) == "卡·月"
    assert canonical_unit("PFLOPS", rules, "PFLOPS月") == "PFLOPS·月"
    assert canonical_unit("片·天", rules) == "片·天"  # no band: as printed


def test_units_follow_the_rules_given() -> None:
    rules = load_rules()
    bands = dict(rules.market_price_bands)
    card_month = bands.pop("卡·月")
    bands["GPU月"] = card_month.model_copy(update={"aliases": [*card_month.aliases, "片·天"]})
    other = rules.model_copy(update={"market_price_bands": bands})
    assert canonical_unit("卡月", other) == "GPU月"
    assert canonical_unit("片·天", other) == "GPU月"
    assert canonical_unit("卡月", rules) == "卡·月"
