"""One document's fields from its three readings, in order — the print, the structured copy,
the QR code — each value with why it won, each missing one with why it is missing. Hand-made
pages and data in wordings of our own."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from extractors.assemble import QR_CONFIDENCE, assemble
from intake.files import Upload
from model.base import DocType, FileKind, Source
from model.document import Code, Page, Why, Won, Word
from policy.rules import load_rules
from reading.einvoice import Item, Structured
from reading.reader import ReadDocument

RULES = load_rules()
NUMBER = "24112000000012345678"
LINES = ["电子发票（普通发票）", f"发票号码： {NUMBER}", "开票日期： 2024年06月01日",
         "价税合计（大写） 壹仟零陆拾元整 （小写） ¥1060.00"]


def _page(texts: list[str], confidence: float, source: Source) -> Page:
    words = []
    for i, line in enumerate(texts):
        x = 40.0
        for part in line.split(" "):
            words.append(Word(text=part, bbox=(x, 30 + 20 * i, x + 11 * len(part), 42 + 20 * i),
                              confidence=confidence))
            x += 11 * (len(part) + 1)
    return Page(number=1, width=900, height=40 + 20 * len(texts), source=source, words=words)


def _read(lines: list[str], *, confidence: float = 1.0, source: Source = Source.TEXT,
          structured: Structured | None = None, qr: str | None = None) -> ReadDocument:
    upload = Upload(name="发票.pdf", data=b"-", sha256="0" * 64, kind=FileKind.PDF)
    codes = [Code(page=1, bbox=(700.0, 20.0, 760.0, 80.0), text=qr)] if qr else []
    return ReadDocument(upload=upload, pages=[_page(lines, confidence, source)], structured=structured,
                        codes=codes)


def test_the_print_alone_gives_its_values_and_says_why_the_rest_is_missing() -> None:
    said = assemble(_read(LINES), RULES)
    assert said.doc_type is DocType.INVOICE and said.fields is not None
    assert said.fields.invoice_no.value == NUMBER
    assert set(said.won.values()) == {Won.PRINT}
    assert set(said.won) == set(said.fields.present())
    assert said.missing["buyer"].why is Why.UNREAD  # no label read: look on the page
    assert said.qr is None


def test_the_structured_copy_stands_for_the_print_but_the_printed_lines_stay() -> None:
    data = Structured(source=Source.OFD, values={
        "invoice_no": NUMBER, "issue_date": "2024-06-01", "total_amount": "1060.00",
        "amount_ex_tax": "1000.00", "tax_amount": "60.00", "total_in_words": "壹仟零陆拾元",
        "seller_name": "北京乙算力有限公司"},
        items=[Item(name="*信息技术服务*算力租用", amount="1000.00", tax_rate="6%", tax_amount="60.00")])
    said = assemble(_read(LINES, structured=data), RULES)
    assert said.fields is not None
    assert said.won["total_amount"] is Won.STRUCTURED
    assert said.fields.total_amount.source is Source.OFD
    assert said.won["amount_ex_tax"] is Won.STRUCTURED  # the print missed it; the data has it
    assert "amount_ex_tax" not in said.missing
    assert said.fields.amount_ex_tax.value == Decimal("1000.00")
    assert said.won["total_in_words"] is Won.KEPT_AS_PRINTED  # as the page prints it
    assert said.fields.total_in_words.value == "壹仟零陆拾元整"
    assert said.won["items"] is Won.STRUCTURED  # the page printed none: the data fills them
    assert said.fields.total_amount.page == 1 and said.fields.total_amount.bbox is not None  # found printed


def test_the_qr_code_makes_an_agreeing_reading_certain_fills_a_gap_and_never_overrides() -> None:
    lines = [line for line in LINES if not line.startswith("开票日期")]
    qr = f"01,32,,{NUMBER},999.00,20240601,,ABCD"  # its total disagrees with the print
    said = assemble(_read(lines, confidence=0.9, source=Source.OCR, qr=qr), RULES)
    assert said.fields is not None and said.qr is not None and said.qr.amount == Decimal("999.00")
    assert said.won["invoice_no"] is Won.PRINT_AND_QR
    assert said.fields.invoice_no.confidence == 1.0
    assert said.won["issue_date"] is Won.QR
    assert said.fields.issue_date.value == date(2024, 6, 1)
    assert said.fields.issue_date.source is Source.QR and said.fields.issue_date.confidence == QR_CONFIDENCE
    assert "issue_date" not in said.missing
    assert said.won["total_amount"] is Won.PRINT  # left as printed: QR_MISMATCH speaks of it
    assert said.fields.total_amount.value == Decimal("1060.00")


def test_an_unreadable_file_has_no_fields_and_no_qr() -> None:
    read = _read(LINES, qr=f"01,32,,{NUMBER},1060.00,20240601,,ABCD")
    read.errors.append("文件已损坏")
    said = assemble(read, RULES)
    assert said.doc_type is DocType.OTHER and said.fields is None and said.qr is None and not said.won
