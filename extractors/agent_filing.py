"""Agent filing proof: company, the service launch (filing) number, daily active users."""

from __future__ import annotations

from extractors.common import (
    Extraction,
    after_label,
    company_of,
    int_parser,
    regex_parser,
)
from extractors.layout import DocText
from extractors.lexicon import label

COMPANY = label("agent_filing.company")
FILING = label("agent_filing.filing_no")
FILING_NO = regex_parser(r"[ \t:：]*([A-Za-z][A-Za-z0-9\-]{6,}|\d[\d\-]{7,})")
DAU = label("agent_filing.daily_active_users")


def extract(dt: DocText, ex: Extraction) -> None:
    company = company_of(dt, COMPANY)
    ex.put("company", company, "未找到企业名称")
    ex.put("filing_no", after_label(dt, FILING, FILING_NO), "未找到上线批号")
    ex.put("daily_active_users", after_label(dt, DAU, int_parser), "未找到日均活跃用户数")
