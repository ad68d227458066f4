"""The parsers never crash on arbitrary text: money, 大写, dates, periods, credit codes, the
manifest. Text is drawn from what documents hold (digits, 大写 numerals, separators, date
words, CJK) as well as from anything at all, so the interesting paths are reached."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors import parsers
from extractors.cnnum import words_to_amount
from intake.manifest import ManifestError, applicant_name_of, parse_manifest

DOCUMENT_CHARS = st.sampled_from(list(
    "0123456789０１２３４５６７８９.,，。:：-/~～至年月日号元圆角分整零壹贰叁肆伍陆柒捌玖拾佰仟万亿"
    "一二三四五六七八九十廿卅〇¥￥%％ OIlSB()（）[]{}\n\t税率合计人民币大写小写91110108MA01"))
DOCUMENT_TEXT = st.one_of(st.text(DOCUMENT_CHARS, max_size=60), st.text(max_size=60))
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(DOCUMENT_TEXT)
def test_money_parsers_never_crash(text: str) -> None:
    value = parsers.text_to_amount(text)
    assert value is None or isinstance(value, Decimal)
    for amount, start, end in parsers.text_to_amounts(text):
        assert isinstance(amount, Decimal) and 0 <= start <= end <= len(text)
    words = words_to_amount(text)
    assert words is None or (isinstance(words, Decimal) and words >= 0)
    parsers.split_amount_and_rate(text)
    parsers.split_glued_cells(text)


@FUZZ
@given(DOCUMENT_TEXT)
def test_date_and_period_parsers_never_crash(text: str) -> None:
    found = parsers.text_to_date(text)
    assert found is None or isinstance(found, date)
    for day, start, end in parsers.text_to_dates(text):
        assert isinstance(day, date) and 0 <= start <= end <= len(text)
    period = parsers.text_to_period(text)
    assert period is None or (isinstance(period[0], date) and isinstance(period[1], date))


@FUZZ
@given(DOCUMENT_TEXT)
def test_number_and_code_parsers_never_crash(text: str) -> None:
    parsers.text_to_int(text)
    parsers.text_to_quantity(text)
    rate = parsers.text_to_rate(text)
    assert rate is None or isinstance(rate, Decimal)
    for code, start, end in parsers.find_usccs(text):
        assert len(code) == 18 and 0 <= start <= end <= len(text)
    fixed = parsers.normalize_uscc(text)
    assert fixed is None or len(fixed) == 18
    assert isinstance(parsers.uscc_is_valid(text), bool)


YAML_CHARS = st.sampled_from(list("abcdefg_:-[]{}'\"#&*!|>%@`\n  \t0123456789.年月日名称有限公司"))
MANIFEST_TEXT = st.one_of(st.text(YAML_CHARS, max_size=200), st.text(max_size=200))


@FUZZ
@given(MANIFEST_TEXT)
def test_the_manifest_parser_raises_only_its_own_chinese_error(text: str) -> None:
    try:
        parse_manifest(text, "APP-FUZZ")
    except ManifestError as exc:
        assert str(exc) and not any(w in str(exc) for w in ("Traceback", "Error:", "Exception"))
    name = applicant_name_of(text)
    assert name is None or isinstance(name, str)
