"""What each sample document says, and the ground-truth fields that follow from it.

The renderer draws these objects; ``truth_fields`` turns the same objects into the field
values of the interface contract, so the picture and the truth cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sample_docs.gen.world import Company


@dataclass
class Line:
    """A settlement line: one month (or part) of compute, or a non-compute service."""

    name: str
    start: date
    end: date
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal  # tax-inclusive
    compute: bool = True


@dataclass
class InvoiceLine:
    name: str
    amount_ex: Decimal
    tax: Decimal
    quantity: Decimal | None = None
    unit: str | None = None
    unit_price: Decimal | None = None
    compute: bool = True

    @property
    def total(self) -> Decimal:
        return self.amount_ex + self.tax


@dataclass
class Style:
    font: str
    template: str
    date_style: str
    scan: str | None = None  # None (text PDF), "pdf", "jpg", "png", "tif", "mixed"
    dpi: int = 200
    extension: str | None = None  # a name that lies about the format


@dataclass
class ContractDoc:
    no: str
    a: Company
    b: Company
    a_label: str
    b_label: str
    sign_date: date
    service_start: date | None
    service_end: date | None
    unit: str
    unit_price: Decimal
    quantity: Decimal
    total: Decimal
    gpu: str
    cards: int
    subsidy_statement: str
    money_style: str
    style: Style
    sealed: bool = True
    marking: str | None = None


@dataclass
class InvoiceDoc:
    kind: str  # digital | vat_special | vat_normal
    code: str | None
    number: str
    issue_date: date
    buyer: Company
    seller: Company
    lines: list[InvoiceLine]
    rate: Decimal
    contract_no: str
    style: Style
    buyer_name: str | None = None
    printed_tax: Decimal | None = None  # a wrong tax total, where a fault plants one
    printed_words: str | None = None  # wrong 大写 text, where a fault plants one
    check_code: str = ""
    yuan: str = "元"
    qr_text: str | None = None  # a QR code that disagrees with the print, where a fault plants one

    @property
    def special(self) -> bool:
        """A 专用发票 (else 普通发票), as the number falls."""
        return int(self.number[-1]) % 2 == 0

    @property
    def amount_ex(self) -> Decimal:
        return sum((li.amount_ex for li in self.lines), Decimal(0))

    @property
    def tax(self) -> Decimal:
        return self.printed_tax if self.printed_tax is not None else \
            sum((li.tax for li in self.lines), Decimal(0))

    @property
    def total(self) -> Decimal:
        return sum((li.total for li in self.lines), Decimal(0))


@dataclass
class SettlementDoc:
    no: str
    contract_no: str
    customer: Company
    supplier: Company
    period_start: date
    period_end: date
    issue_date: date
    lines: list[Line]
    style: Style
    customer_name: str | None = None
    sealed: bool = True

    @property
    def total(self) -> Decimal:
        return sum((li.amount for li in self.lines), Decimal(0))

    @property
    def quantity(self) -> Decimal:
        return sum((li.quantity for li in self.lines if li.compute), Decimal(0))

    @property
    def unit(self) -> str:
        return next(li.unit for li in self.lines if li.compute)


@dataclass
class PaymentDoc:
    bank: str
    payer: Company
    payee: Company
    amount: Decimal
    pay_date: date
    reference: str
    contract_no: str
    purpose: str
    style: Style
    payer_name: str | None = None


@dataclass
class CertificateDoc:
    supplier: Company
    customer: Company
    contract_no: str
    compute_scale: str
    lease_start: date
    lease_end: date
    issue_date: date
    gpu: str
    style: Style
    sealed: bool = True


@dataclass
class UsageDoc:
    company: Company
    purpose: str
    direction: str
    scene: str
    issue_date: date
    style: Style
    marking: str | None = None


@dataclass
class CommitmentDoc:
    company: Company
    signer: str | None
    sign_date: date | None
    style: Style
    sealed: bool = True
    with_uscc: bool = False


@dataclass
class PlatformLogDoc:
    company: Company
    platform: str
    daily_tokens: int
    served_companies: int
    period_start: date
    period_end: date
    monthly: list[tuple[str, int, int]]
    issue_date: date
    style: Style
    sealed: bool = True


@dataclass
class AgentFilingDoc:
    company: Company
    product: str
    filing_no: str
    daily_active_users: int
    stat_start: date
    stat_end: date
    issue_date: date
    style: Style
    sealed: bool = True


@dataclass
class OtherDoc:
    company: Company
    title: str
    paragraphs: list[str]
    style: Style


@dataclass
class BrokenDoc:
    """A file that cannot be read: truncated, empty or not what its name says."""

    payload: bytes
    style: Style = field(default_factory=lambda: Style("", "", "iso"))


@dataclass
class StructuredDoc:
    """An invoice as the tax platform also delivers it: its OFD (``carrier``: how it carries
    its data) or its 数电 XML, beside the PDF of the same invoice."""

    invoice: InvoiceDoc
    fmt: str  # ofd | xml
    carrier: str = "custom"
    quirks: tuple[str, ...] = ()
    style: Style = field(default_factory=lambda: Style("", "", "cn0"))


Doc = (ContractDoc | InvoiceDoc | SettlementDoc | PaymentDoc | CertificateDoc | UsageDoc
       | CommitmentDoc | PlatformLogDoc | AgentFilingDoc | OtherDoc | BrokenDoc | StructuredDoc)

DOC_TYPE: dict[type, str] = {
    ContractDoc: "contract", InvoiceDoc: "invoice", SettlementDoc: "settlement",
    PaymentDoc: "payment", CertificateDoc: "supplier_certificate", UsageDoc: "usage_statement",
    CommitmentDoc: "commitment", PlatformLogDoc: "platform_log", AgentFilingDoc: "agent_filing",
    OtherDoc: "other", BrokenDoc: "other", StructuredDoc: "invoice",
}


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _num(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _party(c: Company, name: str | None = None, with_uscc: bool = True) -> dict[str, Any]:
    return {"name": name or c.name, "uscc": c.uscc if with_uscc else None}


def truth_fields(doc: Doc) -> dict[str, Any]:
    """The contract's field values for ``doc``, in their JSON form."""
    if isinstance(doc, ContractDoc):
        out: dict[str, Any] = {
            "contract_no": doc.no,
            "party_a": _party(doc.a),
            "party_b": _party(doc.b),
            "total_amount": _money(doc.total),
            "unit_price": _money(doc.unit_price),
            "quantity": _num(doc.quantity),
            "unit": doc.unit,
            "sign_date": doc.sign_date.isoformat(),
            "other_subsidy_statement": True,
        }
        if doc.service_start and doc.service_end:
            out["service_start"] = doc.service_start.isoformat()
            out["service_end"] = doc.service_end.isoformat()
        return out
    if isinstance(doc, StructuredDoc):
        return truth_fields(doc.invoice)
    if isinstance(doc, InvoiceDoc):
        return {
            "invoice_code": doc.code,
            "invoice_no": doc.number,
            "issue_date": doc.issue_date.isoformat(),
            "buyer": _party(doc.buyer, doc.buyer_name),
            "seller": _party(doc.seller),
            "amount_ex_tax": _money(doc.amount_ex),
            "tax_rate": _money(doc.rate),
            "tax_amount": _money(doc.tax),
            "total_amount": _money(doc.total),
            "total_in_words": doc.printed_words or invoice_words(doc),
            "items": [{"name": li.name, "amount": _money(li.amount_ex)} for li in doc.lines],
            "contract_no": doc.contract_no,
        }
    if isinstance(doc, SettlementDoc):
        return {
            "statement_no": doc.no,
            "contract_no": doc.contract_no,
            "customer": _party(doc.customer, doc.customer_name),
            "supplier": _party(doc.supplier),
            "period_start": doc.period_start.isoformat(),
            "period_end": doc.period_end.isoformat(),
            "quantity": _num(doc.quantity),
            "unit": doc.unit,
            "total_amount": _money(doc.total),
            "items": [{"name": li.name, "amount": _money(li.amount)} for li in doc.lines],
        }
    if isinstance(doc, PaymentDoc):
        return {
            "payer": {"name": doc.payer_name or doc.payer.name, "uscc": None},
            "payee": {"name": doc.payee.name, "uscc": None},
            "amount": _money(doc.amount),
            "payment_date": doc.pay_date.isoformat(),
            "reference": doc.reference,
            "contract_no": doc.contract_no,
        }
    if isinstance(doc, CertificateDoc):
        return {
            "supplier": _party(doc.supplier),
            "customer": _party(doc.customer),
            "contract_no": doc.contract_no,
            "compute_scale": doc.compute_scale,
            "lease_start": doc.lease_start.isoformat(),
            "lease_end": doc.lease_end.isoformat(),
        }
    if isinstance(doc, UsageDoc):
        return {
            "company": _party(doc.company),
            "purpose": doc.purpose,
            "direction_hint": doc.direction,
        }
    if isinstance(doc, CommitmentDoc):
        out = {"company": _party(doc.company, with_uscc=doc.with_uscc),
               "signed": doc.signer is not None}
        if doc.sign_date:
            out["sign_date"] = doc.sign_date.isoformat()
        return out
    if isinstance(doc, PlatformLogDoc):
        return {
            "company": _party(doc.company),
            "daily_tokens": doc.daily_tokens,
            "served_companies": doc.served_companies,
            "period_start": doc.period_start.isoformat(),
            "period_end": doc.period_end.isoformat(),
        }
    if isinstance(doc, AgentFilingDoc):
        return {
            "company": _party(doc.company),
            "filing_no": doc.filing_no,
            "daily_active_users": doc.daily_active_users,
        }
    return {}


def invoice_words(doc: InvoiceDoc) -> str:
    from sample_docs.gen.words import fmt_words

    return fmt_words(doc.total, yuan=doc.yuan, zero_before_jiao=doc.kind == "digital")
