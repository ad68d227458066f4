"""大写 amounts: real-world spellings both ways, and a round trip over many amounts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractors.cnnum import amount_to_words, words_to_amount

CASES = [
    ("100200000", "壹亿零贰拾万元整"),
    ("96000000", "玖仟陆佰万元整"),
    ("30.05", "叁拾元零伍分"),
    ("27", "贰拾柒元整"),
    ("100000001", "壹亿零壹元整"),
    ("100005000", "壹亿零伍仟元整"),
    ("10", "壹拾元整"),
    ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
    ("0.50", "伍角"),
    ("35510400", "叁仟伍佰伍拾壹万零肆佰元整"),
]


@pytest.mark.parametrize(("figure", "words"), CASES)
def test_figures_to_words(figure: str, words: str) -> None:
    assert amount_to_words(Decimal(figure)) == words


@pytest.mark.parametrize(("figure", "words"), CASES)
def test_words_to_figures(figure: str, words: str) -> None:
    assert words_to_amount(words) == Decimal(figure)


@pytest.mark.parametrize(
    ("text", "figure"),
    [
        ("人民币玖仟陆佰万元整", "96000000"),
        ("ⓧ壹佰玖拾元零壹角玖分", "190.19"),
        ("⊗贰拾柒圆整", "27"),
        ("壹拾万零柒仟元伍角叁分", "107000.53"),
        ("壹拾万柒仟元伍角叁分", "107000.53"),
        ("叁仟伍佰伍拾壹万零肆佰圆正", "35510400"),
        ("九千六百万元整", "96000000"),  # plain numerals, as OCR sometimes returns them
    ],
)
def test_variant_spellings(text: str, figure: str) -> None:
    assert words_to_amount(text) == Decimal(figure)


@pytest.mark.parametrize("text", ["", "整", "合同总金额", "壹佰元ABC", "元整"])
def test_not_an_amount(text: str) -> None:
    assert words_to_amount(text) is None


def test_older_invoice_style() -> None:
    assert amount_to_words(Decimal("190.19"), yuan="圆", zero_before_jiao=True) == "壹佰玖拾圆零壹角玖分"


@given(st.integers(min_value=0, max_value=10**15 - 1), st.booleans(), st.sampled_from("元圆"))
def test_round_trip(fen: int, zero: bool, yuan: str) -> None:
    amount = Decimal(fen) / 100
    assert words_to_amount(amount_to_words(amount, yuan=yuan, zero_before_jiao=zero)) == amount


def test_two_digits_without_a_unit_are_not_an_amount() -> None:
    assert words_to_amount("叁肆元") is None
    assert words_to_amount("壹佰零伍元") == Decimal("105")
