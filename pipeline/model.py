"""The one typed data model every stage fills in: manifest, pages, fields, findings, report.

Names and shapes follow the interface contract (docs/contract.md); money is ``Decimal``
serialised as a two-place string, dates are ``date``.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Annotated, Any, Generic, Literal, TypeVar
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic import Field as PydField
from pydantic_core import PydanticCustomError

FEN = Decimal("0.01")


TZ = ZoneInfo("Asia/Shanghai")
"""Reviewers work in Beijing time: report timestamps, "today", the nightly schedule."""


def today() -> date:
    """Today's date in Beijing."""
    return datetime.now(TZ).date()


def round_fen(value: Decimal) -> Decimal:
    """Round half up to the fen, the only rounding money ever gets."""
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def _money_to_str(value: Decimal) -> str:
    return f"{round_fen(value):f}"


def _decimal_to_str(value: Decimal) -> str:
    return f"{value.normalize():f}"


Money = Annotated[
    Decimal,
    PlainSerializer(_money_to_str, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": r"^-?\d+\.\d{2}$"}),
]
"""CNY yuan; serialised as a decimal string with two places."""

Number = Annotated[
    Decimal,
    PlainSerializer(_decimal_to_str, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": r"^-?\d+(\.\d+)?$"}),
]
"""A non-money decimal (quantity, unit price, tax rate) as a plain decimal string."""

BBox = tuple[float, float, float, float]
"""x0, y0, x1, y1 in PDF points of the page (pixels for images), origin top-left."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


# --- enums: the single lists of what exists ---------------------------------------------


class Direction(StrEnum):
    MODEL_TRAINING = "model_training"
    MAAS = "maas"
    AGENT = "agent"


class DocType(StrEnum):
    CONTRACT = "contract"
    INVOICE = "invoice"
    SETTLEMENT = "settlement"
    PAYMENT = "payment"
    SUPPLIER_CERTIFICATE = "supplier_certificate"
    USAGE_STATEMENT = "usage_statement"
    COMMITMENT = "commitment"
    PLATFORM_LOG = "platform_log"
    AGENT_FILING = "agent_filing"
    OTHER = "other"


class Source(StrEnum):
    TEXT = "text"
    OCR = "ocr"
    XML = "xml"
    OFD = "ofd"
    QR = "qr"  # an invoice field the print reading missed, taken from the invoice's QR code


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Kind(StrEnum):
    """How a finding weighs in the verdict; each code's kind is set in the rules file."""

    VETO = "veto"  # 否决项: the application is not supported
    FIX = "fix"  # 需补正: the applicant must supply or correct something
    ADJUST = "adjust"  # 金额调整: changes the eligible cost (already applied)
    NOTE = "note"  # 提示: for information


class Verdict(StrEnum):
    """The recommendation a report opens with (建议结论)."""

    APPROVE = "approve"  # 建议通过
    APPROVE_AFTER_CHECK = "approve_after_check"  # 人工核对后通过
    RESUBMIT = "resubmit"  # 补正后复核
    REJECT = "reject"  # 建议不予支持
    UNABLE = "unable"  # 无法核查


class FindingCode(StrEnum):
    MANIFEST_INVALID = "MANIFEST_INVALID"
    DOC_UNREADABLE = "DOC_UNREADABLE"
    DOC_UNCLASSIFIED = "DOC_UNCLASSIFIED"
    MATERIAL_MISSING = "MATERIAL_MISSING"
    FIELD_MISSING = "FIELD_MISSING"
    APPLICANT_NOT_BEIJING = "APPLICANT_NOT_BEIJING"
    USCC_INVALID = "USCC_INVALID"
    PARTY_MISMATCH = "PARTY_MISMATCH"
    RELATED_PARTY = "RELATED_PARTY"
    AMOUNT_WORDS_MISMATCH = "AMOUNT_WORDS_MISMATCH"
    TAX_ARITHMETIC = "TAX_ARITHMETIC"
    PRICE_ARITHMETIC = "PRICE_ARITHMETIC"
    PRICE_OUT_OF_MARKET = "PRICE_OUT_OF_MARKET"
    AMOUNT_MISMATCH = "AMOUNT_MISMATCH"
    DATE_OUT_OF_WINDOW = "DATE_OUT_OF_WINDOW"
    CONTRACT_PERIOD = "CONTRACT_PERIOD"
    UNDELIVERED = "UNDELIVERED"
    NON_COMPUTE_ITEM = "NON_COMPUTE_ITEM"
    SEAL_MISSING = "SEAL_MISSING"
    CLASSIFIED_MARKING = "CLASSIFIED_MARKING"
    DUPLICATE_DOCUMENT = "DUPLICATE_DOCUMENT"
    THRESHOLD_NOT_MET = "THRESHOLD_NOT_MET"
    DIRECTION_REQUIREMENT = "DIRECTION_REQUIREMENT"
    COMMITMENT_INCOMPLETE = "COMMITMENT_INCOMPLETE"
    SUBSIDY_CAPPED = "SUBSIDY_CAPPED"
    FILE_IRREGULAR = "FILE_IRREGULAR"
    QR_MISMATCH = "QR_MISMATCH"
    FORMAT_MISMATCH = "FORMAT_MISMATCH"


SEVERITY: dict[FindingCode, Severity] = {
    FindingCode.MANIFEST_INVALID: Severity.ERROR,
    FindingCode.DOC_UNREADABLE: Severity.ERROR,
    FindingCode.DOC_UNCLASSIFIED: Severity.WARNING,
    FindingCode.MATERIAL_MISSING: Severity.ERROR,
    FindingCode.FIELD_MISSING: Severity.WARNING,
    FindingCode.APPLICANT_NOT_BEIJING: Severity.WARNING,
    FindingCode.USCC_INVALID: Severity.ERROR,
    FindingCode.PARTY_MISMATCH: Severity.ERROR,
    FindingCode.RELATED_PARTY: Severity.ERROR,
    FindingCode.AMOUNT_WORDS_MISMATCH: Severity.ERROR,
    FindingCode.TAX_ARITHMETIC: Severity.ERROR,
    FindingCode.PRICE_ARITHMETIC: Severity.ERROR,
    FindingCode.PRICE_OUT_OF_MARKET: Severity.WARNING,
    FindingCode.AMOUNT_MISMATCH: Severity.ERROR,
    FindingCode.DATE_OUT_OF_WINDOW: Severity.WARNING,
    FindingCode.CONTRACT_PERIOD: Severity.ERROR,
    FindingCode.UNDELIVERED: Severity.WARNING,
    FindingCode.NON_COMPUTE_ITEM: Severity.WARNING,
    FindingCode.SEAL_MISSING: Severity.ERROR,
    FindingCode.CLASSIFIED_MARKING: Severity.ERROR,
    FindingCode.DUPLICATE_DOCUMENT: Severity.ERROR,
    FindingCode.THRESHOLD_NOT_MET: Severity.ERROR,
    FindingCode.DIRECTION_REQUIREMENT: Severity.ERROR,
    FindingCode.COMMITMENT_INCOMPLETE: Severity.ERROR,
    FindingCode.SUBSIDY_CAPPED: Severity.INFO,
    FindingCode.FILE_IRREGULAR: Severity.INFO,
    FindingCode.QR_MISMATCH: Severity.ERROR,
    FindingCode.FORMAT_MISMATCH: Severity.ERROR,
}


# --- the manifest (application.yaml) ----------------------------------------------------
#
# application.yaml is written by hand and its loader (pipeline/manifest.py) hands over every
# scalar as the text written, so the declared fields below read text as well as the typed
# values Python callers pass. Their own errors are PydanticCustomError types starting with
# MANIFEST_ERROR_PREFIX, each message the Chinese phrase that follows the key.

MANIFEST_ERROR_PREFIX = "manifest_"

_GROUPED = r"\d{1,3}(?:,\d{3})+"  # 96,000,000
_PLAIN = r"\d+(?:_\d+)*"  # 96000000, or 96_000_000 as YAML allows
_AMOUNT_TEXT = re.compile(rf"([+-]?)((?:{_GROUPED}|{_PLAIN})(?:\.\d+)?)")
_COUNT_TEXT = re.compile(rf"([+-]?)({_GROUPED}|{_PLAIN})")
_FRACTION_TEXT = re.compile(rf"[+-]?(?:{_GROUPED}|{_PLAIN})\.\d+")
_DATE_TEXT = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_SHOWN_MAX = 60
_SHOWN_BITS = 1000  # past this an int is not worth printing (and str() may refuse it)
_AMOUNT_LIMIT = Decimal(10) ** 15  # yuan: far above any contract, well inside Decimal's precision
_COUNT_LIMIT = 10**18


def kind_of(value: object) -> str:
    """What a value is, in the words of a message: 文本, 数字, 键值映射 …"""
    if value is None:
        return "空值"
    if isinstance(value, bool):
        return "布尔值"
    if isinstance(value, int | float | Decimal):
        return "数字"
    if isinstance(value, date):
        return "日期"
    if isinstance(value, str):
        return "文本"
    if isinstance(value, dict):
        return "键值映射"
    if isinstance(value, list | tuple):
        return "列表"
    return "无法识别的值"


def shown(value: object) -> str:
    """A value as a message quotes it: text as written (cut short), numbers and dates plainly,
    a mapping or a list by its kind only."""
    if isinstance(value, Decimal):
        text = f"{value:f}" if value.is_finite() else str(value)
    elif isinstance(value, date):
        text = value.isoformat()
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int) and value.bit_length() > _SHOWN_BITS:
        text = "（位数过多的数字）"
    elif isinstance(value, str | int | float):
        text = str(value)
    else:
        return kind_of(value)
    return text if len(text) <= _SHOWN_MAX else text[:_SHOWN_MAX] + "…"


def _refused(kind: str, phrase: str, value: object) -> PydanticCustomError:
    """The error for a declared value: empty, of the wrong shape, or ``phrase`` (which may
    quote the value as ``{value}``)."""
    if value is None:
        return PydanticCustomError(MANIFEST_ERROR_PREFIX + "empty", "未填写")
    if isinstance(value, dict | list | tuple):
        return PydanticCustomError(MANIFEST_ERROR_PREFIX + "shape", "应为单个值，实为 {kind}",
                                   {"kind": kind_of(value)})
    return PydanticCustomError(MANIFEST_ERROR_PREFIX + kind, phrase, {"value": shown(value)})


def _amount_of(value: object) -> Decimal:
    """An amount as declared, exactly: a finite Decimal or an int as given, text such as
    ``96000000``, ``96000000.00`` or ``96,000,000.00``; never through a float."""
    if isinstance(value, Decimal) and value.is_finite():
        amount = value
    elif isinstance(value, int) and not isinstance(value, bool):
        amount = Decimal(value)
    elif isinstance(value, str) and (m := _AMOUNT_TEXT.fullmatch(value.strip())):
        amount = Decimal(m[1] + m[2].replace(",", "").replace("_", ""))
    else:
        raise _refused("amount", "不是有效金额：{value}（应为数字，如 96000000.00）", value)
    if amount < 0:
        raise _refused("negative", "不能为负数：{value}", value)
    if amount >= _AMOUNT_LIMIT:
        raise _refused("too_large", "金额过大：{value}", value)
    if _below_fen(amount):
        raise _refused("fen", "最多两位小数（精确到分）：{value}", value)
    return amount


def _below_fen(amount: Decimal) -> bool:
    """Whether ``amount`` has non-zero digits after the second decimal place."""
    parts = amount.as_tuple()
    extra = -2 - parts.exponent if isinstance(parts.exponent, int) else 0
    return extra > 0 and any(parts.digits[-extra:])


def _declared_amount(value: object) -> Decimal:
    return _amount_of(value)


def _positive_amount(value: object) -> Decimal:
    amount = _amount_of(value)
    if amount == 0:
        raise _refused("zero", "应大于零：{value}", value)
    return amount


def _declared_count(value: object) -> int:
    """A count as declared: an int, or text such as ``1200000000000`` or
    ``1,200,000,000,000``; no fractions, no negatives."""
    if isinstance(value, int) and not isinstance(value, bool):
        count = value
    elif isinstance(value, str) and (m := _COUNT_TEXT.fullmatch(value.strip())):
        digits = m[2].replace(",", "").replace("_", "").lstrip("0") or "0"
        if len(digits) > len(str(_COUNT_LIMIT)):
            raise _refused("too_large", "数值过大：{value}", value)
        count = int(m[1] + digits)
    elif isinstance(value, str) and _FRACTION_TEXT.fullmatch(value.strip()):
        raise _refused("fraction", "应为整数，不能有小数：{value}", value)
    else:
        raise _refused("count", "不是有效整数：{value}（应为整数，如 1200000000000）", value)
    if count < 0:
        raise _refused("negative", "不能为负数：{value}", value)
    if count >= _COUNT_LIMIT:
        raise _refused("too_large", "数值过大：{value}", value)
    return count


def _declared_date(value: object) -> date:
    """A date as declared: a ``date``, or text YYYY-MM-DD (month and day may be one digit)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and (m := _DATE_TEXT.fullmatch(value.strip())):
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            pass
    raise _refused("date", "不是有效日期：{value}（应为 YYYY-MM-DD，如 2025-07-15）", value)


def _one_or_other(words: list[str]) -> str:
    return "、".join(words[:-1]) + " 或 " + words[-1] if len(words) > 1 else "".join(words)


_DIRECTIONS = _one_or_other([d.value for d in Direction])


def _declared_direction(value: object) -> Direction:
    if isinstance(value, Direction):
        return value
    if isinstance(value, str) and value.strip() in {d.value for d in Direction}:
        return Direction(value.strip())
    raise _refused("direction", f"不是可选的方向：{{value}}（应为 {_DIRECTIONS} 之一）", value)


DeclaredMoney = Annotated[Money, BeforeValidator(_declared_amount)]
"""A declared amount of CNY yuan, zero or more, read exactly (see ``_amount_of``)."""

PositiveMoney = Annotated[Money, BeforeValidator(_positive_amount)]
"""A declared amount of CNY yuan, more than zero."""

Count = Annotated[int, BeforeValidator(_declared_count)]
"""A declared count (tokens a day, companies, users), zero or more."""

DeclaredDate = Annotated[date, BeforeValidator(_declared_date)]
DeclaredDirection = Annotated[Direction, BeforeValidator(_declared_direction)]


class Party(BaseModel):
    """A company as a document names it; ``uscc`` is None where the document gives none."""

    model_config = ConfigDict(extra="forbid")

    name: str
    uscc: str | None = None
    legal_representative: str | None = None
    address: str | None = None
    uscc_bbox: BBox | None = None
    """Where the credit code is printed, on the page of the name, where it was read."""


class Applicant(Party):
    """The applicant as the manifest declares it: the name and the unified social credit
    code are both required."""

    name: str = PydField(min_length=1)
    uscc: str = PydField(min_length=1)


class DeclaredContract(Strict):
    contract_no: str = PydField(min_length=1)
    supplier: str = PydField(min_length=1)
    amount: PositiveMoney = PydField(gt=0)
    other_subsidies: DeclaredMoney = PydField(default=Decimal("0"), ge=0)


class MaasDeclaration(Strict):
    daily_tokens: Count = PydField(ge=0)
    served_companies: Count = PydField(ge=0)


class AgentDeclaration(Strict):
    filing_no: str = PydField(min_length=1)
    daily_active_users: Count = PydField(ge=0)


_APPLICATION_ID = re.compile(r"[^/\\\x00-\x1f\x7f<>:\"|?*]{1,100}")
"""What a folder name may hold on every system a reviewer may copy the outputs to."""


class Manifest(Strict):
    """The declared form data of one application."""

    application_id: str | None = None
    applicant: Applicant
    direction: DeclaredDirection
    application_date: DeclaredDate
    contracts: list[DeclaredContract] = PydField(min_length=1)
    maas: MaasDeclaration | None = None
    agent: AgentDeclaration | None = None

    @field_validator("application_id")
    @classmethod
    def _id_names_a_folder(cls, value: str | None) -> str | None:
        """An id names the report's folder: no path, no control characters, not hidden."""
        if value is not None and (not _APPLICATION_ID.fullmatch(value) or value.startswith(".")):
            raise PydanticCustomError(MANIFEST_ERROR_PREFIX + "id",
                                      "只能由文字、数字和 - _ 等符号组成（不含 / \\ 等路径符号，不以 . 开头，"
                                      "至多 100 个字符）：{value}", {"value": shown(value)})
        return value

    @field_validator("applicant", mode="before")
    @classmethod
    def _party_as_applicant(cls, value: Any) -> Any:
        """A plain Party (a caller's, not the file's) is checked as an applicant."""
        if isinstance(value, Party) and not isinstance(value, Applicant):
            return value.model_dump()
        return value


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


class Document(BaseModel):
    """One uploaded file as the report shows it."""

    model_config = ConfigDict(extra="forbid")

    file: str
    sha256: str
    doc_type: DocType = DocType.OTHER
    pages: int = PydField(default=0, ge=0)
    read_by: Source | None = None
    seals: list[Seal] = PydField(default_factory=list)
    errors: list[str] = PydField(default_factory=list)
    fields: AnyFields = PydField(default_factory=OtherFields)
    missing: dict[str, str] = PydField(default_factory=dict)
    """Fields of the contract that could not be read, each with the reason."""
    markings: list[Marking] = PydField(default_factory=list)
    """Secrecy markings found anywhere in the document."""
    format: str | None = None
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
    same_invoice_as: str | None = None
    """For an invoice uploaded again in another format: the OFD or XML file whose exact data
    stands for it (this copy is not counted again)."""

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


# --- findings, subsidy, report ----------------------------------------------------------


class Evidence(Strict):
    file: str
    page: int | None = None
    bbox: BBox | None = None
    field: str | None = None


class Finding(Strict):
    finding_id: str
    code: FindingCode
    severity: Severity
    kind: Kind
    message: str
    documents: list[str] = PydField(default_factory=list)
    evidence: list[Evidence] = PydField(default_factory=list)
    expected: str | None = None
    observed: str | None = None
    at_stake: Money | None = None
    """The amount the finding puts in question, where it has one (for the order of findings)."""
    related_applications: list[str] = PydField(default_factory=list)
    """Other applications of the batch the finding concerns (the same evidence used there)."""


class Unverified(Strict):
    """A field the checks need that was not read, or was read with low confidence."""

    file: str
    field: str
    reason: Literal["unread", "low_confidence"]
    detail: str = ""
    confidence: float | None = None
    page: int | None = None
    bbox: BBox | None = None


class SubsidyLine(Strict):
    """One piece of evidence in a contract's subsidy arithmetic: a settlement line, an
    invoice or a payment, with what of it counts and why the rest does not."""

    file: str
    what: Literal["delivered", "invoiced", "paid"]
    name: str = ""
    amount: Money | None = None
    start: date | None = None
    end: date | None = None
    compute: bool = True
    days: int = 0
    days_counted: int = 0
    counted: Money = PydField(default=Decimal("0.00"))
    left_out: Money | None = None
    why: str = ""
    """Why the part left out is left out, in words (empty when it all counts)."""
    finding_ids: list[str] = PydField(default_factory=list)
    """The findings that report what is left out."""
    _codes: list[FindingCode] = PrivateAttr(default_factory=list)


class Entry(Strict):
    """One document's side of a reconciliation row: its figure, dates, parties and the
    contract number it cites; ``differs`` names what disagrees with the rest of the row or
    with the contract (amount, supplier, supplier_uscc, customer, customer_uscc,
    contract_no)."""

    file: str
    amount: Money | None = None
    day: date | None = None
    start: date | None = None
    end: date | None = None
    supplier: str | None = None
    supplier_uscc: str | None = None
    customer: str | None = None
    customer_uscc: str | None = None
    contract_no: str | None = None
    differs: list[str] = PydField(default_factory=list)


class ReconciliationRow(Strict):
    """One settlement period (or one piece of evidence no period claims), side by side."""

    label: str
    settlements: list[Entry] = PydField(default_factory=list)
    invoices: list[Entry] = PydField(default_factory=list)
    payments: list[Entry] = PydField(default_factory=list)


class Reconciliation(Strict):
    """A contract's evidence side by side: the contract, then per settlement period its
    statements, invoices and payments."""

    contract_no: str
    contract: Entry | None = None
    service_start: date | None = None
    service_end: date | None = None
    rows: list[ReconciliationRow] = PydField(default_factory=list)


class ContractSubsidy(Strict):
    contract_no: str
    contract_amount: Money
    delivered_in_window: Money
    paid_in_window: Money
    non_compute_excluded: Money
    eligible_cost: Money
    other_subsidies: Money
    subsidy: Money
    service_start: date | None = None
    service_end: date | None = None
    lines: list[SubsidyLine] = PydField(default_factory=list)
    """Every settlement line, invoice and payment of the contract, counted or left out."""
    proofs: Literal["invoices", "payments", "none"] = "none"
    """What counts as paid: the invoices, else (where there are none) the payment proofs."""
    share_cut: Money = PydField(default=Decimal("0.00"))
    """What the total-support share took off this contract's subsidy."""


class Subsidy(Strict):
    rate: Annotated[
        Decimal,
        PlainSerializer(_money_to_str, return_type=str, when_used="json"),
        WithJsonSchema({"type": "string", "pattern": r"^\d+\.\d{2}$"}),
    ]
    eligible_cost: Money
    subsidy: Money
    capped_by: Literal["company_cap", "total_support_share"] | None = None
    per_contract: list[ContractSubsidy] = PydField(default_factory=list)
    window_start: date | None = None
    window_end: date | None = None
    cap_cut: Money = PydField(default=Decimal("0.00"))
    """What the company cap took off, all contracts together."""
    state: Literal["final", "pending", "withheld"] = "pending"
    """final: nothing but notes is open; pending (暂定): a finding is still open;
    withheld: a veto stands, nothing is payable."""
    payable: Money | None = None
    """What may be paid as things stand: the subsidy, or 0 when withheld."""


class Status(StrEnum):
    PASS = "pass"
    FLAGGED = "flagged"
    ERROR = "error"


class Report(Strict):
    """The machine-readable report of one application (report.json)."""

    schema_version: Literal[1] = 1
    application_id: str
    status: Status
    checked_at: datetime
    as_of: date
    documents: list[Document] = PydField(default_factory=list)
    findings: list[Finding] = PydField(default_factory=list)
    subsidy: Subsidy | None = None
    verdict: Verdict = Verdict.UNABLE
    verdict_reasons: list[str] = PydField(default_factory=list)
    unverified: list[Unverified] = PydField(default_factory=list)
    """Fields the checks needed and could not read, or read with low confidence."""
    reconciliation: list[Reconciliation] = PydField(default_factory=list)
    """Per declared contract, its evidence side by side."""


def describe_errors(error: ValidationError) -> str:
    """A validation error as one line per bad key: ``subsidy.rate: Input should be …``."""
    parts = []
    for item in error.errors():
        key = ".".join(str(p) for p in item["loc"]) or "(top level)"
        parts.append(f"{key}: {item['msg']}")
    return "; ".join(parts)


def report_json_schema() -> dict[str, Any]:
    """The JSON Schema of report.json, as committed in pipeline/schema/report.schema.json."""
    return Report.model_json_schema(mode="validation")
