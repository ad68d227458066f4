"""The reading session of a batch: a reader with the rules' settings and the read cache,
reading in worker processes with a time limit, one per process for a job (plain data that
travels to Dask workers), and stopped at once on a signal."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from intake.files import take_in
from policy.rules import Rules
from reading.cache import ReadCache
from reading.ocr import OcrEngine, make_engine
from reading.reader import READER_VERSION, ReadDocument, ReadSettings, read_upload
from reading.workers import ReadPool, can_start_processes


class Reader:
    """Reads uploads with the rules' settings and an optional on-disk cache: in worker
    processes with a time limit when given a ``ReadPool``, else in this process with one OCR
    engine loaded on first need."""

    def __init__(self, rules: Rules, cache: ReadCache | None = None,
                 engine_name: str | None = None, settings: ReadSettings | None = None,
                 pool: ReadPool | None = None) -> None:
        self.rules = rules
        self.cache = cache
        self.engine_name = engine_name or rules.reading.ocr_engine
        self.settings = settings or ReadSettings.from_rules(rules.reading, rules.limits)
        if pool is not None and pool.engine_name != self.engine_name:
            raise ValueError(f"the pool reads with {pool.engine_name!r}, the reader with "
                             f"{self.engine_name!r}: the cache would file one engine's results "
                             "under the other's name")
        self.pool = pool
        self._engine: OcrEngine | None = None

    def engine(self) -> OcrEngine:
        if self._engine is None:
            self._engine = make_engine(self.engine_name)
        return self._engine

    def read(self, name: str, data: bytes) -> ReadDocument:
        upload = take_in(name, data, self.rules.limits)
        key = ReadCache.key(upload.sha256, READER_VERSION, self.engine_name, self.settings)
        if self.cache is not None and upload.readable:
            hit = self.cache.get(key, upload)
            if hit is not None:
                return hit
        if self.pool is not None and upload.readable:
            doc, complete = self.pool.read(upload, self.settings)
        else:
            doc, complete = read_upload(upload, self.settings, self.engine), True
        if self.cache is not None and upload.readable and complete:
            self.cache.put(key, doc)
        return doc


# --- which reader: one given, or one per process built from plain data --------------------------


@dataclass(frozen=True)
class ReadJob:
    """What a read needs to build its reader; plain data, so it travels to Dask workers."""

    rules: Rules
    cache: str
    workers: int
    key: str = ""
    """Which reader of a process serves this job; computed once, not per file."""

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", f"{self.cache}|{self.workers}|{self.rules.model_dump_json()}")


_readers: dict[str, Reader] = {}
_readers_lock = threading.Lock()


def reader_for(source: Reader | ReadJob) -> Reader:
    """The reader a read step uses: the one given, or this process's reader for the job,
    reading in a pool of worker processes with the rules' time limit where this process may
    start processes, else in-process (a Dask worker is itself one process of a pool)."""
    if isinstance(source, Reader):
        return source
    with _readers_lock:
        reader = _readers.get(source.key)
        if reader is None:
            pool = None
            if can_start_processes():
                pool = ReadPool(source.workers, source.rules.reading.ocr_engine,
                                source.rules.reading.file_timeout_seconds)
            reader = Reader(source.rules, ReadCache(Path(source.cache)), pool=pool)
            _readers[source.key] = reader
        return reader


def stop_readers_now() -> None:
    """Stop every reading process at once, from a signal handler: no lock taken, no waiting;
    reads in flight come back as stopped."""
    for reader in list(_readers.values()):
        if reader.pool is not None:
            reader.pool.stop_now()


def close_readers() -> None:
    """Stop the worker processes of this process's readers."""
    with _readers_lock:
        for reader in _readers.values():
            if reader.pool is not None:
                reader.pool.close()
        _readers.clear()
