"""A batch: every application of an inbox through the steps of ``checking.steps``, the
checks across them, the batch files. This is the one path: the Prefect flow runs it with
each step submitted as a task, the tests run it in this process; every decision (what is
an application, which id each gets, what a failure becomes) is made here.

One broken upload or application never stops the batch: whatever fails becomes a finding
of its application, and every application the inbox holds gets a report.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol, TypeVar

from checking.lock import output_lock
from checking.steps import (
    Read,
    application_of,
    context_of,
    in_one_batch,
    load_application,
    read_document,
    report_of,
    unread_document,
    write_report,
)
from intake.inbox import AppInput, InboxError, applications_in
from model.document import Document
from model.report import Report
from outputs.application import Application
from outputs.files import remove_stale_temporaries
from outputs.report import write_index
from policy.rules import Rules
from reading.session import Reader, ReadJob, close_readers
from validators.context import CheckContext

CACHE_FOLDER = ".cache/read"
"""Where the read cache lives under the output folder unless a cache folder is given."""

READ_FAILED = "读取失败：读取程序出错，该文件未能读取；请人工查看该文件"
NOT_OPENED = "申报材料无法打开（读取文件夹或压缩包时出错）"

T = TypeVar("T", covariant=True)
Log = logging.Logger | logging.LoggerAdapter[logging.Logger]


class Pending(Protocol[T]):
    def result(self) -> T: ...


Submit = Callable[..., Pending[Any]]
"""``submit(step, *args)``: run a step (a function of ``checking.steps``, or
``write_batch_files``) somewhere, and give its result on ``.result()``, raising what it raised."""


class _Later:
    """A step run in this process when its result is first asked for."""

    def __init__(self, step: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self.step, self.args = step, args
        self.done = False
        self.value: Any = None
        self.error: BaseException | None = None

    def result(self) -> Any:
        if not self.done:
            try:
                self.value = self.step(*self.args)
            except Exception as exc:
                self.error = exc
            self.done = True
        if self.error is not None:
            raise self.error
        return self.value


def in_process(step: Callable[..., Any], *args: Any) -> Pending[Any]:
    return _Later(step, args)


def write_batch_files(apps: list[Application], out: Path) -> Path:
    """summary.csv, findings.csv and index.html; returns the index page's path."""
    return write_index(apps, out)


@dataclass
class BatchResult:
    index: Path
    reports: list[Report]
    seconds: float
    files_read: int = 0
    """Uploads read afresh (not taken from the read cache)."""
    ocr_pages: int = 0

    def count(self, status: str) -> int:
        return sum(r.status.value == status for r in self.reports)

    def summary(self) -> dict[str, Any]:
        return {"index": str(self.index), "applications": len(self.reports),
                "pass": self.count("pass"), "flagged": self.count("flagged"), "error": self.count("error"),
                "seconds": round(self.seconds, 1), "files_read": self.files_read, "ocr_pages": self.ocr_pages}


def check_inbox(inbox: Path, out: Path, as_of: date, rules: Rules, reading: Reader | ReadJob | None = None,
                submit: Submit = in_process, only: list[str] | None = None, cache: Path | None = None,
                log: Log | None = None) -> BatchResult:
    """Check every application of ``inbox`` (or those named in ``only``) and write ``out``.

    ``reading`` is the reader (default: one per process, with the read cache in ``cache``
    or ``OUT/.cache/read``). Raises ``OutputLocked`` when another batch writes ``out``.
    """
    log = log or logging.getLogger("voucher-check")
    started = time.perf_counter()
    with output_lock(out, log):
        found = applications_in(inbox, (out, *([cache] if cache else [])), only)
        log.info("%d 份申报，输出到 %s", len(found.applications), out)
        if found.ignored:
            log.warning("收件目录中以下文件不是申报目录或 .zip，已忽略：%s", "、".join(found.ignored))
        if stale := remove_stale_temporaries(out):
            log.info("已清除上次中断留下的 %d 个临时文件", stale)
        reading = reading or ReadJob(rules, str(cache or out / CACHE_FOLDER), 1)
        try:
            done, files_read, ocr_pages = _check(found.applications, inbox, out, as_of, rules, reading,
                                                 submit, log, started)
        finally:
            close_readers()
        done.sort(key=lambda a: a.report.application_id)
        index = submit(write_batch_files, done, out).result()
    seconds = time.perf_counter() - started
    result = BatchResult(index, [a.report for a in done], seconds, files_read, ocr_pages)
    log.info("完成：%d 份申报，通过 %d，需复核 %d，无法核查 %d，用时 %.0f 秒", len(result.reports),
             result.count("pass"), result.count("flagged"), result.count("error"), result.seconds)
    return result


def _check(paths: list[Path], inbox: Path, out: Path, as_of: date, rules: Rules, reading: Reader | ReadJob,
           submit: Submit, log: Log, started: float) -> tuple[list[Application], int, int]:
    loads = {p: submit(load_application, p, rules, inbox) for p in paths}
    inputs: dict[Path, AppInput] = {}
    failed: dict[Path, str] = {}
    for p, pending in loads.items():
        try:
            inputs[p] = pending.result()
        except InboxError as exc:
            failed[p] = str(exc)
        except Exception:
            log.exception("%s：无法打开", p.name)
            failed[p] = NOT_OPENED
    reads = {p: [(name, submit(read_document, reading, p, name, member))
                 for name, member in app.members.items()] for p, app in inputs.items()}
    contexts: list[tuple[Path, CheckContext]] = []
    files_read = ocr_pages = 0
    for i, p in enumerate(paths, 1):
        app = inputs.get(p)
        if app is None:
            log.error("[%d/%d] %s：无法核查（%s）", i, len(paths), p.name, failed[p])
            contexts.append((p, context_of(p, None, [], rules, as_of, failed[p])))
            continue
        documents: list[Document] = []
        fresh: list[Read] = []
        for name, pending in reads[p]:
            try:
                read: Read = pending.result()
            except Exception:
                log.exception("%s/%s：读取失败", p.name, name)
                documents.append(unread_document(name, READ_FAILED))
                continue
            documents.append(read.document)
            if not read.from_cache:
                fresh.append(read)
        files_read += len(fresh)
        ocr_pages += sum(r.ocr_pages for r in fresh)
        contexts.append((p, context_of(p, app, documents, rules, as_of)))
        log.info("[%d/%d] %s：%d 份材料，新读取 %d 份（OCR %d 页），已用 %.0f 秒", i, len(paths),
                 app.app_id, len(documents), len(fresh), sum(r.ocr_pages for r in fresh),
                 time.perf_counter() - started)
    in_one_batch([ctx for _, ctx in contexts])
    writes = [(p, ctx, submit(write_report, ctx, p, inputs.get(p), out)) for p, ctx in contexts]
    done: list[Application] = []
    for p, ctx, pending in writes:
        try:
            done.append(pending.result())
        except Exception:
            log.exception("%s：报告生成失败，改为不带证据截图重写", p.name)
            done.append(_without_crops(ctx, p, out, log))
    return done, files_read, ocr_pages


def _without_crops(ctx: CheckContext, path: Path, out: Path, log: Log) -> Application:
    """The report written again without the uploads (no crops); if even that fails, the
    application is still in the batch files, so it is never missing from the index."""
    try:
        return write_report(ctx, path, None, out)
    except Exception:
        log.exception("%s：报告无法写出", path.name)
        return application_of(ctx, report_of(ctx))
