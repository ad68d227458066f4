"""The label lexicon (``lexicon.yaml`` beside this file): how documents label each field,
as data, compiled once into the patterns the extractors search with."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

LEXICON = Path(__file__).with_name("lexicon.yaml")
MODES = ("phrase", "form", "role")
_NOTE = r"\s?[（(][^）)\n]{0,12}[）)]"
"""A bracketed note after a label: （盖章）, （签章）, (公章), （服务方）."""
_NAMED = r"(?:\s?(?:名\s?称|全\s?称))?"
"""What a form's party label may add to say it asks for the name: 名称, 全称."""
_TAILS = {
    "phrase": "",
    "form": rf"(?:{_NOTE})?\s*[:：]",
    "role": rf"(?:{_NOTE}\s*[:：]?|\s*[:：])",
}


class LexiconError(ValueError):
    """The lexicon file names an unknown mode or has no spellings for an entry."""


def spelled(word: str) -> str:
    """``word`` as a pattern that lets OCR put a space between any two characters."""
    return r"\s?".join(map(re.escape, word))


def _with_inner_note(word: str) -> str:
    """A two-character party word that may carry its note inside: 甲（供）方, 乙(需)方."""
    if len(word) == 2 and word.endswith("方"):
        return re.escape(word[0]) + rf"(?:{_NOTE})?\s?" + re.escape(word[1])
    return spelled(word)


def compile_entry(entry: dict[str, Any], where: str) -> re.Pattern[str]:
    """One lexicon entry as a pattern: its spellings, longest first, then its mode's tail."""
    modes = [m for m in MODES if m in entry]
    if len(modes) != 1 or not entry[modes[0]]:
        raise LexiconError(f"{LEXICON.name} {where}: give one of {', '.join(MODES)} with its spellings")
    mode = modes[0]
    words = sorted((str(w) for w in entry[mode]), key=len, reverse=True)
    head = r"(?<![\u4e00-\u9fa5])" if entry.get("standalone") else ""
    spell = _with_inner_note if mode in ("form", "role") else spelled
    spellings = "(?:" + "|".join(spell(w) for w in words) + ")"
    if mode in ("form", "role"):
        spellings += _NAMED  # 供应方名称, 付款人全称: the party's word with the name's
    pattern = head + spellings + _TAILS[mode]
    if mode == "form":
        # a key–value grid: the label fills its own cell and the value is the next one
        pattern = f"(?:{pattern}|(?<!\\S){spellings}(?:{_NOTE})?(?= ))"
    return re.compile(pattern)


@cache
def _lexicon() -> dict[str, dict[str, re.Pattern[str]]]:
    data = yaml.safe_load(LEXICON.read_text(encoding="utf-8"))
    return {doc: {name: compile_entry(entry, f"{doc}.{name}") for name, entry in fields.items()}
            for doc, fields in data.items()}


def label(key: str) -> re.Pattern[str]:
    """The pattern of lexicon entry ``key`` (``doc_type.name``, e.g. ``invoice.invoice_no``)."""
    doc, _, name = key.partition(".")
    try:
        return _lexicon()[doc][name]
    except KeyError:
        raise LexiconError(f"{LEXICON.name} has no entry {key}") from None
