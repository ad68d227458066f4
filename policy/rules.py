"""The rules file: the policy's parameters, loaded and validated once at start-up.

``load_rules(path)`` reads the file at ``path`` (default: the bundled ``policy/rules.yaml``;
the command line resolves ``--rules`` and ``$VOUCHER_CHECK_RULES``) and raises
:class:`RulesError` naming the bad key.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from model.base import Direction, DocType, FindingCode, Kind, Severity
from model.report import describe_errors

DEFAULT_RULES = Path(__file__).with_name("rules.yaml")


class RulesError(ValueError):
    """The rules file is missing, unparsable, or has a bad key or value."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Window(_Section):
    start: date


class ApplicantRules(_Section):
    beijing_division_prefix: str = Field(pattern=r"^\d{1,6}$")


class MinTotal(_Section):
    model_training: Decimal = Field(ge=0)
    maas: Decimal = Field(ge=0)
    agent: Decimal = Field(ge=0)

    def for_direction(self, direction: Direction) -> Decimal:
        return Decimal(getattr(self, Direction(direction).value))


class MaasRules(_Section):
    min_daily_tokens: int = Field(ge=0)
    min_daily_tokens_exclusive: bool
    min_served_companies: int = Field(ge=0)
    min_served_companies_exclusive: bool


class AgentRules(_Section):
    filing_required: bool
    min_daily_active_users: int = Field(ge=0)
    min_daily_active_users_exclusive: bool


class SubsidyRules(_Section):
    rate: Decimal = Field(gt=0, le=1)
    company_cap: Decimal = Field(gt=0)
    total_support_share: Decimal = Field(gt=0, le=1)


class Tolerance(_Section):
    arithmetic: Decimal = Field(ge=0)
    amount_match: Decimal = Field(ge=0)
    ocr_edits: int = Field(ge=0, le=5)
    misread_factor: Decimal = Field(default=Decimal(2), gt=1)
    """Price × quantity this many times off its amount (or under its 1/factor) is a figure
    misread or unrelated, not an arithmetic error."""

    def plausible(self, product: Decimal, amount: Decimal) -> bool:
        """Whether ``product`` is of ``amount``'s order (within the misread factor)."""
        return amount > 0 and 1 / self.misread_factor <= product / amount <= self.misread_factor


class PriceBand(_Section):
    aliases: list[str] = Field(min_length=1)
    min: Decimal = Field(ge=0)
    max: Decimal = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> PriceBand:
        if self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        return self


class Secrecy(_Section):
    markings: list[str] = Field(min_length=1)
    not_markings: list[str] = Field(default_factory=list)


class RequiredMaterials(_Section):
    all: list[list[DocType]]
    model_training: list[list[DocType]]
    maas: list[list[DocType]]
    agent: list[list[DocType]]

    def for_direction(self, direction: Direction) -> list[list[DocType]]:
        return [*self.all, *getattr(self, Direction(direction).value)]


class Limits(_Section):
    max_file_bytes: int = Field(gt=0)
    max_pages: int = Field(gt=0)
    max_pixels: int = Field(gt=0)
    max_manifest_bytes: int = Field(default=1048576, gt=0)
    max_zip_entries: int = Field(default=2000, gt=0)
    max_zip_bytes: int = Field(default=1073741824, gt=0)
    max_zip_ratio: int = Field(default=100, gt=0)


class Reading(_Section):
    ocr_engine: Literal["rapidocr", "tesseract"]
    render_dpi: int = Field(ge=72, le=600)
    low_confidence: float = Field(ge=0, le=1)
    file_timeout_seconds: int = Field(default=900, ge=1)
    note_skew_degrees: float = Field(default=3.0, gt=0)


class KindBySituation(_Section):
    """A code that weighs differently by where it arises: the kind for each situation (a
    document type, or a situation a rule names, such as ``other_application``), else
    ``default``."""

    model_config = ConfigDict(extra="allow", frozen=True)
    default: Kind

    @model_validator(mode="after")
    def _kinds(self) -> KindBySituation:
        for name, value in (self.model_extra or {}).items():
            try:
                (self.model_extra or {})[name] = Kind(value)
            except ValueError:
                raise ValueError(f"{name}: expected one of {', '.join(k.value for k in Kind)}") from None
        return self

    def of(self, situations: tuple[str, ...]) -> Kind:
        extra = self.model_extra or {}
        return next((extra[s] for s in situations if s in extra), self.default)


class Rules(_Section):
    """Every parameter of the policy; see rules.yaml for what each one means."""

    policy_year: int
    window: Window
    applicant: ApplicantRules
    min_total: MinTotal
    maas: MaasRules
    agent: AgentRules
    subsidy: SubsidyRules
    tolerance: Tolerance
    vat_rates: list[Decimal] = Field(min_length=1)
    market_price_bands: dict[str, PriceBand] = Field(min_length=1)
    non_compute_keywords: list[str] = Field(min_length=1)
    compute_keywords: list[str] = Field(default_factory=list)
    secrecy: Secrecy
    required_materials: RequiredMaterials
    must_be_sealed: list[DocType]
    limits: Limits
    reading: Reading
    finding_severity: dict[FindingCode, Severity]
    finding_kinds: dict[FindingCode, Kind | KindBySituation]

    @model_validator(mode="after")
    def _every_code_has_a_severity_and_a_kind(self) -> Rules:
        for key, given, what in (("finding_severity", self.finding_severity, "severity"),
                                 ("finding_kinds", self.finding_kinds, "kind")):
            missing = [c.value for c in FindingCode if c not in given]
            if missing:
                raise ValueError(f"{key}: no {what} for {', '.join(missing)}")
        return self

    def severity_of(self, code: FindingCode) -> Severity:
        """How grave a finding of ``code`` is: error and warning flag the application."""
        return self.finding_severity[code]

    def kind_of(self, code: FindingCode, situations: tuple[str, ...] = ()) -> Kind:
        """The kind of a finding of ``code`` arising in ``situations`` (its rule's situation
        first, then its documents' types)."""
        kind = self.finding_kinds[code]
        return kind if isinstance(kind, Kind) else kind.of(situations)

    def band_for_unit(self, unit: str) -> tuple[str, PriceBand] | None:
        """The market band whose name or alias matches ``unit`` (spaces and 元/ ignored)."""
        key = _unit_key(unit)
        for name, band in self.market_price_bands.items():
            if key in {_unit_key(a) for a in (name, *band.aliases)}:
                return name, band
        return None


def _unit_key(unit: str) -> str:
    text = unit.strip().replace(" ", "").replace("元/", "").replace("/", "·")
    return text.replace("*", "·").replace("・", "·").upper()


def parse_rules(text: str, origin: str = "rules") -> Rules:
    """Rules from YAML text; raises RulesError naming the file and the bad key."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RulesError(f"{origin}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise RulesError(f"{origin}: expected a mapping of rule names at the top level")
    try:
        return Rules.model_validate(data)
    except ValidationError as exc:
        raise RulesError(f"{origin}: {describe_errors(exc)}") from exc


def load_rules(path: str | Path | None = None) -> Rules:
    """The rules file at ``path``, else the bundled one. Nothing else is consulted: the command
    line decides which file is in force and hands it down."""
    chosen = Path(path or DEFAULT_RULES)
    return _load_cached(chosen.resolve())


@lru_cache(maxsize=8)
def _load_cached(path: Path) -> Rules:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulesError(f"{path}: cannot read the rules file: {exc.strerror}") from exc
    return parse_rules(text, str(path))
