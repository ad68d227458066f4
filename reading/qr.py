"""QR codes on invoice pages, decoded with zxing-cpp, and what a Chinese VAT invoice's code says.

zxing-cpp's ``ReadBarcodes`` keeps no shared state and releases the GIL while it decodes
(its maintainers: calls from several threads at once are safe), so pages are decoded
wherever they are read, without a lock.

The invoice QR text is comma-separated: version, type, code, number, amount, date
(``YYYYMMDD``), check code and a 4-hex field, e.g. ``01,10,012001800311,33207675,46.62,
20190508,…,E1BD,``. On a 数电 invoice the code is empty and the number has 20 digits, and
the amount is the total with tax; on older invoices it is the amount before tax.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

import numpy as np
import zxingcpp
from PIL import Image

from model.base import BBox
from model.document import Code, InvoiceQr

_HEAD = re.compile(r"^\s*0\d\s*,")


def decode(image: np.ndarray | Image.Image) -> list[tuple[str, BBox]]:
    """Every QR code found in a page image: its text and box in the image's pixels."""
    found = []
    for code in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)):
        if not code.valid or not code.text:
            continue
        p = code.position
        xs = [p.top_left.x, p.top_right.x, p.bottom_left.x, p.bottom_right.x]
        ys = [p.top_left.y, p.top_right.y, p.bottom_left.y, p.bottom_right.y]
        found.append((code.text, (float(min(xs)), float(min(ys)), float(max(xs)), float(max(ys)))))
    return found


def is_invoice_code(text: str) -> bool:
    """Whether a QR text is a VAT invoice's (``01,…`` with at least six fields)."""
    return bool(_HEAD.match(text)) and len(text.split(",")) >= 6


def parse(text: str, page: int | None = None, bbox: BBox | None = None) -> InvoiceQr | None:
    """An invoice QR text's fields; None when it is not an invoice's code."""
    if not is_invoice_code(text):
        return None
    parts = [p.strip() for p in text.split(",")]
    parts += [""] * (8 - len(parts))
    try:
        amount = Decimal(parts[4]) if parts[4] else None
    except InvalidOperation:
        amount = None
    day = None
    if re.fullmatch(r"\d{8}", parts[5]):
        try:
            day = date(int(parts[5][:4]), int(parts[5][4:6]), int(parts[5][6:]))
        except ValueError:
            day = None
    number = parts[3]
    digital = not parts[2] and len(number) == 20
    check = re.sub(r"\s", "", parts[6])
    return InvoiceQr(text=text.strip(), type=parts[1], code=parts[2] or None, number=number or None,
                     amount=amount, date=day, check_code=check or None, digital=digital,
                     page=page, bbox=bbox)


def qr_of(codes: list[Code]) -> InvoiceQr | None:
    """The invoice's QR code: the first that reads as one (a structured file's own text first)."""
    for code in sorted(codes, key=lambda c: c.page is not None):
        parsed = parse(code.text, code.page, code.bbox)
        if parsed is not None:
            return parsed
    return None
