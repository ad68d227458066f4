"""Who is who across the documents: the applicant and each supplier must be the same party
everywhere, and a supplier must not be the applicant or related to it."""

from __future__ import annotations

from collections.abc import Iterator

from model.base import FindingCode, Source
from model.document import Party
from validators.checks.common import label
from validators.context import CheckContext, Value
from validators.names import edit_distance, norm_code, norm_name
from validators.roles import APPLICANT_ROLES, SUPPLIER_ROLES
from validators.runner import Draft, check


def same_name(a: str, b: str, edits: int) -> bool:
    """Equal names, allowing ``edits`` misread characters (a name read by OCR)."""
    x, y = norm_name(a), norm_name(b)
    return x == y or (edits > 0 and edit_distance(x, y) <= edits)


def same_code(a: str | None, b: str | None, edits: int) -> bool:
    if not a or not b:
        return True  # nothing to compare
    x, y = norm_code(a), norm_code(b)
    return x == y or (edits > 0 and edit_distance(x, y) <= edits)


def allowed_edits(ctx: CheckContext, v: Value) -> int:
    """How many characters a value may differ by: the rules' OCR allowance, 0 for text."""
    return ctx.rules.tolerance.ocr_edits if v.source is Source.OCR else 0


def _differs(ctx: CheckContext, v: Value, name: str, uscc: str | None,
             reference: Value | None = None) -> str | None:
    """What differs between a document's party and the expected one, in words, or None.
    The expected party read from another document (``reference``) by OCR may be the one
    misread: its allowance counts too."""
    party: Party = v.value
    edits = max(allowed_edits(ctx, v), allowed_edits(ctx, reference) if reference else 0)
    if not same_name(party.name, name, edits):
        return f"名称为“{party.name}”"
    if not same_code(party.uscc, uscc, edits):
        return f"统一社会信用代码为 {party.uscc}"
    return None


@check(FindingCode.PARTY_MISMATCH, "申报单位、供应商在申报表与各材料之间名称或信用代码不一致")
def party_mismatch(ctx: CheckContext) -> Iterator[Draft]:
    assert ctx.manifest is not None
    applicant = ctx.manifest.applicant
    for doc_type, (role, words) in APPLICANT_ROLES.items():
        for v in ctx.values(doc_type, role):
            differs = _differs(ctx, v, applicant.name, applicant.uscc)
            if differs:
                yield Draft(f"{label(v.doc)}{words}{differs}，与申报单位“{applicant.name}”"
                            f"（{applicant.uscc}）不一致", (v.doc.file,), (v.evidence,),
                            expected=applicant.name, observed=v.value.name)
    declared = {norm_code(c.contract_no): c for c in ctx.manifest.contracts}
    for no, contract in ctx.contracts.items():
        b = ctx.value(contract, "party_b")
        if b is None:
            continue
        supplier: Party = b.value
        claim = declared.get(no)
        if claim is not None and not same_name(supplier.name, claim.supplier, allowed_edits(ctx, b)):
            yield Draft(f"{label(contract)}乙方（服务方）为“{supplier.name}”，与申报表所填供应商“{claim.supplier}”不一致",
                        (contract.file, "application.yaml"), (b.evidence,), expected=claim.supplier,
                        observed=supplier.name)
        for doc_type, (role, words) in SUPPLIER_ROLES.items():
            for doc in ctx.belonging_to(no, doc_type):
                got = ctx.value(doc, role)
                if got is None:
                    continue
                differs = _differs(ctx, got, supplier.name, supplier.uscc, b)
                if differs:
                    yield Draft(f"{label(doc)}{words}{differs}，与合同{label(contract)}乙方“{supplier.name}”不一致",
                                (doc.file, contract.file), (got.evidence, b.evidence),
                                expected=supplier.name, observed=got.value.name)


@check(FindingCode.RELATED_PARTY, "算力供应商为申报单位本身或其关联方（同一信用代码、名称、法定代表人或地址）")
def related_party(ctx: CheckContext) -> Iterator[Draft]:
    assert ctx.manifest is not None
    applicant = ctx.manifest.applicant
    for contract in ctx.contracts.values():
        a, b = ctx.value(contract, "party_a"), ctx.value(contract, "party_b")
        if b is None:
            continue
        supplier: Party = b.value
        reasons = []
        if supplier.uscc and applicant.uscc and norm_code(supplier.uscc) == norm_code(applicant.uscc):
            reasons.append(f"统一社会信用代码相同（{supplier.uscc}）")
        if norm_name(supplier.name) == norm_name(applicant.name):
            reasons.append("名称相同")
        buyer: Party | None = a.value if a is not None else None
        if buyer is not None:
            if buyer.legal_representative and buyer.legal_representative == supplier.legal_representative:
                reasons.append(f"法定代表人均为{supplier.legal_representative}")
            if buyer.address and supplier.address and norm_name(buyer.address) == norm_name(supplier.address):
                reasons.append(f"地址相同（{supplier.address}）")
        if reasons:
            evidence = tuple(v.evidence for v in (a, b) if v is not None)
            yield Draft(f"{label(contract)}供应商“{supplier.name}”与申报单位存在关联：{'；'.join(reasons)}，"
                        "算力须由非关联方提供", (contract.file,), evidence, observed=supplier.name)


@check(FindingCode.PARTY_MISMATCH, "发票销售方、收款人或结算单出具方不是任何一份合同的乙方")
def unknown_supplier(ctx: CheckContext) -> Iterator[Draft]:
    parties_b = [b for c in ctx.contracts.values() if (b := ctx.value(c, "party_b")) is not None]
    suppliers = [b.value for b in parties_b]
    if not suppliers:
        return
    # a contract whose party B is unread may be the one this supplier signed: ask, not allege
    unread_b = [c.file for c in ctx.contracts.values() if ctx.value(c, "party_b") is None]
    declared = [c.supplier for c in ctx.manifest.contracts] if ctx.manifest is not None else []
    for doc_type, (role, words) in SUPPLIER_ROLES.items():
        for doc in ctx.of_type(doc_type):
            if ctx.contract_of(doc) is not None:
                continue
            got = ctx.value(doc, role)
            if got is None:
                continue
            edits = allowed_edits(ctx, got)
            if any(same_name(got.value.name, b.value.name, max(edits, allowed_edits(ctx, b))) for b in parties_b):
                continue
            if unread_b and any(same_name(got.value.name, name, edits) for name in declared):
                continue  # the declared supplier of a contract whose party B was not read
            names = "、".join(f"“{s.name}”" for s in suppliers)
            unsure = ("、".join(f"《{f}》" for f in unread_b) + "的乙方未读出，可能即为此方（请核对合同首页或签章页）"
                      if unread_b else None)
            yield Draft(f"{label(doc)}{words}为“{got.value.name}”，不是任何一份申报合同的乙方（{names}）",
                        (doc.file,), (got.evidence,), observed=got.value.name, unsure=unsure)
