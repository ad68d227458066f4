"""Hand-built applications for the rule tests: no files, no OCR, milliseconds each.

``clean_app()`` is one clean model-training application: a 96,000,000.00 contract with
its supplier, two settlement statements of monthly compute lines (2024-07 … 2025-06,
inside the window and the service period), the two matching 数电 invoices, the two
matching payments, the sealed supplier certificate, the usage statement and the signed,
dated and sealed commitment letter. A test changes the raw values of one document, then
calls ``context()``::

    app = clean_app()
    app.doc(INVOICE_1).fields["buyer"] = party(PARENT)
    findings = run(app.context())
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from stdnum.cn import uscc as uscc_check

from extractors.cnnum import amount_to_words
from intake.manifest import Manifest
from model.base import Direction, DocType, round_fen
from model.document import Document, Marking, Missing
from model.report import Finding
from policy.rules import load_rules
from validators.checks import CHECKS
from validators.context import CheckContext
from validators.runner import run_checks


def with_check_digit(first17: str) -> str:
    """An 18-character USCC whose check digit is right."""
    return first17 + uscc_check.calc_check_digit(first17)


def wrong_check_digit(code: str) -> str:
    """The same code with another (wrong) check digit."""
    return code[:17] + ("1" if code[17] != "1" else "2")


@dataclass(frozen=True)
class Company:
    name: str
    uscc: str


APPLICANT = Company("北京星河智算科技有限公司", with_check_digit("91110108MA01XH3K2"))
SUPPLIER = Company("上海算力云服务有限公司", with_check_digit("91310115MA1HL7W2P"))
OTHER_APPLICANT = Company("北京云启智能科技有限公司", with_check_digit("91110105MA02BJ7R4"))
PARENT = Company("北京星河控股集团有限公司", with_check_digit("91110108MA00KG5T1"))
SHANGHAI_APPLICANT = Company("星河智算（上海）科技有限公司", with_check_digit("91310104MA1FR6H3X"))

CONTRACT_NO = "XH-SL-2024-018"
AMOUNT = Decimal("96000000.00")
UNIT_PRICE = Decimal("16.00")
APPLICATION_DATE = date(2025, 7, 15)
AS_OF = date(2025, 7, 16)
SERVICE_START, SERVICE_END = date(2024, 7, 1), date(2025, 6, 30)

CONTRACT = "算力服务合同.pdf"
SETTLEMENT_1, SETTLEMENT_2 = "结算单-2024H2.pdf", "结算单-2025H1.pdf"
INVOICE_1, INVOICE_2 = "发票-2024H2.pdf", "发票-2025H1.pdf"
PAYMENT_1, PAYMENT_2 = "付款回单-1.pdf", "付款回单-2.pdf"
CERTIFICATE = "算力供给企业证明.pdf"
USAGE = "算力使用情况说明.pdf"
COMMITMENT = "承诺书.pdf"
PLATFORM_LOG = "平台日志.pdf"
AGENT_FILING = "上线批号及日活证明.pdf"

SEAL = {"page": 1, "bbox": [400.0, 600.0, 480.0, 680.0]}


def party(company: Company, **extra: str) -> dict[str, Any]:
    return {"name": company.name, "uscc": company.uscc, **extra}


def month_end(year: int, month: int) -> date:
    nxt = date(year + month // 12, month % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)


def line(name: str, amount: Decimal | str, start: date, end: date) -> dict[str, Any]:
    return {"name": name, "amount": Decimal(amount), "period_start": start, "period_end": end}


def monthly_lines(first: tuple[int, int], amounts: Iterable[Decimal]) -> list[dict[str, Any]]:
    """One GPU compute line per month from ``first`` (year, month) on."""
    year, month = first
    out = []
    for amount in amounts:
        name = f"{year}年{month:02d}月 H800 GPU算力服务"
        out.append(line(name, amount, date(year, month, 1), month_end(year, month)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def invoice_figures(total: Decimal, rate: Decimal = Decimal("0.06")) -> dict[str, Any]:
    """Amount, tax and 大写 of a 价税合计 that add up: ex = total / (1 + rate)."""
    ex = round_fen(total / (1 + rate))
    return {"amount_ex_tax": ex, "tax_rate": rate, "tax_amount": total - ex, "total_amount": total,
            "total_in_words": amount_to_words(total)}


@dataclass
class DocSpec:
    """One document's raw values; ``build`` turns them into the model."""

    file: str
    doc_type: DocType
    fields: dict[str, Any] = field(default_factory=dict)
    seals: list[dict[str, Any]] = field(default_factory=lambda: [dict(SEAL)])
    source: str = "text"
    errors: list[str] = field(default_factory=list)
    missing: dict[str, Missing] = field(default_factory=dict)
    markings: list[Marking] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sha256: str | None = None
    qr: dict[str, Any] | None = None
    format: str | None = None
    grey_pages: list[int] = field(default_factory=list)
    red_mark_pages: list[int] = field(default_factory=list)
    pages: int | None = None
    typed_by: str | None = "wording"

    def digest(self, app_id: str) -> str:
        """The file's sha256: given, else made up from the application and the file name."""
        return self.sha256 or hashlib.sha256(f"{app_id}/{self.file}".encode()).hexdigest()

    def build(self, app_id: str) -> Document:
        sha = self.digest(app_id)
        fields = {
            name: {"value": value, "page": 1, "bbox": [72.0, 100.0 + 20 * i, 300.0, 116.0 + 20 * i],
                   "source": self.source, "confidence": 1.0 if self.source == "text" else 0.95,
                   "evidence": ["label", "type"]}  # as a page's reading gives them: by their label
            for i, (name, value) in enumerate(self.fields.items())
        }
        pages = self.pages or max([1, *self.grey_pages])
        return Document(file=self.file, sha256=sha, doc_type=self.doc_type, typed_by=self.typed_by,
                        pages=pages,
                        read_by=self.source if not self.errors else None, seals=self.seals,
                        errors=self.errors, fields=fields, missing=self.missing, markings=self.markings,
                        notes=self.notes, qr=self.qr, format=self.format,
                        grey_pages=self.grey_pages, red_mark_pages=self.red_mark_pages)


@dataclass
class App:
    """An application as raw values: the manifest and its documents."""

    app_id: str
    manifest: dict[str, Any]
    docs: list[DocSpec]
    as_of: date = AS_OF

    def doc(self, file: str) -> DocSpec:
        found = [d for d in self.docs if d.file == file]
        assert len(found) == 1, f"no single document {file}"
        return found[0]

    def sha(self, file: str) -> str:
        return self.doc(file).digest(self.app_id)

    def remove(self, file: str) -> DocSpec:
        spec = self.doc(file)
        self.docs.remove(spec)
        return spec

    def add(self, spec: DocSpec) -> DocSpec:
        self.docs.append(spec)
        return spec

    def copy_of(self, file: str, new_file: str) -> DocSpec:
        """Another upload of ``file``: same values, another name (and so another hash)."""
        spec = self.doc(file)
        return DocSpec(new_file, spec.doc_type, copy.deepcopy(spec.fields), copy.deepcopy(spec.seals),
                       spec.source)

    def set_party(self, company: Company, *, applicant: bool) -> None:
        """Put ``company`` everywhere the applicant (or the supplier) is named."""
        roles = ("party_a", "buyer", "payer", "customer", "company") if applicant else \
            ("party_b", "seller", "payee", "supplier")
        for spec in self.docs:
            for role in roles:
                if role in spec.fields:
                    spec.fields[role] = party(company)
        if applicant:
            self.manifest["applicant"] = party(company)
        else:
            for claim in self.manifest["contracts"]:
                claim["supplier"] = company.name

    def context(self) -> CheckContext:
        manifest = Manifest.model_validate(self.manifest)
        return CheckContext(app_id=self.app_id, manifest=manifest,
                            documents=[d.build(self.app_id) for d in self.docs],
                            rules=load_rules(), as_of=self.as_of)


def clean_app(app_id: str = "APP-2025-0001", *, applicant: Company = APPLICANT,
              supplier: Company = SUPPLIER, contract_no: str = CONTRACT_NO, amount: Decimal = AMOUNT,
              direction: Direction = Direction.MODEL_TRAINING, invoice_prefix: str = "2511200000000") -> App:
    """A clean application: every check passes. ``amount`` is the contract's, delivered in
    twelve equal months (2024-07 … 2025-06), settled and invoiced in two halves."""
    monthly = [round_fen(amount / 12)] * 11
    lines = monthly_lines((2024, 7), [*monthly, amount - sum(monthly)])
    halves = lines[:6], lines[6:]
    totals = [sum((x["amount"] for x in h), Decimal(0)) for h in halves]
    me, sup = party(applicant), party(supplier)

    contract = DocSpec(CONTRACT, DocType.CONTRACT, {
        "contract_no": contract_no, "party_a": me, "party_b": sup, "total_amount": amount,
        "unit_price": UNIT_PRICE, "quantity": amount / UNIT_PRICE, "unit": "卡时",
        "sign_date": date(2024, 6, 20), "service_start": SERVICE_START, "service_end": SERVICE_END,
        "other_subsidy_statement": True,
    })
    docs = [contract]
    invoice_dates = (date(2025, 1, 6), date(2025, 6, 30))
    payment_dates = (date(2025, 1, 15), date(2025, 7, 8))
    for i, (half, total) in enumerate(zip(halves, totals, strict=True)):
        start, end = half[0]["period_start"], half[-1]["period_end"]
        docs.append(DocSpec((SETTLEMENT_1, SETTLEMENT_2)[i], DocType.SETTLEMENT, {
            "statement_no": f"JS-{start:%Y%m}", "contract_no": contract_no, "customer": me, "supplier": sup,
            "period_start": start, "period_end": end, "quantity": total / UNIT_PRICE, "unit": "卡时",
            "total_amount": total, "items": half,
        }))
        figures = invoice_figures(total)
        item = {"name": f"*信息技术服务*智能算力服务费（{start:%Y.%m}-{end:%Y.%m}）",
                "amount": figures["amount_ex_tax"], "tax_rate": figures["tax_rate"],
                "tax_amount": figures["tax_amount"]}
        docs.append(DocSpec((INVOICE_1, INVOICE_2)[i], DocType.INVOICE, {
            "invoice_code": None, "invoice_no": f"{invoice_prefix}{i + 1:07d}",
            "issue_date": invoice_dates[i], "buyer": me, "seller": sup, **figures, "items": [item],
            "contract_no": contract_no,
        }, seals=[]))
        docs.append(DocSpec((PAYMENT_1, PAYMENT_2)[i], DocType.PAYMENT, {
            "payer": me, "payee": sup, "amount": total, "payment_date": payment_dates[i],
            "reference": f"算力服务费 {contract_no} 第{i + 1}期", "contract_no": contract_no,
        }, seals=[]))
    docs += [
        DocSpec(CERTIFICATE, DocType.SUPPLIER_CERTIFICATE, {
            "supplier": sup, "customer": me, "contract_no": contract_no, "compute_scale": "H800 GPU卡 684张",
            "lease_start": SERVICE_START, "lease_end": SERVICE_END,
        }),
        DocSpec(USAGE, DocType.USAGE_STATEMENT, {
            "company": me, "purpose": "用于自研大模型的预训练与微调", "direction_hint": direction,
        }, seals=[]),
        DocSpec(COMMITMENT, DocType.COMMITMENT, {
            "company": me, "signed": True, "sign_date": date(2025, 7, 10),
        }),
    ]
    manifest: dict[str, Any] = {
        "application_id": app_id, "applicant": me, "direction": direction,
        "application_date": APPLICATION_DATE,
        "contracts": [{"contract_no": contract_no, "supplier": supplier.name, "amount": amount,
                       "other_subsidies": Decimal(0)}],
    }
    if direction is Direction.MAAS:
        manifest["maas"] = {"daily_tokens": 1_200_000_000_000, "served_companies": 620}
        docs.append(DocSpec(PLATFORM_LOG, DocType.PLATFORM_LOG, {
            "company": me, "daily_tokens": 1_200_000_000_000, "served_companies": 620,
            "period_start": date(2025, 4, 1), "period_end": date(2025, 6, 30),
        }))
    elif direction is Direction.AGENT:
        manifest["agent"] = {"filing_no": "Beijing-XHZS-202501010001", "daily_active_users": 65_000}
        docs.append(DocSpec(AGENT_FILING, DocType.AGENT_FILING, {
            "company": me, "filing_no": "Beijing-XHZS-202501010001", "daily_active_users": 65_000,
        }))
    for spec in docs:  # no value shared between documents: a test may change one in place
        spec.fields = copy.deepcopy(spec.fields)
    return App(app_id, copy.deepcopy(manifest), docs)


def other_clean_app(app_id: str = "APP-2025-0002") -> App:
    """A second clean application with nothing in common with ``clean_app()`` but the supplier."""
    return clean_app(app_id, applicant=OTHER_APPLICANT, contract_no="YQ-SL-2024-007",
                     invoice_prefix="2511300000000")


def run(ctx: CheckContext) -> list[Finding]:
    """Every finding of the application; a check that raises fails the test (run_checks would
    only log it), and every finding carries the severity of its code."""
    for r in CHECKS:
        if not (r.needs_manifest and ctx.manifest is None):
            list(r(ctx))
    findings = run_checks(ctx, CHECKS)
    for f in findings:
        assert f.severity == ctx.rules.severity_of(f.code), f
    return findings


def codes(ctx: CheckContext) -> set[str]:
    return {f.code.value for f in run(ctx)}


def of_code(ctx: CheckContext, code: str) -> list[Finding]:
    return [f for f in run(ctx) if f.code == code]


SECOND_SUPPLIER = Company("天津智算中心有限公司", with_check_digit("91120116MA07TJ5N8"))
SECOND_CONTRACT_NO = "XH-TJ-2024-031"


def two_contract_app(amount: Decimal = Decimal("48000000.00")) -> App:
    """``clean_app()`` with two contracts of ``amount`` each, from two suppliers; the second
    contract's documents are named ``2-…`` and cite no contract number (they belong by supplier)."""
    app = clean_app(amount=amount)
    second = clean_app(supplier=SECOND_SUPPLIER, contract_no=SECOND_CONTRACT_NO, amount=amount,
                       invoice_prefix="2511200000009")
    kept = (DocType.CONTRACT, DocType.SETTLEMENT, DocType.INVOICE, DocType.PAYMENT,
            DocType.SUPPLIER_CERTIFICATE)
    for spec in second.docs:
        if spec.doc_type in kept:
            spec.file = f"2-{spec.file}"
            if spec.doc_type is not DocType.CONTRACT:
                spec.fields.pop("contract_no", None)
            app.add(spec)
    app.manifest["contracts"] += second.manifest["contracts"]
    return app
