"""Ink that OCR read no text from: a handwritten signature on a scan.

OCR engines read print; a signature written over 法定代表人（签字）： usually comes back as
nothing at all. What is left on the page once the OCR'd words are blanked out — dark,
non-red strokes in a compact patch — is recorded as a picture region of the page, as a
text layer's embedded images are, so an extractor asks the same question of both:
is there something in the space where a signature goes?
"""

from __future__ import annotations

import cv2
import numpy as np

from model.base import BBox
from model.document import Word

DARKER = 70
"""A pixel this much darker than the paper in the red channel is ink: black and blue ink are
dark there, red seal ink is as bright as the paper."""
MIN_HEIGHT = 0.5
"""A patch at least this share of the median word height tall."""
MAX_HEIGHT = 4.0
"""…and at most this many word heights: bigger is a picture, a logo or a table frame."""
MIN_INK = 0.04
"""Share of a patch's box that must be ink: a stroke, not a few specks of scan noise."""
MAX_ELONGATION = 12.0
"""A patch longer than this many times its thickness is a ruled line, not writing."""


def unread_ink(image: np.ndarray, words: list[Word]) -> list[BBox]:
    """Boxes (pixels of ``image``, an RGB page) of dark ink no OCR'd word covers."""
    if not words or image.ndim != 3:
        return []
    heights = sorted(word.bbox[3] - word.bbox[1] for word in words)
    height = max(heights[len(heights) // 2], 4.0)
    red = image[:, :, 0]
    paper = float(np.median(red))
    ink = (red < paper - DARKER).astype(np.uint8)
    pad = max(1, round(height * 0.15))
    for word in words:
        x0, y0, x1, y1 = (round(v) for v in word.bbox)
        ink[max(y0 - pad, 0):max(y1 + pad, 0), max(x0 - pad, 0):max(x1 + pad, 0)] = 0
    # speckle off, then the strokes of one signature joined into one patch
    ink = np.asarray(cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8)), dtype=np.uint8)
    joined = cv2.dilate(ink, np.ones((max(3, round(height * 0.4)),) * 2, np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    out: list[BBox] = []
    for i in range(1, count):
        x, y, w, h, _ = (int(v) for v in stats[i])
        if not MIN_HEIGHT * height <= h <= MAX_HEIGHT * height:
            continue
        if max(w, h) > MAX_ELONGATION * min(w, h):
            continue
        patch = ink[y:y + h, x:x + w]
        if patch.mean() < MIN_INK:
            continue
        ys, xs = np.nonzero(patch)  # the strokes' own extent, not the joining margin
        out.append((float(x + xs.min()), float(y + ys.min()),
                    float(x + xs.max() + 1), float(y + ys.max() + 1)))
    return out
