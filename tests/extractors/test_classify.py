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
    from extractors.classify import Classification
    from extractors.layout import DocText
    from extractors.recognise import recognise
    from policy.rules import load_rules
    said_by = Classification(said, 1.0, {said: 1.0})
    return recognise(said_by, pages, load_rules(), DocText.from_pages(pages))[0]


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


def test_a_tall_line_of_running_text_is_no_title() -> None:
    """On a photo, OCR boxes a long line of prose taller than the short words around it: the
    contract it cites in passing does not make the letter a contract."""
    words = [Word(text="算力服务费用确认函", bbox=(200, 40, 380, 58), confidence=0.98),
             Word(text="根据贵司与我司签订的《智能算力服务合同》（合同编号：AB-2024-001），我司于",
                  bbox=(40, 80, 560, 100), confidence=0.97),
             *(Word(text=t, bbox=(40 + 60 * i, 120, 90 + 60 * i, 132), confidence=0.97)
               for i, t in enumerate(("服务期间", "数量", "单价", "金额", "合计", "日期")))]
    pages = [Page(number=1, width=600, height=842, source=Source.OCR, words=words)]
    assert classify(pages).scores[DocType.CONTRACT] < 6


def test_content_tells_the_type_and_says_how_sure() -> None:
    from extractors.classify import Classification
    from extractors.layout import DocText
    from extractors.recognise import recognise
    from model.base import TypedBy
    from policy.rules import load_rules
    pages = _lines("情况说明",
                   "我公司 北京测试算力科技有限公司 （统一社会信用代码： 91110108MA01ABCD3X ）与",
                   "北京申报人工智能有限公司 签订了编号为 CS-2024-0001 的算力服务合同，",
                   "算力规模： NVIDIA H100 × 256 卡， 租赁期限自 2024 年 7 月 1 日至 2025 年 6 月 30 日。")

    def typed(scores: dict[DocType, float]) -> tuple[DocType, TypedBy | None]:
        said = Classification(DocType.OTHER, 0.5, scores)
        found = recognise(said, pages, load_rules(), DocText.from_pages(pages))
        return found[0], found[1]

    assert typed({}) == (DocType.SUPPLIER_CERTIFICATE, TypedBy.CONTENT)  # every essential, far ahead
    # its words lean the same way, too weakly to tell the type alone: told by its wording
    assert typed({DocType.SUPPLIER_CERTIFICATE: 2.0, DocType.CONTRACT: 1.0})[1] is TypedBy.WORDING
    half = _lines("情况说明",
                  "我公司 北京测试算力科技有限公司 与 北京申报人工智能有限公司",
                  "签订了编号为 CS-2024-0001 的合同，",
                  "算力规模： NVIDIA H100 × 256 卡。")
    found = recognise(Classification(DocType.OTHER, 0.5, {}), half, load_rules(), DocText.from_pages(half))
    assert found[:2] == (DocType.SUPPLIER_CERTIFICATE, TypedBy.RESEMBLANCE)  # no lease: part only
