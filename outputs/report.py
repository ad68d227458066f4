"""Everything a batch writes (docs/interface.md §3): per application report.json,
report.html and evidence crops; for the batch summary.csv, findings.csv and index.html.

Every file is written to a temporary name and renamed, so a killed run never leaves a
half-written file. All text taken from documents is escaped in HTML (autoescape).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, get_args

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from PIL import Image, ImageDraw
from pydantic import BaseModel

from intake.manifest import MANIFEST_NAME, Manifest
from model.base import BBox, Direction, Kind, Severity, Verdict
from model.document import Document, Party
from model.report import Finding, Reconciliation, Report
from policy.words import say, words
from reading.reader import page_image

TEMPLATES = Path(__file__).with_name("templates")
SUMMARY_COLUMNS = ("application_id", "applicant_name", "applicant_uscc", "direction", "status", "errors",
                   "warnings", "declared_amount", "verified_contract_amount", "eligible_cost", "subsidy",
                   "verdict", "main_issue", "payable_subsidy")
FINDING_COLUMNS = ("application_id", "finding_id", "code", "severity", "message", "documents",
                   "kind", "kind_name", "code_name", "page", "expected", "observed", "at_stake")
CROP_DPI = 150
CROP_MARGIN = 0.6  # of the box's own size, around it, so the reviewer sees the context
PAGE_WIDTH = 1100  # pixels of a full-page image a crop opens
SEAL_AREA = 0.45  # the lower share of a page where a seal is looked for, shown when none was found

_OUR_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def with_policy(html: str) -> str:
    """``html`` with a Content-Security-Policy that lets no script run but the page's own
    (each by its hash; document text is escaped, so it can never hold a ``<script>`` tag),
    loads nothing from the network and images only from the report's folder."""
    digests = [base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()
               for s in _OUR_SCRIPT.findall(html)]
    scripts = " ".join(f"'sha256-{d}'" for d in digests) or "'none'"
    policy = ("default-src 'none'; img-src 'self' file: data:; style-src 'unsafe-inline'; "
              f"script-src {scripts}; base-uri 'none'; form-action 'none'")
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
    return html.replace("<head>", f"<head>\n{meta}", 1)


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remove_stale_temporaries(out: Path) -> int:
    """Delete the temporary files a killed run left in ``out`` (never a finished output);
    returns how many."""
    stale = [*out.glob(".tmp-*"), *out.glob("*/.tmp-*"), *out.glob("*/evidence/.tmp-*")]
    for path in stale:
        path.unlink(missing_ok=True)
    return len(stale)


def money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def yuan(value: Decimal | None) -> str:
    """An amount as the reviewer reads it: 12,000,000.00 元."""
    return "" if value is None else f"{value:,.2f} 元"


def percent(value: Decimal | float) -> str:
    """A rate as a percentage: 0.20 is 20%."""
    return f"{Decimal(str(value)) * 100:.4f}".rstrip("0").rstrip(".") + "%"


_MONEY_TEXT = re.compile(r"-?\d+\.\d{2}")
_RANGE_TEXT = re.compile(r"(\S+)\.\.(\S+)")


def shown(text: str | None) -> str:
    """An expected or observed value of report.json as the reviewer reads it: amounts with
    separators and 元, ranges with 至, bounds in words."""
    if text is None:
        return ""
    if _MONEY_TEXT.fullmatch(text):
        return yuan(Decimal(text))
    if m := _RANGE_TEXT.fullmatch(text):
        return f"{m.group(1)} 至 {m.group(2)}"
    if m := re.fullmatch(r"(>=|>)(\d+)", text):
        return f"{'不低于' if m.group(1) == '>=' else '超过'} {int(m.group(2)):,}"
    if m := re.fullmatch(r"(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)", text):
        return f"{Decimal(m.group(1)):,.2f} 至 {Decimal(m.group(2)):,.2f} 元"
    if re.fullmatch(r"\d{5,11}", text):
        return f"{int(text):,}"
    return text.replace("; ", "；")


def _names_of(model: type[BaseModel]) -> set[str]:
    """Every key a model (and the models inside it) reads: the literals of application.yaml."""
    out: set[str] = set()
    for name, info in model.model_fields.items():
        out.add(name)
        for inner in (*get_args(info.annotation), info.annotation):
            for kind in (inner, *get_args(inner)):
                if isinstance(kind, type) and issubclass(kind, BaseModel):
                    out |= _names_of(kind)
    return out


LITERALS = _names_of(Manifest) | {d.value for d in Direction} | {MANIFEST_NAME}
"""Words a message may name that the applicant types as they are: application.yaml's keys
and the direction values."""
_TOKEN = re.compile(r"[A-Za-z_][\w.\[\]]*[\w\]]")
_QUOTED = re.compile(r"(“)([^”]+)(”)|(《)([^》]+)(》)")


def message(text: str) -> Markup:
    """A finding's message as HTML: escaped; what it quotes from a document (“…”, 《…》) marked
    as the document's text, and application.yaml's keys and values as code."""

    def literal(m: re.Match[str]) -> str:
        parts = re.split(r"[.\[\]\d]+", m.group(0))
        if m.group(0) in LITERALS or all(p in LITERALS for p in parts if p):
            return f'<code class="tag">{m.group(0)}</code>'
        return m.group(0)

    out, last = [], 0
    for m in _QUOTED.finditer(text):
        out.append(_TOKEN.sub(literal, str(escape(text[last:m.start()]))))
        left, inner, right = m.group(1, 2, 3) if m.group(1) else m.group(4, 5, 6)
        out.append(f'{left}<bdi class="doc">{escape(inner)}</bdi>{right}')
        last = m.end()
    out.append(_TOKEN.sub(literal, str(escape(text[last:]))))
    return Markup("".join(out))


def _show(value: Any) -> str:
    if isinstance(value, Party):
        return value.name + (f"（{value.uscc}）" if value.uscc else "")
    if isinstance(value, list):
        return f"{len(value)} 行"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return f"{value:,}"
    if isinstance(value, str) and value in words()["directions"]:
        return say("directions", value)
    return "" if value is None else str(value)


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
    env.globals.update(words(), money=money, yuan=yuan, percent=percent, show=_show, shown=shown, say=say,
                       message=message)
    return env


@dataclass
class Application:
    """One application's report and what the batch files need besides it."""

    report: Report
    files: dict[str, bytes] = field(default_factory=dict)
    applicant_name: str = ""
    applicant_uscc: str = ""
    direction: str = ""
    declared_amount: Decimal | None = None


# --- evidence crops and page images -------------------------------------------------------------


def _png(image: Image.Image, width: int) -> bytes:
    if image.width > width:
        image = image.resize((width, int(image.height * width / image.width)), Image.Resampling.BILINEAR)
    buf = io.BytesIO()
    image.save(buf, "PNG", compress_level=6)
    return buf.getvalue()


def crop(data: bytes, page: int, bbox: BBox | None, turn: int = 0, seal_area: bool = False) -> bytes | None:
    """A PNG of the region around ``bbox`` with the spot outlined in red, on the page turned
    ``turn`` degrees clockwise as it was read (see ``crop_of``)."""
    found = page_image(data, page, CROP_DPI, turn)
    return crop_of(*found, bbox, seal_area) if found is not None else None


def crop_of(image: Image.Image, scale: float, bbox: BBox | None, seal_area: bool = False) -> bytes | None:
    """The region around ``bbox`` of a page image (``scale`` pixels per unit of the box),
    outlined in red; without a box, the whole page small (or, for a missing seal, the foot
    of the page where a seal belongs)."""
    if bbox is None:
        if seal_area:
            image = image.crop((0, int(image.height * (1 - SEAL_AREA)), image.width, image.height))
        return _png(image, 640)
    x0, y0, x1, y1 = (v * scale for v in bbox)
    mx, my = max((x1 - x0) * CROP_MARGIN, 60), max((y1 - y0) * CROP_MARGIN * 3, 40)
    box = (max(0, int(x0 - mx)), max(0, int(y0 - my)),
           min(image.width, int(x1 + mx)), min(image.height, int(y1 + my)))
    if box[2] <= box[0] or box[3] <= box[1]:
        return None
    region = image.crop(box)
    ImageDraw.Draw(region).rectangle((x0 - box[0] - 3, y0 - box[1] - 3, x1 - box[0] + 3, y1 - box[1] + 3),
                                     outline=(220, 0, 0), width=3)
    return _png(region, 900)


def page_with_fields(image: Image.Image, scale: float, page: int, doc: Document) -> bytes:
    """The whole page with every field read from it outlined (blue) and its seals (green)."""
    image = image.copy()
    draw = ImageDraw.Draw(image)
    for f in doc.fields.present().values():
        if f.page == page and f.bbox is not None:
            x0, y0, x1, y1 = (v * scale for v in f.bbox)
            draw.rectangle((x0 - 2, y0 - 2, x1 + 2, y1 + 2), outline=(21, 101, 192), width=3)
    for seal in doc.seals:
        if seal.page == page and seal.bbox is not None:
            x0, y0, x1, y1 = (v * scale for v in seal.bbox)
            draw.rectangle((x0, y0, x1, y1), outline=(46, 125, 50), width=3)
    return _png(image, PAGE_WIDTH)


@dataclass(frozen=True)
class Picture:
    """An image the report shows: where it is, its caption, and the full page it opens."""

    src: str
    caption: str
    page_src: str | None = None
    whole_page: bool = False


def _caption(file: str, page: int | None, name: str | None) -> str:
    parts = [file]
    if page:
        parts.append(f"第 {page} 页")
    if name:
        base, _, part = name.partition(".")
        parts.append(say("fields", base) + ("的统一社会信用代码" if part == "uscc" else ""))
    return " · ".join(parts)


class _Pictures:
    """The crops and page images of one application: each page rendered once, each page
    image written once."""

    def __init__(self, app: Application, folder: Path) -> None:
        self.app, self.folder = app, folder
        self.docs = {d.file: (i, d) for i, d in enumerate(app.report.documents, 1)}
        self.rendered: dict[tuple[str, int], tuple[Image.Image, float] | None] = {}
        self.pages: dict[tuple[str, int], str | None] = {}

    def image(self, file: str, page: int) -> tuple[Image.Image, float] | None:
        key = (file, page)
        if key not in self.rendered:
            data, entry = self.app.files.get(file), self.docs.get(file)
            self.rendered[key] = (page_image(data, page, CROP_DPI, entry[1].turns.get(page, 0))
                                  if data is not None and entry is not None else None)
        return self.rendered[key]

    def page(self, file: str, page: int) -> str | None:
        key = (file, page)
        if key not in self.pages:
            self.pages[key] = None
            found, (i, doc) = self.image(file, page), self.docs[file]
            if found is not None:
                name = f"evidence/page-{i:02d}-{page}.png"
                write_atomic(self.folder / name, page_with_fields(*found, page, doc))
                self.pages[key] = name
        return self.pages[key]

    def picture(self, name: str, file: str, page: int | None, bbox: BBox | None,
                field_name: str | None) -> Picture | None:
        if page is None or file not in self.docs:
            return None
        found = self.image(file, page)
        if found is None:
            return None
        if bbox is None and field_name != "seal":  # the whole page: its image with the fields
            full = self.page(file, page)
            return Picture(full, _caption(file, page, field_name), full, whole_page=True) if full else None
        png = crop_of(*found, bbox, seal_area=field_name == "seal")
        if png is None:
            return None
        write_atomic(self.folder / name, png)
        return Picture(name, _caption(file, page, field_name), self.page(file, page))


def write_crops(app: Application, folder: Path) -> tuple[dict[str, list[Picture]], dict[int, Picture]]:
    """Crops of every finding's evidence and every unsure field that has a place: finding id →
    pictures, and index in ``report.unverified`` → picture."""
    pictures = _Pictures(app, folder)
    out: dict[str, list[Picture]] = {}
    for finding in app.report.findings:
        seen: set[tuple[object, ...]] = set()
        for k, ev in enumerate(finding.evidence, 1):
            key = (ev.file, ev.page, ev.bbox)
            if key in seen:
                continue  # one place named twice is shown once
            seen.add(key)
            name = f"evidence/{finding.finding_id}-{k}.png"
            pic = pictures.picture(name, ev.file, ev.page, ev.bbox, ev.field)
            if pic is not None:
                out.setdefault(finding.finding_id, []).append(pic)
    unsure: dict[int, Picture] = {}
    for i, u in enumerate(app.report.unverified):
        if u.bbox is not None:
            pic = pictures.picture(f"evidence/U{i + 1:02d}.png", u.file, u.page, u.bbox, u.field)
            if pic is not None:
                unsure[i] = pic
    return out, unsure


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


# --- the files ---------------------------------------------------------------------------------


def _documents_by_type(report: Report) -> list[tuple[str, list[Document], list[str]]]:
    """The documents grouped by type in the order of the material list, each group with the
    fields its documents hold (items apart, in their own table)."""
    order = list(words()["fields"])
    groups = []
    for doc_type in words()["doc_types"]:
        docs = sorted((d for d in report.documents if d.doc_type.value == doc_type), key=lambda d: d.file)
        if not docs:
            continue
        names = {n for d in docs for n in d.fields.present()} | {n for d in docs for n in d.missing}
        names.discard("items")
        ordered = sorted(names, key=lambda n: (order.index(n) if n in order else len(order), n))
        groups.append((doc_type, docs, ordered))
    return groups


def write_application(app: Application, out: Path, low_confidence: float) -> None:
    """report.json, report.html and the evidence crops of one application."""
    report = app.report
    folder = out / report.application_id
    write_atomic(folder / "report.json", report.model_dump_json(indent=2).encode())
    crops, unsure = write_crops(app, folder)
    kinds = {k.value: [f for f in report.findings if f.kind is k] for k in Kind}
    sub = report.subsidy
    window = (sub.window_start, sub.window_end) if sub and sub.window_start and sub.window_end else None
    timelines = {r.contract_no: timeline(r, window) for r in report.reconciliation}
    html = _environment().get_template("report.html.j2").render(
        report=report, app=app, kinds=kinds, crops=crops, unsure=unsure, low_confidence=low_confidence,
        groups=_documents_by_type(report), timelines=timelines, window=window,
        findings_by_id={f.finding_id: f for f in report.findings})
    write_atomic(folder / "report.html", with_policy(html).encode())


def main_issue(report: Report) -> str:
    """The decisive finding in one line (none for an application recommended as it stands)."""
    if report.verdict is Verdict.APPROVE or not report.verdict_reasons:
        return ""
    return report.verdict_reasons[0]


def summary_row(app: Application) -> dict[str, str]:
    r = app.report
    sub = r.subsidy
    verified = sum((c.contract_amount for c in sub.per_contract), Decimal(0)) if sub else None
    return {
        "application_id": r.application_id, "applicant_name": app.applicant_name,
        "applicant_uscc": app.applicant_uscc, "direction": app.direction, "status": r.status.value,
        "errors": str(sum(f.severity is Severity.ERROR for f in r.findings)),
        "warnings": str(sum(f.severity is Severity.WARNING for f in r.findings)),
        "declared_amount": f"{app.declared_amount:.2f}" if app.declared_amount is not None else "",
        "verified_contract_amount": f"{verified:.2f}" if verified is not None else "",
        "eligible_cost": f"{sub.eligible_cost:.2f}" if sub else "",
        "subsidy": f"{sub.subsidy:.2f}" if sub else "",
        "verdict": r.verdict.value, "main_issue": main_issue(r),
        "payable_subsidy": f"{sub.payable:.2f}" if sub and sub.payable is not None else "",
    }


def _cell(value: str) -> str:
    """A CSV cell a spreadsheet shows as text: one that starts like a formula is quoted."""
    formula = value[:1] in ("=", "+", "@", "\t", "\r") or (
        value[:1] == "-" and not _MONEY_TEXT.fullmatch(value))
    return "'" + value if formula else value


def _csv(rows: list[dict[str, str]], columns: tuple[str, ...]) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: _cell(v) for k, v in row.items()} for row in rows)
    return ("\ufeff" + buf.getvalue()).encode()  # with a BOM, so spreadsheet programs read UTF-8


def finding_row(app_id: str, f: Finding) -> dict[str, str]:
    """One line of findings.csv: the interface's columns, then the kind, the pages and the
    compared values as the report shows them."""
    pages = [f"{e.file} 第{e.page}页" for e in f.evidence if e.page]
    return {"application_id": app_id, "finding_id": f.finding_id, "code": f.code.value,
            "severity": f.severity.value, "message": f.message, "documents": ";".join(f.documents),
            "kind": f.kind.value, "kind_name": say("kinds", f.kind), "code_name": say("codes", f.code),
            "page": "；".join(dict.fromkeys(pages)), "expected": shown(f.expected),
            "observed": shown(f.observed), "at_stake": f"{f.at_stake:.2f}" if f.at_stake is not None else ""}


def write_index(apps: list[Application], out: Path) -> Path:
    """summary.csv, findings.csv and index.html of a batch whose reports are written;
    returns the path of index.html. The uploads themselves are not needed here."""
    once = list({a.report.application_id: a for a in apps}.values())  # each application once
    rows = [summary_row(a) for a in once]
    write_atomic(out / "summary.csv", _csv(rows, SUMMARY_COLUMNS))
    findings = [finding_row(a.report.application_id, f) for a in once for f in a.report.findings]
    write_atomic(out / "findings.csv", _csv(findings, FINDING_COLUMNS))
    listing: list[dict[str, Any]] = []
    for a in once:
        r, sub = a.report, a.report.subsidy
        listing.append({"application_id": r.application_id, "applicant_name": a.applicant_name,
                        "verdict": r.verdict.value, "main_issue": main_issue(r),
                        "counts": {k.value: sum(f.kind is k for f in r.findings) for k in Kind},
                        "eligible_cost": sub.eligible_cost if sub else None,
                        "payable": sub.payable if sub else None, "state": sub.state if sub else None,
                        "link": f"{r.application_id}/report.html"})
    totals = {v.value: sum(x["verdict"] == v.value for x in listing) for v in Verdict}
    sums = {state: sum((x["payable"] for x in listing if x["state"] == state and x["payable"] is not None),
                       Decimal(0)) for state in ("final", "pending")}
    as_of = sorted({a.report.as_of.isoformat() for a in once})
    generated = max((a.report.checked_at for a in once), default=None)
    html = _environment().get_template("index.html.j2").render(
        reports=listing, totals=totals, total_payable=sums["final"], total_pending=sums["pending"],
        as_of="、".join(as_of), generated=generated.strftime("%Y-%m-%d %H:%M") if generated else "")
    index = out / "index.html"
    write_atomic(index, with_policy(html).encode())
    return index
