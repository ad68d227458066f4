"""Shared test set-up: quiet, offline, reproducible."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("OMP_THREAD_LIMIT", "1")
# Prefect, before anything imports it: a private home, no server from the environment, no
# analytics (there is no network), quiet task runs. The flow tests start their own server.
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="voucher-check-prefect-")
os.environ.pop("PREFECT_API_URL", None)
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.setdefault("PREFECT_LOGGING_LOGGERS_PREFECT_TASK_RUNS_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DOCS = ROOT / "sample_docs"


import pytest  # noqa: E402


def read_ahead(reader, corpus: Path) -> None:  # type: ignore[no-untyped-def]
    """Every upload of a corpus's application folders read into ``reader``'s cache, two at a
    time in worker processes as a batch reads them (one OCR thread each), so that the tests
    reading them one by one in this process find them read. Same engine, same settings,
    same cache key: the results are those an in-process read gives."""
    from concurrent.futures import ThreadPoolExecutor

    from reading.session import Reader
    from reading.workers import ReadPool

    files = sorted(p for p in corpus.glob("*/*") if p.is_file() and p.name != "application.yaml")
    timeout = reader.rules.reading.file_timeout_seconds
    with ReadPool(2, reader.engine_name, timeout) as pool, ThreadPoolExecutor(2) as threads:
        ahead = Reader(reader.rules, reader.cache, reader.engine_name, reader.settings, pool)
        list(threads.map(lambda p: ahead.read(p.name, p.read_bytes()), files))


def once_per_run(tmp_path_factory: pytest.TempPathFactory, name: str,
                 make: Callable[[Path], None]) -> Path:
    """A folder that ``make`` fills once for the whole test run: with the tests spread over
    worker processes (pytest-xdist), the first worker to ask makes it under a file lock while
    the others wait, then all of them use it; in a single process, a folder of its own."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        folder = tmp_path_factory.mktemp(name)
        make(folder)
        return folder
    from filelock import FileLock

    root = tmp_path_factory.getbasetemp().parent  # the run's folder all workers share
    folder, done = root / name, root / f"{name}.done"
    with FileLock(str(root / f"{name}.lock")):
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)  # what a worker that failed left
            folder.mkdir()
            make(folder)
            done.touch()
    return folder


@pytest.fixture(scope="session")
def corpus_reader(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """One reader with one read cache for the whole run, the sample corpus read ahead into
    it: the accuracy tests and the end-to-end checks OCR each corpus file once between them
    (once per run, whichever worker process asks first)."""
    from policy.rules import load_rules
    from reading.cache import ReadCache
    from reading.session import Reader

    rules = load_rules()
    folder = once_per_run(tmp_path_factory, "read-cache", lambda f: read_ahead(
        Reader(rules, ReadCache(f)), SAMPLE_DOCS / "inbox"))
    return Reader(rules, ReadCache(folder))


UNTUNED_SEED = 90731
"""The seed of a corpus made here, which no reading or check was ever shaped on."""


@pytest.fixture(scope="session")
def untuned_corpus(tmp_path_factory: pytest.TempPathFactory, corpus_reader) -> Path:  # type: ignore[no-untyped-def]
    """4 applications of our generator from ``UNTUNED_SEED``, made once for the run and read
    ahead into the run's cache: the accuracy bars and the checks are held to it."""
    from sample_docs.gen import generate

    def make(corpus: Path) -> None:
        assert len(generate(corpus, seed=UNTUNED_SEED, count=4)) == 4
        read_ahead(corpus_reader, corpus / "inbox")

    return once_per_run(tmp_path_factory, "untuned", make)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", default=False,
                     help="write sample_docs/golden/ from this run instead of comparing with it "
                          "(then read `git diff sample_docs/golden` before committing)")
