"""The label lexicon as data: every entry compiles, and each mode stands as documents use it."""

from __future__ import annotations

import pytest
import yaml

from extractors.lexicon import LEXICON, LexiconError, compile_entry, label


def test_every_entry_of_the_lexicon_compiles() -> None:
    data = yaml.safe_load(LEXICON.read_text(encoding="utf-8"))
    keys = [f"{doc}.{name}" for doc, fields in data.items() for name in fields]
    assert len(keys) > 40
    for key in keys:
        assert label(key).pattern


@pytest.mark.parametrize("text, found", [
    ("单位（签章）：北京知川数字科技有限公司", "单位（签章）："),
    ("承诺单位(盖章)：北京某某科技有限公司", "承诺单位(盖章)："),
    ("本单位拟申请2025年北京市高精尖产业发展资金", None),  # 单位 in prose is no label
    ("申报单位：北京某某科技有限公司", "申报单位："),
])
def test_a_form_label_needs_its_colon_and_stands_alone(text: str, found: str | None) -> None:
    m = label("commitment.company").search(text)
    assert (m.group(0) if m else None) == found


def test_a_standalone_label_is_not_the_tail_of_another_word() -> None:
    name = label("invoice.name")
    assert name.search("项目名称 规格型号") is None
    assert name.search("名称：广州华栈天城科技有限公司") is not None
    assert name.search("名 称：某某") is not None  # OCR spaced it out


def test_longer_spellings_win() -> None:
    assert label("contract.total_amount").search("合同总金额：100元").group(0) == "合同总金额"


def test_a_role_takes_a_note_or_a_colon() -> None:
    role = label("supplier_certificate.supplier")
    assert role.search("证明单位（盖章）：杭州某某科技有限公司") is not None
    assert role.search("算力供给企业：杭州某某科技有限公司") is not None
    assert role.search("算力供给企业的相关要求") is None


def test_an_entry_without_one_mode_is_refused() -> None:
    with pytest.raises(LexiconError):
        compile_entry({"phrase": ["a"], "form": ["b"]}, "x.y")
    with pytest.raises(LexiconError):
        compile_entry({"phrase": []}, "x.y")
    with pytest.raises(LexiconError):
        label("invoice.no_such_field")
