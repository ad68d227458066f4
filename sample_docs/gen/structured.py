"""The same invoice as the tax platform also delivers it: an OFD package and a 数电 XML file,
written from the ``InvoiceDoc`` the PDF is drawn from, so all three say the same.

The OFD carries its data the ways real producers do (``carrier``): ``CustomData`` in
``OFD.xml``, an attached ``original_invoice.xml`` (``eInvoice``), or only custom tags that
point at the page's text objects. ``quirks`` reproduce what real files do: a byte-order mark,
absolute part names, upper-case template folders, tags the document does not name, an empty
namespace prefix, a check code printed with spaces, and the tax total written ``***``.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from sample_docs.gen.docs import InvoiceDoc, invoice_words
from sample_docs.gen.words import fmt_date

QUIRKS = ("bom", "absolute", "upper", "untagged", "empty_prefix", "spaced_check", "starred_tax")
ZIP_TIME = (2024, 1, 1, 0, 0, 0)
NAME_CHARS = 16
"""Characters of an item name per line of its column."""
NS = "http://www.ofdspec.org/2016"
E_NS = "http://www.edrm.org.cn/schema/e-invoice/2019"


def qr_text(doc: InvoiceDoc) -> str:
    """The invoice's QR code text, as the tax system writes it: on 数电 invoices no code, a
    20-digit number and the total with tax; on older ones the amount before tax."""
    if doc.qr_text is not None:
        return doc.qr_text
    day = doc.issue_date.strftime("%Y%m%d")
    tail = f"{sum(map(ord, doc.number)) % 65536:04X}"
    if doc.kind == "digital":
        return f"01,{'31' if doc.special else '32'},,{doc.number},{doc.total:.2f},{day},,{tail}"
    kind = "20" if doc.kind == "vat_special" else "10"
    check = doc.check_code.replace(" ", "")
    return f"01,{kind},{doc.code or ''},{doc.number},{doc.amount_ex:.2f},{day},{check},{tail},"


@dataclass
class _Text:
    id: int
    x: float  # mm from the page's top-left
    y: float
    text: str
    size: float = 3.175


@dataclass
class _Page:
    texts: list[_Text] = field(default_factory=list)
    next_id: int = 100

    def put(self, x: float, y: float, text: str, size: float = 3.175) -> int:
        self.next_id += 1
        self.texts.append(_Text(self.next_id, x, y, text, size))
        return self.next_id


def _layout(doc: InvoiceDoc, quirks: set[str]) -> tuple[_Page, _Page, dict[str, list[int]]]:
    """The template (labels) and page (values) of the invoice, and the page objects that
    hold each value, by ``eInvoice`` tag path."""
    tpl, page = _Page(next_id=10), _Page(next_id=100)
    refs: dict[str, list[int]] = {}
    title = "电子发票（增值税专用发票）" if doc.kind == "digital" else "增值税电子普通发票"
    tpl.put(70, 12, title, 5.5)
    tpl.put(140, 12, "发票号码：")
    refs["InvoiceNo"] = [page.put(160, 12, doc.number)]
    tpl.put(140, 18, "开票日期：")
    refs["IssueDate"] = [page.put(160, 18, fmt_date(doc.issue_date, "cn0"))]
    if doc.code:
        tpl.put(140, 6, "发票代码：")
        refs["InvoiceCode"] = [page.put(160, 6, doc.code)]
    if doc.check_code:
        tpl.put(140, 24, "校验码：")
        plain = doc.check_code.replace(" ", "")
        check = " ".join(plain[i:i + 5] for i in range(0, len(plain), 5)) if "spaced_check" in quirks else plain
        refs["InvoiceCheckCode"] = [page.put(160, 24, check)]
    buyer = doc.buyer_name or doc.buyer.name
    for role, x, name, uscc in (("Buyer", 10, buyer, doc.buyer.uscc), ("Seller", 110, doc.seller.name, doc.seller.uscc)):
        tpl.put(x, 36, "名称：")
        refs[f"{role}/{role}Name"] = [page.put(x + 12, 36, name)]
        tpl.put(x, 44, "统一社会信用代码/纳税人识别号：")
        refs[f"{role}/{role}TaxID"] = [page.put(x + 52, 44, uscc)]
    for x, label in ((10, "项目名称"), (70, "数量"), (95, "单价"), (120, "金额"), (150, "税率/征收率"), (180, "税额")):
        tpl.put(x, 54, label)
    y = 60.0
    for line in doc.lines:
        for k in range(0, len(line.name), NAME_CHARS):  # long names wrap, as on real invoices
            page.put(10, y + (k // NAME_CHARS) * 4.5, line.name[k:k + NAME_CHARS])
        if line.quantity:
            page.put(70, y, f"{line.quantity.normalize():f}")
        if line.unit_price:
            page.put(95, y, f"{line.unit_price:.2f}")
        page.put(120, y, f"{line.amount_ex:.2f}")
        page.put(150, y, f"{doc.rate * 100:.0f}%")
        page.put(180, y, f"{line.tax:.2f}")
        y += 6 + 4.5 * ((len(line.name) - 1) // NAME_CHARS)
    tpl.put(20, 96, "合计")
    refs["TaxExclusiveTotalAmount"] = [page.put(118, 96, f"¥{doc.amount_ex:.2f}")]
    refs["TaxTotalAmount"] = [page.put(178, 96, "***" if "starred_tax" in quirks else f"¥{doc.tax:.2f}")]
    tpl.put(20, 104, "价税合计（大写）")
    page.put(60, 104, doc.printed_words or invoice_words(doc))
    tpl.put(140, 104, "（小写）")
    refs["TaxInclusiveTotalAmount"] = [page.put(155, 104, f"¥{doc.total:.2f}")]
    return tpl, page, refs


def _content(p: _Page, with_qr: bool) -> str:
    parts = []
    if with_qr:
        parts.append('<ofd:ImageObject ID="99" CTM="20 0 0 20 0 0" Boundary="6 4 20 20" ResourceID="98"/>')
    for t in p.texts:
        width = max(1.0, len(t.text) * t.size)
        parts.append(
            f'<ofd:TextObject ID="{t.id}" Boundary="{t.x} {t.y - t.size} {width:.2f} {t.size * 1.4:.3f}" '
            f'Font="5" Size="{t.size}"><ofd:TextCode X="0" Y="{t.size:.3f}" '
            f'DeltaX="g {max(len(t.text) - 1, 0)} {t.size}">{escape(t.text)}</ofd:TextCode></ofd:TextObject>')
    return "".join(parts)


def _xml(body: str, quirks: set[str]) -> bytes:
    data = ('<?xml version="1.0" encoding="UTF-8"?>\n' + body).encode()
    return b"\xef\xbb\xbf" + data if "bom" in quirks else data


def _e_invoice(doc: InvoiceDoc, quirks: set[str]) -> str:
    p = "" if "empty_prefix" in quirks else "fp"
    open_ns = '<:eInvoice xmlns:="">' if "empty_prefix" in quirks else f'<fp:eInvoice xmlns:fp="{E_NS}">'
    close = "</:eInvoice>" if "empty_prefix" in quirks else "</fp:eInvoice>"

    def el(name: str, value: str) -> str:
        return f"<{p}:{name}>{escape(value)}</{p}:{name}>"

    goods = "".join(
        f"<{p}:GoodsInfo>" + el("Item", li.name) + el("Amount", f"{li.amount_ex:.2f}")
        + el("TaxScheme", f"{doc.rate * 100:.0f}%") + el("TaxAmount", f"{li.tax:.2f}") + f"</{p}:GoodsInfo>"
        for li in doc.lines)
    return (open_ns + el("InvoiceCode", doc.code or "") + el("InvoiceNo", doc.number)
            + el("IssueDate", fmt_date(doc.issue_date, "cn0")) + el("InvoiceCheckCode", doc.check_code if "spaced_check" in quirks else doc.check_code.replace(" ", ""))
            + f"<{p}:Buyer>" + el("BuyerName", doc.buyer_name or doc.buyer.name) + el("BuyerTaxID", doc.buyer.uscc)
            + f"</{p}:Buyer><{p}:Seller>" + el("SellerName", doc.seller.name) + el("SellerTaxID", doc.seller.uscc)
            + f"</{p}:Seller>" + el("TaxExclusiveTotalAmount", f"{doc.amount_ex:.2f}")
            + el("TaxTotalAmount", "***" if "starred_tax" in quirks else f"{doc.tax:.2f}")
            + el("TaxInclusiveTotalAmount", f"{doc.total:.2f}") + el("GraphCode", qr_text(doc))
            + f"<{p}:GoodsInfos>{goods}</{p}:GoodsInfos>" + close)


def ofd_bytes(doc: InvoiceDoc, carrier: str = "custom", quirks: set[str] | None = None,
              qr_png: bytes | None = None) -> bytes:
    """The invoice as an OFD package. ``carrier``: ``custom`` (CustomData), ``attachment``
    (``original_invoice.xml``) or ``tags`` (custom tags only)."""
    quirks = set(quirks or ())
    tpl, page, refs = _layout(doc, quirks)
    root = "/Doc_0/" if "absolute" in quirks else ""
    tpl_dir = "TPLS/TPL_0" if "upper" in quirks else "Tpls/Tpl_0"
    custom = ""
    if carrier == "custom":
        values = {"发票号码": doc.number, "开票日期": fmt_date(doc.issue_date, "cn0"),
                  "合计金额": f"{doc.amount_ex:.2f}", "合计税额": "***" if "starred_tax" in quirks else f"{doc.tax:.2f}",
                  "价税合计": f"{doc.total:.2f}", "购买方名称": doc.buyer_name or doc.buyer.name,
                  "购买方纳税人识别号": doc.buyer.uscc, "销售方名称": doc.seller.name,
                  "销售方纳税人识别号": doc.seller.uscc}
        if doc.code:
            values["发票代码"] = doc.code
        custom = "<ofd:CustomDatas>" + "".join(
            f'<ofd:CustomData Name="{k}">{escape(v)}</ofd:CustomData>' for k, v in values.items()) + "</ofd:CustomDatas>"
    files: dict[str, bytes] = {
        "OFD.xml": _xml(f'<ofd:OFD xmlns:ofd="{NS}" DocType="OFD" Version="1.0"><ofd:DocBody><ofd:DocInfo>'
                        f"<ofd:DocID>{doc.number}</ofd:DocID>{custom}</ofd:DocInfo>"
                        f"<ofd:DocRoot>{root or ''}{'' if root else 'Doc_0/'}Document.xml</ofd:DocRoot>"
                        "</ofd:DocBody></ofd:OFD>", quirks),
        f"Doc_0/{tpl_dir}/Content.xml": _xml(
            f'<ofd:Page xmlns:ofd="{NS}"><ofd:Content><ofd:Layer ID="2">{_content(tpl, False)}'
            "</ofd:Layer></ofd:Content></ofd:Page>", quirks),
        "Doc_0/Pages/Page_0/Content.xml": _xml(
            f'<ofd:Page xmlns:ofd="{NS}"><ofd:Area><ofd:PhysicalBox>0 0 210 140</ofd:PhysicalBox></ofd:Area>'
            f'<ofd:Template TemplateID="1" ZOrder="Background"/><ofd:Content><ofd:Layer ID="3">'
            f"{_content(page, qr_png is not None)}</ofd:Layer></ofd:Content></ofd:Page>", quirks),
        "Doc_0/DocumentRes.xml": _xml(
            f'<ofd:Res xmlns:ofd="{NS}" BaseLoc="Res"><ofd:MultiMedias><ofd:MultiMedia ID="98" Type="Image">'
            "<ofd:MediaFile>qr.png</ofd:MediaFile></ofd:MultiMedia></ofd:MultiMedias></ofd:Res>", quirks),
        "Doc_0/PublicRes.xml": _xml(f'<ofd:Res xmlns:ofd="{NS}"><ofd:Fonts><ofd:Font ID="5" FontName="宋体"/>'
                                    "</ofd:Fonts></ofd:Res>", quirks),
    }
    if qr_png is not None:
        files["Doc_0/Res/qr.png"] = qr_png
    extra = ""
    if carrier == "attachment":
        files["Doc_0/Attachs/original_invoice.xml"] = _xml(_e_invoice(doc, quirks), quirks)
        files["Doc_0/Attachs/Attachments.xml"] = _xml(
            f'<ofd:Attachments xmlns:ofd="{NS}"><ofd:Attachment ID="1" Name="original_invoice">'
            "<ofd:FileLoc>original_invoice.xml</ofd:FileLoc></ofd:Attachment></ofd:Attachments>", quirks)
        extra += f"<ofd:Attachments>{root}Attachs/Attachments.xml</ofd:Attachments>"
    if carrier == "tags":
        leaves = ""
        for path, ids in refs.items():
            inner = "".join(f'<ofd:ObjectRef PageRef="1">{i}</ofd:ObjectRef>' for i in ids)
            for part in reversed(path.split("/")):
                inner = f"<ofd:{part}>{inner}</ofd:{part}>"
            leaves += inner
        files["Doc_0/Tags/CustomTag.xml"] = _xml(f'<ofd:eInvoice xmlns:ofd="{NS}">{leaves}</ofd:eInvoice>', quirks)
        files["Doc_0/Tags/CustomTags.xml"] = _xml(
            f'<ofd:CustomTags xmlns:ofd="{NS}"><ofd:CustomTag TypeID="root"><ofd:FileLoc>CustomTag.xml'
            "</ofd:FileLoc></ofd:CustomTag></ofd:CustomTags>", quirks)
        if "untagged" not in quirks:
            extra += f"<ofd:CustomTags>{root}Tags/CustomTags.xml</ofd:CustomTags>"
    files["Doc_0/Document.xml"] = _xml(
        f'<ofd:Document xmlns:ofd="{NS}"><ofd:CommonData><ofd:MaxUnitID>999</ofd:MaxUnitID>'
        f"<ofd:PageArea><ofd:PhysicalBox>0 0 210 140</ofd:PhysicalBox></ofd:PageArea>"
        f"<ofd:PublicRes>{root}PublicRes.xml</ofd:PublicRes><ofd:DocumentRes>{root}DocumentRes.xml</ofd:DocumentRes>"
        f'<ofd:TemplatePage ID="1" BaseLoc="{root}{tpl_dir}/Content.xml"/></ofd:CommonData>'
        f'<ofd:Pages><ofd:Page ID="1" BaseLoc="{root}Pages/Page_0/Content.xml"/></ofd:Pages>{extra}'
        "</ofd:Document>", quirks)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.flag_bits |= 0x800
            zf.writestr(info, data)
    return buf.getvalue()


def xml_bytes(doc: InvoiceDoc) -> bytes:
    """The invoice as the 数电 platform's XML (``EInvoice``, no namespace)."""
    def el(name: str, value: str) -> str:
        return f"<{name}>{escape(value)}</{name}>"

    items = "".join(
        "<IssuItemInformation>" + el("ItemName", li.name) + el("SpecMod", "") + el("MeaUnits", li.unit or "")
        + el("Quantity", f"{li.quantity.normalize():f}" if li.quantity else "")
        + el("UnPrice", f"{li.unit_price:.2f}" if li.unit_price else "") + el("Amount", f"{li.amount_ex:.2f}")
        + el("TaxRate", f"{doc.rate:.2f}") + el("ComTaxAm", f"{li.tax:.2f}") + "</IssuItemInformation>"
        for li in doc.lines)
    body = (
        "<EInvoice><Header><EIid>" + escape(doc.number) + "</EIid></Header><EInvoiceData>"
        "<SellerInformation>" + el("SellerIdNum", doc.seller.uscc) + el("SellerName", doc.seller.name)
        + "</SellerInformation><BuyerInformation>" + el("BuyerIdNum", doc.buyer.uscc)
        + el("BuyerName", doc.buyer_name or doc.buyer.name) + "</BuyerInformation><BasicInformation>"
        + el("TotalAmWithoutTax", f"{doc.amount_ex:.2f}") + el("TotalTaxAm", f"{doc.tax:.2f}")
        + el("TotalTax-includedAmount", f"{doc.total:.2f}")
        + el("TotalTax-includedAmountInChinese", doc.printed_words or invoice_words(doc))
        + el("RequestTime", doc.issue_date.isoformat() + " 10:00:00") + "</BasicInformation>"
        + items + "</EInvoiceData><TaxSupervisionInfo>" + el("InvoiceNumber", doc.number)
        + el("IssueTime", doc.issue_date.isoformat() + " 10:00:00") + "</TaxSupervisionInfo></EInvoice>")
    return _xml(body, set())
