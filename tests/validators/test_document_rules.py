"""The checks of one document at a time, on hand-built models: each fault planted alone in a
clean application raises its code, and the clean application raises nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from stdnum.cn import uscc as uscc_check

from model.base import DocType, FindingCode, Kind
from model.document import Marking, Missing
from tests.validators.fixtures import (
    APPLICANT,
    CERTIFICATE,
    COMMITMENT,
    CONTRACT,
    INVOICE_1,
    PAYMENT_1,
    PAYMENT_2,
    SETTLEMENT_1,
    SETTLEMENT_2,
    SHANGHAI_APPLICANT,
    USAGE,
    Company,
    DocSpec,
    clean_app,
    codes,
    invoice_figures,
    of_code,
    run,
    wrong_check_digit,
)
from validators.checks import CHECKS
from validators.ledger import result_of
from validators.runner import run_checks

C = FindingCode


# --- the clean application ----------------------------------------------------------------


def test_the_clean_application_raises_nothing() -> None:
    assert run_checks(clean_app().context(), CHECKS) == []


def test_no_rule_raises_on_the_clean_application() -> None:
    assert run(clean_app().context()) == []  # run() calls every rule itself, so errors surface


# --- readable and typed ---------------------------------------------------------------------


def test_an_unreadable_file_is_flagged_with_its_reason() -> None:
    app = clean_app()
    app.add(DocSpec("附件3.pdf", DocType.OTHER, seals=[], errors=["文件已加密，无法打开"]))
    (found,) = of_code(app.context(), C.DOC_UNREADABLE)
    assert found.documents == ["附件3.pdf"]
    assert "《附件3.pdf》" in found.message and "文件已加密" in found.message
    assert codes(app.context()) == {C.DOC_UNREADABLE}


def test_an_unreadable_contract_leaves_the_contract_missing() -> None:
    app = clean_app()
    app.doc(CONTRACT).errors = ["PDF 文件已损坏"]
    assert {C.DOC_UNREADABLE, C.MATERIAL_MISSING} <= codes(app.context())


def test_a_file_of_another_type_is_unclassified() -> None:
    app = clean_app()
    app.add(DocSpec("营业执照.jpg", DocType.OTHER, seals=[]))
    (found,) = of_code(app.context(), C.DOC_UNCLASSIFIED)
    assert found.documents == ["营业执照.jpg"]
    assert codes(app.context()) == {C.DOC_UNCLASSIFIED}


# --- materials and fields -------------------------------------------------------------------


@pytest.mark.parametrize(("file", "named"), [
    (CERTIFICATE, "算力供给企业证明"),
    (CONTRACT, "算力合同"),
    (USAGE, "算力使用情况说明"),
    (COMMITMENT, "承诺书"),
])
def test_a_missing_material_is_named(file: str, named: str) -> None:
    app = clean_app()
    app.remove(file)
    found = of_code(app.context(), C.MATERIAL_MISSING)
    assert len(found) == 1 and named in found[0].message


def test_a_file_of_no_known_type_may_be_the_missing_material_so_it_is_asked_about() -> None:
    app = clean_app()
    app.remove(COMMITMENT)
    app.add(DocSpec("扫描件.pdf", DocType.OTHER, seals=[]))
    assert C.MATERIAL_MISSING not in codes(app.context())
    (asked,) = of_code(app.context(), C.DOC_UNCLASSIFIED)
    assert "《扫描件.pdf》" in asked.message and "承诺书" in asked.message and "可能即是" in asked.message


def test_sums_with_a_file_of_no_known_type_beside_them_are_not_alleged_short() -> None:
    app = clean_app()
    app.remove(SETTLEMENT_2)  # its statement unrecognised: the settled sum looks short
    app.add(DocSpec("扫描件.pdf", DocType.OTHER, seals=[]))
    assert not {C.UNDELIVERED, C.AMOUNT_MISMATCH} & codes(app.context())
    app.remove("扫描件.pdf")
    assert C.UNDELIVERED in codes(app.context())


def test_missing_certificate_is_the_only_fault() -> None:
    app = clean_app()
    app.remove(CERTIFICATE)
    assert codes(app.context()) == {C.MATERIAL_MISSING}


def test_both_settlements_missing_is_a_missing_material() -> None:
    app = clean_app()
    app.remove(SETTLEMENT_1)
    app.remove(SETTLEMENT_2)
    assert any("结算单" in f.message for f in of_code(app.context(), C.MATERIAL_MISSING))


def test_payments_alone_stand_for_invoices() -> None:
    app = clean_app()
    for file in (INVOICE_1, "发票-2025H1.pdf"):
        app.remove(file)
    assert C.MATERIAL_MISSING not in codes(app.context())


def test_a_contract_without_service_period_misses_a_field() -> None:
    app = clean_app()
    fields = app.doc(CONTRACT).fields
    del fields["service_start"], fields["service_end"]
    blank = Missing.blank("合同未载明服务期限")
    app.doc(CONTRACT).missing = {"service_start": blank, "service_end": blank}
    (found,) = of_code(app.context(), C.FIELD_MISSING)
    assert found.documents == [CONTRACT] and "合同未载明服务期限" in found.message
    assert codes(app.context()) == {C.FIELD_MISSING}


def test_a_contract_without_service_end_names_the_reason() -> None:
    app = clean_app()
    del app.doc(CONTRACT).fields["service_end"]
    app.doc(CONTRACT).missing = {"service_end": Missing.blank("合同未载明服务终止日期")}
    (found,) = of_code(app.context(), C.FIELD_MISSING)
    assert "合同未载明服务终止日期" in found.message


def test_a_payment_without_date_misses_a_field() -> None:
    app = clean_app()
    del app.doc(PAYMENT_2).fields["payment_date"]
    app.doc(PAYMENT_2).missing = {"payment_date": Missing.unread("日期不清")}
    (found,) = of_code(app.context(), C.FIELD_MISSING)
    assert found.documents == [PAYMENT_2] and found.observed == "payment_date"
    assert codes(app.context()) == {C.FIELD_MISSING}


# --- codes ------------------------------------------------------------------------------------


def test_a_non_beijing_applicant_is_a_warning() -> None:
    app = clean_app()
    app.set_party(SHANGHAI_APPLICANT, applicant=True)
    (found,) = of_code(app.context(), C.APPLICANT_NOT_BEIJING)
    assert SHANGHAI_APPLICANT.uscc in found.message and found.observed == "310104"
    assert codes(app.context()) == {C.APPLICANT_NOT_BEIJING}


def test_a_bad_check_digit_read_from_text_is_invalid() -> None:
    app = clean_app()
    bad = wrong_check_digit(APPLICANT.uscc)
    app.doc(SETTLEMENT_1).fields["customer"] = {"name": APPLICANT.name, "uscc": bad}
    (found,) = of_code(app.context(), C.USCC_INVALID)
    assert found.documents == [SETTLEMENT_1] and bad in found.message and found.observed == bad
    assert "《结算单-2024H2.pdf》" in found.message
    # the text layer holds another code than the applicant's: that is a mismatch as well
    assert codes(app.context()) == {C.USCC_INVALID, C.PARTY_MISMATCH}


def test_a_code_read_by_ocr_one_character_off_is_a_misreading() -> None:
    app = clean_app()
    spec = app.doc(SETTLEMENT_1)
    spec.source = "ocr"
    spec.fields["customer"] = {"name": APPLICANT.name, "uscc": wrong_check_digit(APPLICANT.uscc)}
    assert run(app.context()) == []


def test_a_code_read_by_ocr_two_characters_off_is_invalid() -> None:
    app = clean_app()
    spec = app.doc(SETTLEMENT_1)
    spec.source = "ocr"
    one_off = wrong_check_digit(APPLICANT.uscc)
    bad = next(x for c in "BCDEF" if not uscc_check.is_valid(x := one_off[:10] + c + one_off[11:]))
    spec.fields["customer"] = {"name": APPLICANT.name, "uscc": bad}
    assert C.USCC_INVALID in codes(app.context())


def test_a_bad_applicant_code_in_the_manifest_is_invalid() -> None:
    app = clean_app()
    bad = Company(APPLICANT.name, wrong_check_digit(APPLICANT.uscc))
    app.set_party(bad, applicant=True)
    found = of_code(app.context(), C.USCC_INVALID)
    assert any(f.documents == ["application.yaml"] and bad.uscc in f.message for f in found)
    assert codes(app.context()) == {C.USCC_INVALID}


# --- arithmetic on one document ----------------------------------------------------------------


def test_wrong_amount_in_words_names_both_amounts() -> None:
    app = clean_app()
    app.doc(INVOICE_1).fields["total_in_words"] = "肆仟捌佰伍拾万元整"
    (found,) = of_code(app.context(), C.AMOUNT_WORDS_MISMATCH)
    assert found.documents == [INVOICE_1] and "《发票-2024H2.pdf》" in found.message
    assert "48,500,000.00" in found.message and "48,000,000.00" in found.message
    assert (found.expected, found.observed) == ("48000000.00", "48500000.00")
    assert codes(app.context()) == {C.AMOUNT_WORDS_MISMATCH}


def test_old_style_amount_in_words_is_accepted() -> None:
    app = clean_app()
    app.doc(INVOICE_1).fields["total_in_words"] = "⊗肆仟捌佰万圆整"
    assert run(app.context()) == []


def test_tax_not_amount_times_rate() -> None:
    app = clean_app()
    app.doc(INVOICE_1).fields["tax_rate"] = Decimal("0.13")
    (found,) = of_code(app.context(), C.TAX_ARITHMETIC)
    fields = app.doc(INVOICE_1).fields
    assert found.documents == [INVOICE_1] and "13%" in found.message
    assert f"{fields['tax_amount']:,.2f}" in found.message
    assert codes(app.context()) == {C.TAX_ARITHMETIC}


def test_amount_plus_tax_not_total() -> None:
    app = clean_app()
    fields = app.doc(INVOICE_1).fields
    fields["amount_ex_tax"] += Decimal("1.00")
    fields["tax_amount"] += Decimal("0.06")
    (found,) = of_code(app.context(), C.TAX_ARITHMETIC)
    assert found.expected == "48000000.00" and found.observed == "48000001.06"
    assert "48,000,001.06" in found.message and "48,000,000.00" in found.message
    assert codes(app.context()) == {C.TAX_ARITHMETIC}


def test_invoice_at_another_rate_that_adds_up_is_clean() -> None:
    app = clean_app()
    app.doc(INVOICE_1).fields.update(invoice_figures(Decimal("48000000.00"), Decimal("0.13")))
    assert run(app.context()) == []


def test_unit_price_times_quantity_not_total() -> None:
    app = clean_app()
    app.doc(CONTRACT).fields["quantity"] = Decimal(5_000_000)
    (found,) = of_code(app.context(), C.PRICE_ARITHMETIC)
    assert found.documents == [CONTRACT] and "《算力服务合同.pdf》" in found.message
    assert "80,000,000.00" in found.message and "96,000,000.00" in found.message
    assert codes(app.context()) == {C.PRICE_ARITHMETIC}


def test_unit_price_above_the_card_hour_band() -> None:
    app = clean_app()
    app.doc(CONTRACT).fields.update(unit_price=Decimal("50.00"), quantity=Decimal(1_920_000))
    (found,) = of_code(app.context(), C.PRICE_OUT_OF_MARKET)
    assert found.documents == [CONTRACT] and "50.00" in found.message and "40.00" in found.message
    assert codes(app.context()) == {C.PRICE_OUT_OF_MARKET}


def test_unit_price_at_the_band_edge_is_in_the_market() -> None:
    app = clean_app()
    app.doc(CONTRACT).fields.update(unit_price=Decimal("40.00"), quantity=Decimal(2_400_000))
    assert run(app.context()) == []


# --- seals, markings, the commitment -----------------------------------------------------------


@pytest.mark.parametrize("file", [CONTRACT, SETTLEMENT_2, CERTIFICATE])
def test_an_unsealed_document_that_must_be_sealed(file: str) -> None:
    app = clean_app()
    app.doc(file).seals = []
    (found,) = of_code(app.context(), C.SEAL_MISSING)
    assert found.documents == [file] and f"《{file}》" in found.message
    assert codes(app.context()) == {C.SEAL_MISSING}


def test_no_seal_found_on_a_grey_scan_is_asked_not_alleged() -> None:
    # on a grey-scale scan a seal is grey: finding no red one proves nothing
    app = clean_app()
    app.doc(CONTRACT).seals = []
    app.doc(CONTRACT).grey_pages = [1, 2]
    (asked,) = of_code(app.context(), C.FIELD_MISSING)
    assert "灰度扫描件" in asked.message and "第 1、2 页" in asked.message
    assert codes(app.context()) == {C.FIELD_MISSING}
    # a page in colour shows the scan could show red: no red seal there is no seal
    app.doc(CONTRACT).grey_pages = [1]
    app.doc(CONTRACT).pages = 2
    assert codes(app.context()) == {C.SEAL_MISSING}


def test_no_seal_recognised_where_a_red_mark_of_its_size_is_is_asked_not_alleged() -> None:
    app = clean_app()
    app.doc(CONTRACT).seals = []
    app.doc(CONTRACT).red_mark_pages = [1]
    (asked,) = of_code(app.context(), C.FIELD_MISSING)
    assert "红色印迹" in asked.message
    assert codes(app.context()) == {C.FIELD_MISSING}


def test_a_grey_commitment_without_a_seal_is_asked_and_its_other_gaps_still_alleged() -> None:
    app = clean_app()
    app.doc(COMMITMENT).seals = []
    app.doc(COMMITMENT).grey_pages = [1]
    assert codes(app.context()) == {C.FIELD_MISSING}
    app.doc(COMMITMENT).fields["signed"] = False
    (found,) = of_code(app.context(), C.COMMITMENT_INCOMPLETE)
    assert "法定代表人未签字" in found.message and "灰度扫描件" in found.message


def test_unsealed_invoices_and_payments_are_fine() -> None:
    app = clean_app()
    for file in (INVOICE_1, PAYMENT_1):
        app.doc(file).seals = []
    assert run(app.context()) == []


def test_a_secrecy_marking_is_flagged() -> None:
    app = clean_app()
    app.doc(CONTRACT).markings = [Marking(text="机密★1年", page=1, bbox=(260.0, 40.0, 340.0, 60.0))]
    (found,) = of_code(app.context(), C.CLASSIFIED_MARKING)
    assert found.documents == [CONTRACT] and "机密★1年" in found.message
    assert found.evidence[0].page == 1
    assert codes(app.context()) == {C.CLASSIFIED_MARKING}


def test_a_marking_without_page_reads_well() -> None:
    app = clean_app()
    app.doc(CONTRACT).markings = [Marking(text="机密")]
    (found,) = of_code(app.context(), C.CLASSIFIED_MARKING)
    assert "None" not in found.message


def test_an_unsigned_commitment_is_incomplete() -> None:
    app = clean_app()
    app.doc(COMMITMENT).fields["signed"] = False
    (found,) = of_code(app.context(), C.COMMITMENT_INCOMPLETE)
    assert found.documents == [COMMITMENT] and "未签字" in found.message
    assert codes(app.context()) == {C.COMMITMENT_INCOMPLETE}


def test_an_unsigned_commitment_whose_seal_covers_the_signing_line_is_asked_about() -> None:
    # a scan: the seal stamped over the signature is one patch of ink with it
    app = clean_app()
    app.doc(COMMITMENT).fields["signed"] = False
    app.doc(COMMITMENT).source = "ocr"
    signed = next(d for d in app.context().documents if d.file == COMMITMENT).fields.signed  # type: ignore[union-attr]
    assert signed is not None and signed.bbox is not None
    _, y0, x1, y1 = signed.bbox
    app.doc(COMMITMENT).seals = [{"page": 1, "bbox": [x1 + 10, y0 - 40, x1 + 110, y1 + 60]}]
    assert of_code(app.context(), C.COMMITMENT_INCOMPLETE) == []
    (asked,) = [f for f in of_code(app.context(), C.FIELD_MISSING) if COMMITMENT in f.message]
    assert "印章覆盖" in asked.message and asked.message.startswith("待核实：")
    # an undated one besides: the finding stands on the date alone
    del app.doc(COMMITMENT).fields["sign_date"]
    (found,) = of_code(app.context(), C.COMMITMENT_INCOMPLETE)
    assert "未注明日期" in found.message and "未签字" not in found.message
    # on a text layer a signature is a picture of its own: none beside the seal is none at all
    app.doc(COMMITMENT).source = "text"
    (found,) = of_code(app.context(), C.COMMITMENT_INCOMPLETE)
    assert "未签字" in found.message


def test_an_undated_commitment_is_incomplete() -> None:
    app = clean_app()
    del app.doc(COMMITMENT).fields["sign_date"]
    (found,) = of_code(app.context(), C.COMMITMENT_INCOMPLETE)
    assert "未注明日期" in found.message


def test_an_unsealed_commitment_is_incomplete_and_unsealed() -> None:
    app = clean_app()
    app.doc(COMMITMENT).seals = []
    (found,) = of_code(app.context(), C.COMMITMENT_INCOMPLETE)
    assert "未加盖公章" in found.message
    assert codes(app.context()) == {C.COMMITMENT_INCOMPLETE, C.SEAL_MISSING}


def test_a_commitment_dated_before_the_application_is_fine() -> None:
    app = clean_app()
    app.doc(COMMITMENT).fields["sign_date"] = date(2025, 3, 1)
    assert run(app.context()) == []


def test_a_statement_line_whose_price_times_quantity_is_not_its_amount() -> None:
    app = clean_app()
    items = app.doc(SETTLEMENT_1).fields["items"]
    first = items[0]
    first.update(unit=first.get("unit", "卡时"), unit_price=Decimal("25.00"),
                 quantity=first["amount"] / Decimal("25.00") + 10)
    (found,) = of_code(app.context(), C.PRICE_ARITHMETIC)
    assert found.documents == [SETTLEMENT_1] and "25.00" in found.message
    assert codes(app.context()) == {C.PRICE_ARITHMETIC}


def test_a_statement_s_words_that_say_another_amount() -> None:
    app = clean_app()
    fields = app.doc(SETTLEMENT_1).fields
    fields["total_in_words"] = "壹元整"
    fields["stated_amount"] = fields["total_amount"]
    (found,) = of_code(app.context(), C.AMOUNT_WORDS_MISMATCH)
    assert found.documents == [SETTLEMENT_1] and "壹元整" in found.message
    assert codes(app.context()) == {C.AMOUNT_WORDS_MISMATCH}


def test_a_receipt_s_words_against_its_figures() -> None:
    app = clean_app()
    spec = app.doc(PAYMENT_1)
    spec.fields["amount_in_words"] = "人民币壹元整"
    (found,) = of_code(app.context(), C.AMOUNT_WORDS_MISMATCH)
    assert found.documents == [PAYMENT_1] and "壹元整" in found.message
    assert codes(app.context()) == {C.AMOUNT_WORDS_MISMATCH}
    spec.source = "ocr"  # read by OCR either may be misread: no accusation
    assert C.AMOUNT_WORDS_MISMATCH not in codes(app.context())


def test_a_scanned_statement_s_words_are_doubted_only_when_its_figures_agree() -> None:
    app = clean_app()
    spec = app.doc(SETTLEMENT_1)
    spec.source = "ocr"
    spec.fields["total_in_words"] = "壹元整"
    spec.fields["stated_amount"] = spec.fields["total_amount"] + 1
    assert C.AMOUNT_WORDS_MISMATCH not in codes(app.context())


@pytest.mark.parametrize(("name", "reason", "code", "says"), [
    ("signed", Missing.unread("未找到法定代表人签字栏"), C.FIELD_MISSING, "签字"),  # not read: asks
    ("sign_date", Missing.unread("未找到落款日期"), C.FIELD_MISSING, "落款日期"),
    ("sign_date", Missing.blank("承诺书未填写日期"), C.COMMITMENT_INCOMPLETE, "未注明日期"),  # left blank
])
def test_a_commitment_line_not_read_asks_and_one_left_blank_is_incomplete(
        name: str, reason: Missing, code: FindingCode, says: str) -> None:
    app = clean_app()
    spec = app.doc(COMMITMENT)
    del spec.fields[name]
    spec.missing[name] = reason
    (found,) = of_code(app.context(), code)
    assert codes(app.context()) == {code}
    assert says in found.message


# --- the QR code against the print --------------------------------------------------------


def _qr_of(fields: dict[str, Any], **change: Any) -> dict[str, Any]:
    """The QR code a 数电 invoice with these fields carries (the amount: the total with tax)."""
    qr = {"text": "01,31,,…", "number": fields["invoice_no"], "date": fields["issue_date"],
          "amount": fields["total_amount"], "digital": True, "page": 1, "bbox": [20.0, 20.0, 80.0, 80.0]}
    return {**qr, **change}


def test_a_qr_code_that_agrees_with_the_print_is_clean() -> None:
    app = clean_app()
    spec = app.doc(INVOICE_1)
    spec.qr = _qr_of(spec.fields)
    assert run(app.context()) == []


def test_a_qr_amount_unlike_the_printed_one_is_an_altered_invoice_on_a_text_layer() -> None:
    app = clean_app()
    spec = app.doc(INVOICE_1)
    printed = spec.fields["total_amount"]
    spec.qr = _qr_of(spec.fields, amount=printed - Decimal("1000000.00"))
    (found,) = of_code(app.context(), C.QR_MISMATCH)
    assert found.kind is Kind.VETO and found.severity.value == "error"
    assert found.expected == f"{printed - Decimal('1000000.00'):.2f}" and found.observed == f"{printed:.2f}"
    assert found.at_stake == Decimal("1000000.00")
    assert [e.field for e in found.evidence] == ["qr", "total_amount"]
    assert codes(app.context()) == {C.QR_MISMATCH}


def test_a_qr_number_unlike_a_scans_reading_asks_for_the_original() -> None:
    app = clean_app()
    spec = app.doc(INVOICE_1)
    spec.source = "ocr"
    spec.qr = _qr_of(spec.fields, number=spec.fields["invoice_no"][:-1] + "9")
    (found,) = of_code(app.context(), C.QR_MISMATCH)
    assert found.kind is Kind.FIX and "识别有误" in found.message


# --- one invoice in two formats -----------------------------------------------------------


def _with_structured_copy(app: Any, source: str = "text") -> Any:
    """The application with ``INVOICE_1`` uploaded again as its OFD, and the PDF read from
    ``source``."""
    ofd = app.add(app.copy_of(INVOICE_1, "发票.ofd"))
    ofd.source, ofd.format = "ofd", "ofd"
    app.doc(INVOICE_1).source = source
    return ofd


def test_an_invoice_and_its_ofd_are_one_invoice_not_a_duplicate() -> None:
    app = clean_app()
    before = result_of(app.context()).subsidy
    _with_structured_copy(app)
    ctx = app.context()
    assert run(ctx) == []
    assert ctx.copies == {INVOICE_1: "发票.ofd"}
    after = result_of(ctx).subsidy
    assert (after.eligible_cost, after.subsidy) == (before.eligible_cost, before.subsidy)  # counted once
    assert "发票.ofd" in {line.file for c in after.per_contract for line in c.lines}


def test_a_pdf_printing_other_figures_than_its_own_ofd_is_a_veto() -> None:
    app = clean_app()
    ofd = _with_structured_copy(app)
    app.doc(INVOICE_1).fields["total_amount"] += Decimal("100000.00")
    (found,) = of_code(app.context(), C.FORMAT_MISMATCH)
    assert found.kind is Kind.VETO and set(found.documents) == {INVOICE_1, "发票.ofd"}
    assert found.expected == f"{ofd.fields['total_amount']:.2f}" and found.at_stake == Decimal("100000.00")


def test_a_scans_reading_is_not_held_against_its_structured_copy() -> None:
    app = clean_app()
    _with_structured_copy(app, source="ocr")
    app.doc(INVOICE_1).fields["total_amount"] += Decimal("100000.00")
    assert codes(app.context()) == set()
