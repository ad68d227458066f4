"""The data a structured e-invoice carries, whatever its container: an OFD's ``CustomData``,
its attached ``eInvoice`` or XBRL part, its custom tags, or a 数电 XML file (``EInvoice``).

Each container names the values its own way; they are gathered here under the invoice
field names of the contract, as the text the file holds, with the page and box where the
container says the value is printed (custom tags point at text objects). Turning the text
into fields, and finding a box for the values the container gives no place for, is
``invoice_fields``.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from lxml import etree
from pydantic import BaseModel
from pydantic import Field as PydField

from model.base import BBox, Source
from model.document import Field, Fields, InvoiceFields, LineItem, MoneyField, NumberField, Page, Party
from reading.ofd import OfdDocument, first, local, money, text_of

CUSTOM_DATA = {
    "发票代码": "invoice_code", "发票号码": "invoice_no", "开票日期": "issue_date",
    "购买方名称": "buyer_name", "购买方纳税人识别号": "buyer_uscc", "购方名称": "buyer_name",
    "购方纳税人识别号": "buyer_uscc", "销售方名称": "seller_name", "销售方纳税人识别号": "seller_uscc",
    "销方名称": "seller_name", "销方纳税人识别号": "seller_uscc", "合计金额": "amount_ex_tax",
    "合计税额": "tax_amount", "价税合计": "total_amount", "校验码": "check_code",
}
"""``CustomData`` names of ``OFD.xml``."""

E_INVOICE = {
    "InvoiceCode": "invoice_code", "InvoiceNo": "invoice_no", "IssueDate": "issue_date",
    "BuyerName": "buyer_name", "BuyerTaxID": "buyer_uscc", "SellerName": "seller_name",
    "SellerTaxID": "seller_uscc", "TaxExclusiveTotalAmount": "amount_ex_tax",
    "TaxTotalAmount": "tax_amount", "TaxInclusiveTotalAmount": "total_amount",
    "InvoiceCheckCode": "check_code", "GraphCode": "qr",
}
"""Element names of the ``eInvoice`` attachment, which the custom tags reuse."""

XBRL = {
    "NumberOfInvoice": "invoice_no", "CodeOfInvoice": "invoice_code", "DateOfIssue": "issue_date",
    "TaxIncludedAmountInFigures": "total_amount", "TaxIncludedAmountInWords": "total_in_words",
    "TotalAmountExcludingTax": "amount_ex_tax", "TotalTaxAmount": "tax_amount",
    "NameOfPurchaser": "buyer_name", "TaxpayerIdentificationNumberOfPurchaser": "buyer_uscc",
    "NameOfSeller": "seller_name", "TaxpayerIdentificationNumberOfSeller": "seller_uscc",
    "CheckCode": "check_code",
}
"""Element names of the XBRL invoice taxonomy (``xbrl.mof.gov.cn``)."""

DIGITAL = {
    ("SellerInformation", "SellerIdNum"): "seller_uscc", ("SellerInformation", "SellerName"): "seller_name",
    ("BuyerInformation", "BuyerIdNum"): "buyer_uscc", ("BuyerInformation", "BuyerName"): "buyer_name",
    ("BasicInformation", "TotalAmWithoutTax"): "amount_ex_tax",
    ("BasicInformation", "TotalTaxAm"): "tax_amount",
    ("BasicInformation", "TotalTax-includedAmount"): "total_amount",
    ("BasicInformation", "TotalTax-includedAmountInChinese"): "total_in_words",
    ("TaxSupervisionInfo", "InvoiceNumber"): "invoice_no", ("TaxSupervisionInfo", "IssueTime"): "issue_date",
    ("BasicInformation", "RequestTime"): "issue_date",
}
"""(section, element) of the 数电 XML (``EInvoice``)."""


E_INVOICE_ITEM = {"name": "Item", "amount": "Amount", "tax_rate": "TaxScheme", "tax_amount": "TaxAmount",
                  "quantity": "Quantity", "unit": "MeasurementDimension", "unit_price": "Price"}
"""An ``eInvoice`` line item (``GoodsInfo``)."""
DIGITAL_ITEM = {"name": "ItemName", "amount": "Amount", "tax_rate": "TaxRate", "tax_amount": "ComTaxAm",
                "quantity": "Quantity", "unit": "MeaUnits", "unit_price": "UnPrice"}
"""A 数电 XML line item (``IssuItemInformation``)."""


class Item(BaseModel):
    name: str = ""
    amount: str = ""
    tax_rate: str = ""
    tax_amount: str = ""
    quantity: str = ""
    unit: str = ""
    unit_price: str = ""


class Place(BaseModel):
    page: int
    bbox: BBox


class Structured(BaseModel):
    """An invoice's values as its structured data gives them (text, unparsed)."""

    source: Source
    values: dict[str, str] = PydField(default_factory=dict)
    items: list[Item] = PydField(default_factory=list)
    places: dict[str, Place] = PydField(default_factory=dict)
    """Where the container says a value is printed (custom tags)."""
    origin: dict[str, str] = PydField(default_factory=dict)
    """Which part gave each value: CustomData, eInvoice, XBRL, tags, xml."""

    def put(self, key: str, value: str, origin: str) -> None:
        value = (value or "").strip()
        if value and key not in self.values:
            self.values[key] = value
            self.origin[key] = origin

    @property
    def is_invoice(self) -> bool:
        return bool(self.values.get("invoice_no")) and bool(
            self.values.get("total_amount") or self.values.get("amount_ex_tax"))


# --- gathering ------------------------------------------------------------------------------


def from_ofd(doc: OfdDocument) -> Structured | None:
    """An OFD's invoice data: CustomData first, then an attached eInvoice or XBRL part, then
    the custom tags resolved to their text objects. None when it carries none."""
    out = Structured(source=Source.OFD)
    for name, value in doc.custom.items():
        key = CUSTOM_DATA.get(name)
        if key:
            out.put(key, value, "CustomData")
    for part in doc.attachments:
        _from_attachment(part, out)
    for path, words in doc.tags.items():
        leaf = path.rpartition("/")[2]
        key = E_INVOICE.get(leaf)
        if key is None or not words:
            continue
        text = "".join(w.text for w in words)
        out.put(key, text, "tags")
        out.places.setdefault(key, Place(page=doc.tag_pages[path], bbox=union([w.bbox for w in words])))
    return out if out.values else None


def _from_attachment(root: etree._Element, out: Structured) -> None:
    name = local(root)
    if name == "eInvoice":
        for el in root.iter():
            key = E_INVOICE.get(local(el))
            if key and len(el) == 0:
                out.put(key, text_of(el), "eInvoice")
        out.items += _items(root, "GoodsInfo", E_INVOICE_ITEM)
    elif name == "EInvoice":
        _from_digital(root, out)
    else:  # XBRL or another wrapper: the taxonomy's names wherever they are
        for el in root.iter():
            key = XBRL.get(local(el))
            if key and len(el) == 0:
                out.put(key, text_of(el), "XBRL")


def _child(element: etree._Element, name: str) -> str:
    return next((text_of(c) for c in element if local(c) == name), "")


def _items(root: etree._Element, element: str, names: dict[str, str]) -> list[Item]:
    """Every line item (elements named ``element``), its values under their ``Item`` names."""
    return [Item(**{key: _child(line, tag) for key, tag in names.items()})
            for line in root.iter() if local(line) == element]


def from_xml(root: etree._Element) -> Structured | None:
    """A standalone XML file's invoice data (数电 ``EInvoice``, or an ``eInvoice`` or XBRL
    part uploaded on its own); None when it is not an invoice."""
    out = Structured(source=Source.XML)
    _from_attachment(root, out)
    return out if out.is_invoice else None


def _from_digital(root: etree._Element, out: Structured) -> None:
    for (section, name), key in DIGITAL.items():
        out.put(key, text_of(first(root, section, name)), "xml")
    out.items += _items(root, "IssuItemInformation", DIGITAL_ITEM)


# --- fields ---------------------------------------------------------------------------------

_DATE = re.compile(r"(\d{4})\s*[-年./]?\s*(\d{1,2})\s*[-月./]?\s*(\d{1,2})")


def parse_date(text: str) -> date | None:
    """``2024年05月28日``, ``2024-05-28``, ``20240528`` or ``2024-05-28 10:11:12``."""
    m = _DATE.search(text or "")
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def parse_rate(text: str) -> Decimal | None:
    """``6%``, ``0.06`` or ``6``; None for 免税, 不征税, ``***`` and the like."""
    cleaned = (text or "").strip().replace("％", "%")
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*%", cleaned)
    if m:
        return Decimal(m[1]) / 100
    value = money(cleaned)
    if value is None:
        return None
    return value if value < 1 else value / 100


def _normal(text: str) -> str:
    return re.sub(r"[\s¥￥,，:：]", "", text)


def locate(value: str, pages: list[Page], parse: type | None = None) -> tuple[int, BBox] | None:
    """Where ``value`` is printed: the first word (or run of adjacent words on one line)
    whose text is the value, spaces, currency signs and separators aside; dates and amounts
    compared as dates and amounts."""
    want = _normal(value)
    if not want:
        return None
    wanted_date = parse_date(value) if parse is date else None
    wanted_money = money(value) if parse is Decimal else None
    for page in pages:
        words = page.words
        for i in range(len(words)):
            text = ""
            for j in range(i, min(i + 6, len(words))):
                if j > i and abs(words[j].bbox[1] - words[i].bbox[1]) > 3:
                    break
                text += _normal(words[j].text)
                as_date = (wanted_date is not None and re.fullmatch(r"[\d年月日\-./]{8,}", text) is not None
                           and parse_date(text) == wanted_date)
                hit = text == want or as_date or (wanted_money is not None and money(text) == wanted_money)
                if hit:
                    box = union([w.bbox for w in words[i:j + 1]])
                    return page.number, box
                if len(text) >= len(want) + 4:
                    break
    return None


def union(boxes: list[BBox]) -> BBox:
    """The box around ``boxes``."""
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def invoice_fields(data: Structured, pages: list[Page]) -> dict[str, Field]:  # type: ignore[type-arg]
    """The invoice fields the structured data gives, each with the place it is printed
    (from the container, else found on the pages; none for an XML file, which has no
    pages), source ``ofd`` or ``xml`` and full confidence."""
    v = data.values
    out: dict[str, Field] = {}  # type: ignore[type-arg]

    def place(key: str, parse: type | None = None) -> tuple[int | None, BBox | None]:
        if key in data.places:
            return data.places[key].page, data.places[key].bbox
        found = locate(v[key], pages, parse) if key in v else None
        return found if found is not None else (None, None)

    def put(name: str, value: object, key: str, parse: type | None = None, kind: type = Field) -> None:
        page, bbox = place(key, parse)
        out[name] = kind(value=value, page=page, bbox=bbox, source=data.source, confidence=1.0)

    if v.get("invoice_no"):
        put("invoice_no", re.sub(r"\s", "", v["invoice_no"]), "invoice_no")
    if v.get("invoice_code"):
        put("invoice_code", re.sub(r"\s", "", v["invoice_code"]), "invoice_code")
    elif v.get("invoice_no") and len(re.sub(r"\s", "", v["invoice_no"])) == 20:
        out["invoice_code"] = Field(value=None, source=data.source, confidence=1.0)  # 数电: no code
    issued = parse_date(v.get("issue_date", ""))
    if issued is not None:
        put("issue_date", issued, "issue_date", date)
    for role in ("buyer", "seller"):
        name, uscc = v.get(f"{role}_name"), v.get(f"{role}_uscc")
        if name:
            page, bbox = place(f"{role}_name")
            _, uscc_box = place(f"{role}_uscc") if uscc else (None, None)
            party = Party(name=name, uscc=re.sub(r"\s", "", uscc) if uscc else None, uscc_bbox=uscc_box)
            out[role] = Field(value=party, page=page, bbox=bbox, source=data.source, confidence=1.0)
    for name in ("amount_ex_tax", "tax_amount", "total_amount"):
        amount = money(v.get(name, ""))
        if amount is not None:
            put(name, amount, name, Decimal, MoneyField)
    if v.get("total_in_words"):
        put("total_in_words", re.sub(r"^[⊗ⓧ×\s]+", "", v["total_in_words"]), "total_in_words")
    items = [line for line in map(_item, data.items) if line is not None]
    if items:
        first_place = locate(data.items[0].name, pages) if data.items[0].name else None
        page, bbox = first_place if first_place else (None, None)
        out["items"] = Field(value=items, page=page, bbox=bbox, source=data.source, confidence=1.0)
        rates = {i.tax_rate for i in items}
        rate = rates.pop() if len(rates) == 1 else None
        if rate is not None:
            printed = locate(f"{(rate * 100).normalize():f}%", pages)
            rate_page, rate_box = printed if printed else (page, None)
            out["tax_rate"] = NumberField(value=rate, page=rate_page, bbox=rate_box, source=data.source,
                                          confidence=1.0)
    return out


def _item(item: Item) -> LineItem | None:
    amount = money(item.amount)
    if not item.name or amount is None:
        return None
    return LineItem(name=re.sub(r"\s+", "", item.name), amount=amount, tax_rate=parse_rate(item.tax_rate),
                    tax_amount=money(item.tax_amount), quantity=money(item.quantity), unit=item.unit or None,
                    unit_price=money(item.unit_price))


PRINTED_WINS = ("items", "total_in_words")
"""Fields the page's own reading gives as printed (a 销货清单 invoice prints one line, 详见销货清单,
where its data lists every line); the structured data fills them only where the page has none."""


def with_structured(fields: Fields, missing: dict[str, str], invoice: Structured,
                    pages: list[Page]) -> tuple[Fields, dict[str, str]]:
    """An invoice's fields with its structured data's values in place of what was read from
    its pages (exact, source ``ofd``/``xml``): the page reading keeps only what the data lacks."""
    given = invoice_fields(invoice, pages)
    merged = dict(fields.present().items())
    for name, f in given.items():
        read = merged.get(name)
        if read is not None and name in PRINTED_WINS:
            continue
        if read is not None and f.bbox is None and read.value == f.value:
            f = f.model_copy(update={"page": read.page, "bbox": read.bbox})  # printed where the page says
        merged[name] = f
    model = InvoiceFields.model_validate({k: v.model_dump() for k, v in merged.items()})
    return model, {k: v for k, v in missing.items() if k not in merged}
