"""Secrecy markings: real markings found, ordinary wording (商业秘密, 保密) left alone."""

from __future__ import annotations

import pytest

from extractors.layout import DocText
from extractors.markings import find_markings
from model.base import Source
from model.document import Page, Word
from policy.rules import load_rules
from tests.extractors.test_classify import _pages
from tests.sample_docs.corpus import inbox_files, text_pdf, truths


def _doc(*lines: str) -> DocText:
    words = [Word(text=t, bbox=(60, 60 + 20 * i, 60 + 11 * len(t), 72 + 20 * i), confidence=1.0)
             for i, t in enumerate(lines)]
    return DocText.from_pages([Page(number=1, width=595, height=842, source=Source.TEXT, words=words)])


@pytest.mark.parametrize(("lines", "expected"), [
    (("机密★1年", "算力使用情况说明"), ["机密★1年"]),
    (("绝密★长期",), ["绝密★长期"]),
    (("密级：秘密", "关于算力采购的说明"), ["密级：秘密"]),
    (("秘密",), ["秘密"]),
    (("双方对在合作过程中知悉的对方商业秘密及技术信息负有保密义务。",), []),
    (("所有材料已经脱密处理，如有发生涉密资料（载体）泄露，愿意承担有关保密责任。",), []),
    (("本合同中的机密信息应妥善保管，不得向第三方披露。",), []),
])
def test_markings(lines: tuple[str, ...], expected: list[str]) -> None:
    found = find_markings(_doc(*lines), load_rules().secrecy)
    assert [m.text for m in found] == expected
    assert all(m.page == 1 and m.bbox is not None for m in found)


def test_only_the_planted_marking_is_found_in_the_corpus() -> None:
    secrecy = load_rules().secrecy
    hits = []
    for t in truths():
        for name, f in t["files"].items():
            if text_pdf(f) and not f.get("unreadable"):
                data = dict(inbox_files(t["application_id"]))[name]
                if find_markings(DocText.from_pages(_pages(data)), secrecy):
                    hits.append(t["application_id"])
    planted = [t["application_id"] for t in truths() if "CLASSIFIED_MARKING" in t["expected_codes"]]
    assert hits == planted
