"""The direction's own requirements: MaaS tokens and served companies, agent filing and
daily active users, against the minimums and the declaration."""

from __future__ import annotations

from collections.abc import Iterator

from model.base import Direction, DocType, FindingCode, Source
from validators.checks.common import label, unread
from validators.context import CheckContext, Value
from validators.names import edit_distance, norm_code
from validators.runner import Draft, check

UNDER = "under_minimum"
"""The situation of a figure under the direction's minimum (a veto in the rules file)."""


def _below(value: int, minimum: int, exclusive: bool) -> bool:
    return value <= minimum if exclusive else value < minimum


@check(FindingCode.DIRECTION_REQUIREMENT, "MaaS 调用量与服务企业数、智能体上线批号与日活量缺失、不达标或与申报不一致")
def direction(ctx: CheckContext) -> Iterator[Draft]:
    assert ctx.manifest is not None
    if ctx.manifest.direction is Direction.MAAS:
        yield from _maas(ctx)
    elif ctx.manifest.direction is Direction.AGENT:
        yield from _agent(ctx)


def _maas(ctx: CheckContext) -> Iterator[Draft]:
    assert ctx.manifest is not None
    rules, declared = ctx.rules.maas, ctx.manifest.maas
    if declared is None:
        yield Draft("MaaS方向申报表未填写日均 Token 调用量与服务企业数量", ("application.yaml",))
    checks = (("daily_tokens", "日均 Token 调用量", rules.min_daily_tokens, rules.min_daily_tokens_exclusive),
              ("served_companies", "服务企业数量", rules.min_served_companies, rules.min_served_companies_exclusive))
    for log in ctx.of_type(DocType.PLATFORM_LOG):
        absent = [(name, words) for name, words, _, _ in checks if ctx.value(log, name) is None]
        if absent:
            # not found by reading is not shown to be absent: the reviewer looks
            lost = [words for name, words in absent if unread(log, name)]
            unsure = f"《{log.file}》的{'、'.join(lost)}未能读出（请核对原件）" if lost else None
            yield Draft(f"{label(log)}未载明{'、'.join(w for _, w in absent)}，无法核实MaaS方向要求", (log.file,),
                        unsure=unsure)
    for name, words, minimum, exclusive in checks:
        told = getattr(declared, name) if declared is not None else None
        proofs = list(ctx.values(DocType.PLATFORM_LOG, name))
        under = "未超过" if exclusive else "低于"
        want = f"{'>' if exclusive else '>='}{minimum}"
        # a declared figure under the minimum that the proof confirms is one fact, said once
        confirmed = [v for v in proofs if v.value == told]
        if told is not None and _below(told, minimum, exclusive):
            where = "与" + "、".join(label(v.doc) for v in confirmed) if confirmed else ""
            yield Draft(f"申报表{where}{words}{'均为' if confirmed else ''} {told:,}，{under}要求 {minimum:,}",
                        ("application.yaml", *(v.doc.file for v in confirmed)), tuple(v.evidence for v in confirmed),
                        expected=want, observed=str(told), situation=UNDER)
        for v in proofs:
            if _below(v.value, minimum, exclusive) and not (v in confirmed and _below(told or 0, minimum, exclusive)):
                yield Draft(f"{label(v.doc)}{words} {v.value:,} {under}要求 {minimum:,}",
                            (v.doc.file,), (v.evidence,), expected=want, observed=str(v.value), situation=UNDER)
            if told is not None and v.value != told:
                yield Draft(f"{label(v.doc)}{words} {v.value:,} 与申报表所填 {told:,} 不一致", (v.doc.file, "application.yaml"),
                            (v.evidence,), expected=str(told), observed=str(v.value))


def _agent(ctx: CheckContext) -> Iterator[Draft]:
    assert ctx.manifest is not None
    rules, declared = ctx.rules.agent, ctx.manifest.agent
    if declared is None and rules.filing_required:
        yield Draft("通用智能体方向申报表未填写上线批号与日活量", ("application.yaml",))
    minimum, exclusive = rules.min_daily_active_users, rules.min_daily_active_users_exclusive
    told_users = declared.daily_active_users if declared is not None else None
    if told_users is not None and _below(told_users, minimum, exclusive):
        yield Draft(f"申报表日活量 {told_users:,} 未超过要求 {minimum:,}", ("application.yaml",),
                    expected=f">{minimum}", observed=str(told_users), situation=UNDER)
    for v in ctx.values(DocType.AGENT_FILING, "daily_active_users"):
        if _below(v.value, minimum, exclusive):
            yield Draft(f"{label(v.doc)}日均活跃用户数 {v.value:,} {'未超过' if exclusive else '低于'}要求 {minimum:,}",
                        (v.doc.file,), (v.evidence,), expected=f">{minimum}", observed=str(v.value),
                        situation=UNDER)
        if told_users is not None and v.value != told_users:
            yield Draft(f"{label(v.doc)}日均活跃用户数 {v.value:,} 与申报表所填 {told_users:,} 不一致",
                        (v.doc.file, "application.yaml"), (v.evidence,), expected=str(told_users), observed=str(v.value))
    told_no = declared.filing_no if declared is not None else None
    for v in ctx.values(DocType.AGENT_FILING, "filing_no"):
        if told_no and not _same_number(ctx, v, told_no):
            yield Draft(f"{label(v.doc)}上线批号 {v.value} 与申报表所填 {told_no} 不一致", (v.doc.file, "application.yaml"),
                        (v.evidence,), expected=told_no, observed=v.value)


CUT_SHARE = 0.75
"""A number OCR read with its edge cut off (jing-… for Beijing-…) still holds this share."""


def _same_number(ctx: CheckContext, v: Value, told: str) -> bool:
    """Whether a document's number is the declared one: exactly from a text layer; from a
    scan, allowing the rules' OCR misreadings or an edge the OCR cut off."""
    read, want = norm_code(v.value), norm_code(told)
    if read == want:
        return True
    if v.source is not Source.OCR:
        return False
    if edit_distance(read, want) <= ctx.rules.tolerance.ocr_edits:
        return True
    return len(read) >= CUT_SHARE * len(want) and (want.endswith(read) or want.startswith(read))
