"""The data model: shapes of report.json, money as two-place strings, schema kept in step."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from model.base import DocType, FindingCode, Kind, Severity
from model.document import CONTRACT_FIELDS, FIELDS_BY_TYPE, Document
from model.export_schema import SCHEMA_PATH, schema_text
from model.report import Finding, Report, Status, Subsidy


def test_committed_schema_matches_the_model() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), (
        "the report model changed: run `python -m model.export_schema` and commit the diff"
    )


def test_every_contract_field_exists_on_its_type() -> None:
    for doc_type, names in CONTRACT_FIELDS.items():
        model = FIELDS_BY_TYPE[doc_type]
        assert set(names) <= set(model.model_fields), doc_type


def _invoice() -> Document:
    return Document(
        file="发票 2024-09.pdf", sha256="0" * 64, doc_type=DocType.INVOICE, pages=1, read_by="ocr",
        fields={
            "invoice_code": {"value": None, "source": "ocr", "confidence": 0.9},
            "total_amount": {"value": "12000000", "page": 1, "bbox": [10, 20, 30, 40],
                             "source": "ocr", "confidence": 0.93},
            "tax_rate": {"value": "0.060", "source": "ocr", "confidence": 0.93},
            "issue_date": {"value": "2024-09-05", "source": "ocr", "confidence": 0.9},
            "buyer": {"value": {"name": "北京星河智算科技有限公司", "uscc": None},
                      "source": "ocr", "confidence": 0.8},
            "items": {"value": [{"name": "*信息技术服务*算力服务费", "amount": "11320754.72"}],
                      "source": "ocr", "confidence": 0.8},
        },
    )


def test_document_fields_are_typed_and_serialise_as_the_contract_says() -> None:
    doc = _invoice()
    assert doc.fields.total_amount is not None
    assert doc.fields.total_amount.value == Decimal("12000000")
    assert doc.fields.issue_date is not None and doc.fields.issue_date.value == date(2024, 9, 5)
    data = json.loads(doc.model_dump_json())
    fields = data["fields"]
    assert fields["total_amount"]["value"] == "12000000.00"
    assert fields["tax_rate"]["value"] == "0.06"
    assert fields["invoice_code"]["value"] is None  # present, null: a 数电发票 has no code
    assert "seller" not in fields  # absent fields are left out, never invented
    assert fields["items"]["value"][0]["amount"] == "11320754.72"
    again = Document.model_validate_json(doc.model_dump_json())
    assert again.model_dump_json() == doc.model_dump_json()  # a reason read back keeps its words


def test_fields_of_another_type_are_refused() -> None:
    with pytest.raises(ValidationError):
        Document(file="a.pdf", sha256="x", doc_type=DocType.PAYMENT,
                 fields={"invoice_no": {"value": "1", "source": "text", "confidence": 1}})


def test_money_rounds_half_up_to_the_fen_only_when_written() -> None:
    sub = Subsidy(rate=Decimal("0.2"), eligible_cost=Decimal("10.005"), subsidy=Decimal("2.001"))
    assert sub.eligible_cost == Decimal("10.005")
    data = json.loads(sub.model_dump_json())
    assert data["eligible_cost"] == "10.01"
    assert data["rate"] == "0.20"


def test_report_round_trips_through_json() -> None:
    report = Report(
        application_id="APP-2025-0001", status=Status.FLAGGED,
        checked_at=datetime.fromisoformat("2025-07-16T02:00:11+08:00"), as_of=date(2025, 7, 15),
        documents=[_invoice()],
        findings=[Finding(finding_id="APP-2025-0001-F001", code=FindingCode.AMOUNT_MISMATCH, kind=Kind.FIX,
                          severity=Severity.ERROR, message="金额不一致",
                          expected="11500000.00", observed="12000000.00")],
    )
    text = report.model_dump_json()
    assert json.loads(text)["schema_version"] == 1
    assert Report.model_validate_json(text) == report
