"""The compute-usage statement: which company, what the compute is for, which direction."""

from __future__ import annotations

import re

from extractors.common import Extraction, Found, in_window, letter_writer, party, party_at
from extractors.layout import DocText
from extractors.lexicon import label
from pipeline.model import Direction

COMPANY = label("usage_statement.company")
PURPOSE = label("usage_statement.purpose")
HINTS = (
    (Direction.MAAS, re.compile(r"MaaS|模型即服务", re.IGNORECASE)),
    (Direction.AGENT, re.compile(r"智能体|Agent", re.IGNORECASE)),
    (Direction.MODEL_TRAINING, re.compile(r"训练|预训练|大模型")),
)


def extract(dt: DocText, ex: Extraction) -> None:
    company, _ = party_at(dt, COMPANY, limit_lines=2)
    if company is None:
        company = party(letter_writer(dt), None)
    ex.put("company", company, "未找到单位名称")
    purpose = None
    for m in PURPOSE.finditer(dt.text):
        # "算力用途：…" on one line, or a heading with the paragraph below it
        purpose = in_window(dt, m.end(), 1, _sentence)
        if purpose is None:
            line_end = dt.text.find("\n", m.end())
            purpose = in_window(dt, line_end + 1, 2, _sentence) if line_end >= 0 else None
        if purpose:
            break
    ex.put("purpose", purpose, "未找到算力用途说明")
    basis = purpose.value if purpose else dt.text
    for direction, pattern in HINTS:
        hit = pattern.search(basis)
        if hit:
            start = (purpose.start if purpose else 0) + (hit.start() if purpose is None else 0)
            ex.put("direction_hint", Found(direction, start, start + len(hit.group(0))), "", confidence=0.8)
            break
    else:
        ex.missing["direction_hint"] = "说明中未体现申报方向"


SENTENCE = re.compile(r"[\s:：\u3000]*(?:[一二三四五六七八九十]、)?\s*(.+?)\s*"
                      r"(?:。|[一二三四五六七八九十]、|[\u4e00-\u9fa5]{2,6}[:：]|$)")


def _sentence(text: str) -> Found | None:
    m = SENTENCE.match(text)
    if not m or len(m.group(1)) < 4:
        return None
    return Found(m.group(1).strip("\u3000 "), m.start(1), m.end(1))
