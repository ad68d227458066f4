"""application.yaml as people write it by hand: codes stay the text written, amounts are exact,
and every problem is a ManifestError in Chinese naming the key (list items counted from 1)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intake.manifest import (
    Applicant,
    Manifest,
    ManifestError,
    applicant_name_of,
    key_of,
    parse_manifest,
    problem_of,
)
from model.base import Direction
from model.document import Party

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "application.example.yaml"

GOOD = {
    "application_id": "APP-2025-0001",
    "name": "北京星河智算科技有限公司",
    "uscc": "91110108MA01XXXXXX",
    "direction": "model_training",
    "application_date": "2025-07-15",
    "contract_no": "XH-SL-2024-018",
    "supplier": "上海算力云服务有限公司",
    "amount": "96000000.00",
    "other_subsidies": "0",
    "extra": "",
}
TEMPLATE = """application_id: {application_id}
applicant:
  name: {name}
  uscc: {uscc}
direction: {direction}
application_date: {application_date}
contracts:
  - contract_no: {contract_no}
    supplier: {supplier}
    amount: {amount}
    other_subsidies: {other_subsidies}
{extra}"""
MAAS = "maas:\n  daily_tokens: {daily_tokens}\n  served_companies: {served_companies}\n"
AGENT = "agent:\n  filing_no: {filing_no}\n  daily_active_users: {daily_active_users}\n"


def manifest_text(**values: str) -> str:
    """A good manifest with some values replaced, each exactly as it would be written."""
    return TEMPLATE.format(**{**GOOD, **values})


def parse(**values: str) -> Manifest:
    return parse_manifest(manifest_text(**values), "APP-FOLDER")


def problem(text: str) -> str:
    """The message of the ManifestError that ``text`` raises, checked to be Chinese only."""
    with pytest.raises(ManifestError) as caught:
        parse_manifest(text, "APP-FOLDER")
    message = str(caught.value)
    assert_chinese(message)
    return message


def assert_chinese(message: str) -> None:
    assert re.search(r"[\u4e00-\u9fff]", message), message
    for english in ("Input should", "Value error", "Error", "Exception", "field required", "while ",
                    "found ", "expected ", "could not", "mapping values"):
        assert english not in message, message


# --- text stays text ---------------------------------------------------------------------


@pytest.mark.parametrize(("field", "written", "expected"), [
    ("uscc", "914201007483062457", "914201007483062457"),
    ("uscc", "'914201007483062457'", "914201007483062457"),
    ("uscc", '"91110108MA01XXXXXX"', "91110108MA01XXXXXX"),
    ("contract_no", "0012", "0012"),
    ("contract_no", "2024-05-01", "2024-05-01"),
    ("contract_no", "1e5", "1e5"),
    ("contract_no", "0x1F", "0x1F"),
    ("contract_no", "12_000", "12_000"),
    ("contract_no", "1.50", "1.50"),
    ("contract_no", "yes", "yes"),
    ("contract_no", ".inf", ".inf"),
    ("supplier", "12345", "12345"),
    ("name", "007", "007"),
    ("application_id", "0012", "0012"),
])
def test_codes_and_names_are_the_text_written(field: str, written: str, expected: str) -> None:
    m = parse(**{field: written})
    got = {"uscc": m.applicant.uscc, "name": m.applicant.name, "application_id": m.application_id,
           "contract_no": m.contracts[0].contract_no, "supplier": m.contracts[0].supplier}[field]
    assert type(got) is str
    assert got == expected


@given(st.from_regex(r"\d{18}", fullmatch=True))
def test_any_18_digit_code_written_unquoted_comes_back_identical(code: str) -> None:
    assert parse(uscc=code).applicant.uscc == code


def test_agent_filing_number_is_the_text_written() -> None:
    extra = AGENT.format(filing_no="1e5", daily_active_users="65000")
    m = parse(direction="agent", extra=extra)
    assert m.agent is not None
    assert m.agent.filing_no == "1e5"
    assert m.agent.daily_active_users == 65000


def test_a_missing_application_id_is_the_folder_name() -> None:
    text = manifest_text().replace("application_id: APP-2025-0001\n", "")
    assert parse_manifest(text, "APP-FOLDER").application_id == "APP-FOLDER"


# --- amounts, counts, dates: exact ---------------------------------------------------------


@pytest.mark.parametrize("written", [
    "96000000", "96000000.00", "96000000.0", '"96,000,000.00"', "96,000,000.00", "'96000000.00'",
    "96,000,000", "96_000_000.00", "+96000000.00",
])
def test_amount_forms_are_read_exactly(written: str) -> None:
    amount = parse(amount=written).contracts[0].amount
    assert isinstance(amount, Decimal)
    assert amount == Decimal("96000000.00")


def test_an_amount_keeps_its_fen() -> None:
    assert parse(amount="96000000.10").contracts[0].amount == Decimal("96000000.10")
    assert parse(other_subsidies="1,234.56").contracts[0].other_subsidies == Decimal("1234.56")


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999999999.99"), places=2))
@settings(max_examples=50)
def test_any_amount_in_any_accepted_form_is_exact(value: Decimal) -> None:
    for written in (f"{value:f}", f"{value:,.2f}", f'"{value:,.2f}"'):
        assert parse(amount=written).contracts[0].amount == value


@pytest.mark.parametrize("written", ["1200000000000", '"1,200,000,000,000"', "1,200,000,000,000"])
def test_count_forms_are_read_exactly(written: str) -> None:
    m = parse(direction="maas", extra=MAAS.format(daily_tokens=written, served_companies="620"))
    assert m.maas is not None
    assert m.maas.daily_tokens == 1_200_000_000_000
    assert type(m.maas.daily_tokens) is int
    assert m.maas.served_companies == 620


@pytest.mark.parametrize("written", ["2025-07-15", "'2025-07-15'", "2025-7-15"])
def test_dates_are_dates(written: str) -> None:
    assert parse(application_date=written).application_date == date(2025, 7, 15)


@pytest.mark.parametrize("written", ["maas", "'maas'"])
def test_direction_is_the_enum(written: str) -> None:
    assert parse(direction=written).direction is Direction.MAAS


def test_anchors_and_aliases_still_work() -> None:
    text = manifest_text(other_subsidies="&zero 0.00", extra=(
        "  - contract_no: B-2\n    supplier: 乙公司\n    amount: 1000\n    other_subsidies: *zero\n"))
    m = parse_manifest(text, "APP-FOLDER")
    assert [c.other_subsidies for c in m.contracts] == [Decimal(0), Decimal(0)]


def test_python_callers_still_pass_typed_values() -> None:
    m = Manifest.model_validate({
        "applicant": Party(name="甲公司", uscc="91110108MA01XXXXXX"), "direction": Direction.AGENT,
        "application_date": date(2025, 7, 15),
        "contracts": [{"contract_no": "A-1", "supplier": "乙公司", "amount": Decimal("96000000.0000"),
                       "other_subsidies": 0}],
        "agent": {"filing_no": "F-1", "daily_active_users": 65_000},
    })
    assert isinstance(m.applicant, Applicant)
    assert m.contracts[0].amount == Decimal("96000000")
    assert m.application_date == date(2025, 7, 15)


# --- the example file ---------------------------------------------------------------------


def test_the_example_file_is_a_good_manifest() -> None:
    m = parse_manifest(EXAMPLE.read_text(encoding="utf-8"), "APP-FOLDER")
    assert m.applicant.name == "北京星河智算科技有限公司"
    assert m.direction is Direction.MODEL_TRAINING
    assert m.application_date == date(2025, 7, 15)
    assert [c.contract_no for c in m.contracts] == ["XH-SL-2024-018", "0012"]
    assert [c.amount for c in m.contracts] == [Decimal("96000000.00"), Decimal("12000000")]


@pytest.mark.parametrize("direction", ["maas", "agent"])
def test_the_example_files_commented_blocks_are_good_too(direction: str) -> None:
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    start = end = lines.index(f"# {direction}:")
    while end + 1 < len(lines) and lines[end + 1].startswith("#   "):
        end += 1
    uncommented = lines[:start] + [line[2:] for line in lines[start:end + 1]] + lines[end + 1:]
    text = "\n".join(uncommented).replace("direction: model_training", f"direction: {direction}")
    m = parse_manifest(text, "APP-FOLDER")
    assert m.direction.value == direction
    assert (m.maas if direction == "maas" else m.agent) is not None


# --- every problem: Chinese, the key named, the value quoted --------------------------------


@pytest.mark.parametrize(("values", "expected"), [
    ({"application_date": "2025-13-45"}, "申报表 application_date 不是有效日期：2025-13-45"),
    ({"application_date": "2025-02-30"}, "申报表 application_date 不是有效日期：2025-02-30"),
    ({"application_date": "2025/07/15"}, "申报表 application_date 不是有效日期：2025/07/15"),
    ({"application_date": "2025-07-15 10:00:00"}, "申报表 application_date 不是有效日期"),
    ({"amount": "abc"}, "申报表 contracts[1].amount 不是有效金额：abc（应为数字，如 96000000.00）"),
    ({"amount": "-5"}, "申报表 contracts[1].amount 不能为负数：-5"),
    ({"amount": "0"}, "申报表 contracts[1].amount 应大于零：0"),
    ({"amount": "0.00"}, "申报表 contracts[1].amount 应大于零：0.00"),
    ({"amount": "9.6e7"}, "申报表 contracts[1].amount 不是有效金额：9.6e7"),
    ({"amount": '"9.6e7"'}, "申报表 contracts[1].amount 不是有效金额：9.6e7"),
    ({"amount": "九千六百万"}, "申报表 contracts[1].amount 不是有效金额：九千六百万"),
    ({"amount": "玖仟陆佰万元"}, "申报表 contracts[1].amount 不是有效金额：玖仟陆佰万元"),
    ({"amount": "true"}, "申报表 contracts[1].amount 不是有效金额：true"),
    ({"amount": ".nan"}, "申报表 contracts[1].amount 不是有效金额：.nan"),
    ({"amount": "96,00,000.00"}, "申报表 contracts[1].amount 不是有效金额：96,00,000.00"),
    ({"amount": "96000000.001"}, "申报表 contracts[1].amount 最多两位小数"),
    ({"amount": "1" * 30}, "申报表 contracts[1].amount 金额过大"),
    ({"amount": "[1, 2]"}, "申报表 contracts[1].amount 应为单个值，实为 列表"),
    ({"amount": ""}, "申报表 contracts[1].amount 未填写"),
    ({"other_subsidies": "-1"}, "申报表 contracts[1].other_subsidies 不能为负数：-1"),
    ({"direction": "training"},
     "申报表 direction 不是可选的方向：training（应为 model_training、maas 或 agent 之一）"),
    ({"direction": "大模型训练"}, "申报表 direction 不是可选的方向：大模型训练"),
    ({"uscc": ""}, "申报表 applicant.uscc 未填写"),
    ({"uscc": "''"}, "申报表 applicant.uscc 不能为空"),
    ({"uscc": "{a: 1}"}, "申报表 applicant.uscc 应为文本，实为 键值映射"),
    ({"contract_no": "''"}, "申报表 contracts[1].contract_no 不能为空"),
    ({"name": "''"}, "申报表 applicant.name 不能为空"),
    ({"extra": "foo: 1\n"}, "申报表中有未知的项 foo"),
    ({"extra": "maas: 5\n"}, "申报表 maas 应为键值映射，实为 文本：5"),
])
def test_bad_values_are_named_in_chinese(values: dict[str, str], expected: str) -> None:
    assert expected in problem(manifest_text(**values))


@pytest.mark.parametrize(("written", "expected"), [
    ("-5", "申报表 maas.daily_tokens 不能为负数：-5"),
    ("1.5", "申报表 maas.daily_tokens 应为整数，不能有小数：1.5"),
    ("1,200.5", "申报表 maas.daily_tokens 应为整数，不能有小数：1,200.5"),
    ("1e12", "申报表 maas.daily_tokens 不是有效整数：1e12"),
    ("abc", "申报表 maas.daily_tokens 不是有效整数：abc"),
    ("false", "申报表 maas.daily_tokens 不是有效整数：false"),
    ("9" * 30, "申报表 maas.daily_tokens 数值过大"),
])
def test_bad_counts_are_named_in_chinese(written: str, expected: str) -> None:
    assert expected in problem(manifest_text(direction="maas",
                                             extra=MAAS.format(daily_tokens=written, served_companies="620")))


def test_a_missing_key_is_named() -> None:
    text = manifest_text().replace("  uscc: 91110108MA01XXXXXX\n", "")
    assert problem(text) == "申报表缺少 applicant.uscc"


def test_a_missing_section_is_named() -> None:
    text = manifest_text().replace("direction: model_training\n", "")
    assert problem(text) == "申报表缺少 direction"


def test_a_wrong_shape_is_named() -> None:
    text = "applicant: 北京星河智算科技有限公司\ndirection: maas\napplication_date: 2025-07-15\n" \
           "contracts:\n  - contract_no: A\n    supplier: B\n    amount: 1\n"
    assert problem(text) == "申报表 applicant 应为键值映射，实为 文本：北京星河智算科技有限公司"


def test_contracts_must_be_a_non_empty_list() -> None:
    head = manifest_text().split("contracts:")[0]
    assert "申报表 contracts 至少应有 1 项" in problem(head + "contracts: []\n")
    assert "申报表 contracts 应为列表，实为 文本：A-1" in problem(head + "contracts: A-1\n")
    assert "申报表 contracts 未填写" in problem(head + "contracts:\n")


def test_items_are_counted_from_one() -> None:
    second = "  - contract_no: B-2\n    supplier: 乙公司\n    amount: abc\n    colour: red\n"
    text = manifest_text(extra=second)
    message = problem(text)
    assert "申报表 contracts[2].amount 不是有效金额：abc" in message
    assert "申报表中有未知的项 contracts[2].colour" in message
    assert "contracts[1]" not in message
    assert key_of(("contracts", 0, "amount")) == "contracts[1].amount"


def test_several_problems_are_joined() -> None:
    message = problem(manifest_text(application_date="2025-13-45", amount="-5", direction="training"))
    parts = message.split("；")
    assert len(parts) == 3
    assert all(p.startswith("申报表") for p in parts)
    assert {"application_date", "contracts[1].amount", "direction"} <= {p.split()[1] for p in parts}


def test_many_problems_are_counted_not_listed() -> None:
    items = "".join(f"  - contract_no: C-{i}\n    supplier: 乙\n    amount: x{i}\n" for i in range(30))
    message = problem(manifest_text(extra=items))
    assert message.count("；") == 20
    assert message.endswith("另有 10 处问题未列出")


def test_a_duplicate_key_is_refused() -> None:
    text = manifest_text(extra="  - contract_no: B\n    supplier: 乙\n    amount: 1\n    amount: 2\n")
    message = problem(text)
    assert "第 15 行" in message and "“amount”在同一层出现了不止一次" in message


# --- not YAML, not a mapping --------------------------------------------------------------


def test_not_yaml_says_where_in_chinese() -> None:
    text = "applicant:\n  name: 甲\n  uscc: x: y\n"
    assert problem(text).startswith("申报表不是有效的 YAML（第 3 行第 10 列）：")


@pytest.mark.parametrize(("text", "expected"), [
    ("a:\n\tb: 1\n", "含有制表符"),
    ('a: "abc\n', "引号或括号没有闭合"),
    ("a: [1, 2\n", "方括号或花括号没有闭合"),
    ("a: *nowhere\n", "引用了未定义的锚点"),
    ("a: 1\n---\nb: 2\n", "含有多个文档"),
    ("a: !python/object 1\n", "使用了不支持的标签"),
    ("a: @x\n", "出现了不能放在开头的字符 @"),
    ("a: \x00\n", "含有不允许的控制字符"),
    ("[" * 3000, "内容无法解读"),
])
def test_yaml_errors_are_chinese(text: str, expected: str) -> None:
    message = problem(text)
    assert message.startswith("申报表不是有效的 YAML")
    assert expected in message


def test_a_full_width_colon_is_pointed_out() -> None:
    message = problem(manifest_text().replace("applicant:", "applicant："))
    assert "第 2 行的冒号是中文全角“：”" in message


@pytest.mark.parametrize(("text", "expected"), [
    ("", "申报表是空的"),
    ("# only a comment\n", "申报表是空的"),
    ("- a\n- b\n", "申报表应为“项: 值”形式的键值映射，实为 列表"),
    ("just words\n", "申报表应为“项: 值”形式的键值映射，实为 文本：just words"),
])
def test_a_top_level_that_is_not_a_mapping_is_chinese(text: str, expected: str) -> None:
    assert expected in problem(text)


def test_an_unknown_error_type_still_reads_in_chinese() -> None:
    sentence = problem_of({"type": "something_new", "loc": ("contracts", 0, "x"), "msg": "Input should …",
                           "input": 5})
    assert sentence == "申报表 contracts[1].x 填写有误（数字：5）"


def test_the_planted_bad_corpus_manifest_is_refused() -> None:
    text = (ROOT / "sample_docs" / "inbox" / "APP-2025-0016" / "application.yaml").read_text(encoding="utf-8")
    message = problem(text)
    assert "direction" in message and "contracts[1].amount" in message


@given(st.integers(0, len(manifest_text())), st.integers(0, 12), st.text(max_size=12))
@settings(max_examples=150, deadline=None)
def test_any_damage_gives_a_manifest_or_a_chinese_manifest_error(at: int, cut: int, insert: str) -> None:
    good = manifest_text()
    text = good[:at] + insert + good[at + cut:]
    try:
        parse_manifest(text, "APP-FOLDER")
    except ManifestError as exc:
        assert_chinese(str(exc))
    applicant_name_of(text)


# --- the applicant's name from a bad manifest ---------------------------------------------


def test_the_applicants_name_is_read_from_an_invalid_manifest() -> None:
    text = manifest_text(amount="abc", application_date="2025-13-45")
    with pytest.raises(ManifestError):
        parse_manifest(text, "APP-FOLDER")
    assert applicant_name_of(text) == "北京星河智算科技有限公司"
    assert applicant_name_of(manifest_text(name="0012")) == "0012"


@pytest.mark.parametrize("text", [
    "", "applicant: [\n", "- a\n", "applicant: 甲公司\n", "applicant:\n  uscc: x\n",
    "applicant:\n  name: ''\n", "applicant:\n  name:\n", "applicant:\n  name: [a]\n", "\x00",
])
def test_no_applicants_name_is_none(text: str) -> None:
    assert applicant_name_of(text) is None
