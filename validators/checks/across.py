"""Checks across the applications of one batch: the same file, the same invoice or the same
contract claimed in two applications, and one application id used twice. Each is a rule
like any other, reading the batch from its context; what they compute for the whole batch
is computed once and kept on the batch."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from intake.manifest import MANIFEST_NAME
from model.base import DocType, FindingCode
from model.document import EMPTY_SHA256, Document
from model.report import Evidence
from validators.context import CheckContext
from validators.ledger import invoice_key
from validators.names import norm_code
from validators.runner import Draft, check

ELSEWHERE = "other_application"
"""The situation of evidence another application of the batch also uses (a veto in the
rules file)."""


@check(FindingCode.DUPLICATE_DOCUMENT, "同一文件、同一张发票或同一份合同在本批次两份申报中使用",
      needs_manifest=False)
def duplicate_across(ctx: CheckContext) -> Iterator[Draft]:
    if ctx.batch is None:
        return
    if ctx.batch.shared_evidence is None:
        ctx.batch.shared_evidence = check_batch(ctx.batch.contexts)
    yield from ctx.batch.shared_evidence.get(ctx.app_id, [])


@check(FindingCode.MANIFEST_INVALID, "申报编号与本批次另一份申报相同", needs_manifest=False, typed=False)
def duplicate_id(ctx: CheckContext) -> Iterator[Draft]:
    """An id claimed by two uploads: the later one is checked under its upload's name."""
    if ctx.manifest is None or ctx.batch is None or ctx.manifest.application_id in (None, ctx.app_id):
        return
    claimed = ctx.manifest.application_id
    owner = next((c.upload for c in ctx.batch.contexts if c.app_id == claimed), None)
    if owner is not None:
        yield Draft(f"申报编号 {claimed} 已由《{owner}》使用；本份申报以 {ctx.app_id} 为编号核查，"
                    "请更正编号后重新提交", (MANIFEST_NAME,), observed=claimed)


def check_batch(contexts: list[CheckContext]) -> dict[str, list[Draft]]:
    """Drafts per application id for evidence that also appears in another application."""
    out: dict[str, list[Draft]] = defaultdict(list)
    seen_file: dict[str, list[tuple[str, str]]] = defaultdict(list)
    seen_invoice: dict[tuple[str, str], list[tuple[str, str, str, tuple[Evidence, ...]]]] = defaultdict(list)
    seen_contract: dict[str, list[tuple[str, str, str, tuple[Evidence, ...]]]] = defaultdict(list)
    for ctx in contexts:
        for doc in ctx.documents:
            if doc.sha256 != EMPTY_SHA256:
                seen_file[doc.sha256].append((ctx.app_id, doc.file))
        for doc in ctx.of_type(DocType.INVOICE):
            key = invoice_key(ctx, doc)
            if key is not None:
                where = _pointing_at(ctx, doc, "invoice_no")
                seen_invoice[key].append((ctx.app_id, doc.file, doc.sha256, where))
        applicant = norm_code(ctx.manifest.applicant.uscc or "") if ctx.manifest else ""
        for no, doc in ctx.contracts.items():
            if not no.startswith("?"):  # a contract whose number could not be read matches nothing
                where = _pointing_at(ctx, doc, "contract_no")
                seen_contract[no].append((ctx.app_id, doc.file, applicant, where))
    shared: dict[tuple[str, tuple[str, ...]], list[str]] = defaultdict(list)
    for uses in seen_file.values():
        for app_id, file in uses:
            elsewhere = tuple(sorted({a for a, _ in uses if a != app_id}))
            if elsewhere:
                shared[(app_id, elsewhere)].append(file)
    for (app_id, elsewhere), same in sorted(shared.items()):
        # one finding per other application: the same fact, however many files show it
        names = sorted(same)
        listed = "、".join(f"《{f}》" for f in names)
        out[app_id].append(Draft(f"与申报 {'、'.join(elsewhere)} 的 {len(names)} 份材料完全相同：{listed}",
                                 tuple(names), tuple(Evidence(file=f, page=1) for f in names),
                                 situation=ELSEWHERE, related=elsewhere))
    for (code, number), invoice_uses in seen_invoice.items():
        for app_id, file, sha, evidence in invoice_uses:
            # the same file elsewhere is already reported above; say it once
            others = sorted({a for a, _, other, _ in invoice_uses if a != app_id and other != sha})
            if others:
                which = f"代码 {code} " if code else ""
                message = f"发票《{file}》（{which}号码 {number}）也在申报 {'、'.join(others)} 中使用"
                out[app_id].append(Draft(message, (file,), evidence=evidence, observed=number,
                                         situation=ELSEWHERE, related=tuple(others)))
    for no, claims in seen_contract.items():
        for app_id, file, applicant, evidence in claims:
            rivals = sorted({a for a, _, who, _ in claims if a != app_id and who != applicant})
            if rivals:
                message = f"合同《{file}》（编号 {no}）也被其他申报单位在申报 {'、'.join(rivals)} 中申报"
                out[app_id].append(Draft(message, (file,), evidence=evidence, observed=no,
                                         situation=ELSEWHERE, related=tuple(rivals)))
    return out


def _pointing_at(ctx: CheckContext, doc: Document, name: str) -> tuple[Evidence, ...]:
    """Where the document prints the field, for the reviewer's crop (nothing if unknown)."""
    value = ctx.value(doc, name)
    return (value.evidence,) if value is not None and value.bbox is not None else ()
