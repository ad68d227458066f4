"""The nightly batch as a Prefect flow.

One flow run checks an inbox: each application is a group of tasks named after it (load
the uploads, read every file, write the report; no tags, whose concurrency-limit lookup
cost ~0.12 s per task run here), the reads of all applications share one task
runner sized by ``workers`` (threads here, or a Dask cluster), the batch-level checks run
once every application is read, and the batch files come last. An application that cannot
be loaded, read or written gets a report with status ``error``; the batch goes on.

Only this package imports Prefect: ``pipeline``, ``extractors`` and ``validators`` stay plain
Python, and every task here is a thin call into them.
"""

# No ``from __future__ import annotations``: a deployment loads this file by path and
# Prefect validates the flow's parameters against their annotations, which must be real types.
import os
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
from prefect.task_runners import ThreadPoolTaskRunner

from flows import DASK_ADDRESS_ENV
from pipeline.application import (
    AppInput,
    Checked,
    Reader,
    app_id_of,
    application_of,
    applications_in,
    checked_of,
    document_of,
    failed_report,
    load_input,
    report_of,
    upload_bytes,
)
from pipeline.cache import ReadCache
from pipeline.model import Document, Report, Severity, today
from pipeline.outputs import (
    Application,
    remove_stale_temporaries,
    summary_row,
    write_application,
    write_index,
)
from pipeline.rules import Rules, load_rules
from pipeline.workers import ReadPool, can_start_processes
from validators.batch import check_batch
from validators.registry import Draft

CACHE_FOLDER = ".cache/read"
"""Where the read cache lives under the output folder unless a cache folder is given."""


# --- reading, in whichever process the task runner picks ----------------------------------


@dataclass(frozen=True)
class ReadJob:
    """What a read task needs to build its reader; plain data, so it travels to Dask workers."""

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


def reader_for(job: ReadJob) -> Reader:
    """This process's reader for ``job``: reading in a pool of worker processes with the
    rules' time limit where this process may start processes, else in-process (a Dask
    worker is itself one process of a pool)."""
    with _readers_lock:
        reader = _readers.get(job.key)
        if reader is None:
            pool = None
            if can_start_processes():
                pool = ReadPool(job.workers, job.rules.reading.ocr_engine,
                                job.rules.reading.file_timeout_seconds)
            reader = Reader(job.rules, ReadCache(Path(job.cache)), pool=pool)
            _readers[job.key] = reader
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


def transient(task: Any, task_run: Any, state: Any) -> bool:
    """Retry a task only when it failed on input or output (a network share that blinked);
    a corrupt upload or a bug fails the same way every time."""
    try:
        state.result()
    except OSError:
        return True
    except BaseException:
        return False
    return False


@task(name="load-application", retries=2, retry_delay_seconds=1, retry_condition_fn=transient,
      cache_policy=NO_CACHE,
      task_run_name="load {path.name}")
def load_application(path: Path) -> AppInput:
    """The manifest of one application folder or zip and the names of its uploads. Their
    bytes are read by the tasks that need them, so a large inbox is never all in memory."""
    return load_input(path, contents=False)


@dataclass(frozen=True)
class Read:
    """A read upload as the report sees it, and what reading it cost."""

    document: Document
    from_cache: bool
    ocr_pages: int
    """Pages OCR'd by this read (0 when it came from the cache)."""


@task(name="read-document", retries=2, retry_delay_seconds=2, retry_condition_fn=transient,
      cache_policy=NO_CACHE,
      task_run_name="read {app_id}/{name}")
def read_document(job: ReadJob, path: Path, app_id: str, name: str, member: str) -> Read:
    """One upload read (or taken from the cache), typed and its fields extracted."""
    reader = reader_for(job)
    read = reader.read(name, upload_bytes(path, member))
    return Read(document_of(read, reader.rules), read.from_cache, 0 if read.from_cache else read.ocr_pages)


@task(name="check-across-applications", cache_policy=NO_CACHE)
def check_across(checked: list[Checked]) -> dict[str, list[Draft]]:
    """The batch-level checks: the same file, invoice or contract in two applications."""
    return check_batch([c.ctx for c in checked])


@task(name="write-report", retries=1, retry_condition_fn=transient, cache_policy=NO_CACHE,
      task_run_name="report {checked.ctx.app_id}")
def write_report(checked: Checked, path: Path, drafts: list[Draft] | None, out: Path,
                 low_confidence: float) -> Application:
    """Every rule run on one application; its report.json, report.html and crops written and
    published as artifacts. Returns what the batch files need (without the uploads)."""
    app = application_of(checked, report_of(checked, drafts))
    app.files = load_input(path).files  # for the evidence crops
    write_application(app, out, low_confidence)
    publish(app.report, out)
    return Application(app.report, {}, app.applicant_name, app.applicant_uscc, app.direction,
                       app.declared_amount)


@task(name="write-failed-report", cache_policy=NO_CACHE, task_run_name="report {path.name} (error)")
def write_failed(path: Path, as_of: date, reason: str, out: Path, low_confidence: float,
                 app_id: str | None = None) -> Application:
    """The report of an application that could not be checked at all."""
    app = Application(failed_report(path, as_of, reason, app_id))
    write_application(app, out, low_confidence)
    publish(app.report, out)
    return app


@task(name="write-batch-files", cache_policy=NO_CACHE)
def write_batch_files(apps: list[Application], out: Path) -> Path:
    """summary.csv, findings.csv and index.html, and a table artifact of the batch."""
    index = write_index(apps, out)
    rows = [summary_row(a) for a in apps]
    create_table_artifact(table=rows, key="voucher-check-batch",
                          description=f"算力券核查批次：{len(rows)} 份申报。汇总页 {index.resolve()}")
    return index


# --- artifacts ------------------------------------------------------------------------------


def artifact_key(application_id: str) -> str:
    """A Prefect artifact key for an application (lower-case letters, digits and dashes)."""
    cleaned = "".join(c if c.isascii() and c.isalnum() else "-" for c in application_id.lower())
    return "report-" + "-".join(part for part in cleaned.split("-") if part)


def summary_markdown(report: Report) -> str:
    """The application at a glance: status, findings by severity, eligible cost, subsidy."""
    words = {"pass": "通过", "flagged": "需复核", "error": "无法核查"}
    counts = {s: sum(f.severity is s for f in report.findings) for s in Severity}
    lines = [f"# {report.application_id}：{words[report.status.value]}", "",
             "| 状态 | 错误 | 警告 | 提示 | 可补贴金额（元） | 补贴（元） |", "|---|---|---|---|---|---|"]
    sub = report.subsidy
    eligible = f"{sub.eligible_cost:,.2f}" if sub else "—"
    subsidy = f"{sub.subsidy:,.2f}" if sub else "—"
    lines.append(f"| {report.status.value} | {counts[Severity.ERROR]} | {counts[Severity.WARNING]} | "
                 f"{counts[Severity.INFO]} | {eligible} | {subsidy} |")
    if report.findings:
        lines += ["", "| 编号 | 代码 | 级别 | 说明 |", "|---|---|---|---|"]
        lines += [f"| {f.finding_id} | {f.code.value} | {f.severity.value} | "
                  f"{f.message.replace('|', '｜').replace(chr(10), ' ')} |" for f in report.findings]
    return "\n".join(lines)


def publish(report: Report, out: Path) -> None:
    """A markdown artifact with the application's summary and a link to its report."""
    key = artifact_key(report.application_id)
    create_markdown_artifact(markdown=summary_markdown(report), key=key,
                             description=f"{report.application_id} 核查结果")
    path = (out / report.application_id / "report.html").resolve()
    create_link_artifact(link=path.as_uri(), link_text=f"{report.application_id} 核查报告",
                         key=f"{key}-link", description="核查报告（report.html）")


# --- the flow -------------------------------------------------------------------------------


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


def task_runner(workers: int | None = None, dask_address: str | None = None) -> Any:
    """Threads sized by ``workers`` (default: the number of cores) here, or the Dask cluster
    at ``dask_address``."""
    if dask_address:
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=dask_address)
    return ThreadPoolTaskRunner(max_workers=workers or os.cpu_count() or 1)


@flow(name="voucher-check-batch", description="算力券申报材料核查：一个收件目录的全部申报",
      validate_parameters=True, task_runner=task_runner(None, os.environ.get(DASK_ADDRESS_ENV)))
def nightly_batch(inbox: str, out: str, as_of: date | None = None, rules_file: str | None = None,
                  workers: int | None = None, only: list[str] | None = None,
                  cache: str | None = None) -> dict[str, Any]:
    """Check every application of ``inbox`` (or those named in ``only``) and write ``out``.

    ``as_of`` is the date taken as today (default: today in Beijing). ``cache`` is the read
    cache folder (default: ``OUT/.cache/read``).
    """
    result = run_batch(Path(inbox), Path(out), as_of or today(), load_rules(rules_file),
                       workers or os.cpu_count() or 1, only, Path(cache) if cache else None)
    return {"index": str(result.index), "applications": len(result.reports),
            "pass": result.count("pass"), "flagged": result.count("flagged"),
            "error": result.count("error"), "seconds": round(result.seconds, 1),
            "files_read": result.files_read, "ocr_pages": result.ocr_pages}


def run_batch(inbox: Path, out: Path, as_of: date, rules: Rules, workers: int,
              only: list[str] | None = None, cache: Path | None = None) -> BatchResult:
    """The body of the flow; must run inside a flow run."""
    logger = get_run_logger()
    started = time.perf_counter()
    # an output or cache folder kept inside the inbox is not an application
    own = {out.resolve(), *([cache.resolve()] if cache else [])}
    paths = [p for p in applications_in(inbox) if p.resolve() not in own]
    if only is not None:
        paths = [p for p in paths if p.name in only]
    logger.info("%d 份申报，输出到 %s", len(paths), out)
    chosen = {p.resolve() for p in paths} | own
    ignored = [] if only is not None else sorted(
        p.name for p in inbox.iterdir() if p.resolve() not in chosen and not p.name.startswith("."))
    if ignored:
        logger.warning("收件目录中以下文件不是申报目录或 .zip，已忽略：%s", "、".join(ignored))
    if out.is_dir() and (stale := remove_stale_temporaries(out)):
        logger.info("已清除上次中断留下的 %d 个临时文件", stale)
    job = ReadJob(rules, str(cache or out / CACHE_FOLDER), workers)
    low = rules.reading.low_confidence
    try:
        loads = {p: load_application.submit(p) for p in paths}
        inputs: dict[Path, AppInput] = {}
        failed: dict[Path, str] = {}
        for p, future in loads.items():
            try:
                inputs[p] = future.result()
            except Exception as exc:
                failed[p] = f"申报材料无法打开：{type(exc).__name__}: {exc}"
        reads: dict[Path, list[PrefectFuture[Read]]] = {
            p: [read_document.submit(job, p, app.app_id, name, member)
                for name, member in app.members.items()]
            for p, app in inputs.items()}
        checked: list[Checked] = []
        paths_checked: list[Path] = []
        first_with_id: dict[str, Path] = {}
        files_read = ocr_pages = 0
        for i, (p, app) in enumerate(inputs.items(), 1):
            try:
                results = [f.result() for f in reads[p]]
                documents = [r.document for r in results]
                this = checked_of(app, documents, rules, as_of)
                if this.ctx.app_id in first_with_id:
                    owner = first_with_id[this.ctx.app_id].name
                    failed[p] = (f"申报编号 {this.ctx.app_id} 已由《{owner}》使用，"
                                 "本份申报未核查；请更正编号后重新提交")
                    logger.error("[%d/%d] %s：%s", i, len(inputs), p.name, failed[p])
                    continue
                first_with_id[this.ctx.app_id] = p
                checked.append(this)
                paths_checked.append(p)
            except Exception as exc:
                failed[p] = f"申报材料读取失败：{type(exc).__name__}: {exc}"
                logger.error("[%d/%d] %s：无法核查（%s）", i, len(inputs), p.name, failed[p])
                continue
            fresh = [r for r in results if not r.from_cache]
            files_read += len(fresh)
            ocr_pages += sum(r.ocr_pages for r in fresh)
            logger.info("[%d/%d] %s：%d 份材料，新读取 %d 份（OCR %d 页），已用 %.0f 秒", i, len(inputs),
                        app.app_id, len(documents), len(fresh), sum(r.ocr_pages for r in fresh),
                        time.perf_counter() - started)
        batch = check_across.submit(checked).result()
        writes = [write_report.submit(c, p, batch.get(c.ctx.app_id), out, low)
                  for c, p in zip(checked, paths_checked, strict=True)]
        done: list[Application] = []
        for p, written in zip(paths_checked, writes, strict=True):
            try:
                done.append(written.result())
            except Exception as exc:
                failed[p] = f"核查报告生成失败：{type(exc).__name__}: {exc}"
        taken = {a.report.application_id for a in done}
        for p, reason in failed.items():
            logger.error("%s：无法核查（%s）", p.name, reason)
            app_id = app_id_of(p)
            if app_id in taken:  # never overwrite another application's report
                app_id = p.name if p.name not in taken else f"{p.name}-{len(taken)}"
            taken.add(app_id)
            done.append(write_failed.submit(p, as_of, reason, out, low, app_id).result())
    finally:
        close_readers()
    done.sort(key=lambda a: a.report.application_id)
    index = write_batch_files.submit(done, out).result()
    reports = [a.report for a in done]
    seconds = time.perf_counter() - started
    counts = {s: sum(r.status.value == s for r in reports) for s in ("pass", "flagged", "error")}
    logger.info("完成：%d 份申报，通过 %d，需复核 %d，无法核查 %d，用时 %.0f 秒", len(reports),
                counts["pass"], counts["flagged"], counts["error"], seconds)
    return BatchResult(index, reports, seconds, files_read, ocr_pages)


def run_once(inbox: Path, out: Path, as_of: date | None = None, rules_file: str | None = None,
             workers: int | None = None, only: list[str] | None = None, cache: str | None = None,
             dask_address: str | None = None) -> dict[str, Any]:
    """One run of the batch flow outside a deployment (the command line, the benchmark), on
    threads or the Dask cluster at ``dask_address``. The heartbeat thread is off: it costs
    ~1 s per flow run, and a one-off run has no worker watching for its heartbeat."""
    workers = workers or os.cpu_count() or 1
    batch = nightly_batch.with_options(task_runner=task_runner(workers, dask_address))
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        result: dict[str, Any] = batch(inbox=str(inbox), out=str(out), as_of=as_of, rules_file=rules_file,
                                       workers=workers, only=only, cache=cache)
    return result
