"""The command line: real runs of the installed entry point on a small inbox."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from pipeline.export_schema import SCHEMA_PATH
from pipeline.model import Report
from tests.sample_docs.corpus import INBOX, truths

BIN = Path(sys.executable).with_name("voucher-check")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(scope="module")
def small_inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two applications made of the text-layer files of a corpus application."""
    truth = next(t for t in truths() if t["clean"] and not t["zipped"])
    inbox = tmp_path_factory.mktemp("inbox")
    for app_id in ("APP-T-0001", "APP-T-0002"):
        folder = inbox / app_id
        folder.mkdir()
        source = INBOX / truth["application_id"]
        for name, f in truth["files"].items():
            if f["scan"] is None:
                shutil.copy(source / name, folder / name)
        text = (source / "application.yaml").read_text(encoding="utf-8")
        (folder / "application.yaml").write_text(text.replace(truth["application_id"], app_id),
                                                 encoding="utf-8")
    (inbox / "APP-T-0002" / "application.yaml").write_text("direction: [", encoding="utf-8")
    return inbox


def test_run_writes_a_valid_report_per_application(small_inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = _run("run", str(small_inbox), "--out", str(out), "--as-of", "2025-07-31")
    assert result.returncode == 0, result.stderr
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    for app_id, status in (("APP-T-0001", "flagged"), ("APP-T-0002", "error")):
        data = json.loads((out / app_id / "report.json").read_text(encoding="utf-8"))
        jsonschema.validate(data, schema)
        report = Report.model_validate(data)
        assert report.status.value == status
        assert report.as_of.isoformat() == "2025-07-31"
    good = Report.model_validate_json((out / "APP-T-0001" / "report.json").read_text(encoding="utf-8"))
    assert {d.doc_type.value for d in good.documents} >= {"contract", "usage_statement"}
    assert all(d.read_by and d.read_by.value == "text" for d in good.documents)
    # the scanned uploads were left out of this copy: the checks must notice what is missing
    assert good.subsidy is not None
    assert {f.code.value for f in good.findings} & {"MATERIAL_MISSING", "AMOUNT_MISMATCH", "UNDELIVERED"}
    bad = Report.model_validate_json((out / "APP-T-0002" / "report.json").read_text(encoding="utf-8"))
    codes = [f.code.value for f in bad.findings]
    assert codes[0] == "MANIFEST_INVALID"
    # both applications hold the same files: the batch check says so in each
    assert set(codes[1:]) == {"DUPLICATE_DOCUMENT"}
    assert "DUPLICATE_DOCUMENT" in {f.code.value for f in good.findings}
    assert not list(out.rglob(".tmp-*"))
    for name in ("index.html", "summary.csv", "findings.csv", "APP-T-0001/report.html"):
        assert (out / name).is_file(), name
    assert "汇总页" in result.stdout


def test_bad_arguments_exit_2(small_inbox: Path, tmp_path: Path) -> None:
    assert _run("run", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")).returncode == 2
    assert _run("check", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")).returncode == 2
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    assert _run("run", str(small_inbox), "--out", str(blocked / "sub")).returncode == 2
    assert _run("run", str(small_inbox), "--out", str(tmp_path / "o"), "--as-of", "yesterday").returncode == 2
    assert _run().returncode == 2


def test_rules_lists_every_code() -> None:
    result = _run("rules")
    assert result.returncode == 0
    assert "SUBSIDY_CAPPED" in result.stdout and "MANIFEST_INVALID" in result.stdout
