"""Billing units as the rules name them, however a page prints them."""

from __future__ import annotations

import re

from policy.rules import Rules


def canonical_unit(unit: str, rules: Rules, printed: str | None = None) -> str:
    """A billing unit as ``rules`` name it (卡月, 卡*月 → 卡·月); other units as printed.

    ``printed`` is the raw text after the quantity, tried first: a font without the middle
    dot prints PFLOPS·月 as PFLOPS月, which a generic parser would cut at PFLOPS."""
    if printed:
        raw = re.sub(r"^[\d,.\s]+", "", printed).replace("・", "·")
        for end in range(len(raw), 0, -1):
            band = rules.band_for_unit(raw[:end])
            if band:
                return band[0]
    cleaned = re.sub(r"\s", "", unit).replace("・", "·")
    band = rules.band_for_unit(cleaned)
    return band[0] if band else cleaned


def complete_unit(first: str, text: str, rules: Rules) -> str | None:
    """A billing unit cut by its cell's width after its first letter (卡 ⏎ 时): the one unit
    starting so that ``text`` (the rows below, the document) names, if only one does."""
    squashed = re.sub(r"\s", "", text)
    named = {name for name, band in rules.market_price_bands.items()
             for alias in (name, *band.aliases) if alias.startswith(first) and alias in squashed}
    return named.pop() if len(named) == 1 else None
