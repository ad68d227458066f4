"""The pages a batch writes (docs/interface.md §3): per application report.json, report.html
and its evidence crops; for the batch summary.csv, findings.csv and index.html.

All text taken from documents is escaped in HTML (autoescape); each page carries a
Content-Security-Policy that lets no script run but its own.
"""

from __future__ import annotations

import base64
import hashlib
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from intake.files import write_atomic
from model.base import Kind, Verdict
from model.document import Document
from model.report import Report
from outputs.application import Application
from outputs.crops import write_crops
from outputs.tables import FINDING_COLUMNS, SUMMARY_COLUMNS, csv_bytes, finding_row, main_issue, summary_row
from outputs.text import message, money, percent, show_value, shown, yuan
from outputs.timeline import timeline
from policy.words import say, words

TEMPLATES = Path(__file__).with_name("templates")

_OUR_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def with_policy(html: str) -> str:
    """``html`` with a Content-Security-Policy that lets no script run but the page's own
    (each by its hash; document text is escaped, so it can never hold a ``<script>`` tag),
    loads nothing from the network and images only from the report's folder."""
    digests = [base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()
               for s in _OUR_SCRIPT.findall(html)]
    scripts = " ".join(f"'sha256-{d}'" for d in digests) or "'none'"
    policy = ("default-src 'none'; img-src 'self' file: data:; style-src 'unsafe-inline'; "
              f"script-src {scripts}; base-uri 'none'; form-action 'none'")
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
    return html.replace("<head>", f"<head>\n{meta}", 1)


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
    env.globals.update(words(), money=money, yuan=yuan, percent=percent, show=show_value, shown=shown,
                       say=say, message=message)
    return env


# --- the files ---------------------------------------------------------------------------------


def _documents_by_type(report: Report) -> list[tuple[str, list[Document], list[str]]]:
    """The documents grouped by type in the order of the material list, each group with the
    fields its documents hold (items apart, in their own table)."""
    order = list(words()["fields"])
    groups = []
    for doc_type in words()["doc_types"]:
        docs = sorted((d for d in report.documents if d.doc_type.value == doc_type), key=lambda d: d.file)
        if not docs:
            continue
        names = {n for d in docs for n in d.fields.present()} | {n for d in docs for n in d.missing}
        names.discard("items")
        ordered = sorted(names, key=lambda n: (order.index(n) if n in order else len(order), n))
        groups.append((doc_type, docs, ordered))
    return groups


def write_application(app: Application, out: Path, low_confidence: float) -> None:
    """report.json, report.html and the evidence crops of one application."""
    report = app.report
    folder = out / report.application_id
    write_atomic(folder / "report.json", report.model_dump_json(indent=2).encode())
    crops, unsure = write_crops(app, folder)
    kinds = {k.value: [f for f in report.findings if f.kind is k] for k in Kind}
    sub = report.subsidy
    window = (sub.window_start, sub.window_end) if sub and sub.window_start and sub.window_end else None
    timelines = {r.contract_no: timeline(r, window) for r in report.reconciliation}
    html = _environment().get_template("report.html.j2").render(
        report=report, app=app, kinds=kinds, crops=crops, unsure=unsure, low_confidence=low_confidence,
        groups=_documents_by_type(report), timelines=timelines, window=window,
        findings_by_id={f.finding_id: f for f in report.findings})
    write_atomic(folder / "report.html", with_policy(html).encode())


def write_index(apps: list[Application], out: Path) -> Path:
    """summary.csv, findings.csv and index.html of a batch whose reports are written;
    returns the path of index.html. The uploads themselves are not needed here."""
    once = list({a.report.application_id: a for a in apps}.values())  # each application once
    rows = [summary_row(a) for a in once]
    write_atomic(out / "summary.csv", csv_bytes(rows, SUMMARY_COLUMNS))
    findings = [finding_row(a.report.application_id, f) for a in once for f in a.report.findings]
    write_atomic(out / "findings.csv", csv_bytes(findings, FINDING_COLUMNS))
    listing: list[dict[str, Any]] = []
    for a in once:
        r, sub = a.report, a.report.subsidy
        listing.append({"application_id": r.application_id, "applicant_name": a.applicant_name,
                        "verdict": r.verdict.value, "main_issue": main_issue(r),
                        "counts": {k.value: sum(f.kind is k for f in r.findings) for k in Kind},
                        "eligible_cost": sub.eligible_cost if sub else None,
                        "payable": sub.payable if sub else None, "state": sub.state if sub else None,
                        "link": f"{r.application_id}/report.html"})
    totals = {v.value: sum(x["verdict"] == v.value for x in listing) for v in Verdict}
    sums = {state: sum((x["payable"] for x in listing if x["state"] == state and x["payable"] is not None),
                       Decimal(0)) for state in ("final", "pending")}
    as_of = sorted({a.report.as_of.isoformat() for a in once})
    generated = max((a.report.checked_at for a in once), default=None)
    html = _environment().get_template("index.html.j2").render(
        reports=listing, totals=totals, total_payable=sums["final"], total_pending=sums["pending"],
        as_of="、".join(as_of), generated=generated.strftime("%Y-%m-%d %H:%M") if generated else "")
    index = out / "index.html"
    write_atomic(index, with_policy(html).encode())
    return index
