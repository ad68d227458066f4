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
from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from PIL import ImageDraw

from pipeline.model import Party, Report, Severity
from pipeline.reader import page_image

TEMPLATES = Path(__file__).with_name("templates")
SUMMARY_COLUMNS = ("application_id", "applicant_name", "applicant_uscc", "direction", "status", "errors",
                   "warnings", "declared_amount", "verified_contract_amount", "eligible_cost", "subsidy")
FINDING_COLUMNS = ("application_id", "finding_id", "code", "severity", "message", "documents")
CROP_DPI = 150
CROP_MARGIN = 0.6  # of the box's own size, around it, so the reviewer sees the context

WORDS: dict[str, dict[str, str]] = {
    "status_words": {"pass": "通过", "flagged": "需复核", "error": "无法核查"},
    "severity_words": {"error": "错误", "warning": "警告", "info": "提示"},
    "cap_words": {"company_cap": "企业补贴上限", "total_support_share": "单合同财政支持比例上限"},
    "direction_words": {"model_training": "大模型训练应用", "maas": "MaaS平台建设",
                        "agent": "通用智能体研发"},
    "source_words": {"text": "文本层", "ocr": "OCR识别", "xml": "结构化XML", "ofd": "OFD"},
    "type_words": {"contract": "算力合同", "invoice": "发票", "settlement": "结算单", "payment": "付款凭证",
                   "supplier_certificate": "算力供给企业证明", "usage_statement": "算力使用情况说明",
                   "commitment": "承诺书", "platform_log": "平台日志", "agent_filing": "上线批号及日活证明",
                   "other": "其他材料"},
    "field_words": {
        "contract_no": "合同编号", "party_a": "甲方", "party_b": "乙方", "total_amount": "总金额",
        "unit_price": "单价", "quantity": "数量", "unit": "计费单位", "sign_date": "签订日期",
        "service_start": "服务起始", "service_end": "服务截止", "other_subsidy_statement": "其他补贴说明",
        "invoice_code": "发票代码", "invoice_no": "发票号码", "issue_date": "开票日期", "buyer": "购买方",
        "seller": "销售方", "amount_ex_tax": "金额", "tax_rate": "税率", "tax_amount": "税额",
        "total_in_words": "价税合计（大写）", "items": "明细", "statement_no": "结算单号", "customer": "客户",
        "supplier": "供应商", "period_start": "期间起", "period_end": "期间止", "payer": "付款人",
        "payee": "收款人", "amount": "金额", "payment_date": "付款日期", "reference": "流水号",
        "compute_scale": "算力规模", "lease_start": "租赁起", "lease_end": "租赁止", "company": "单位",
        "purpose": "算力用途", "direction_hint": "方向", "signed": "已签字", "daily_tokens": "日均Tokens",
        "served_companies": "服务企业数", "filing_no": "上线批号", "daily_active_users": "日活量"},
}


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


def _show(value: Any) -> str:
    if isinstance(value, Party):
        return value.name + (f"（{value.uscc}）" if value.uscc else "")
    if isinstance(value, list):
        return "；".join(f"{getattr(i, 'name', i)} {money(getattr(i, 'amount', None))}" for i in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return f"{value:,}"
    return "" if value is None else str(value)


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
    env.globals.update(WORDS, money=money, show=_show)
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


# --- evidence crops ---------------------------------------------------------------------------


def crop(data: bytes, page: int, bbox: tuple[float, float, float, float], turn: int = 0) -> bytes | None:
    """A PNG of the region around ``bbox`` with the spot outlined in red, on the page turned
    ``turn`` degrees clockwise as it was read."""
    found = page_image(data, page, CROP_DPI, turn)
    if found is None:
        return None
    image, scale = found
    x0, y0, x1, y1 = (v * scale for v in bbox)
    mx, my = max((x1 - x0) * CROP_MARGIN, 60), max((y1 - y0) * CROP_MARGIN * 3, 40)
    box = (max(0, int(x0 - mx)), max(0, int(y0 - my)),
           min(image.width, int(x1 + mx)), min(image.height, int(y1 + my)))
    if box[2] <= box[0] or box[3] <= box[1]:
        return None
    region = image.crop(box)
    ImageDraw.Draw(region).rectangle((x0 - box[0] - 3, y0 - box[1] - 3, x1 - box[0] + 3, y1 - box[1] + 3),
                                     outline=(220, 0, 0), width=3)
    if region.width > 900:
        region = region.resize((900, int(region.height * 900 / region.width)))
    buf = io.BytesIO()
    region.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def write_crops(app: Application, folder: Path) -> dict[str, list[str]]:
    """Crops of every finding's evidence that has a place; finding id → relative paths."""
    out: dict[str, list[str]] = {}
    turns = {d.file: d.turns for d in app.report.documents}
    for finding in app.report.findings:
        for k, ev in enumerate(finding.evidence, 1):
            data = app.files.get(ev.file)
            if data is None or ev.page is None or ev.bbox is None:
                continue
            png = crop(data, ev.page, ev.bbox, turns.get(ev.file, {}).get(ev.page, 0))
            if png is None:
                continue
            name = f"evidence/{finding.finding_id}-{k}.png"
            write_atomic(folder / name, png)
            out.setdefault(finding.finding_id, []).append(name)
    return out


# --- the files ---------------------------------------------------------------------------------


def write_application(app: Application, out: Path, low_confidence: float) -> None:
    """report.json, report.html and the evidence crops of one application."""
    report = app.report
    folder = out / report.application_id
    write_atomic(folder / "report.json", report.model_dump_json(indent=2).encode())
    crops = write_crops(app, folder)
    order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
    findings = sorted(report.findings, key=lambda f: (order[f.severity], f.finding_id))
    counts = {s.value: sum(f.severity is s for f in report.findings) for s in Severity}
    html = _environment().get_template("report.html.j2").render(
        report=report, app=app, findings=findings, crops=crops, counts=counts, low_confidence=low_confidence)
    write_atomic(folder / "report.html", with_policy(html).encode())


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
    }


def _csv(rows: list[dict[str, str]], columns: tuple[str, ...]) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" + buf.getvalue()).encode()  # with a BOM, so spreadsheet programs read UTF-8


def write_index(apps: list[Application], out: Path) -> Path:
    """summary.csv, findings.csv and index.html of a batch whose reports are written;
    returns the path of index.html. The uploads themselves are not needed here."""
    rows = [summary_row(a) for a in apps]
    write_atomic(out / "summary.csv", _csv(rows, SUMMARY_COLUMNS))
    findings = [{"application_id": a.report.application_id, "finding_id": f.finding_id, "code": f.code.value,
                 "severity": f.severity.value, "message": f.message, "documents": ";".join(f.documents)}
                for a in apps for f in a.report.findings]
    write_atomic(out / "findings.csv", _csv(findings, FINDING_COLUMNS))
    listing = [{"application_id": r["application_id"], "applicant_name": r["applicant_name"],
                "status": r["status"], "errors": r["errors"],
                "warnings": r["warnings"],
                "eligible_cost": Decimal(r["eligible_cost"]) if r["eligible_cost"] else None,
                "subsidy": Decimal(r["subsidy"]) if r["subsidy"] else None,
                "link": f"{r['application_id']}/report.html"} for r in rows]
    totals = {s: sum(r["status"] == s for r in rows) for s in ("pass", "flagged", "error")}
    eligible = sum((x["eligible_cost"] for x in listing if x["eligible_cost"] is not None), Decimal(0))
    subsidy = sum((x["subsidy"] for x in listing if x["subsidy"] is not None), Decimal(0))
    as_of = sorted({a.report.as_of.isoformat() for a in apps})
    generated = max((a.report.checked_at for a in apps), default=None)
    html = _environment().get_template("index.html.j2").render(
        reports=listing, totals=totals, total_eligible=eligible, total_subsidy=subsidy,
        as_of="、".join(as_of), generated=generated.strftime("%Y-%m-%d %H:%M") if generated else "")
    index = out / "index.html"
    write_atomic(index, with_policy(html).encode())
    return index

