"""The red-seal detector: finds the corpus seals where the truth puts them, and nothing else."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from typing import Any

import cv2
import numpy as np
import pytest
from PIL import Image

from reading.pdfium import render_all
from reading.seals import SealBox, colourless, detect_grey_seals, detect_seals, red_marks
from tests.sample_docs.corpus import inbox_files, truths

RED = (219, 22, 28)

SUBSET = {
    # text PDFs (a contract with two seals on its last page, oval invoice seals, a bank receipt,
    # a usage statement), image-only PDFs, mixed contracts whose last page is a scan, JPEG (one
    # named .png), 16-colour PNG (0015's seal came out greyish red), TIFF, a member of the zip;
    # no seal on an unsealed contract (0013), digital invoices and a stray photo (0011)
    "APP-2025-0001": ["01 合同扫描件.pdf", "05 电子发票.pdf", "03 结算确认单.jpg"],
    "APP-2025-0002": ["07 算力使用情况说明.pdf", "智能算力服务合同（盖章版）-1.pdf", "08 附件3-1 承诺书.png"],
    "APP-2025-0003": ["付款凭证 (3).jpg"],
    "APP-2025-0004": ["03 电子发票.pdf", "09 发票.jpg", "IMG_20250311_118757.png", "IMG_20250710_146574.tif"],
    "APP-2025-0005": ["算力服务合同.pdf"],
    "APP-2025-0006": ["算力服务费发票-5.pdf", "IMG_20250503_135913.jpg"],
    "APP-2025-0007": ["电子发票.pdf", "发票 (8).pdf"],
    "APP-2025-0008": ["fapiao-6.pdf"],
    "APP-2025-0009": ["银行回单.pdf", "IMG_20250601_144587.jpg"],
    "APP-2025-0011": ["补充说明.jpg"],
    "APP-2025-0012": ["01 智能算力服务合同（盖章版）.pdf"],
    "APP-2025-0013": ["合同扫描件 (1).pdf"],
    "APP-2025-0014": ["上线批号及日活证明-9.pdf"],
    "APP-2025-0015": ["02 算力结算单.png"],
    "APP-2025-0016": ["算力使用情况说明-7.jpg"],
    "APP-2025-0017": ["智算资源采购合同.pdf"],
}


def iou(a: tuple[float, ...] | list[float], b: tuple[float, ...] | list[float]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - ix * iy
    return ix * iy / union if union else 0.0


def file_pages(data: bytes, scan: str | None, pdf_scale: float = 1.0) -> Iterator[tuple[int, np.ndarray]]:
    """(page number, RGB image) of one upload; PDFs at ``pdf_scale`` × 72 dpi, so that at 1 the
    pixels are the truth's points."""
    if scan in ("jpg", "png", "tif"):
        yield 1, np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
        return
    for i, image in enumerate(render_all(data, pdf_scale)):
        yield i + 1, np.asarray(image)


def match(found: list[SealBox], truth: list[list[float]]) -> tuple[int, int, int]:
    """True positives, false positives and misses at IoU >= 0.5, each truth box used once."""
    left = list(truth)
    tp = 0
    for seal in found:
        best = max(left, key=lambda b: iou(seal.bbox, b), default=None)
        if best is not None and iou(seal.bbox, best) >= 0.5:
            left.remove(best)
            tp += 1
    return tp, len(found) - tp, len(left)


def subset_files() -> Iterator[tuple[str, str, bytes, dict[str, Any]]]:
    for t in truths():
        app = t["application_id"]
        if app not in SUBSET:
            continue
        for name, data in inbox_files(app):
            if name in SUBSET[app]:
                yield app, name, data, t["files"][name]


def test_subset_covers_every_kind_of_file() -> None:
    entries = [(name, entry) for _, name, _, entry in subset_files()]
    assert len(entries) == sum(len(v) for v in SUBSET.values()), "a subset file is gone from the corpus"
    assert {e["scan"] for _, e in entries} == {None, "pdf", "jpg", "png", "tif", "mixed"}
    assert sum(not e["seals"] for _, e in entries) >= 5
    assert not any(e.get("unreadable") for _, e in entries)


def test_corpus_subset_precision_and_recall() -> None:
    tp = fp = fn = 0
    pages = unsealed = 0
    misses = []
    for app, name, data, entry in subset_files():
        for number, image in file_pages(data, entry["scan"]):
            truth = [s["bbox"] for s in entry["seals"] if s["page"] == number]
            found = detect_seals(image)
            t, f, n = match(found, truth)
            tp, fp, fn = tp + t, fp + f, fn + n
            pages += 1
            unsealed += not truth
            if f or n:
                misses.append((app, name, number, [s.bbox for s in found], truth))
    assert pages >= 30 and unsealed >= 10 and tp + fn >= 25
    assert tp / max(1, tp + fp) >= 0.95, misses
    assert tp / (tp + fn) >= 0.95, misses


@pytest.mark.parametrize("dpi", [60, 150, 300])
def test_text_pdf_seals_at_any_resolution(dpi: int) -> None:
    entry = next(t for t in truths() if t["application_id"] == "APP-2025-0001")["files"]["01 合同扫描件.pdf"]
    data = dict(inbox_files("APP-2025-0001"))["01 合同扫描件.pdf"]
    scale = dpi / 72
    for number, image in file_pages(data, None, pdf_scale=scale):
        truth = [[v * scale for v in s["bbox"]] for s in entry["seals"] if s["page"] == number]
        found = detect_seals(image)
        assert match(found, truth) == (len(truth), 0, 0), (number, found, truth)


# --- synthetic pages --------------------------------------------------------------------


def blank_page(width: int = 1240, height: int = 1754) -> np.ndarray:
    return np.full((height, width, 3), 250, np.uint8)


def text_page(width: int = 1240, height: int = 1754) -> np.ndarray:
    page = blank_page(width, height)
    for i in range(30):
        cv2.putText(page, "Party A agrees to pay the service fee 1234567.00", (80, 150 + 50 * i),
                    cv2.FONT_HERSHEY_SIMPLEX, 1.0, (20, 20, 20), 2, cv2.LINE_AA)
    return page


def stamp(page: np.ndarray, centre: tuple[int, int], radius: int, oval: bool = False) -> tuple[int, ...]:
    """Draws a seal the way they look: thin ring, name inside the ring, star, label; returns its box."""
    cx, cy = centre
    rx, ry = (int(radius * 1.3), int(radius * 0.9)) if oval else (radius, radius)
    cv2.ellipse(page, centre, (rx, ry), 0, 0, 360, RED, max(2, radius // 25), cv2.LINE_AA)
    cv2.putText(page, "SEAL CO LTD", (cx - int(radius * 0.6), cy - int(radius * 0.35)),
                cv2.FONT_HERSHEY_SIMPLEX, radius / 150, RED, max(1, radius // 40), cv2.LINE_AA)
    cv2.drawMarker(page, centre, RED, cv2.MARKER_STAR, radius // 3, max(2, radius // 20))
    cv2.putText(page, "CONTRACT", (cx - int(radius * 0.5), cy + int(radius * 0.6)),
                cv2.FONT_HERSHEY_SIMPLEX, radius / 170, RED, max(1, radius // 40), cv2.LINE_AA)
    return cx - rx, cy - ry, cx + rx, cy + ry


def test_red_ring_with_red_text_is_a_seal() -> None:
    page = text_page()
    box = stamp(page, (800, 1300), 160)
    [seal] = detect_seals(page)
    assert iou(seal.bbox, box) > 0.85
    assert seal.confidence > 0.8


def test_oval_seal_and_two_seals_side_by_side() -> None:
    page = text_page()
    boxes = [stamp(page, (400, 1300), 130, oval=True), stamp(page, (900, 1300), 160)]
    found = detect_seals(page)
    assert match(found, [list(map(float, b)) for b in boxes]) == (2, 0, 0)
    assert [s.bbox[1] for s in found] == sorted(s.bbox[1] for s in found)


def test_seal_crossing_a_red_table_rule_is_still_found() -> None:
    page = text_page()
    box = stamp(page, (800, 1300), 160)
    cv2.rectangle(page, (100, 1250), (1150, 1600), (200, 60, 50), 3)
    cv2.line(page, (100, 1350), (1150, 1350), (200, 60, 50), 3)
    [seal] = detect_seals(page)
    assert iou(seal.bbox, box) > 0.85


def test_filled_red_rectangle_is_not_a_seal() -> None:
    page = text_page()
    cv2.rectangle(page, (700, 1200), (900, 1400), RED, -1)
    assert detect_seals(page) == []


def test_red_frame_and_filled_disc_are_not_seals() -> None:
    page = text_page()
    cv2.rectangle(page, (150, 1200), (450, 1400), RED, 6)
    cv2.putText(page, "PAID", (200, 1320), cv2.FONT_HERSHEY_SIMPLEX, 2.2, RED, 6)
    cv2.circle(page, (850, 1300), 100, RED, -1)
    assert detect_seals(page) == []


def test_black_circle_is_not_a_seal() -> None:
    page = text_page()
    cv2.circle(page, (800, 1300), 150, (20, 20, 20), 6)
    cv2.putText(page, "SEAL", (700, 1300), cv2.FONT_HERSHEY_SIMPLEX, 2, (20, 20, 20), 5)
    assert detect_seals(page) == []


@pytest.mark.parametrize("text", ["NOTICE OF PAYMENT", "O", "8", "@"])
def test_red_heading_letters_are_not_seals(text: str) -> None:
    page = text_page()
    cv2.putText(page, text, (150, 300), cv2.FONT_HERSHEY_SIMPLEX, 3 if len(text) > 1 else 8, RED,
                8 if len(text) > 1 else 20)
    assert detect_seals(page) == []


def test_empty_red_ring_is_not_a_seal() -> None:
    # a ring with nothing inside is a pen circle round a figure, not a stamp
    page = text_page()
    cv2.circle(page, (800, 1300), 150, RED, 6)
    assert detect_seals(page) == []


def test_blank_page_and_non_rgb_input_give_nothing() -> None:
    assert detect_seals(blank_page()) == []
    assert detect_seals(np.full((1754, 1240), 250, np.uint8)) == []
    assert detect_seals(np.zeros((0, 0, 3), np.uint8)) == []


def test_a_300_dpi_page_takes_well_under_a_third_of_a_second() -> None:
    page = text_page(2500, 3500)
    box = stamp(page, (1800, 2800), 300)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        found = detect_seals(page)
        best = min(best, time.perf_counter() - start)
    assert match(found, [list(map(float, box))]) == (1, 0, 0)
    assert best < 0.3


# --- grey-scale scans -------------------------------------------------------------------


def grey(image: np.ndarray) -> np.ndarray:
    """The page as a grey-scale scanner saves it (kept as RGB, every pixel R = G = B)."""
    return cv2.cvtColor(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)


def test_corpus_subset_in_grey_round_seals_found_and_nothing_else() -> None:
    # the subset's pages scanned in grey: every round seal is still found by its ring, and no
    # table, text or signature is taken for one (an invoice's oval seal is not round)
    tp = fp = fn = 0
    misses = []
    for app, name, data, entry in subset_files():
        for number, image in file_pages(data, entry["scan"], pdf_scale=150 / 72):
            truth = [[v * (150 / 72 if entry["scan"] in (None, "pdf", "mixed") else 1) for v in s["bbox"]]
                     for s in entry["seals"] if s["page"] == number]
            round_ = [b for b in truth if 0.8 <= (b[2] - b[0]) / (b[3] - b[1]) <= 1.25]
            page = grey(image)
            assert colourless(page)
            found = detect_grey_seals(page)
            t, f, n = match(found, round_)
            tp, fp, fn = tp + t, fp + f, fn + n
            if f or n:
                misses.append((app, name, number, [s.bbox for s in found], round_))
    assert tp + fn >= 15
    assert tp / max(1, tp + fp) >= 0.95, misses
    assert tp / (tp + fn) >= 0.9, misses


def test_grey_ring_over_text_is_a_seal_and_text_alone_is_not() -> None:
    page = text_page()
    box = stamp(page, (800, 1300), 160)
    [seal] = detect_grey_seals(grey(page))
    assert iou(seal.bbox, box) > 0.8
    assert detect_grey_seals(grey(text_page())) == []
    assert detect_grey_seals(grey(blank_page())) == []


def test_colourless_tells_a_grey_scan_from_a_colour_one() -> None:
    page = text_page()
    assert colourless(page) and colourless(grey(page))
    stamp(page, (800, 1300), 160)
    assert not colourless(page)
    noisy = grey(page).astype(np.int16) + np.random.default_rng(7).integers(-8, 9, page.shape)
    assert not colourless(np.clip(noisy, 0, 255).astype(np.uint8))  # a colour scanner's noise


def test_a_red_mark_of_a_seal_s_size_is_seen_even_where_it_is_no_recognisable_seal() -> None:
    # a smudged, broken ring stamped askew is no recognisable seal, but it is where a seal
    # could be: its absence is not certain
    page = text_page()
    cv2.ellipse(page, (850, 1300), (110, 80), 30, 0, 240, RED, 14)
    assert detect_seals(page) == []
    [mark] = red_marks(page)
    assert 700 < (mark[0] + mark[2]) / 2 < 1000 and 1150 < (mark[1] + mark[3]) / 2 < 1450
    # a red heading is not of a seal's shape, a blank page has none
    heading = text_page()
    cv2.putText(heading, "NOTICE OF PAYMENT", (150, 300), cv2.FONT_HERSHEY_SIMPLEX, 3, RED, 8)
    assert red_marks(heading) == [] and red_marks(blank_page()) == []
