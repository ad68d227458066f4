"""A page scanned sideways or upside down is read the right way up, by either engine, and
says it was turned; an upright page is read once."""

from __future__ import annotations

import functools
import io

import pytest
from PIL import Image

from checking.steps import document_of
from model.base import DocType
from model.document import Document
from policy.rules import load_rules
from reading.session import Reader
from tests.sample_docs.corpus import inbox_files, truths


def _settlement_scan() -> tuple[bytes, dict[str, object]]:
    for truth in truths():
        if not truth["clean"]:
            continue
        for name, f in truth["files"].items():
            if f["scan"] == "jpg" and f["doc_type"] == "settlement":
                return dict(inbox_files(truth["application_id"]))[name], f["fields"]
    raise AssertionError("the corpus has no scanned settlement statement")


@pytest.fixture(scope="module")
def scan() -> tuple[Image.Image, dict[str, object]]:
    data, fields = _settlement_scan()
    return Image.open(io.BytesIO(data)).convert("RGB"), fields


def _read(image: Image.Image, engine: str) -> Document:
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=90)
    return _read_bytes(buf.getvalue(), engine)


@functools.cache
def _read_bytes(data: bytes, engine: str) -> Document:
    """A scan as ``engine`` reads it: the upright page is read once per engine."""
    rules = load_rules()
    return document_of(Reader(rules, engine_name=engine).read("结算单.jpg", data), rules)


@pytest.mark.parametrize(("engine", "turn"), [("rapidocr", 180), ("rapidocr", 90), ("tesseract", 180)])
def test_a_turned_scan_is_read_upright(scan: tuple[Image.Image, dict[str, object]], engine: str,
                                       turn: int) -> None:
    image, _fields = scan
    upright = _read(image, engine)
    doc = _read(image.rotate(turn, expand=True), engine)  # PIL turns counter-clockwise
    assert upright.turns == {} and not upright.notes
    assert doc.turns == {1: turn}
    assert doc.notes and "已转正后读取" in doc.notes[0]
    assert doc.doc_type is upright.doc_type is DocType.SETTLEMENT
    values = {name: f.value for name, f in upright.fields if f is not None}
    again = {name: f.value for name, f in doc.fields if f is not None}
    same = [name for name, value in values.items() if again.get(name) == value]
    assert len(same) >= 0.6 * len(values), (values, again)  # OCR differs a little on a turned image
