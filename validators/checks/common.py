"""Small helpers the rule modules share: money in messages, tolerances, party values."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from model.document import Document, Why
from model.report import Evidence


def yuan(amount: Decimal) -> str:
    """An amount as a reviewer reads it in a message: 12,000,000.00 元."""
    return f"{amount:,.2f} 元"


def plain(amount: Decimal) -> str:
    """An amount as report.json's expected/observed carry it: 12000000.00."""
    return f"{amount:.2f}"


def label(doc: Document) -> str:
    """How a message names a document: its file name in Chinese quotes."""
    return f"《{doc.file}》"


def unread(doc: Document, name: str) -> bool:
    """Whether field ``name`` is missing because reading did not find it, rather than because
    the document leaves it empty or reading it failed."""
    reason = doc.missing.get(name)
    return reason is not None and reason.why is Why.UNREAD


def unique(places: Iterable[Evidence]) -> tuple[Evidence, ...]:
    """The places in order, each once."""
    seen: dict[tuple[object, ...], Evidence] = {}
    for e in places:
        seen.setdefault((e.file, e.page, e.bbox, e.field), e)
    return tuple(seen.values())
