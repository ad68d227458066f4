"""Cleaning a page image before OCR: red-seal suppression, deskew, optional binarisation.

Small pure functions on RGB ``uint8`` arrays, and ``prepare`` which applies the ones a
``Preprocess`` setting asks for. ``unrotate_box`` maps a box found on the deskewed image back
to the image the caller passed in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from model.base import BBox

MAX_SKEW = 5.0
"""Largest skew searched for, in degrees either way; scans and phone shots stay inside it."""

# Coarse-to-fine search: (step, half-width of the window around the previous best), degrees.
# The coarse step must stay below the width of the score's peak (about a text line's height
# over the page width, roughly 1 degree) or the peak can fall between two samples.
_SKEW_PASSES = ((0.25, MAX_SKEW), (0.05, 0.25))
_SKEW_SIDE = 2000
"""Longest side, in pixels, of the copy the skew is measured on; at 1000 px the error reached
0.14 degrees, at 2000 px it stays within one fine step."""
_SKEW_MAX_INK = 150_000
"""Ink pixels kept for the search; more cost time and do not sharpen the peak."""
_MIN_ROTATION = 0.05
"""Skews smaller than one search step are left alone: resampling would only blur the page."""

WHITE = (255, 255, 255)


@dataclass(frozen=True)
class Preprocess:
    """Which cleaning steps ``prepare`` applies; the defaults are the measured best for OCR."""

    deskew: bool = True
    suppress_seals: bool = True
    binarize: bool = False


def as_rgb(img: np.ndarray) -> np.ndarray:
    """``img`` as a 3-channel RGB array: grey and RGBA images are converted, RGB passes through."""
    if img.ndim == 2:
        return cv2.cvtColor(img, cv2.COLOR_GRAY2RGB)
    if img.shape[2] == 4:
        return cv2.cvtColor(img, cv2.COLOR_RGBA2RGB)
    return img


def suppress_red(img: np.ndarray) -> np.ndarray:
    """A grey 3-channel copy of ``img`` made from its red channel only.

    Red seal ink is bright in the red channel and so vanishes, while black and blue print
    stays dark; OCR then neither misses text under a seal nor reads the seal's own text.
    """
    red = np.ascontiguousarray(img[:, :, 0])
    return cv2.cvtColor(red, cv2.COLOR_GRAY2RGB)


def _ink_mask(img: np.ndarray, max_side: int) -> np.ndarray:
    """Dark pixels of a copy of ``img`` shrunk to at most ``max_side`` pixels, as a bool mask."""
    grey = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY) if img.ndim == 3 else img
    scale = max_side / max(grey.shape[:2])
    if scale < 1:
        grey = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    _, ink = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return ink > 0


def _profile_score(xs: np.ndarray, ys: np.ndarray, angle: float) -> float:
    """How sharply the ink falls into rows once the page is turned by ``angle`` degrees."""
    rad = math.radians(angle)
    # The row each ink pixel lands on after cv2.getRotationMatrix2D(.., angle, 1.0).
    rows = np.rint(ys * math.cos(rad) - xs * math.sin(rad)).astype(np.int64)
    counts = np.bincount(rows - rows.min())
    return float(np.dot(counts, counts))


def estimate_skew(img: np.ndarray) -> float:
    """The angle in degrees to rotate ``img`` by with ``cv2.getRotationMatrix2D(centre, angle,
    1.0)`` to make its text lines horizontal; 0.0 for a page without ink.

    A projection-profile search within ±``MAX_SKEW``: the angle at which the rows of ink are
    most sharply separated. It projects the ink pixels' coordinates instead of rotating images,
    which keeps it exact and fast.
    """
    ink = _ink_mask(img, _SKEW_SIDE)
    ys, xs = np.nonzero(ink)
    if len(xs) < 2:
        return 0.0
    # An almost black page (a dark photo, an inverted scan) has nothing to align on.
    if len(xs) > 0.5 * ink.size:
        return 0.0
    if len(xs) > _SKEW_MAX_INK:
        keep = slice(None, None, math.ceil(len(xs) / _SKEW_MAX_INK))
        xs, ys = xs[keep], ys[keep]
    cx, cy = ink.shape[1] / 2, ink.shape[0] / 2
    fx, fy = xs.astype(np.float64) - cx, ys.astype(np.float64) - cy
    best = 0.0
    for step, half in _SKEW_PASSES:
        count = round(half / step)
        angles = [a for i in range(-count, count + 1) if abs(a := best + i * step) <= MAX_SKEW + 1e-9]
        best = max(angles, key=lambda a: _profile_score(fx, fy, a))
    return round(best, 2)


def _rotation(angle: float, size: tuple[int, int]) -> tuple[np.ndarray, tuple[int, int]]:
    """The affine matrix ``rotate`` applies to an image of ``size`` (w, h), and the size of
    the canvas it draws on: enlarged so that no corner of the page is cut off."""
    w, h = size
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    out_w = math.ceil(w * cos + h * sin)
    out_h = math.ceil(w * sin + h * cos)
    matrix[0, 2] += (out_w - w) / 2
    matrix[1, 2] += (out_h - h) / 2
    return matrix, (out_w, out_h)


def rotate(img: np.ndarray, angle: float) -> np.ndarray:
    """``img`` turned by ``angle`` degrees (counter-clockwise, cv2's convention) on a canvas
    large enough to hold all of it, the uncovered corners white."""
    h, w = img.shape[:2]
    matrix, out_size = _rotation(angle, (w, h))
    border = WHITE if img.ndim == 3 else 255
    return cv2.warpAffine(img, matrix, out_size, flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=border)


def unrotate_box(bbox: BBox, angle: float, size: tuple[int, int]) -> BBox:
    """Where a box found on ``rotate(img, angle)`` lies on ``img`` itself, whose size is
    ``size`` (w, h): the axis-aligned box of its back-turned corners, clipped to ``img``."""
    matrix, _ = _rotation(angle, size)
    back = cv2.invertAffineTransform(matrix)
    x0, y0, x1, y1 = bbox
    corners = np.array([[x0, y0, 1.0], [x1, y0, 1.0], [x0, y1, 1.0], [x1, y1, 1.0]])
    points = corners @ back.T
    w, h = size
    return (
        float(np.clip(points[:, 0].min(), 0, w)),
        float(np.clip(points[:, 1].min(), 0, h)),
        float(np.clip(points[:, 0].max(), 0, w)),
        float(np.clip(points[:, 1].max(), 0, h)),
    )


def binarize(img: np.ndarray) -> np.ndarray:
    """Black text on white by a local (adaptive) threshold, as a 3-channel image.

    Off by default: measured, it loses thin strokes on noisy scans and both engines read
    worse from it.
    """
    grey = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    bw = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, 31, 15)
    return cv2.cvtColor(bw, cv2.COLOR_GRAY2RGB)


def prepare(img: np.ndarray, settings: Preprocess) -> tuple[np.ndarray, float]:
    """``img`` cleaned as ``settings`` ask, and the angle it was turned by (0.0 if not).

    Boxes read from the returned image map back to ``img`` with
    ``unrotate_box(bbox, angle, (width, height))``.
    """
    out = as_rgb(img)
    if settings.suppress_seals:
        out = suppress_red(out)
    angle = 0.0
    if settings.deskew:
        # Measured after seal suppression, so a seal's ring and text cannot pull the angle.
        found = estimate_skew(out)
        if abs(found) >= _MIN_ROTATION:
            angle = found
            out = rotate(out, angle)
    if settings.binarize:
        out = binarize(out)
    return out, angle
