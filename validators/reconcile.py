"""A contract's evidence side by side (the report's reconciliation table): per settlement
period the statements, the invoices and the payments, with amounts, parties and the
contract number each cites, and what in each disagrees."""

from __future__ import annotations

from decimal import Decimal

from model.base import DocType
from model.document import Document, Party
from model.report import Entry, Reconciliation, ReconciliationRow
from validators.checks.parties import allowed_edits, same_code, same_name
from validators.context import CheckContext, Value
from validators.ledger import invoices_of
from validators.names import norm_code

ROLES: dict[DocType, tuple[str, str, str, str]] = {
    # doc type: (supplier role, customer role, amount, date)
    DocType.SETTLEMENT: ("supplier", "customer", "total_amount", "period_end"),
    DocType.INVOICE: ("seller", "buyer", "total_amount", "issue_date"),
    DocType.PAYMENT: ("payee", "payer", "amount", "payment_date"),
}


def _party(ctx: CheckContext, doc: Document, role: str) -> Value | None:
    v = ctx.value(doc, role)
    return v if v is not None and isinstance(v.value, Party) else None


def _names(supplier: Value | None, customer: Value | None) -> dict[str, str | None]:
    return {"supplier": supplier.value.name if supplier else None,
            "supplier_uscc": supplier.value.uscc if supplier else None,
            "customer": customer.value.name if customer else None,
            "customer_uscc": customer.value.uscc if customer else None}


def entry(ctx: CheckContext, doc: Document, supplier: Value | None) -> Entry:
    """One document's figures, with what of its parties and contract number disagrees with
    the contract (its party B) and the declared applicant."""
    seller_role, buyer_role, amount_field, date_field = ROLES[doc.doc_type]
    amount, day = ctx.value(doc, amount_field), ctx.value(doc, date_field)
    start, end = ctx.value(doc, "period_start"), ctx.value(doc, "period_end")
    seller, buyer = _party(ctx, doc, seller_role), _party(ctx, doc, buyer_role)
    cited = ctx.value(doc, "contract_no")
    out = Entry(file=doc.file, amount=amount.value if amount else None, day=day.value if day else None,
                start=start.value if start else None, end=end.value if end else None,
                contract_no=cited.value if cited else None, **_names(seller, buyer))
    if seller is not None and supplier is not None:
        edits = max(allowed_edits(ctx, seller), allowed_edits(ctx, supplier))
        if not same_name(seller.value.name, supplier.value.name, edits):
            out.differs.append("supplier")
        if not same_code(seller.value.uscc, supplier.value.uscc, edits):
            out.differs.append("supplier_uscc")
    applicant = ctx.manifest.applicant if ctx.manifest is not None else None
    if buyer is not None and applicant is not None:
        edits = allowed_edits(ctx, buyer)
        if not same_name(buyer.value.name, applicant.name, edits):
            out.differs.append("customer")
        if not same_code(buyer.value.uscc, applicant.uscc, edits):
            out.differs.append("customer_uscc")
    return out


def _row_of(settlements: list[tuple[Document, Entry]], e: Entry) -> int | None:
    """The settlement an invoice or payment belongs with: the one of the same amount, else the
    latest whose period began on or before its date."""
    same = [i for i, (_, s) in enumerate(settlements) if e.amount is not None and s.amount == e.amount]
    if same:
        return same[0]
    if e.day is None:
        return None
    began = [i for i, (_, s) in enumerate(settlements) if s.start is not None and s.start <= e.day]
    return began[-1] if began else None


def _mark_amounts(row: ReconciliationRow, tolerance: Decimal) -> None:
    """Each side's total against the settlements' (or, with none, the invoices'): a side that
    disagrees has its amounts marked."""
    sides = [row.settlements, row.invoices, row.payments]
    totals = [sum((e.amount for e in side if e.amount is not None), Decimal(0)) for side in sides]
    present = [i for i, side in enumerate(sides) if side]
    if len(present) < 2:
        return
    reference = totals[present[0]]
    for i in present[1:]:
        if abs(totals[i] - reference) > tolerance * max(len(sides[i]), 1):
            for e in sides[i]:
                e.differs.append("amount")


def reconcile(ctx: CheckContext) -> list[Reconciliation]:
    """Per declared contract, its evidence side by side, settlement period by period."""
    if ctx.manifest is None:
        return []
    out = []
    tolerance = ctx.rules.tolerance.amount_match
    for declared in ctx.manifest.contracts:
        no = norm_code(declared.contract_no)
        contract = ctx.contracts.get(no)
        supplier = _party(ctx, contract, "party_b") if contract is not None else None
        recon = Reconciliation(contract_no=declared.contract_no)
        if contract is not None:
            total, party_b = ctx.value(contract, "total_amount"), supplier
            s0, s1 = ctx.value(contract, "service_start"), ctx.value(contract, "service_end")
            party_a = _party(ctx, contract, "party_a")
            recon.contract = Entry(file=contract.file, amount=total.value if total else declared.amount,
                                   contract_no=declared.contract_no, **_names(party_b, party_a))
            recon.service_start, recon.service_end = (s0.value if s0 else None), (s1.value if s1 else None)
        statements = [(d, entry(ctx, d, supplier)) for d in ctx.belonging_to(no, DocType.SETTLEMENT)]
        statements.sort(key=lambda de: (de[1].start or de[1].day or ctx.window[0], de[0].file))
        rows = [ReconciliationRow(label=_period(e), settlements=[e]) for _, e in statements]
        loose: list[ReconciliationRow] = []
        invoices = [i.doc for i in invoices_of(ctx, no)]
        for docs, side in ((invoices, "invoices"), (ctx.belonging_to(no, DocType.PAYMENT), "payments")):
            for doc in sorted(docs, key=lambda d: d.file):
                e = entry(ctx, doc, supplier)
                at = _row_of(statements, e)
                if at is None:
                    loose.append(ReconciliationRow(label="未对应结算期", **{side: [e]}))
                else:
                    getattr(rows[at], side).append(e)
        for row in rows + loose:
            _mark_amounts(row, tolerance)
            for e in row.settlements + row.invoices + row.payments:
                if e.contract_no and norm_code(e.contract_no) != no:
                    e.differs.append("contract_no")
        recon.rows = rows + loose
        out.append(recon)
    return out


def _period(e: Entry) -> str:
    if e.start and e.end:
        return f"{e.start.isoformat()} 至 {e.end.isoformat()}"
    return "结算期间未能读取"
