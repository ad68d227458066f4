"""The ``voucher-check`` command line (docs/interface.md §1)."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pipeline.model import SEVERITY, FindingCode
from pipeline.rules import DEFAULT_RULES, RULES_ENV, RulesError, load_rules

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
TZ = ZoneInfo("Asia/Shanghai")

CODE_TEXT: dict[FindingCode, str] = {
    FindingCode.MANIFEST_INVALID: "application.yaml 缺失、无法解析或不符合格式",
    FindingCode.DOC_UNREADABLE: "文件为空、损坏、加密、类型不支持或超出大小限制",
    FindingCode.DOC_UNCLASSIFIED: "文件可读但无法判断材料类型",
    FindingCode.MATERIAL_MISSING: "缺少申报方向要求的材料",
    FindingCode.FIELD_MISSING: "核查所需的字段无法从材料中读取",
    FindingCode.APPLICANT_NOT_BEIJING: "申报单位统一社会信用代码不是北京登记",
    FindingCode.USCC_INVALID: "统一社会信用代码校验位错误",
    FindingCode.PARTY_MISMATCH: "申报单位或供应商在申报表与材料之间不一致",
    FindingCode.RELATED_PARTY: "算力供应商为申报单位本身或其关联方",
    FindingCode.AMOUNT_WORDS_MISMATCH: "大写金额与小写金额不一致",
    FindingCode.TAX_ARITHMETIC: "金额＋税额≠价税合计，或税额≠金额×税率",
    FindingCode.PRICE_ARITHMETIC: "单价×数量≠金额",
    FindingCode.PRICE_OUT_OF_MARKET: "算力单价超出市场价格区间",
    FindingCode.AMOUNT_MISMATCH: "申报、合同、发票、结算单、付款金额之间不一致或超出合同总额",
    FindingCode.DATE_OUT_OF_WINDOW: "材料日期早于补贴期起始日或晚于申报日（该部分不计入）",
    FindingCode.CONTRACT_PERIOD: "交付、发票或结算超出合同服务期，或申报期内合同无效",
    FindingCode.UNDELIVERED: "开票或付款多于结算交付（超出部分不计入）",
    FindingCode.NON_COMPUTE_ITEM: "发票或结算单含存储、网络、安全等非算力项目（不计入）",
    FindingCode.SEAL_MISSING: "须盖章的材料未见公司印章",
    FindingCode.CLASSIFIED_MARKING: "材料含密级标识（秘密、机密、绝密）",
    FindingCode.DUPLICATE_DOCUMENT: "同一发票或同一文件在本申报或本批次中重复使用",
    FindingCode.THRESHOLD_NOT_MET: "智能算力总金额低于申报方向的最低要求",
    FindingCode.DIRECTION_REQUIREMENT: "MaaS或智能体方向的指标缺失、不达标或与申报不一致",
    FindingCode.COMMITMENT_INCOMPLETE: "承诺书未签字、未注明日期或未盖章",
    FindingCode.SUBSIDY_CAPPED: "补贴额因企业上限或单合同财政支持比例上限而被核减",
}


def cmd_rules(args: argparse.Namespace) -> int:
    """Print every finding code with its severity and the rules file in force."""
    try:
        rules = load_rules(args.rules)
    except RulesError as exc:
        print(f"voucher-check: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for code in FindingCode:
        print(f"{code.value:<24} {SEVERITY[code].value:<8} {CODE_TEXT[code]}")
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
    from pipeline.application import Reader, check_application
    from pipeline.cache import ReadCache

    reader = Reader(rules, ReadCache(out / ".cache" / "read"))
    as_of = args.as_of
    for i, path in enumerate(apps, 1):
        started = time.perf_counter()
        try:
            report = check_application(path, reader, as_of)
        except Exception as exc:  # one broken application never stops the batch
            print(f"[{i}/{len(apps)}] {path.name}: 无法核查 ({type(exc).__name__}: {exc})", file=sys.stderr)
            continue
        folder = out / report.application_id
        write_atomic(folder / "report.json", report.model_dump_json(indent=2).encode())
        print(f"[{i}/{len(apps)}] {report.application_id}: {report.status.value}, "
              f"{len(report.documents)} 份材料, {time.perf_counter() - started:.1f} s", flush=True)
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


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary file and a rename, so a killed run leaves no half file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


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
