"""The batch's tables: summary.csv and findings.csv (UTF-8 with BOM, formula-like cells quoted)
and the main issue of each application.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from model.base import Severity, Verdict
from model.report import Finding, Report
from outputs.application import Application
from outputs.text import MONEY_TEXT, shown
from policy.words import say

SUMMARY_COLUMNS = ("application_id", "applicant_name", "applicant_uscc", "direction", "status", "errors",
                   "warnings", "declared_amount", "verified_contract_amount", "eligible_cost", "subsidy",
                   "verdict", "main_issue", "payable_subsidy")
FINDING_COLUMNS = ("application_id", "finding_id", "code", "severity", "message", "documents",
                   "kind", "kind_name", "code_name", "page", "expected", "observed", "at_stake")


def main_issue(report: Report) -> str:
    """The decisive finding in one line (none for an application recommended as it stands)."""
    if report.verdict is Verdict.APPROVE or not report.verdict_reasons:
        return ""
    return report.verdict_reasons[0]


def summary_row(app: Application) -> dict[str, str]:
    r = app.report
    sub = r.subsidy
    verified = sum((c.contract_amount for c in sub.per_contract), Decimal(0)) if sub else None
    return {
        "application_id": r.application_id, "applicant_name": app.applicant_name,
        "applicant_uscc": app.applicant_uscc, "direction": app.direction, "status": r.status.value,
        "errors": str(sum(f.severity is Severity.ERROR for f in r.findings)),
        "warnings": str(sum(f.severity is Severity.WARNING for f in r.findings)),
        "declared_amount": f"{app.declared_amount:.2f}" if app.declared_amount is not None else "",
        "verified_contract_amount": f"{verified:.2f}" if verified is not None else "",
        "eligible_cost": f"{sub.eligible_cost:.2f}" if sub else "",
        "subsidy": f"{sub.subsidy:.2f}" if sub else "",
        "verdict": r.verdict.value, "main_issue": main_issue(r),
        "payable_subsidy": f"{sub.payable:.2f}" if sub and sub.payable is not None else "",
    }


def _cell(value: str) -> str:
    """A CSV cell a spreadsheet shows as text: one that starts like a formula is quoted."""
    formula = value[:1] in ("=", "+", "@", "\t", "\r") or (
        value[:1] == "-" and not MONEY_TEXT.fullmatch(value))
    return "'" + value if formula else value


def csv_bytes(rows: list[dict[str, str]], columns: tuple[str, ...]) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: _cell(v) for k, v in row.items()} for row in rows)
    return ("\ufeff" + buf.getvalue()).encode()  # with a BOM, so spreadsheet programs read UTF-8


def finding_row(app_id: str, f: Finding) -> dict[str, str]:
    """One line of findings.csv: the interface's columns, then the kind, the pages and the
    compared values as the report shows them."""
    pages = [f"{e.file} 第{e.page}页" for e in f.evidence if e.page]
    return {"application_id": app_id, "finding_id": f.finding_id, "code": f.code.value,
            "severity": f.severity.value, "message": f.message, "documents": ";".join(f.documents),
            "kind": f.kind.value, "kind_name": say("kinds", f.kind), "code_name": say("codes", f.code),
            "page": "；".join(dict.fromkeys(pages)), "expected": shown(f.expected),
            "observed": shown(f.observed), "at_stake": f"{f.at_stake:.2f}" if f.at_stake is not None else ""}
