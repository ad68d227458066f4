"""Fields chosen by evidence rather than by one label: arithmetic between figures, the
preferred of two labels, a sentence's meaning, ink where a signature goes. Hand-made pages
in wordings of our own."""

from __future__ import annotations

from decimal import Decimal

import cv2
import numpy as np

from extractors.layout import DocText
from extractors.registry import extract_fields
from model.base import DocType, Source
from model.document import Page, Word
from policy.rules import load_rules
from reading.ink import unread_ink

RULES = load_rules()


def _page(texts: list[str]) -> Page:
    """Lines of words 11 pt a character, a space between words; a table's cells then fall
    under its headers when the rows are written with the header's spacing."""
    words = []
    for i, line in enumerate(texts):
        x = 40.0
        for part in line.split(" "):
            words.append(Word(text=part, bbox=(x, 30 + 20 * i, x + 11 * len(part), 42 + 20 * i),
                              confidence=1.0))
            x += 11 * (len(part) + 1)
    return Page(number=1, width=900, height=40 + 20 * len(texts), source=Source.TEXT, words=words)


def _fields(doc_type: DocType, *texts: str) -> dict[str, object]:
    page = _page(list(texts))
    fields, _ = extract_fields(doc_type, [page], RULES, DocText.from_pages([page]))
    return {name: getattr(value, "value", None) for name, value in fields if value is not None}


def test_a_contract_s_quantity_is_the_figure_in_its_unit_that_makes_the_total() -> None:
    got = _fields(DocType.CONTRACT,
                  "合同编号：ZS-2024-001",
                  "算力服务单价为人民币9,800.00元/卡·月（含税），乙方提供96卡，服务期12个月，",
                  "共计1,152卡·月。本合同总金额为人民币11,289,600.00元。")
    assert got["unit_price"] == Decimal("9800.00")
    assert got["quantity"] == Decimal("1152")
    assert got["unit"] == "卡·月"


def test_a_figure_in_the_unit_that_does_not_make_the_total_is_no_quantity() -> None:
    got = _fields(DocType.CONTRACT,
                  "算力服务单价为人民币9,800.00元/卡·月，试用期赠送10卡·月。",
                  "本合同总金额为人民币11,289,600.00元。")
    assert "quantity" not in got


def test_a_settlement_without_a_total_quantity_adds_up_its_lines() -> None:
    got = _fields(DocType.SETTLEMENT,
                  "结算单号：JS-2025-0101",
                  "序号 服务项目 用量 单位 金额（元）",
                  "1 GPU租赁 120 卡·月 1,200,000.00",
                  "2 GPU租赁 130 卡·月 1,300,000.00",
                  "合计 _ _ _ 2,500,000.00")
    assert got["quantity"] == Decimal("250")
    assert got["unit"] == "卡·月"


def test_a_settlement_s_stated_total_quantity_beats_the_sum() -> None:
    got = _fields(DocType.SETTLEMENT,
                  "序号 服务项目 用量 单位 金额（元）",
                  "1 GPU租赁 120 卡·月 1,200,000.00",
                  "合计 _ _ _ 1,200,000.00",
                  "本期用量合计：120 卡·月")
    assert got["quantity"] == Decimal("120")


def test_a_receipt_s_transaction_number_beats_its_own_number() -> None:
    got = _fields(DocType.PAYMENT,
                  "XX银行电子回单",
                  "回单编号：000123456789 打印日期：2025-01-05",
                  "付款人名称 北京某甲科技有限公司 收款人名称 上海某乙算力有限公司",
                  "金额（大写） 人民币壹佰万元整 金额（小写） ¥1,000,000.00",
                  "交易日期 2025-01-03 交易流水号 202501030000998877")
    assert got["reference"] == "202501030000998877"
    assert got["amount"] == Decimal("1000000.00")


def test_a_receipt_without_a_transaction_number_gives_its_own() -> None:
    got = _fields(DocType.PAYMENT, "回单编号：000123456789", "交易金额：¥10,000.00")
    assert got["reference"] == "000123456789"


def test_figures_beat_a_wrapped_amount_in_words_on_the_same_line() -> None:
    got = _fields(DocType.PAYMENT,
                  "金额（大写） 人民币壹佰万零贰拾元伍 金额（小写） ¥1,000,020.50",
                  "角")
    assert got["amount"] == Decimal("1000020.50")


def test_a_usage_statement_s_purpose_is_the_sentence_saying_what_compute_is_for() -> None:
    got = _fields(DocType.USAGE_STATEMENT,
                  "算力使用情况说明",
                  "北京某某智能科技有限公司（以下简称“我公司”）从事软件开发。我公司租用的GPU算力",
                  "主要用于金融领域大模型的预训练。算力资源未用于其他用途。",
                  "特此说明。")
    assert got["purpose"] == "我公司租用的GPU算力主要用于金融领域大模型的预训练。"
    assert got["direction_hint"].value == "model_training"  # type: ignore[attr-defined]


def test_an_invoice_total_line_read_with_a_mark_inside_合计() -> None:
    got = _fields(DocType.INVOICE,
                  "项目名称 规格型号 单位 数量 单价 金额 税率/征收率 税额",
                  "*信息技术服务*算力服务费 卡时 100 10.00 1000.00 6% 60.00",
                  "合☑计 ¥1000.00 ¥60.00",
                  "价税合计（大写） 壹仟零陆拾圆整 （小写）¥1060.00",
                  "开票人：某某")
    assert got["amount_ex_tax"] == Decimal("1000.00")
    assert got["tax_amount"] == Decimal("60.00")
    assert [i.amount for i in got["items"]] == [Decimal("1000.00")]  # type: ignore[attr-defined]


def test_an_agent_filing_names_its_service_provider() -> None:
    got = _fields(DocType.AGENT_FILING,
                  "服务名称 某某助手",
                  "服务提供者 北京某某智能科技有限公司",
                  "上线批号 Beijing-MouMou-202501010001")
    assert got["company"].name == "北京某某智能科技有限公司"  # type: ignore[attr-defined]


def _scan(signature: bool) -> tuple[np.ndarray, list[Word]]:
    """A white page with a printed label (its box given as OCR would) and perhaps a scrawl."""
    image = np.full((400, 900, 3), 245, np.uint8)
    cv2.putText(image, "Signature:", (60, 200), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (20, 20, 20), 3)
    cv2.circle(image, (700, 120), 60, (200, 30, 30), 6)  # a red seal ring, not ink
    rng = np.random.default_rng(7)
    noise = rng.random(image.shape[:2]) < 0.002  # scan speckle
    image[noise] = 40
    if signature:
        points = np.array([[330, 205], [360, 160], [385, 210], [410, 170], [440, 200], [470, 165]], np.int32)
        cv2.polylines(image, [points], False, (30, 30, 90), 4)
    return image, [Word(text="Signature:", bbox=(55, 170, 300, 210), confidence=0.9)]


def test_a_handwritten_signature_on_a_scan_is_ink_no_word_covers() -> None:
    image, words = _scan(signature=True)
    boxes = unread_ink(image, words)
    assert len(boxes) == 1
    x0, y0, x1, y1 = boxes[0]
    assert x0 >= 320 and x1 <= 480 and y0 >= 150 and y1 <= 220


def test_speckle_and_a_red_seal_are_no_ink() -> None:
    image, words = _scan(signature=False)
    assert unread_ink(image, words) == []


def test_a_name_wrapped_onto_the_next_line_reads_whole() -> None:
    got = _fields(DocType.COMMITMENT,
                  "本单位承诺如下：所提交材料真实有效。",
                  "法定代表人（签字）：",
                  "单位（签章）：北京某某智联信息技术有限",
                  "公司",
                  "时间：2025 年 8 月 19 日")
    assert got["company"].name == "北京某某智联信息技术有限公司"  # type: ignore[attr-defined]


def test_a_code_from_another_province_is_not_the_company_s() -> None:
    from extractors.parsers import uscc_fits_name

    assert not uscc_fits_name("91110101MA0QY6JC1G", "内蒙古某某计算技术有限公司")
    assert uscc_fits_name("91150123MA0D2EUC73", "内蒙古某某计算技术有限公司")
    assert uscc_fits_name("91110114237338018P", "青峰（北京）信息技术有限公司")
    assert uscc_fits_name("91310000MA1FL0000X", "北京某某科技有限公司上海分公司")
    assert uscc_fits_name("91440300MA5F00000X", "某某科技有限公司")


def test_a_supplier_s_letter_speaks_for_its_我公司_though_its_signature_wraps() -> None:
    got = _fields(DocType.SUPPLIER_CERTIFICATE,
                  "算力供给情况证明",
                  "兹证明，我公司天津某某数字基础设施有限公司（统一社会信用代码：",
                  "91120116369876408R）与上海某某信息技术有限公司（统一社会信用代码：",
                  "91310104MA0MR0W67G）签订了《智能算力租赁合同》，向其提供智能算力租赁服务。",
                  "证明单位（盖章）：天津某某数字基础",
                  "设施有限公司")
    assert got["supplier"].name == "天津某某数字基础设施有限公司"  # type: ignore[attr-defined]
    assert got["customer"].name == "上海某某信息技术有限公司"  # type: ignore[attr-defined]


def test_a_statement_s_total_row_unread_gives_way_to_its_stated_amount() -> None:
    got = _fields(DocType.SETTLEMENT,
                  "序号 服务项目 用量 单位 金额（元）",
                  "1 GPU租赁 120 卡·月 1,200,000.00",
                  "合计 _ _ _ 1,200,000:00",
                  "本期结算金额（含税）：人民币壹佰贰拾万元整（¥1,200,000.00）")
    assert got["total_amount"] == Decimal("1200000.00")


def test_a_total_row_whose_合计_ocr_lost_is_the_line_that_sums_the_rows() -> None:
    got = _fields(DocType.SETTLEMENT,
                  "序号 服务项目 用量 单位 单价（元） 金额（元）",
                  "1 GPU租赁 100 卡时 16.00 1,600.00",
                  "2 GPU租赁 50 卡时 16.00 800.00",
                  "+1 _ _ _ _ 2,400.00")
    assert got["total_amount"] == Decimal("2400.00")
    assert got["quantity"] == Decimal("150")


def _grid(*rows: str) -> dict[str, object]:
    """A settlement page whose space-separated cells stand in columns 120 pt apart."""
    words = [Word(text=cell, bbox=(40 + 120 * j, 30 + 20 * i, 40 + 120 * j + 9 * len(cell), 42 + 20 * i),
                  confidence=1.0)
             for i, row in enumerate(rows) for j, cell in enumerate(row.split(" ")) if cell != "_"]
    page = Page(number=1, width=900, height=40 + 20 * len(rows), source=Source.TEXT, words=words)
    fields, _ = extract_fields(DocType.SETTLEMENT, [page], RULES, DocText.from_pages([page]))
    return {name: getattr(value, "value", None) for name, value in fields if value is not None}


def test_a_stated_quantity_against_lines_that_hold_gives_way_to_the_lines() -> None:
    got = _grid("序号 服务项目 用量 单位 单价（元） 金额（元）",
                "1 GPU租赁 1,363,298 卡时 16.00 21,812,768.00",
                "合计 _ _ _ _ 21,812,768.00",
                "其中用量合计：1,363.298卡时")
    assert got["quantity"] == Decimal("1363298")


def test_a_name_written_alone_above_the_signing_company_is_a_signature() -> None:
    got = _fields(DocType.COMMITMENT,
                  "本单位承诺如下：所提交材料真实有效。",
                  "贺某某",
                  "单位（签章）：北京某某科技有限公司",
                  "时间：2025年8月2日")
    assert got["signed"] is True


def test_a_lone_stated_quantity_that_does_not_make_the_total_is_still_the_quantity() -> None:
    got = _fields(DocType.CONTRACT,
                  "算力服务单价为人民币15.00元/卡时（含税），按实际使用卡时计费，委托方预计",
                  "使用3,156,000卡时。本合同总金额为人民币53,611,200.00元。")
    assert got["quantity"] == Decimal("3156000")


def test_a_seal_image_beside_the_signature_label_is_no_signature() -> None:
    lines = [("法定代表人（签字）：", 540),
             ("单位（签章）：北京某某信息技术有限公司", 570),
             ("时间：2025年7月23日", 600)]
    words = [Word(text=t, bbox=(300, y, 300 + 11 * len(t), y + 12), confidence=1.0) for t, y in lines]
    page = Page(number=1, width=595, height=842, source=Source.TEXT, words=words,
                images=[(372, 532, 484, 644)])
    fields, _ = extract_fields(DocType.COMMITMENT, [page], RULES, DocText.from_pages([page]))
    assert fields.signed is not None and fields.signed.value is False  # type: ignore[attr-defined]


def test_handwriting_above_the_signing_company_is_a_signature_though_its_label_is_lost() -> None:
    lines = [("本单位承诺如下：所提交材料真实有效。", 500), ("单位（签章）：北京某某信息技术有限公司", 570)]
    words = [Word(text=t, bbox=(300, y, 300 + 11 * len(t), y + 12), confidence=0.9) for t, y in lines]
    page = Page(number=1, width=595, height=842, source=Source.OCR, words=words,
                images=[(390, 540, 430, 560)])
    fields, _ = extract_fields(DocType.COMMITMENT, [page], RULES, DocText.from_pages([page]))
    assert fields.signed is not None and fields.signed.value is True  # type: ignore[attr-defined]


def test_two_parties_under_one_readable_heading_are_buyer_and_seller() -> None:
    # 购买方 misread (购实方): the name nearest 销售方 is the seller, the other the buyer
    words = [Word(text="名称：北京某甲科技有限公司", bbox=(60, 100, 200, 112), confidence=0.9),
             Word(text="名称：宁夏某乙云计算有限公司", bbox=(330, 100, 470, 112), confidence=0.9),
             Word(text="购实方信息", bbox=(40, 95, 50, 145), confidence=0.9),  # stacked, beside the box
             Word(text="销售方信息", bbox=(310, 95, 320, 145), confidence=0.9)]
    page = Page(number=1, width=595, height=400, source=Source.OCR, words=words)
    fields, _ = extract_fields(DocType.INVOICE, [page], RULES, DocText.from_pages([page]))
    assert fields.buyer is not None and fields.buyer.value.name == "北京某甲科技有限公司"  # type: ignore[attr-defined]
    assert fields.seller is not None and fields.seller.value.name == "宁夏某乙云计算有限公司"  # type: ignore[attr-defined]


def test_a_rate_no_invoice_prints_is_a_misreading() -> None:
    got = _fields(DocType.INVOICE,
                  "项目名称 规格型号 单位 数量 单价 金额 税率/征收率 税额",
                  "*信息技术服务*算力服务费 卡时 100 10.00 1000.00 83% 60.00",
                  "合计 ¥1000.00 ¥60.00")
    assert "tax_rate" not in got


def test_a_label_in_a_formula_governs_no_figure_after_it() -> None:
    # the label stands in a note explaining how the figure was made: the number after it is
    # the divisor, not the figure; unread is right
    fields = _fields(DocType.PLATFORM_LOG, "运营单位：北京测试智算科技有限公司",
                     "注：日均Tokens调用量＝统计期调用总量÷统计期自然日数（365天）")
    assert "daily_tokens" not in fields
    fields = _fields(DocType.PLATFORM_LOG, "运营单位：北京测试智算科技有限公司",
                     "日均Tokens调用量（个）：1,839,428,735,148")
    assert fields["daily_tokens"] == 1839428735148


def test_a_payment_s_purpose_names_its_contract_anywhere_in_it() -> None:
    fields = _fields(DocType.PAYMENT, "交易金额：¥1,000.00",
                     "用途：支付第二期算力服务费（合同号 HT-2024-0007）")
    assert fields["contract_no"] == "HT-2024-0007"


def _cells(*rows: list[tuple[float, str]]) -> Page:
    """Rows of (x, text) cells, 20 pt apart: a card of labels over their values."""
    words = [Word(text=text, bbox=(x, 30 + 20 * i, x + 11 * len(text), 42 + 20 * i), confidence=1.0)
             for i, row in enumerate(rows) for x, text in row]
    return Page(number=1, width=900, height=60 + 20 * len(rows), source=Source.TEXT, words=words)


def test_labels_in_a_row_govern_the_values_in_their_own_columns() -> None:
    # 结算单编号 | 合同编号 | 出具日期 over their values: each label's value is the one under it,
    # not the first one on the next line
    page = _cells([(40, "算力服务结算单")],
                 [(40, "结算单编号"), (260, "合同编号"), (480, "出具日期")],
                 [(40, "JS-2025-0042"), (260, "HT-2024-0007"), (480, "2025-06-04")])
    fields, _ = extract_fields(DocType.SETTLEMENT, [page], RULES, DocText.from_pages([page]))
    got = {name: getattr(value, "value", None) for name, value in fields if value is not None}
    assert got["statement_no"] == "JS-2025-0042"
    assert got["contract_no"] == "HT-2024-0007"


def _agent(*rows: list[tuple[float, str]]) -> dict[str, object]:
    page = _cells([(40, "北京测试智能科技有限公司")], *rows)
    fields, _ = extract_fields(DocType.AGENT_FILING, [page], RULES, DocText.from_pages([page]))
    return {name: getattr(value, "value", None) for name, value in fields if value is not None}


def test_daily_users_under_their_label_in_a_card_and_not_a_month_or_a_clause() -> None:
    card = ([(40, "近30日日均活跃用户数（DAU）"), (400, "统计截止日")],
            [(40, "157,081 人"), (400, "2025-06-30")])
    assert _agent(*card)["daily_active_users"] == 157081
    # 1月 is a month, not a count of users; a label followed by a comma is a word in a sentence
    assert "daily_active_users" not in _agent([(40, "近六个月日均活跃用户数：1月 137,004；2月 134,517")])
    assert "filing_no" not in _agent([(40, "已取得上线批号，于2024-09-05正式上线")])


def test_a_column_header_over_many_values_governs_none_of_them() -> None:
    # a month by month table under 日均活跃用户数: which month is the figure? unread, not the first
    months = ((1, 394736), (2, 396722), (3, 340544))
    table = [[(40, "统计月份"), (200, "日均活跃用户数（人）"), (420, "环比")]] + [
        [(40, f"2025年{m}月"), (200, f"{n:,}"), (420, "—")] for m, n in months]
    assert "daily_active_users" not in _agent(*table)


def test_a_statement_s_amount_is_the_one_under_its_amount_header_whatever_follows() -> None:
    # tax columns after the amount with tax: the last figure of a row is its tax, not its amount
    head = [(40, "序号"), (90, "服务项目"), (220, "含税金额（元）"), (380, "税率"), (440, "不含税金额（元）"),
            (620, "税额（元）")]
    row = [(40, "1"), (90, "智能算力服务"), (220, "1,060,000.00"), (380, "6%"), (440, "1,000,000.00"),
           (620, "60,000.00")]
    total = [(40, "合计"), (220, "1,060,000.00"), (440, "1,000,000.00"), (620, "60,000.00")]
    page = _cells([(40, "算力服务结算单")], head, row, total)
    fields, _ = extract_fields(DocType.SETTLEMENT, [page], RULES, DocText.from_pages([page]))
    got = {name: getattr(value, "value", None) for name, value in fields if value is not None}
    assert [i.amount for i in got["items"]] == [Decimal("1060000.00")]  # type: ignore[attr-defined]
    assert got["total_amount"] == Decimal("1060000.00")


def test_a_party_s_credit_code_under_a_label_naming_its_role() -> None:
    from tests.validators.fixtures import with_check_digit
    buyer, seller = with_check_digit("91110108MA01ABCD3"), with_check_digit("91120116MA05FGHJ2")
    got = _fields(DocType.SETTLEMENT, "算力服务对账单",
                  "客户名称:北京测试智能科技有限公司 供应商名称:天津测试算力科技有限公司",
                  f"客户纳税人识别号:{buyer} 供应商纳税人识别号:{seller}")
    assert got["customer"].uscc == buyer  # type: ignore[attr-defined]
    assert got["supplier"].uscc == seller  # type: ignore[attr-defined]


def _cells_fields(doc_type: DocType, *rows: list[tuple[float, str]]) -> dict[str, object]:
    page = _cells(*rows)
    fields, _ = extract_fields(doc_type, [page], RULES, DocText.from_pages([page]))
    return {name: getattr(value, "value", None) for name, value in fields if value is not None}


def test_parties_period_and_codes_under_a_row_of_labels_are_each_in_its_column() -> None:
    # a header of four labels over four values: each party's name and code is the one under
    # its own label, the period the one under 服务期间
    got = _cells_fields(DocType.SETTLEMENT,
                        [(40, "算力服务对账明细"), (300, "编号"), (360, "DZ-88-0317")],
                        [(40, "服务期间"), (300, "签发日期")],
                        [(40, "2025年02月01日"), (150, "至"), (170, "2025年02月28日"),
                         (300, "2025年03月05日")],
                        [(40, "需方（付款方）"), (220, "需方统一社会信用代码"), (440, "服务商（收款方）"),
                         (640, "服务商统一社会信用代码")],
                        [(40, "杭州青枫数据有限公司"), (220, "91330106MA2B3C4D5E"),
                         (440, "宁波远岫云计算有限公司"), (640, "91330201MA2H7K8L9P")])
    assert got["customer"].name == "杭州青枫数据有限公司" and got["customer"].uscc == "91330106MA2B3C4D5E"
    assert got["supplier"].name == "宁波远岫云计算有限公司" and got["supplier"].uscc == "91330201MA2H7K8L9P"
    assert (str(got["period_start"]), str(got["period_end"])) == ("2025-02-01", "2025-02-28")


def test_each_party_s_税号_is_the_one_under_its_own_role() -> None:
    got = _cells_fields(DocType.SETTLEMENT,
                        [(40, "客户名称:杭州青枫数据有限公司"), (400, "供应商名称:宁波远岫云计算有限公司")],
                        [(40, "客户税号:91330106MA2B3C4D5E"), (400, "供应商税号:91330201MA2H7K8L9P")])
    assert got["customer"].uscc == "91330106MA2B3C4D5E"
    assert got["supplier"].uscc == "91330201MA2H7K8L9P"


def _ledger(*rows: list[tuple[float, str]]) -> dict[str, object]:
    return _cells_fields(DocType.SETTLEMENT, [(40, "结算单号：DZ-88-0317")], *rows)


def test_a_ledger_s_names_sit_under_their_header_and_a_小计_is_no_line() -> None:
    # 序号 and a month in figures before the name; the unit's column before the quantity's
    got = _ledger([(40, "序号"), (90, "期间"), (170, "算力服务内容"), (330, "单位"), (390, "计费时长"),
                   (480, "金额（元）")],
                  [(40, "1"), (90, "2025.04"), (170, "训练算力租用"), (330, "卡时"), (390, "30,000"),
                   (480, "300,000.00")],
                  [(40, "2"), (90, "2025.05"), (170, "训练算力租用"), (330, "卡时"), (390, "20,000"),
                   (480, "200,000.00")],
                  [(90, "二季度小计"), (480, "500,000.00")],
                  [(40, "合计"), (480, "500,000.00")])
    items = got["items"]
    assert [(i.name, i.amount, i.quantity, i.unit) for i in items] == [
        ("训练算力租用", Decimal("300000.00"), Decimal("30000"), "卡时"),
        ("训练算力租用", Decimal("200000.00"), Decimal("20000"), "卡时")]
    assert got["total_amount"] == Decimal("500000.00")


def test_a_letter_s_writer_named_in_brackets_after_我公司_and_为_is_no_part_of_a_name() -> None:
    got = _fields(DocType.SUPPLIER_CERTIFICATE,
                  "证明",
                  "我公司（宁波远岫云计算有限公司，统一社会信用代码：91330201MA2H7K8L9P）与",
                  "杭州青枫数据有限公司（统一社会信用代码：91330106MA2B3C4D5E）签订算力服务合同（合同编号：YX-2024-9）。",
                  "我公司为杭州青枫数据有限公司提供的算力资源规模为H800共64卡。",
                  "宁波远岫云计算有限公司")
    assert got["supplier"].name == "宁波远岫云计算有限公司" and got["supplier"].uscc == "91330201MA2H7K8L9P"
    assert got["customer"].name == "杭州青枫数据有限公司" and got["customer"].uscc == "91330106MA2B3C4D5E"


def test_a_contract_s_price_and_quantity_from_a_wrapped_order_row_that_makes_the_total() -> None:
    # no label reaches the figures: the one pair whose product is the total, the quantity the
    # figure in a billing unit (wrapped in its cell: 卡 ⏎ 时)
    got = _cells_fields(DocType.CONTRACT,
                        [(40, "合同编号：ORD-7731")],
                        [(40, "采购方名称"), (150, "杭州青枫数据有限公司")],
                        [(40, "供应方名称"), (150, "宁波远岫云计算有限公司")],
                        [(40, "商品"), (200, "订购量"), (320, "单价（元/卡"), (460, "小计（元）")],
                        [(40, "H800整机租用"), (200, "250,000 卡"), (320, "8.40"), (460, "2,100,000.00")],
                        [(40, "按卡时计费"), (200, "时")],
                        [(40, "订单总金额：¥2,100,000.00")],
                        [(40, "4.2 结算周期内的单价与计费数量以平台记录为准。")])
    assert got["party_a"].name == "杭州青枫数据有限公司" and got["party_b"].name == "宁波远岫云计算有限公司"
    assert (got["unit_price"], got["quantity"], got["unit"]) == (Decimal("8.40"), Decimal("250000"), "卡时")


def test_a_clause_naming_单价_and_数量_is_no_price_table() -> None:
    got = _fields(DocType.CONTRACT,
                  "合同编号：ORD-7731 合同总金额：人民币1,000,000.00元",
                  "6.1 费用以单价乘以实际数量计算，按季度结算。",
                  "12.3 本条与正文不一致的，以正文为准。")
    assert "unit_price" not in got and "quantity" not in got


def test_an_invoice_s_roles_stacked_letter_by_letter_head_the_rows_beside_them() -> None:
    # 购 / 买 / 方 and 销 / 售 / 方 in narrow strips, no role word written on one line
    got = _cells_fields(DocType.INVOICE,
                        [(300, "发票号码：44012345")],
                        [(44, "名 称：杭州青枫数据有限公司"), (424, "密")],
                        [(24, "购"), (44, "纳税人识别号：91330106MA2B3C4D5E"), (424, "码")],
                        [(24, "买"), (44, "地址、电话：杭州市西湖区文三路1号"), (424, "区")],
                        [(24, "方"), (44, "开户行及账号：某银行杭州分行 6222")],
                        [(44, "货物或应税劳务、服务名称 金额 税率 税额")],
                        [(44, "名 称：宁波远岫云计算有限公司")],
                        [(24, "销"), (44, "纳税人识别号：91330201MA2H7K8L9P")],
                        [(24, "售"), (44, "地址、电话：宁波市鄞州区1号")],
                        [(24, "方"), (44, "开户行及账号：某银行宁波分行 6228")])
    assert got["buyer"].name == "杭州青枫数据有限公司" and got["buyer"].uscc == "91330106MA2B3C4D5E"
    assert got["seller"].name == "宁波远岫云计算有限公司" and got["seller"].uscc == "91330201MA2H7K8L9P"


def test_payer_and_payee_blocks_side_by_side_under_stacked_roles() -> None:
    # 付 / 款 / 人 letter by letter on a text layer; 收款人 read whole by OCR as one upright word
    page = _cells([(40, "网上银行电子回单"), (400, "交易日期：2025-03-02")],
                  [(24, "付"), (44, "全 称"), (100, "杭州青枫数据有限公司"), (420, "全 称"),
                   (480, "宁波远岫云计算有限公司")],
                  [(24, "款"), (44, "账 号"), (100, "6222000011112222")],
                  [(24, "人"), (44, "开户行"), (100, "某银行杭州分行")])
    page.words.append(Word(text="收款人", bbox=(396, 30 + 20, 410, 42 + 60), confidence=0.9))
    fields, _ = extract_fields(DocType.PAYMENT, [page], RULES, DocText.from_pages([page]))
    got = {name: getattr(value, "value", None) for name, value in fields if value is not None}
    assert got["payer"].name == "杭州青枫数据有限公司"
    assert got["payee"].name == "宁波远岫云计算有限公司"


LEDGER = ([(40, "服务项目"), (200, "计费期间"), (300, "数量"), (400, "单价"), (500, "金额（元）")],
          [(40, "训练算力租用"), (200, "2025年04月"), (300, "10,000 卡时"), (400, "15.00"),
           (500, "150,000.00")],
          [(40, "训练算力租用"), (200, "2025年05月"), (300, "10,000 卡时"), (400, "15.05"),
           (500, "150,500.00")])
"""A ledger's header and two monthly rows, without a total row."""


def test_a_statement_written_as_a_letter_without_a_total_row() -> None:
    # the supplier on its letterhead (its code beside its signature), the customer it is
    # addressed to, a table with no 合计 row: the total is the figure apart that the lines make
    got = _cells_fields(DocType.SETTLEMENT,
                        [(40, "宁波远岫云计算有限公司")],
                        [(40, "算力费用核对函")],
                        [(40, "致：杭州青枫数据有限公司（信用代码：91330106MA2B3C4D5E）")],
                        [(40, "贵司本季度使用的算力服务费用如下：")],
                        [(40, "应付费用（元）")],
                        [(40, "300,500.00")],
                        *LEDGER,
                        [(40, "以上金额含税，请核对。")],
                        [(40, "宁波远岫云计算有限公司（盖章）")],
                        [(40, "统一社会信用代码：91330201MA2H7K8L9P")])
    assert got["supplier"].name == "宁波远岫云计算有限公司" and got["supplier"].uscc == "91330201MA2H7K8L9P"
    assert got["customer"].name == "杭州青枫数据有限公司" and got["customer"].uscc == "91330106MA2B3C4D5E"
    assert [i.amount for i in got["items"]] == [Decimal("150000.00"), Decimal("150500.00")]
    assert got["total_amount"] == Decimal("300500.00")
    assert (got["quantity"], got["unit"]) == (Decimal("20000"), "卡时")


def test_a_statement_without_a_total_row_or_a_figure_the_lines_make_has_no_total() -> None:
    got = _cells_fields(DocType.SETTLEMENT,
                        [(40, "宁波远岫云计算有限公司")],
                        [(40, "应付费用（元） 300,000.00")],
                        *LEDGER,
                        [(40, "以上金额含税，请核对。")])
    assert "total_amount" not in got and len(got["items"]) == 2


def test_a_party_named_on_a_cover_page_takes_its_code_from_the_parties_block() -> None:
    got = _fields(DocType.CONTRACT,
                  "算力租用合同",
                  "需 方 杭州青枫数据有限公司",
                  "供 方 宁波远岫云计算有限公司",
                  "签订日期 2024 年 5 月 6 日",
                  "需方:杭州青枫数据有限公司",
                  "信用代码:91330106MA2B3C4D5E",
                  "法定代表人:周某某 联系电话:0571-5555",
                  "供方:宁波远岫云计算有限公司",
                  "信用代码:91330201MA2H7K8L9P",
                  "法定代表人:吴某 联系电话:0574-6666")
    assert got["party_a"].uscc == "91330106MA2B3C4D5E" and got["party_a"].legal_representative == "周某某"
    assert got["party_b"].uscc == "91330201MA2H7K8L9P" and got["party_b"].legal_representative == "吴某"


def test_a_receipt_whose_figures_and_大写_disagree() -> None:
    # a misread figure with two decimal points is no figure: the 大写 gives the amount
    got = _fields(DocType.PAYMENT, "金额（大写） 人民币贰佰零叁万元整 金额（小写） ¥2,030.000.00")
    assert got["amount"] == Decimal("2030000")
    # on a text layer both are exact: the figures stand and the words are kept, for the check
    # that tells the receipt's own inconsistency
    line = "金额（大写） 人民币贰佰零叁万元整 金额（小写） ¥2,030.00"
    got = _fields(DocType.PAYMENT, line)
    assert got["amount"] == Decimal("2030.00") and got["amount_in_words"] == "人民币贰佰零叁万元整"
    # read by OCR, one of them is misread: neither is taken
    page = _page([line]).model_copy(update={"source": Source.OCR})
    fields, missing = extract_fields(DocType.PAYMENT, [page], RULES, DocText.from_pages([page]))
    assert fields.amount is None and "不符" in missing["amount"].text


def test_a_label_ending_a_clause_governs_nothing_on_the_next_line() -> None:
    got = _fields(DocType.AGENT_FILING,
                  "杭州青枫数据有限公司",
                  "我单位的智能体产品已取得上线批号，于",
                  "2025-03-01正式上线，近30日日均活跃用户数为12,000人。")
    assert "filing_no" not in got


def test_contract_parties_side_by_side_take_the_codes_in_their_own_columns() -> None:
    got = _cells_fields(DocType.CONTRACT,
                        [(40, "合同编号：ORD-7731")],
                        [(40, "甲方：杭州青枫数据有限公司"), (400, "乙方：宁波远岫云计算有限公司")],
                        [(40, "信用代码：91330106MA2B3C4D5E"), (400, "信用代码：91330201MA2H7K8L9P")],
                        [(40, "法定代表人：周某某"), (400, "88号")],
                        [(40, "法定代表人：吴某")])
    assert got["party_a"].uscc == "91330106MA2B3C4D5E" and got["party_b"].uscc == "91330201MA2H7K8L9P"
    # a line of the two columns mixes both: no representative is read rather than a wrong one
    assert got["party_a"].legal_representative is None and got["party_b"].legal_representative is None


def test_a_representative_s_name_stops_at_the_next_label_even_unspaced() -> None:
    got = _fields(DocType.CONTRACT,
                  "合同编号：ORD-7731",
                  "甲方：杭州青枫数据有限公司",
                  "法定代表人/负责人：周某某",
                  "乙方：宁波远岫云计算有限公司",
                  "法定代表人：吴某联系电话0574-6666")
    assert got["party_a"].legal_representative == "周某某"
    assert got["party_b"].legal_representative == "吴某"


def test_a_total_row_without_合计_sums_each_money_column_of_the_rows_above() -> None:
    # the rows end in 含税金额, 不含税金额 and 税额; the unnamed row under them adds up each
    # column, so it is the total row and no line of its own
    header = [(40, "序号"), (80, "结算月份"), (170, "服务内容"), (300, "计费数量"), (380, "单价（元）"),
              (460, "含税金额（元）"), (580, "不含税金额（元）"), (700, "税额（元）")]
    got = _ledger(header,
                  [(40, "1"), (80, "2025.01"), (170, "训练算力租用"), (300, "10,000 卡时"), (380, "10.60"),
                   (460, "106,000.00"), (580, "100,000.00"), (700, "6,000.00")],
                  [(40, "2"), (80, "2025.02"), (170, "训练算力租用"), (300, "5,000 卡时"), (380, "10.60"),
                   (460, "53,000.00"), (580, "50,000.00"), (700, "3,000.00")],
                  [(300, "15,000 卡时"), (460, "159,000.00"), (580, "150,000.00"), (700, "9,000.00")],
                  [(40, "含税金额合计（大写） 人民币壹拾伍万玖仟元整")])
    assert [i.amount for i in got["items"]] == [Decimal("106000.00"), Decimal("53000.00")]
    assert got["total_amount"] == Decimal("159000.00")
    assert (got["quantity"], got["unit"]) == (Decimal("15000"), "卡时")
    # each line covers the month in its 结算月份 cell
    assert [(str(i.period_start), str(i.period_end)) for i in got["items"]] == [
        ("2025-01-01", "2025-01-31"), ("2025-02-01", "2025-02-28")]


def test_a_second_month_billed_the_same_is_a_line_not_the_total() -> None:
    got = _ledger([(40, "服务项目"), (200, "计费期间"), (300, "数量"), (400, "单价（元）"),
                   (500, "金额（元）")],
                  [(40, "训练算力租用"), (200, "2025年04月"), (300, "100 卡·月"), (400, "1,500.00"),
                   (500, "150,000.00")],
                  [(40, "训练算力租用"), (200, "2025年05月"), (300, "100 卡·月"), (400, "1,500.00"),
                   (500, "150,000.00")],
                  [(40, "合计"), (500, "300,000.00")])
    assert [i.amount for i in got["items"]] == [Decimal("150000.00")] * 2
    assert got["total_amount"] == Decimal("300000.00")


def test_a_range_of_months_is_no_amount() -> None:
    # 2024.10-2024.12 looks like two amounts to the fen; the line's figures wrap below it
    got = _ledger([(40, "月份"), (170, "服务项目"), (300, "计量单位"), (380, "使用时长"),
                   (480, "金额（元）")],
                  [(40, "2024.10-2024.12"), (170, "训练算力租用"), (300, "卡时")],
                  [(380, "20,000"), (480, "300,000.00")],
                  [(40, "合计"), (480, "300,000.00")],
                  [(40, "本期使用时长合计：20,000卡时")])
    assert [(i.name, i.amount) for i in got["items"]] == [("训练算力租用", Decimal("300000.00"))]
    assert (got["quantity"], got["unit"]) == (Decimal("20000"), "卡时")


def test_a_document_number_whose_hyphen_ocr_read_as_a_colon() -> None:
    got = _fields(DocType.SETTLEMENT, "算力服务对账单",
                  "关联合同:SF:SL-2024-012 对账期间:2025年01月01日至2025年05月31日")
    assert got["contract_no"] == "SF-SL-2024-012"


def test_an_order_form_s_用户_and_服务提供方_are_its_parties() -> None:
    got = _cells_fields(DocType.CONTRACT,
                        [(40, "算力服务订购单")],
                        [(40, "合同编号：DG-2024-0031")],
                        [(40, "一、用户信息")],
                        [(40, "用户名称"), (140, "杭州青枫数据有限公司"), (400, "信用代码"),
                         (480, "91330106MA2B3C4D5E")],
                        [(40, "二、服务提供方信息")],
                        [(40, "服务提供方名称"), (160, "宁波远岫云计算有限公司"), (400, "信用代码"),
                         (480, "91330201MA2H7K8L9P")])
    assert got["party_a"].name == "杭州青枫数据有限公司" and got["party_a"].uscc == "91330106MA2B3C4D5E"
    assert got["party_b"].name == "宁波远岫云计算有限公司" and got["party_b"].uscc == "91330201MA2H7K8L9P"


def test_a_platform_s_daily_average_on_its_monthly_table_s_summary_row() -> None:
    header = [(40, "统计月份"), (140, "自然日数"), (240, "当月Tokens调用总量"), (420, "日均Tokens调用量")]
    got = _cells_fields(DocType.PLATFORM_LOG,
                        [(40, "算力平台运营情况统计")],
                        [(40, "运营单位：杭州青枫数据有限公司")],
                        [(40, "统计区间：2025年01月01日—2025年02月28日")],
                        header,
                        [(40, "（亿）")],
                        [(40, "2025-01"), (140, "31"), (240, "31,000,000,000"), (420, "1,000,000,000")],
                        [(40, "2025-02"), (140, "28"), (240, "33,600,000,000"), (420, "1,200,000,000")],
                        [(40, "统计期"), (140, "59"), (240, "64,600,000,000"), (420, "1,094,915,254")],
                        [(40, "注：统计期日均Tokens调用量＝统计期Tokens调用总量÷统计期自然日数。")])
    assert got["daily_tokens"] == 1094915254
    assert (str(got["period_start"]), str(got["period_end"])) == ("2025-01-01", "2025-02-28")
    # a figure on a summary row that no average could be (beyond every month's) is not taken
    beyond = _cells_fields(DocType.PLATFORM_LOG, header,
                           [(40, "2025-01"), (140, "31"), (240, "31,000,000,000"), (420, "1,000,000,000")],
                           [(40, "2025-02"), (140, "28"), (240, "33,600,000,000"), (420, "1,200,000,000")],
                           [(40, "合计"), (140, "59"), (240, "64,600,000,000"), (420, "2,200,000,000")])
    assert "daily_tokens" not in beyond


def test_a_usage_form_s_company_and_purpose_in_cells_beside_their_labels() -> None:
    got = _cells_fields(DocType.USAGE_STATEMENT,
                        [(40, "智能算力使用情况登记表")],
                        [(40, "使用单位"), (200, "杭州青枫数据有限公司")],
                        [(40, "算力使用用途"), (200, "租用的智能算力用于大模型预训练与精调。")],
                        [(40, "本单位承诺上述算力未用于其他用途。")])
    assert got["company"].name == "杭州青枫数据有限公司"
    assert got["purpose"] == "租用的智能算力用于大模型预训练与精调"


def test_a_price_table_whose_unit_is_a_cell_of_its_own_goes_by_its_headers() -> None:
    # 元/卡·月 stands in a 计费单位 cell before the figures: the header over each figure says
    # which is the price and which the quantity; their product is the contract's total
    got = _cells_fields(DocType.CONTRACT,
                        [(40, "算力服务合同")],
                        [(40, "合同编号：DG-2024-0031")],
                        [(40, "合同总金额：人民币伍佰壹拾万元整（¥5,100,000.00）")],
                        [(40, "附件一 报价单")],
                        [(300, "含税单价")],
                        [(40, "序号"), (80, "服务名称"), (200, "计费单位"), (400, "数量"),
                         (480, "金额（元）")],
                        [(300, "（元）")],
                        [(40, "1"), (80, "算力服务"), (200, "元/卡·月"), (300, "85,000.00"), (400, "60"),
                         (480, "5,100,000.00")])
    assert (got["unit_price"], got["quantity"], got["unit"]) == (Decimal("85000.00"), Decimal("60"), "卡·月")


def test_a_supplier_s_certificate_as_a_form_names_both_sides_in_its_rows() -> None:
    # the signature at the foot is misread by a letter (星徽 for 星澈); the rows are the form's
    got = _cells_fields(DocType.SUPPLIER_CERTIFICATE,
                        [(40, "算力供给企业证明（表）")],
                        [(40, "算力供给方"), (220, "宁波远岫云计算有限公司")],
                        [(40, "供给方统一社会信用代码"), (220, "91330201MA2H7K8L9P")],
                        [(40, "算力需求方（申报单位）"), (220, "杭州青枫数据有限公司")],
                        [(40, "需求方统一社会信用代码"), (220, "91330106MA2B3C4D5E")],
                        [(40, "合同编号"), (220, "DG-2024-0031")],
                        [(40, "我单位对上表所填内容的真实性负责。")],
                        [(40, "宁波远岫云计算右限公司")])
    assert got["supplier"].name == "宁波远岫云计算有限公司" and got["supplier"].uscc == "91330201MA2H7K8L9P"
    assert got["customer"].name == "杭州青枫数据有限公司" and got["customer"].uscc == "91330106MA2B3C4D5E"


def test_an_invoice_total_cut_off_is_its_total_in_words_when_amount_and_tax_make_it() -> None:
    lines = ("电子发票（增值税专用发票） 发票号码：25622638439859454496 开票日期：2025年04月12日",
             "项目名称 单位 数量 单价 金额 税率/征收率 税额",
             "*信息技术服务*算力服务 卡时 1000 100.00 100000.00 6% 6000.00",
             "合计 V100000.00 V6000.00",
             "价税合计（大写） 壹拾万零陆仟圆整 V10（）")
    got = _fields(DocType.INVOICE, *lines)
    assert got["total_amount"] == Decimal("106000.00")
    assert (got["amount_ex_tax"], got["tax_amount"]) == (Decimal("100000.00"), Decimal("6000.00"))
    # words that the amount and tax do not make give no total
    wrong = _fields(DocType.INVOICE, *lines[:-1], "价税合计（大写） 壹拾万零柒仟圆整 V10（）")
    assert "total_amount" not in wrong


def test_a_price_row_s_unit_is_its_own_cell_not_the_spec_beside_it() -> None:
    got = _cells_fields(DocType.CONTRACT,
                        [(40, "合同编号：DG-2024-0031")],
                        [(40, "资源类型"), (300, "计价单位"), (380, "含税单价"), (460, "数量"),
                         (540, "含税总价（元）")],
                        [(40, "智能算力（GPU）"), (180, "NVIDIA A800 80GB×120卡"), (330, "元/卡时"),
                         (380, "16.80"), (460, "1000"), (540, "16,800.00")])
    assert (got["unit"], got["unit_price"], got["quantity"]) == ("卡时", Decimal("16.80"), Decimal("1000"))


def test_a_banking_app_s_transfer_names_付款户名_and_转账时间() -> None:
    got = _fields(DocType.PAYMENT, "转账结果", "交易成功", "¥9,864,309.00",
                  "付款户名 杭州青枫数据有限公司", "付款账号 5070 **** **** 4050",
                  "收款户名 宁波远岫云计算有限公司", "收款账号 2483904381300414",
                  "大写金额 玖佰捌拾陆万肆仟叁佰零玖元整", "转账时间 2025-06-15 15:08:09",
                  "业务流水号 460057749357274063")
    assert got["payer"].name == "杭州青枫数据有限公司" and got["payee"].name == "宁波远岫云计算有限公司"
    assert str(got["payment_date"]) == "2025-06-15" and got["reference"] == "460057749357274063"


def test_a_statement_whose_table_is_unreadable_keeps_the_total_it_states_apart() -> None:
    got = _cells_fields(DocType.SETTLEMENT,
                        [(40, "算力服务费用确认函")],
                        [(40, "编号：JS-2025-0621")],
                        [(40, "本期费用合计（含税，元）"), (300, "大写金额")],
                        [(40, "12,211,200.00"), (300, "人民币壹仟贰佰贰拾壹万壹仟贰佰元整")],
                        [(40, "计费期间"), (300, "金额（元）")])
    assert got["total_amount"] == Decimal("12211200.00") and "items" not in got


def test_a_code_printed_after_another_company_is_named_is_that_company_s() -> None:
    # the cover names both parties without codes; the first party's block follows with its
    # code, under a role word no label list holds
    got = _fields(DocType.CONTRACT,
                  "算力服务合同",
                  "使用单位 杭州青枫数据有限公司",
                  "服务方 宁波远岫云计算有限公司",
                  "签订日期 2024-08-13",
                  "承租人（以下称使用单位）：杭州青枫数据有限公司",
                  "统一社会信用代码：91330106MA2B3C4D5E",
                  "服务方（以下简称“乙方”）：宁波远岫云计算有限公司",
                  "统一社会信用代码：91330201MA2H7K8L9P")
    assert got["party_b"].name == "宁波远岫云计算有限公司" and got["party_b"].uscc == "91330201MA2H7K8L9P"


def test_a_long_value_set_flush_left_under_its_label_runs_past_the_next_label() -> None:
    # 服务期间's period is wider than its cell: it starts under its label and ends under the
    # next one, whose own value stands further right
    got = _cells_fields(DocType.SETTLEMENT,
                        [(40, "算力服务费确认函")],
                        [(40, "服务期间"), (110, "计费卡时"), (300, "计量单位")],
                        [(40, "2024.06.01-2024.06.30"), (200, "480,229"), (300, "卡时")])
    assert (str(got["period_start"]), str(got["period_end"])) == ("2024-06-01", "2024-06-30")


def test_a_receipt_s_大写金额_is_its_words_and_its_figure_the_one_marked_as_money() -> None:
    got = _fields(DocType.PAYMENT, "电子回单", "转账成功", "¥8,387,196.50",
                  "付款户名 杭州青枫数据有限公司", "收款户名 宁波远岫云计算有限公司",
                  "大写金额 捌佰陆拾捌万柒仟壹佰玖拾陆元伍角", "转账时间 2025-01-17 12:02:22",
                  "手续费 0.00")
    assert got["amount"] == Decimal("8387196.50")
    assert got["amount_in_words"] == "捌佰陆拾捌万柒仟壹佰玖拾陆元伍角"


def test_a_receipt_s_figure_after_a_大写_label_and_its_contract_glued_to_the_period() -> None:
    got = _fields(DocType.PAYMENT, "结算业务回单",
                  "付款方户名 杭州青枫数据有限公司", "收款方户名 宁波远岫云计算有限公司",
                  "交易金额（大写) 捌佰陆拾伍万肆仟伍佰贰拾壹元伍角",
                  "交易金额（小写) CNY 8,654,521.50", "转账日期 2024年09月20日",
                  "附言 SU-CG-2024-07092024.07-2024.08算力服务费")
    assert got["amount"] == Decimal("8654521.50") and got["contract_no"] == "SU-CG-2024-0709"


def test_a_大写_amount_whose_start_ocr_misread_is_no_amount_in_words() -> None:
    # 壹仟玖佰零叁万… with 万 read as 方: the tail 肆仟柒佰叁拾元整 is not the amount
    got = _fields(DocType.PAYMENT, "结算业务回单", "付款方户名 杭州青枫数据有限公司",
                  "交易金额（小写） ¥19,034,730.00 交易金额（大写）壹仟玖佰零叁方肆仟柒佰叁拾元整",
                  "转账日期 2025-01-21 10:34:19")
    assert got["amount"] == Decimal("19034730.00") and "amount_in_words" not in got


def test_a_semicolon_right_after_a_label_is_its_colon_misread() -> None:
    got = _fields(DocType.INVOICE, "电子发票（增值税专用发票）", "发票号码;24312983242719977981",
                  "开票日期：2024年10月11日")
    assert got["invoice_no"] == "24312983242719977981"
