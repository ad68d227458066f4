"""What reading produces and extraction fills in: pages of words with boxes, fields with
provenance, seals, QR codes, markings, and the document that holds them."""

from __future__ import annotations

import hashlib
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    SerializerFunctionWrapHandler,
    WithJsonSchema,
    field_serializer,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic import Field as PydField
from pydantic.json_schema import SkipJsonSchema

from model.base import BBox, Direction, DocType, FileKind, Money, Number, Source, Strict, Support, TypedBy


class Party(BaseModel):
    """A company as a document names it; ``uscc`` is None where the document gives none."""

    model_config = ConfigDict(extra="forbid")

    name: str
    uscc: str | None = None
    legal_representative: str | None = None
    address: str | None = None
    uscc_bbox: BBox | None = None
    """Where the credit code is printed, on the page of the name, where it was read."""


# --- what readers produce: pages of words with boxes ------------------------------------


class Word(Strict):
    text: str
    bbox: BBox
    confidence: float = PydField(ge=0, le=1)


class Page(Strict):
    """One page as read: its words in reading order, in page coordinates."""

    number: int = PydField(ge=1)
    width: float
    height: float
    unit: Literal["pt", "px"] = "pt"
    source: Source
    words: list[Word] = PydField(default_factory=list)
    images: list[BBox] = PydField(default_factory=list)
    """Picture regions of a text-layer page (signatures, seals, logos); on an OCR'd page,
    patches of ink the OCR read no text from (a handwritten signature)."""
    skew: float = 0.0
    """Degrees an OCR'd page was turned to level its lines (cv2 sign); word boxes stay in
    the page's own coordinates, so layout turns them level again before grouping lines."""
    grey: bool = False
    """The page's picture carries no colour at all (a grey-scale scan, or on a digital page
    every picture in it): a seal there is grey, so finding no red one says nothing."""
    red_marks: bool = False
    """The page has a red mark of a seal's size and shape that was not recognised as a seal."""
    turn: Literal[0, 90, 180, 270] = 0
    """Degrees the page image was turned clockwise before reading, because it was scanned
    sideways or upside down; boxes, width and height are of the turned page."""

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


# --- fields with provenance -------------------------------------------------------------

T = TypeVar("T")


class Field(BaseModel, Generic[T]):
    """One extracted value and where it came from."""

    model_config = ConfigDict(extra="forbid")

    value: T
    page: int | None = PydField(default=None, ge=1)
    bbox: BBox | None = None
    source: Source
    confidence: float = PydField(ge=0, le=1)
    evidence: list[Support] = PydField(default_factory=list)
    """What corroborates the value, in ``Support``'s order."""
    doubts: SkipJsonSchema[list[Support]] = PydField(default_factory=list, exclude=True)
    """Corroboration the document offered that failed (its lines do not add up to this
    total): a value in doubt, which no accusation rests on unless it is about that failure.
    Not written to report.json."""

    def supported(self, *support: Support) -> None:
        """Add ``support`` to the field's evidence, in ``Support``'s order, each once."""
        self.evidence = sorted(set(self.evidence) | set(support), key=list(Support).index)

    def doubted(self, support: Support) -> None:
        if support not in self.doubts:
            self.doubts.append(support)


class MoneyField(Field[Money]):
    """A field whose value is an amount of money."""


class NumberField(Field[Number]):
    """A field whose value is a quantity, a unit price or a rate."""


class LineItem(Strict):
    """A line of an invoice or a settlement statement; amounts as printed on that line."""

    name: str
    amount: Money
    tax_rate: Number | None = None
    tax_amount: Money | None = None
    quantity: Number | None = None
    unit: str | None = None
    unit_price: Number | None = None
    period_start: date | None = None
    period_end: date | None = None


class Fields(BaseModel):
    """Base of the per-type field sets; an absent field is None and is not serialised."""

    model_config = ConfigDict(extra="forbid")

    @model_serializer(mode="wrap")
    def _drop_absent(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return {k: v for k, v in handler(self).items() if getattr(self, k) is not None}

    def present(self) -> dict[str, Field[Any]]:
        return {k: v for k, v in self if v is not None}


class ContractFields(Fields):
    contract_no: Field[str] | None = None
    party_a: Field[Party] | None = None
    party_b: Field[Party] | None = None
    total_amount: MoneyField | None = None
    unit_price: NumberField | None = None
    quantity: NumberField | None = None
    unit: Field[str] | None = None
    sign_date: Field[date] | None = None
    service_start: Field[date] | None = None
    service_end: Field[date] | None = None
    other_subsidy_statement: Field[bool] | None = None


class InvoiceFields(Fields):
    invoice_code: Field[str | None] | None = None
    invoice_no: Field[str] | None = None
    issue_date: Field[date] | None = None
    buyer: Field[Party] | None = None
    seller: Field[Party] | None = None
    amount_ex_tax: MoneyField | None = None
    tax_rate: NumberField | None = None
    tax_amount: MoneyField | None = None
    total_amount: MoneyField | None = None
    total_in_words: Field[str] | None = None
    items: Field[list[LineItem]] | None = None
    contract_no: Field[str] | None = None


class SettlementFields(Fields):
    statement_no: Field[str] | None = None
    contract_no: Field[str] | None = None
    customer: Field[Party] | None = None
    supplier: Field[Party] | None = None
    period_start: Field[date] | None = None
    period_end: Field[date] | None = None
    quantity: NumberField | None = None
    unit: Field[str] | None = None
    total_amount: MoneyField | None = None
    items: Field[list[LineItem]] | None = None
    total_in_words: Field[str] | None = None
    """The statement's amount in 大写 as printed (本期结算金额：人民币…元整), when it gives one."""
    stated_amount: MoneyField | None = None
    """The figure printed with those words (（¥…）), read apart from the table's total."""


class PaymentFields(Fields):
    payer: Field[Party] | None = None
    payee: Field[Party] | None = None
    amount: MoneyField | None = None
    payment_date: Field[date] | None = None
    reference: Field[str] | None = None
    contract_no: Field[str] | None = None
    amount_in_words: Field[str] | None = None
    """The amount in 大写 as printed, where the receipt prints one (added)."""


class SupplierCertificateFields(Fields):
    supplier: Field[Party] | None = None
    customer: Field[Party] | None = None
    contract_no: Field[str] | None = None
    compute_scale: Field[str] | None = None
    lease_start: Field[date] | None = None
    lease_end: Field[date] | None = None


class UsageStatementFields(Fields):
    company: Field[Party] | None = None
    purpose: Field[str] | None = None
    direction_hint: Field[Direction | None] | None = None


class CommitmentFields(Fields):
    company: Field[Party] | None = None
    signed: Field[bool] | None = None
    sign_date: Field[date] | None = None


class PlatformLogFields(Fields):
    company: Field[Party] | None = None
    daily_tokens: Field[int] | None = None
    served_companies: Field[int] | None = None
    period_start: Field[date] | None = None
    period_end: Field[date] | None = None


class AgentFilingFields(Fields):
    company: Field[Party] | None = None
    filing_no: Field[str] | None = None
    daily_active_users: Field[int] | None = None


class OtherFields(Fields):
    pass


FIELDS_BY_TYPE: dict[DocType, type[Fields]] = {
    DocType.CONTRACT: ContractFields,
    DocType.INVOICE: InvoiceFields,
    DocType.SETTLEMENT: SettlementFields,
    DocType.PAYMENT: PaymentFields,
    DocType.SUPPLIER_CERTIFICATE: SupplierCertificateFields,
    DocType.USAGE_STATEMENT: UsageStatementFields,
    DocType.COMMITMENT: CommitmentFields,
    DocType.PLATFORM_LOG: PlatformLogFields,
    DocType.AGENT_FILING: AgentFilingFields,
    DocType.OTHER: OtherFields,
}

CONTRACT_FIELDS: dict[DocType, tuple[str, ...]] = {
    DocType.CONTRACT: (
        "contract_no", "party_a", "party_b", "total_amount", "unit_price", "quantity", "unit",
        "sign_date", "service_start", "service_end", "other_subsidy_statement",
    ),
    DocType.INVOICE: (
        "invoice_code", "invoice_no", "issue_date", "buyer", "seller", "amount_ex_tax",
        "tax_rate", "tax_amount", "total_amount", "total_in_words", "items",
    ),
    DocType.SETTLEMENT: (
        "statement_no", "contract_no", "customer", "supplier", "period_start", "period_end",
        "quantity", "unit", "total_amount", "items",
    ),
    DocType.PAYMENT: ("payer", "payee", "amount", "payment_date", "reference"),
    DocType.SUPPLIER_CERTIFICATE: (
        "supplier", "customer", "contract_no", "compute_scale", "lease_start", "lease_end",
    ),
    DocType.USAGE_STATEMENT: ("company", "purpose", "direction_hint"),
    DocType.COMMITMENT: ("company", "signed", "sign_date"),
    DocType.PLATFORM_LOG: (
        "company", "daily_tokens", "served_companies", "period_start", "period_end",
    ),
    DocType.AGENT_FILING: ("company", "filing_no", "daily_active_users"),
    DocType.OTHER: (),
}
"""The fields the interface contract names for each type: the ones accuracy is scored on."""

AnyFields = (
    ContractFields | InvoiceFields | SettlementFields | PaymentFields | SupplierCertificateFields
    | UsageStatementFields | CommitmentFields | PlatformLogFields | AgentFilingFields | OtherFields
)


class Seal(Strict):
    page: int = PydField(ge=1)
    bbox: BBox
    confidence: float = PydField(default=1.0, ge=0, le=1)


class Code(Strict):
    """A QR code found on a page (or given by a structured invoice): its text and where it is."""

    page: int | None = None
    bbox: BBox | None = None
    text: str


_Day = date  # the field below is named ``date``, as the QR code names it


class InvoiceQr(Strict):
    """What an invoice's QR code says: type, code, number, amount, date and check code.
    On a 数电 invoice (``digital``: no code, a 20-digit number) the amount is the total with
    tax; on older invoices it is the amount before tax."""

    text: str
    type: str = ""
    code: str | None = None
    number: str | None = None
    amount: Money | None = None
    date: _Day | None = None
    check_code: str | None = None
    digital: bool = False
    page: int | None = None
    bbox: BBox | None = None

    @property
    def amount_field(self) -> str:
        """The printed field the QR amount is to equal."""
        return "total_amount" if self.digital else "amount_ex_tax"


class Marking(Strict):
    """A secrecy marking (秘密, 机密, 绝密) as printed, and where."""

    text: str
    page: int | None = None
    bbox: BBox | None = None
    source: Source = Source.TEXT


class Why(StrEnum):
    """Why a field a document should carry has no value: what the reviewer does about it."""

    UNREAD = "unread"
    """Reading did not find it (its label, or a value after the label): it may well be on the
    page, so the reviewer looks there; a check never accuses on its absence."""
    BLANK = "blank"
    """The document leaves it empty (a date line not filled in, a total printed as ***): a gap
    in the document, not in the reading."""
    FAILED = "failed"
    """Reading the field failed outright: nothing is known of it."""


class Missing(BaseModel):
    """Why one field has no value, and the reviewer's words for it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    why: Why | None
    """None only for a reason read back from a report.json, which keeps the words alone."""
    text: str

    @classmethod
    def unread(cls, text: str) -> Missing:
        return cls(why=Why.UNREAD, text=text)

    @classmethod
    def blank(cls, text: str) -> Missing:
        return cls(why=Why.BLANK, text=text)

    @classmethod
    def failed(cls, text: str) -> Missing:
        return cls(why=Why.FAILED, text=text)


class Won(StrEnum):
    """Why a field holds the value it does, of the readings that gave one (the print, the
    structured copy, the QR code: ``extractors.assemble``)."""

    PRINT = "print"
    """Read off the page (text layer or OCR); nothing else gave it."""
    KEPT_AS_PRINTED = "kept_as_printed"
    """The page's print kept over the structured data (line items, the amount in words): the
    print is what the reviewer sees, the data only fills what the page lacks."""
    STRUCTURED = "structured"
    """The structured data's exact value (OFD, XML), standing for what the page reading gave."""
    QR = "qr"
    """The print reading missed it; the invoice's QR code gives it."""
    PRINT_AND_QR = "print_and_qr"
    """Read off the page and the QR code says the same: certain."""


REASONS_SCHEMA = {"type": "object", "additionalProperties": {"type": "string"}, "title": "Missing"}
"""report.json's ``missing``: field → the reviewer's words for why it is missing."""

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
"""The hash of an empty file: what an upload that was never read (or held nothing) carries."""


class Document(BaseModel):
    """One uploaded file as the report shows it."""

    model_config = ConfigDict(extra="forbid")

    file: str
    sha256: str
    doc_type: DocType = DocType.OTHER
    typed_by: TypedBy | None = None
    """What told its type: its wording, only its content (a type that may be wrong), or its
    structured data; none for a file not read."""
    pages: int = PydField(default=0, ge=0)
    read_by: Source | None = None
    seals: list[Seal] = PydField(default_factory=list)
    grey_pages: list[int] = PydField(default_factory=list)
    """Pages read from a picture without colour (a grey-scale scan): a seal on them shows in
    grey, so where none was found there its absence is not certain."""
    red_mark_pages: list[int] = PydField(default_factory=list)
    """Pages with a red mark of a seal's size not recognised as a seal (askew, smudged): where a
    seal is looked for and none was recognised, its absence is not certain."""
    errors: list[str] = PydField(default_factory=list)
    fields: AnyFields = PydField(default_factory=OtherFields)
    missing: Annotated[dict[str, Missing], WithJsonSchema(REASONS_SCHEMA)] = PydField(default_factory=dict)
    """Fields of the contract that could not be read, each with why (report.json keeps the
    reviewer's words: field → reason)."""
    markings: list[Marking] = PydField(default_factory=list)
    """Secrecy markings found anywhere in the document."""
    format: FileKind | None = None
    """The file's real format as its bytes say (pdf, png, jpeg, tiff, ofd, xml, unknown)."""
    turns: dict[int, int] = PydField(default_factory=dict)
    """Pages read turned (page → degrees clockwise), scanned sideways or upside down; their
    boxes are on the turned page."""
    notes: list[str] = PydField(default_factory=list)
    """What was irregular about the file though it was read: its extension says another
    format, it was repaired or carries a permissions password, a page was turned."""
    not_processed: bool = False
    """The process reading this file died (a crash, the OOM killer): nothing is known of it,
    so the application cannot be decided on the rest (its status is ``error``)."""
    qr: InvoiceQr | None = None
    """An invoice's QR code as decoded from its page (or given by its structured data)."""
    won: SkipJsonSchema[dict[str, Won]] = PydField(default_factory=dict, exclude=True)
    """For each field, why its value won over the other readings (not written to report.json;
    the report's pages show it)."""
    same_invoice_as: str | None = None
    """For an invoice uploaded again in another format: the OFD or XML file whose exact data
    stands for it (this copy is not counted again)."""

    @field_validator("missing", mode="before")
    @classmethod
    def _reasons_read_back(cls, value: Any) -> Any:
        """A report.json's reasons are words alone: their why is not known again."""
        if isinstance(value, dict):
            return {k: Missing(why=None, text=v) if isinstance(v, str) else v for k, v in value.items()}
        return value

    @field_serializer("missing")
    def _reasons_as_words(self, missing: dict[str, Missing]) -> dict[str, str]:
        return {name: reason.text for name, reason in missing.items()}

    @model_validator(mode="before")
    @classmethod
    def _fields_for_type(cls, data: Any) -> Any:
        if isinstance(data, dict):
            kind = FIELDS_BY_TYPE[DocType(data.get("doc_type", DocType.OTHER))]
            raw = data.get("fields")
            if raw is None:
                data = {**data, "fields": kind()}
            elif isinstance(raw, dict):
                data = {**data, "fields": kind.model_validate(raw)}
            elif not isinstance(raw, kind):
                raise ValueError(f"fields of a {data.get('doc_type')} must be {kind.__name__}")
        return data


