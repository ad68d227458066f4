"""MaaS platform logs: average daily tokens, companies served, and the period."""

from __future__ import annotations

import re

from extractors.common import (
    Extraction,
    Found,
    after_label,
    company_of,
    int_parser,
    put_period,
)
from extractors.layout import DocText
from extractors.lexicon import label
from extractors.tables import line_cells, row_by_header

COMPANY = label("platform_log.company")
TOKENS_SUMMARY = label("platform_log.daily_tokens_summary")
TOKENS = label("platform_log.daily_tokens")
SERVED = label("platform_log.served_companies")
PERIOD = label("platform_log.period")


def extract(dt: DocText, ex: Extraction) -> None:
    company = company_of(dt, COMPANY)
    ex.put("company", company, "未找到运营单位名称")
    tokens = after_label(dt, TOKENS_SUMMARY, int_parser, next_line=False) or _summary_row(dt)
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


MIN_HEADERS = 3
"""Cells a line needs to be a table's header row rather than a label with its value."""


def _summary_row(dt: DocText) -> Found | None:
    """The daily average on a monthly table's summary row: under the 日均Tokens调用量 header,
    on the last row whose first cell is a word (统计期, 合计, 全年) rather than a month. An
    average lies between the months' own, which corroborates it; otherwise none is taken."""
    for m in TOKENS.finditer(dt.text):
        header = dt.line_index(m.start())
        cells = line_cells(dt, header)
        if len(cells) < MIN_HEADERS:
            continue
        column = next(i for i, c in enumerate(cells) if c.start <= m.start() < c.end or c.start > m.start())
        months: list[int] = []
        summary: Found | None = None
        for index in range(header + 1, len(dt.lines)):
            row = row_by_header(dt, header, index)
            first = line_cells(dt, index)[0].text
            under = row.get(column, [])
            value = int_parser(under[0].text) if under else None
            if value is None or not isinstance(value.value, int):
                if not months and summary is None and not re.search(r"\d", dt.lines[index].text):
                    continue  # the header's second line (（家） （家）)
                break  # the table ends at a line with nothing under the column (注：…)
            found = Found(value.value, under[0].start + value.start, under[0].start + value.end)
            if re.search(r"\d", first):
                months.append(value.value)
            else:
                summary = found
        if summary is not None and months and min(months) <= summary.value <= max(months):
            return summary
    return None
