"""One batch at a time per output folder.

The lock is an ``flock`` on ``OUT/.voucher-check.lock``, so the kernel lets it go the
moment the process holding it dies, however it dies. The file names the holder (process
and start time) while a batch runs and is emptied when it ends; a file still naming a
holder that no longer holds the lock is what a killed run left, and is taken over.
"""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from model.base import TZ

LOCK_NAME = ".voucher-check.lock"


class OutputLocked(Exception):
    """Another batch is writing this output folder; the message is for the operator."""


@contextmanager
def output_lock(out: Path, log: logging.Logger | logging.LoggerAdapter[logging.Logger]) -> Iterator[None]:
    """Hold the output folder's lock for the ``with`` block; raises ``OutputLocked`` when
    another batch holds it."""
    out.mkdir(parents=True, exist_ok=True)
    fd = os.open(out / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            raise OutputLocked(f"输出目录 {out} 正由另一个批处理使用（{holder or '进程未知'}）；"
                               "请等它结束后再运行，或换一个输出目录") from None
        stale = _holder(fd)
        if stale:
            log.warning("上次的批处理（%s）未正常结束，已接管输出目录的锁；它未写完的文件均为临时文件，"
                        "将被清除", stale)
        started = datetime.now(TZ).strftime("%Y-%m-%d %H:%M:%S")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"进程 {os.getpid()}，开始于 {started}".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _holder(fd: int) -> str:
    return os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
