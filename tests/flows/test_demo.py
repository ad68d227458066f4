"""`voucher-check demo`, the command reviewers try first: every output of interface §3 for
every sample application, each report valid against the schema and as the truth expects.
The demo reads through the session's corpus read cache (filled by the accuracy tests when
they ran first), so the sample's scans are OCR'd once per session."""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

import jsonschema
import pytest

from model.export_schema import SCHEMA_PATH
from outputs.tables import FINDING_COLUMNS, SUMMARY_COLUMNS
from tests.sample_docs.corpus import truths
from tests.validators.test_corpus_checks import _compare


@pytest.mark.slow
def test_demo_writes_every_output_for_every_sample_application(
        demo_batch: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    out, result = demo_batch
    expected = truths()
    assert result.returncode == 0, result.stderr
    assert f"汇总页：{out.resolve() / 'index.html'}" in result.stdout
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    problems: list[str] = []
    for truth in expected:
        folder = out / truth["application_id"]
        report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
        jsonschema.validate(report, schema)
        problems += _compare(truth, report)
        assert (folder / "report.html").is_file()
        if any(e["bbox"] for f in report["findings"] for e in f["evidence"]):  # a place to crop
            assert list((folder / "evidence").glob("*.png")), truth["application_id"]
    assert not problems, "\n".join(problems)
    with (out / "summary.csv").open(encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == SUMMARY_COLUMNS
        assert sorted(r["application_id"] for r in reader) == sorted(t["application_id"] for t in expected)
    with (out / "findings.csv").open(encoding="utf-8-sig") as handle:
        assert tuple(csv.DictReader(handle).fieldnames or ()) == FINDING_COLUMNS
    index = (out / "index.html").read_text(encoding="utf-8")
    assert all(f'{t["application_id"]}/report.html' in index for t in expected)
