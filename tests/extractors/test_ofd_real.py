"""Real OFD invoices nobody here wrote (``../shared/real``), against truth labelled by hand
from their printed pages (``tests/real/truth/*.ofd.json``): every field right, each with a
page and a box, from the file's structured data where it has it and its page text where
not; and the QR code decoded and agreeing with what the invoice prints."""

from __future__ import annotations

import json
import unicodedata
from decimal import Decimal
from typing import Any

import pytest

from checking.steps import document_of
from model.base import Source
from model.document import Document, LineItem, Party
from policy.rules import load_rules
from reading.session import Reader
from tests.conftest import ROOT

REAL = ROOT.parent / "shared" / "real"
TRUTH = ROOT / "tests" / "real" / "truth"
LIST_LINE = "详见销货清单"
"""The one line an invoice with a goods list prints on its first page."""

pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason="../shared/real is not here")


def _truths() -> list[dict[str, Any]]:
    found = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(TRUTH.glob("*.ofd.json"))]
    return [t for t in found if t["doc_type"] == "invoice"]


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _same(name: str, got: Any, expected: Any) -> bool:
    if expected is None:
        return got is None
    if isinstance(got, Party):
        return _nfkc(got.name) == _nfkc(expected["name"]) and got.uscc == expected["uscc"]
    if name == "items":
        lines: list[LineItem] = got or []
        printed = [(_nfkc(i["name"]), Decimal(i["amount"])) for i in expected]
        if [(_nfkc(i.name), i.amount) for i in lines] == printed:
            return True
        # the first page prints (详见销货清单) for the list the data gives line by line
        return (len(printed) == 1 and LIST_LINE in printed[0][0] and len(lines) > 1
                and sum((i.amount for i in lines), Decimal(0)) == printed[0][1])
    if isinstance(got, Decimal):
        return got == Decimal(expected)
    return _nfkc(str(got)) == _nfkc(str(expected))


@pytest.fixture(scope="module")
def read() -> dict[str, Document]:
    reader = Reader(load_rules())
    out = {}
    for truth in _truths():
        data = (REAL / truth["file"]).read_bytes()
        out[truth["file"]] = document_of(reader.read(truth["file"].rpartition("/")[2], data), reader.rules)
    return out


@pytest.mark.parametrize("truth", _truths(), ids=lambda t: t["file"])
def test_every_field_of_a_real_ofd_invoice_is_right_and_has_a_box(truth: dict[str, Any],
                                                                   read: dict[str, Document]) -> None:
    doc = read[truth["file"]]
    assert doc.doc_type.value == "invoice" and not doc.errors
    assert doc.read_by is Source.OFD
    wrong, unplaced = [], []
    for name, expected in truth["fields"].items():
        field = getattr(doc.fields, name, None)
        got = None if field is None else field.value
        if not _same(name, got, expected):
            wrong.append(f"{name}: read {got!r}, printed {expected!r}")
        elif expected is not None and (field is None or field.page is None or field.bbox is None):
            unplaced.append(name)
    assert not wrong, "\n".join(wrong)
    assert not unplaced, f"no box for {unplaced}"
    page = doc.fields.invoice_no.page  # type: ignore[attr-defined]
    x0, y0, x1, y1 = doc.fields.invoice_no.bbox  # type: ignore[attr-defined]
    assert page == 1 and 0 <= x0 < x1 and 0 <= y0 < y1


@pytest.mark.parametrize("truth", _truths(), ids=lambda t: t["file"])
def test_the_qr_code_of_a_real_ofd_invoice_agrees_with_its_print(truth: dict[str, Any],
                                                                 read: dict[str, Document]) -> None:
    qr = read[truth["file"]].qr
    assert qr is not None, "no QR code decoded or given"
    fields = truth["fields"]
    assert qr.number == fields["invoice_no"]
    assert qr.code == fields["invoice_code"]
    assert qr.date is not None and qr.date.isoformat() == fields["issue_date"]
    assert qr.digital == (fields["invoice_code"] is None)
    assert qr.amount == Decimal(fields[qr.amount_field])
    if truth.get("check_code"):
        assert qr.check_code == truth["check_code"]
