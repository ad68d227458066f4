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


# --- recognised by what the document holds ---------------------------------------------------


def _lines(*texts: str) -> list[Page]:
    """A page of 12 pt lines, a word for each run between spaces; the first line is the title,
    set larger."""
    words = []
    for i, line in enumerate(texts):
        x, size = 60.0, 18 if i == 0 else 12
        for part in line.split(" "):
            words.append(Word(text=part, bbox=(x, 40 + 24 * i, x + size * len(part), 40 + 24 * i + size),
                              confidence=1.0))
            x += size * (len(part) + 1)
    return [Page(number=1, width=900, height=842, source=Source.TEXT, words=words)]


def _recognised(said: DocType, pages: list[Page]) -> DocType:
    from extractors.layout import DocText
    from extractors.recognise import recognise
    from policy.rules import load_rules
    return recognise(said, pages, load_rules(), DocText.from_pages(pages))[0]


def test_a_letter_titled_only_as_an_explanation_is_recognised_by_what_it_certifies() -> None:
    pages = _lines("情况说明",
                   "我公司 北京测试算力科技有限公司 （统一社会信用代码： 91110108MA01ABCD3X ）与",
                   "北京申报人工智能有限公司 签订了编号为 CS-2024-0001 的算力服务合同，",
                   "算力规模： NVIDIA H100 × 256 卡， 租赁期限自 2024 年 7 月 1 日至 2025 年 6 月 30 日。",
                   "特此说明。")
    assert classify(pages).doc_type is DocType.OTHER
    assert _recognised(DocType.OTHER, pages) is DocType.SUPPLIER_CERTIFICATE


def test_content_that_fits_no_type_clearly_stays_other_and_a_title_stands() -> None:
    pages = _lines("会议纪要", "与会人员讨论了下季度的工作安排。", "日期：2025 年 3 月 1 日")
    assert _recognised(DocType.OTHER, pages) is DocType.OTHER
    # a title's type is kept where the content does not hold every essential of another type
    assert _recognised(DocType.COMMITMENT, pages) is DocType.COMMITMENT
