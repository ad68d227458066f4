"""Application plans for the sample corpus: who applies, what they claim, which faults.

Each plan builds the documents of one application and its ground truth: the codes the
checks must raise, the codes they must not, and the eligible cost and subsidy of
POLICY.md §4, computed here independently of the pipeline.
"""

from __future__ import annotations

import calendar
import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import partial
from typing import Any

from model.base import FindingCode, round_fen
from sample_docs.gen.docs import (
    AgentFilingDoc,
    BrokenDoc,
    CertificateDoc,
    CommitmentDoc,
    ContractDoc,
    Doc,
    InvoiceDoc,
    InvoiceLine,
    Line,
    OtherDoc,
    PaymentDoc,
    PlatformLogDoc,
    SettlementDoc,
    StructuredDoc,
    Style,
    UsageDoc,
)
from sample_docs.gen.structured import qr_text
from sample_docs.gen.world import GPUS, Company, company

WINDOW_START = date(2024, 5, 21)
RATE = Decimal("0.20")
COMPANY_CAP = Decimal("30000000")
SHARE = Decimal("0.50")
TAX_RATE = Decimal("0.06")
FONTS = ("zenhei", "microhei", "uming", "ukai", "stsong")
SCAN_FONTS = ("zenhei", "microhei", "uming", "ukai")
ALL_CODES = [c.value for c in FindingCode]
INFO_CODES = {"SUBSIDY_CAPPED", "FILE_IRREGULAR"}
"""Information for the reviewer: an application with only these is still clean."""


@dataclass
class ContractPlan:
    doc: ContractDoc
    declared_amount: Decimal
    other_subsidies: Decimal
    settlements: list[SettlementDoc] = field(default_factory=list)
    invoices: list[InvoiceDoc] = field(default_factory=list)
    payments: list[PaymentDoc] = field(default_factory=list)
    certificate: CertificateDoc | None = None


@dataclass
class AppFile:
    name: str
    doc: Doc


@dataclass
class App:
    app_id: str
    direction: str
    applicant: Company
    app_date: date
    contracts: list[ContractPlan]
    files: list[AppFile]
    manifest: dict[str, Any] | str
    expected: set[str]
    tolerated: set[str]
    description: str
    zipped: bool = False
    expect_subsidy: bool = True
    shares_with: str | None = None
    verdict: str = "approve"
    """The recommendation a reviewer would give on what was planted (report.json's verdict)."""

    def truth(self) -> dict[str, Any]:
        from sample_docs.gen.docs import DOC_TYPE, truth_fields

        # a note on how a file was read (a slanted scan) is information, never forbidden
        tolerated = self.tolerated | ({"FILE_IRREGULAR"} - self.expected)
        forbidden = [c for c in ALL_CODES if c not in self.expected | tolerated]
        files = {}
        for f in self.files:
            entry: dict[str, Any] = {
                "doc_type": DOC_TYPE[type(f.doc)],
                "scan": f.doc.style.scan,
                "format": file_format(f.doc),
                "fields": truth_fields(f.doc),
            }
            if isinstance(f.doc, BrokenDoc):
                entry["unreadable"] = True
            files[f.name] = entry
        subsidy = compute_subsidy(self) if self.expect_subsidy else None
        return {
            "application_id": self.app_id,
            "description": self.description,
            "direction": self.direction,
            "application_date": self.app_date.isoformat(),
            "as_of": (self.app_date + timedelta(days=10)).isoformat(),
            "zipped": self.zipped,
            "clean": not ({c for c in self.expected if c not in INFO_CODES}),
            "expected_codes": sorted(self.expected),
            "tolerated_codes": sorted(tolerated),
            "forbidden_codes": forbidden,
            "verdict": self.verdict,
            # a clean application read partly by OCR may rightly ask for a look at an unsure field
            "verdicts_tolerated": ["approve_after_check"] if self.verdict == "approve" and any(
                f.doc.style.scan for f in self.files) else [],
            "files": files,
            "subsidy": subsidy,
        }


# --- calendar helpers ---------------------------------------------------------------------


def month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return d.replace(year=year, month=month, day=min(d.day, calendar.monthrange(year, month)[1]))


def months_between(start: date, end: date) -> list[tuple[date, date]]:
    """Calendar-month pieces of [start, end]."""
    out = []
    cur = start
    while cur <= end:
        piece_end = min(month_end(cur), end)
        out.append((cur, piece_end))
        cur = piece_end + timedelta(days=1)
    return out


def overlap_days(a0: date, a1: date, b0: date, b1: date) -> int:
    return max(0, (min(a1, b1) - max(a0, b0)).days + 1)


# --- the subsidy of POLICY.md §4, on the plan's own numbers -------------------------------


@dataclass
class _Row:
    plan: ContractPlan
    delivered: Fraction
    paid: Fraction
    non_compute: Fraction
    eligible: Fraction
    subsidy: Fraction
    share_cut: bool


def compute_subsidy(app: App) -> dict[str, Any]:
    w0, w1 = WINDOW_START, app.app_date
    rows: list[_Row] = []
    for plan in app.contracts:
        c = plan.doc
        svc0 = c.service_start or date.min
        svc1 = c.service_end or date.max
        delivered = Fraction(0)
        non_compute = Fraction(0)
        for st in plan.settlements:
            for li in st.lines:
                days = (li.end - li.start).days + 1
                inside = overlap_days(li.start, li.end, max(w0, svc0), min(w1, svc1))
                share = Fraction(inside, days) * Fraction(li.amount)
                if li.compute:
                    delivered += share
                else:
                    non_compute += share
        seen: set[tuple[str | None, str]] = set()
        paid = Fraction(0)
        if plan.invoices:
            for inv in plan.invoices:
                if (inv.code, inv.number) in seen:
                    continue
                seen.add((inv.code, inv.number))
                if w0 <= inv.issue_date <= w1:
                    paid += sum(Fraction(li.total) for li in inv.lines if li.compute)
        else:
            paid = sum((Fraction(p.amount) for p in plan.payments if w0 <= p.pay_date <= w1),
                       Fraction(0))
        eligible = min(Fraction(c.total), delivered, paid)
        sub = Fraction(RATE) * eligible
        room = max(Fraction(0), Fraction(SHARE) * eligible - Fraction(plan.other_subsidies))
        rows.append(_Row(plan, delivered, paid, non_compute, eligible, min(sub, room), sub > room))
    total = sum((r.subsidy for r in rows), Fraction(0))
    capped_by = "total_support_share" if any(r.share_cut for r in rows) else None
    if total > COMPANY_CAP:
        factor = Fraction(COMPANY_CAP) / total
        for r in rows:
            r.subsidy *= factor
        total = Fraction(COMPANY_CAP)
        capped_by = "company_cap"

    def fen(x: Fraction) -> str:
        return f"{round_fen(Decimal(x.numerator) / Decimal(x.denominator)):.2f}"

    return {
        "rate": f"{RATE:.2f}",
        "eligible_cost": fen(sum((r.eligible for r in rows), Fraction(0))),
        "subsidy": fen(total),
        "capped_by": capped_by,
        "per_contract": [
            {
                "contract_no": r.plan.doc.no,
                "contract_amount": fen(Fraction(r.plan.doc.total)),
                "delivered_in_window": fen(r.delivered),
                "paid_in_window": fen(r.paid),
                "non_compute_excluded": fen(r.non_compute),
                "eligible_cost": fen(r.eligible),
                "other_subsidies": fen(Fraction(r.plan.other_subsidies)),
                "subsidy": fen(r.subsidy),
            }
            for r in rows
        ],
    }


# --- building blocks ----------------------------------------------------------------------


class Builder:
    """Makes the documents of one application from a few choices, with seeded variety."""

    def __init__(self, rng: random.Random, used: set[str], scan_share: float) -> None:
        self.rng = rng
        self.used = used
        self.scan_share = scan_share
        self.numbers: set[str] = set()

    # styles -------------------------------------------------------------------------
    def style(self, kind: str, scan: str | bool | None = None) -> Style:
        rng = self.rng
        share = self.scan_share * (0.45 if kind == "contract" else 1.0)
        if scan is None:
            scan = rng.random() < share
        if scan is True:
            if kind == "contract":
                mode = rng.choice(["pdf", "pdf", "mixed"])
            else:
                mode = rng.choice(["pdf", "jpg", "jpg", "jpg", "png"]) if kind != "invoice" else \
                    rng.choice(["pdf", "jpg"])
        else:
            mode = None
        font = rng.choice(SCAN_FONTS if mode else FONTS)
        template = rng.choice("AB")
        date_style = rng.choice(["cn", "cn0", "iso", "upper", "cn", "slash", "dot"])
        if kind in ("invoice", "payment"):
            date_style = rng.choice(["cn0", "cn0", "iso"])
        dpi = rng.choice([150, 200, 200, 250, 300]) if mode else 200
        if mode in ("png", "tif"):
            dpi = 150
        return Style(font=font, template=template, date_style=date_style, scan=mode, dpi=dpi)

    def unique(self, make: Callable[[], str]) -> str:
        while True:
            value = make()
            if value not in self.numbers:
                self.numbers.add(value)
                return value

    def digits(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789") for _ in range(n))

    # parties ------------------------------------------------------------------------
    def applicant(self, beijing: bool = True) -> Company:
        return company(self.rng, beijing=beijing, supplier=False, used=self.used)

    def supplier(self, valid_uscc: bool = True) -> Company:
        return company(self.rng, beijing=self.rng.random() < 0.3, supplier=True,
                       used=self.used, valid_uscc=valid_uscc)

    # contracts ----------------------------------------------------------------------
    def contract(self, a: Company, b: Company, *, start: date, months: int, target: Decimal,
                 unit: str | None = None, price: Decimal | None = None,
                 stated_other: Decimal = Decimal(0), scan: str | bool | None = None,
                 no_period: bool = False, sealed: bool = True) -> ContractDoc:
        rng = self.rng
        gpu, _ = rng.choice(GPUS)
        unit = unit or rng.choice(["卡时", "卡时", "卡·月", "PFLOPS·月"])
        end = add_months(start, months) - timedelta(days=1)
        if unit == "卡时":
            price = price or Decimal(rng.choice(range(950, 1800, 25))) / 100
            hours = sum((e - s).days + 1 for s, e in months_between(start, end)) * 24
            cards = max(8, int(target / (price * hours)) // 8 * 8)
            quantity = Decimal(cards * hours)
        elif unit == "卡·月":
            price = price or Decimal(rng.choice(range(6500, 13000, 50)))
            cards = max(8, int(target / (price * months)) // 8 * 8)
            quantity = Decimal(cards * months)
        else:
            price = price or Decimal(rng.choice(range(28000, 52000, 500)))
            pflops = max(10, int(target / (price * months)) // 10 * 10)
            cards = pflops * 2
            quantity = Decimal(pflops * months)
        total = price * quantity
        if stated_other:
            statement = (f"{{a}}已就本合同向所在区申请区级算力补贴{stated_other / 10000:.2f}万元"
                         "（已申请、尚未拨付），除此之外未申请国家、市级其他算力补贴。")
        else:
            statement = rng.choice([
                "{a}确认，截至本合同签订之日，未就本合同项下算力服务申请国家、市、区级相关算力补贴。",
                "关于算力补贴的情况说明：本合同未申请国家、市、区级任何算力补贴（含已申请未发放）。",
            ])
        a_label, b_label = rng.choice([("甲方", "乙方"), ("委托方", "服务方"), ("甲方", "乙方")])
        no = self.unique(lambda: rng.choice(["XH", "SL", "ZS", "HT", "JS"]) + "-"
                         + rng.choice(["SL", "ZS", "GPU", "AI"]) + "-2024-" + self.digits(3))
        return ContractDoc(
            no=no, a=a, b=b, a_label=a_label, b_label=b_label,
            sign_date=start - timedelta(days=rng.randint(3, 20)),
            service_start=None if no_period else start, service_end=None if no_period else end,
            unit=unit, unit_price=price, quantity=quantity, total=total, gpu=gpu, cards=cards,
            subsidy_statement=statement,
            money_style="wan" if total % 10000 == 0 and rng.random() < 0.5 else "yen",
            style=self.style("contract", scan), sealed=sealed,
        )

    def month_lines(self, c: ContractDoc, start: date, end: date) -> list[Line]:
        lines = []
        for s, e in months_between(start, end):
            days = (e - s).days + 1
            if c.unit == "卡时":
                qty = Decimal(c.cards * 24 * days)
            elif c.unit == "卡·月":
                qty = Decimal(c.cards)
            else:
                qty = Decimal(c.cards // 2)
            label = f"{s.year}年{s.month:02d}月 {c.gpu} GPU算力服务"
            lines.append(Line(label, s, e, qty, c.unit, c.unit_price, qty * c.unit_price))
        return lines

    def bill(self, plan: ContractPlan, applicant: Company, groups: list[tuple[date, date]], *,
             invoices: bool = True, payments: bool = False, invoice_kind: str | None = None,
             extra_lines: dict[int, list[Line]] | None = None) -> None:
        """Settlement statements for each period, with an invoice and/or payment each."""
        rng = self.rng
        c = plan.doc
        kind = invoice_kind or rng.choice(["digital", "digital", "vat_special"])
        for index, (g0, g1) in enumerate(groups):
            lines = self.month_lines(c, g0, g1) + (extra_lines or {}).get(index, [])
            issue = g1 + timedelta(days=rng.randint(2, 8))
            st_no = self.unique(partial(self.statement_no, f"{g1:%Y%m}"))
            plan.settlements.append(SettlementDoc(
                no=st_no, contract_no=c.no, customer=applicant, supplier=c.b,
                period_start=g0, period_end=g1, issue_date=issue, lines=lines,
                style=self.style("settlement")))
            inv_date = issue + timedelta(days=rng.randint(0, 6))
            if invoices:
                plan.invoices.append(self.invoice(c, applicant, lines, inv_date, kind))
            if payments or not invoices:
                total = sum((li.amount for li in lines), Decimal(0))
                plan.payments.append(self.payment(c, applicant, total,
                                                  inv_date + timedelta(days=rng.randint(3, 15))))

    def statement_no(self, month: str) -> str:
        return self.rng.choice(["JS", "ST", "BILL"]) + month + self.digits(4)

    def invoice(self, c: ContractDoc, buyer: Company, lines: list[Line], issue: date,
                kind: str) -> InvoiceDoc:
        rng = self.rng
        per_month = rng.random() < 0.5 or any(not li.compute for li in lines)
        inv_lines: list[InvoiceLine] = []
        if per_month:
            for li in lines:
                inv_lines.append(self.invoice_line(li.amount, "*信息技术服务*" + (
                    "GPU算力服务费" if li.compute else li.name), li.compute,
                    li.quantity if li.compute else None, li.unit if li.compute else None))
        else:
            total = sum((li.amount for li in lines), Decimal(0))
            span = f"{lines[0].start:%Y.%m}-{lines[-1].end:%Y.%m}"
            inv_lines.append(self.invoice_line(total, f"*信息技术服务*智能算力服务费（{span}）", True))
        if kind == "digital":
            code, number = None, self.unique(lambda: f"{issue:%y}11" + self.digits(16))
        else:
            code = self.unique(lambda: "0110" + rng.choice(["0", "2"]) + self.digits(7))
            number = self.unique(lambda: self.digits(8))
        return InvoiceDoc(
            kind=kind, code=code, number=number, issue_date=issue, buyer=buyer, seller=c.b,
            lines=inv_lines, rate=TAX_RATE, contract_no=c.no, style=self.style("invoice"),
            check_code=" ".join(self.digits(5) for _ in range(4)),
            yuan="圆" if kind != "digital" else "元",
        )

    def invoice_line(self, total: Decimal, name: str, compute: bool,
                     quantity: Decimal | None = None, unit: str | None = None) -> InvoiceLine:
        ex = round_fen(total / (1 + TAX_RATE))
        price = round_fen(ex / quantity) if quantity else None
        return InvoiceLine(name=name, amount_ex=ex, tax=total - ex, quantity=quantity, unit=unit,
                           unit_price=price, compute=compute)

    def payment(self, c: ContractDoc, payer: Company, amount: Decimal, when: date) -> PaymentDoc:
        rng = self.rng
        bank = payer.bank.split("银行")[0] + "银行"
        purpose = rng.choice([f"支付{c.no}合同算力服务费", f"算力服务费 合同号{c.no}",
                              f"{c.no} 智算资源租赁款"])
        return PaymentDoc(
            bank=bank, payer=payer, payee=c.b, amount=amount, pay_date=when,
            reference=self.unique(lambda: rng.choice(["", "HQ", "E"]) + self.digits(16)),
            contract_no=c.no, purpose=purpose, style=self.style("payment"))

    def certificate(self, c: ContractDoc, customer: Company, issued: date) -> CertificateDoc:
        scale = self.rng.choice([
            f"{c.cards}张{c.gpu} GPU", f"{c.gpu} GPU卡{c.cards}张", f"{c.cards // 8}台{c.gpu}八卡服务器",
        ])
        return CertificateDoc(
            supplier=c.b, customer=customer, contract_no=c.no, compute_scale=scale,
            lease_start=c.service_start or c.sign_date, lease_end=c.service_end
            or add_months(c.sign_date, 12), issue_date=issued, gpu=c.gpu,
            style=self.style("certificate"))

    def usage(self, company_: Company, direction: str, issued: date,
              marking: str | None = None) -> UsageDoc:
        rng = self.rng
        model = rng.choice(["灵犀", "九章", "天工", "星河", "墨池"]) + rng.choice(["大模型", "-70B", "基座模型"])
        if direction == "model_training":
            purpose = rng.choice([f"用于{model}的预训练与指令微调", f"开展{model}千亿参数大模型训练"])
            scene = "面向金融、政务等行业的知识问答与文本生成"
        elif direction == "maas":
            purpose = rng.choice(["支撑MaaS平台的模型推理与调优服务", "为MaaS平台提供模型精调与推理部署算力"])
            scene = "为中小企业提供模型即服务，覆盖预训练、二次调优到部署的全生命周期"
        else:
            purpose = rng.choice(["用于通用智能体的研发与在线推理服务", "支撑通用智能体产品的训练与运营"])
            scene = "面向办公、客服、研发等场景的通用智能体"
        return UsageDoc(company=company_, purpose=purpose, direction=direction, scene=scene,
                        issue_date=issued, style=self.style("usage"), marking=marking)

    def commitment(self, company_: Company, when: date | None, signed: bool = True,
                   sealed: bool = True) -> CommitmentDoc:
        return CommitmentDoc(company=company_, signer=company_.legal_rep if signed else None,
                             sign_date=when, style=self.style("commitment"), sealed=sealed,
                             with_uscc=self.rng.random() < 0.5)

    def platform_log(self, company_: Company, start: date, end: date, tokens: int,
                     served: int, issued: date) -> PlatformLogDoc:
        rng = self.rng
        monthly = []
        for s, _e in months_between(start, end):
            monthly.append((f"{s.year}-{s.month:02d}", int(tokens * rng.uniform(0.85, 1.15)),
                            served - rng.randint(0, 60)))
        return PlatformLogDoc(
            company=company_, platform=rng.choice(["星图MaaS平台", "灵犀模型服务平台", "九章智算开放平台"]),
            daily_tokens=tokens, served_companies=served, period_start=start, period_end=end,
            monthly=monthly, issue_date=issued, style=self.style("log"))

    def agent_filing(self, company_: Company, filing_no: str, dau: int, issued: date) -> AgentFilingDoc:
        return AgentFilingDoc(
            company=company_, product=self.rng.choice(["小灵助手", "智办通用智能体", "问界Agent"]),
            filing_no=filing_no, daily_active_users=dau, stat_start=issued - timedelta(days=90),
            stat_end=issued - timedelta(days=1), issue_date=issued, style=self.style("filing"))


def half_years(start: date, end: date, size: int) -> list[tuple[date, date]]:
    """Billing periods of ``size`` months from ``start`` up to ``end``."""
    groups = []
    cur = start
    while cur <= end:
        g1 = min(month_end(add_months(cur, size - 1)), end)
        groups.append((cur, g1))
        cur = g1 + timedelta(days=1)
    return groups


# --- the plans ----------------------------------------------------------------------------

@dataclass
class Ctx:
    b: Builder
    app_id: str
    direction: str
    applicant: Company
    app_date: date
    expected: set[str] = field(default_factory=set)
    tolerated: set[str] = field(default_factory=set)
    contracts: list[ContractPlan] = field(default_factory=list)
    extra_files: list[Doc] = field(default_factory=list)
    maas: dict[str, Any] | None = None
    agent: dict[str, Any] | None = None
    verdict: str = "approve"


def standard_contract(ctx: Ctx, *, target: Decimal, start: date | None = None, months: int = 12,
                      size: int | None = None, invoices: bool = True, payments: bool | None = None,
                      supplier: Company | None = None, other: Decimal = Decimal(0),
                      deliver_until: date | None = None, invoice_kind: str | None = None,
                      **contract_kw: Any) -> ContractPlan:
    """A contract, billed in periods of ``size`` months up to the last full month before
    the application, with settlement statements, invoices and (sometimes) payments."""
    b = ctx.b
    rng = b.rng
    start = start or date(2024, rng.choice([6, 7, 8]), 1)
    c = b.contract(ctx.applicant, supplier or b.supplier(), start=start, months=months,
                   target=target, stated_other=other, **contract_kw)
    plan = ContractPlan(doc=c, declared_amount=c.total, other_subsidies=other)
    last = deliver_until or min(
        c.service_end or add_months(start, months) - timedelta(days=1),
        month_end(add_months(ctx.app_date, -2)))
    groups = half_years(start, last, size or rng.choice([6, 6, 12]))
    plan_payments = rng.random() < 0.5 if payments is None else payments
    b.bill(plan, ctx.applicant, groups, invoices=invoices, payments=plan_payments, invoice_kind=invoice_kind)
    plan.certificate = b.certificate(c, ctx.applicant, ctx.app_date - timedelta(days=rng.randint(5, 25)))
    ctx.contracts.append(plan)
    return plan


def finish(ctx: Ctx, description: str, *, certificate: bool = True, commitment: CommitmentDoc | None
           = None, usage_marking: str | None = None) -> App:
    b = ctx.b
    rng = b.rng
    docs: list[Doc] = []
    for plan in ctx.contracts:
        docs.append(plan.doc)
        docs.extend(plan.settlements)
        docs.extend(plan.invoices)
        docs.extend(plan.payments)
        if certificate and plan.certificate:
            docs.append(plan.certificate)
    docs.append(b.usage(ctx.applicant, ctx.direction, ctx.app_date - timedelta(days=rng.randint(3, 12)),
                        usage_marking))
    docs.append(commitment or b.commitment(ctx.applicant, ctx.app_date - timedelta(days=rng.randint(1, 6))))
    docs.extend(ctx.extra_files)
    files = name_files(rng, docs)
    manifest: dict[str, Any] = {
        "application_id": ctx.app_id,
        "applicant": {"name": ctx.applicant.name, "uscc": ctx.applicant.uscc},
        "direction": ctx.direction,
        "application_date": ctx.app_date,
        "contracts": [
            {"contract_no": p.doc.no, "supplier": p.doc.b.name, "amount": p.declared_amount,
             "other_subsidies": p.other_subsidies}
            for p in ctx.contracts
        ],
    }
    if ctx.maas:
        manifest["maas"] = ctx.maas
    if ctx.agent:
        manifest["agent"] = ctx.agent
    return App(app_id=ctx.app_id, direction=ctx.direction, applicant=ctx.applicant,
               app_date=ctx.app_date, contracts=ctx.contracts, files=files, manifest=manifest,
               expected=ctx.expected, tolerated=ctx.tolerated, description=description, verdict=ctx.verdict)


NAMES = {
    ContractDoc: ["算力服务合同", "智能算力服务合同（盖章版）", "GPU算力租赁合同", "合同扫描件", "智算资源采购合同"],
    InvoiceDoc: ["发票", "增值税发票", "电子发票", "算力服务费发票", "fapiao"],
    SettlementDoc: ["结算单", "算力结算单", "对账确认单", "结算确认单", "账单"],
    PaymentDoc: ["付款回单", "银行回单", "电子回单", "转账凭证", "付款凭证"],
    CertificateDoc: ["供应商证明", "算力供给企业证明", "情况说明（供方）", "资质证明"],
    UsageDoc: ["算力使用情况说明", "使用说明", "应用场景说明"],
    CommitmentDoc: ["承诺书", "高精尖资金承诺书", "附件3-1 承诺书"],
    PlatformLogDoc: ["平台日志", "MaaS平台运营数据", "平台调用量证明"],
    AgentFilingDoc: ["上线批号及日活证明", "备案证明", "智能体日活证明"],
    OtherDoc: ["公司简介", "补充说明", "其他材料"],
    BrokenDoc: ["补充材料", "附件", "扫描件"],
    StructuredDoc: ["发票", "电子发票", "dzfp", "全电发票"],
}


def file_format(doc: Doc) -> str:
    """The real format of a document's upload: pdf, jpg, png, tif, ofd or xml (a broken
    file's bytes are whatever they are: unknown)."""
    if isinstance(doc, StructuredDoc):
        return doc.fmt
    if isinstance(doc, BrokenDoc):
        return "unknown"
    return doc.style.scan if doc.style.scan in ("jpg", "png", "tif") else "pdf"


def name_files(rng: random.Random, docs: list[Doc]) -> list[AppFile]:
    """Upload names as applicants give them: Chinese, with spaces, numbered, or camera names."""
    files: list[AppFile] = []
    used: set[str] = set()
    for i, doc in enumerate(docs, 1):
        st = doc.style
        ext = {None: ".pdf", "pdf": ".pdf", "mixed": ".pdf", "jpg": ".jpg", "png": ".png",
               "tif": ".tif"}[st.scan]
        if isinstance(doc, BrokenDoc):
            ext = ".pdf"
        if isinstance(doc, StructuredDoc):
            ext = "." + doc.fmt
        if st.extension:
            ext = st.extension
        if st.scan in ("jpg", "png") and rng.random() < 0.3:
            stem = f"IMG_2025{rng.randint(1, 7):02d}{rng.randint(1, 28):02d}_{rng.randint(80000, 199999)}"
        else:
            stem = rng.choice(NAMES[type(doc)])
            stem = rng.choice([stem, f"{i:02d} {stem}", f"{stem}-{i}", f"{stem} ({i})"])
        name = stem + ext
        while name in used:
            name = f"{stem}_{rng.randint(2, 99)}{ext}"
        used.add(name)
        files.append(AppFile(name, doc))
    return files


def structured_copies(ctx: Ctx, plan: ContractPlan, carriers: list[str], quirks: tuple[str, ...] = ()) -> None:
    """Some of a contract's invoices uploaded again as the tax platform delivers them: an OFD
    carrying its data each way of ``carriers`` in turn, and a 数电 invoice also as XML."""
    for invoice, carrier in zip(plan.invoices, carriers, strict=False):
        ctx.extra_files.append(StructuredDoc(invoice, "ofd", carrier, quirks))
    digital = [i for i in plan.invoices if i.kind == "digital"]
    if digital:
        ctx.extra_files.append(StructuredDoc(digital[-1], "xml"))


def plan_clean_training(ctx: Ctx) -> App:
    plan = standard_contract(ctx, target=Decimal(rng_amount(ctx, 90, 130)))
    structured_copies(ctx, plan, ["custom", "tags"])
    return finish(ctx, "clean: model training, one contract; two invoices also as OFD, one as XML")


def plan_clean_maas(ctx: Ctx) -> App:
    rng = ctx.b.rng
    plan = standard_contract(ctx, target=Decimal(rng_amount(ctx, 85, 120)))
    tokens = rng.randint(11, 19) * 10**11 + rng.randint(0, 10**9)
    served = rng.randint(560, 900)
    ctx.maas = {"daily_tokens": tokens, "served_companies": served}
    ctx.extra_files.append(ctx.b.platform_log(ctx.applicant, date(2024, 9, 1), month_end(
        add_months(ctx.app_date, -1)), tokens, served, ctx.app_date - timedelta(days=7)))
    structured_copies(ctx, plan, ["attachment"], ("bom", "absolute", "upper", "empty_prefix", "spaced_check"))
    return finish(ctx, "clean: MaaS platform with platform log; an invoice also as OFD")


def plan_clean_agent(ctx: Ctx) -> App:
    rng = ctx.b.rng
    standard_contract(ctx, target=Decimal(rng_amount(ctx, 24, 40)), invoices=False)
    filing = f"Beijing-{rng.choice(['ZhiBan', 'LingXi', 'WenJie'])}-2025{rng.randint(1, 3):02d}" \
             f"{rng.randint(10, 28):02d}{rng.randint(1, 9999):04d}"
    dau = rng.randint(55, 120) * 1000 + rng.randint(0, 999)
    ctx.agent = {"filing_no": filing, "daily_active_users": dau}
    ctx.extra_files.append(ctx.b.agent_filing(ctx.applicant, filing, dau,
                                              ctx.app_date - timedelta(days=9)))
    return finish(ctx, "clean: agent, paid by bank transfers only (no invoices)")


def plan_clean_two_suppliers_scans(ctx: Ctx) -> App:
    b = ctx.b
    b.scan_share = 0.75
    standard_contract(ctx, target=Decimal(rng_amount(ctx, 50, 60)))
    standard_contract(ctx, target=Decimal(rng_amount(ctx, 40, 50)), start=date(2024, 9, 1))
    app = finish(ctx, "clean: two suppliers, mostly scans, an image whose name lies")
    for f in app.files:
        if f.doc.style.scan == "jpg":
            f.doc.style.extension = ".png"
            f.name = f.name.rsplit(".", 1)[0] + ".png"
            app.expected.add("FILE_IRREGULAR")  # read as the JPEG it is, and said so
            break
    for f in app.files:
        if f.doc.style.scan in ("jpg", "png") and not f.doc.style.extension:
            f.doc.style.scan = "tif"
            f.name = f.name.rsplit(".", 1)[0] + ".tif"
            break
    return app


def plan_company_cap(ctx: Ctx) -> App:
    b = ctx.b
    s1 = b.supplier()
    standard_contract(ctx, target=Decimal(rng_amount(ctx, 90, 100)), supplier=s1,
                      start=date(2024, 6, 1), size=6)
    standard_contract(ctx, target=Decimal(rng_amount(ctx, 70, 80)), start=date(2024, 6, 1), size=6)
    standard_contract(ctx, target=Decimal(rng_amount(ctx, 60, 70)), supplier=s1,
                      start=date(2024, 7, 1), size=6)
    ctx.expected |= {"SUBSIDY_CAPPED"}
    structured_copies(ctx, ctx.contracts[0], [])
    return finish(ctx, "three contracts whose subsidy is over the company cap; an invoice also as XML")


def plan_share_rule(ctx: Ctx) -> App:
    rng = ctx.b.rng
    ctx.applicant = company(rng, beijing=False, supplier=False, used=ctx.b.used)
    target = Decimal(rng_amount(ctx, 85, 100))
    plan = standard_contract(ctx, target=target, start=date(2024, 6, 1), months=12,
                             other=Decimal(0))
    other = round_fen(plan.doc.total * Decimal("0.35") / 10000) * 10000
    plan.other_subsidies = other
    plan.doc.subsidy_statement = (f"{{a}}已就本合同向所在区申请区级算力补贴{other / 10000:.2f}万元"
                                  "（已申请、尚未拨付），除此之外未申请国家、市级其他算力补贴。")
    tokens = rng.randint(11, 19) * 10**11
    served = rng.randint(520, 700)
    ctx.maas = {"daily_tokens": tokens, "served_companies": served}
    ctx.extra_files.append(ctx.b.platform_log(ctx.applicant, date(2024, 10, 1), month_end(
        add_months(ctx.app_date, -1)), tokens, served, ctx.app_date - timedelta(days=5)))
    ctx.verdict = "resubmit"
    ctx.expected |= {"APPLICANT_NOT_BEIJING", "SUBSIDY_CAPPED"}
    app = finish(ctx, "applicant registered outside Beijing; other subsidies hit the 50% rule; zip")
    app.zipped = True
    return app


def plan_window_start(ctx: Ctx, app: list[App] | None = None) -> App:
    standard_contract(ctx, target=Decimal(rng_amount(ctx, 90, 110)), start=date(2024, 3, 18),
                      months=12, unit="卡时", size=3, payments=False)
    ctx.verdict = "approve_after_check"
    ctx.expected |= {"DATE_OUT_OF_WINDOW"}
    ctx.tolerated |= {"UNDELIVERED"}
    return finish(ctx, "service began before 2024-05-21: early delivery left out, May pro rata")


def plan_invoice_faults(ctx: Ctx) -> App:
    b = ctx.b
    rng = b.rng
    c = b.contract(ctx.applicant, b.supplier(), start=date(2024, 7, 1), months=12,
                   target=Decimal(rng_amount(ctx, 90, 110)))
    plan = ContractPlan(doc=c, declared_amount=c.total, other_subsidies=Decimal(0))
    groups = half_years(c.service_start or c.sign_date, month_end(add_months(ctx.app_date, -2)), 4)
    g1 = groups[0][1]
    amount = Decimal(rng.randint(30, 90) * 1000)
    storage = Line("对象存储服务（并行文件存储）", g1.replace(day=1), g1, Decimal(500), "TB·月",
                   amount / 500, amount, compute=False)
    b.bill(plan, ctx.applicant, groups, invoices=True, invoice_kind="vat_special",
           extra_lines={0: [storage]})
    first, second, last = plan.invoices[0], plan.invoices[1], plan.invoices[-1]
    wrong = first.total + Decimal(rng.choice([9000, 90000, 1000000]))
    from sample_docs.gen.words import fmt_words
    first.printed_words = fmt_words(wrong, yuan=first.yuan)
    second.printed_tax = second.tax + Decimal(rng.choice(["1200.00", "35000.00", "0.90"]))
    # its OFD says another date than the PDF's text layer prints
    printed = next((i for i in plan.invoices if i.style.scan is None), first)
    printed.style = replace(printed.style, scan=None)
    ctx.extra_files.append(StructuredDoc(replace(printed, issue_date=printed.issue_date + timedelta(days=1)),
                                         "ofd", "attachment"))
    plan.certificate = b.certificate(c, ctx.applicant, ctx.app_date - timedelta(days=9))
    altered = round_fen(last.amount_ex * Decimal("0.9"))  # (no draw on the rng: the names stay as they were)
    last.qr_text = qr_text(last).replace(f",{last.amount_ex:.2f},", f",{altered:.2f},")
    ctx.contracts.append(plan)
    ctx.verdict = "reject"  # a PDF unlike its own OFD: altered (and so is a QR code unlike a text layer)
    ctx.expected |= {"AMOUNT_WORDS_MISMATCH", "TAX_ARITHMETIC", "NON_COMPUTE_ITEM", "QR_MISMATCH",
                     "FORMAT_MISMATCH"}
    return finish(ctx, "older VAT invoices: 大写 disagrees, tax arithmetic off, a storage line, a QR code "
                  "unlike the print, an OFD of one of them with another date")


def plan_party_duplicate(ctx: Ctx) -> App:
    b = ctx.b
    plan = standard_contract(ctx, target=Decimal(rng_amount(ctx, 90, 110)), payments=True, size=6)
    parent = ctx.applicant.name.replace("有限公司", "集团有限公司").replace("股份", "")
    plan.payments[0].payer_name = parent
    dup = plan.invoices[-1]
    copy = InvoiceDoc(**{**dup.__dict__, "style": b.style("invoice", scan=True)})
    ctx.extra_files.append(copy)
    ctx.verdict = "resubmit"
    ctx.expected |= {"PARTY_MISMATCH", "DUPLICATE_DOCUMENT"}
    return finish(ctx, "the parent company paid; the same invoice uploaded twice (once as a scan)")


def plan_related_bad_uscc(ctx: Ctx) -> App:
    b = ctx.b
    sup = b.supplier(valid_uscc=False)
    sup = Company(name=sup.name, uscc=sup.uscc, legal_rep=ctx.applicant.legal_rep,
                  address=ctx.applicant.address, bank=sup.bank, account=sup.account,
                  phone=sup.phone)
    standard_contract(ctx, target=Decimal(rng_amount(ctx, 90, 110)), supplier=sup)
    ctx.verdict = "reject"
    ctx.expected |= {"RELATED_PARTY", "USCC_INVALID"}
    return finish(ctx, "supplier shares legal representative and address; its USCC is invalid")


def plan_amounts_unreadable(ctx: Ctx) -> App:
    b = ctx.b
    plan = standard_contract(ctx, target=Decimal(96_000_000), unit="卡·月", months=12,
                             start=date(2024, 10, 1), price=Decimal(8000), scan=False, size=4)
    c = plan.doc
    c.unit_price = Decimal(8200)
    plan.declared_amount = c.unit_price * c.quantity
    ctx.extra_files.append(BrokenDoc(payload=b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog"))
    ctx.extra_files.append(OtherDoc(
        company=ctx.applicant, title="公司简介",
        paragraphs=[f"{ctx.applicant.name}成立于2019年，注册地址位于{ctx.applicant.address}。",
                    "公司专注于人工智能基础软件与行业应用，现有员工二百余人，其中研发人员占比超过70%。",
                    "公司先后获得国家高新技术企业、北京市专精特新中小企业等资质。"],
        style=b.style("other")))
    ctx.verdict = "resubmit"
    # the contract's total fails its own price × quantity: the declared amount is compared with
    # a figure in doubt, so the difference is asked about (FIELD_MISSING), not alleged
    ctx.expected |= {"FIELD_MISSING", "PRICE_ARITHMETIC", "DOC_UNREADABLE", "DOC_UNCLASSIFIED"}
    return finish(ctx, "declared ≠ contract; price × quantity ≠ total; a broken file; a stray file")


def plan_period_market(ctx: Ctx) -> App:
    b = ctx.b
    rng = b.rng
    start = date(2024, 6, 1)
    c = b.contract(ctx.applicant, b.supplier(), start=start, months=9, unit="卡时",
                   price=Decimal(rng.choice(["45.00", "48.50", "52.00"])),
                   target=Decimal(rng_amount(ctx, 90, 110)), scan=False)
    plan = ContractPlan(doc=c, declared_amount=c.total, other_subsidies=Decimal(0))
    assert c.service_end is not None
    after_end = (c.service_end + timedelta(days=1), month_end(c.service_end + timedelta(days=40)))
    groups = [*half_years(start, c.service_end, 3), after_end]
    b.bill(plan, ctx.applicant, groups, invoices=True)
    plan.certificate = b.certificate(c, ctx.applicant, ctx.app_date - timedelta(days=12))
    ctx.contracts.append(plan)
    ctx.verdict = "resubmit"
    ctx.expected |= {"CONTRACT_PERIOD", "AMOUNT_MISMATCH", "PRICE_OUT_OF_MARKET"}
    return finish(ctx, "billed after the contract ended, over its total; unit price above market")


def plan_materials(ctx: Ctx) -> App:
    b = ctx.b
    standard_contract(ctx, target=Decimal(rng_amount(ctx, 90, 110)), sealed=False, scan=False)
    commitment = b.commitment(ctx.applicant, None, signed=False)
    ctx.verdict = "reject"
    ctx.expected |= {"MATERIAL_MISSING", "SEAL_MISSING", "COMMITMENT_INCOMPLETE",
                     "CLASSIFIED_MARKING"}
    ctx.tolerated |= {"FIELD_MISSING"}
    return finish(ctx, "no supplier letter; contract unsealed; commitment unsigned and undated; "
                  "usage statement marked 机密", certificate=False, commitment=commitment,
                  usage_marking="机密★1年")


def plan_agent_threshold(ctx: Ctx) -> App:
    rng = ctx.b.rng
    standard_contract(ctx, target=Decimal(rng_amount(ctx, 12, 17)), no_period=True, scan=False)
    filing = f"Beijing-ZhiXing-2025{rng.randint(1, 3):02d}{rng.randint(10, 28):02d}{rng.randint(1, 9999):04d}"
    ctx.agent = {"filing_no": filing, "daily_active_users": 65000 + rng.randint(0, 999)}
    ctx.extra_files.append(ctx.b.agent_filing(ctx.applicant, filing, 42000 + rng.randint(0, 999),
                                              ctx.app_date - timedelta(days=6)))
    ctx.verdict = "reject"
    ctx.expected |= {"THRESHOLD_NOT_MET", "DIRECTION_REQUIREMENT", "FIELD_MISSING"}
    ctx.tolerated |= {"CONTRACT_PERIOD"}
    return finish(ctx, "agent under the 20M minimum; DAU proof below and unlike the declaration; "
                  "contract states no service period")


def plan_maas_undelivered(ctx: Ctx) -> App:
    b = ctx.b
    rng = b.rng
    plan = standard_contract(ctx, target=Decimal(rng_amount(ctx, 90, 110)), start=date(2024, 8, 1),
                             months=18, size=6, payments=False)
    c = plan.doc
    last = plan.settlements[-1]
    ahead = add_months(last.period_end.replace(day=1), 1)
    lines = b.month_lines(c, ahead, month_end(add_months(ahead, 2)))
    plan.invoices.append(b.invoice(c, ctx.applicant, lines, ctx.app_date - timedelta(days=20),
                                   plan.invoices[0].kind))
    tokens = rng.randint(11, 19) * 10**11
    ctx.maas = {"daily_tokens": tokens, "served_companies": 480}
    ctx.extra_files.append(b.platform_log(ctx.applicant, date(2024, 10, 1), month_end(
        add_months(ctx.app_date, -1)), tokens, 480, ctx.app_date - timedelta(days=5)))
    ctx.verdict = "reject"  # 480 served companies: not more than 500
    ctx.expected |= {"DIRECTION_REQUIREMENT", "UNDELIVERED"}
    ctx.tolerated |= {"AMOUNT_MISMATCH"}  # billed beyond delivery is one finding, UNDELIVERED
    return finish(ctx, "MaaS serving only 480 companies; a quarter invoiced in advance of delivery")


def plan_manifest_invalid(ctx: Ctx) -> App:
    standard_contract(ctx, target=Decimal(rng_amount(ctx, 90, 110)))
    app = finish(ctx, "application.yaml fails its schema")
    assert isinstance(app.manifest, dict)
    bad = dict(app.manifest)
    bad["direction"] = "大模型训练"
    bad["contracts"] = [{**app.manifest["contracts"][0], "amount": "玖仟陆佰万元"}]
    app.manifest = bad
    app.expected = {"MANIFEST_INVALID"}
    app.tolerated = {c for c in ALL_CODES if c not in DOCUMENT_LEVEL_CODES} - app.expected
    app.expect_subsidy = False
    app.verdict = "unable"
    return app


DOCUMENT_LEVEL_CODES = {
    "DOC_UNREADABLE", "DOC_UNCLASSIFIED", "USCC_INVALID", "AMOUNT_WORDS_MISMATCH",
    "TAX_ARITHMETIC", "PRICE_ARITHMETIC", "PRICE_OUT_OF_MARKET", "SEAL_MISSING",
    "CLASSIFIED_MARKING", "COMMITMENT_INCOMPLETE", "NON_COMPUTE_ITEM", "DUPLICATE_DOCUMENT",
}


def rng_amount(ctx: Ctx, lo: int, hi: int) -> int:
    """A target contract size between lo and hi million yuan."""
    return ctx.b.rng.randint(lo, hi) * 1_000_000


PLANS: list[tuple[str, Callable[[Ctx], App]]] = [
    ("model_training", plan_clean_training),
    ("maas", plan_clean_maas),
    ("agent", plan_clean_agent),
    ("model_training", plan_clean_two_suppliers_scans),
    ("model_training", plan_company_cap),
    ("maas", plan_share_rule),
    ("model_training", plan_window_start),
    ("model_training", plan_invoice_faults),
    ("model_training", plan_party_duplicate),
    ("model_training", plan_related_bad_uscc),
    ("model_training", plan_amounts_unreadable),
    ("model_training", plan_period_market),
    ("model_training", plan_materials),
    ("agent", plan_agent_threshold),
    ("maas", plan_maas_undelivered),
    ("model_training", plan_manifest_invalid),
]


def resubmission(source: App, app_id: str, b: Builder) -> App:
    """The same company claims the same contract again under another direction (maas)."""
    rng = b.rng
    files = [AppFile(f.name, f.doc) for f in source.files
             if not isinstance(f.doc, UsageDoc | CommitmentDoc)]
    tokens = rng.randint(11, 19) * 10**11
    served = rng.randint(560, 800)
    extra: list[Doc] = [b.usage(source.applicant, "maas", source.app_date - timedelta(days=3)),
             b.commitment(source.applicant, source.app_date - timedelta(days=2)),
             b.platform_log(source.applicant, date(2024, 9, 1), month_end(
                 add_months(source.app_date, -1)), tokens, served, source.app_date - timedelta(days=4))]
    taken = {f.name for f in files}
    for f in name_files(rng, extra):
        name = f.name if f.name not in taken else "补充-" + f.name
        files.append(AppFile(name, f.doc))
    assert isinstance(source.manifest, dict)
    manifest = {**source.manifest, "application_id": app_id, "direction": "maas",
                "maas": {"daily_tokens": tokens, "served_companies": served}}
    source.expected |= {"DUPLICATE_DOCUMENT"}
    source.verdict = "reject"  # the same evidence claimed twice
    return App(app_id=app_id, direction="maas", applicant=source.applicant,
               app_date=source.app_date, contracts=source.contracts, files=files,
               manifest=manifest, expected=set(source.expected), tolerated=set(source.tolerated),
               description=f"the company of {source.app_id} claims the same contract again as MaaS",
               shares_with=source.app_id, verdict="reject")


def build_apps(seed: int, count: int | None = None) -> list[App]:
    """The applications of one corpus. ``count`` None: every plan, plus a resubmission."""
    rng = random.Random(seed)
    used: set[str] = set()
    plans = list(PLANS)
    if count is not None:
        plans = rng.sample(plans, min(count, len(plans)))
    apps: list[App] = []
    for index, (direction, make) in enumerate(plans, 1):
        b = Builder(random.Random(rng.getrandbits(64)), used, scan_share=0.42)
        app_date = date(2025, rng.choice([6, 7]), rng.randint(1, 28))
        ctx = Ctx(b=b, app_id=f"APP-2025-{index:04d}", direction=direction,
                  applicant=b.applicant(), app_date=app_date)
        apps.append(make(ctx))
    if count is None:
        source = next(a for a in apps if "before 2024-05-21" in a.description)
        b = Builder(random.Random(rng.getrandbits(64)), used, scan_share=0.42)
        apps.append(resubmission(source, f"APP-2025-{len(apps) + 1:04d}", b))
    return apps


