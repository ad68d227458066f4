"""What every field extractor shares: finding a labelled value and recording where it was.

An extractor searches the document text for a label (发票号码, 甲方, 结算周期 …) and
reads the value that follows it on the same line, or at the start of the next line.
Each value becomes a ``Field`` with the page, box, source and confidence of its
characters. A value that cannot be read is recorded as missing with a reason.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from extractors import parsers
from extractors.entities import Label, entities
from extractors.layout import DocText, Piece
from model.base import Support
from model.document import Field, Missing, MoneyField, NumberField, Page, Party
from policy.rules import Rules

ORG_TAIL = r"(?:股份有限公司|有限责任公司|有限公司|集团公司|研究院|研究所|合伙企业（有限合伙）|合伙企业)"
ORG_RE = re.compile(r"[\u4e00-\u9fa5A-Za-z][\u4e00-\u9fa5A-Za-z0-9（）()·&\- ]{1,47}?" + ORG_TAIL
                    + r"(?:(?:(?!公司|与|和|及)[\u4e00-\u9fa5]){1,10}?分公司)?")
"""A company name up to its legal form, with a branch written after it (…有限公司第一分公司)."""
SEP = r"[ \t]*[:：]?[ \t]*"


BY_LABEL = (Support.LABEL, Support.TYPE)
"""A value found where its label points, parsed as its type."""
BY_TYPE = (Support.TYPE,)
"""A value found by its type alone (the company a letter names as its writer), no label."""


@dataclass
class Found:
    """A value with the span of text it was read from."""

    value: Any
    start: int
    end: int
    code_span: tuple[int, int] | None = None
    """For a party: where its credit code was read, so a finding about the code boxes it."""
    by: tuple[Support, ...] = BY_LABEL
    """How it was found: where a label points (most values), or by its type alone."""


def _missing(reason: str | Missing) -> Missing:
    """A reason given as words alone means reading did not find the value."""
    return reason if isinstance(reason, Missing) else Missing.unread(reason)


@dataclass
class Extraction:
    """The fields of one document and the reasons for those it could not read."""

    dt: DocText
    rules: Rules
    """The rules file in force: its billing units, VAT rates and tolerances."""
    pages: list[Page] = field(default_factory=list)
    fields: dict[str, Field[Any]] = field(default_factory=dict)
    missing: dict[str, Missing] = field(default_factory=dict)

    def put(self, name: str, found: Found | None, reason: str | Missing, kind: type = Field,
            confidence: float | None = None) -> None:
        """Record ``found`` as field ``name`` with provenance and how it was found, or ``reason``
        as missing (words alone: reading did not find it)."""
        if found is None or found.value is None:
            self.missing.setdefault(name, _missing(reason))
            return
        page, bbox, source, conf = self.dt.locate(found.start, found.end)
        value = found.value
        if isinstance(value, Party) and found.code_span is not None:
            code_page, code_box, _, _ = self.dt.locate(*found.code_span)
            if code_page == page and code_box is not None:
                value = value.model_copy(update={"uscc_bbox": code_box})
        self.fields[name] = kind(value=value, page=page, bbox=bbox, source=source,
                                 confidence=round(conf if confidence is None else confidence, 3),
                                 evidence=list(found.by))
        self.missing.pop(name, None)

    def money(self, name: str, found: Found | None, reason: str | Missing,
              confidence: float | None = None) -> None:
        self.put(name, found, reason, MoneyField, confidence)

    def number(self, name: str, found: Found | None, reason: str | Missing,
               confidence: float | None = None) -> None:
        self.put(name, found, reason, NumberField, confidence)


def after_label(dt: DocText, label: re.Pattern[str], parse: Callable[[str], Found | None],
                *, start: int = 0, end: int | None = None, next_line: bool = True,
                nth: int = 0, within: bool = False) -> Found | None:
    """The first value ``parse`` finds after a label: on the label's line, else the next.
    Only words of no weight may stand between (``governs``), unless the label heads free text
    and the value is a part of it (``within``: a contract number in a payment's 用途).

    ``parse`` gets the text after the label and returns a Found with offsets relative
    to that text; they are shifted to document offsets here."""
    seen = 0
    for m in label.finditer(dt.text, start, end if end is not None else len(dt.text)):
        found = value_at(dt, m, parse, next_line=next_line, within=within)
        if found is not None:
            if seen == nth:
                return found
            seen += 1
    return None


def value_at(dt: DocText, m: re.Match[str], parse: Callable[[str], Found | None], *,
             next_line: bool = True, within: bool = False) -> Found | None:
    """The value ``parse`` finds after the label matched by ``m`` (``after_label``), at
    document offsets."""
    text = dt.text
    line_end = text.find("\n", m.end())
    line_end = len(text) if line_end < 0 else line_end
    found = parse(text[m.end():line_end])
    base, rest = m.end(), ""
    if found is None and next_line and line_end < len(text):
        # what follows the label in its own word (上线批号，于⏎2024-06-04…) stands between too;
        # the other labels of a row do not
        own = dt.words_in(m.end() - 1, m.end())
        rest = text[m.end():min(own[-1].end, line_end)] if own else ""
        below = under(dt, m.start(), m.end(), line_end + 1)
        if below is not None:
            found = parse(text[below[0]:below[1]])
            base = below[0]
            if found is not None and _column_goes_on(dt, m, below[1], parse):
                found = None  # a column's header over many values governs none of them
    if found is not None and not within and not governs(rest + text[base:base + found.start]):
        found = None  # words between: the label speaks of something else (a formula, a sentence)
    return None if found is None else Found(found.value, base + found.start, base + found.end)


def _column_goes_on(dt: DocText, label: re.Match[str], end: int,
                    parse: Callable[[str], Found | None]) -> bool:
    """Whether the label is one of a row of headers and the line after its value holds another
    such value in its column: it heads a table's column (a row a month), not one value."""
    line_end = dt.text.find("\n", end)
    if not _beside(dt, label.start(), label.end()) or line_end < 0 or line_end + 1 >= len(dt.text):
        return False
    again = under(dt, label.start(), label.end(), line_end + 1)
    return again is not None and parse(dt.text[again[0]:again[1]]) is not None


def _beside(dt: DocText, start: int, end: int) -> list[Piece]:
    """The other words on the line of the label at ``start:end``."""
    row = dt.words_in(dt.line_starts[dt.line_index(start)], start) + dt.words_in(end, dt.text.find("\n", end))
    label = dt.words_in(start, end)
    return [p for p in row if p not in label]


def under(dt: DocText, start: int, end: int, next_start: int) -> tuple[int, int] | None:
    """The span of the line starting at ``next_start`` that stands under the label at
    ``start:end``: the whole line when the label stands alone on its own; when it is one of a
    row of labels (a card's or a table's header), only the words whose middle falls between
    its neighbours, that is in its column. None when nothing stands there."""
    text = dt.text
    nxt_end = text.find("\n", next_start)
    nxt_end = len(text) if nxt_end < 0 else nxt_end
    label = dt.words_in(start, end)
    beside = _beside(dt, start, end)
    if not label or not beside:
        return next_start, nxt_end
    box = [p.box for p in label]
    x0, x1 = box[0][0], box[-1][2]
    others = [p.box for p in beside]
    # the column runs halfway to the neighbouring labels: a value sits under its label, left,
    # centred or right, but never nearer another label than its own
    left = max(((b[2] + x0) / 2 for b in others if b[2] <= x0 + 1), default=float("-inf"))
    right = min(((x1 + b[0]) / 2 for b in others if b[0] >= x1 - 1), default=float("inf"))
    column: list[Piece] = []
    height = box[0][3] - box[0][1]
    for p in dt.words_in(next_start, nxt_end):
        if left <= (p.box[0] + p.box[2]) / 2 < right:
            column.append(p)
        elif not column and abs(p.box[0] - x0) <= height and p.box[0] < right:
            column.append(p)  # a long value set flush left under its label, running on past it
        elif column and p.box[0] < right and p.box[0] - column[-1].box[2] < p.box[3] - p.box[1]:
            column.append(p)  # a long value runs on past the midpoint, a word-space after its start
    if not column:
        return None
    return max(next_start, column[0].start), min(nxt_end, column[-1].end)


ASIDE = re.compile(r"[（(][^（()）\n]{0,12}[)）]")
"""A short remark in brackets between a label and its value: （元）, （小写）, （含税）."""
FILLER = re.compile(r"人民币|RMB|CNY|合计|总计|共计|[为是约共计元整圆角分]"
                    r"|[零〇壹贰叁肆伍陆柒捌玖拾佰仟万亿]")
"""Words that stand between a label and its value without changing what it says: the
currency, 为, and an amount in 大写 printed before the same amount in figures."""
CLAUSE = re.compile(r"[，。；;]")
"""Marks that end a clause: a label followed by one is a word of a sentence, not a label."""
MAX_BETWEEN = 4
"""Letters a label's value may stand after besides those: a sub-label under a merged one
(收款人 · 全称) is a few; a sentence or a formula (＝…÷…（365天）) is many."""


def governs(between: str) -> bool:
    """Whether a label still governs a value with ``between`` standing between them: not
    across a clause (上线批号，于 2024-09-05 正式上线), not past a few letters of a sub-label.
    A semicolon right after the label is its colon, misread (发票号码;2431…)."""
    rest = FILLER.sub("", ASIDE.sub("", re.sub(r"^;", "", between)))
    return not CLAUSE.search(rest) and len(re.findall(r"[\w]", rest)) <= MAX_BETWEEN


def regex_parser(pattern: str, convert: Callable[[str], Any] = str.strip,
                 group: int = 1) -> Callable[[str], Found | None]:
    """A parser taking the first match of ``pattern`` (searched from the start)."""
    compiled = re.compile(pattern)

    def parse(text: str) -> Found | None:
        m = compiled.search(text)
        if not m:
            return None
        value = convert(m.group(group))
        return Found(value, m.start(group), m.end(group)) if value is not None else None

    return parse


def org_after(text: str) -> Found | None:
    """The company name at the head of ``text`` (after separators), spaces inside removed."""
    m = re.match(r"[ \t:：]*", text)
    offset = m.end() if m else 0
    org = ORG_RE.match(text, offset)
    if not org:
        return None
    name = re.sub(r"\s", "", org.group(0))
    name = name.replace("(", "（").replace(")", "）")
    return Found(name, org.start(), org.end())


LABEL_WORDS = re.compile(r"识别号|信用代码|名\s?称|地\s?址|电\s?话|开户|账\s?号|[盖签]\s?章|签\s?字")
"""Words of the labels around a party (its code, name, address, telephone, bank, account, seal):
text holding one is a label, or labels run together with a value, never a name."""
NOT_A_NAME = re.compile(LABEL_WORDS.pattern + r"|^[\d\W_]+$")


def cell_after(dt: DocText, pos: int) -> Found | None:
    """What is printed right after ``pos`` in the same cell: the rest of the word holding
    ``pos`` (a text-layer word or an OCR segment ends at a gap), or, when the label ends its
    word, the next word of the line. Separators are skipped; None if nothing is there."""
    here = dt.words_in(pos, pos + 1)
    if here and here[0].end > pos:
        start, end = pos, here[0].end
    else:
        line = dt.text.find("\n", pos)
        after = [p for p in dt.pieces if p.start >= pos and (line < 0 or p.end <= line)]
        if not after:
            return None
        start, end = after[0].start, after[0].end
    text = dt.text[start:end]
    lead = len(text) - len(text.lstrip(" \t:："))
    value = text[lead:].strip()
    return Found(value, start + lead, start + lead + len(value)) if value else None


def name_after(dt: DocText, pos: int) -> Found | None:
    """A party's name printed after a 名称-like label at ``pos``: a company name when one
    is there, else the whole cell (a person, a government office, a school); never another
    label or a bare number."""
    line_end = dt.text.find("\n", pos)
    org = org_after(dt.text[pos:line_end if line_end >= 0 else len(dt.text)])
    if org is not None:
        return Found(org.value, pos + org.start, pos + org.end)
    cell = cell_after(dt, pos)
    if cell is None or not 2 <= len(cell.value) <= 60 or NOT_A_NAME.search(cell.value):
        return None
    if not re.fullmatch(r"[ \t]*[:：]?", dt.text[pos:cell.start]) or (
            " " in dt.text[pos:cell.start] and not re.search(r"[:：]", dt.text[pos:cell.start])):
        return None  # a value in the next cell only after a colon (名称： 值), never a neighbour
    return Found(cell.value.replace("(", "（").replace(")", "）"), cell.start, cell.end)


SELF_REFERENCE = re.compile(r"\s*[（(]\s*(?:以下)?简称\s*[“\"「]?\s*(?:我|本)(?:公司|单位|司)")
"""（以下简称“我公司”） right after a name: the letter's writer introduces itself."""
FIRST_PERSON_BEFORE = re.compile(r"(?:我|本)(?:公司|单位|司)\s?[（(]?\s?$")
"""我公司 right before a name, or before the bracket that names it: 我公司（杭州…有限公司，…）."""
SIGNING_LINES = 4
"""How many closing lines of a letter hold its signature block."""
LETTERHEAD_LINES = 2
"""How many opening lines of a letter hold its letterhead."""


def letter_writer(dt: DocText) -> Found | None:
    """The company a letter speaks for (its 我公司/本单位): the one it introduces as such
    (…有限公司（以下简称“我公司”）), else the one named right after a first-person word
    (我公司杭州…有限公司), else the one signing alone on a line at its foot, else the one
    alone at the head of its first page (its letterhead)."""
    orgs = [e for e in entities(dt.text) if e.label is Label.ORG]
    for org in orgs:
        if SELF_REFERENCE.match(dt.text, org.end):
            return Found(org.value, org.start, org.end, by=BY_TYPE)
    for org in orgs:
        if FIRST_PERSON_BEFORE.search(dt.text, max(org.start - 6, 0), org.start):
            return Found(org.value, org.start, org.end, by=BY_TYPE)
    foot = dt.line_starts[-SIGNING_LINES] if len(dt.line_starts) >= SIGNING_LINES else 0
    for org in reversed(orgs):
        line = dt.lines[dt.line_index(org.start)].text
        alone = line.strip(" ：:") == org.value or dt.text[org.start - 1:org.start] in ("：", ":")
        if org.start >= foot and alone:
            return Found(org.value, org.start, org.end, by=BY_TYPE)
    head = dt.line_starts[LETTERHEAD_LINES] if len(dt.line_starts) > LETTERHEAD_LINES else len(dt.text)
    for org in orgs:
        if org.start < head and dt.lines[dt.line_index(org.start)].text.strip() == org.value:
            return Found(org.value, org.start, org.end, by=BY_TYPE)
    return None


ADDRESSEE = re.compile(r"^\s*(?:致|尊敬的)\s*[:：]?", re.MULTILINE)
"""How a letter opens on the company it is written to: 致：…, 尊敬的…："""


def addressee(dt: DocText) -> Found | None:
    """The company a letter is written to, named at its opening (致：北京…有限公司)."""
    for m in ADDRESSEE.finditer(dt.text):
        line_end = dt.text.find("\n", m.end())
        name = org_after(dt.text[m.end():len(dt.text) if line_end < 0 else line_end])
        if name is not None:
            return Found(name.value, m.end() + name.start, m.end() + name.end, by=BY_TYPE)
    return None


def party(name: Found | None, uscc: Found | None) -> Found | None:
    """A party value from a name and an optional credit code, spanning the name."""
    if name is None or LABEL_WORDS.search(name.value):
        return None  # labels read as part of the name (a row of labels above a row of values)
    if uscc is not None and not parsers.uscc_fits_name(uscc.value, name.value):
        uscc = None  # another company's code, printed nearby (内蒙古… beside a Beijing code)
    return Found(Party(name=name.value, uscc=uscc.value if uscc else None), name.start, name.end,
                 (uscc.start, uscc.end) if uscc else None, name.by)


# --- parsers shaped for after_label ---------------------------------------------------------

CN_NUMERAL = re.compile(r"[零壹贰叁肆伍陆柒捌玖拾佰仟]")


def amount_parser(text: str) -> Found | None:
    """The first amount in figures after a label, else the first in 大写: where a line prints
    both (金额（大写）… 金额（小写）¥…), the figures are exact to the fen, while a 大写
    amount wrapped onto the next line (…柒元陆 / 角) would read short."""
    hits = parsers.text_to_amounts(text)
    figures = [h for h in hits if not CN_NUMERAL.search(text[h[1]:h[2]])]
    best = (figures or hits)[:1]
    return Found(best[0][0], best[0][1], best[0][2]) if best else None


TIME = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?")


def date_parser(text: str) -> Found | None:
    # a time glued to the date (2025-01-2711:00:56) is blanked out, keeping offsets
    hits = parsers.text_to_dates(TIME.sub(lambda m: " " * len(m.group(0)), text))
    return Found(hits[0][0], hits[0][1], hits[0][2]) if hits else None


def int_parser(text: str) -> Found | None:
    """The first count after a label; a number of a time unit (1月, 30日, 365天) is no count."""
    m = re.search(r"\d[\d,，.]*\s*(?:万亿|亿|万)?", text)
    if not m or re.match(r"\s*[年月日天号时]", text[m.end():]):
        return None
    value = parsers.text_to_int(m.group(0))
    return Found(value, m.start(), m.end()) if value is not None else None


def code_parser(min_len: int = 5) -> Callable[[str], Found | None]:
    """A document number: letters, digits and hyphens, at least ``min_len`` long. A colon
    between its letters or digits (SF:SL-2024-012) is a hyphen OCR misread: no document
    number holds one, and the label's own colon stands before it."""
    body = r"(?:[A-Za-z0-9\-_/]|[:：](?=[A-Za-z0-9]))"
    return regex_parser(r"[ \t:：]*([A-Za-z0-9]" + body + "{" + str(min_len - 1) + ",})",
                        convert=lambda code: INNER_COLON.sub("-", code.strip()))


INNER_COLON = re.compile(r"(?<=[A-Za-z0-9])[:：](?=[A-Za-z0-9])")


def digits_parser(*lengths: int) -> Callable[[str], Found | None]:
    alternatives = "|".join(rf"\d{{{n}}}" for n in sorted(lengths, reverse=True))
    return regex_parser(rf"(?<!\d)({alternatives})(?!\d)")


def window(dt: DocText, pos: int, n_lines: int) -> tuple[str, list[int]]:
    """Text from ``pos`` to the end of the ``n_lines``-th line, newlines removed, with a map
    from each character back to its document offset (wrapped paragraphs read as one); a line
    ending in an amount to the fen keeps a space before a next line opening with a figure."""
    chars: list[str] = []
    offsets: list[int] = []
    seen = 0
    for i in range(pos, len(dt.text)):
        ch = dt.text[i]
        if ch == "\n":
            seen += 1
            if seen >= n_lines:
                break
            if ENDS_IN_CENTS.search(dt.text, max(0, i - 4), i) and dt.text[i + 1:i + 2].isdigit():
                chars.append(" ")  # an amount ends its line: the next line's figure is another
                offsets.append(i)
            continue
        chars.append(ch)
        offsets.append(i)
    return "".join(chars), offsets


ENDS_IN_CENTS = re.compile(r"\d\.\d{2}$")


def whole(dt: DocText) -> tuple[str, list[int]]:
    """The whole document as ``window`` joins it (every wrap read as one), with its map."""
    return window(dt, 0, len(dt.lines) + 1)


def in_window(dt: DocText, pos: int, n_lines: int,
              parse: Callable[[str], Found | None]) -> Found | None:
    text, offsets = window(dt, pos, n_lines)
    found = parse(text)
    if found is None or found.end <= found.start:
        return found
    return Found(found.value, offsets[found.start], offsets[found.end - 1] + 1)


def period_parser(text: str) -> Found | None:
    period = parsers.text_to_period(text)
    if period is None:
        return None
    dates = parsers.text_to_dates(text)
    start = dates[0][1] if dates else 0
    end = dates[1][2] if len(dates) > 1 else len(text)
    return Found(period, start, end)


def uscc_between(dt: DocText, start: int, end: int) -> Found | None:
    """The first credit code between two document offsets."""
    found = first_uscc(dt.text[start:end])
    return None if found is None else Found(found.value, start + found.start, start + found.end)


def first_uscc(text: str) -> Found | None:
    """The first credit code in ``text``, at its offsets there."""
    hits = parsers.find_usccs(text)
    return Found(*hits[0]) if hits else None


CODE_REACH = 40
"""Characters after a name within which its credit code, printed in brackets, is its own."""
ANOTHER_NAME = re.compile(r"公司|银行|[院所]")


def code_near_a_mention(dt: DocText, name: str) -> Found | None:
    """The credit code printed right after any mention of ``name`` in the letter, a mention
    wrapped over two lines included."""
    text, offsets = whole(dt)
    at = text.find(name)
    while at >= 0:
        end = at + len(name)
        # the code is searched in the printed text, where a line's end still ends a word
        code = uscc_between(dt, offsets[end - 1] + 1, offsets[min(end + CODE_REACH, len(text)) - 1] + 1)
        if code is not None and not ANOTHER_NAME.search(dt.text, offsets[end - 1] + 1, code.start):
            return code  # never across another company's name to its code
        at = text.find(name, end)
    return None


def org_after_label(dt: DocText, label: re.Pattern[str], start: int = 0) -> Found | None:
    """The company named after the first match of ``label`` that has one: on the label's
    line, below it, or wrapped from one onto the other (单位（签章）：北京某某信息技术有限⏎公司);
    below a label that is one of a row of labels (a header over a row of values), the name in
    its own column."""
    for m in label.finditer(dt.text, start):
        name = value_at(dt, m, org_after) if _beside(dt, m.start(), m.end()) else None
        if name is None:
            name = in_window(dt, m.end(), 2, org_after)
        if name is not None:
            return name
    return None


def company_of(dt: DocText, label: re.Pattern[str]) -> Found | None:
    """The company a statement or letter is about: named after its label (with the credit
    code printed near it), else the company the letter speaks for (its 我公司)."""
    company, _ = party_at(dt, label, limit_lines=2)
    return company if company is not None else party(letter_writer(dt), None)


def party_at(dt: DocText, label: re.Pattern[str], *, start: int = 0, limit_lines: int = 6,
             stop: re.Pattern[str] | None = None) -> tuple[Found | None, int]:
    """A party named after ``label``, with the credit code printed within the next lines
    (before ``stop`` if given); returns the party and where its first naming ends. Where the
    first naming has no code beside it (a cover page), a later one of the same name that has
    (the parties' block) gives it."""
    first = org_after_label(dt, label, start)
    if first is None:
        return None, start
    name: Found | None = first
    while name is not None and same_org(name.value, first.value):
        end_line = dt.line_index(name.end) + limit_lines
        limit = dt.line_starts[end_line] if end_line < len(dt.line_starts) else len(dt.text)
        if stop is not None:
            # the other party's label beside this one (columns) stops nothing below
            next_line = dt.text.find("\n", name.end)
            ahead = stop.search(dt.text, name.end if next_line < 0 else next_line, limit)
            if ahead:
                limit = ahead.start()
        # a code labelled with the party's own role is the surest; else the first after the name
        uscc = role_code(dt, label, start) or _code_below(dt, name, limit)
        if uscc is not None:
            return party(name, uscc), first.end
        name = org_after_label(dt, label, name.end)
    return party(first, None), first.end


def same_org(a: str, b: str) -> bool:
    """The same company however its brackets are printed (（北京） or (北京）), one mention perhaps
    cut short by a wrap or a seal (阳凌瞳…有限公司)."""
    a, b = (re.sub(r"\s", "", unicodedata.normalize("NFKC", x)) for x in (a, b))
    return a == b or a.endswith(b) or b.endswith(a)


def side_by_side(dt: DocText, name: Found) -> bool:
    """Whether a party's name shares its line with another company's (parties in columns)."""
    line = dt.line_index(name.end)
    line_end = dt.line_starts[line + 1] if line + 1 < len(dt.line_starts) else len(dt.text)
    line_text = dt.text[dt.line_starts[line]:line_end]
    return len([e for e in entities(line_text) if e.label is Label.ORG]) > 1


def _code_below(dt: DocText, name: Found, limit: int) -> Found | None:
    """The first credit code after a party's name, before ``limit`` and before any other company
    is named; where the name shares its line with another company's (parties side by side),
    the one in its own column."""
    if not side_by_side(dt, name):
        # a code printed after another company is named is that company's (a cover page's
        # parties, then the first party's block with its code)
        for m in ORG_RE.finditer(dt.text, name.end, limit):
            if not same_org(re.sub(r"\s", "", m.group(0)), name.value):
                limit = m.start()
                break
        return uscc_between(dt, name.end, limit)
    _, box, _, _ = dt.locate(name.start, name.end)
    if box is None:
        return None
    for code, a, b in parsers.find_usccs(dt.text[name.end:limit]):
        _, at, _, _ = dt.locate(name.end + a, name.end + b)
        if at is not None and min(at[2], box[2]) - max(at[0], box[0]) > 0:
            return Found(code, name.end + a, name.end + b)
    return None


CODE_LABEL = r"[^\n:：]{0,4}?(?:统一社会信用代码|社会信用代码|信用代码|纳税人识别号|税号)"
"""A credit code's label after a role's word (客户统一社会信用代码, 服务商（收款方）信用代码)."""


def role_code(dt: DocText, role: re.Pattern[str], start: int = 0) -> Found | None:
    """The credit code under a label that names the role itself (客户统一社会信用代码), printed
    in a cell of its own rather than beside the name."""
    for m in role.finditer(dt.text, start):
        word = re.match(r"[\u4e00-\u9fa5]{2,}", m.group(0))
        core = re.sub(r"(?:名称|全称)$", "", word.group(0)) if word else ""
        if len(core) < 2:
            continue
        code = after_label(dt, re.compile(re.escape(core) + CODE_LABEL), first_uscc, start=start)
        if code is not None:
            return code
    return None


def first_in_window(dt: DocText, label: re.Pattern[str], n_lines: int,
                    parse: Callable[[str], Found | None]) -> Found | None:
    """The first value ``parse`` finds in the ``n_lines`` after any match of ``label``
    (newlines removed, so a value wrapped onto the next line still reads whole)."""
    for m in label.finditer(dt.text):
        found = in_window(dt, m.end(), n_lines, parse)
        if found is not None:
            return found
    return None


def put_period(ex: Extraction, label: re.Pattern[str], names: tuple[str, str], reason: str | Missing,
               n_lines: int = 1) -> None:
    """A 自…至… period after ``label`` as two date fields sharing the period's box: on the
    label's line (or wrapped over ``n_lines``), or under it in its column."""
    period = first_in_window(ex.dt, label, n_lines, period_parser) or after_label(ex.dt, label, period_parser)
    if period is None:
        ex.missing[names[0]] = ex.missing[names[1]] = _missing(reason)
        return
    ex.put(names[0], Found(period.value[0], period.start, period.end), "")
    ex.put(names[1], Found(period.value[1], period.start, period.end), "")
