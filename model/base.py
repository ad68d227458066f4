"""The model's ground: money and dates as the project keeps them, and the enums that are the
single lists of what exists (directions, document types, sources, severities, kinds, verdicts,
finding codes)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    ConfigDict,
    PlainSerializer,
    WithJsonSchema,
)

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


def box_around(boxes: Iterable[BBox]) -> BBox:
    """The smallest box holding every one of ``boxes`` (at least one)."""
    listed = list(boxes)
    return (min(b[0] for b in listed), min(b[1] for b in listed),
            max(b[2] for b in listed), max(b[3] for b in listed))


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


# --- enums: the single lists of what exists ---------------------------------------------


class Direction(StrEnum):
    MODEL_TRAINING = "model_training"
    MAAS = "maas"
    AGENT = "agent"


class FileKind(StrEnum):
    """The formats voucher-check reads, as their bytes say."""

    PDF = "pdf"
    PNG = "png"
    JPEG = "jpeg"
    TIFF = "tiff"
    OFD = "ofd"
    XML = "xml"
    UNKNOWN = "unknown"


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


class TypedBy(StrEnum):
    """What told a document's type (report.json: a document's ``typed_by``)."""

    WORDING = "wording"
    """Its title or the words its type always uses, or what it holds where these words lean
    the same way."""
    CONTENT = "content"
    """Only what it holds, where no title or wording placed it (or they placed it as another
    type): every fact its type cannot lack, far more of them than of any other type's."""
    RESEMBLANCE = "resemblance"
    """Only what it holds, and that only in part: most of the facts its type cannot lack, more
    than of any other type's. Such a type may be wrong, so no accusation rests on it."""
    DATA = "data"
    """The structured data of an OFD or XML e-invoice."""


class Source(StrEnum):
    TEXT = "text"
    OCR = "ocr"
    XML = "xml"
    OFD = "ofd"
    QR = "qr"  # an invoice field the print reading missed, taken from the invoice's QR code


class Support(StrEnum):
    """What corroborates a field's value (CONTRACT: a field's ``evidence``)."""

    LABEL = "label"
    """A label governs it on the page (found where its label points, not guessed)."""
    TYPE = "type"
    """It parses as the field's type (an amount, a date, a company name, a valid code)."""
    DECLARATION = "declaration"
    """The application declares the same value (the applicant, a supplier, a contract)."""
    ARITHMETIC = "arithmetic"
    """The document's own sums agree with it (amount + tax = total, lines add up, 大写 = figures)."""
    CROSS_DOCUMENT = "cross_document"
    """Another document of the application gives the same value."""
    STRUCTURED = "structured"
    """The structured data of an OFD or XML e-invoice gives it exactly."""
    QR = "qr"
    """The invoice's QR code gives the same value."""


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
