"""A finding as a check writes it, before the runner numbers it and gives it its kind and
severity from the rules file."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from model.report import Evidence


@dataclass(frozen=True)
class Draft:
    """A finding before it is numbered: the message and what it points at."""

    message: str
    documents: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    expected: str | None = None
    observed: str | None = None
    situation: str | None = None
    """Where the finding arises, when its code weighs differently there (the rules file's
    finding_kinds names the situations)."""
    at_stake: Decimal | None = None
    """The amount the finding puts in question."""
    related: tuple[str, ...] = ()
    """Other applications of the batch the finding concerns."""
    unsure: str | None = None
    """Why the check's own ground is thin (a seal looked for on a grey scan): the runner then
    asks instead of accusing, in these words."""
    incomplete: bool = False
    """The check raised before it finished: this draft stands for what it could not say."""
