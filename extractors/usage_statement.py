"""The compute-usage statement: which company, what the compute is for, which direction."""

from __future__ import annotations

import re

from extractors.common import Extraction, Found, company_of, in_window, whole
from extractors.layout import DocText
from extractors.lexicon import label
from model.base import Direction
from model.document import Missing

COMPANY = label("usage_statement.company")
PURPOSE = label("usage_statement.purpose")
HINTS = (
    (Direction.MAAS, re.compile(r"MaaS|模型即服务", re.IGNORECASE)),
    (Direction.AGENT, re.compile(r"智能体|Agent", re.IGNORECASE)),
    (Direction.MODEL_TRAINING, re.compile(r"训练|预训练|大模型")),
)


def extract(dt: DocText, ex: Extraction) -> None:
    company = company_of(dt, COMPANY)
    ex.put("company", company, "未找到单位名称")
    purpose = _labelled_purpose(dt) or _used_for(dt)
    ex.put("purpose", purpose, "未找到算力用途说明")
    basis = purpose.value if purpose else dt.text
    for direction, pattern in HINTS:
        hit = pattern.search(basis)
        if hit:
            start = (purpose.start if purpose else 0) + (hit.start() if purpose is None else 0)
            ex.put("direction_hint", Found(direction, start, start + len(hit.group(0))), "", confidence=0.8)
            break
    else:
        ex.missing["direction_hint"] = Missing.blank("说明中未体现申报方向")


USED_FOR = re.compile(r"(?:主要)?用于")
"""A sentence saying what the compute is used for: 我公司租用的智能算力主要用于…。"""
NUMBERING = re.compile(r"\s*(?:[一二三四五六七八九十]+、|\d+[.、]|[（(][一二三四五六七八九十\d]+[）)])?\s*")
"""What may stand before a heading on its line: 一、 2. （三）"""
COMPUTE = re.compile(r"算力|GPU|计算资源|智算")
LABEL_HEAD = re.compile(r"[\u4e00-\u9fa5]{1,6}")
"""Letters of the label's own word before the purpose label, the word opening its line
(算力使用用途, 主要用途): a form's label, not a word inside a sentence."""


def _labelled_purpose(dt: DocText) -> Found | None:
    """The text under a purpose label: 算力用途：… on its line, or a heading (一、算力用途)
    with the paragraph below it. A label word inside a sentence (未用于其他用途。) is none."""
    for m in PURPOSE.finditer(dt.text):
        line = dt.line_index(m.start())
        head = dt.text[dt.line_starts[line]:m.start()]
        line_end = dt.text.find("\n", m.end())
        after = dt.text[m.end():line_end if line_end >= 0 else len(dt.text)]
        if NUMBERING.fullmatch(head) is None and not LABEL_HEAD.fullmatch(head):
            continue
        if re.match(r"\s*[:：]", after) or (after.startswith(" ") and after.strip()):
            # 算力用途：… or a form's cell (算力使用用途 │ 租用的智能算力用于…)
            found = in_window(dt, m.end(), 1, _sentence)
        elif not after.strip():
            found = in_window(dt, line_end + 1, 2, _sentence) if line_end >= 0 else None
        else:
            continue
        if found:
            return found
    return None


def _used_for(dt: DocText) -> Found | None:
    """The first sentence that says what the compute is used for (…算力主要用于…。),
    read across the lines it wraps over."""
    text, offsets = whole(dt)
    candidates = []
    for m in re.finditer(r"[^。；;！!？?]+[。；;！!？?]?", text):
        sentence = m.group(0).strip()
        used = USED_FOR.search(sentence)
        if used is None or len(sentence) < 8:
            continue
        candidates.append((0 if COMPUTE.search(sentence[:used.start()]) else 1, m.start(), m))
    if not candidates:
        return None
    _, _, m = min(candidates, key=lambda c: (c[0], c[1]))
    lead = len(m.group(0)) - len(m.group(0).lstrip())
    a, b = m.start() + lead, m.start() + len(m.group(0).rstrip())
    return Found(text[a:b], offsets[a], offsets[b - 1] + 1)


SENTENCE = re.compile(r"[\s:：\u3000]*(?:[一二三四五六七八九十]、)?\s*(.+?)\s*"
                      r"(?:。|[一二三四五六七八九十]、|[\u4e00-\u9fa5]{2,6}[:：]|$)")


def _sentence(text: str) -> Found | None:
    m = SENTENCE.match(text)
    if not m or len(m.group(1)) < 4:
        return None
    return Found(m.group(1).strip("\u3000 "), m.start(1), m.end(1))
