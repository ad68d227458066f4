"""A batch killed with SIGKILL (the OOM killer, a power cut) at moments spread over its
run — while reading, while writing reports and crops, while writing the batch files — and
run again gives exactly the reports of a run never interrupted; no half-written file is
ever visible in OUT. Two batches on one output folder: the second is refused; a lock left
by a killed run is taken over."""

from __future__ import annotations

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
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from tests.sample_docs.corpus import INBOX, text_pdf, truths

BIN = Path(sys.executable).with_name("voucher-check")
WAIT_SECONDS = 300
SEED = 20261202


def _env(api: str) -> dict[str, str]:
    # the batch's own process, not the supervisor that would run it again after the kill
    return {**os.environ, "PREFECT_API_URL": api, "VOUCHER_CHECK_SUPERVISED": "1"}


def _start(inbox: Path, out: Path, api: str) -> subprocess.Popen[str]:
    return subprocess.Popen([str(BIN), "run", str(inbox), "--out", str(out), "--as-of", "2025-07-31",
                             "--workers", "2"], env=_env(api), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, process_group=0)


def _finish(proc: subprocess.Popen[str]) -> str:
    output, _ = proc.communicate(timeout=WAIT_SECONDS)
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


POINTS: list[tuple[str, Callable[[Path], bool]]] = [
    ("while reading: after the first file read", lambda out: _cache_entries(out) >= 1),
    ("while reading: after a later file read", lambda out: _cache_entries(out) >= 4),
    ("while writing reports: the first report out", lambda out: any(out.glob("*/report.json"))),
    ("while writing crops", lambda out: any(out.glob("*/evidence/*.png"))),
    ("while writing the batch files", lambda out: (out / "summary.csv").exists()),
]


def _kill_when(proc: subprocess.Popen[str], out: Path, ready: Callable[[Path], bool],
               rng: random.Random) -> bool:
    """SIGKILL the batch's whole process group a random instant after ``ready`` holds;
    False if the run finished first."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline and proc.poll() is None:
        if ready(out):
            time.sleep(rng.uniform(0, 0.3))
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return True
        time.sleep(0.02)
    proc.communicate()
    return False


def test_killed_anywhere_then_run_again_gives_the_same_reports(inbox: Path, tmp_path: Path,
                                                               prefect_api: str) -> None:
    _finish(_start(inbox, tmp_path / "whole", prefect_api))
    expected = _outputs(tmp_path / "whole")
    out = tmp_path / "killed"
    rng = random.Random(SEED)
    killed = []
    for what, ready in POINTS:
        if _kill_when(_start(inbox, out, prefect_api), out, ready, rng):
            killed.append(what)
        _visible_files_are_whole(out)
    assert len(killed) >= 4, killed  # the batch files take milliseconds: that point may be missed
    _finish(_start(inbox, out, prefect_api))
    assert _outputs(out) == expected
    assert not [p for p in out.rglob(".tmp-*") if ".cache" not in p.parts]  # the cache keeps its own


def test_a_second_batch_on_the_same_output_is_refused(inbox: Path, tmp_path: Path, prefect_api: str) -> None:
    out = tmp_path / "out"
    first = _start(inbox, out, prefect_api)
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while not ((out / ".voucher-check.lock").exists() and (out / ".voucher-check.lock").read_text()):
            assert time.monotonic() < deadline and first.poll() is None
            time.sleep(0.05)
        second = subprocess.run([str(BIN), "run", str(inbox), "--out", str(out), "--as-of", "2025-07-31"],
                                env=_env(prefect_api), capture_output=True, text=True, timeout=WAIT_SECONDS)
        assert second.returncode == 1
        assert "正由另一个批处理使用" in second.stderr and f"进程 {first.pid}" in second.stderr
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.communicate()
    # the killed run's lock is recognised as stale and taken over
    assert f"进程 {first.pid}" in (out / ".voucher-check.lock").read_text(encoding="utf-8")
    third = _finish(_start(inbox, out, prefect_api))
    assert "已接管输出目录的锁" in third and f"进程 {first.pid}" in third
    assert (out / ".voucher-check.lock").read_text(encoding="utf-8") == ""
