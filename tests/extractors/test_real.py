"""Real e-invoices nobody here wrote (``../shared/real``), against truth labelled by hand
(``tests/real/truth``): every key field read right from the text layer, and most of them
from 200-dpi renderings of the same pages turned slightly and made noisy, by OCR."""

from __future__ import annotations

import functools
import io
import json
import random
from decimal import Decimal
from typing import Any

import cv2
import numpy as np
import pytest
from PIL import Image

from checking.steps import document_of
from model.document import Document, Party
from policy.rules import load_rules
from reading.pdfium import render_all
from reading.session import Reader
from tests.conftest import ROOT

REAL = ROOT.parent / "shared" / "real"
TRUTH = ROOT / "tests" / "real" / "truth"
KEY_FIELDS = ("invoice_no", "issue_date", "buyer", "seller", "amount_ex_tax", "tax_amount", "total_amount",
              "total_in_words")
SCAN_SHARE = 0.9
"""Of the key fields on the renderings, the share that must be right."""

pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason="../shared/real is not here")


def _truths() -> list[dict[str, Any]]:
    found = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(TRUTH.glob("*.json"))]
    return [t for t in found if t["doc_type"] == "invoice" and t["file"].endswith(".pdf")]


@functools.cache
def _reader() -> Reader:
    return Reader(load_rules())


def _read(name: str, data: bytes) -> Document:
    reader = _reader()
    return document_of(reader.read(name, data), reader.rules)


def _value(doc: Document, name: str) -> Any:
    field = getattr(doc.fields, name, None)
    return None if field is None else field.value


def _same(got: Any, expected: Any) -> bool:
    if expected is None:
        return got is None
    if isinstance(got, Party):
        return got.name == expected["name"] and got.uscc == expected["uscc"]
    if isinstance(got, Decimal):
        return got == Decimal(expected)
    return str(got) == str(expected)


def _wrong(doc: Document, truth: dict[str, Any]) -> list[str]:
    return [f"{name}: read {_value(doc, name)!r}, printed {truth['fields'][name]!r}"
            for name in KEY_FIELDS if not _same(_value(doc, name), truth["fields"][name])]


def _scanned(pdf: bytes, seed: int) -> bytes:
    """The first page at 200 dpi as a scanner gives it back: turned by up to 1.5°, a little
    blur and noise, saved as JPEG."""
    rng = random.Random(seed)
    page = np.asarray(render_all(pdf, 200 / 72)[0])
    h, w = page.shape[:2]
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), rng.uniform(-1.5, 1.5), 1.0)
    page = cv2.warpAffine(page, turn, (w, h), borderValue=(255, 255, 255))
    page = cv2.GaussianBlur(page, (0, 0), 0.6)
    noise = np.random.default_rng(seed).normal(0, 6, page.shape)
    page = np.clip(page.astype(np.float64) + noise, 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(page).save(buf, "JPEG", quality=80)
    return buf.getvalue()


def test_there_are_real_pdf_invoices_to_read() -> None:
    assert len(_truths()) >= 5


@pytest.mark.parametrize("truth", _truths(), ids=lambda t: t["file"].split("/")[0])
def test_every_key_field_of_a_real_e_invoice_is_read_from_its_text_layer(truth: dict[str, Any]) -> None:
    path = REAL / truth["file"]
    doc = _read(path.name, path.read_bytes())
    assert doc.doc_type.value == "invoice" and doc.read_by is not None and doc.read_by.value == "text"
    assert _wrong(doc, truth) == []


@pytest.mark.slow
def test_most_key_fields_are_read_from_noisy_turned_renderings() -> None:
    right = total = 0
    misses: list[str] = []
    for i, truth in enumerate(_truths()):
        path = REAL / truth["file"]
        doc = _read(path.stem + ".jpg", _scanned(path.read_bytes(), i))
        wrong = _wrong(doc, truth)
        total += len(KEY_FIELDS)
        right += len(KEY_FIELDS) - len(wrong)
        misses += [f"{path.name[:24]} {w}" for w in wrong]
    assert right / total >= SCAN_SHARE, "\n".join(misses)


def _invoice_truths() -> list[dict[str, Any]]:
    """Every real invoice labelled by hand that is a PDF or an image (the OFD files have
    their own test)."""
    found = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(TRUTH.glob("*.json"))]
    return [t for t in found if t["doc_type"] == "invoice" and not t["file"].endswith(".ofd")]


@pytest.mark.parametrize("truth", _invoice_truths(), ids=lambda t: t["file"].rpartition("/")[2][:30])
def test_the_qr_code_of_a_real_invoice_decodes_and_agrees_with_what_it_prints(truth: dict[str, Any]) -> None:
    path = REAL / truth["file"]
    doc = _read(path.name, path.read_bytes())
    fields = truth["fields"]
    if "qr" in truth and truth["qr"] is None:
        pytest.skip("the label says the page prints no QR code")
    assert doc.qr is not None, "no QR code decoded"
    assert doc.qr.page == 1 and doc.qr.bbox is not None
    assert doc.qr.number == fields["invoice_no"]
    assert doc.qr.date is not None and doc.qr.date.isoformat() == fields["issue_date"]
    assert doc.qr.amount == Decimal(fields[doc.qr.amount_field])
