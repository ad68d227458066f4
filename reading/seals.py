"""Finds red company seals (round or oval stamps) on page images, for the seal-presence checks.

A seal is kept when a red blob is an ellipse traced in a thin red line all round, with some red
(the name, a star, a label) inside but mostly paper, and nothing red in the corners of its box.
That turns away red headings and letters, filled red blocks, red frames and anything black.
Boxes are in pixels of the image given; the caller turns them into ``model.Seal`` on a page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

WORK_WIDTH = 1000
"""Wider pages are scaled down first: a seal ring is still a few pixels wide at this width, and
a 300 dpi scan then costs about what a 100 dpi one does."""

MIN_DIAMETER, MAX_DIAMETER = 0.03, 0.35
"""Seal diameter as a share of the page width (a 40 mm seal is a fifth of A4)."""

MIN_ASPECT, MAX_ASPECT = 0.5, 2.0

MIN_RING = 0.75
"""Share of the outline that must be red: a quarter may be faded or left unprinted."""

MAX_WIDTH = 0.16
"""Ring width as a share of the radius: seals measure 0.03-0.10 (60-300 dpi), a bold letter O
or 8 is 0.2 or more."""

MIN_FILL, MAX_FILL = 0.015, 0.55
"""Share of the middle that is red: a seal always carries some text inside, a filled disc or
block is solid."""

MAX_CORNER = 0.12
"""Share of the box outside the ellipse that may be red; a red frame fills its corners."""

LINE_LENGTH = 0.16
"""Straight red runs longer than this share of the page width are rules, not seal ink."""

ANGLES = 90

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class SealBox:
    bbox: tuple[float, float, float, float]
    """x0, y0, x1, y1 in pixels of the given image, origin top-left."""
    confidence: float
    """0..1: how completely the outline is red and how clean the corners and the middle are."""


def detect_seals(image: np.ndarray) -> list[SealBox]:
    """Red round or oval company seals on an RGB uint8 page image (any resolution, 60-300 dpi),
    top to bottom, then left to right; [] for anything that is not an RGB(A) image."""
    return red_seals_and_marks(image)[0]


def red_seals_and_marks(image: np.ndarray) -> tuple[list[SealBox], list[Box]]:
    """The red seals of ``detect_seals`` and the red marks of ``red_marks`` of one page,
    from one red mask."""
    if image.ndim != 3 or image.shape[2] not in (3, 4) or image.size == 0:
        return [], []
    small, scale = _work_size(image[:, :, :3])
    red = image_to_red_mask(small)
    found = [SealBox((x0 / scale, y0 / scale, x1 / scale, y1 / scale), confidence)
             for (x0, y0, x1, y1), confidence in red_mask_to_seals(red, page_width=small.shape[1])]
    seals = sorted(merge_overlapping(found), key=lambda s: (round(s.bbox[1]), s.bbox[0]))
    return seals, _marks(red, scale)


def _work_size(image: np.ndarray) -> tuple[np.ndarray, float]:
    """The image scaled down to ``WORK_WIDTH`` if wider, and the factor it was scaled by."""
    height, width = image.shape[:2]
    scale = min(1.0, WORK_WIDTH / width)
    if scale < 1.0:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    return image, scale


MIN_MARK = 0.11
"""A red mark counts as a possible seal from this share of the page width: a 40 mm company
seal is 0.19 of A4, a red heading's word or a tick well under 0.11."""


def red_marks(image: np.ndarray) -> list[Box]:
    """Red blobs of a seal's size and shape, whatever their outline (a seal photographed
    askew, smudged or half covered): boxes in pixels of the given image. Where one is not
    recognised as a seal, a seal's absence is not certain."""
    return red_seals_and_marks(image)[1]


def _marks(red: np.ndarray, scale: float) -> list[Box]:
    """The seal-sized red blobs of a mask made at ``scale``, in pixels of the full image."""
    if cv2.countNonZero(red) == 0:
        return []
    width = red.shape[1]
    size = (MIN_MARK * width, MAX_DIAMETER * width)
    out = []
    for contour in _blobs(red, width):
        x, y, w, h = cv2.boundingRect(contour)
        if MIN_ASPECT <= w / h <= MAX_ASPECT and size[0] <= max(w, h) <= size[1]:
            out.append((x / scale, y / scale, (x + w) / scale, (y + h) / scale))
    return out


def _blobs(red: np.ndarray, page_width: int) -> list[np.ndarray]:
    """The outlines of the red mask's blobs once long rules are taken out and closing has
    joined a seal's ring, the arc of characters and the star into one blob."""
    red = cv2.subtract(red, red_lines(red, page_width))
    k = max(3, round(page_width * 0.006)) | 1
    joined = cv2.morphologyEx(red, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    found = cv2.findContours(joined, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    return list(found[-2])  # OpenCV 3 returned (image, contours, hierarchy), 4 and 5 (contours, hierarchy)


def image_to_red_mask(rgb: np.ndarray) -> np.ndarray:
    """255 where the pixel is red ink (either end of the hue circle), else 0."""
    hsv = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2HSV)
    # the saturation floor is low because scanners that save PNG with a 16-colour palette turn
    # seal red into a greyish (120, 91, 94); paper, black text and sensor noise stay far below it
    low = cv2.inRange(hsv, (0, 45, 70), (12, 255, 255))
    high = cv2.inRange(hsv, (165, 45, 70), (180, 255, 255))
    return cv2.bitwise_or(low, high)


def red_mask_to_seals(red: np.ndarray, page_width: int) -> list[tuple[Box, float]]:
    """Boxes (in mask pixels) and confidences of the seal-shaped blobs of ``red``."""
    if cv2.countNonZero(red) == 0:
        return []
    contours = _blobs(red, page_width)
    red = cv2.subtract(red, red_lines(red, page_width))
    # a ring thinned by blur or broken by noise still counts where the probe lands a pixel off
    grown = cv2.dilate(red, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3)))
    out = []
    for contour in contours:
        x, y, w, h = cv2.boundingRect(contour)
        if len(contour) < 5 or not MIN_ASPECT <= w / h <= MAX_ASPECT:
            continue
        if not MIN_DIAMETER * page_width <= max(w, h) <= MAX_DIAMETER * page_width:
            continue
        confidence = ring_confidence(red, grown, contour, (x, y, w, h))
        if confidence > 0:
            out.append(((float(x), float(y), float(x + w), float(y + h)), confidence))
    return out


def red_lines(red: np.ndarray, page_width: int) -> np.ndarray:
    """The long horizontal and vertical strokes of ``red`` (red table rules, underlines), which
    would fuse a seal they touch into one big blob; no seal ring has a straight run this long."""
    n = max(15, round(page_width * LINE_LENGTH))
    across = cv2.morphologyEx(red, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (n, 1)))
    down = cv2.morphologyEx(red, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, n)))
    return cv2.bitwise_or(across, down)


def ring_confidence(red: np.ndarray, grown: np.ndarray, contour: np.ndarray,
                    rect: tuple[int, int, int, int]) -> float:
    """How seal-like one blob is, 0 when it is not a seal at all."""
    ring, width, fill, corners = ring_measures(red, grown, contour, rect)
    if ring < MIN_RING or width > MAX_WIDTH or not MIN_FILL <= fill <= MAX_FILL or corners > MAX_CORNER:
        return 0.0
    score = 0.5 + 0.5 * (ring - MIN_RING) / (1 - MIN_RING) - corners - max(0.0, fill - 0.35)
    return round(max(0.05, min(1.0, score)), 3)


def ring_measures(red: np.ndarray, grown: np.ndarray, contour: np.ndarray,
                  rect: tuple[int, int, int, int]) -> tuple[float, float, float, float]:
    """Of the ellipse fitted to a blob's outline: the share of its outline that is red, the red
    ring's width as a share of the radius, the share of its middle that is red, and the share of
    the blob's box outside the ellipse that is red."""
    (cx, cy), (d1, d2), angle = cv2.fitEllipse(contour)
    if min(d1, d2) < 4:
        return 0.0, 1.0, 1.0, 1.0
    cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    theta = np.linspace(0, 2 * math.pi, ANGLES, endpoint=False)
    ex, ey = d1 / 2 * np.cos(theta), d2 / 2 * np.sin(theta)
    # probes along each radius from just outside the ellipse inwards, about a pixel apart
    step = 2 / max(d1, d2)
    f = np.arange(1.06, 0.6, -step)[:, None]
    rows, cols = red.shape
    ix = np.clip(np.round(cx + f * (ex * cos - ey * sin)).astype(int), 0, cols - 1)
    iy = np.clip(np.round(cy + f * (ex * sin + ey * cos)).astype(int), 0, rows - 1)
    band = (f[:, 0] >= 0.84) & (f[:, 0] <= 1.0)
    ring = float((grown[iy[band], ix[band]] > 0).any(axis=0).mean())
    # the run of red met first from outside is the ring itself, so its length is the ring's width
    ink = red[iy, ix] > 0
    seen = ink.any(axis=0)
    first = ink.argmax(axis=0)
    after = ink | (np.arange(len(f))[:, None] < first)
    last = np.where(after.all(axis=0), len(f), (~after).argmax(axis=0))
    width = float(np.median((last - first)[seen]) * step) if seen.any() else 1.0
    x, y, w, h = rect
    box = red[y:y + h, x:x + w]
    centre = (cx - x, cy - y)
    middle = np.zeros_like(box)
    cv2.ellipse(middle, (centre, (d1 * 0.7, d2 * 0.7), angle), 255, -1)
    outside = np.full_like(box, 255)
    cv2.ellipse(outside, (centre, (d1 * 1.08, d2 * 1.08), angle), 0, -1)
    return ring, width, _share(box, middle), _share(box, outside)


def _share(mask: np.ndarray, region: np.ndarray) -> float:
    area = cv2.countNonZero(region)
    return cv2.countNonZero(cv2.bitwise_and(mask, region)) / area if area else 0.0


def merge_overlapping(seals: list[SealBox]) -> list[SealBox]:
    """One box per seal: boxes sharing at least half of the smaller one become their union, with
    the better confidence; two seals stamped just touching stay two."""
    merged = list(seals)
    i = 0
    while i < len(merged):
        for j in range(i + 1, len(merged)):
            p, q = merged[i].bbox, merged[j].bbox
            ix = min(p[2], q[2]) - max(p[0], q[0])
            iy = min(p[3], q[3]) - max(p[1], q[1])
            smaller = min((p[2] - p[0]) * (p[3] - p[1]), (q[2] - q[0]) * (q[3] - q[1]))
            if ix > 0 and iy > 0 and ix * iy >= 0.5 * smaller:
                union = (min(p[0], q[0]), min(p[1], q[1]), max(p[2], q[2]), max(p[3], q[3]))
                merged[i] = SealBox(union, max(merged[i].confidence, merged[j].confidence))
                del merged[j]
                break
        else:
            i += 1
    return merged


# --- seals in grey ------------------------------------------------------------------------

GREY_INK = 150
"""Grey levels below this are ink on a grey-scale page (a faded seal is still darker)."""

MIN_GREY_RING = 0.85
"""Share of the circle that must be ink: a seal's ring is drawn all round, a circle that
merely passes through lines of text meets ink on half of it or less."""

MAX_GREY_HALO = 0.25
"""Share of a circle just outside the ring that may be ink: the ring is a line, not the edge
of a block of text (inside it runs the seal's own lettering)."""


ROUNDNESS = 0.6
"""How perfect a circle the Hough transform must see (1 is a drawn circle); a stamped ring is
uneven and broken in places."""


def colourless(rgb: np.ndarray) -> bool:
    """Whether an RGB image carries no colour at all (a grey-scale scan kept as RGB), so that a
    seal on it shows in grey and its absence cannot be told from the absence of red."""
    if rgb.ndim != 3 or rgb.shape[2] < 3 or rgb.size == 0:
        return True
    step = max(1, int(math.sqrt(rgb.shape[0] * rgb.shape[1] / 1_000_000)))
    sample = rgb[::step, ::step, :3].astype(np.int16)
    spread = sample.max(axis=2) - sample.min(axis=2)
    return float((spread > 12).mean()) < 1e-4


def detect_grey_seals(image: np.ndarray) -> list[SealBox]:
    """Round seals printed in grey (a grey-scale scan): circles whose whole outline is a thin
    line of ink, found by the Hough transform and kept when ink runs all round the circle
    and little of it lies just outside the line."""
    if image.ndim == 3:
        grey = cv2.cvtColor(np.ascontiguousarray(image[:, :, :3]), cv2.COLOR_RGB2GRAY)
    else:
        grey = image
    grey, scale = _work_size(grey)
    size = grey.shape[1]
    # the gradient-orientation variant scores how round an edge is (param2, 0..1) and is quick;
    # the classic one piles up votes from every line of text and takes seconds a page
    circles = cv2.HoughCircles(cv2.medianBlur(grey, 3), cv2.HOUGH_GRADIENT_ALT, dp=1.5,
                               minDist=size * 0.03, param1=300, param2=ROUNDNESS,
                               minRadius=round(size * MIN_DIAMETER / 2),
                               maxRadius=round(size * MAX_DIAMETER / 2))
    if circles is None:
        return []
    ink = grey < GREY_INK
    found = []
    for cx, cy, r in circles[0]:
        ring = _circle_ink(ink, cx, cy, r, 0.04)
        halo = _circle_ink(ink, cx, cy, r * 1.18, 0.02)
        if ring >= MIN_GREY_RING and halo <= MAX_GREY_HALO:
            confidence = round(max(0.05, min(1.0, 0.5 + (ring - MIN_GREY_RING) * 3 - halo)), 3)
            box = ((cx - r) / scale, (cy - r) / scale, (cx + r) / scale, (cy + r) / scale)
            found.append(SealBox(tuple(float(v) for v in box), confidence))  # type: ignore[arg-type]
    return sorted(merge_overlapping(found), key=lambda s: (round(s.bbox[1]), s.bbox[0]))


def _circle_ink(ink: np.ndarray, cx: float, cy: float, r: float, band: float) -> float:
    """Share of the angles round (cx, cy) at which ink lies within ``band`` × r of radius r."""
    theta = np.linspace(0, 2 * math.pi, 180, endpoint=False)
    rows, cols = ink.shape
    hit = np.zeros(len(theta), dtype=bool)
    for f in np.arange(1 - band, 1 + band + 1e-9, 1 / max(r, 1.0)):
        x = np.clip(np.round(cx + f * r * np.cos(theta)).astype(int), 0, cols - 1)
        y = np.clip(np.round(cy + f * r * np.sin(theta)).astype(int), 0, rows - 1)
        hit |= ink[y, x]
    return float(hit.mean())
