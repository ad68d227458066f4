"""The batch flow, run for real under Prefect's test harness: threads, then a local Dask
cluster of separate processes; a broken application does not stop the batch; a second run
does no OCR; artifacts and logs reach the server."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from model.export_schema import SCHEMA_PATH
from model.report import Report
from policy.words import say

AS_OF = date(2025, 7, 31)
EXPECTED_STATUS = {"APP-F-0001": "flagged", "APP-F-0002": "error", "APP-F-0003": "error"}


def _run(inbox: Path, out: Path, runner: Any) -> Any:
    """The flow's final state, the heartbeat off as the command line runs it."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    from flows.nightly import nightly_batch

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        return nightly_batch.with_options(task_runner=runner)(
            inbox=str(inbox), out=str(out), as_of=AS_OF, workers=2, return_state=True)


def _reports(out: Path) -> dict[str, dict[str, Any]]:
    """report.json of every application, without the time it was checked."""
    reports = {}
    for path in sorted(out.glob("*/report.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        data.pop("checked_at")
        reports[path.parent.name] = data
    return reports


@pytest.fixture(scope="module")
def thread_run(prefect_api: str, flow_inbox: Path,
               tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, Any], Path]:
    from prefect.task_runners import ThreadPoolTaskRunner

    out = tmp_path_factory.mktemp("flow-out")
    state = _run(flow_inbox, out, ThreadPoolTaskRunner(max_workers=2))
    return state, state.result(), out


def test_the_batch_finishes_though_one_application_cannot_be_opened(
        thread_run: tuple[Any, dict[str, Any], Path]) -> None:
    state, result, out = thread_run
    assert state.is_completed()
    assert result["applications"] == 3
    assert (result["pass"], result["flagged"], result["error"]) == (0, 1, 2)
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    for app_id, status in EXPECTED_STATUS.items():
        data = json.loads((out / app_id / "report.json").read_text(encoding="utf-8"))
        jsonschema.validate(data, schema)
        assert data["status"] == status, app_id
        assert (out / app_id / "report.html").is_file()
    broken = Report.model_validate_json((out / "APP-F-0002" / "report.json").read_text(encoding="utf-8"))
    assert [f.code.value for f in broken.findings] == ["DOC_UNREADABLE"]
    assert "已损坏" in broken.findings[0].message and "APP-F-0002.zip" in broken.findings[0].message
    good = Report.model_validate_json((out / "APP-F-0001" / "report.json").read_text(encoding="utf-8"))
    assert good.subsidy is not None
    assert any(d.read_by is not None and d.read_by.value == "ocr" for d in good.documents)
    for name in ("index.html", "summary.csv", "findings.csv"):
        assert (out / name).is_file()
    summary = (out / "summary.csv").read_text(encoding="utf-8-sig").splitlines()
    assert [line.split(",")[0] for line in summary[1:]] == sorted(EXPECTED_STATUS)
    assert result["files_read"] == len(good.documents)
    assert result["ocr_pages"] >= 1
    assert not list(out.rglob(".tmp-*"))


def test_each_application_publishes_its_summary_and_a_link_to_its_report(
        thread_run: tuple[Any, dict[str, Any], Path]) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterKey,
        LogFilter,
        LogFilterFlowRunId,
    )
    from prefect.logging.handlers import APILogWorker

    from flows.nightly import artifact_key

    state, _, out = thread_run
    APILogWorker.drain_all(timeout=30)  # the run's logs go to the server in the background
    keys = [artifact_key(a) for a in EXPECTED_STATUS]
    assert keys[0] == "report-app-f-0001"
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(
            key=ArtifactFilterKey(any_=[*keys, *(f"{k}-link" for k in keys), "voucher-check-batch"])))
        logs = client.read_logs(log_filter=LogFilter(
            flow_run_id=LogFilterFlowRunId(any_=[state.state_details.flow_run_id])))
    by_key = {a.key: a for a in artifacts}
    assert set(by_key) >= {*keys, *(f"{k}-link" for k in keys), "voucher-check-batch"}
    assert say("statuses", "flagged") in str(by_key["report-app-f-0001"].data)
    assert say("statuses", "error") in str(by_key["report-app-f-0002"].data)
    link = str(by_key["report-app-f-0001-link"].data)
    assert link.endswith("APP-F-0001/report.html)") or "APP-F-0001/report.html" in link
    assert (out / "APP-F-0001" / "report.html").resolve().as_uri() in link
    messages = [log.message for log in logs]
    assert any("[1/3] APP-F-0001" in m for m in messages), messages
    assert any("APP-F-0002" in m and "无法核查" in m for m in messages)


def test_a_second_run_reads_nothing_again_and_gives_the_same_reports(
        prefect_api: str, flow_inbox: Path, thread_run: tuple[Any, dict[str, Any], Path]) -> None:
    from prefect.task_runners import ThreadPoolTaskRunner

    _, first, out = thread_run
    before = _reports(out)
    state = _run(flow_inbox, out, ThreadPoolTaskRunner(max_workers=2))
    second = state.result()
    assert (second["files_read"], second["ocr_pages"]) == (0, 0)
    assert first["ocr_pages"] > 0
    assert _reports(out) == before


@pytest.mark.slow
def test_the_dask_path_gives_the_same_reports(
        prefect_api: str, flow_inbox: Path, dask_cluster: str, tmp_path: Path,
        thread_run: tuple[Any, dict[str, Any], Path]) -> None:
    from flows.nightly import task_runner

    state = _run(flow_inbox, tmp_path / "out", task_runner(2, dask_cluster))
    result = state.result()
    assert state.is_completed()
    assert result["ocr_pages"] >= 1  # read afresh, on the cluster: its own cache folder
    assert _reports(tmp_path / "out") == _reports(thread_run[2])


def test_two_applications_with_one_id_never_overwrite_each_other(
        prefect_api: str, flow_inbox: Path, tmp_path: Path) -> None:
    import shutil
    import zipfile

    from prefect.task_runners import ThreadPoolTaskRunner

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    source = flow_inbox / "APP-F-0001"
    texts = [p for p in source.iterdir() if p.suffix == ".pdf"][:2]
    folder = inbox / "APP-F-0001"
    folder.mkdir()
    for path in [source / "application.yaml", *texts]:
        shutil.copy(path, folder / path.name)
    with zipfile.ZipFile(inbox / "APP-F-0001.zip", "w") as zf:
        for path in [source / "application.yaml", *texts]:
            zf.write(path, f"APP-F-0001/{path.name}")
    out = tmp_path / "out"
    result = _run(inbox, out, ThreadPoolTaskRunner(max_workers=2)).result()
    assert result["applications"] == 2
    kept = json.loads((out / "APP-F-0001" / "report.json").read_text(encoding="utf-8"))
    assert kept["status"] != "error" and len(kept["documents"]) == 2
    assert "MANIFEST_INVALID" not in {f["code"] for f in kept["findings"]}
    # the second upload is still checked, under its upload's name, and told why
    second = json.loads((out / "APP-F-0001.zip" / "report.json").read_text(encoding="utf-8"))
    assert second["application_id"] == "APP-F-0001.zip" and len(second["documents"]) == 2
    [finding] = [f for f in second["findings"] if f["code"] == "MANIFEST_INVALID"]
    assert "申报编号 APP-F-0001 已由《APP-F-0001》使用" in finding["message"]
    assert second["status"] == "flagged"


def test_an_output_folder_inside_the_inbox_is_not_an_application(
        prefect_api: str, flow_inbox: Path, tmp_path: Path) -> None:
    import shutil

    from prefect.task_runners import ThreadPoolTaskRunner

    inbox = tmp_path / "inbox"
    folder = inbox / "APP-F-0001"
    folder.mkdir(parents=True)
    source = flow_inbox / "APP-F-0001"
    for path in [source / "application.yaml", *[p for p in source.iterdir() if p.suffix == ".pdf"][:1]]:
        shutil.copy(path, folder / path.name)
    (inbox / "说明.txt").write_text("not an application", encoding="utf-8")
    out = inbox / "out"
    for _ in range(2):  # the second run finds last night's output folder in the inbox
        result = _run(inbox, out, ThreadPoolTaskRunner(max_workers=2)).result()
        assert result["applications"] == 1
    reports = sorted(p.name for p in out.iterdir() if p.is_dir() and not p.name.startswith("."))
    assert reports == ["APP-F-0001"]

