"""The rules file: loads, validates with errors naming the bad key, and owns every number."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from model.base import Direction, DocType, FindingCode, Severity
from policy.rules import DEFAULT_RULES, RulesError, load_rules, parse_rules
from tests.test_architecture import LAYERS

ROOT = Path(__file__).resolve().parents[2]


def test_bundled_rules_hold_the_policy_parameters() -> None:
    rules = load_rules()
    assert rules.window.start == date(2024, 5, 21)
    assert rules.min_total.for_direction(Direction.AGENT) == Decimal(20_000_000)
    assert rules.subsidy.rate == Decimal("0.20")
    assert rules.subsidy.company_cap == Decimal(30_000_000)
    assert rules.subsidy.total_support_share == Decimal("0.50")
    assert rules.maas.min_served_companies_exclusive is True
    assert [DocType.PLATFORM_LOG] in rules.required_materials.for_direction(Direction.MAAS)
    assert "存储" in rules.non_compute_keywords


@pytest.mark.parametrize("unit", ["卡时", "元/卡时", "GPU卡时", "卡·月", "卡*月", "PFLOPS·月", " P·月 "])
def test_price_bands_match_unit_spellings(unit: str) -> None:
    assert load_rules().band_for_unit(unit) is not None


def _mutated(path: list[str], value: object) -> str:
    data = yaml.safe_load(DEFAULT_RULES.read_text(encoding="utf-8"))
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return yaml.safe_dump(data, allow_unicode=True)


@pytest.mark.parametrize(
    ("path", "value", "named"),
    [
        (["subsidy", "rate"], "twenty percent", "subsidy.rate"),
        (["subsidy", "rate"], "1.5", "subsidy.rate"),
        (["min_total", "maas"], -1, "min_total.maas"),
        (["window", "start"], "someday", "window.start"),
        (["required_materials", "all"], [["contracts"]], "required_materials.all"),
        (["subsidy", "cap"], 1, "subsidy.cap"),
        (["finding_severity", "SEAL_MISSING"], "grave", "finding_severity.SEAL_MISSING"),
    ],
)
def test_a_bad_key_is_named(path: list[str], value: object, named: str) -> None:
    with pytest.raises(RulesError, match=re.escape(named)):
        parse_rules(_mutated(path, value), "test-rules.yaml")


def test_every_code_needs_a_severity_and_a_kind() -> None:
    rules = load_rules()
    assert {rules.severity_of(c) for c in FindingCode} <= set(Severity)
    for section in ("finding_severity", "finding_kinds"):
        data = yaml.safe_load(DEFAULT_RULES.read_text(encoding="utf-8"))
        del data[section]["QR_MISMATCH"]
        with pytest.raises(RulesError, match=f"{section}: no .* for QR_MISMATCH"):
            parse_rules(yaml.safe_dump(data, allow_unicode=True))


def test_missing_section_and_unreadable_file_are_clear(tmp_path: Path) -> None:
    data = yaml.safe_load(DEFAULT_RULES.read_text(encoding="utf-8"))
    del data["limits"]
    with pytest.raises(RulesError, match="limits"):
        parse_rules(yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(RulesError, match="cannot read"):
        load_rules(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("subsidy: [unclosed", encoding="utf-8")
    with pytest.raises(RulesError, match="not valid YAML"):
        load_rules(bad)


POLICY_LITERALS = [
    r"2024[-, ]+0?5[-, ]+21",   # window start
    r"(?<![\d_])80_?000_?000(?![\d_])", r"(?<![\d_])20_?000_?000(?![\d_])",  # minimums
    r"(?<![\d_])30_?000_?000(?![\d_])",  # company cap
    r"(?<![\d_])1_?000_?000_?000_?000(?![\d_])",  # MaaS tokens
    r"(?<![\d_])50_?000(?![\d_])",  # agent users
    r"Decimal\(\"0\.(2|20|5|50)\"\)",
]


def test_no_policy_number_is_written_in_code() -> None:
    """Every policy parameter comes from the rules file (tests and the corpus generator
    are allowed to know them: they check the pipeline against the policy)."""
    offenders = []
    for package in LAYERS:
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for pattern in POLICY_LITERALS:
                if re.search(pattern, text):
                    offenders.append(f"{path.relative_to(ROOT)}: {pattern}")
    assert not offenders, offenders


def test_every_field_a_document_can_hold_has_a_chinese_name() -> None:
    from extractors.registry import FIELDS_BY_TYPE
    from policy.words import words

    named = words()["fields"]
    unnamed = sorted({name for model in FIELDS_BY_TYPE.values() for name in model.model_fields} - set(named))
    assert not unnamed, f"vocabulary.yaml fields lacks {unnamed}"


def test_every_way_a_type_is_told_has_the_reviewers_words() -> None:
    from model.base import TypedBy
    from policy.words import words

    assert set(words()["typed_by"]) == {t.value for t in TypedBy}
