"""Structured e-invoices read exactly: OFD packages carrying their data each way real
producers do, with each quirk seen in real files, and 数电 XML; an XML that is no invoice is
unclassified, not unreadable; hostile XML is neither expanded nor fetched."""

from __future__ import annotations

import dataclasses
import functools
import io
import zipfile
from typing import Any

import pytest

from checking.steps import document_of
from model.base import DocType, Source
from model.document import CONTRACT_FIELDS, Document
from policy.rules import load_rules
from reading.ofd import _deltas, _words
from reading.session import Reader
from sample_docs.gen.docs import InvoiceDoc, truth_fields
from sample_docs.gen.scenario import build_apps
from sample_docs.gen.structured import QUIRKS, ofd_bytes, qr_text, xml_bytes
from tools.evaluate import same

INVOICE_FIELDS = CONTRACT_FIELDS[DocType.INVOICE]


@functools.cache
def _invoices() -> dict[str, InvoiceDoc]:
    """One invoice of each kind (数电, older special, older normal) from the corpus's plans."""
    found: dict[str, InvoiceDoc] = {}
    for app in build_apps(4711):
        for f in app.files:
            if isinstance(f.doc, InvoiceDoc) and f.doc.printed_tax is None and f.doc.printed_words is None:
                found.setdefault(f.doc.kind, f.doc)
    found.setdefault("vat_normal", dataclasses.replace(found["vat_special"], kind="vat_normal"))
    return found


@functools.cache
def _reader() -> Reader:
    return Reader(load_rules())


def _read(name: str, data: bytes) -> Document:
    return document_of(_reader().read(name, data), _reader().rules)


def _wrong(doc: Document, invoice: InvoiceDoc, skip: tuple[str, ...] = ()) -> list[str]:
    truth = truth_fields(invoice)
    got: dict[str, Any] = {k: v.model_dump(mode="json")["value"] for k, v in doc.fields.present().items()}
    return [f"{n}: {got.get(n)!r} ≠ {truth[n]!r}" for n in INVOICE_FIELDS
            if n in truth and n not in skip and not same(truth[n], got.get(n))]


@pytest.mark.parametrize("kind", ["digital", "vat_special", "vat_normal"])
@pytest.mark.parametrize("carrier", ["custom", "attachment", "tags"])
def test_an_ofd_invoice_reads_every_field_with_a_box_whichever_way_it_carries_its_data(
        kind: str, carrier: str) -> None:
    invoice = _invoices()[kind]
    doc = _read("发票.ofd", ofd_bytes(invoice, carrier))
    assert doc.doc_type is DocType.INVOICE and not doc.errors
    assert not _wrong(doc, invoice), _wrong(doc, invoice)
    for name, f in doc.fields.present().items():
        if f.value is not None:
            assert f.page == 1 and f.bbox is not None, name
    assert doc.fields.invoice_no.source is Source.OFD  # type: ignore[attr-defined]


@pytest.mark.parametrize("quirk", QUIRKS)
def test_each_quirk_of_real_ofd_files_is_read_through(quirk: str) -> None:
    invoice = _invoices()["vat_special"]
    carrier = {"untagged": "tags", "empty_prefix": "attachment"}.get(quirk, "attachment")
    doc = _read("发票.ofd", ofd_bytes(invoice, carrier, {quirk}))
    assert doc.doc_type is DocType.INVOICE and not doc.errors, doc.errors
    if quirk == "starred_tax":  # the total written ***: at most the sum of the lines' taxes, never ***
        tax = doc.fields.tax_amount  # type: ignore[attr-defined]
        assert tax is None or (tax.value == invoice.tax and tax.source is Source.OFD)
        assert not _wrong(doc, invoice, skip=("tax_amount",))
    else:
        assert not _wrong(doc, invoice), _wrong(doc, invoice)
    if quirk == "spaced_check":
        assert doc.qr is not None and doc.qr.check_code == invoice.check_code.replace(" ", "")
        assert doc.qr.number == invoice.number


def test_a_digital_xml_invoice_reads_every_field_exactly_and_has_no_page() -> None:
    invoice = _invoices()["digital"]
    doc = _read("发票.xml", xml_bytes(invoice))
    assert doc.doc_type is DocType.INVOICE and not doc.errors and doc.format == "xml"
    assert not _wrong(doc, invoice), _wrong(doc, invoice)
    assert doc.fields.total_amount.source is Source.XML  # type: ignore[attr-defined]
    assert doc.fields.total_amount.page is None  # type: ignore[attr-defined]
    assert len(doc.fields.items.value) == len(invoice.lines)  # type: ignore[attr-defined]


def test_an_xml_that_is_no_invoice_is_unclassified_not_unreadable() -> None:
    doc = _read("导出.xml", "<?xml version='1.0'?><订单><编号>1</编号></订单>".encode())
    assert doc.doc_type is DocType.OTHER and not doc.errors


def test_hostile_xml_is_neither_expanded_nor_fetched(tmp_path: Any) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET", encoding="utf-8")
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 9))
    bombs = [
        f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY l0 "ha">{laughs}]><EInvoice>&l8;</EInvoice>',
        f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY s SYSTEM "file://{secret}">]>'
        "<EInvoice><TaxSupervisionInfo><InvoiceNumber>&s;</InvoiceNumber></TaxSupervisionInfo></EInvoice>",
        '<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://192.0.2.1/x.dtd"><EInvoice/>',
    ]
    for text in bombs:
        read = _reader().read("x.xml", text.encode())
        dumped = "" if read.structured is None else read.structured.model_dump_json()
        assert "TOPSECRET" not in dumped and "haha" not in dumped


def test_an_ofd_with_too_many_parts_is_refused_as_a_zip_bomb() -> None:
    invoice = next(iter(_invoices().values()))
    buf = io.BytesIO(ofd_bytes(invoice))
    with zipfile.ZipFile(buf, "a") as zf:
        for i in range(_reader().rules.limits.max_zip_entries + 1):
            zf.writestr(f"junk/{i}", b"")
    doc = _read("发票.ofd", buf.getvalue())
    assert doc.errors and "上限" in doc.errors[0]


def test_glyph_steps_repeat_with_g_and_a_ctm_scales_the_glyphs() -> None:
    assert _deltas("g 3 1.5 2", 5) == [1.5, 1.5, 1.5, 2.0]
    assert _deltas("1 2 3 4 5", 3) == [1.0, 2.0]  # extra steps (seen in real files) are ignored
    from lxml import etree

    obj = etree.fromstring('<TextObject Boundary="10 20 50 5" Size="4" CTM="0.5 0 0 0.5 0 0">'
                           '<TextCode X="0" Y="4" DeltaX="g 2 4">ABC</TextCode></TextObject>')
    (word,) = _words(obj, (0, 0, 210, 297))
    x0, _, x1, _ = word.bbox
    assert word.text == "ABC"
    assert round((x1 - x0) / (72 / 25.4), 1) == 6.0  # two steps of 4 mm and one glyph of 4, halved


def test_the_qr_text_follows_the_invoice_kind() -> None:
    for invoice in _invoices().values():
        parts = qr_text(invoice).split(",")
        amount = invoice.total if invoice.kind == "digital" else invoice.amount_ex
        assert parts[3] == invoice.number and parts[4] == f"{amount:.2f}"
        assert (parts[2] == "") == (invoice.kind == "digital")
