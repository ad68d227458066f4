"""What an application must contain: the materials of its direction, and the fields the
checks cannot do without."""

from __future__ import annotations

from collections.abc import Iterator

from model.base import DocType, FindingCode
from validators.checks.common import label, unread
from validators.checks.documents import missing_materials
from validators.context import CheckContext
from validators.names import norm_code
from validators.runner import Draft, check

# Fields every later check stands on; each is read reliably from text and scans alike,
# so its absence means the document does not state it.
NEEDED: dict[DocType, tuple[tuple[str, ...], str]] = {
    DocType.CONTRACT: (("contract_no",), "合同编号"),
    DocType.INVOICE: (("invoice_no", "issue_date", "total_amount"), "发票号码、开票日期或价税合计"),
    DocType.SETTLEMENT: (("period_start", "period_end", "total_amount"), "结算周期或结算金额"),
    DocType.PAYMENT: (("amount", "payment_date"), "付款金额或日期"),
    DocType.COMMITMENT: (("signed", "sign_date"), "法定代表人签字栏或落款日期"),
}


@check(FindingCode.MATERIAL_MISSING, "缺少申报方向要求的材料（合同、发票或付款凭证、结算单、供给企业证明、使用说明、承诺书等）")
def materials(ctx: CheckContext) -> Iterator[Draft]:
    assert ctx.manifest is not None
    present = {d.doc_type for d in ctx.readable}
    if not ctx.of_type(DocType.OTHER):  # a file of no known type may be the material: it is asked about
        for names in missing_materials(ctx):
            yield Draft(f"缺少{names}（申报材料清单要求）", expected=names, observed="未提交")
    if DocType.CONTRACT in present:
        for claim in ctx.manifest.contracts:
            if norm_code(claim.contract_no) not in ctx.contracts:
                yield Draft(f"申报表所列合同 {claim.contract_no} 未见对应的合同文本（或合同编号无法读取），"
                            "该合同的交付与付款无法核对", ("application.yaml",), expected=claim.contract_no,
                            observed="未提交")


@check(FindingCode.FIELD_MISSING, "核查所需的字段（合同编号、服务期限、金额、日期等）无法从材料中读取")
def fields_missing(ctx: CheckContext) -> Iterator[Draft]:
    for doc in ctx.of_type(DocType.CONTRACT):
        if "service_start" in doc.missing or "service_end" in doc.missing:
            reason = (doc.missing.get("service_start") or doc.missing["service_end"]).text
            yield Draft(f"{label(doc)}未载明算力服务期限（{reason}），"
                        "无法核对交付与结算是否在合同有效期内，请补充证明材料", (doc.file,))
    for doc_type, (names, words) in NEEDED.items():
        for doc in ctx.of_type(doc_type):
            absent = [n for n in names if n in doc.missing
                      and (doc_type is not DocType.COMMITMENT or unread(doc, n))]
            if absent:
                yield Draft(f"{label(doc)}无法读取{words}（{'；'.join(doc.missing[n].text for n in absent)}），请人工核对",
                            (doc.file,), observed=",".join(absent))
