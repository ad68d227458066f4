"""Agent filing proof: company, the service launch (filing) number, daily active users."""

from __future__ import annotations

import re

from extractors.common import Extraction, after_label, int_parser, labels, party_at, regex_parser
from extractors.layout import DocText

COMPANY = re.compile(r"(?:企业名称|单位名称|运营单位|公司名称)\s*[:：]")
FILING = labels("上线批号", "备案号", "备案编号", "批号")
FILING_NO = regex_parser(r"[ \t:：]*([A-Za-z][A-Za-z0-9\-]{6,}|\d[\d\-]{7,})")
DAU = labels("日均活跃用户数（DAU）", "日均活跃用户数", "日活跃用户数", "日活量", "DAU")


def extract(dt: DocText, ex: Extraction) -> None:
    company, _ = party_at(dt, COMPANY, limit_lines=2)
    ex.put("company", company, "未找到企业名称")
    ex.put("filing_no", after_label(dt, FILING, FILING_NO), "未找到上线批号")
    ex.put("daily_active_users", after_label(dt, DAU, int_parser, next_line=False), "未找到日均活跃用户数")
