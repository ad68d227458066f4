"""Page clean-up on synthetic pages: skew found to 0.1°, red seals gone, boxes mapped back."""

from __future__ import annotations

import time

import cv2
import numpy as np
import pytest

from reading.preprocess import (
    Preprocess,
    binarize,
    estimate_skew,
    prepare,
    rotate,
    suppress_red,
    unrotate_box,
)

RED = (220, 35, 40)


def text_page(width: int = 1654, height: int = 2339) -> np.ndarray:
    """A white RGB page of black text lines of uneven length, a ruled box and a signature."""
    page = np.full((height, width, 3), 255, np.uint8)
    rows = range(int(height * 0.08), int(height * 0.55), int(height * 0.025))
    for i, y in enumerate(rows):
        words = "Contract 2024-049 amount 96430080.00 period" if i % 3 else "Settlement JS2025042263"
        cv2.putText(page, words, (int(width * 0.1), y), cv2.FONT_HERSHEY_SIMPLEX, width / 1600,
                    (0, 0, 0), max(1, width // 800))
    cv2.rectangle(page, (int(width * 0.08), int(height * 0.6)), (int(width * 0.92), int(height * 0.75)),
                  (0, 0, 0), 2)
    cv2.putText(page, "seal here", (int(width * 0.6), int(height * 0.85)), cv2.FONT_HERSHEY_SIMPLEX,
                width / 1600, (0, 0, 0), 2)
    return page


def skewed(page: np.ndarray, angle: float) -> np.ndarray:
    """``page`` turned by ``angle`` degrees the way a scanner does it: same size, pale border."""
    h, w = page.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(page, matrix, (w, h), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=(250, 250, 248))


@pytest.fixture(scope="module")
def page() -> np.ndarray:
    return text_page()


@pytest.mark.parametrize("angle", [0.5, -0.5, 1.7, -1.7, 3.0, -3.0])
def test_skew_is_found_to_a_tenth_of_a_degree(page: np.ndarray, angle: float) -> None:
    # Turning the page by `angle` means it must be turned back by -angle to straighten it.
    assert estimate_skew(skewed(page, angle)) == pytest.approx(-angle, abs=0.1)


def test_straight_page_has_no_skew(page: np.ndarray) -> None:
    assert estimate_skew(page) == pytest.approx(0.0, abs=0.05)


def test_blank_page_has_no_skew() -> None:
    assert estimate_skew(np.full((600, 400, 3), 255, np.uint8)) == 0.0


def test_skew_of_a_large_page_is_cheap() -> None:
    big = skewed(text_page(2500, 3500), 2.3)
    estimate_skew(big)
    start = time.perf_counter()
    found = estimate_skew(big)
    elapsed = time.perf_counter() - start
    assert found == pytest.approx(-2.3, abs=0.1)
    # Measured 0.05 s here; the bound only catches a search that rotates images per angle.
    assert elapsed < 1.0


def test_red_seal_vanishes_and_black_text_stays(page: np.ndarray) -> None:
    sealed = page.copy()
    centre = (1100, 1990)
    cv2.circle(sealed, centre, 150, RED, thickness=-1)
    ink = (page < 100).all(axis=2)
    sealed[ink] = page[ink]  # the seal stamped over the print, which stays black
    out = suppress_red(sealed)
    assert out.shape == sealed.shape and out.dtype == np.uint8
    disc = np.zeros(page.shape[:2], bool)
    cv2.circle(disc.view(np.uint8), centre, 140, 1, thickness=-1)
    assert (disc & ink).any()
    assert out[disc & ~ink].min() > 200
    assert out[ink].max() < 100


def test_rotate_keeps_the_whole_page_on_a_white_canvas(page: np.ndarray) -> None:
    out = rotate(page, 3.0)
    h, w = page.shape[:2]
    assert out.shape[0] > h and out.shape[1] > w
    assert (out[0, 0] == 255).all() and (out[-1, -1] == 255).all()
    # All the ink survives: nothing was cut off at the corners.
    assert abs(int((out < 128).any(axis=2).sum()) - int((page < 128).any(axis=2).sum())) < 0.05 * (
        page < 128).any(axis=2).sum()
    assert rotate(page, 0.0).shape == page.shape


def _dark_box(img: np.ndarray) -> tuple[float, float, float, float]:
    ys, xs = np.nonzero((img < 128).any(axis=2))
    return float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1)


@pytest.mark.parametrize("angle", [-3.0, -0.7, 1.7, 4.5])
def test_boxes_on_the_rotated_page_map_back(angle: float) -> None:
    h, w = 1200, 900
    original = np.full((h, w, 3), 255, np.uint8)
    box = (600, 150, 800, 190)
    cv2.rectangle(original, box[:2], (box[2] - 1, box[3] - 1), (0, 0, 0), thickness=-1)

    back = unrotate_box(_dark_box(rotate(original, angle)), angle, (w, h))

    assert (back[0] + back[2]) / 2 == pytest.approx((box[0] + box[2]) / 2, abs=1.5)
    assert (back[1] + back[3]) / 2 == pytest.approx((box[1] + box[3]) / 2, abs=1.5)
    # The box of the turned-back corners holds the original, grown by no more than the tilt.
    assert back[0] <= box[0] + 1 and back[1] <= box[1] + 1
    assert back[2] >= box[2] - 1 and back[3] >= box[3] - 1
    grow = 2 * (box[2] - box[0] + box[3] - box[1]) * np.sin(np.radians(abs(angle))) + 3
    assert back[2] - back[0] <= box[2] - box[0] + grow
    assert back[3] - back[1] <= box[3] - box[1] + grow


def test_unrotated_boxes_stay_inside_the_image() -> None:
    back = unrotate_box((0.0, 0.0, 50.0, 50.0), 4.0, (900, 1200))
    assert all(v >= 0 for v in back) and back[2] <= 900 and back[3] <= 1200


def test_binarize_gives_black_and_white(page: np.ndarray) -> None:
    out = binarize(skewed(page, 1.0))
    assert out.shape == page.shape
    assert set(np.unique(out)) <= {0, 255}


def test_default_settings_are_the_measured_best() -> None:
    assert Preprocess() == Preprocess(deskew=True, suppress_seals=True, binarize=False)


def test_prepare_straightens_and_clears_the_seal(page: np.ndarray) -> None:
    sealed = page.copy()
    cv2.circle(sealed, (1100, 1990), 150, RED, thickness=-1)
    out, angle = prepare(skewed(sealed, -2.0), Preprocess())
    assert angle == pytest.approx(2.0, abs=0.1)
    assert estimate_skew(out) == pytest.approx(0.0, abs=0.1)
    # The seal would add 70,000 dark pixels; only the print's own ink is left.
    ink = int((page < 128).any(axis=2).sum())
    assert abs(int((out < 128).any(axis=2).sum()) - ink) < 0.1 * ink


def test_prepare_with_nothing_to_do_returns_the_page(page: np.ndarray) -> None:
    out, angle = prepare(page, Preprocess(deskew=False, suppress_seals=False))
    assert angle == 0.0
    assert np.array_equal(out, page)
    out, angle = prepare(page, Preprocess())
    assert angle == 0.0 and out.shape == page.shape


def test_prepare_accepts_grey_pages(page: np.ndarray) -> None:
    out, _ = prepare(cv2.cvtColor(page, cv2.COLOR_RGB2GRAY), Preprocess())
    assert out.ndim == 3 and out.shape[2] == 3
