"""The corpus's invoices as the tax platform delivers them: every field of its OFD and XML
copies read exactly, and the QR code of (nearly) every invoice page decoded, scans included,
agreeing with what the invoice says."""

from __future__ import annotations

from typing import Any

import pytest

from checking.steps import document_of
from model.base import DocType
from model.document import CONTRACT_FIELDS, Document
from reading.session import Reader
from tests.conftest import SAMPLE_DOCS
from tools.evaluate import corpus_applications, same

Read = list[tuple[str, str, dict[str, Any], Document]]
"""Each corpus invoice: application, file name, its truth and the document as read."""
QR_SHARE = 0.98
"""Of the corpus's invoice pages (PDF or scan), the share whose QR code must decode."""


def _invoices(reader: Reader) -> Read:
    out = []
    for app_id, truth, files in corpus_applications(SAMPLE_DOCS, reader.rules):
        for name, expected in truth["files"].items():
            if expected["doc_type"] == "invoice" and not expected.get("unreadable"):
                doc = document_of(reader.read(name, files[name]), reader.rules)
                out.append((app_id, name, expected, doc))
    return out


@pytest.fixture(scope="module")
def invoices(corpus_reader: Reader) -> Read:
    return _invoices(corpus_reader)


def test_the_corpus_has_ofd_and_xml_invoices(invoices: Read) -> None:
    formats = {doc.format for _, _, _, doc in invoices}
    assert {"ofd", "xml", "pdf"} <= formats


def test_every_field_of_the_corpus_ofd_and_xml_invoices_is_read_exactly(
        invoices: Read) -> None:
    wrong = []
    for app_id, name, expected, doc in invoices:
        if doc.format not in ("ofd", "xml"):
            continue
        got = {k: v.model_dump(mode="json")["value"] for k, v in doc.fields.present().items()}
        for field in CONTRACT_FIELDS[DocType.INVOICE]:
            if field in expected["fields"] and not same(expected["fields"][field], got.get(field)):
                wrong.append(f"{app_id}/{name} {field}: {got.get(field)!r} ≠ {expected['fields'][field]!r}")
        assert doc.read_by is None or doc.read_by.value == doc.format
    assert not wrong, "\n".join(wrong)


def test_the_qr_code_of_nearly_every_invoice_page_decodes_scans_included(
        invoices: Read) -> None:
    printed = [(a, n, e, d) for a, n, e, d in invoices if d.format not in ("ofd", "xml")]
    assert any(e["scan"] for _, _, e, _ in printed) and any(not e["scan"] for _, _, e, _ in printed)
    decoded = [(a, n) for a, n, e, d in printed
               if d.qr is not None and d.qr.number == e["fields"]["invoice_no"]]
    missed = sorted({(a, n) for a, n, _, _ in printed} - set(decoded))
    assert len(decoded) / len(printed) >= QR_SHARE, f"not decoded: {missed}"
