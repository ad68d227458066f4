"""Ruled and unruled tables: header cells matched to the value cells below them by column."""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.layout import DocText
from model.document import Word


@dataclass
class Cell:
    text: str
    word: Word
    start: int  # offset of the word in DocText.text
    end: int


def line_cells(dt: DocText, index: int) -> list[Cell]:
    """The words of line ``index`` as cells, with their document offsets."""
    line = dt.lines[index]
    pos = dt.line_starts[index]
    cells = []
    for i, word in enumerate(line.words):
        if i:
            pos += 1
        cells.append(Cell(word.text, word, pos, pos + len(word.text)))
        pos += len(word.text)
    return cells


def find_line(dt: DocText, pattern: str, start_line: int = 0) -> int | None:
    """The first line at or after ``start_line`` whose squashed text matches ``pattern``."""
    compiled = re.compile(pattern)
    for i in range(start_line, len(dt.lines)):
        if compiled.search(re.sub(r"\s", "", dt.lines[i].text)):
            return i
    return None


def column_of(cell: Cell, headers: list[Cell]) -> int:
    """Index of the header whose horizontal span best covers the cell's centre."""
    x = (cell.word.bbox[0] + cell.word.bbox[2]) / 2
    best, best_d = 0, float("inf")
    for i, h in enumerate(headers):
        x0, _, x1, _ = h.word.bbox
        d = 0.0 if x0 <= x <= x1 else min(abs(x - x0), abs(x - x1))
        if d < best_d:
            best, best_d = i, d
    return best


def row_by_header(dt: DocText, header_index: int, row_index: int) -> dict[int, list[Cell]]:
    """Cells of row ``row_index`` grouped under the header cells of ``header_index``."""
    headers = line_cells(dt, header_index)
    out: dict[int, list[Cell]] = {}
    for cell in line_cells(dt, row_index):
        out.setdefault(column_of(cell, headers), []).append(cell)
    return out


def header_position(dt: DocText, header_index: int, pattern: str) -> int | None:
    """Index of the header cell matching ``pattern`` on the header line."""
    compiled = re.compile(pattern)
    for i, cell in enumerate(line_cells(dt, header_index)):
        if compiled.search(cell.text.replace(" ", "")):
            return i
    return None

