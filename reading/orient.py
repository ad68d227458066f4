"""Which way up a scanned page is, from the words OCR found on it.

A page scanned upside down or sideways still gives words: RapidOCR turns each text line it
thinks is upside down before reading it, so the text may even be right, but the lines sit
in the wrong places and the page reads backwards. Two signs tell, whatever the engine:

- sideways: most text sits in boxes taller than wide;
- upside down: a label ending in a colon (合同编号：, 开票日期:) has its value on its left,
  not on its right; a page of forms has many such labels. An engine that does not turn
  lines reads an upside-down page as low-confidence noise instead.

``reading_turns`` names the turns worth a second reading; the reader keeps the reading
that looks most upright (``uprightness``).
"""

from __future__ import annotations

import math

import numpy as np

from model.document import Word

SIDEWAYS_SHARE = 0.6
"""Share of the text, in characters, in tall boxes that makes a page sideways."""
TALL = 1.5
"""A box this many times taller than wide holds a vertical line of text."""
MIN_LABELS = 3
"""More labels with their value on the wrong side than the right one that make a page
upside down."""
NOISE_CONFIDENCE = 0.4
"""Mean confidence under which a page with no label the right way round may be noise read
from upside-down text (Tesseract read an upside-down settlement statement at 0.28, upright
scans at 0.49-0.90)."""


def _chars(words: list[Word]) -> int:
    return sum(len(w.text) for w in words)


def sideways(words: list[Word]) -> bool:
    tall = sum(len(w.text) for w in words
               if len(w.text) >= 2 and (w.bbox[3] - w.bbox[1]) > TALL * (w.bbox[2] - w.bbox[0]))
    return bool(words) and tall > SIDEWAYS_SHARE * _chars(words)


def label_sides(words: list[Word]) -> int:
    """Labels whose nearest neighbour on their line is on their right, minus those whose
    nearest is on their left (in a two-column form a label has the previous value on one
    side and its own, nearer, on the other)."""
    score = 0
    for word in words:
        if not word.text.endswith(("：", ":")):
            continue
        x0, y0, x1, y1 = word.bbox
        height = max(y1 - y0, 1.0)
        right = left = math.inf
        for other in words:
            overlap = min(y1, other.bbox[3]) - max(y0, other.bbox[1])
            if other is word or overlap < 0.5 * height:
                continue
            if other.bbox[0] >= x1 - 0.5 * height:
                right = min(right, max(other.bbox[0] - x1, 0.0))
            elif other.bbox[2] <= x0 + 0.5 * height:
                left = min(left, max(x0 - other.bbox[2], 0.0))
        if right < left:
            score += 1
        elif left < right:
            score -= 1
    return score


def mean_confidence(words: list[Word]) -> float:
    chars = _chars(words)
    return sum(w.confidence * len(w.text) for w in words) / chars if chars else 1.0


def reading_turns(words: list[Word]) -> tuple[int, ...]:
    """Clockwise turns of the page image worth reading again: none for a page that reads
    upright (or has no text), 90 and 270 for a sideways one, 180 for an upside-down one."""
    if not words:
        return ()
    if sideways(words):
        return (90, 270)
    sides = label_sides(words)
    if sides <= -MIN_LABELS or (sides <= 0 and mean_confidence(words) < NOISE_CONFIDENCE):
        return (180,)
    return ()


def uprightness(words: list[Word]) -> tuple[int, float]:
    """How upright a reading looks, to compare readings of one page turned different ways:
    not sideways first, then labels the right way round, then confident text."""
    level = (0 if sideways(words) else 1) * 1000 + label_sides(words)
    return level, sum(w.confidence * len(w.text) for w in words)


BORDER_SHARE = 0.03
"""The strip along each edge looked at for a background, as a share of the side."""
PAPER = 180
"""Median grey of a strip below which it is not paper (a desk, a hand, a scanner lid)."""


def has_background(image: np.ndarray) -> bool:
    """Whether the page image shows something else around the paper on two sides or more:
    a photograph of a page rather than a scan of it (RGB or grey ``uint8``)."""
    grey = image if image.ndim == 2 else image[:, :, :3].mean(axis=2)
    h, w = grey.shape[:2]
    dy, dx = max(1, int(h * BORDER_SHARE)), max(1, int(w * BORDER_SHARE))
    strips = (grey[:dy], grey[-dy:], grey[:, :dx], grey[:, -dx:])
    return sum(float(np.median(s)) < PAPER for s in strips) >= 2
