"""The spaCy entity layer: real document lines, offsets back to word boxes, one corpus application."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pdfplumber
import pytest
from spacy.language import Language
from stdnum.cn import uscc

from extractors.entities import Entity, Label, build_nlp, entities, locate_entities, text_to_candidates
from extractors.layout import DocText
from model.base import Source
from model.document import Page, Word
from tests.conftest import SAMPLE_DOCS

CODE_BASE = "91110108MA01ABCD1"
CODE = CODE_BASE + uscc.calc_check_digit(CODE_BASE)
APP = "APP-2025-0001"


@pytest.fixture(scope="module")
def nlp() -> Language:
    return build_nlp()


def ents(nlp: Language, text: str) -> list[tuple[str, str, Any]]:
    return [(e.label_, e.text, e._.value) for e in nlp(text).ents]


def test_pipeline_is_blank_chinese_with_one_component(nlp: Language) -> None:
    assert nlp.lang == "zh"
    assert nlp.pipe_names == ["voucher_entities"]
    assert build_nlp() is nlp


def test_party_line(nlp: Language) -> None:
    assert uscc.is_valid(CODE)
    assert ents(nlp, f"甲方：北京星河智算科技有限公司 统一社会信用代码：{CODE}") == [
        ("ORG", "北京星河智算科技有限公司", "北京星河智算科技有限公司"),
        ("USCC", CODE, CODE),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "合同总金额（含税）：人民币¥96,000,000.00（大写：玖仟陆佰万元整）",
            [("MONEY", "人民币¥96,000,000.00", Decimal("96000000")),
             ("MONEY", "玖仟陆佰万元整", Decimal("96000000"))],
        ),
        ("合同总价：9600万元", [("MONEY", "9600万元", Decimal("96000000"))]),
        ("合同总价：1.2亿元", [("MONEY", "1.2亿元", Decimal("120000000"))]),
        (
            "价税合计（大写） ⓧ壹仟贰佰万元整 （小写）¥12000000.00",
            [("MONEY", "ⓧ壹仟贰佰万元整", Decimal("12000000")),
             ("MONEY", "¥12000000.00", Decimal("12000000"))],
        ),
        (
            "价税合计（大写） ⓧ叁仟伍佰伍拾壹万零肆佰圆整",
            [("MONEY", "ⓧ叁仟伍佰伍拾壹万零肆佰圆整", Decimal("35510400"))],
        ),
        ("人民币玖仟陆佰万元整", [("MONEY", "人民币玖仟陆佰万元整", Decimal("96000000"))]),
    ],
)
def test_money(nlp: Language, text: str, expected: list[tuple[str, str, Decimal]]) -> None:
    assert ents(nlp, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("开票日期：2024年09月05日", [("DATE", "2024年09月05日", date(2024, 9, 5))]),
        ("签订日期：二〇二四年六月一日", [("DATE", "二〇二四年六月一日", date(2024, 6, 1))]),
        ("日期：2024-06-01", [("DATE", "2024-06-01", date(2024, 6, 1))]),
        (
            "服务期限自二〇二四年六月一日起至二〇二五年五月三十一日止",
            [("DATE_RANGE", "自二〇二四年六月一日起至二〇二五年五月三十一日止",
              (date(2024, 6, 1), date(2025, 5, 31)))],
        ),
        (
            "对账期间： 2024年07月01日—2024年12月31日",
            [("DATE_RANGE", "2024年07月01日—2024年12月31日", (date(2024, 7, 1), date(2024, 12, 31)))],
        ),
        (
            "结算周期 2024.09.01 至 2025.05.31",
            [("DATE_RANGE", "2024.09.01 至 2025.05.31", (date(2024, 9, 1), date(2025, 5, 31)))],
        ),
        (
            "2024年6月1日至12月31日",
            [("DATE_RANGE", "2024年6月1日至12月31日", (date(2024, 6, 1), date(2024, 12, 31)))],
        ),
    ],
)
def test_dates(nlp: Language, text: str, expected: list[tuple[str, str, Any]]) -> None:
    assert ents(nlp, text) == expected


def test_percent_and_document_numbers(nlp: Language) -> None:
    assert ents(nlp, "税率 6%") == [("PERCENT", "6%", Decimal("0.06"))]
    assert ents(nlp, "增值税税率 13%") == [("PERCENT", "13%", Decimal("0.13"))]
    assert ents(nlp, "合同编号：SL-AI-2024-049 发票代码： 011006597708 发票号码： 70055203") == [
        ("DOCNO", "SL-AI-2024-049", "SL-AI-2024-049"),
        ("DOCNO", "011006597708", "011006597708"),
        ("DOCNO", "70055203", "70055203"),
    ]
    assert ents(nlp, "结算单号:ST2024127162 流水号 2024090512345 上线批号：PL-2024-07") == [
        ("DOCNO", "ST2024127162", "ST2024127162"),
        ("DOCNO", "2024090512345", "2024090512345"),
        ("DOCNO", "PL-2024-07", "PL-2024-07"),
    ]


def test_payee_and_bank(nlp: Language) -> None:
    assert ents(nlp, "收款人 户名：上海算力云服务有限公司 开户银行：招商银行上海分行") == [
        ("ORG", "上海算力云服务有限公司", "上海算力云服务有限公司"),
        ("ORG", "招商银行上海分行", "招商银行上海分行"),
    ]
    # the longest span wins over the company name inside it
    assert ents(nlp, "开户行：中国工商银行股份有限公司北京望京支行") == [
        ("ORG", "中国工商银行股份有限公司北京望京支行", "中国工商银行股份有限公司北京望京支行"),
    ]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("兹证明北京星河智算科技有限公司为我司客户", "北京星河智算科技有限公司"),
        ("关于凌云人工智能科技（北京）有限公司的算力补贴情况说明", "凌云人工智能科技（北京）有限公司"),
        ("甲方（盖章）凌云人工智能科技（北京）有限公司", "凌云人工智能科技（北京）有限公司"),
        ("名称：长河智信息技术(北京)股份有限公司", "长河智信息技术（北京）股份有限公司"),
        ("中国科学院计算技术研究所", "中国科学院计算技术研究所"),
        ("供方：北京智源人工智能研究院", "北京智源人工智能研究院"),
        ("2024年6月1日北京博远数据科技有限公司", "北京博远数据科技有限公司"),
        ("华北算力集团有限公司", "华北算力集团有限公司"),
        ("北京青藤云科技有限责任公司", "北京青藤云科技有限责任公司"),
        ("第三条（凌云人工智能科技（北京）有限公司承担", "凌云人工智能科技（北京）有限公司"),
        ("甲方应在收到发票后向睿图云计算（苏州）有限公司支付", "睿图云计算（苏州）有限公司"),
        ("中国移动通信集团有限公司北京分公司", "中国移动通信集团有限公司北京分公司"),
    ],
)
def test_org_names_without_their_labels(nlp: Language, text: str, name: str) -> None:
    assert [value for label, _, value in ents(nlp, text) if label == "ORG"] == [name]


def test_two_names_joined_by_a_conjunction(nlp: Language) -> None:
    text = "本合同由凌云人工智能科技（北京）有限公司与睿图云计算（苏州）有限公司签订"
    assert [t for label, t, _ in ents(nlp, text) if label == "ORG"] == [
        "凌云人工智能科技（北京）有限公司", "睿图云计算（苏州）有限公司",
    ]


def test_no_entities_in_plain_prose(nlp: Language) -> None:
    assert ents(nlp, "乙方按月统计算力使用量并出具结算单，经甲方确认后开具增值税发票") == []


def test_overlaps_are_resolved_longest_first() -> None:
    text = "自2024年7月1日起至2025年6月30日止"
    labels = {e.label for e in text_to_candidates(text)}
    assert labels == {Label.DATE, Label.DATE_RANGE}
    assert [e.label for e in entities(text)] == [Label.DATE_RANGE]


def test_entities_are_plain_dataclasses() -> None:
    text = f"乙方：上海算力云服务有限公司 统一社会信用代码：{CODE} 税率 6%"
    found = entities(text)
    assert found == [
        Entity(Label.ORG, "上海算力云服务有限公司", 3, 14, "上海算力云服务有限公司"),
        Entity(Label.USCC, CODE, 24, 42, CODE),
        Entity(Label.PERCENT, "6%", 46, 48, Decimal("0.06")),
    ]
    assert all(text[e.start:e.end] == e.text for e in found)


def test_offsets_map_back_to_word_boxes() -> None:
    page = Page(number=1, width=595, height=842, source=Source.TEXT, words=[
        Word(text="甲方：", bbox=(50, 100, 80, 112), confidence=1.0),
        Word(text="北京星河智算科技有限公司", bbox=(90, 100, 210, 112), confidence=1.0),
        Word(text="开户行：招商银行上海分行", bbox=(50, 130, 170, 142), confidence=0.9),
    ])
    located = locate_entities(DocText.from_pages([page]))
    assert [(e.text, p, box) for e, p, box in located] == [
        ("北京星河智算科技有限公司", 1, (90.0, 100.0, 210.0, 112.0)),
        # glued to its label: the box is cut to the name's share of the word
        ("招商银行上海分行", 1, (90.0, 130.0, 170.0, 142.0)),
    ]


# --- one corpus application, read from its text layers ------------------------------------


def pdf_pages(path: Any) -> list[Page]:
    with pdfplumber.open(path) as pdf:
        return [
            Page(number=i, width=float(p.width), height=float(p.height), source=Source.TEXT,
                 words=[Word(text=w["text"], bbox=(w["x0"], w["top"], w["x1"], w["bottom"]),
                             confidence=1.0) for w in p.extract_words()])
            for i, p in enumerate(pdf.pages, start=1)
        ]


@pytest.fixture(scope="module")
def corpus_entities() -> list[tuple[Entity, int | None, Any]]:
    out: list[tuple[Entity, int | None, Any]] = []
    for path in sorted((SAMPLE_DOCS / "inbox" / APP).glob("*.pdf")):
        pages = pdf_pages(path)
        if any(page.words for page in pages):
            out += locate_entities(DocText.from_pages(pages))
    return out


def test_corpus_application(corpus_entities: list[tuple[Entity, int | None, Any]]) -> None:
    truth = json.loads((SAMPLE_DOCS / "truth" / f"{APP}.json").read_text(encoding="utf-8"))
    contract = next(f["fields"] for f in truth["files"].values() if f["doc_type"] == "contract")
    orgs = {e.value for e, _, _ in corpus_entities if e.label == Label.ORG}
    money = {e.value for e, _, _ in corpus_entities if e.label == Label.MONEY}
    assert contract["party_a"]["name"] in orgs
    assert contract["party_b"]["name"] in orgs
    assert Decimal(contract["total_amount"]) in money
    codes = {e.value for e, _, _ in corpus_entities if e.label == Label.USCC}
    assert {contract["party_a"]["uscc"], contract["party_b"]["uscc"]} <= codes
    assert contract["contract_no"] in {e.value for e, _, _ in corpus_entities if e.label == Label.DOCNO}
    assert all(page is not None and box is not None for _, page, box in corpus_entities)
