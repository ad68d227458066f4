"""The command stopped at moments spread over a real batch (while reading, while checking,
while writing reports and crops, while writing the batch files): by ``kill -9`` (the OOM
killer, an operator, a scheduler's time limit), by SIGTERM and by Ctrl+C. Within five
seconds nothing of it is left running (its batch, reading processes, temporary server); no
half-written file is ever visible in OUT; run again, it gives exactly the reports of a run
never interrupted. Two batches on one output folder: the second is refused; a lock left by a
killed run is taken over at once."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest
from PIL import Image

from tests.flows.test_lifeline import MARK, marked
from tests.sample_docs.corpus import INBOX, text_pdf, truths

BIN = Path(sys.executable).with_name("voucher-check")
WAIT_SECONDS = 300
GONE_SECONDS = 5
SEED = 20261202


def _start(inbox: Path, out: Path, api: str | None, mark: str, log: Path,
           home: Path | None = None) -> subprocess.Popen[bytes]:
    """``voucher-check run`` as an operator starts it, in a process group of its own (a shell's
    job); every process of the run carries ``mark`` in its environment. ``api`` None: Prefect's
    local mode, with a temporary server in ``home``."""
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env[MARK] = mark
    if api is not None:
        env["PREFECT_API_URL"] = api
    if home is not None:
        env["PREFECT_HOME"] = str(home)
    with log.open("ab") as sink:
        return subprocess.Popen([str(BIN), "run", str(inbox), "--out", str(out), "--as-of", "2025-07-31",
                                 "--workers", "2"], env=env, stdout=sink, stderr=subprocess.STDOUT,
                                process_group=0)


def _finish(proc: subprocess.Popen[bytes], log: Path) -> str:
    proc.wait(timeout=WAIT_SECONDS)
    output = log.read_text(encoding="utf-8", errors="replace")
    assert proc.returncode == 0, output
    return output


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two clean corpus applications: their text-layer files, and one scan in the first."""
    root = tmp_path_factory.mktemp("kill-inbox")
    clean = [t for t in truths() if t["clean"] and not t["zipped"]
             and any(f["scan"] == "jpg" for f in t["files"].values())][:2]
    for i, truth in enumerate(clean, 1):
        source = INBOX / truth["application_id"]
        folder = root / f"APP-K-{i:04d}"
        folder.mkdir()
        scans = [n for n, f in truth["files"].items() if f["scan"] == "jpg"][:1] if i == 1 else []
        for name, f in truth["files"].items():
            if text_pdf(f) or name in scans:
                shutil.copy(source / name, folder / name)
        text = (source / "application.yaml").read_text(encoding="utf-8")
        (folder / "application.yaml").write_text(text.replace(truth["application_id"], folder.name),
                                                 encoding="utf-8")
    return root


def _outputs(out: Path) -> dict[str, str]:
    """Every finished output, the time of checking left out (it differs run to run)."""
    got: dict[str, str] = {}
    for path in sorted(out.glob("*/report.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        data.pop("checked_at")
        got[str(path.relative_to(out))] = json.dumps(data, sort_keys=True)
    for name in ("summary.csv", "findings.csv"):
        got[name] = (out / name).read_text(encoding="utf-8-sig")
    got["evidence"] = " ".join(sorted(str(p.relative_to(out)) for p in out.glob("*/evidence/*.png")))
    return got


def _visible_files_are_whole(out: Path) -> int:
    """Every file a reviewer could open is complete (temporaries are hidden dot files)."""
    count = 0
    for path in out.rglob("*"):
        if not path.is_file() or any(part.startswith(".") for part in path.relative_to(out).parts):
            continue
        count += 1
        data = path.read_bytes()
        if path.suffix == ".json":
            json.loads(data)
        elif path.suffix == ".html":
            assert data.rstrip().endswith(b"</html>"), path
        elif path.suffix == ".csv":
            rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
            assert rows and all(len(r) == len(rows[0]) for r in rows), path
        elif path.suffix == ".png":
            Image.open(io.BytesIO(data)).load()
    return count


def _cache_entries(out: Path) -> int:
    return sum(1 for _ in (out / ".cache" / "read").rglob("*.json")) if (out / ".cache").exists() else 0


def _log_says(text: str) -> Callable[[Path, float], bool]:
    return lambda out, since: text in (out.parent / "run.log").read_text(encoding="utf-8", errors="replace")


def _written(pattern: str) -> Callable[[Path, float], bool]:
    """A file matching ``pattern`` written by this run (one started at ``since``)."""
    return lambda out, since: any(p.stat().st_mtime >= since for p in out.glob(pattern))


POINTS: list[tuple[str, Callable[[Path, float], bool]]] = [
    ("while reading: after the first file read", lambda out, since: _cache_entries(out) >= 1),
    ("while reading: after a later file read", lambda out, since: _cache_entries(out) >= 4),
    ("while checking: every application read", _log_says("[2/2]")),
    ("while writing reports: the first report out", _written("*/report.json")),
    ("while writing crops", _written("*/evidence/*.png")),
    ("while writing the batch files", _written("summary.csv")),
]


Stop = tuple[str, Callable[[Path, float], bool], Callable[[int], None]]
"""A moment of the run (its name, when it has come) and how the command is stopped then."""


def _roles(processes: list[psutil.Process]) -> set[str]:
    """What each process of a run is: the command, its batch, a reading process, the server."""
    roles = set()
    for p in processes:
        with contextlib.suppress(psutil.Error):
            line = " ".join(p.cmdline())
            roles.add("batch" if "flows.cli" in line else "reader" if "spawn_main" in line
                      else "server" if "uvicorn" in line else "command" if "voucher-check" in line
                      else "other")
    return roles


def _gone_within(mark: str, seconds: float) -> list[str]:
    """The command lines of the run's processes still alive after ``seconds``."""
    deadline = time.monotonic() + seconds
    while (left := marked(mark)) and time.monotonic() < deadline:
        time.sleep(0.05)
    lines = []
    for p in left:
        with contextlib.suppress(psutil.Error):
            lines.append(" ".join(p.cmdline()))
            p.kill()
    return lines


def _stop_when(proc: subprocess.Popen[bytes], out: Path, ready: Callable[[Path, float], bool],
               rng: random.Random, mark: str, how: Callable[[int], None]) -> set[str] | None:
    """Stop the command with ``how(pid)`` a random instant after ``ready`` holds, and give the
    roles of the run's processes at that instant; None if the run finished first."""
    since = time.time()  # the run writes nothing in its first second
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline and proc.poll() is None:
        if ready(out, since):
            time.sleep(rng.uniform(0, 0.3))
            roles = _roles(marked(mark))
            how(proc.pid)
            proc.wait(timeout=WAIT_SECONDS)
            return roles if proc.returncode != 0 else None
        time.sleep(0.02)
    proc.wait(timeout=WAIT_SECONDS)
    return None


def sigkill(pid: int) -> None:
    """``kill -9 PID``: the command alone, as the OOM killer or an operator would."""
    os.kill(pid, signal.SIGKILL)


def sigterm(pid: int) -> None:
    os.kill(pid, signal.SIGTERM)


def ctrl_c(pid: int) -> None:
    """What a terminal does on Ctrl+C: SIGINT to its foreground job's process group."""
    os.killpg(pid, signal.SIGINT)


@pytest.fixture(scope="module")
def uninterrupted(inbox: Path, tmp_path_factory: pytest.TempPathFactory, prefect_api: str) -> dict[str, str]:
    out = tmp_path_factory.mktemp("whole") / "out"
    _finish(_start(inbox, out, prefect_api, uuid.uuid4().hex, out.parent / "run.log"), out.parent / "run.log")
    return _outputs(out)


def _stopped_anywhere_then_run_again(inbox: Path, tmp_path: Path, api: str, expected: dict[str, str],
                                     stops: list[Stop],
                                     local_first: bool = False) -> list[str]:
    """Each stop in turn on one output folder: within ``GONE_SECONDS`` no process of the run is
    left and every visible file is whole; then one run more gives the uninterrupted reports,
    with no temporary file left. The first run in Prefect's local mode when ``local_first``."""
    out, log = tmp_path / "out", tmp_path / "run.log"
    rng = random.Random(SEED)
    stopped = []
    for i, (what, ready, how) in enumerate(stops):
        mark = uuid.uuid4().hex
        local = local_first and i == 0
        log.write_bytes(b"")
        proc = _start(inbox, out, None if local else api, mark, log, tmp_path / "prefect-home")
        roles = _stop_when(proc, out, ready, rng, mark, how)
        assert _gone_within(mark, GONE_SECONDS) == [], f"{how.__name__} {what}: left running"
        if how is not sigkill and roles is not None:
            assert proc.returncode == 130, (what, proc.returncode)
        with (tmp_path / "stops.log").open("ab") as kept:
            kept.write(log.read_bytes())
        if roles is not None:
            stopped.append(what)
            assert {"batch"} <= roles, (what, roles)
            if local:
                assert {"server", "reader"} <= roles, (what, roles)
        _visible_files_are_whole(out)
    log.write_bytes(b"")
    _finish(_start(inbox, out, api, uuid.uuid4().hex, log), log)
    assert _outputs(out) == expected
    assert not [p for p in out.rglob(".tmp-*") if ".cache" not in p.parts]  # the cache keeps its own
    return stopped


def test_killed_anywhere_then_run_again_gives_the_same_reports(inbox: Path, tmp_path: Path, prefect_api: str,
                                                               uninterrupted: dict[str, str]) -> None:
    """``kill -9`` of the command: its batch, reading processes and temporary server go with it."""
    stops: list[Stop] = [(what, ready, sigkill) for what, ready in POINTS]
    killed = _stopped_anywhere_then_run_again(inbox, tmp_path, prefect_api, uninterrupted, stops,
                                              local_first=True)
    assert len(killed) >= 5, killed  # the batch files take milliseconds: that point may be missed


def test_stopped_by_sigterm_or_ctrl_c_then_run_again_gives_the_same_reports(
        inbox: Path, tmp_path: Path, prefect_api: str, uninterrupted: dict[str, str]) -> None:
    stops: list[Stop] = [(POINTS[1][0], POINTS[1][1], sigterm), (POINTS[3][0], POINTS[3][1], ctrl_c)]
    assert len(_stopped_anywhere_then_run_again(inbox, tmp_path, prefect_api, uninterrupted, stops)) == 2
    said = (tmp_path / "stops.log").read_text(encoding="utf-8", errors="replace")
    assert said.count("收到停止信号") == 2 and said.count("已中断") == 2


def test_a_second_batch_on_the_same_output_is_refused(inbox: Path, tmp_path: Path, prefect_api: str) -> None:
    out, log = tmp_path / "out", tmp_path / "run.log"
    mark = uuid.uuid4().hex
    first = _start(inbox, out, prefect_api, mark, log)
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while not ((out / ".voucher-check.lock").exists() and (out / ".voucher-check.lock").read_text()):
            assert time.monotonic() < deadline and first.poll() is None
            time.sleep(0.05)
        holder = (out / ".voucher-check.lock").read_text(encoding="utf-8").split("，")[0]
        env = {**os.environ, "PREFECT_API_URL": prefect_api}
        second = subprocess.run([str(BIN), "run", str(inbox), "--out", str(out), "--as-of", "2025-07-31"],
                                env=env, capture_output=True, text=True, timeout=WAIT_SECONDS)
        assert second.returncode == 1
        assert "正由另一个批处理使用" in second.stderr and holder in second.stderr
    finally:
        sigkill(first.pid)
        first.wait()
    assert _gone_within(mark, GONE_SECONDS) == []
    # the killed run's lock is recognised as stale and taken over at once
    assert holder in (out / ".voucher-check.lock").read_text(encoding="utf-8")
    log.write_bytes(b"")
    third = _finish(_start(inbox, out, prefect_api, uuid.uuid4().hex, log), log)
    assert "已接管输出目录的锁" in third and holder in third
    assert (out / ".voucher-check.lock").read_text(encoding="utf-8") == ""


def test_a_killed_serve_leaves_nothing_running(inbox: Path, tmp_path: Path, prefect_api: str) -> None:
    """``voucher-check serve`` killed with SIGKILL once its schedule is served: its process goes
    with it."""
    mark = uuid.uuid4().hex
    log = tmp_path / "serve.log"
    env = {**os.environ, "PREFECT_API_URL": prefect_api, MARK: mark}
    with log.open("ab") as sink:
        proc = subprocess.Popen([str(BIN), "serve", str(inbox), "--out", str(tmp_path / "out")], env=env,
                                stdout=sink, stderr=subprocess.STDOUT, process_group=0)
    deadline = time.monotonic() + WAIT_SECONDS
    while "按 Ctrl+C 停止" not in log.read_text(encoding="utf-8", errors="replace"):
        assert time.monotonic() < deadline and proc.poll() is None, log.read_text(encoding="utf-8")
        time.sleep(0.1)
    time.sleep(2)  # serving
    assert "batch" in _roles(marked(mark))
    sigkill(proc.pid)
    proc.wait()
    assert _gone_within(mark, GONE_SECONDS) == []
