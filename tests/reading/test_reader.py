"""The reader: text layer where it can be trusted, errors recorded for files it cannot open."""

from __future__ import annotations

import io

import pytest
from reportlab.pdfgen.canvas import Canvas

from model.base import Source
from model.document import Word
from policy.rules import load_rules
from reading.reader import text_layer_usable
from reading.session import Reader
from tests.sample_docs.corpus import inbox_files, truths


def _no_ocr() -> None:
    raise AssertionError("a text-layer page must not be sent to OCR")


@pytest.fixture(scope="module")
def reader() -> Reader:
    return Reader(load_rules())


def _first(kind: str | None, doc_type: str) -> tuple[str, bytes, dict]:
    for t in truths():
        for name, f in t["files"].items():
            if f["scan"] == kind and f["doc_type"] == doc_type:
                return name, dict(inbox_files(t["application_id"]))[name], f
    raise LookupError(kind)


def test_text_pdf_is_read_from_its_text_layer_with_seals(reader: Reader) -> None:
    name, data, truth = _first(None, "contract")
    reader._engine = None
    doc = reader.read(name, data)
    assert not doc.errors
    assert doc.read_by is Source.TEXT
    assert all(p.source is Source.TEXT and p.unit == "pt" for p in doc.pages)
    text = "".join(w.text for p in doc.pages for w in p.words)
    assert truth["fields"]["contract_no"] in text
    assert len(doc.seals) == len(truth["seals"])
    for page in doc.pages:
        for w in page.words:
            x0, y0, x1, y1 = w.bbox
            assert 0 <= x0 <= x1 <= page.width and 0 <= y0 <= y1 <= page.height


def _pdf(**kw: str) -> bytes:
    buf = io.BytesIO()
    c = Canvas(buf, **kw)  # type: ignore[arg-type]
    c.drawString(100, 700, "hello")
    c.save()
    return buf.getvalue()


def test_broken_encrypted_and_empty_pdfs_are_errors(reader: Reader) -> None:
    truncated = reader.read("补充材料.pdf", b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog")
    assert truncated.errors and not truncated.pages
    locked = reader.read("加密.pdf", _pdf(encrypt="secret"))
    assert locked.errors and "加密" in locked.errors[0]
    assert reader.read("空.pdf", b"").errors == ["文件为空（0 字节）"]


def test_unusable_text_layers_go_to_ocr() -> None:
    words = [Word(text="(cid:12)(cid:13)(cid:14)(cid:15)", bbox=(0, 0, 10, 10), confidence=1)] * 10
    assert not text_layer_usable(words, " ".join(w.text for w in words), 0.0)
    assert not text_layer_usable([], "", 0.0)
    good = "本合同算力服务期限自2024年7月1日起至2025年6月30日止。" * 3
    assert text_layer_usable([], good, 0.0)
    assert not text_layer_usable([], good[:30], 0.9)  # a scan with a thin stamped text layer
