"""Secrecy markings (密级标识): 机密★1年 at the head of a page, 密级：秘密, a lone 绝密 line.

Ordinary wording that merely contains a level word (商业秘密, 保密) is not a marking; the
words and the exceptions come from the rules file.
"""

from __future__ import annotations

import re

from extractors.layout import DocText
from model.document import Marking
from policy.rules import Secrecy

SHORT_LINE = 12  # a marking printed on its own line is short; prose is not


def find_markings(dt: DocText, secrecy: Secrecy) -> list[Marking]:
    """Every secrecy marking in the document, each once, with its place."""
    levels = "|".join(map(re.escape, secrecy.markings))
    patterns = [
        re.compile(rf"(?:{levels})\s*[★☆*＊]\s*(?:\d+\s*年|长期)?"),
        re.compile(rf"密\s*级\s*[:：]?\s*(?:{levels})"),
    ]
    found: list[Marking] = []
    spans: list[tuple[int, int]] = []

    def add(start: int, end: int) -> None:
        if any(a < end and start < b for a, b in spans) or _ordinary(dt.text, start, end, secrecy):
            return
        spans.append((start, end))
        page, bbox, source, _ = dt.locate(start, end)
        found.append(Marking(text=dt.text[start:end].strip(), page=page, bbox=bbox, source=source))

    for pattern in patterns:
        for m in pattern.finditer(dt.text):
            add(m.start(), m.end())
    lone = re.compile(rf"(?:{levels})")
    for index, line in enumerate(dt.lines):
        squashed = re.sub(r"\s", "", line.text)
        if len(squashed) <= SHORT_LINE:
            hit = lone.search(line.text)
            if hit:
                start = dt.line_starts[index]
                add(start + hit.start(), start + hit.end())
    return found


def _ordinary(text: str, start: int, end: int, secrecy: Secrecy) -> bool:
    """Whether the level word at [start, end) is part of an ordinary phrase (商业秘密 …)."""
    for phrase in secrecy.not_markings:
        for m in re.finditer(re.escape(phrase), text[max(0, start - len(phrase)):end + len(phrase)]):
            a = max(0, start - len(phrase)) + m.start()
            if a < end and start < a + len(phrase):
                return True
    return False
