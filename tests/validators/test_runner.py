"""The runner of the rules: a rule that raises is a finding under its own code, never
dropped, and the application cannot pass; every finding is built and numbered here."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from checking.steps import in_one_batch, report_of
from model.base import FindingCode, Severity
from model.report import Status
from tests.validators.fixtures import clean_app
from validators.checks import CHECKS
from validators.context import CheckContext
from validators.runner import NOT_COMPLETED, Check, Draft, run_checks


def test_a_clean_application_passes_and_numbers_run_from_one() -> None:
    ctx = clean_app().context()
    in_one_batch([ctx])
    report = report_of(ctx)
    assert report.status is Status.PASS, [f.message for f in report.findings]
    ids = [f.finding_id for f in run_checks(ctx, CHECKS)]
    assert ids == [f"{ctx.app_id}-F{i:03d}" for i in range(1, len(ids) + 1)]


def _broken(ctx: CheckContext) -> Iterator[Draft]:
    yield Draft("seen before it broke", ("合同.pdf",))
    raise KeyError("a bug in a rule")


def test_a_check_that_raises_is_a_finding_and_the_application_cannot_pass() -> None:
    broken = Check(FindingCode.PRICE_OUT_OF_MARKET, "a check with a bug", _broken)
    ctx = clean_app().context()
    in_one_batch([ctx])
    report = report_of(ctx, (*CHECKS, broken))
    [failed] = [f for f in report.findings if f.message == NOT_COMPLETED]
    assert failed.code is FindingCode.PRICE_OUT_OF_MARKET  # the rule's own code
    assert failed.severity is Severity.ERROR  # though the code is a warning
    assert failed.message == "该项核查未能完成，请人工核对"
    assert report.status is Status.FLAGGED
    # the other rules ran: a clean application has nothing else but this
    assert all(f.code is FindingCode.PRICE_OUT_OF_MARKET for f in report.findings)


def test_an_application_that_cannot_be_opened_is_one_finding_naming_it() -> None:
    clean = clean_app().context()
    ctx = CheckContext(app_id="APP-X", manifest=None, documents=[], rules=clean.rules, as_of=clean.as_of,
                       load_error="压缩包《APP-X.zip》已损坏", upload="APP-X.zip")
    in_one_batch([ctx])
    report = report_of(ctx)
    assert report.status is Status.ERROR
    [finding] = report.findings
    assert finding.code is FindingCode.DOC_UNREADABLE and "APP-X.zip" in finding.message
    assert not any(word in finding.message for word in ("Error", "Exception", "Traceback"))
    assert Path(finding.documents[0]).name == "APP-X.zip"
