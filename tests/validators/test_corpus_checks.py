"""The checks end to end, on fields from real extraction (real OCR on the scans): every
planted code found, no forbidden code raised, the verdict the scenario calls for, the
subsidy to the fen."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from checking.batch import check_inbox
from reading.session import Reader
from tests.conftest import SAMPLE_DOCS


def _check_corpus(corpus: Path, reader: Reader, out: Path) -> list[str]:
    """The corpus inbox through the batch (in this process, with ``reader``)."""
    files = sorted((corpus / "truth").glob("APP-*.json"))
    truths = [json.loads(p.read_text(encoding="utf-8")) for p in files]
    as_of = max(date.fromisoformat(t["as_of"]) for t in truths)
    result = check_inbox(corpus / "inbox", out, as_of, reader.rules, reader,
                         only=[t["application_id"] + s for t in truths for s in ("", ".zip")])
    reports = {r.application_id: r for r in result.reports}
    problems: list[str] = []
    for truth in truths:
        problems += _compare(truth, reports[truth["application_id"]].model_dump(mode="json"))
    return problems


def _compare(truth: dict[str, Any], report: dict[str, Any]) -> list[str]:
    app = truth["application_id"]
    codes = {f["code"] for f in report["findings"]}
    out = [f"{app}: expected {c} not raised" for c in truth["expected_codes"] if c not in codes]
    for f in report["findings"]:
        if f["code"] in truth["forbidden_codes"]:
            out.append(f"{app}: forbidden {f['code']}: {f['message']}")
    allowed = [truth["verdict"], *truth["verdicts_tolerated"]]
    if report["verdict"] not in allowed:
        out.append(f"{app}: verdict {report['verdict']} ∉ {allowed}: {report['verdict_reasons']}")
    payable = report["subsidy"]["payable"] if report["subsidy"] is not None else None
    if truth["verdict"] == "reject" and payable not in (None, "0.00"):
        out.append(f"{app}: rejected, yet {payable} payable")
    expected = truth["subsidy"]
    if expected is not None:
        got = report["subsidy"]
        if got is None:
            return [*out, f"{app}: no subsidy computed"]
        for key in ("eligible_cost", "subsidy", "capped_by"):
            if got[key] != expected[key]:
                out.append(f"{app}: {key} {got[key]} ≠ {expected[key]}")
        for mine, theirs in zip(got["per_contract"], expected["per_contract"], strict=False):
            for key, value in theirs.items():
                if mine[key] != value:
                    out.append(f"{app} {theirs['contract_no']}: {key} {mine[key]} ≠ {value}")
    return out


@pytest.mark.slow
def test_every_planted_code_is_found_and_nothing_forbidden(corpus_reader: Reader, tmp_path: Path) -> None:
    problems = _check_corpus(SAMPLE_DOCS, corpus_reader, tmp_path)
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_the_same_on_a_corpus_made_with_another_seed(corpus_reader: Reader, untuned_corpus: Path,
                                                     tmp_path: Path) -> None:
    problems = _check_corpus(untuned_corpus, corpus_reader, tmp_path / "out")
    assert not problems, "\n".join(problems)
