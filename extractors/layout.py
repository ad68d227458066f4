"""Words into lines, and a document's text with every character traceable to a page box.

Extractors search ``DocText.text`` (lines joined by newlines, words by spaces) with
labels and patterns, then ask ``DocText.locate(start, end)`` where the match sits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.model import BBox, Page, Source, Word


@dataclass
class Line:
    page: int
    words: list[Word]

    @property
    def bbox(self) -> BBox:
        return union(w.bbox for w in self.words)

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


def union(boxes: object) -> BBox:
    xs0, ys0, xs1, ys1 = zip(*boxes, strict=True)  # type: ignore[call-overload]
    return (min(xs0), min(ys0), max(xs1), max(ys1))


def page_lines(page: Page) -> list[Line]:
    """The page's words grouped into lines by vertical overlap, each sorted left to right."""
    words = sorted(page.words, key=lambda w: (w.bbox[1] + w.bbox[3]) / 2)
    lines: list[list[Word]] = []
    for word in words:
        top, bottom = word.bbox[1], word.bbox[3]
        height = max(bottom - top, 1e-6)
        placed = False
        for line in reversed(lines[-3:]):
            l_top = min(w.bbox[1] for w in line)
            l_bottom = max(w.bbox[3] for w in line)
            overlap = min(bottom, l_bottom) - max(top, l_top)
            if overlap > 0.5 * min(height, l_bottom - l_top):
                line.append(word)
                placed = True
                break
        if not placed:
            lines.append([word])
    return [Line(page.number, sorted(ws, key=lambda w: w.bbox[0])) for ws in lines]


@dataclass
class Piece:
    start: int
    end: int
    page: int
    word: Word
    source: Source


@dataclass
class DocText:
    """All lines of a document as one string, with a map back to the words."""

    text: str = ""
    pieces: list[Piece] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    line_starts: list[int] = field(default_factory=list)

    @classmethod
    def from_pages(cls, pages: list[Page]) -> DocText:
        out = cls()
        parts: list[str] = []
        pos = 0
        for page in pages:
            for line in page_lines(page):
                out.lines.append(line)
                out.line_starts.append(pos)
                for i, word in enumerate(line.words):
                    if i:
                        parts.append(" ")
                        pos += 1
                    out.pieces.append(Piece(pos, pos + len(word.text), page.number, word,
                                            page.source))
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
        bbox = union(boxes)
        conf = min(p.word.confidence for p in hits)
        return page, tuple(round(v, 1) for v in bbox), hits[0].source, conf  # type: ignore[return-value]

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
