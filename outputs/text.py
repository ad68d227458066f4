"""Values and messages as the reviewer reads them: amounts with separators and 元, percentages,
the vocabulary's words in place of field names, quoted document text kept apart (escaped).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, get_args

from markupsafe import Markup, escape
from pydantic import BaseModel

from intake.manifest import MANIFEST_NAME, Manifest
from model.base import Direction
from model.document import Party
from policy.words import say, words


def money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def yuan(value: Decimal | None) -> str:
    """An amount as the reviewer reads it: 12,000,000.00 元."""
    return "" if value is None else f"{value:,.2f} 元"


def percent(value: Decimal | float) -> str:
    """A rate as a percentage: 0.20 is 20%."""
    return f"{Decimal(str(value)) * 100:.4f}".rstrip("0").rstrip(".") + "%"


MONEY_TEXT = re.compile(r"-?\d+\.\d{2}")
_RANGE_TEXT = re.compile(r"(\S+)\.\.(\S+)")


def shown(text: str | None) -> str:
    """An expected or observed value of report.json as the reviewer reads it: amounts with
    separators and 元, ranges with 至, bounds in words."""
    if text is None:
        return ""
    if MONEY_TEXT.fullmatch(text):
        return yuan(Decimal(text))
    if m := _RANGE_TEXT.fullmatch(text):
        return f"{m.group(1)} 至 {m.group(2)}"
    if m := re.fullmatch(r"(>=|>)(\d+)", text):
        return f"{'不低于' if m.group(1) == '>=' else '超过'} {int(m.group(2)):,}"
    if m := re.fullmatch(r"(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)", text):
        return f"{Decimal(m.group(1)):,.2f} 至 {Decimal(m.group(2)):,.2f} 元"
    if re.fullmatch(r"\d{5,11}", text):
        return f"{int(text):,}"
    return text.replace("; ", "；")


def _names_of(model: type[BaseModel]) -> set[str]:
    """Every key a model (and the models inside it) reads: the literals of application.yaml."""
    out: set[str] = set()
    for name, info in model.model_fields.items():
        out.add(name)
        for inner in (*get_args(info.annotation), info.annotation):
            for kind in (inner, *get_args(inner)):
                if isinstance(kind, type) and issubclass(kind, BaseModel):
                    out |= _names_of(kind)
    return out


LITERALS = _names_of(Manifest) | {d.value for d in Direction} | {MANIFEST_NAME}
"""Words a message may name that the applicant types as they are: application.yaml's keys
and the direction values."""
_TOKEN = re.compile(r"[A-Za-z_][\w.\[\]]*[\w\]]")
_QUOTED = re.compile(r"(“)([^”]+)(”)|(《)([^》]+)(》)")


def message(text: str) -> Markup:
    """A finding's message as HTML: escaped; what it quotes from a document (“…”, 《…》) marked
    as the document's text, and application.yaml's keys and values as code."""

    def literal(m: re.Match[str]) -> str:
        parts = re.split(r"[.\[\]\d]+", m.group(0))
        if m.group(0) in LITERALS or all(p in LITERALS for p in parts if p):
            return f'<code class="tag">{m.group(0)}</code>'
        return m.group(0)

    out, last = [], 0
    for m in _QUOTED.finditer(text):
        out.append(_TOKEN.sub(literal, str(escape(text[last:m.start()]))))
        left, inner, right = m.group(1, 2, 3) if m.group(1) else m.group(4, 5, 6)
        out.append(f'{left}<bdi class="doc">{escape(inner)}</bdi>{right}')
        last = m.end()
    out.append(_TOKEN.sub(literal, str(escape(text[last:]))))
    return Markup("".join(out))


def show_value(value: Any) -> str:
    if isinstance(value, Party):
        return value.name + (f"（{value.uscc}）" if value.uscc else "")
    if isinstance(value, list):
        return f"{len(value)} 行"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return f"{value:,}"
    if isinstance(value, str) and value in words()["directions"]:
        return say("directions", value)
    return "" if value is None else str(value)
