"""The commitment letter (附件3-1): company, whether the legal representative signed, date."""

from __future__ import annotations

import re

from extractors.common import Extraction, Found, after_label, date_parser, party_at
from extractors.layout import DocText
from extractors.lexicon import label
from model.base import Source
from model.document import Missing, Page

COMPANY = label("commitment.company")
SIGNATURE = label("commitment.signature")
DATE = label("commitment.sign_date")


def extract(dt: DocText, ex: Extraction) -> None:
    company, _ = party_at(dt, COMPANY, limit_lines=2)
    ex.put("company", company, "未找到承诺单位名称")
    m = SIGNATURE.search(dt.text)
    if m is None:
        # the label itself can vanish under the signature's ink; a name written alone on a
        # line of the signing block, above the company's, is the signature still
        name = _lone_name(dt, company) or _ink_above(dt, company, ex.pages)
        if name is not None:
            ex.put("signed", Found(True, name.start, name.end), "", confidence=0.6)
        else:
            ex.missing["signed"] = Missing.unread("未找到法定代表人签字栏")
    else:
        signed = _signed(dt, m.start(), m.end(), ex.pages)
        ex.put("signed", None if signed is None else Found(signed, m.start(), m.end()),
               Missing.unread("签字处被印章覆盖，未能确认是否签字"), confidence=0.85)
    found = None
    labels = list(DATE.finditer(dt.text, m.end() if m else 0))
    for d in labels:
        found = after_label(dt, DATE, date_parser, start=d.start(), next_line=False)
        if found:
            break
    # a date line printed and left blank (时间：  年  月  日) is a gap in the letter; no date
    # line read at all (under a seal, say) is a gap in the reading
    reason = Missing.blank("承诺书未填写日期") if labels else Missing.unread("未找到落款日期")
    if found is None and labels and _scanned_digits_after(dt, labels[-1].end()):  # 2025年7月 日: a digit lost
        reason = Missing.unread("未找到完整的落款日期（扫描件上的日期未能完整识别）")
    ex.put("sign_date", found, reason)


SEAL_HEIGHT = 4.0
"""A picture taller than this many label heights is a seal or a logo, not a signature."""


def _signed(dt: DocText, start: int, end: int, pages: list[Page]) -> bool | None:
    """A name written after the label, or a signature image in the space right of it; None
    where a seal covers that space, so a signature under it could not be told apart."""
    line_end = dt.text.find("\n", end)
    after = dt.text[end:line_end if line_end >= 0 else len(dt.text)]
    # a name written there, or the part of a handwritten one OCR could read (袁)
    if re.search(r"[\u4e00-\u9fa5]", after) and not label_like(after):
        return True
    page, box, _, _ = dt.locate(start, end)
    if page is None or box is None:
        return False
    x1, y0, y1 = box[2], box[1], box[3]
    height = y1 - y0
    covered = False
    for image in pages[page - 1].images:
        beside = image[0] <= x1 + 12 * height and image[2] >= x1 - height and \
            image[1] < y1 + 2 * height and image[3] > y0 - 2 * height
        if image[3] - image[1] > SEAL_HEIGHT * height:
            covered = covered or beside  # a seal or a logo, not a signature; one may be under it
            continue
        if image[0] >= x1 - height and image[0] <= x1 + 12 * height and \
                image[1] < y1 + 2 * height and image[3] > y0 - 2 * height:
            return True
    # on a scan a signature written over the seal is one patch of ink with it; on a text
    # layer it would be a picture of its own
    return None if covered and pages[page - 1].source is Source.OCR else False


LONE_NAME = re.compile(r"[\u4e00-\u9fa5]{2,4}")
BLOCK_LINES = 3
"""Lines above the company's signing line that belong to the signing block."""


def _lone_name(dt: DocText, company: Found | None) -> Found | None:
    """A person's name written alone on a line just above the signing company's line."""
    if company is None:
        return None
    at = dt.line_index(company.start)
    for index in range(max(at - BLOCK_LINES, 0), at):
        line = dt.lines[index].text.strip()
        if LONE_NAME.fullmatch(line) and not label_like(line):
            start = dt.line_starts[index]
            return Found(line, start, start + len(line))
    return None


def label_like(text: str) -> bool:
    """Words of a form rather than a name: 特此承诺, 承诺人, 年月日."""
    return bool(re.search(r"承诺|单位|签字|签章|盖章|日期|时间|年|月|日|说明|特此", text))


def _scanned_digits_after(dt: DocText, pos: int) -> bool:
    """Whether an OCR'd line holds figures after ``pos`` (a date read in part), in Arabic or
    Chinese numerals (二〇二五年七月 日: the day lost under the seal)."""
    _, _, source, _ = dt.locate(pos, pos + 1)
    line_end = dt.text.find("\n", pos)
    rest = dt.text[pos:line_end if line_end >= 0 else len(dt.text)]
    return source is Source.OCR and bool(re.search(r"[\d〇○零一二三四五六七八九十]", rest))


def _ink_above(dt: DocText, company: Found | None, pages: list[Page]) -> Found | None:
    """Handwriting no word covers, on the lines just above the signing company's line (the
    label blotted out with it): the signature still."""
    if company is None:
        return None
    page, box, _, _ = dt.locate(company.start, company.end)
    if page is None or box is None:
        return None
    height = box[3] - box[1]
    for image in pages[page - 1].images:
        above = box[1] - BLOCK_LINES * height <= image[3] <= box[1] + 0.3 * height
        if above and image[3] - image[1] <= SEAL_HEIGHT * height:
            return company
    return None
