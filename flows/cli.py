"""The ``voucher-check`` command line (docs/interface.md §1).

``run``, ``check`` and ``demo`` run the batch flow once; ``serve`` serves it on a cron
schedule; ``rules`` lists the checks. Prefect is imported only by the commands that need it,
after its settings for this machine are in place (see ``prefect_defaults``).
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from flows import DASK_ADDRESS_ENV
from flows.lifeline import hold, lifeline
from model.base import TZ, FindingCode, today
from policy.rules import DEFAULT_RULES, Rules, RulesError, load_rules
from reading.signals import signal_name

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
RULES_ENV = "VOUCHER_CHECK_RULES"
"""The rules file to use when ``--rules`` is not given (the bundled one when neither is)."""
DEPLOYMENT = "nightly"
STARTUP_TIMEOUT_SECONDS = "180"
"""Prefect's temporary local server took ~30 s to start cold on a 2-core machine, past
its own 20 s default: allow plenty."""


class UsageError(Exception):
    """Bad arguments or an unusable inbox or output folder: exit 2."""


def say(message: str) -> None:
    print(message, flush=True)


def complain(message: str) -> None:
    print(f"voucher-check: {message}", file=sys.stderr, flush=True)


# --- arguments ----------------------------------------------------------------------------


def _as_of(text: str | None) -> date:
    if text is None:
        return today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--as-of must be YYYY-MM-DD, not {text!r}") from None


def _workers(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"--workers must be a whole number of at least 1, not {text!r}")
    return value


def output_folder(out: Path, what: str = "输出目录") -> Path:
    """``out`` created and writable."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise UsageError(f"{what}不可写: {out} ({exc.strerror})") from None
    return out.resolve()


def inbox_folder(inbox: Path) -> Path:
    if not inbox.is_dir():
        raise UsageError(f"找不到收件目录: {inbox}")
    return inbox.resolve()


def rules_of(path: str | None) -> Rules:
    try:
        return load_rules(path)
    except RulesError as exc:
        raise UsageError(str(exc)) from None


# --- Prefect --------------------------------------------------------------------------------


def prefect_defaults(verbose: bool) -> None:
    """Settings that work on this kind of machine, unless the user has set them: a long
    startup timeout for the temporary local server, no analytics (there is no network),
    and task runs logged only when they go wrong unless ``-v``."""
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", STARTUP_TIMEOUT_SECONDS)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_LOGGERS_PREFECT_TASK_RUNS_LEVEL", "WARNING")
        if not os.environ.get("PREFECT_API_URL"):
            # The temporary server logs SQLite contention and, when it stops, events it
            # could not flush; neither is the batch's business. A real server keeps its logs.
            os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")


def cache_folder(args: argparse.Namespace) -> str | None:
    """The read cache folder asked for, created and writable (None: the flow's default)."""
    if not getattr(args, "cache", None):
        return None
    return str(output_folder(Path(args.cache), "读取缓存目录"))


def where_prefect() -> str:
    url = os.environ.get("PREFECT_API_URL")
    if url:
        return f"使用 Prefect 服务器 {url}"
    return "使用 Prefect 本地模式（临时服务器，首次启动约 30 秒）…"


def run_flow(args: argparse.Namespace, inbox: Path, out: Path, only: list[str] | None = None) -> int:
    """One run of the batch flow; prints the one-screen summary."""
    cache = cache_folder(args)
    prefect_defaults(args.verbose)
    say(where_prefect())
    from checking.lock import OutputLocked
    from flows.nightly import run_once

    stop_on_signals()
    try:
        result = run_once(inbox, out, args.as_of, args.rules, args.workers, only, cache, args.dask_address)
    except OutputLocked as exc:
        complain(f"批处理未运行：{exc}")
        return EXIT_FAILED
    except Exception as exc:
        complain(f"批处理未能完成：{exc}" if str(exc) else "批处理未能完成（内部错误），详见日志（-v）")
        return EXIT_FAILED
    say(f"完成：{result['applications']} 份申报，通过 {result['pass']}，需复核 {result['flagged']}，"
        f"无法核查 {result['error']}，用时 {result['seconds']} 秒")
    say(f"新读取 {result['files_read']} 份材料（OCR {result['ocr_pages']} 页），其余取自读取缓存")
    say(f"汇总页：{result['index']}")
    return EXIT_OK


GRACE_SECONDS = 10
"""After Ctrl+C or SIGTERM, how long the batch may take to wind down before the process
exits anyway (every output is written atomically, so nothing is left half-written)."""


def stop_on_signals() -> None:
    """Ctrl+C or SIGTERM: stop the reading processes at once, let the run wind down, and
    exit with 130 within ``GRACE_SECONDS`` whatever happens."""

    def stop(signum: int, frame: object) -> None:
        from reading.session import stop_readers_now

        complain("收到停止信号，正在停止批处理…（已写出的报告保持完整）")
        stop_readers_now()
        timer = threading.Timer(GRACE_SECONDS, os._exit, (EXIT_INTERRUPTED,))
        timer.daemon = True
        timer.start()
        signal.signal(signal.SIGINT, lambda *_: os._exit(EXIT_INTERRUPTED))  # a second Ctrl+C: now
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)


# --- commands -------------------------------------------------------------------------------


def cmd_rules(args: argparse.Namespace) -> int:
    """Print every finding code with its severity and the rules file in force."""
    rules = rules_of(args.rules)
    from validators.checks import CHECKS

    order = list(FindingCode)
    for r in sorted(CHECKS, key=lambda r: order.index(r.code)):
        say(f"{r.code.value:<24} {rules.severity_of(r.code).value:<8} {r.describes}")
    source = args.rules or f"{DEFAULT_RULES} (set --rules or ${RULES_ENV} to change)"
    say(f"\n规则文件: {source}")
    sub = rules.subsidy
    say(f"  补贴期起始: {rules.window.start}  补贴比例: {sub.rate}  "
        f"企业上限: {sub.company_cap:,} 元  单合同财政支持上限: {sub.total_support_share}")
    minimums = ", ".join(f"{k} {v:,} 元" for k, v in rules.min_total.model_dump().items())
    say(f"  最低算力总金额: {minimums}")
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    """Check every application of an inbox."""
    inbox = inbox_folder(Path(args.inbox))
    out = output_folder(Path(args.out))
    rules_of(args.rules)
    return run_flow(args, inbox, out)


def cmd_check(args: argparse.Namespace) -> int:
    """Check one application folder (or .zip)."""
    app = Path(args.app_dir)
    if not (app.is_dir() or (app.is_file() and app.suffix.lower() == ".zip")):
        raise UsageError(f"找不到申报材料目录: {app}")
    out = output_folder(Path(args.out))
    rules_of(args.rules)
    app = app.resolve()
    return run_flow(args, app.parent, out, only=[app.name])


def cmd_demo(args: argparse.Namespace) -> int:
    """Check the bundled sample applications and say where the index page is."""
    import sample_docs

    args.inbox = str(Path(sample_docs.__file__).resolve().parent / "inbox")
    return cmd_run(args)


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the batch flow as a deployment on a cron schedule, until stopped."""
    inbox = inbox_folder(Path(args.inbox))
    out = output_folder(Path(args.out))
    rules_of(args.rules)
    cache_folder(args)
    if not os.environ.get("PREFECT_API_URL"):
        complain("serve 需要一个持续运行的 Prefect 服务器。先在另一个终端运行 `prefect server start`，"
                 "再设置 PREFECT_API_URL=http://127.0.0.1:4200/api 后重试（见 README）。")
        return EXIT_FAILED
    prefect_defaults(args.verbose)
    if args.dask_address:
        os.environ[DASK_ADDRESS_ENV] = args.dask_address  # read by the processes of its runs
    from prefect.schedules import Cron

    from flows.nightly import nightly_batch, task_runner

    workers = args.workers or os.cpu_count() or 1
    batch = nightly_batch.with_options(task_runner=task_runner(workers, args.dask_address))
    try:
        schedule = Cron(args.cron, timezone=str(TZ))
    except ValueError as exc:
        raise UsageError(f"--cron 不是有效的 cron 表达式: {args.cron!r} ({exc})") from None
    say(f"按计划 “{args.cron}” 核查 {inbox}，输出到 {out}；{where_prefect()}。按 Ctrl+C 停止。")
    try:
        batch.serve(name=DEPLOYMENT, schedule=schedule,
                    parameters=serve_parameters(args, inbox, out, workers),
                    description=f"每晚核查 {inbox}", tags=["voucher-check"], pause_on_shutdown=True)
    except Exception as exc:
        complain(f"无法提供计划任务：{exc}")
        return EXIT_FAILED
    return EXIT_OK


def serve_parameters(args: argparse.Namespace, inbox: Path, out: Path, workers: int) -> dict[str, Any]:
    """The deployment's parameters: everything but the date, which is each run's today."""
    return {"inbox": str(inbox), "out": str(out), "rules_file": args.rules, "workers": workers,
            "cache": cache_folder(args)}


# --- the parser -----------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="voucher-check",
        description="算力券申报材料核查：读取每份上传材料，交叉核对，生成核查报告。",
    )
    parser.add_argument("--rules", help="rules file to use instead of the bundled one")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every task run (every file read)")
    # the same two options after the command name too (voucher-check run INBOX --out OUT -v)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--rules", default=argparse.SUPPRESS,
                        help="rules file to use instead of the bundled one")
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                        help="log every task run (every file read)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def batch_options(p: argparse.ArgumentParser, out_default: str | None = None) -> None:
        if out_default is None:
            p.add_argument("--out", required=True, help="output folder")
        else:
            p.add_argument("--out", default=out_default, help=f"output folder (default: {out_default})")
        p.add_argument("--as-of", type=_as_of, default=None,
                       help="the date the checks take as today, YYYY-MM-DD (default: today)")
        p.add_argument("--workers", type=_workers, default=None,
                       help="files read at once (default: the number of cores)")
        p.add_argument("--dask-address", default=None,
                       help="read and check on the Dask cluster at this scheduler address (tcp://host:8786)")
        p.add_argument("--cache", default=None, help="read cache folder (default: OUT/.cache/read)")

    rules = sub.add_parser("rules", parents=[common], help="list every check and the rules file in force")
    rules.set_defaults(func=cmd_rules)
    run = sub.add_parser("run", parents=[common], help="check every application of an inbox")
    run.add_argument("inbox", help="the inbox: one folder or .zip per application")
    batch_options(run)
    run.set_defaults(func=cmd_run)
    check = sub.add_parser("check", parents=[common], help="check one application folder or .zip")
    check.add_argument("app_dir", help="one application's folder or .zip")
    batch_options(check)
    check.set_defaults(func=cmd_check)
    serve = sub.add_parser("serve", parents=[common],
                           help="serve the nightly batch as a Prefect deployment on a schedule")
    serve.add_argument("inbox", help="the inbox: one folder or .zip per application")
    serve.add_argument("--out", required=True, help="output folder")
    serve.add_argument("--cron", default="0 2 * * *",
                       help='when to run, in cron syntax (default: "0 2 * * *")')
    serve.add_argument("--workers", type=_workers, default=None,
                       help="files read at once (default: the number of cores)")
    serve.add_argument("--dask-address", default=None, help="run the batch's tasks on this Dask cluster")
    serve.add_argument("--cache", default=None, help="read cache folder (default: OUT/.cache/read)")
    serve.set_defaults(func=cmd_serve)
    demo = sub.add_parser("demo", parents=[common],
                          help="check the bundled sample applications (sample_docs/)")
    batch_options(demo, out_default="out/demo")
    demo.set_defaults(func=cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    if hasattr(args, "as_of") and args.as_of is None:
        args.as_of = _as_of(None)
    args.rules = getattr(args, "rules", None) or os.environ.get(RULES_ENV) or None
    try:
        return int(args.func(args))
    except UsageError as exc:
        complain(str(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        complain("已中断")
        return EXIT_INTERRUPTED


# --- the supervisor -------------------------------------------------------------------------

SUPERVISED_ENV = "VOUCHER_CHECK_SUPERVISED"
"""Set in the batch's own process, so it does not supervise itself again."""
SUPERVISED_COMMANDS = ("run", "check", "demo", "serve")
RERUNS_AFTER_A_CRASH = 1
PR_SET_CHILD_SUBREAPER = 36


def entry() -> None:
    """The ``voucher-check`` console script."""
    sys.exit(supervise(sys.argv[1:]))


def supervise(argv: Sequence[str]) -> int:
    """Run a batch command (or ``serve``) in a child process of its own process group, and
    outlive it; the child does not outlive this process either.

    A crash inside a native library (a segfault) or the OOM killer ends a process without
    running its clean-up: the temporary Prefect server and the reading processes it started
    would be left running, and the night's batch files never written. So this process runs
    the batch in a child; when the child dies by a signal it kills what the child left in
    its process group, says so, and runs the batch once more (finished reads come from the
    read cache, written reports are rewritten). When this process dies, the child ends its
    whole group at once (``flows.lifeline``). It loads no native library itself: no PDFium,
    no OCR, no Prefect. Ctrl+C and SIGTERM are passed on to the child, which stops as
    ``stop_on_signals`` says. Other commands (``rules``, help) run here.
    """
    if os.environ.get(SUPERVISED_ENV):
        hold()  # dies with the command, and takes its reading processes and server with it
        return main(argv)
    args = build_parser().parse_args(argv)  # bad arguments exit 2 here, as they would in the child
    if args.command not in SUPERVISED_COMMANDS:
        return main(argv)
    env = {**os.environ, SUPERVISED_ENV: "1"}
    # -P: the child imports the code the command itself runs, never a folder of the same name
    # in the working directory (python -m would put the working directory first)
    child_command = [sys.executable, "-P", "-m", "flows.cli", *argv]
    for attempt in range(RERUNS_AFTER_A_CRASH + 1):
        code, stopped = _run_child(child_command, env)
        if stopped:
            return code if code > 0 else EXIT_INTERRUPTED
        if code >= 0:
            return code
        what = "计划任务进程" if args.command == "serve" else "批处理进程"
        died = f"{what}{'异常' if attempt == 0 else '再次异常'}退出（被 {signal_name(-code)} 终止）；" \
               "它留下的进程（临时服务器、读取进程）已停止。"
        if attempt < RERUNS_AFTER_A_CRASH:
            complain(died + ("重新启动一次。" if args.command == "serve" else
                             "重新运行一次：已读完的材料取自读取缓存，已写出的报告保持完整。"))
        else:
            complain(died + "已写出的报告保持完整，汇总页可能未更新，请查看日志后重试。")
    return EXIT_FAILED


def _run_child(command: list[str], env: dict[str, str]) -> tuple[int, bool]:
    """The child's exit code (negative: the signal that killed it), and whether it was asked
    to stop. Whatever it leaves in its process group is killed once it has ended."""
    _adopt_orphans()
    with lifeline(env) as (child_env, fds):
        return _wait_child(subprocess.Popen(command, env=child_env, process_group=0, pass_fds=fds))


def _wait_child(child: subprocess.Popen[bytes]) -> tuple[int, bool]:
    stop: list[int] = []

    def forward(signum: int, frame: object) -> None:
        if stop:  # asked twice: stop now
            _kill_group(child.pid)
            return
        stop.append(signum)
        with contextlib.suppress(ProcessLookupError):
            os.kill(child.pid, signum)
        timer = threading.Timer(GRACE_SECONDS + 5, _kill_group, (child.pid,))
        timer.daemon = True
        timer.start()

    previous = {s: signal.signal(s, forward) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        code = child.wait()
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        _kill_group(child.pid)
    return code, bool(stop)


def _adopt_orphans() -> None:
    """Make this process the one that inherits the batch's orphans (Linux's child
    subreaper), so that after a crash they can be killed and reaped here."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def _kill_group(pgid: int) -> None:
    """SIGKILL to every process left in the group ``pgid``; wait (at most 5 s) until they are
    gone, reaping those this process inherited."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        return
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return
        time.sleep(0.05)


if __name__ == "__main__":  # the supervised child (SUPERVISED_ENV set) starts here
    sys.exit(supervise(sys.argv[1:]))
