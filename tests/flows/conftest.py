"""The flow tests' Prefect: one test harness (a real server on a temporary database) for the
session, started only when a flow test asks for it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import once_per_run
from tests.sample_docs.corpus import INBOX, truths

BIN = Path(sys.executable).with_name("voucher-check")

HARNESS_STARTUP_SECONDS = 180
"""The harness took 17–20 s to start on a 2-core machine, past its 30 s default under load."""


@pytest.fixture(scope="session")
def prefect_api() -> Iterator[str]:
    """The API URL of a Prefect server on a temporary database, for the whole session."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=HARNESS_STARTUP_SECONDS):
        yield str(PREFECT_API_URL.value())


@pytest.fixture(scope="session")
def flow_inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three applications: the text-layer files and one scan of a clean corpus application;
    a .zip upload that is not a zip; one whose application.yaml is unusable."""
    truth = next(t for t in truths() if t["clean"] and not t["zipped"])
    source = INBOX / truth["application_id"]
    inbox = tmp_path_factory.mktemp("flow-inbox")
    good = inbox / "APP-F-0001"
    good.mkdir()
    scan = next(n for n, f in truth["files"].items() if f["scan"] in ("jpg", "png"))
    for name, f in truth["files"].items():
        if f["scan"] is None or name == scan:
            shutil.copy(source / name, good / name)
    manifest = (source / "application.yaml").read_text(encoding="utf-8")
    (good / "application.yaml").write_text(manifest.replace(truth["application_id"], "APP-F-0001"),
                                           encoding="utf-8")
    (inbox / "APP-F-0002.zip").write_bytes(b"PK\x03\x04 this upload was cut off")
    bad = inbox / "APP-F-0003"
    bad.mkdir()
    (bad / "application.yaml").write_text("direction: [", encoding="utf-8")
    return inbox


@pytest.fixture(scope="session")
def dask_cluster() -> Iterator[str]:
    """The scheduler address of a local Dask cluster of two separate worker processes."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=40) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="session")
def demo_batch(tmp_path_factory: pytest.TempPathFactory, prefect_api: str,
               corpus_reader) -> tuple[Path, subprocess.CompletedProcess[str]]:  # type: ignore[no-untyped-def]
    """`voucher-check demo` on every sample application, once for the run: its output folder
    and the finished command. It reads through the run's corpus read cache, so the sample's
    scans are OCR'd once per run."""
    assert corpus_reader.cache is not None
    as_of = max(date.fromisoformat(t["as_of"]) for t in truths())
    command = [str(BIN), "demo", "--out", "", "--as-of", as_of.isoformat(),
               "--cache", str(corpus_reader.cache.folder)]

    def make(folder: Path) -> None:
        command[3] = str(folder / "out")
        env = {**os.environ, "PREFECT_API_URL": prefect_api}
        result = subprocess.run(command, capture_output=True, text=True, timeout=1200, check=False, env=env)
        ran = {"returncode": result.returncode, "stdout": result.stdout, "stderr": result.stderr}
        (folder / "command.json").write_text(json.dumps(ran), encoding="utf-8")

    folder = once_per_run(tmp_path_factory, "demo", make)
    ran = json.loads((folder / "command.json").read_text(encoding="utf-8"))
    command[3] = str(folder / "out")
    return folder / "out", subprocess.CompletedProcess(command, ran["returncode"], ran["stdout"],
                                                       ran["stderr"])
