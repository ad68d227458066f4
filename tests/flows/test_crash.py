"""A reading process killed by a signal in the middle of a file, under Prefect's test
harness: that application gets an ``error`` report saying the file could not be processed,
the rest of it and of the batch is still checked, and every batch file is written."""

from __future__ import annotations

import shutil
import signal
import threading
import time
from pathlib import Path
from typing import Any

import psutil
import pytest

from model.report import Report
from tests.sample_docs.corpus import INBOX, text_pdf, truths

KILL_WITHIN_SECONDS = 300


def _copy_application(truth: dict[str, Any], target: Path, with_scan: bool) -> str | None:
    """The text-layer files of a corpus application (and its smallest scanned image when
    ``with_scan``) under a new id; returns the scan's name."""
    source = INBOX / truth["application_id"]
    target.mkdir()
    scans = sorted(((source / n).stat().st_size, n) for n, f in truth["files"].items()
                   if f["scan"] in ("jpg", "png")) if with_scan else []
    scan = scans[0][1] if scans else None
    for name, f in truth["files"].items():
        if text_pdf(f) or name == scan:
            shutil.copy(source / name, target / name)
    manifest = (source / "application.yaml").read_text(encoding="utf-8")
    (target / "application.yaml").write_text(manifest.replace(truth["application_id"], target.name),
                                              encoding="utf-8")
    return scan


def _is_ocr_reading(process: psutil.Process) -> bool:
    """Whether a process has the OCR runtime loaded: in a reading process that only happens
    once it has started on a page that needs OCR, and OCR takes seconds."""
    try:
        return any("onnxruntime" in m.path for m in process.memory_maps())
    except psutil.Error:
        return False


def _kill_the_ocr_reader(before: set[int], stop: threading.Event, killed: list[int]) -> None:
    deadline = time.monotonic() + KILL_WITHIN_SECONDS
    while time.monotonic() < deadline and not stop.is_set():
        for child in psutil.Process().children(recursive=True):
            if child.pid not in before and _is_ocr_reading(child):
                child.send_signal(signal.SIGKILL)  # what the OOM killer sends
                killed.append(child.pid)
                return
        time.sleep(0.1)


@pytest.fixture(scope="module")
def crashed_run(prefect_api: str,
                tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path, str, list[int]]:
    from prefect.task_runners import ThreadPoolTaskRunner

    from tests.flows.test_flow import _run

    clean = [t for t in truths() if t["clean"] and not t["zipped"]
             and any(f["scan"] in ("jpg", "png") for f in t["files"].values())]
    inbox = tmp_path_factory.mktemp("crash-inbox")
    scan = _copy_application(clean[0], inbox / "APP-K-0001", with_scan=True)
    _copy_application(clean[1], inbox / "APP-K-0002", with_scan=False)
    assert scan is not None
    out = tmp_path_factory.mktemp("crash-out")
    before = {c.pid for c in psutil.Process().children(recursive=True)}
    stop, killed = threading.Event(), []
    killer = threading.Thread(target=_kill_the_ocr_reader, args=(before, stop, killed), daemon=True)
    killer.start()
    try:
        state = _run(inbox, out, ThreadPoolTaskRunner(max_workers=2))
    finally:
        stop.set()
        killer.join()
    return state, out, scan, killed


def test_the_killed_file_makes_its_application_an_error_and_says_it_was_not_processed(
        crashed_run: tuple[Any, Path, str, list[int]]) -> None:
    state, out, scan, killed = crashed_run
    assert killed, "no reading process was seen reading the scan"
    assert state.is_completed()
    report = Report.model_validate_json((out / "APP-K-0001" / "report.json").read_text(encoding="utf-8"))
    assert report.status.value == "error"
    [doc] = [d for d in report.documents if d.file == scan]
    assert doc.not_processed and doc.pages == 0
    [finding] = [f for f in report.findings if f.code.value == "DOC_UNREADABLE"]
    assert scan in finding.message and "未能处理" in finding.message and "SIGKILL" in finding.message
    assert finding.documents == [scan]
    # the rest of the application was still read and checked
    others = [d for d in report.documents if d.file != scan]
    assert others and all(d.pages > 0 and not d.not_processed for d in others)
    assert any(d.doc_type.value == "contract" for d in others)


def test_the_rest_of_the_batch_goes_on(crashed_run: tuple[Any, Path, str, list[int]]) -> None:
    state, out, _scan, _killed = crashed_run
    result = state.result()
    assert result["applications"] == 2 and result["error"] == 1
    other = Report.model_validate_json((out / "APP-K-0002" / "report.json").read_text(encoding="utf-8"))
    assert other.status.value != "error"
    assert other.documents and all(not d.not_processed for d in other.documents)
    for name in ("index.html", "summary.csv", "findings.csv", "APP-K-0001/report.html"):
        assert (out / name).is_file()
    summary = (out / "summary.csv").read_text(encoding="utf-8-sig")
    assert "APP-K-0001" in summary and "APP-K-0002" in summary
