"""MaaS platform logs: average daily tokens, companies served, and the period."""

from __future__ import annotations

import re

from extractors.common import (
    Extraction,
    after_label,
    company_of,
    int_parser,
    put_period,
)
from extractors.layout import DocText
from extractors.lexicon import label

COMPANY = label("platform_log.company")
TOKENS_SUMMARY = label("platform_log.daily_tokens_summary")
TOKENS = label("platform_log.daily_tokens")
SERVED = label("platform_log.served_companies")
PERIOD = label("platform_log.period")


def extract(dt: DocText, ex: Extraction) -> None:
    company = company_of(dt, COMPANY)
    ex.put("company", company, "未找到运营单位名称")
    tokens = after_label(dt, TOKENS_SUMMARY, int_parser, next_line=False)
    if tokens is None:
        hits = list(TOKENS.finditer(dt.text))
        if hits:
            tokens = after_label(dt, TOKENS, int_parser, start=hits[-1].start(), next_line=False)
    ex.put("daily_tokens", tokens, "未找到日均 Token 调用量")
    served = None
    for m in SERVED.finditer(dt.text):
        served = after_label(dt, SERVED, int_parser, start=m.start(), next_line=False)
        if served and re.search(r"家|^\s*[:：]", dt.text[m.end():served.end + 2]):
            break
    ex.put("served_companies", served, "未找到服务企业数量")
    put_period(ex, PERIOD, ("period_start", "period_end"), "未找到统计期间")
