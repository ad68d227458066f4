"""OCR on real scans from the sample corpus: both engines read the key strings, boxes land
on the original image, and a page skewed a further 2° still reads once deskewed."""

from __future__ import annotations

import io
import re
from typing import Any

import cv2
import numpy as np
import pytest
from PIL import Image

from model.document import Word
from reading.ocr import (
    ENGINES,
    OcrEngine,
    _Token,
    _tokens_to_words,
    make_engine,
    normalize_text,
    ocr_page_with_skew,
    words_in_reading_order,
)
from reading.preprocess import Preprocess, estimate_skew
from tests.sample_docs.corpus import inbox_files, truths

INVOICE = ("APP-2025-0002", "fapiao (4).jpg")
"""A JPEG scan of a VAT invoice with a red seal over the seller block."""
SETTLEMENT = ("APP-2025-0001", "03 结算确认单.jpg")
"""A JPEG scan of a settlement statement: a ruled table, amounts with thousands separators."""

EXTRA_SKEW = -2.0
"""Turns the invoice scan, which already leans 1.65°, on to about 3.65°."""


def load_scan(app_id: str, name: str) -> tuple[np.ndarray, dict[str, Any]]:
    """The RGB pixels of one scanned upload and the truth fields of that file."""
    truth = next(t for t in truths() if t["application_id"] == app_id)["files"][name]
    assert truth["scan"] in ("jpg", "png", "tif"), f"{name} is not an image scan"
    data = dict(inbox_files(app_id))[name]
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB")), truth["fields"]


def compact(words: list[Word]) -> str:
    return re.sub(r"\s+", "", "".join(w.text for w in words))


def index_of(words: list[Word], text: str) -> int:
    return next(i for i, w in enumerate(words) if text in w.text.replace(" ", ""))


def centre(box: tuple[float, float, float, float]) -> np.ndarray:
    return np.array([(box[0] + box[2]) / 2, (box[1] + box[3]) / 2])


def assert_well_formed(words: list[Word], image: np.ndarray) -> None:
    h, w = image.shape[:2]
    assert words
    for word in words:
        x0, y0, x1, y1 = word.bbox
        assert 0 <= x0 <= x1 <= w and 0 <= y0 <= y1 <= h, word
        assert 0 <= word.confidence <= 1
        assert word.text == word.text.strip() and word.text


# --- pure parts: no engine needed -------------------------------------------------------


def test_unknown_engine_names_the_choices() -> None:
    with pytest.raises(ValueError, match=r"rapidocr.*tesseract"):
        make_engine("easyocr")


def test_factory_builds_every_registered_engine_without_loading_models() -> None:
    for name in ENGINES:
        engine: OcrEngine = make_engine(name, threads=1)
        assert engine.name == name
    with pytest.raises(ValueError, match="threads"):
        make_engine("rapidocr", threads=0)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("发票号码：６３７９７０６９", "发票号码：63797069"),
        ("（小写）￥４２３７２０００.００", "（小写）¥42372000.00"),
        ("  ＭＡ０２０８Ｕ００Ｂ\u3000有限公司 ", "MA0208U00B 有限公司"),
        ("昇腾910B  GPU算力服务", "昇腾910B GPU算力服务"),
        ("费用无误，合计¥24，397，824.00。", "费用无误，合计¥24,397,824.00。"),
    ],
)
def test_text_is_normalised(raw: str, clean: str) -> None:
    assert normalize_text(raw) == clean


def test_tesseract_tokens_join_like_print() -> None:
    tokens = [
        _Token("发票", (100, 10, 140, 30), 90), _Token("号", (142, 10, 162, 30), 80),
        _Token("码", (163, 10, 183, 30), 70), _Token(":", (185, 15, 190, 30), 60),
        _Token("63797069", (260, 12, 380, 30), 90),
        _Token("23707", (400, 12, 470, 30), 96), _Token("15443", (480, 12, 550, 30), 96),
    ]
    words = _tokens_to_words(tokens)
    assert [w.text for w in words] == ["发票号码:", "63797069 23707 15443"]
    assert words[0].bbox == (100, 10, 190, 30)
    assert words[0].confidence == pytest.approx(0.75)


def test_reading_order_is_by_line_then_left_to_right() -> None:
    def word(text: str, x: float, y: float) -> Word:
        return Word(text=text, bbox=(x, y, x + 50, y + 20), confidence=1.0)

    shuffled = [word("d", 10, 60), word("b", 200, 13), word("c", 400, 8), word("a", 10, 10)]
    assert [w.text for w in words_in_reading_order(shuffled)] == ["a", "b", "c", "d"]


# --- real OCR on real scans -------------------------------------------------------------


@pytest.fixture(scope="module")
def invoice() -> tuple[np.ndarray, dict[str, Any]]:
    return load_scan(*INVOICE)


@pytest.fixture(scope="module")
def settlement() -> tuple[np.ndarray, dict[str, Any]]:
    return load_scan(*SETTLEMENT)


@pytest.fixture(scope="module")
def rapidocr() -> OcrEngine:
    return make_engine("rapidocr")


@pytest.fixture(scope="module")
def tesseract() -> OcrEngine:
    return make_engine("tesseract")


@pytest.fixture(scope="module")
def rapidocr_invoice(rapidocr: OcrEngine, invoice: tuple[np.ndarray, dict[str, Any]]) -> list[Word]:
    return ocr_page_with_skew(rapidocr, invoice[0], Preprocess())[0]


@pytest.mark.slow
def test_rapidocr_reads_the_invoice(rapidocr_invoice: list[Word],
                                    invoice: tuple[np.ndarray, dict[str, Any]]) -> None:
    image, fields = invoice
    text = compact(rapidocr_invoice)
    for key in ("invoice_code", "invoice_no", "total_amount", "total_in_words", "contract_no"):
        assert fields[key] in text, key
    assert fields["buyer"]["uscc"] in text and fields["seller"]["uscc"] in text
    assert fields["seller"]["name"] in text
    assert_well_formed(rapidocr_invoice, image)


@pytest.mark.slow
def test_rapidocr_words_come_in_reading_order(rapidocr_invoice: list[Word],
                                              invoice: tuple[np.ndarray, dict[str, Any]]) -> None:
    fields = invoice[1]
    title = index_of(rapidocr_invoice, "增值税电子专用发票")
    label = index_of(rapidocr_invoice, "发票号码")
    number = index_of(rapidocr_invoice, fields["invoice_no"])
    total = index_of(rapidocr_invoice, fields["total_amount"])
    assert title < label < number < total


@pytest.mark.slow
def test_rapidocr_reads_the_settlement(rapidocr: OcrEngine,
                                       settlement: tuple[np.ndarray, dict[str, Any]]) -> None:
    image, fields = settlement
    words = ocr_page_with_skew(rapidocr, image, Preprocess())[0]
    text = compact(words)
    assert fields["statement_no"] in text
    assert fields["contract_no"] in text
    assert f"{float(fields['total_amount']):,.2f}" in text  # printed as 31,703,040.00
    assert f"{int(fields['quantity']):,}" in text
    assert fields["supplier"]["uscc"] in text
    assert_well_formed(words, image)


@pytest.mark.slow
def test_rapidocr_reads_a_page_skewed_further_and_maps_boxes_back(
        rapidocr: OcrEngine, rapidocr_invoice: list[Word],
        invoice: tuple[np.ndarray, dict[str, Any]]) -> None:
    image, fields = invoice
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), EXTRA_SKEW, 1.0)
    tilted = cv2.warpAffine(image, matrix, (w, h), flags=cv2.INTER_LINEAR,
                            borderMode=cv2.BORDER_CONSTANT, borderValue=(250, 250, 248))
    words, angle = ocr_page_with_skew(rapidocr, tilted, Preprocess())

    assert angle == pytest.approx(estimate_skew(image) - EXTRA_SKEW, abs=0.1)

    assert fields["invoice_no"] in compact(words)
    assert_well_formed(words, tilted)
    # The number's box on the tilted page is where the tilt carries its box on the scan.
    on_scan = rapidocr_invoice[index_of(rapidocr_invoice, fields["invoice_no"])].bbox
    on_tilted = words[index_of(words, fields["invoice_no"])].bbox
    expected = matrix @ np.append(centre(on_scan), 1.0)
    assert np.linalg.norm(centre(on_tilted) - expected) < 10


@pytest.mark.slow
@pytest.mark.parametrize("engine_name", ["rapidocr", pytest.param("tesseract", marks=pytest.mark.tesseract)])
def test_a_blank_page_has_no_words(engine_name: str, request: pytest.FixtureRequest) -> None:
    engine: OcrEngine = request.getfixturevalue(engine_name)
    assert ocr_page_with_skew(engine, np.full((700, 500, 3), 250, np.uint8), Preprocess())[0] == []


@pytest.mark.tesseract
@pytest.mark.slow
def test_tesseract_reads_key_strings_of_the_invoice(tesseract: OcrEngine,
                                                    invoice: tuple[np.ndarray, dict[str, Any]]) -> None:
    image, fields = invoice
    words = ocr_page_with_skew(tesseract, image, Preprocess())[0]
    text = compact(words)
    # Tesseract's chi_sim misreads ¥ and 大写 and drops ruled tables: ask for the plain codes.
    wanted = [fields["invoice_code"], fields["invoice_no"], fields["issue_date"], fields["total_amount"],
              fields["contract_no"]]
    assert sum(s in text for s in wanted) >= 3, text
    assert_well_formed(words, image)


@pytest.mark.tesseract
@pytest.mark.slow
def test_tesseract_reads_key_strings_of_the_settlement(
        tesseract: OcrEngine, settlement: tuple[np.ndarray, dict[str, Any]]) -> None:
    image, fields = settlement
    words = ocr_page_with_skew(tesseract, image, Preprocess())[0]
    text = compact(words)
    wanted = [fields["statement_no"], fields["contract_no"], fields["customer"]["uscc"],
              fields["supplier"]["uscc"], f"{float(fields['total_amount']):,.2f}"]
    assert sum(s in text for s in wanted) >= 3, text
    assert_well_formed(words, image)
