"""What checking produces: findings with their evidence, the subsidy line by line, the
reconciliation, the report."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import Field as PydField
from pydantic import (
    PlainSerializer,
    PrivateAttr,
    ValidationError,
    WithJsonSchema,
)

from model.base import BBox, FindingCode, Kind, Money, Severity, Strict, Verdict, _money_to_str
from model.document import Document

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
    """The JSON Schema of report.json, as committed in model/schema/report.schema.json."""
    return Report.model_json_schema(mode="validation")
