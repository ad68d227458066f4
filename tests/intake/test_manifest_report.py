"""application.yaml problems as the reviewer sees them: a real application's files read, its
manifest written the way people get it wrong, and the report that comes out — MANIFEST_INVALID
in Chinese naming the key, status error, the documents still read and the applicant named."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from checking.steps import application_of, context_of, document_of, report_of
from intake.inbox import AppInput
from model.base import FindingCode
from model.document import Document
from policy.rules import Rules, load_rules
from reading.session import Reader
from tests.sample_docs.corpus import INBOX, text_pdf, truths

AS_OF = date(2025, 7, 31)
UPLOAD = Path("APP-M-0001")
_ENGLISH = re.compile(r"[A-Za-z]{3,}")
_KEYS = re.compile(r"\b(?:application_id|applicant|name|uscc|direction|application_date|contracts|"
                   r"contract_no|supplier|amount|other_subsidies|maas|agent|daily_tokens|served_companies|"
                   r"filing_no|daily_active_users|yaml|application|YYYY|MM|DD|model_training)\b")
"""Key names, the file's name and the direction values: English a message may rightly quote."""


@pytest.fixture(scope="module")
def rules() -> Rules:
    return load_rules()


@pytest.fixture(scope="module")
def application(rules: Rules) -> tuple[str, str, list[Document]]:
    """A clean corpus application's manifest, applicant name and its text-layer documents as
    read."""
    truth = next(t for t in truths() if t["clean"] and not t["zipped"])
    folder = INBOX / truth["application_id"]
    reader = Reader(rules)
    documents = [document_of(reader.read(name, (folder / name).read_bytes()), rules)
                 for name, f in truth["files"].items() if text_pdf(f)]
    manifest = (folder / "application.yaml").read_text(encoding="utf-8")
    name = re.search(r"^\s+name:\s*(.+)$", manifest, re.MULTILINE)
    assert name is not None
    return manifest, name[1].strip().strip("\"'"), documents


def _report(manifest: str, documents: list[Document], rules: Rules) -> tuple[object, object]:
    app = AppInput("APP-M-0001", manifest)
    ctx = context_of(UPLOAD, app, documents, rules, AS_OF)
    report = report_of(ctx)
    return report, application_of(ctx, report, app)


def _replace(manifest: str, key: str, value: str) -> str:
    changed, n = re.subn(rf"^(\s*(?:- )?{key}:).*$", rf"\g<1> {value}", manifest, count=1, flags=re.MULTILINE)
    assert n == 1, key
    return changed


CASES = [
    ("application_date", "2025-13-45", "application_date", "不是有效日期：2025-13-45"),
    ("amount", "-5000000", "contracts[1].amount", "不能为负数"),
    ("amount", "九千六百万", "contracts[1].amount", "不是有效金额"),
    ("direction", "training", "direction", "不是可选的方向"),
    ("application_date", "[2025, 7, 15]", "application_date", "应为单个值，实为 列表"),
]


@pytest.mark.parametrize("key, value, named, says", CASES, ids=[c[0] + ":" + c[1] for c in CASES])
def test_a_bad_value_is_manifest_invalid_in_chinese_naming_the_key(
        application: tuple[str, str, list[Document]], rules: Rules,
        key: str, value: str, named: str, says: str) -> None:
    manifest, name, documents = application
    report, app = _report(_replace(manifest, key, value), documents, rules)
    [finding] = [f for f in report.findings if f.code is FindingCode.MANIFEST_INVALID]  # type: ignore[attr-defined]
    assert named in finding.message and says in finding.message
    assert not _ENGLISH.search(_KEYS.sub("", finding.message).replace(value, "")), finding.message
    assert report.status.value == "error"  # type: ignore[attr-defined]
    # the documents were still read, with their fields, and the applicant is still named
    assert report.documents == documents  # type: ignore[attr-defined]
    assert any(d.fields.model_dump(exclude_none=True) for d in documents)
    assert app.applicant_name == name  # type: ignore[attr-defined]


def test_a_missing_key_is_named(application: tuple[str, str, list[Document]], rules: Rules) -> None:
    manifest, _name, documents = application
    without = re.sub(r"^application_date:.*\n", "", manifest, flags=re.MULTILINE)
    report, _app = _report(without, documents, rules)
    [finding] = [f for f in report.findings if f.code is FindingCode.MANIFEST_INVALID]  # type: ignore[attr-defined]
    assert "缺少 application_date" in finding.message


def test_a_missing_manifest_is_said_in_chinese(application: tuple[str, str, list[Document]],
                                               rules: Rules) -> None:
    _manifest, _name, documents = application
    report = report_of(context_of(UPLOAD, AppInput("APP-M-0001", None), documents, rules, AS_OF))
    [finding] = [f for f in report.findings if f.code is FindingCode.MANIFEST_INVALID]
    assert "application.yaml 缺失" in finding.message and report.status.value == "error"


def test_an_unquoted_all_digit_credit_code_is_that_code(application: tuple[str, str, list[Document]],
                                                        rules: Rules) -> None:
    manifest, _name, documents = application
    report, app = _report(_replace(manifest, "uscc", "914201007483062457"), documents, rules)
    assert FindingCode.MANIFEST_INVALID not in {f.code for f in report.findings}  # type: ignore[attr-defined]
    assert app.applicant_uscc == "914201007483062457"  # type: ignore[attr-defined]


def test_unquoted_numbers_as_contract_numbers_stay_as_written(application: tuple[str, str, list[Document]],
                                                              rules: Rules) -> None:
    manifest, _name, documents = application
    ctx = context_of(UPLOAD, AppInput("APP-M-0001", _replace(manifest, "contract_no", "0012")),
                     documents, rules, AS_OF)
    assert ctx.manifest is not None
    assert ctx.manifest.contracts[0].contract_no == "0012"
