"""zxing-cpp finds a QR code on a page image, with its box; an invoice's QR text is read for
what it says (legacy and 数电), anything else is no invoice's code."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
import zxingcpp
from PIL import Image

from model.document import Code
from reading.qr import decode, parse, qr_of

LEGACY = "01,10,011002300111,12345678,1000.00,20240603,12345678901234567890,A1B2,"
DIGITAL = "01,32,,24112000000012345678,1060.00,20240601,,ABCD"


def _page_with(text: str, at: tuple[int, int] = (300, 120)) -> Image.Image:
    code = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode)
    modules = np.asarray(zxingcpp.write_barcode_to_image(code, scale=4, add_quiet_zones=True))
    page = np.full((700, 500), 255, np.uint8)
    x, y = at
    page[y:y + modules.shape[0], x:x + modules.shape[1]] = modules
    return Image.fromarray(page).convert("RGB")


def test_a_code_on_a_page_is_found_with_its_box() -> None:
    ((text, box),) = decode(_page_with(LEGACY))
    assert text == LEGACY
    x0, y0, x1, y1 = box
    assert 295 <= x0 < x1 <= 500 and 115 <= y0 < y1 <= 400


def test_a_page_without_a_code_gives_nothing() -> None:
    assert decode(Image.new("RGB", (500, 700), "white")) == []


def test_a_legacy_invoice_code_gives_its_code_number_amount_before_tax_and_date() -> None:
    qr = parse(LEGACY, page=1, bbox=(1.0, 2.0, 3.0, 4.0))
    assert qr is not None and not qr.digital
    assert (qr.code, qr.number, qr.amount, qr.date) == ("011002300111", "12345678", Decimal("1000.00"),
                                                        date(2024, 6, 3))
    assert qr.amount_field == "amount_ex_tax" and qr.check_code == "12345678901234567890"


def test_a_digital_invoice_code_has_no_code_and_gives_the_total() -> None:
    qr = parse(DIGITAL)
    assert qr is not None and qr.digital and qr.code is None
    assert qr.amount_field == "total_amount" and qr.amount == Decimal("1060.00")


def test_a_code_that_is_no_invoices_is_not_read_as_one() -> None:
    assert parse("https://example.com/ticket/123") is None
    assert parse("01,10,short") is None
    bad_date = parse("01,10,011002300111,12345678,1000.00,20241341,,A1B2")
    assert bad_date is not None and bad_date.date is None  # a date that does not exist is none


def test_the_structured_files_own_code_comes_before_one_read_off_a_page() -> None:
    codes = [Code(page=1, bbox=(0.0, 0.0, 9.0, 9.0), text=LEGACY), Code(text=DIGITAL)]
    qr = qr_of(codes)
    assert qr is not None and qr.number == "24112000000012345678"
