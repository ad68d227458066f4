"""A contract's timeline as inline SVG: its service period, the subsidy window, settlement
periods, invoice and payment dates.
"""

from __future__ import annotations

from datetime import date, timedelta

from markupsafe import Markup, escape

from model.report import Reconciliation
from outputs.text import yuan

# --- the timeline -------------------------------------------------------------------------------

TIMELINE_WIDTH = 880
LANE = 26
LANES = (("服务期限", "service"), ("补贴期", "window"), ("结算期", "settlement"), ("开票日", "invoice"),
         ("付款日", "payment"))


def _next_month(d: date) -> date:
    return date(d.year + d.month // 12, d.month % 12 + 1, 1)


class _Timeline:
    """The SVG parts of one timeline, on an axis from ``lo`` to ``hi``."""

    def __init__(self, lo: date, hi: date) -> None:
        self.lo, self.hi = lo, hi
        self.parts: list[str] = []

    def x(self, day: date) -> float:
        return 110 + (TIMELINE_WIDTH - 130) * (day - self.lo).days / max((self.hi - self.lo).days, 1)

    def bar(self, lane: int, a: date, b: date, cls: str, title: str) -> None:
        y = 30 + lane * LANE + 3
        x0, x1 = self.x(a), self.x(b + timedelta(days=1))
        width = max(x1 - x0, 2)
        self.parts.append(f'<rect x="{x0:.1f}" y="{y}" width="{width:.1f}" height="16" class="{cls}">'
                          f"<title>{escape(title)}</title></rect>")

    def mark(self, lane: int, d: date, cls: str, title: str) -> None:
        x, y = self.x(d), 30 + lane * LANE + 11
        self.parts.append(f'<path d="M{x:.1f} {y - 8} L{x + 6:.1f} {y} L{x:.1f} {y + 8} L{x - 6:.1f} {y} Z" '
                          f'class="{cls}"><title>{escape(title)}</title></path>')


def timeline(recon: Reconciliation, window: tuple[date, date] | None) -> Markup:
    """An inline SVG of one contract's dates: its service period, the subsidy window, each
    settlement period, and each invoice and payment day. Every text is escaped."""
    entries = [e for row in recon.rows for e in row.settlements + row.invoices + row.payments]
    days = [d for e in entries for d in (e.start, e.end, e.day) if d is not None]
    days += [d for d in (recon.service_start, recon.service_end) if d is not None]
    days += list(window or ())
    if not days:
        return Markup("")
    t = _Timeline(min(days).replace(day=1), _next_month(max(days)))
    height = 30 + LANE * len(LANES) + 24
    for i, (label, _) in enumerate(LANES):
        y = 30 + i * LANE
        t.parts.append(f'<text x="4" y="{y + 15}" class="lane">{label}</text>'
                       f'<line x1="110" x2="{TIMELINE_WIDTH - 20}" y1="{y + 11}" y2="{y + 11}" '
                       'class="rail"/>')
    if recon.service_start and recon.service_end:
        t.bar(0, recon.service_start, recon.service_end, "service",
              f"服务期限 {recon.service_start} 至 {recon.service_end}")
    if window is not None:
        t.bar(1, window[0], window[1], "window", f"补贴期 {window[0]} 至 {window[1]}")
    for row in recon.rows:
        for e in row.settlements:
            if e.start and e.end:
                t.bar(2, e.start, e.end, "settlement" + (" differs" if e.differs else ""),
                      f"{e.file}：{e.start} 至 {e.end} {yuan(e.amount)}")
        for e in row.invoices:
            if e.day:
                t.mark(3, e.day, "invoice", f"{e.file}：开票 {e.day} {yuan(e.amount)}")
        for e in row.payments:
            if e.day:
                t.mark(4, e.day, "payment", f"{e.file}：付款 {e.day} {yuan(e.amount)}")
    month, y, n = t.lo, 30 + LANE * len(LANES) + 14, 0
    step = max(1, (t.hi - t.lo).days // 30 // 8)
    while month <= t.hi:
        if n % step == 0:
            x = t.x(month)
            t.parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="26" y2="{y - 10}" class="tick"/>'
                           f'<text x="{x:.1f}" y="{y}" class="month">{month:%Y-%m}</text>')
        month, n = _next_month(month), n + 1
    head = (f'<svg class="timeline" viewBox="0 0 {TIMELINE_WIDTH} {height}" role="img" '
            f'aria-label="合同 {escape(recon.contract_no)} 时间线" xmlns="http://www.w3.org/2000/svg">')
    return Markup(head + "".join(t.parts) + "</svg>")
