"""The ``voucher-check`` command line (docs/interface.md §1)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from pipeline.model import SEVERITY, FindingCode
from pipeline.rules import DEFAULT_RULES, RULES_ENV, RulesError, load_rules

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="voucher-check",
        description="算力券申报材料核查：读取每份上传材料，交叉核对，生成核查报告。",
    )
    parser.add_argument("--rules", help="rules file to use instead of the bundled one")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    rules = sub.add_parser("rules", help="list every check and the rules file in force")
    rules.set_defaults(func=cmd_rules)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
