"""The nightly batch as a Prefect flow.

The flow runs ``checking.batch.check_inbox``, the path the tests run too, with each step
submitted as a task: load an application, read each upload, write each report (every rule
run, the checks across the batch included), write the batch files. Tasks carry no tags
(their concurrency-limit lookup cost ~0.12 s per task run here); the reads of all
applications share one task runner sized by ``workers`` (threads here, or a Dask cluster).
No decision is made here: the tasks are thin calls, plus what only Prefect has (retries of
a failed read or write, artifacts).

Only this package imports Prefect: every package below it stays plain Python.
"""

# No ``from __future__ import annotations``: a deployment loads this file by path and
# Prefect validates the flow's parameters against their annotations, which must be real types.
import os
from datetime import date
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
from prefect.task_runners import ThreadPoolTaskRunner

from checking import steps
from checking.batch import CACHE_FOLDER, BatchResult, Pending, check_inbox, write_batch_files
from checking.steps import Read
from flows import DASK_ADDRESS_ENV
from intake.inbox import AppInput
from model.base import Severity, today
from model.report import Report
from outputs.application import Application
from outputs.tables import summary_row
from policy.rules import load_rules
from policy.words import say
from reading.session import ReadJob
from validators.context import CheckContext

__all__ = ["CACHE_FOLDER", "BatchResult", "nightly_batch", "run_once", "task_runner"]


# --- the steps as tasks: thin calls, plus what only Prefect has (artifacts, retries) ----------


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
      cache_policy=NO_CACHE, task_run_name="load {path.name}")
def load_application(path: Path, rules: Any, inbox: Path) -> AppInput:
    return steps.load_application(path, rules, inbox)


@task(name="read-document", retries=2, retry_delay_seconds=2, retry_condition_fn=transient,
      cache_policy=NO_CACHE, task_run_name="read {path.name}/{name}")
def read_document(source: Any, path: Path, name: str, member: str) -> Read:
    return steps.read_document(source, path, name, member)


@task(name="write-report", retries=1, retry_condition_fn=transient, cache_policy=NO_CACHE,
      task_run_name="report {ctx.app_id}")
def write_report(ctx: CheckContext, path: Path, app: AppInput | None, out: Path) -> Application:
    done = steps.write_report(ctx, path, app, out)
    publish(done.report, out)
    return done


@task(name="write-batch-files", cache_policy=NO_CACHE)
def write_batch(apps: list[Application], out: Path) -> Path:
    index = write_batch_files(apps, out)
    rows = [summary_row(a) for a in apps]
    create_table_artifact(table=rows, key="voucher-check-batch",
                          description=f"算力券核查批次：{len(rows)} 份申报。汇总页 {index.name}")
    return index


TASKS: dict[Any, Any] = {steps.load_application: load_application, steps.read_document: read_document,
                         steps.write_report: write_report, write_batch_files: write_batch}


def submit(step: Any, *args: Any) -> Pending[Any]:
    """A step of ``checking`` submitted as its task, to the flow's task runner."""
    future: Pending[Any] = TASKS[step].submit(*args)
    return future


# --- artifacts ------------------------------------------------------------------------------


def artifact_key(application_id: str) -> str:
    """A Prefect artifact key for an application (lower-case letters, digits and dashes)."""
    cleaned = "".join(c if c.isascii() and c.isalnum() else "-" for c in application_id.lower())
    return "report-" + "-".join(part for part in cleaned.split("-") if part)


def summary_markdown(report: Report) -> str:
    """The application at a glance, in the vocabulary's words: its verdict and status, findings
    by severity, eligible cost, subsidy."""
    counts = {s: sum(f.severity is s for f in report.findings) for s in Severity}
    heads = " | ".join(f"{say('severities', s)}级发现" for s in Severity)
    lines = [f"# {report.application_id}：{say('verdicts', report.verdict)}", "",
             f"| 状态 | {heads} | 可补贴金额（元） | 补贴（元） |", "|---|---|---|---|---|---|"]
    sub = report.subsidy
    eligible = f"{sub.eligible_cost:,.2f}" if sub else "—"
    subsidy = f"{sub.subsidy:,.2f}" if sub else "—"
    lines.append(f"| {say('statuses', report.status)} | {' | '.join(str(counts[s]) for s in Severity)} | "
                 f"{eligible} | {subsidy} |")
    if report.findings:
        lines += ["", "| 编号 | 代码 | 类别 | 级别 | 说明 |", "|---|---|---|---|---|"]
        lines += [f"| {f.finding_id} | {f.code.value} | {say('kinds', f.kind)} | "
                  f"{say('severities', f.severity)} | {f.message.replace('|', '｜').replace(chr(10), ' ')} |"
                  for f in report.findings]
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
    rules = load_rules(rules_file)
    folder = Path(cache) if cache else Path(out) / CACHE_FOLDER
    job = ReadJob(rules, str(folder), workers or os.cpu_count() or 1)
    result = check_inbox(Path(inbox), Path(out), as_of or today(), rules, job, submit, only,
                         Path(cache) if cache else None, get_run_logger())
    return result.summary()


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
