"""Batch outputs: the files of the interface, exact CSV columns, escaped HTML, atomic writes."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from reportlab.pdfgen.canvas import Canvas

from model.base import FindingCode, Kind, Severity, Verdict
from model.document import Document
from model.report import Evidence, Finding, Report, Status, Subsidy
from outputs.application import Application
from outputs.report import write_application, write_index
from outputs.tables import FINDING_COLUMNS, SUMMARY_COLUMNS

HOSTILE = '<script>alert("x")</script>'


def _pdf() -> bytes:
    buf = io.BytesIO()
    c = Canvas(buf)
    c.drawString(100, 700, "Total 12,000,000.00")
    c.save()
    return buf.getvalue()


def _app() -> Application:
    code = FindingCode.AMOUNT_MISMATCH
    finding = Finding(finding_id="APP-X-F001", code=code, severity=Severity.ERROR, kind=Kind.FIX,
                      message=f"发票价税合计与结算单不一致 {HOSTILE}", documents=["a.pdf"],
                      evidence=[Evidence(file="a.pdf", page=1, bbox=(95, 130, 260, 145),
                                         field="total_amount")],
                      expected="11500000.00", observed="12000000.00")
    doc = Document(file="a.pdf", sha256="0" * 64, doc_type="invoice", pages=1, read_by="text",
                   fields={"invoice_no": {"value": HOSTILE, "page": 1, "source": "ocr", "confidence": 0.5}})
    report = Report(application_id="APP-X", status=Status.FLAGGED, verdict=Verdict.RESUBMIT,
                    verdict_reasons=["金额不一致：发票价税合计与结算单不一致"],
                    checked_at=datetime(2025, 7, 16, 2, 0),
                    as_of=date(2025, 7, 15), documents=[doc], findings=[finding],
                    subsidy=Subsidy(rate=Decimal("0.2"), eligible_cost=Decimal("10"), subsidy=Decimal("2"),
                                    payable=Decimal("2"), state="pending"))
    return Application(report, {"a.pdf": _pdf()}, applicant_name="北京星河智算科技有限公司",
                       applicant_uscc="91110108MA01ABCD1X", direction="model_training",
                       declared_amount=Decimal("96000000"))


def _write(out: Path) -> Path:
    write_application(_app(), out, 0.8)
    return write_index([_app()], out)


def test_every_output_is_written_with_the_interface_columns(tmp_path: Path) -> None:
    index = _write(tmp_path)
    assert index == tmp_path / "index.html"
    for name in ("index.html", "summary.csv", "findings.csv", "APP-X/report.json", "APP-X/report.html"):
        assert (tmp_path / name).is_file(), name
    crops = sorted(p.name for p in (tmp_path / "APP-X" / "evidence").glob("*.png"))
    assert crops == ["APP-X-F001-1.png", "page-01-1.png"]  # the crop, and the page it opens
    with (tmp_path / "summary.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == SUMMARY_COLUMNS
    assert rows[0]["eligible_cost"] == "10.00" and rows[0]["declared_amount"] == "96000000.00"
    with (tmp_path / "findings.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == FINDING_COLUMNS and rows[0]["code"] == "AMOUNT_MISMATCH"
    assert not list(tmp_path.rglob(".tmp-*"))


def test_document_text_is_escaped_and_low_confidence_marked(tmp_path: Path) -> None:
    _write(tmp_path)
    html = (tmp_path / "APP-X" / "report.html").read_text(encoding="utf-8")
    assert HOSTILE not in html
    assert "&lt;script&gt;" in html
    assert "请人工核对" in html
    assert 'src="evidence/APP-X-F001-1.png"' in html
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert 'href="APP-X/report.html"' in index
