"""Draws each sample document as a PDF, in one of several layouts and wordings per type."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from sample_docs.gen.docs import (
    AgentFilingDoc,
    CertificateDoc,
    CommitmentDoc,
    ContractDoc,
    Doc,
    InvoiceDoc,
    OtherDoc,
    PaymentDoc,
    PlatformLogDoc,
    SettlementDoc,
    UsageDoc,
    invoice_words,
)
from sample_docs.gen.sheet import SealMark, Sheet
from sample_docs.gen.structured import qr_text
from sample_docs.gen.words import fmt_date, fmt_money, fmt_words

COMMITMENT_ITEMS = [
    "本单位严格遵守国家相关法律法规、政策要求，以及《北京市高精尖产业发展项目资金管理办法》等相关规定。",
    "本单位未因违法失信行为被行政机关实施联合惩戒，或被司法部门采取失信惩戒措施。",
    "本单位提交的全部材料均真实、准确、有效，申报资格和条件符合指南、通知相关规定。",
    "本单位在申报期内未获得其他市级财政资金的相关智能算力支持。",
    "所有材料已经脱密处理，如有发生涉密资料（载体）泄露，愿意承担有关保密责任。",
    "本单位自愿接受并积极配合市区相关部门监管。",
    "本单位遵循诚实守信原则，若违反以上承诺事项，将在收到北京市经济和信息化局要求退还资金的通知之日起6个月内"
    "向北京市经济和信息化局退还全部资金。",
    "本单位将按照相关法律法规和制度规定使用高精尖资金，对高精尖资金申报和使用中存在虚报、骗取、挪用、贿赂等违法"
    "违规行为，将依照《财政违法行为处罚处分条例》等相关法律法规接受处理。涉嫌犯罪的，自愿接受司法机关依法处理。",
]


def _q(value: Decimal) -> str:
    """A quantity as printed: thousands separators, no trailing zeros."""
    text = f"{value.normalize():f}"
    whole, _, frac = text.partition(".")
    return f"{int(whole):,}" + (f".{frac}" if frac else "")


def _d(d: date, doc: Any) -> str:
    return fmt_date(d, doc.style.date_style)


def render(doc: Doc, rng: random.Random) -> tuple[bytes, list[SealMark]]:
    """The PDF of ``doc`` and the seals drawn on it."""
    sheet = Sheet(font=doc.style.font, size=rng.choice([10, 10.5, 11]))
    RENDERERS[type(doc)](doc, sheet, rng)
    return sheet.finish(), sheet.seals


# --- contract -----------------------------------------------------------------------------


def render_contract(doc: ContractDoc, s: Sheet, rng: random.Random) -> None:
    if doc.marking:
        s.line(doc.marking, size=12)
    s.line(f"合同编号：{doc.no}", anchor="right", after=10)
    s.title(rng.choice(["智能算力服务合同", "GPU算力租赁服务合同", "智算资源服务协议"]), size=20, after=22)
    a, b = doc.a_label, doc.b_label
    for label, party in ((a, doc.a), (b, doc.b)):
        s.kv([
            (f"{label}：", party.name),
            ("统一社会信用代码：", party.uscc),
            ("法定代表人：", party.legal_rep),
            ("住所地：" if doc.style.template == "A" else "地址：", party.address),
        ], label_w=120, after=2)
        s.gap(8)
    s.para(f"根据《中华人民共和国民法典》及相关法律法规的规定，{a}与{b}在平等、自愿、公平、诚实信用的基础上，"
           f"经友好协商，就{b}向{a}提供智能算力服务事宜达成如下协议，以资共同遵守。")
    s.line("第一条  服务内容", after=6)
    s.para(f"{b}向{a}提供{doc.gpu} GPU智能算力服务，交付规模为{doc.cards}卡，用于{a}人工智能大模型的训练与推理。"
           "本合同交付标的为智能算力资源，不包括存储、网络、安全等其他服务，如需另行约定。")
    s.line("第二条  服务期限", after=6)
    if doc.service_start and doc.service_end:
        s.para(f"本合同算力服务期限自{_d(doc.service_start, doc)}起至{_d(doc.service_end, doc)}止。"
               "服务期限届满前双方可协商续约。")
    else:
        s.para("算力资源交付时间以双方书面确认为准，具体以结算单记载为准。")
    s.line("第三条  价格与费用", after=6)
    words = fmt_words(doc.total)
    money = fmt_money(doc.total, doc.money_style)
    if doc.style.template == "A":
        s.table(["服务内容", "计费单位", "单价（元）", "数量", "金额（元）"],
                [[f"{doc.gpu} GPU算力服务", doc.unit, f"{doc.unit_price:,.2f}", _q(doc.quantity),
                  f"{doc.total:,.2f}"]],
                [140, 70, 80, 90, 103], aligns="lcrrr")
        s.gap(6)
        s.para(f"合同总金额（含税）：人民币{money}（大写：{words}），增值税税率为6%。")
    else:
        s.para(f"算力服务单价为{doc.unit_price:,.2f}元/{doc.unit}，服务数量为{_q(doc.quantity)}{doc.unit}，"
               f"合同总价款为人民币{money}（大写：人民币{words}），上述价格已含6%增值税。")
    s.line("第四条  结算与支付", after=6)
    s.para(f"{b}按月统计算力使用量并出具结算单，经{a}确认后开具增值税发票；{a}在收到发票后十五个工作日内"
           "以银行转账方式支付相应费用。")
    s.line("第五条  服务质量", after=6)
    s.para(f"{b}保证算力资源月度可用率不低于{rng.choice(['99.5', '99.9', '99.0'])}%，单卡故障应在"
           f"{rng.choice(['4', '8', '24'])}小时内完成替换；因{b}原因导致可用率不达标的，按未达标时长相应减免费用。")
    s.line("第六条  双方权利义务", after=6)
    s.para(f"{a}应按约定用途使用算力资源，不得转租、转售，不得用于违反法律法规的活动；{b}应保障算力资源的"
           "安全稳定运行，按约定提供技术支持，并如实记录算力使用量。")
    s.line("第七条  其他算力补贴情况说明", after=6)
    s.para(doc.subsidy_statement.format(a=a, b=b))
    s.line("第八条  保密", after=6)
    s.para("双方对在合作过程中知悉的对方商业秘密及技术信息负有保密义务，未经对方书面同意不得向第三方披露。")
    s.line("第九条  违约责任", after=6)
    s.para(f"任何一方违反本合同约定的，应赔偿由此给对方造成的直接损失；{a}逾期付款的，每逾期一日按应付未付金额的"
           "万分之五支付违约金。")
    s.line("第十条  争议解决", after=6)
    s.para(f"因本合同引起的争议，双方应友好协商解决；协商不成的，任何一方均可向{a}所在地人民法院提起诉讼。"
           "本合同一式肆份，双方各执贰份，自双方签字盖章之日起生效。")
    s.ensure(200)
    s.gap(24)
    top = s.top
    left, right = s.margin, s.width / 2 + 10
    for x, label, party in ((left, a, doc.a), (right, b, doc.b)):
        s.text(x, top, f"{label}（盖章）：", 10.5)
        s.text(x, top + 20, party.name, 10)
        s.text(x, top + 52, "法定代表人或授权代表（签字）：", 10)
        s.signature(x + 60, top + 72, party.legal_rep)
        s.text(x, top + 112, f"签订日期：{_d(doc.sign_date, doc)}", 10)
        if doc.sealed:
            s.seal(x + 95 + rng.uniform(-10, 15), top + 25 + rng.uniform(-6, 10), party.name,
                   "合同专用章")
    s.top = top + 140


# --- invoices -----------------------------------------------------------------------------


def _invoice_rows(doc: InvoiceDoc) -> list[list[str]]:
    rows = []
    for li in doc.lines:
        rows.append([li.name, "", li.unit or "", _q(li.quantity) if li.quantity else "",
                     f"{li.unit_price:.2f}" if li.unit_price else "", f"{li.amount_ex:.2f}",
                     f"{doc.rate * 100:.0f}%", f"{li.tax:.2f}"])
    return rows


def render_invoice(doc: InvoiceDoc, s: Sheet, rng: random.Random) -> None:
    words = doc.printed_words or invoice_words(doc)
    buyer_name = doc.buyer_name or doc.buyer.name
    issue = fmt_date(doc.issue_date, doc.style.date_style)
    s.qr(s.margin - 30, 18, qr_text(doc))
    if doc.kind == "digital":
        kind = "增值税专用发票" if doc.special else "普通发票"
        s.title(f"电子发票（{kind}）", size=19, after=6)
        s.hline(s.top, s.width / 2 - 90, s.width / 2 + 90, 1.2)
        s.gap(8)
        s.line(f"发票号码：{doc.number}", anchor="right", after=4, size=9.5)
        s.line(f"开票日期：{issue}", anchor="right", after=10, size=9.5)
        top = s.top
        w = (s.width - 2 * s.margin) / 2
        for i, (label, name, uscc) in enumerate((("购买方信息", buyer_name, doc.buyer.uscc),
                                                 ("销售方信息", doc.seller.name, doc.seller.uscc))):
            x = s.margin + i * w
            s.rect(x, top, w, 62)
            s.text(x + 6, top + 8, label, 9.5)
            s.text(x + 6, top + 26, f"名称：{name}", 9)
            s.text(x + 6, top + 44, f"统一社会信用代码/纳税人识别号：{uscc}", 8)
        s.top = top + 70
        headers = ["项目名称", "规格型号", "单位", "数量", "单价", "金额", "税率/征收率", "税额"]
    else:
        s.title(rng.choice(["北京增值税电子专用发票", "增值税电子专用发票"]), size=18, after=10)
        s.kv([("发票代码：", doc.code or ""), ("发票号码：", doc.number), ("开票日期：", issue),
              ("校 验 码：", doc.check_code)], label_w=64, size=9, x=s.width - s.margin - 230,
             after=1)
        top = s.top + 4
        s.top = top + 4
        w = s.width - 2 * s.margin
        s.rect(s.margin, top, w, 74)
        s.text(s.margin + 6, top + 6, "购买方", 9.5)
        s.kv([("名    称：", buyer_name), ("纳税人识别号：", doc.buyer.uscc),
              ("地址、电话：", f"{doc.buyer.address} {doc.buyer.phone}"),
              ("开户行及账号：", f"{doc.buyer.bank} {doc.buyer.account}")],
             label_w=70, size=8, x=s.margin + 50, after=0)
        s.text(s.width - s.margin - 150, top + 6, "密码区", 9)
        cipher = "".join(rng.choice("0123456789+-*/<>") for _ in range(27))
        for k in range(4):
            s.text(s.width - s.margin - 150, top + 20 + k * 12, cipher[k:k + 24], 7)
        s.top = top + 80
        headers = ["货物或应税劳务、服务名称", "规格型号", "单位", "数量", "单价", "金额", "税率", "税额"]
    widths = [148, 40, 38, 54, 48, 70, 44, 61]
    s.table(headers, _invoice_rows(doc), widths, aligns="lcclrrcr", size=8)
    s.table(["合    计", "", "", "", "", f"¥{doc.amount_ex:.2f}", "", f"¥{doc.tax:.2f}"], [],
            widths, size=8.5)
    top = s.top
    s.rect(s.margin, top, sum(widths), 26)
    s.text(s.margin + 6, top + 8, f"价税合计（大写）   ⓧ{words}", 9.5)
    s.text(s.width - s.margin - 150, top + 8, f"（小写）¥{doc.total:.2f}", 9.5)
    s.top = top + 26
    if doc.kind != "digital":
        top = s.top
        s.top = top + 4
        s.rect(s.margin, top, sum(widths), 70)
        s.text(s.margin + 6, top + 6, "销售方", 9.5)
        s.kv([("名    称：", doc.seller.name), ("纳税人识别号：", doc.seller.uscc),
              ("地址、电话：", f"{doc.seller.address} {doc.seller.phone}"),
              ("开户行及账号：", f"{doc.seller.bank} {doc.seller.account}")],
             label_w=70, size=8, x=s.margin + 50, after=0)
        s.top = top + 74
    top = s.top
    s.rect(s.margin, top, sum(widths), 34)
    s.text(s.margin + 6, top + 10, f"备注：合同编号：{doc.contract_no}", 9)
    s.top = top + 44
    s.text(s.margin, s.top, f"开票人：{rng.choice(['王丽', '赵敏', '刘佳', '陈晨'])}", 9)
    if doc.kind != "digital":
        s.text(s.margin + 150, s.top, "收款人：", 9)
        s.text(s.margin + 260, s.top, "复核：", 9)
        s.text(s.width - s.margin - 120, s.top, "销售方：（章）", 9)
        s.seal(s.width - s.margin - 70, s.top - 20, doc.seller.name, "发票专用章", radius=38,
               oval=True, middle=doc.seller.uscc)


# --- settlement ---------------------------------------------------------------------------


def render_settlement(doc: SettlementDoc, s: Sheet, rng: random.Random) -> None:
    customer = doc.customer_name or doc.customer.name
    p0, p1 = _d(doc.period_start, doc), _d(doc.period_end, doc)
    if doc.style.template == "A":
        s.title(rng.choice(["算力服务结算单", "智能算力服务结算单"]), size=18, after=16)
        s.kv([("结算单号：", doc.no), ("合同编号：", doc.contract_no),
              ("客户名称：", customer), ("客户统一社会信用代码：", doc.customer.uscc),
              ("服务商：", doc.supplier.name), ("服务商统一社会信用代码：", doc.supplier.uscc),
              ("结算周期：", f"{p0} 至 {p1}")], label_w=140, after=2)
        s.gap(8)
        rows = [[str(i), li.name, f"{li.start:%Y-%m-%d}~{li.end:%Y-%m-%d}", _q(li.quantity), li.unit,
                 f"{li.unit_price:,.2f}", f"{li.amount:,.2f}"] for i, li in enumerate(doc.lines, 1)]
        rows.append(["", "合计", "", _q(doc.quantity), doc.unit, "", f"{doc.total:,.2f}"])
        s.table(["序号", "服务项目", "计费周期", "数量", "单位", "单价（元）", "金额（元）"], rows,
                [24, 128, 96, 56, 52, 52, 75], aligns="clcrcrr", size=7.8)
        s.gap(8)
        s.para(f"本期结算金额合计人民币{doc.total:,.2f}元（大写：{fmt_words(doc.total)}），为含税金额，税率6%。")
    else:
        s.title("智算资源使用结算确认单", size=18, after=16)
        s.kv([("单据编号：", doc.no), ("关联合同：", doc.contract_no), ("需方：", customer),
              ("需方信用代码：", doc.customer.uscc), ("供方：", doc.supplier.name),
              ("供方信用代码：", doc.supplier.uscc), ("对账期间：", f"{p0}—{p1}")],
             label_w=100, after=2)
        s.gap(8)
        rows = [[f"{li.start:%Y年%m月}", li.name, f"{_q(li.quantity)} {li.unit}", f"{li.unit_price:,.2f}",
                 f"{li.amount:,.2f}"] for li in doc.lines]
        rows.append(["合计", "", f"{_q(doc.quantity)} {doc.unit}", "", f"{doc.total:,.2f}"])
        s.table(["月份", "资源类型", "用量", "单价（元）", "费用（元，含税）"], rows,
                [62, 160, 100, 66, 95], aligns="clrrr", size=8.5)
        s.gap(8)
        s.para(f"经双方核对，上述期间算力使用量及费用无误，合计{fmt_money(doc.total, 'yen')}。")
    s.ensure(150)
    s.gap(30)
    top = s.top
    s.text(s.margin, top, "客户确认（签章）：", 10)
    s.text(s.width / 2 + 10, top, "服务商（盖章）：", 10)
    s.text(s.width / 2 + 10, top + 20, doc.supplier.name, 9.5)
    s.text(s.width / 2 + 10, top + 70, f"日期：{_d(doc.issue_date, doc)}", 10)
    if doc.sealed:
        s.seal(s.width / 2 + 110 + rng.uniform(-10, 10), top + 30 + rng.uniform(-5, 10),
               doc.supplier.name, rng.choice(["业务专用章", "合同专用章", ""]))
    s.top = top + 100


# --- payment ------------------------------------------------------------------------------


def render_payment(doc: PaymentDoc, s: Sheet, rng: random.Random) -> None:
    payer = doc.payer_name or doc.payer.name
    when = fmt_date(doc.pay_date, doc.style.date_style)
    clock = f"{rng.randint(9, 17):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
    if doc.style.template == "A":
        s.title(f"{doc.bank}网上银行电子回单", size=16, after=12)
        s.line(f"电子回单号码：{doc.reference}", after=8, size=9.5)
        w = (s.width - 2 * s.margin) / 2
        top = s.top
        for i, (role, name, party) in enumerate((("付款人", payer, doc.payer),
                                                 ("收款人", doc.payee.name, doc.payee))):
            x = s.margin + i * w
            s.rect(x, top, w, 76)
            s.text(x + 6, top + 8, role, 10)
            s.text(x + 50, top + 8, f"户名：{name}", 9)
            s.text(x + 50, top + 30, f"账号：{party.account}", 9)
            s.text(x + 50, top + 52, f"开户银行：{party.bank}", 9)
        s.top = top + 84
        s.kv([("金额（小写）：", fmt_money(doc.amount, "yen")), ("金额（大写）：", fmt_words(doc.amount)),
              ("交易时间：", f"{when} {clock}"), ("用途：", doc.purpose),
              ("交易流水号：", doc.reference)], label_w=96, after=3)
    else:
        s.title(f"{doc.bank}  电子回单", size=16, after=12)
        s.table(["项目", "内容"], [
            ["交易日期", when], ["付款账号", doc.payer.account], ["付款人名称", payer],
            ["收款账号", doc.payee.account], ["收款人名称", doc.payee.name], ["收款行", doc.payee.bank],
            ["交易金额", f"CNY {doc.amount:,.2f}"], ["大写金额", f"人民币{fmt_words(doc.amount)}"],
            ["摘要", doc.purpose], ["流水号", doc.reference]], [120, 363], size=9.5)
    s.gap(16)
    s.seal(s.width - s.margin - 70, s.top + 20, doc.bank + "股份有限公司", "电子回单专用章", radius=36)
    s.top += 60


# --- supplier letter, usage statement, commitment -------------------------------------------


def render_certificate(doc: CertificateDoc, s: Sheet, rng: random.Random) -> None:
    l0, l1 = _d(doc.lease_start, doc), _d(doc.lease_end, doc)
    if doc.style.template == "A":
        s.title("算力供给企业证明", size=20, after=24)
        s.para(f"兹证明{doc.customer.name}（统一社会信用代码：{doc.customer.uscc}）与我司签订《智能算力服务合同》"
               f"（合同编号：{doc.contract_no}），我司向其提供的智能算力资源属于合规的智算资源，具体如下：")
        s.kv([("算力规模：", doc.compute_scale), ("租赁期限：", f"{l0} 至 {l1}"),
              ("部署地点：", rng.choice(["我司京西智算中心", "我司宁夏中卫智算中心", "我司长三角智算中心"]))],
             label_w=80, x=s.margin + 24)
        s.para("上述算力资源仅包含智能算力，不包括存储、网络、安全等其他服务。特此证明。")
    else:
        s.title(f"关于{doc.customer.name}租用智能算力资源的情况说明", size=14, after=20)
        s.para(f"{doc.customer.name}（统一社会信用代码：{doc.customer.uscc}）与我司签订编号为{doc.contract_no}的"
               f"算力服务合同，租用我司{doc.gpu}智能算力资源，算力规模为{doc.compute_scale}，租赁期限自{l0}起至{l1}止。"
               "上述资源为合规智算资源，相关使用量以双方结算单为准。")
        s.para("特此说明。")
    s.gap(30)
    top = s.top
    x = s.width / 2 + 20
    s.text(x, top, "算力供给企业（盖章）：", 10.5)
    s.text(x, top + 22, doc.supplier.name, 10)
    s.text(x, top + 44, f"统一社会信用代码：{doc.supplier.uscc}", 9)
    s.text(x, top + 70, _d(doc.issue_date, doc), 10)
    if doc.sealed:
        s.seal(x + 90 + rng.uniform(-8, 8), top + 28 + rng.uniform(-5, 8), doc.supplier.name, "")


def render_usage(doc: UsageDoc, s: Sheet, rng: random.Random) -> None:
    if doc.marking:
        s.line(doc.marking, size=13, after=10)
    s.title(rng.choice(["算力使用情况说明", "智能算力使用情况说明"]), size=20, after=20)
    s.kv([("单位名称：", doc.company.name), ("统一社会信用代码：", doc.company.uscc)], label_w=120)
    s.gap(6)
    if doc.style.template == "A":
        s.line(f"算力用途：{doc.purpose}", after=8)
        s.para(f"应用场景：{doc.scene}。")
    else:
        s.line("一、算力应用领域", after=6)
        s.para(doc.purpose)
        s.line("二、应用场景", after=6)
        s.para(f"{doc.scene}。")
    s.para("我单位承诺上述算力仅用于所申报方向，不用于其他用途。")
    s.gap(30)
    _company_footer(doc, s, True)


def _company_footer(doc: UsageDoc | PlatformLogDoc | AgentFilingDoc, s: Sheet, sealed: bool) -> None:
    """The issuing company's name, the date and (usually) its seal, bottom right."""
    x = s.width / 2 + 20
    s.text(x, s.top, f"{doc.company.name}（盖章）", 10)
    s.text(x, s.top + 24, _d(doc.issue_date, doc), 10)
    if sealed:
        s.seal(x + 80, s.top + 10, doc.company.name, "")


def render_commitment(doc: CommitmentDoc, s: Sheet, rng: random.Random) -> None:
    s.title("北京市高精尖产业发展资金承诺书", size=18, after=6)
    s.line("（2025年）", anchor="center", after=16)
    s.para("本单位拟申请2025年北京市高精尖产业发展资金算力券补贴方向，具体承诺如下：")
    for i, item in enumerate(COMMITMENT_ITEMS, 1):
        s.para(f"{i}.{item}", after=2)
    s.ensure(170)
    s.gap(26)
    x = s.width / 2 - 20
    top = s.top
    s.text(x, top, f"承诺单位（盖章）：{doc.company.name}", 10.5)
    row = top + 26
    if doc.with_uscc:
        s.text(x, row, f"统一社会信用代码：{doc.company.uscc}", 10)
        row += 26
    s.text(x, row, "法定代表人（签字）：", 10.5)
    if doc.signer:
        s.signature(x + 112, row - 4, doc.signer)
    row += 30
    if doc.sign_date:
        s.text(x, row, f"日期：{_d(doc.sign_date, doc)}", 10.5)
    else:
        s.text(x, row, "日期：        年     月     日", 10.5)
    if doc.sealed:
        s.seal(x + 150 + rng.uniform(-10, 10), top + 6 + rng.uniform(-4, 8), doc.company.name, "")


# --- platform log, agent filing, other -----------------------------------------------------


def render_platform_log(doc: PlatformLogDoc, s: Sheet, rng: random.Random) -> None:
    s.title(f"{doc.platform}运营数据证明", size=18, after=6)
    s.line("（平台日志摘要）", anchor="center", after=14)
    s.kv([("运营单位：", doc.company.name), ("统一社会信用代码：", doc.company.uscc),
          ("统计期间：", f"{_d(doc.period_start, doc)} 至 {_d(doc.period_end, doc)}")], label_w=120)
    rows = [[m, f"{t:,}", str(c)] for m, t, c in doc.monthly]
    s.table(["月份", "日均Tokens调用量", "当月服务企业数（家）"], rows, [120, 220, 143], aligns="crr", size=9)
    s.gap(8)
    tokens = f"{doc.daily_tokens:,}" if doc.style.template == "A" else str(doc.daily_tokens)
    s.kv([("统计期内日均Tokens调用量：", tokens), ("申报期内服务企业数量：", f"{doc.served_companies}家")],
         label_w=170)
    s.para("以上数据取自平台计费与调用日志系统，真实有效。")
    s.gap(20)
    _company_footer(doc, s, doc.sealed)


def render_agent_filing(doc: AgentFilingDoc, s: Sheet, rng: random.Random) -> None:
    s.title("生成式人工智能服务上线批号及日活量证明", size=16, after=18)
    s.kv([("企业名称：", doc.company.name), ("统一社会信用代码：", doc.company.uscc),
          ("产品名称：", doc.product), ("上线批号：", doc.filing_no),
          ("统计期间：", f"{_d(doc.stat_start, doc)} 至 {_d(doc.stat_end, doc)}"),
          ("日均活跃用户数（DAU）：", f"{doc.daily_active_users:,}")], label_w=150)
    s.para(f"{doc.product}已完成生成式人工智能服务备案并取得上线批号，面向各行业提供通用智能体服务。"
           "上述日活量数据来源于产品运营统计系统。")
    s.gap(24)
    _company_footer(doc, s, doc.sealed)


def render_other(doc: OtherDoc, s: Sheet, rng: random.Random) -> None:
    s.title(doc.title, size=18, after=18)
    for p in doc.paragraphs:
        s.para(p)


RENDERERS: dict[type, Callable[[Any, Sheet, random.Random], None]] = {
    ContractDoc: render_contract,
    InvoiceDoc: render_invoice,
    SettlementDoc: render_settlement,
    PaymentDoc: render_payment,
    CertificateDoc: render_certificate,
    UsageDoc: render_usage,
    CommitmentDoc: render_commitment,
    PlatformLogDoc: render_platform_log,
    AgentFilingDoc: render_agent_filing,
    OtherDoc: render_other,
}
