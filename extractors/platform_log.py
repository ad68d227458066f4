"""MaaS platform logs: average daily tokens, companies served, and the period."""

from __future__ import annotations

import re

from extractors.common import (
    Extraction,
    after_label,
    int_parser,
    labels,
    party_at,
    put_period,
)
from extractors.layout import DocText

COMPANY = re.compile(r"(?:运营单位|企业名称|单位名称|运营主体)\s*[:：]")
TOKENS_SUMMARY = labels("统计期内日均Tokens调用量", "平台日均Tokens调用量", "日均调用量")
TOKENS = labels("日均Tokens调用量", "日均Token调用量")
SERVED = labels("服务企业数量", "服务企业数", "服务企业")
PERIOD = labels("统计期间", "统计周期", "数据期间")


def extract(dt: DocText, ex: Extraction) -> None:
    company, _ = party_at(dt, COMPANY, limit_lines=2)
    ex.put("company", company, "未找到运营单位名称")
    tokens = after_label(dt, TOKENS_SUMMARY, int_parser, next_line=False)
    if tokens is None:
        hits = list(TOKENS.finditer(dt.text))
        if hits:
            tokens = after_label(dt, TOKENS, int_parser, start=hits[-1].start(), next_line=False)
    ex.put("daily_tokens", tokens, "未找到日均Tokens调用量")
    served = None
    for m in SERVED.finditer(dt.text):
        served = after_label(dt, SERVED, int_parser, start=m.start(), next_line=False)
        if served and re.search(r"家|^\s*[:：]", dt.text[m.end():served.end + 2]):
            break
    ex.put("served_companies", served, "未找到服务企业数量")
    put_period(ex, PERIOD, ("period_start", "period_end"), "未找到统计期间")
