"""Words into lines, and a document's text with every character traceable to a page box.

Extractors search ``DocText.text`` (lines joined by newlines, words by spaces) with
labels and patterns, then ask ``DocText.locate(start, end)`` where the match sits.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field

from model.base import BBox, Source, box_around
from model.document import Page, Word
from reading.ocr import is_cjk


@dataclass
class Line:
    """Words of one printed line, left to right, with boxes on the levelled page; the
    words as read (in the page's own coordinates) are in ``originals``."""

    page: int
    words: list[Word]
    originals: list[Word] = field(default_factory=list)

    @property
    def bbox(self) -> BBox:
        return box_around(w.bbox for w in self.words)

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


def level_box(box: BBox, angle: float, width: float, height: float) -> BBox:
    """Where a word's box lies once its skewed page is turned level by ``angle`` degrees.

    An OCR box is the upright hull of a tilted word: its own width and height are
    recovered, and its centre turned about the page centre the way cv2 turns the image."""
    if not angle:
        return box
    theta = math.radians(angle)
    cos, sin = math.cos(theta), abs(math.sin(theta))
    hull_w, hull_h = box[2] - box[0], box[3] - box[1]
    denominator = cos * cos - sin * sin
    w = max((hull_w * cos - hull_h * sin) / denominator, hull_w * 0.5)
    h = max((hull_h * cos - hull_w * sin) / denominator, hull_h * 0.2, 1.0)
    cx, cy = (box[0] + box[2]) / 2 - width / 2, (box[1] + box[3]) / 2 - height / 2
    nx = math.cos(theta) * cx + math.sin(theta) * cy + width / 2
    ny = -math.sin(theta) * cx + math.cos(theta) * cy + height / 2
    return (nx - w / 2, ny - h / 2, nx + w / 2, ny + h / 2)


STACK_MIN_CHARS = 3
"""A heading printed one character per line (购/买/方/信/息 in a narrow column beside a box, as
数电 invoices print their role headings) is read as one word once this many are stacked."""
STACK_MAX_GAP = 0.4
"""Between stacked characters, as a share of a character's height: table rows of one-char
cells sit a row's pitch apart, well past this."""
STACK_ALIGN = 0.3
"""How far the centres of stacked characters may stray sideways, in character widths."""


def _single_char(word: Word) -> bool:
    return len(word.text.strip()) == 1 and is_cjk(word.text.strip())


def stack_vertical(words: list[Word], level: dict[int, BBox]) -> list[Word]:
    """``words`` with every column of at least ``STACK_MIN_CHARS`` single characters printed
    one under another joined into one word (top to bottom), its box the union of theirs;
    ``level`` gains the joined words' levelled boxes."""
    singles = sorted((w for w in words if _single_char(w)), key=lambda w: level[id(w)][1])
    used: set[int] = set()
    joined: list[Word] = []
    for first in singles:
        if id(first) in used:
            continue
        column = [first]
        for other in singles:
            if id(other) in used or other is first:
                continue
            last = level[id(column[-1])]
            box = level[id(other)]
            height, width = last[3] - last[1], max(last[2] - last[0], 1e-6)
            gap = box[1] - last[3]
            aligned = abs((box[0] + box[2]) / 2 - (last[0] + last[2]) / 2) <= STACK_ALIGN * width
            if aligned and -0.2 * height <= gap <= STACK_MAX_GAP * height:
                column.append(other)
        if len(column) < STACK_MIN_CHARS:
            continue
        used.update(id(w) for w in column)
        word = Word(text="".join(w.text.strip() for w in column), bbox=box_around(w.bbox for w in column),
                    confidence=min(w.confidence for w in column))
        level[id(word)] = box_around(level[id(w)] for w in column)
        joined.append(word)
    return [w for w in words if id(w) not in used] + joined


def page_lines(page: Page) -> list[Line]:
    """The page's words grouped into lines by vertical overlap (on the levelled page), each
    sorted left to right; text stacked vertically is one word first (``stack_vertical``)."""
    level = {id(w): level_box(w.bbox, page.skew, page.width, page.height) for w in page.words}
    stacked = stack_vertical(page.words, level)
    words = sorted(stacked, key=lambda w: (level[id(w)][1] + level[id(w)][3]) / 2)
    lines: list[list[Word]] = []
    for word in words:
        top, bottom = level[id(word)][1], level[id(word)][3]
        centre, height = (top + bottom) / 2, max(bottom - top, 1e-6)
        placed = False
        for line in reversed(lines[-3:]):
            # compare centres with the line's typical height, so one tall word cannot chain
            # two printed lines together
            l_centre = statistics.fmean((level[id(w)][1] + level[id(w)][3]) / 2 for w in line)
            l_height = statistics.median(level[id(w)][3] - level[id(w)][1] for w in line)
            if abs(centre - l_centre) <= 0.5 * min(height, l_height):
                line.append(word)
                placed = True
                break
        if not placed:
            lines.append([word])
    out = []
    for ws in lines:
        ordered = sorted(ws, key=lambda w: level[id(w)][0])
        levelled = [Word(text=w.text, bbox=level[id(w)], confidence=w.confidence) for w in ordered]
        out.append(Line(page.number, levelled, ordered))
    return out


@dataclass
class Piece:
    start: int
    end: int
    page: int
    word: Word
    source: Source
    level: BBox | None = None
    """The word's box on the levelled page (for geometry between words)."""

    @property
    def box(self) -> BBox:
        """The box to measure against other words: on the levelled page where there is one."""
        return self.level or self.word.bbox


@dataclass
class DocText:
    """All lines of a document as one string, with a map back to the words."""

    text: str = ""
    pieces: list[Piece] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    line_starts: list[int] = field(default_factory=list)
    _stacked: list[tuple[str, int, BBox]] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_pages(cls, pages: list[Page]) -> DocText:
        out = cls()
        parts: list[str] = []
        pos = 0
        for page in pages:
            for line in page_lines(page):
                out.lines.append(line)
                out.line_starts.append(pos)
                for i, (word, level) in enumerate(zip(line.originals, line.words, strict=True)):
                    if i:
                        parts.append(" ")
                        pos += 1
                    out.pieces.append(Piece(pos, pos + len(word.text), page.number, word,
                                            page.source, level.bbox))
                    parts.append(word.text)
                    pos += len(word.text)
                parts.append("\n")
                pos += 1
        out.text = "".join(parts)
        return out

    def words_in(self, start: int, end: int) -> list[Piece]:
        return [p for p in self.pieces if p.start < end and p.end > start]

    def locate(self, start: int, end: int) -> tuple[int | None, BBox | None, Source, float]:
        """Page, box, source and confidence of the characters ``text[start:end]``.

        The box is cut to the matched characters in proportion to their share of a word,
        so a value printed right after its label gets its own box."""
        hits = self.words_in(start, end)
        if not hits:
            return None, None, Source.TEXT, 0.0
        page = hits[0].page
        boxes = []
        for p in hits:
            if p.page != page:
                continue
            x0, y0, x1, y1 = p.word.bbox
            n = max(len(p.word.text), 1)
            a = max(start, p.start) - p.start
            b = min(end, p.end) - p.start
            boxes.append((x0 + (x1 - x0) * a / n, y0, x0 + (x1 - x0) * b / n, y1))
        bbox = box_around(boxes)
        conf = min(p.word.confidence for p in hits)
        return page, tuple(round(v, 1) for v in bbox), hits[0].source, conf  # type: ignore[return-value]

    def stacked(self) -> list[tuple[str, int, BBox]]:
        """Words printed one letter under another (a role heading 购 / 买 / 方 in a narrow
        strip beside its block): the letters read downwards, the page and the strip's box.
        Letters stack when each stands alone, centred on the one above within half a letter,
        less than two letters' height below it; a word read whole stacks when its box is more
        than twice as tall as wide. Found once per document."""
        if self._stacked is None:
            self._stacked = self._find_stacked()
        return self._stacked

    def heads(self, page: int, x: float, y: float) -> list[tuple[str, float]]:
        """The stacked headings (``stacked``) left of a point on ``page`` whose rows reach it,
        from a row above their first letter to a row below their last: each heading's letters
        and its distance to the point, nearest first."""
        out = []
        for text, on, box in self.stacked():
            reach = 2 * (box[3] - box[1]) / len(text)
            if on == page and box[2] <= x and box[1] - reach <= y <= box[3] + reach:
                out.append((text, x - box[2]))
        return sorted(out, key=lambda h: h[1])

    def _find_stacked(self) -> list[tuple[str, int, BBox]]:
        singles = sorted((p for p in self.pieces if len(p.word.text.strip()) == 1),
                         key=lambda p: (p.page, p.box[1]))
        # OCR reads such a strip as one word whose box stands upright
        out: list[tuple[str, int, BBox]] = [
            (p.word.text.strip(), p.page, p.box) for p in self.pieces
            if len(p.word.text.strip()) > 1 and p.box[3] - p.box[1] > 2 * (p.box[2] - p.box[0])]
        used: set[int] = set()
        for i, first in enumerate(singles):
            if i in used:
                continue
            strip = [first]
            for j in range(i + 1, len(singles)):
                p, last = singles[j], strip[-1]
                size = last.box[3] - last.box[1]
                if p.page != first.page or p.box[1] > last.box[3] + 2 * size:
                    break
                centre, above = (p.box[0] + p.box[2]) / 2, (last.box[0] + last.box[2]) / 2
                if j not in used and abs(centre - above) <= size / 2 and p.box[1] >= last.box[3] - size / 2:
                    strip.append(p)
                    used.add(j)
            if len(strip) > 1:
                box = (min(p.box[0] for p in strip), strip[0].box[1],
                       max(p.box[2] for p in strip), strip[-1].box[3])
                out.append(("".join(p.word.text.strip() for p in strip), first.page, box))
        return out

    def level_box(self, pos: int) -> tuple[int, BBox] | None:
        """Page and levelled box of the word holding character ``pos``."""
        for p in self.words_in(pos, pos + 1):
            return p.page, p.box
        return None

    def line_index(self, pos: int) -> int:
        """Index into ``lines`` of the line holding character ``pos``."""
        lo, hi = 0, len(self.line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.line_starts[mid] <= pos:
                lo = mid
            else:
                hi = mid - 1
        return lo
