"""General reading mechanisms on hand-made pages: characters stacked one per line, totals
that follow a unit price, first-person letters."""

from __future__ import annotations

from decimal import Decimal

from extractors.contract import TOTAL, _total, _unit
from extractors.entities import Label, entities
from extractors.layout import DocText, page_lines
from model.base import Source
from model.document import Page, Word
from policy.rules import load_rules


def _page(words: list[tuple[str, tuple[float, float, float, float]]]) -> Page:
    return Page(number=1, width=595, height=400, source=Source.TEXT,
                words=[Word(text=t, bbox=b, confidence=1.0) for t, b in words])


def _lines(*texts: str) -> DocText:
    return DocText.from_pages([_page([(t, (60, 60 + 20 * i, 60 + 11 * len(t), 72 + 20 * i))
                                      for i, t in enumerate(texts)])])


def test_a_heading_printed_one_character_per_line_is_one_word() -> None:
    column = [(ch, (16.0, 93.0 + 10 * i, 25.0, 102.0 + 10 * i)) for i, ch in enumerate("购买方信息")]
    page = _page([*column, ("名称：广州某某科技有限公司", (32.0, 96.0, 165.0, 105.0))])
    texts = [line.text for line in page_lines(page)]
    assert any("购买方信息" in t for t in texts)
    assert any(t.endswith("名称：广州某某科技有限公司") for t in texts)


def test_one_character_cells_of_a_table_column_stay_apart() -> None:
    # rows a table's pitch apart: no heading, each cell keeps its line
    cells = [(ch, (300.0, 100.0 + 24 * i, 309.0, 109.0 + 24 * i)) for i, ch in enumerate("台台台")]
    texts = [line.text for line in page_lines(_page(cells))]
    assert texts == ["台", "台", "台"]


def test_a_unit_price_before_the_total_is_not_the_total() -> None:
    dt = _lines("第三条 合同价款",
                "1. 算力服务单价为人民币10,200.00元/卡·月（含税），甲方租用728卡。",
                "2. 本合同合同价款为17821.44万元（大写：壹亿柒仟捌佰贰拾壹万肆仟肆佰元整）。")
    found = _total(dt, TOTAL)
    assert found is not None and found.value == Decimal("178214400")


def test_a_total_its_own_words_repeat_beats_an_earlier_bare_one() -> None:
    dt = _lines("合同金额：100.00元（暂定）",
                "合同总金额：人民币262,866,240.00元（大写：贰亿陆仟贰佰捌拾陆万陆仟贰佰肆拾元整）")
    found = _total(dt, TOTAL)
    assert found is not None and found.value == Decimal("262866240.00")


def test_a_note_after_a_billing_unit_is_not_part_of_it() -> None:
    assert _unit("卡·月（含税）", load_rules()) == "卡·月"


def test_a_letter_s_first_person_is_not_part_of_a_name() -> None:
    text = ("兹证明，我公司杭州某某智算科技有限公司（统一社会信用代码：913301061204731361）"
            "与北京某某信息技术有限公司（统一社会信用代码：911101064133159594）签订了合同。")
    names = [e.value for e in entities(text) if e.label is Label.ORG]
    assert names == ["杭州某某智算科技有限公司", "北京某某信息技术有限公司"]


def test_a_grid_label_alone_in_its_cell_takes_the_next_cell() -> None:
    from extractors.lexicon import label

    customer = label("settlement.customer")
    assert customer.search("客户名称 北京某某科技有限公司 统一社会信用代码 91110302MA07HYUU51")
    assert customer.search("本客户名称") is None


def test_a_letter_speaks_for_the_company_it_calls_itself() -> None:
    from extractors.common import letter_writer

    dt = _lines("智能算力使用情况说明",
                "北京某某数据科技股份有限公司（以下简称“我公司”）主要从事人工智能研发。",
                "根据与贵州某某云计算有限公司签订的算力服务合同，我公司租用算力。")
    found = letter_writer(dt)
    assert found is not None and found.value == "北京某某数据科技股份有限公司"


def test_a_scan_s_first_line_is_its_title_though_printed_no_larger() -> None:
    from extractors.classify import classify

    lines = ["算力资源供给证明", "北京市经济和信息化局：",
             "兹证明，我公司杭州某某数据服务有限公司与北京某某信息技术有限公司签订了《智算服务合同》，",
             "向其提供智能算力租赁服务。", "特此证明。"]
    page = _page([(t, (60, 60 + 20 * i, 60 + 11 * len(t), 72 + 20 * i)) for i, t in enumerate(lines)])
    assert classify([page]).doc_type.value == "supplier_certificate"
