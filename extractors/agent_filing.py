"""Agent filing proof: company, the service launch (filing) number, daily active users."""

from __future__ import annotations

from extractors.common import (
    Extraction,
    after_label,
    int_parser,
    letter_writer,
    party,
    party_at,
    regex_parser,
)
from extractors.layout import DocText
from extractors.lexicon import label

COMPANY = label("agent_filing.company")
FILING = label("agent_filing.filing_no")
FILING_NO = regex_parser(r"[ \t:：]*([A-Za-z][A-Za-z0-9\-]{6,}|\d[\d\-]{7,})")
DAU = label("agent_filing.daily_active_users")


def extract(dt: DocText, ex: Extraction) -> None:
    company, _ = party_at(dt, COMPANY, limit_lines=2)
    if company is None:
        company = party(letter_writer(dt), None)
    ex.put("company", company, "未找到企业名称")
    ex.put("filing_no", after_label(dt, FILING, FILING_NO), "未找到上线批号")
    ex.put("daily_active_users", after_label(dt, DAU, int_parser, next_line=False), "未找到日均活跃用户数")
