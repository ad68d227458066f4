"""The ``voucher-check`` command line (docs/interface.md §1)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pipeline.model import FindingCode
from pipeline.rules import DEFAULT_RULES, RULES_ENV, RulesError, load_rules

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
TZ = ZoneInfo("Asia/Shanghai")

def cmd_rules(args: argparse.Namespace) -> int:
    """Print every finding code with its severity and the rules file in force."""
    try:
        rules = load_rules(args.rules)
    except RulesError as exc:
        print(f"voucher-check: {exc}", file=sys.stderr)
        return EXIT_USAGE
    from validators.batch import DUPLICATE_ACROSS
    from validators.registry import MANIFEST_RULE, all_rules

    order = list(FindingCode)
    for r in sorted([MANIFEST_RULE, *all_rules(), DUPLICATE_ACROSS], key=lambda r: order.index(r.code)):
        print(f"{r.code.value:<24} {r.severity.value:<8} {r.describes}")
    source = args.rules or f"{DEFAULT_RULES} (set --rules or ${RULES_ENV} to change)"
    print(f"\n规则文件: {source}")
    sub = rules.subsidy
    print(f"  补贴期起始: {rules.window.start}  补贴比例: {sub.rate}  "
          f"企业上限: {sub.company_cap:,} 元  单合同财政支持上限: {sub.total_support_share}")
    minimums = ", ".join(f"{k} {v:,} 元" for k, v in rules.min_total.model_dump().items())
    print(f"  最低算力总金额: {minimums}")
    return EXIT_OK


def _as_of(text: str | None) -> date:
    if text is None:
        return datetime.now(TZ).date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--as-of must be YYYY-MM-DD, not {text!r}") from None


def _output_folder(out: Path) -> Path | None:
    """``out`` created and writable, or None after saying why."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        print(f"voucher-check: 输出目录不可写: {out} ({exc.strerror})", file=sys.stderr)
        return None
    return out


def applications_in(inbox: Path) -> list[Path]:
    """Application folders and .zip uploads of an inbox, in name order."""
    return sorted(p for p in inbox.iterdir()
                  if (p.is_dir() and not p.name.startswith(".")) or p.suffix.lower() == ".zip")


def _check_all(apps: list[Path], out: Path, args: argparse.Namespace) -> int:
    try:
        rules = load_rules(args.rules)
    except RulesError as exc:
        print(f"voucher-check: {exc}", file=sys.stderr)
        return EXIT_USAGE
    from pipeline.application import (
        Checked,
        Reader,
        application_of,
        failed_report,
        read_application,
        report_of,
    )
    from pipeline.cache import ReadCache
    from pipeline.outputs import Application, write_batch
    from validators.batch import check_batch

    reader = Reader(rules, ReadCache(out / ".cache" / "read"))
    as_of = args.as_of
    checked: list[Checked] = []
    failed: list[Application] = []
    for i, path in enumerate(apps, 1):
        started = time.perf_counter()
        try:
            checked.append(read_application(path, reader, as_of))
            print(f"[{i}/{len(apps)}] {path.name}: 已读取 {len(checked[-1].ctx.documents)} 份材料，"
                  f"{time.perf_counter() - started:.1f} s", flush=True)
        except Exception as exc:  # one broken application never stops the batch
            print(f"[{i}/{len(apps)}] {path.name}: 无法核查 ({type(exc).__name__}: {exc})", file=sys.stderr)
            failed.append(Application(failed_report(path, as_of, exc)))
    batch = check_batch([c.ctx for c in checked])
    done = [application_of(c, report_of(c, batch.get(c.ctx.app_id))) for c in checked] + failed
    done.sort(key=lambda a: a.report.application_id)
    index = write_batch(done, out, rules.reading.low_confidence)
    reports = [a.report for a in done]
    counts = {s: sum(r.status.value == s for r in reports) for s in ("pass", "flagged", "error")}
    print(f"完成：{len(reports)} 份申报，通过 {counts['pass']}，需复核 {counts['flagged']}，"
          f"无法核查 {counts['error']}")
    print(f"汇总页：{index}")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    """Check one application folder (or .zip)."""
    app = Path(args.app_dir)
    if not (app.is_dir() or (app.is_file() and app.suffix.lower() == ".zip")):
        print(f"voucher-check: 找不到申报材料目录: {app}", file=sys.stderr)
        return EXIT_USAGE
    out = _output_folder(Path(args.out))
    if out is None:
        return EXIT_USAGE
    return _check_all([app], out, args)


def cmd_run(args: argparse.Namespace) -> int:
    """Check every application of an inbox."""
    inbox = Path(args.inbox)
    if not inbox.is_dir():
        print(f"voucher-check: 找不到收件目录: {inbox}", file=sys.stderr)
        return EXIT_USAGE
    out = _output_folder(Path(args.out))
    if out is None:
        return EXIT_USAGE
    apps = applications_in(inbox)
    print(f"{len(apps)} 份申报，输出到 {out}")
    return _check_all(apps, out, args)


def cmd_demo(args: argparse.Namespace) -> int:
    """Check the bundled sample applications and say where the index page is."""
    import sample_docs

    args.inbox = str(Path(sample_docs.__file__).resolve().parent / "inbox")
    return cmd_run(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="voucher-check",
        description="算力券申报材料核查：读取每份上传材料，交叉核对，生成核查报告。",
    )
    parser.add_argument("--rules", help="rules file to use instead of the bundled one")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    rules = sub.add_parser("rules", help="list every check and the rules file in force")
    rules.set_defaults(func=cmd_rules)
    run = sub.add_parser("run", help="check every application of an inbox")
    run.add_argument("inbox")
    run.add_argument("--out", required=True)
    run.add_argument("--as-of", type=_as_of, default=None, help="the date taken as today (YYYY-MM-DD)")
    run.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    run.set_defaults(func=cmd_run)
    check = sub.add_parser("check", help="check one application folder or .zip")
    check.add_argument("app_dir")
    check.add_argument("--out", required=True)
    check.add_argument("--as-of", type=_as_of, default=None, help="the date taken as today (YYYY-MM-DD)")
    check.set_defaults(func=cmd_check)
    demo = sub.add_parser("demo", help="check the bundled sample applications (sample_docs/)")
    demo.add_argument("--out", default="out/demo", help="output folder (default: out/demo)")
    demo.add_argument("--as-of", type=_as_of, default=None, help="the date taken as today (YYYY-MM-DD)")
    demo.set_defaults(func=cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if hasattr(args, "as_of") and args.as_of is None:
        args.as_of = _as_of(None)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
