"""The checks end to end, on fields from real extraction (real OCR on the scans): every
planted code found, no forbidden code raised, the subsidy to the fen."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from pipeline.application import Reader, check_applications
from sample_docs.gen import generate
from tests.conftest import SAMPLE_DOCS
from tests.extractors.test_accuracy import OTHER_SEED


def _check_corpus(corpus: Path, reader: Reader) -> list[str]:
    files = sorted((corpus / "truth").glob("APP-*.json"))
    truths = [json.loads(p.read_text(encoding="utf-8")) for p in files]
    paths = []
    for t in truths:
        folder = corpus / "inbox" / t["application_id"]
        paths.append(folder if folder.is_dir() else folder.with_suffix(".zip"))
    as_of = max(date.fromisoformat(t["as_of"]) for t in truths)
    reports = check_applications(paths, reader, as_of)
    problems: list[str] = []
    for truth, report in zip(truths, reports, strict=True):
        problems += _compare(truth, report.model_dump(mode="json"))
    return problems


def _compare(truth: dict[str, Any], report: dict[str, Any]) -> list[str]:
    app = truth["application_id"]
    codes = {f["code"] for f in report["findings"]}
    out = [f"{app}: expected {c} not raised" for c in truth["expected_codes"] if c not in codes]
    for f in report["findings"]:
        if f["code"] in truth["forbidden_codes"]:
            out.append(f"{app}: forbidden {f['code']}: {f['message']}")
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
def test_every_planted_code_is_found_and_nothing_forbidden(corpus_reader: Reader) -> None:
    problems = _check_corpus(SAMPLE_DOCS, corpus_reader)
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_the_same_on_a_corpus_made_with_another_seed(corpus_reader: Reader, tmp_path: Path) -> None:
    generate(tmp_path, seed=OTHER_SEED, count=4)
    problems = _check_corpus(tmp_path, corpus_reader)
    assert not problems, "\n".join(problems)
