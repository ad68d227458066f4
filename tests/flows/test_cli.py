"""The command line: real runs of the installed entry point on a small inbox, against the
session's Prefect server (and once in Prefect's own local mode)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from model.export_schema import SCHEMA_PATH
from model.report import Report
from tests.sample_docs.corpus import INBOX, text_pdf, truths

BIN = Path(sys.executable).with_name("voucher-check")


def _run(*args: str, api: str | None = None, home: Path | None = None,
         cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The command run with ``api`` as its Prefect server (None: Prefect's local mode)."""
    env = dict(os.environ)
    env.pop("PREFECT_API_URL", None)
    if api is not None:
        env["PREFECT_API_URL"] = api
    if home is not None:
        env["PREFECT_HOME"] = str(home)
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, timeout=600, check=False,
                          env=env, cwd=cwd)


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
            if text_pdf(f):
                shutil.copy(source / name, folder / name)
        text = (source / "application.yaml").read_text(encoding="utf-8")
        (folder / "application.yaml").write_text(text.replace(truth["application_id"], app_id),
                                                 encoding="utf-8")
    (inbox / "APP-T-0002" / "application.yaml").write_text("direction: [", encoding="utf-8")
    return inbox


def test_run_writes_a_valid_report_per_application(small_inbox: Path, tmp_path: Path,
                                                   prefect_api: str) -> None:
    out = tmp_path / "out"
    # run from a folder holding packages of the project's names: they are never what runs
    decoy = tmp_path / "decoy"
    for package in ("flows", "checking", "extractors"):
        (decoy / package).mkdir(parents=True)
        (decoy / package / "__init__.py").write_text('raise SystemExit("imported from the cwd")\n')
    result = _run("run", str(small_inbox), "--out", str(out), "--as-of", "2025-07-31", "--cache",
                  str(tmp_path / "cache"), api=prefect_api, cwd=decoy)
    assert result.returncode == 0, result.stderr
    assert list((tmp_path / "cache").rglob("*.json")) and not (out / ".cache").exists()
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
    assert codes.count("MANIFEST_INVALID") == 1
    # both applications hold the same files: the batch check says so in each
    assert set(codes) - {"MANIFEST_INVALID"} == {"DUPLICATE_DOCUMENT"}
    assert "DUPLICATE_DOCUMENT" in {f.code.value for f in good.findings}
    assert not list(out.rglob(".tmp-*"))
    for name in ("index.html", "summary.csv", "findings.csv", "APP-T-0001/report.html"):
        assert (out / name).is_file(), name
    assert "汇总页" in result.stdout
    assert f"使用 Prefect 服务器 {prefect_api}" in result.stdout
    # progress: one line per application, nothing per file
    assert "[1/2] APP-T-0001" in result.stderr and "[2/2] APP-T-0002" in result.stderr
    assert "read APP-T-0001/" not in result.stderr


@pytest.mark.slow
def test_run_on_a_dask_cluster(small_inbox: Path, tmp_path: Path, prefect_api: str,
                               dask_cluster: str) -> None:
    out = tmp_path / "out"
    result = _run("run", str(small_inbox), "--out", str(out), "--as-of", "2025-07-31",
                  "--dask-address", dask_cluster, api=prefect_api)
    assert result.returncode == 0, result.stderr
    statuses = {p.parent.name: json.loads(p.read_text(encoding="utf-8"))["status"]
                for p in out.glob("*/report.json")}
    assert statuses == {"APP-T-0001": "flagged", "APP-T-0002": "error"}


def test_a_batch_that_cannot_run_exits_1(small_inbox: Path, tmp_path: Path) -> None:
    result = _run("run", str(small_inbox), "--out", str(tmp_path / "o"), api="http://127.0.0.1:9/api")
    assert result.returncode == 1
    assert "批处理未能完成" in result.stderr


def test_serve_without_a_server_says_how_to_start_one(small_inbox: Path, tmp_path: Path) -> None:
    result = _run("serve", str(small_inbox), "--out", str(tmp_path / "o"))
    assert result.returncode == 1
    assert "prefect server start" in result.stderr and "PREFECT_API_URL" in result.stderr


def test_serve_refuses_a_bad_cron(small_inbox: Path, tmp_path: Path, prefect_api: str) -> None:
    result = _run("serve", str(small_inbox), "--out", str(tmp_path / "o"), "--cron", "every night",
                  api=prefect_api)
    assert result.returncode == 2 and "cron" in result.stderr


def test_serve_registers_the_nightly_deployment_with_its_schedule(small_inbox: Path, tmp_path: Path,
                                                                  prefect_api: str) -> None:
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment

    env = {**os.environ, "PREFECT_API_URL": prefect_api, "PREFECT_RUNNER_POLL_FREQUENCY": "1"}
    out = tmp_path / "o"
    proc = subprocess.Popen([str(BIN), "serve", str(small_inbox), "--out", str(out), "--cron", "0 2 * * *"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deployment = None
    run: Any = None
    try:
        deadline = time.monotonic() + 120
        with get_client(sync_client=True) as client:
            while deployment is None and time.monotonic() < deadline and proc.poll() is None:
                try:
                    deployment = client.read_deployment_by_name("voucher-check-batch/nightly")
                    if deployment.parameters.get("out") != str(out.resolve()):
                        deployment = None  # another serve's, from earlier in the session: not ours yet
                        time.sleep(1)
                except Exception:
                    time.sleep(1)
        # a run of the deployment, as the schedule would start it, picked up by serve
        run = run_deployment("voucher-check-batch/nightly", parameters={"as_of": "2025-07-31"},
                             timeout=300) if deployment is not None else None
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            stdout, stderr = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            stdout, stderr = proc.communicate()
    assert deployment is not None, stdout + stderr
    assert [s.schedule.cron for s in deployment.schedules] == ["0 2 * * *"]  # type: ignore[union-attr]
    assert deployment.schedules[0].schedule.timezone == "Asia/Shanghai"  # type: ignore[union-attr]
    assert deployment.parameters["inbox"] == str(small_inbox.resolve())
    assert deployment.parameters["out"] == str(out.resolve())
    assert "as_of" not in deployment.parameters  # each night checks as of that day
    assert run is not None and run.state is not None and run.state.is_completed(), stdout + stderr
    report = json.loads((out / "APP-T-0001" / "report.json").read_text(encoding="utf-8"))
    assert report["as_of"] == "2025-07-31"
    assert (out / "index.html").is_file()


def test_bad_arguments_exit_2(small_inbox: Path, tmp_path: Path) -> None:
    assert _run("run", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")).returncode == 2
    assert _run("check", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")).returncode == 2
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    assert _run("run", str(small_inbox), "--out", str(blocked / "sub")).returncode == 2
    assert _run("run", str(small_inbox), "--out", str(tmp_path / "o"), "--as-of", "yesterday").returncode == 2
    assert _run("run", str(small_inbox), "--out", str(tmp_path / "o"), "--workers", "0").returncode == 2
    result = _run("run", str(small_inbox), "--out", str(tmp_path / "o"), "--cache", str(blocked / "c"))
    assert result.returncode == 2 and "读取缓存目录不可写" in result.stderr
    bad_rules = tmp_path / "rules.yaml"
    bad_rules.write_text("subsidy: {rate: 2}", encoding="utf-8")
    result = _run("--rules", str(bad_rules), "run", str(small_inbox), "--out", str(tmp_path / "o"))
    assert result.returncode == 2 and "rules" in result.stderr.lower()
    assert _run().returncode == 2


def test_rules_lists_every_code() -> None:
    result = _run("rules")
    assert result.returncode == 0
    assert "SUBSIDY_CAPPED" in result.stdout and "MANIFEST_INVALID" in result.stdout


@pytest.mark.slow
def test_a_batch_process_that_crashes_leaves_nothing_running_and_the_batch_is_run_again(
        flow_inbox: Path, tmp_path: Path) -> None:
    """The batch's own process killed by SIGSEGV in Prefect's local mode on a fresh home, once
    its temporary server and reading processes are up: the command stops both, runs the batch
    again (a whole local-mode run, its own temporary server started and stopped) and finishes."""
    import psutil

    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")
    out = tmp_path / "o"
    command = [str(BIN), "run", str(flow_inbox), "--out", str(out), "--workers", "1", "--as-of", "2025-07-31"]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        batch: psutil.Process | None = None
        left: list[psutil.Process] = []
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None:
            kids = psutil.Process(proc.pid).children(recursive=True)
            lines = {k: " ".join(k.cmdline()) for k in kids if k.is_running()}
            server = [k for k, line in lines.items() if "uvicorn" in line]
            readers = [k for k, line in lines.items() if "spawn_main" in line]
            batch = next((k for k, line in lines.items() if "flows.cli" in line), None)
            if batch is not None and server and readers:
                left = server + readers
                batch.send_signal(signal.SIGSEGV)
                break
            time.sleep(0.2)
        assert left, "the batch never had its server and reading processes up"
        stdout, stderr = proc.communicate(timeout=600)
    finally:
        if proc.poll() is None:
            proc.kill()
    _, alive = psutil.wait_procs(left, timeout=10)
    assert alive == [], "the crashed batch's server or reading processes are still running"
    assert "被 SIGSEGV 终止" in stderr and "重新运行一次" in stderr
    assert stdout.count("本地模式") == 2
    assert proc.returncode == 0, stderr
    assert "完成：3 份申报" in stdout
    for name in ("index.html", "summary.csv", "findings.csv", "APP-F-0001/report.json"):
        assert (out / name).is_file()
    gone = [p for p in psutil.process_iter(["cmdline", "environ"])
            if "uvicorn" in " ".join(p.info["cmdline"] or [])
            and (p.info["environ"] or {}).get("PREFECT_HOME") == env["PREFECT_HOME"]]
    assert gone == [], "a temporary server was left running"
