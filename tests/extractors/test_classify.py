"""Document types from content alone, on every text-layer file of the corpus."""

from __future__ import annotations

import io

import pdfplumber
import pytest

from extractors.classify import classify
from model.base import DocType, Source
from model.document import Page, Word
from tests.sample_docs.corpus import inbox_files, text_pdf, truths

TEXT_FILES = [(t["application_id"], n, f["doc_type"]) for t in truths() for n, f in t["files"].items()
              if text_pdf(f) and not f.get("unreadable")]


def _pages(data: bytes) -> list[Page]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [Page(number=i, width=float(p.width), height=float(p.height), source=Source.TEXT,
                     words=[Word(text=w["text"], bbox=(w["x0"], w["top"], w["x1"], w["bottom"]),
                                 confidence=1.0) for w in p.extract_words()])
                for i, p in enumerate(pdf.pages, 1)]


@pytest.mark.parametrize(("app_id", "name", "doc_type"), TEXT_FILES,
                         ids=[f"{a}/{n}" for a, n, _ in TEXT_FILES])
def test_text_documents_are_typed_by_content(app_id: str, name: str, doc_type: str) -> None:
    assert classify(_pages(dict(inbox_files(app_id))[name])).doc_type.value == doc_type


def test_unknown_content_is_other() -> None:
    page = Page(number=1, width=595, height=842, source=Source.TEXT, words=[
        Word(text="会议纪要", bbox=(200, 50, 300, 70), confidence=1.0),
        Word(text="与会人员讨论了下季度的工作安排。", bbox=(60, 120, 400, 132), confidence=1.0)])
    assert classify([page]).doc_type is DocType.OTHER
    assert classify([]).doc_type is DocType.OTHER
