"""Reading uploads in worker processes, each with its own OCR engine, with a time limit.

A sync call cannot be interrupted from another thread, so a file that hangs the PDF library
or the OCR engine would hold its thread for ever. Here every read runs in a process of a
``pebble`` pool; a read still running after the limit has its process killed (the pool
starts a fresh one) and comes back as an unreadable document, so the batch goes on.

Processes are started with ``spawn``: the caller is multi-threaded (the flow's task runner,
Prefect's event loop), and forking a threaded process can deadlock the child.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from concurrent.futures import CancelledError
from concurrent.futures import TimeoutError as FutureTimeout

from pebble import ProcessFuture, ProcessPool
from pebble.common import ProcessExpired

from intake.files import Upload
from reading.ocr import OcrEngine, make_engine
from reading.reader import ReadDocument, ReadSettings, read_upload
from reading.signals import exit_reason

TIMED_OUT = "读取超时：超过 {seconds} 秒仍未读完，已放弃该文件"
CRASHED = ("读取进程异常退出（{reason}），该文件未能处理，本申报因此无法自动核定；"
           "请人工查看该文件")
STOPPED = "读取被中断（批处理已停止），该文件未读完"

# --- inside a worker process ----------------------------------------------------------------

_engine_name: str = ""
_threads: int | None = None
_engine: OcrEngine | None = None


def _start_worker(engine_name: str, threads: int | None) -> None:
    global _engine_name, _threads
    _engine_name, _threads = engine_name, threads
    # Ctrl+C reaches the whole process group: let the caller decide, and stop the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _worker_engine() -> OcrEngine:
    global _engine
    if _engine is None:
        _engine = make_engine(_engine_name, _threads)
    return _engine


def _read_in_worker(upload: Upload, settings: ReadSettings) -> ReadDocument:
    doc = read_upload(upload, settings, _worker_engine)
    doc.upload = Upload(name=upload.name, data=b"", sha256=upload.sha256, kind=upload.kind,
                        errors=upload.errors)  # the caller has the bytes; do not send them back
    return doc


# --- in the caller ------------------------------------------------------------------------


def can_start_processes() -> bool:
    """False inside a daemonic process (a Dask worker, a pool worker), which may not have
    children: read in-process there."""
    return not multiprocessing.current_process().daemon


class ReadPool:
    """``workers`` processes reading uploads, started on the first read.

    Each process runs its OCR engine with ``cores / workers`` threads (at least one), so the
    pool never asks for more threads than the machine has.
    """

    def __init__(self, workers: int, engine_name: str, timeout_seconds: float) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, not {workers}")
        self.workers = workers
        self.engine_name = engine_name
        self.timeout_seconds = timeout_seconds
        self._pool: ProcessPool | None = None
        self._pending: set[ProcessFuture] = set()
        self._lock = threading.Lock()

    def _started(self) -> ProcessPool:
        with self._lock:
            if self._pool is None:
                threads = max(1, (os.cpu_count() or 1) // self.workers)
                self._pool = ProcessPool(max_workers=self.workers, initializer=_start_worker,
                                         initargs=(self.engine_name, threads),
                                         context=multiprocessing.get_context("spawn"))
            return self._pool

    def read(self, upload: Upload, settings: ReadSettings) -> tuple[ReadDocument, bool]:
        """The read document, and whether it is a real result (False: it timed out or its
        process died, so it must not be cached)."""
        pool = self._started()
        with self._lock:
            future = pool.schedule(_read_in_worker, args=(upload, settings), timeout=self.timeout_seconds)
            self._pending.add(future)
        try:
            doc = future.result()
        except FutureTimeout:
            reason = TIMED_OUT.format(seconds=f"{self.timeout_seconds:g}")
            return ReadDocument(upload=upload, errors=[reason]), False
        except ProcessExpired as exc:
            died = ReadDocument(upload=upload, errors=[CRASHED.format(reason=exit_reason(exc.exitcode))],
                                not_processed=True)
            return died, False
        except CancelledError:
            return ReadDocument(upload=upload, errors=[STOPPED]), False
        finally:
            with self._lock:
                self._pending.discard(future)
        doc.upload = upload
        return doc, True

    def stop_now(self) -> None:
        """Kill the processes without waiting (safe in a signal handler)."""
        for future in list(self._pending):
            future.cancel()
        if self._pool is not None:
            self._pool.stop()

    def close(self) -> None:
        """Stop the processes; reads still waiting or running come back as stopped."""
        with self._lock:
            self.stop_now()
            if self._pool is not None:
                self._pool.join()
                self._pool = None

    def __enter__(self) -> ReadPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
