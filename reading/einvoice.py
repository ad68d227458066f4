"""The data a structured e-invoice carries, whatever its container: an OFD's ``CustomData``,
its attached ``eInvoice`` or XBRL part, its custom tags, or a 数电 XML file (``EInvoice``).

Each container names the values its own way; they are gathered here under the invoice
field names of the contract, as the text the file holds, with the page and box where the
container says the value is printed (custom tags point at text objects). Turning the text
into fields, and finding a box for the values the container gives no place for, is
``extractors.assemble.invoice_fields``.
"""

from __future__ import annotations

from lxml import etree
from pydantic import BaseModel
from pydantic import Field as PydField

from model.base import BBox, Source, box_around
from reading.ofd import OfdDocument, first, local, text_of

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
        out.places.setdefault(key, Place(page=doc.tag_pages[path], bbox=box_around(w.bbox for w in words)))
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
