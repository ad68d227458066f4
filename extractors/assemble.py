"""One document's fields put together from every reading of them, in a fixed order, each value
with why it won (``model.document.Won``):

1. **the print**: the text layer or OCR of its pages, through the extractor of its type
   (``extractors.registry``);
2. **the structured copy** an OFD or XML invoice carries: exact, so it stands for what the
   page reading gave, but for the fields the page gives as printed (the lines of a 销货清单
   invoice, the amount in words), which it only fills where the page has none;
3. **the QR code** of an invoice: exact but not the print the reviewer sees, so it fills what
   the print missed and makes certain what agrees with it; a value that disagrees stays as
   printed (the QR_MISMATCH check says so).

The readers give the raw material (words with boxes, the structured data's text, the codes'
text); the meaning of it is made here, once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from extractors.classify import classify
from extractors.cnnum import words_to_amount
from extractors.corroborate import corroborate_sums, distinct_parties
from extractors.layout import DocText
from extractors.markings import find_markings
from extractors.parsers import stored_amount, stored_date, stored_rate
from extractors.recognise import recognise
from extractors.registry import extract_fields
from model.base import BBox, DocType, Source, Support, TypedBy, box_around
from model.document import (
    Field,
    Fields,
    InvoiceFields,
    InvoiceQr,
    LineItem,
    Marking,
    Missing,
    MoneyField,
    NumberField,
    Page,
    Party,
    SettlementFields,
    Won,
)
from policy.rules import Rules, Tolerance
from reading.einvoice import Item, Structured
from reading.qr import qr_of
from reading.reader import ReadDocument


@dataclass
class Assembled:
    """What a document says, from all its readings: its type, fields, why each field won and
    why each missing one is missing, its QR code and its secrecy markings."""

    doc_type: DocType = DocType.OTHER
    typed_by: TypedBy | None = None
    fields: Fields | None = None
    missing: dict[str, Missing] = field(default_factory=dict)
    won: dict[str, Won] = field(default_factory=dict)
    qr: InvoiceQr | None = None
    markings: list[Marking] = field(default_factory=list)


def assemble(read: ReadDocument, rules: Rules) -> Assembled:
    """A read upload's type and fields: the print, then the structured copy, then the QR code."""
    out = Assembled()
    invoice = read.structured if read.structured is not None and read.structured.is_invoice else None
    if not (read.pages or invoice) or read.errors:
        return out
    dt = DocText.from_pages(read.pages)
    if invoice is not None:
        out.doc_type, out.typed_by = DocType.INVOICE, TypedBy.DATA
        out.fields, out.missing = extract_fields(out.doc_type, read.pages, rules, dt)
    else:
        out.doc_type, out.typed_by, (out.fields, out.missing) = recognise(classify(read.pages), read.pages,
                                                                          rules, dt)
    out.won = dict.fromkeys(out.fields.present(), Won.PRINT)
    if invoice is not None:
        with_structured(out, invoice, read.pages)
    out.markings = find_markings(dt, rules.secrecy)
    if out.doc_type is DocType.INVOICE:
        out.qr = qr_of(read.codes)
        if out.qr is not None:
            with_qr(out, out.qr)
    distinct_parties(out.fields, out.missing)
    misread_total(out)
    corroborate_sums(out.doc_type, out.fields, rules.tolerance)
    misread_lines(out, rules.tolerance)
    return out


def misread_total(out: Assembled) -> None:
    """A total OCR misread (15,016,000.00 for 15,616,000.00) where the document's parts and its
    total in words agree on another: the lines' sum (a statement) or amount and tax (an
    invoice), and the 大写, two readings from other places, are the total. On a text layer a
    total that disagrees is what the document prints: the checks weigh it."""
    fields = out.fields
    if not isinstance(fields, SettlementFields | InvoiceFields):
        return
    total, words = fields.total_amount, fields.total_in_words
    if total is None or words is None or total.source is not Source.OCR:
        return
    said = words_to_amount(words.value)
    if said is None or said == total.value:
        return
    if isinstance(fields, SettlementFields):
        parts = sum((i.amount for i in fields.items.value), Decimal(0)) if fields.items else None
    else:
        parts = fields.amount_ex_tax.value + fields.tax_amount.value \
            if fields.amount_ex_tax is not None and fields.tax_amount is not None else None
    if parts == said:
        fields.total_amount = MoneyField(value=said, page=words.page, bbox=words.bbox, source=words.source,
                                         confidence=min(total.confidence, words.confidence),
                                         evidence=[Support.ARITHMETIC])


def misread_lines(out: Assembled, tolerance: Tolerance) -> None:
    """A scanned statement's lines whose amounts do not add up to its total (or, without a
    total, whose price × quantity is far off their amounts) were misread: OCR joins rows and
    columns of a crowded table. They are not taken; the statement's total stands for them, and
    the reviewer is told to look. Lines that add up keep their amounts, a misread quantity
    (1.056 for 1,056) only in doubt. On a text layer they are what the document prints, and
    the checks weigh them."""
    if out.doc_type is not DocType.SETTLEMENT or not isinstance(out.fields, SettlementFields):
        return
    items, total = out.fields.items, out.fields.total_amount
    if items is None or items.source is not Source.OCR or Support.ARITHMETIC not in items.doubts:
        return
    lines = sum((i.amount for i in items.value), Decimal(0))
    if total is None or abs(lines - total.value) > tolerance.arithmetic:
        out.fields.items = None
        out.missing["items"] = Missing.unread("明细行识别结果与合计或单价×数量不符，未采用，请核对原件")


# --- 2. the structured copy ---------------------------------------------------------------------

PRINTED_WINS = ("items", "total_in_words")
"""Fields the page's own reading gives as printed (a 销货清单 invoice prints one line, 详见销货清单,
where its data lists every line); the structured data fills them only where the page has none."""


def with_structured(out: Assembled, invoice: Structured, pages: list[Page]) -> None:
    """The structured data's values in place of what was read from the pages (exact, source
    ``ofd``/``xml``): the page reading keeps only what the data lacks, and what it prints as
    it is (``PRINTED_WINS``)."""
    assert out.fields is not None
    merged = dict(out.fields.present().items())
    for name, f in invoice_fields(invoice, pages).items():
        read = merged.get(name)
        if read is not None and name in PRINTED_WINS:
            out.won[name] = Won.KEPT_AS_PRINTED
            continue
        if read is not None and f.bbox is None and read.value == f.value:
            f = f.model_copy(update={"page": read.page, "bbox": read.bbox})  # printed where the page says
        merged[name] = f
        out.won[name] = Won.STRUCTURED
    out.fields = InvoiceFields.model_validate({k: v.model_dump() for k, v in merged.items()})
    out.missing = {k: v for k, v in out.missing.items() if k not in merged}


EXACT = [Support.TYPE, Support.STRUCTURED]
"""A structured copy's value: typed data the issuer's system wrote."""


def invoice_fields(data: Structured, pages: list[Page]) -> dict[str, Field[Any]]:
    """The invoice fields the structured data gives, each with the place it is printed (from
    the container, else found on the pages; none for an XML file, which has no pages),
    source ``ofd`` or ``xml`` and full confidence."""
    v = data.values
    out: dict[str, Field[Any]] = {}

    def place(key: str, parse: type | None = None) -> tuple[int | None, BBox | None]:
        if key in data.places:
            return data.places[key].page, data.places[key].bbox
        found = locate(v[key], pages, parse) if key in v else None
        return found if found is not None else (None, None)

    def exact(kind: type, value: object, page: int | None = None, bbox: BBox | None = None) -> Field[Any]:
        field: Field[Any] = kind(value=value, page=page, bbox=bbox, source=data.source, confidence=1.0,
                                 evidence=EXACT)
        return field

    def put(name: str, value: object, key: str, parse: type | None = None, kind: type = Field) -> None:
        out[name] = exact(kind, value, *place(key, parse))

    if v.get("invoice_no"):
        put("invoice_no", re.sub(r"\s", "", v["invoice_no"]), "invoice_no")
    if v.get("invoice_code"):
        put("invoice_code", re.sub(r"\s", "", v["invoice_code"]), "invoice_code")
    elif v.get("invoice_no") and len(re.sub(r"\s", "", v["invoice_no"])) == 20:
        out["invoice_code"] = exact(Field, None)  # 数电: no code
    issued = stored_date(v.get("issue_date", ""))
    if issued is not None:
        put("issue_date", issued, "issue_date", date)
    for role in ("buyer", "seller"):
        name, uscc = v.get(f"{role}_name"), v.get(f"{role}_uscc")
        if name:
            page, bbox = place(f"{role}_name")
            _, uscc_box = place(f"{role}_uscc") if uscc else (None, None)
            party = Party(name=name, uscc=re.sub(r"\s", "", uscc) if uscc else None, uscc_bbox=uscc_box)
            out[role] = exact(Field, party, page, bbox)
    for name in ("amount_ex_tax", "tax_amount", "total_amount"):
        amount = stored_amount(v.get(name, ""))
        if amount is not None:
            put(name, amount, name, Decimal, MoneyField)
    if v.get("total_in_words"):
        put("total_in_words", re.sub(r"^[⊗ⓧ×\s]+", "", v["total_in_words"]), "total_in_words")
    items = [line for line in map(_item, data.items) if line is not None]
    if items:
        first_place = locate(data.items[0].name, pages) if data.items[0].name else None
        page, bbox = first_place if first_place else (None, None)
        out["items"] = exact(Field, items, page, bbox)
        rates = {i.tax_rate for i in items}
        rate = rates.pop() if len(rates) == 1 else None
        if rate is not None:
            printed = locate(f"{(rate * 100).normalize():f}%", pages)
            rate_page, rate_box = printed if printed else (page, None)
            out["tax_rate"] = exact(NumberField, rate, rate_page, rate_box)
    return out


def _item(item: Item) -> LineItem | None:
    amount = stored_amount(item.amount)
    if not item.name or amount is None:
        return None
    return LineItem(name=re.sub(r"\s+", "", item.name), amount=amount, tax_rate=stored_rate(item.tax_rate),
                    tax_amount=stored_amount(item.tax_amount), quantity=stored_amount(item.quantity),
                    unit=item.unit or None, unit_price=stored_amount(item.unit_price))


def _normal(text: str) -> str:
    return re.sub(r"[\s¥￥,，:：]", "", text)


def locate(value: str, pages: list[Page], parse: type | None = None) -> tuple[int, BBox] | None:
    """Where ``value`` is printed: the first word (or run of adjacent words on one line)
    whose text is the value, spaces, currency signs and separators aside; dates and amounts
    compared as dates and amounts."""
    want = _normal(value)
    if not want:
        return None
    wanted_date = stored_date(value) if parse is date else None
    wanted_money = stored_amount(value) if parse is Decimal else None
    for page in pages:
        words = page.words
        for i in range(len(words)):
            text = ""
            for j in range(i, min(i + 6, len(words))):
                if j > i and abs(words[j].bbox[1] - words[i].bbox[1]) > 3:
                    break
                text += _normal(words[j].text)
                as_date = (wanted_date is not None and re.fullmatch(r"[\d年月日\-./]{8,}", text) is not None
                           and stored_date(text) == wanted_date)
                as_money = wanted_money is not None and stored_amount(text) == wanted_money
                if text == want or as_date or as_money:
                    return page.number, box_around(w.bbox for w in words[i:j + 1])
                if len(text) >= len(want) + 4:
                    break
    return None


# --- 3. the QR code ----------------------------------------------------------------------------

QR_CONFIDENCE = 0.95
"""A field the print reading missed, taken from the QR code: exact as the tax system wrote
it, but not read off the print the reviewer sees."""


def with_qr(out: Assembled, qr: InvoiceQr) -> None:
    """The invoice's QR code as a second reading: a printed field that agrees with it is
    certain; one the print reading missed is filled from it (source ``qr``, at the code's
    place). One that disagrees is left as printed (the QR_MISMATCH check says so)."""
    assert out.fields is not None
    coded: dict[str, object] = {"invoice_no": qr.number, "issue_date": qr.date, qr.amount_field: qr.amount}
    if not qr.digital:
        coded["invoice_code"] = qr.code
    present = out.fields.present()
    update: dict[str, Any] = {}
    for name, value in coded.items():
        if value is None:
            continue
        f = present.get(name)
        if f is None:
            update[name] = {"value": value, "page": qr.page, "bbox": qr.bbox, "source": Source.QR,
                            "confidence": QR_CONFIDENCE, "evidence": [Support.TYPE, Support.QR]}
            out.won[name] = Won.QR
        elif f.value == value:
            f.supported(Support.QR)
            if f.confidence < 1.0:
                update[name] = {**f.model_dump(), "confidence": 1.0}
                out.won[name] = Won.PRINT_AND_QR
    if update:
        out.fields = type(out.fields).model_validate(
            {**{k: v.model_dump() for k, v in present.items()}, **update})
        out.missing = {k: v for k, v in out.missing.items() if k not in update}
