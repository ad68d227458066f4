"""The checks across documents, applications and runs, on hand-built models: parties, amounts,
dates, delivery, duplicates, the direction's requirements, the caps, the batch, stable ids."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest

from model.base import Direction, DocType, FindingCode
from model.document import EMPTY_SHA256, Marking, Missing
from policy.rules import load_rules
from tests.validators.fixtures import (
    AGENT_FILING,
    APPLICANT,
    COMMITMENT,
    CONTRACT,
    CONTRACT_NO,
    INVOICE_1,
    INVOICE_2,
    PARENT,
    PAYMENT_1,
    PAYMENT_2,
    PLATFORM_LOG,
    SECOND_CONTRACT_NO,
    SECOND_SUPPLIER,
    SETTLEMENT_1,
    SETTLEMENT_2,
    SHANGHAI_APPLICANT,
    SUPPLIER,
    App,
    DocSpec,
    clean_app,
    codes,
    invoice_figures,
    line,
    of_code,
    other_clean_app,
    run,
    two_contract_app,
    wrong_check_digit,
)
from validators.checks.across import check_batch
from validators.context import CheckContext

C = FindingCode
M = Decimal(1_000_000)
AMOUNT_96 = 96 * M


# --- parties -----------------------------------------------------------------------------------


def test_invoice_buyer_of_another_name() -> None:
    app = clean_app()
    app.doc(INVOICE_1).fields["buyer"] = {"name": "北京星河智算科技股份有限公司", "uscc": PARENT.uscc}
    (found,) = of_code(app.context(), C.PARTY_MISMATCH)
    assert found.documents == [INVOICE_1] and "《发票-2024H2.pdf》" in found.message
    assert "北京星河智算科技股份有限公司" in found.message and APPLICANT.name in found.message
    assert codes(app.context()) == {C.PARTY_MISMATCH}


def test_another_name_beside_the_applicants_code_is_asked_about() -> None:
    """The credit code is the company's identity: a name read beside the applicant's code that
    is not the applicant's is the likelier misreading, so it is asked about, not alleged."""
    app = clean_app()
    app.doc(INVOICE_1).fields["buyer"] = {"name": "北京星河智算科技股份有限公司", "uscc": APPLICANT.uscc}
    (asked,) = of_code(app.context(), C.FIELD_MISSING)
    assert asked.message.startswith("待核实：") and "北京星河智算科技股份有限公司" in asked.message
    assert "可能读错" in asked.message
    assert codes(app.context()) == {C.FIELD_MISSING}


def test_parent_company_paying() -> None:
    app = clean_app()
    app.doc(PAYMENT_1).fields["payer"] = {"name": PARENT.name, "uscc": PARENT.uscc}
    (found,) = of_code(app.context(), C.PARTY_MISMATCH)
    assert found.documents == [PAYMENT_1] and "付款人" in found.message and PARENT.name in found.message
    assert (found.expected, found.observed) == (APPLICANT.name, PARENT.name)
    assert codes(app.context()) == {C.PARTY_MISMATCH}


def test_supplier_declared_under_another_name() -> None:
    app = clean_app()
    app.manifest["contracts"][0]["supplier"] = "上海算力云科技有限公司"
    (found,) = of_code(app.context(), C.PARTY_MISMATCH)
    assert found.documents == [CONTRACT, "application.yaml"]
    assert SUPPLIER.name in found.message and "上海算力云科技有限公司" in found.message


def test_settlement_issued_under_another_code() -> None:
    app = clean_app()
    other = {"name": SUPPLIER.name, "uscc": SHANGHAI_APPLICANT.uscc}
    app.doc(SETTLEMENT_2).fields["supplier"] = other
    (found,) = of_code(app.context(), C.PARTY_MISMATCH)
    assert found.documents == [SETTLEMENT_2, CONTRACT] and SHANGHAI_APPLICANT.uscc in found.message
    assert codes(app.context()) == {C.PARTY_MISMATCH}


def test_names_differing_only_in_spaces_and_width_agree() -> None:
    app = clean_app()
    app.doc(INVOICE_1).fields["buyer"] = {"name": "北京星河智算科技 有限公司", "uscc": APPLICANT.uscc}
    assert run(app.context()) == []


def test_a_name_misread_by_ocr_by_one_character_agrees() -> None:
    app = clean_app()
    app.doc(PAYMENT_1).source = "ocr"
    app.doc(PAYMENT_1).fields["payer"] = {"name": "北京星河智箅科技有限公司", "uscc": APPLICANT.uscc}
    assert run(app.context()) == []


def test_a_contract_read_by_ocr_may_be_the_one_misread() -> None:
    # the scanned contract misreads the supplier; the invoices typed from the text layer do not
    app = clean_app()
    app.doc(CONTRACT).source = "ocr"
    fields = app.doc(CONTRACT).fields
    fields["party_b"] = {**fields["party_b"], "name": SUPPLIER.name[:-5] + "童" + SUPPLIER.name[-4:]}
    assert C.PARTY_MISMATCH not in codes(app.context())


def test_a_statement_whose_total_was_not_read_raises_no_amount_error() -> None:
    app = clean_app()
    del app.doc(SETTLEMENT_2).fields["total_amount"]
    found = codes(app.context())
    assert C.AMOUNT_MISMATCH not in found and C.UNDELIVERED not in found


def test_supplier_with_the_same_legal_representative() -> None:
    app = clean_app()
    fields = app.doc(CONTRACT).fields
    fields["party_a"] = {**fields["party_a"], "legal_representative": "王海峰"}
    fields["party_b"] = {**fields["party_b"], "legal_representative": "王海峰"}
    (found,) = of_code(app.context(), C.RELATED_PARTY)
    assert found.documents == [CONTRACT] and "王海峰" in found.message and SUPPLIER.name in found.message
    assert codes(app.context()) == {C.RELATED_PARTY}


def test_supplier_at_the_same_address() -> None:
    app = clean_app()
    fields = app.doc(CONTRACT).fields
    fields["party_a"] = {**fields["party_a"], "address": "北京市海淀区中关村大街1号"}
    fields["party_b"] = {**fields["party_b"], "address": "北京市海淀区中关村大街 1 号"}
    (found,) = of_code(app.context(), C.RELATED_PARTY)
    assert "地址相同" in found.message


def test_supplier_is_the_applicant() -> None:
    app = clean_app()
    app.doc(CONTRACT).fields["party_b"] = {"name": APPLICANT.name, "uscc": APPLICANT.uscc}
    (found,) = of_code(app.context(), C.RELATED_PARTY)
    assert APPLICANT.uscc in found.message and "名称相同" in found.message


def test_two_contracts_from_two_suppliers_are_clean() -> None:
    assert run(two_contract_app().context()) == []


def test_a_second_contract_s_settlement_from_another_company() -> None:
    app = two_contract_app()
    app.doc("2-结算单-2025H1.pdf").fields["supplier"] = {"name": PARENT.name, "uscc": PARENT.uscc}
    app.doc("2-结算单-2025H1.pdf").fields["contract_no"] = SECOND_CONTRACT_NO
    (found,) = of_code(app.context(), C.PARTY_MISMATCH)
    assert found.documents == ["2-结算单-2025H1.pdf", "2-算力服务合同.pdf"]
    assert PARENT.name in found.message and SECOND_SUPPLIER.name in found.message


def test_an_invoice_from_a_third_seller_is_a_party_mismatch() -> None:
    app = two_contract_app()
    app.doc("2-发票-2024H2.pdf").fields["seller"] = {"name": PARENT.name, "uscc": PARENT.uscc}
    assert C.PARTY_MISMATCH in codes(app.context())


def test_a_receipt_naming_neither_contract_nor_payee_may_be_either_contract_s() -> None:
    # a second contract's receipt read without its payee: it belongs to no contract, so the
    # second contract's payments are short by it, and no mismatch is told from that
    app = two_contract_app()
    del app.doc(f"2-{PAYMENT_2}").fields["payee"]
    assert C.AMOUNT_MISMATCH not in codes(app.context())


def test_with_a_contract_s_party_b_unread_its_declared_supplier_is_no_stranger() -> None:
    app = two_contract_app()
    del app.doc("2-算力服务合同.pdf").fields["party_b"]
    assert C.PARTY_MISMATCH not in codes(app.context())
    # a third company may still be that contract's party B: asked, not alleged
    app.doc("2-发票-2024H2.pdf").fields["seller"] = {"name": PARENT.name, "uscc": PARENT.uscc}
    found = run(app.context())
    assert C.PARTY_MISMATCH not in {f.code for f in found}
    assert any("2-算力服务合同.pdf》的乙方未读出" in f.message for f in found if f.code == C.FIELD_MISSING)


# --- amounts -------------------------------------------------------------------------------------


def test_declared_amount_differs_from_the_contract() -> None:
    app = clean_app()
    app.manifest["contracts"][0]["amount"] = Decimal("90000000.00")
    (found,) = of_code(app.context(), C.AMOUNT_MISMATCH)
    assert found.documents == ["application.yaml", CONTRACT]
    assert "90,000,000.00" in found.message and "96,000,000.00" in found.message
    assert (found.expected, found.observed) == ("96000000.00", "90000000.00")
    assert codes(app.context()) == {C.AMOUNT_MISMATCH}


def test_invoices_differ_from_settlements() -> None:
    app = clean_app()
    app.doc(INVOICE_2).fields.update(invoice_figures(40 * M))
    found = of_code(app.context(), C.AMOUNT_MISMATCH)
    vs = [f for f in found if "发票合计" in f.message and "结算单合计" in f.message]
    assert len(vs) == 1 and "88,000,000.00" in vs[0].message and "96,000,000.00" in vs[0].message
    assert set(vs[0].documents) == {INVOICE_1, INVOICE_2, SETTLEMENT_1, SETTLEMENT_2}
    assert codes(app.context()) == {C.AMOUNT_MISMATCH}


def test_an_invoice_whose_total_is_unread_leaves_the_invoiced_sum_unsaid() -> None:
    # the invoices' sum is short by the unread one: no mismatch is told from it, it is asked about
    app = clean_app()
    del app.doc(INVOICE_2).fields["total_amount"]
    assert C.AMOUNT_MISMATCH not in codes(app.context())


@pytest.mark.parametrize("unread", ["invoice_no", "issue_date"])
def test_an_invoice_uncounted_for_its_unread_number_or_date_leaves_the_sum_unsaid(unread: str) -> None:
    app = clean_app()
    del app.doc(INVOICE_2).fields[unread]
    assert C.AMOUNT_MISMATCH not in codes(app.context())


def test_payments_differ_from_invoices() -> None:
    app = clean_app()
    app.doc(PAYMENT_2).fields["amount"] = 40 * M
    found = of_code(app.context(), C.AMOUNT_MISMATCH)
    assert any("发票合计" in f.message and "付款凭证合计 88,000,000.00" in f.message for f in found)
    assert codes(app.context()) == {C.AMOUNT_MISMATCH}


def test_invoices_and_settlements_over_the_contract() -> None:
    app = clean_app()
    app.doc(CONTRACT).fields.update(total_amount=90 * M, quantity=Decimal(5_625_000))
    app.manifest["contracts"][0]["amount"] = 90 * M
    found = of_code(app.context(), C.AMOUNT_MISMATCH)
    over = sorted(f.message for f in found if "超出合同总金额" in f.message)
    # the same excess on statements and invoices is one finding naming both
    assert len(over) == 1 and "结算单与发票" in over[0]
    assert "96,000,000.00" in over[0] and "90,000,000.00" in over[0]
    assert codes(app.context()) == {C.AMOUNT_MISMATCH}


def test_an_advance_invoice_not_yet_settled_is_undelivered() -> None:
    app = clean_app()
    settlement = app.doc(SETTLEMENT_2).fields
    settlement["items"] = settlement["items"][:5]  # June not yet delivered; its invoice is out
    settlement.update(period_end=date(2025, 5, 31), total_amount=40 * M, quantity=2_500_000)
    found = of_code(app.context(), C.UNDELIVERED)
    assert len(found) == 2  # invoiced and paid beyond delivery
    by_invoice = next(f for f in found if INVOICE_2 in f.documents)
    assert "96,000,000.00" in by_invoice.message and "88,000,000.00" in by_invoice.message
    assert "8,000,000.00" in by_invoice.message
    # billed beyond delivery is one root cause: UNDELIVERED, not also an amount mismatch
    assert codes(app.context()) == {C.UNDELIVERED}


def test_a_storage_line_in_a_settlement_is_not_compute() -> None:
    app = clean_app()
    items = app.doc(SETTLEMENT_2).fields["items"]
    june = items.pop()
    start, end = june["period_start"], june["period_end"]
    items += [line("2025年06月 H800 GPU算力服务", 7 * M, start, end),
              line("2025年06月 对象存储服务", 1 * M, start, end)]
    (found,) = of_code(app.context(), C.NON_COMPUTE_ITEM)
    assert found.documents == [SETTLEMENT_2] and "对象存储服务" in found.message
    assert "1,000,000.00" in found.message
    assert codes(app.context()) == {C.NON_COMPUTE_ITEM}


def test_a_network_item_on_an_invoice_is_not_compute() -> None:
    app = clean_app()
    fields = app.doc(INVOICE_1).fields
    compute = fields["items"][0]
    net = Decimal("100000.00")
    fields["items"] = [{"name": compute["name"], "amount": compute["amount"] - net},
                       {"name": "*信息技术服务*公网带宽服务费", "amount": net}]
    (found,) = of_code(app.context(), C.NON_COMPUTE_ITEM)
    assert found.documents == [INVOICE_1] and "公网带宽" in found.message
    assert codes(app.context()) == {C.NON_COMPUTE_ITEM}


def test_a_compute_line_mentioning_its_network_is_compute() -> None:
    app = clean_app()
    items = app.doc(SETTLEMENT_1).fields["items"]
    items[0] = {**items[0], "name": "2024年07月 GPU算力服务（含RDMA网络）"}
    assert run(app.context()) == []


def test_training_data_storage_is_not_compute() -> None:
    app = clean_app()
    items = app.doc(SETTLEMENT_2).fields["items"]
    june = items.pop()
    start, end = june["period_start"], june["period_end"]
    items += [line("2025年06月 H800 GPU算力服务", 7 * M, start, end),
              line("2025年06月 大模型训练数据存储服务", 1 * M, start, end)]
    assert C.NON_COMPUTE_ITEM in codes(app.context())


def test_a_declared_contract_without_its_document_is_flagged() -> None:
    app = clean_app()
    for spec in app.docs:  # every document names another contract than the declared one
        if "contract_no" in spec.fields:
            spec.fields["contract_no"] = "XH-SL-2024-019"
    assert any(f.severity == "error" for f in run(app.context()))


# --- thresholds and the direction ---------------------------------------------------------------


def test_agent_application_under_twenty_million() -> None:
    app = clean_app(direction=Direction.AGENT, amount=15 * M)
    (found,) = of_code(app.context(), C.THRESHOLD_NOT_MET)
    assert "15,000,000.00" in found.message and "20,000,000.00" in found.message
    assert (found.expected, found.observed) == ("20000000.00", "15000000.00")
    assert codes(app.context()) == {C.THRESHOLD_NOT_MET}


def test_training_application_under_eighty_million() -> None:
    app = clean_app(amount=72 * M)
    assert codes(app.context()) == {C.THRESHOLD_NOT_MET}


@pytest.mark.parametrize("direction", [Direction.AGENT, Direction.MAAS])
def test_clean_applications_of_the_other_directions(direction: Direction) -> None:
    amount = 25 * M if direction is Direction.AGENT else AMOUNT_96
    assert run(clean_app(direction=direction, amount=amount).context()) == []


def test_maas_with_480_served_companies() -> None:
    app = clean_app(direction=Direction.MAAS)
    app.manifest["maas"]["served_companies"] = 480
    app.doc(PLATFORM_LOG).fields["served_companies"] = 480
    found = of_code(app.context(), C.DIRECTION_REQUIREMENT)
    # declared and proven alike: one finding naming both
    assert [tuple(f.documents) for f in found] == [("application.yaml", PLATFORM_LOG)]
    assert all("480" in f.message and "500" in f.message for f in found)
    assert codes(app.context()) == {C.DIRECTION_REQUIREMENT}


def test_maas_log_disagreeing_with_the_declaration() -> None:
    app = clean_app(direction=Direction.MAAS)
    app.doc(PLATFORM_LOG).fields["served_companies"] = 600
    (found,) = of_code(app.context(), C.DIRECTION_REQUIREMENT)
    assert found.documents == [PLATFORM_LOG, "application.yaml"]
    assert "600" in found.message and "620" in found.message


def test_maas_exactly_500_companies_is_not_more_than_500() -> None:
    app = clean_app(direction=Direction.MAAS)
    app.manifest["maas"]["served_companies"] = 500
    app.doc(PLATFORM_LOG).fields["served_companies"] = 500
    assert C.DIRECTION_REQUIREMENT in codes(app.context())


def test_maas_exactly_a_trillion_tokens_is_enough() -> None:
    app = clean_app(direction=Direction.MAAS)
    app.manifest["maas"]["daily_tokens"] = 10**12
    app.doc(PLATFORM_LOG).fields["daily_tokens"] = 10**12
    assert run(app.context()) == []


def test_maas_without_declaration() -> None:
    app = clean_app(direction=Direction.MAAS)
    del app.manifest["maas"]
    assert codes(app.context()) == {C.DIRECTION_REQUIREMENT}


def test_maas_log_without_figures_is_flagged() -> None:
    app = clean_app(direction=Direction.MAAS)
    fields = app.doc(PLATFORM_LOG).fields
    del fields["daily_tokens"], fields["served_companies"]
    assert codes(app.context()) & {C.DIRECTION_REQUIREMENT, C.FIELD_MISSING}


def test_maas_figures_reading_did_not_find_are_asked_about_not_alleged_absent() -> None:
    app = clean_app(direction=Direction.MAAS)
    del app.doc(PLATFORM_LOG).fields["daily_tokens"]
    app.doc(PLATFORM_LOG).missing = {"daily_tokens": Missing.unread("未找到日均 Token 调用量")}
    found = run(app.context())
    assert C.DIRECTION_REQUIREMENT not in {f.code for f in found}
    assert any("未能读出" in f.message for f in found if f.code == C.FIELD_MISSING)


def test_agent_with_exactly_50000_daily_users() -> None:
    app = clean_app(direction=Direction.AGENT, amount=25 * M)
    app.manifest["agent"]["daily_active_users"] = 50_000
    app.doc(AGENT_FILING).fields["daily_active_users"] = 50_000
    found = of_code(app.context(), C.DIRECTION_REQUIREMENT)
    assert len(found) == 2 and all("50,000" in f.message for f in found)


def test_agent_filing_number_disagreeing_with_the_declaration() -> None:
    app = clean_app(direction=Direction.AGENT, amount=25 * M)
    app.doc(AGENT_FILING).fields["filing_no"] = "Beijing-XHZS-202501010002"
    (found,) = of_code(app.context(), C.DIRECTION_REQUIREMENT)
    assert "202501010002" in found.message and "202501010001" in found.message


def test_a_scanned_filing_number_with_its_edge_cut_off_agrees() -> None:
    app = clean_app(direction=Direction.AGENT, amount=25 * M)
    app.doc(AGENT_FILING).source = "ocr"
    app.doc(AGENT_FILING).fields["filing_no"] = "jing-XHZS-202501010001"
    assert C.DIRECTION_REQUIREMENT not in codes(app.context())


# --- dates ---------------------------------------------------------------------------------------


def test_a_settlement_line_before_the_window() -> None:
    app = clean_app()
    app.doc(CONTRACT).fields["service_start"] = date(2024, 5, 1)
    settlement = app.doc(SETTLEMENT_1).fields
    may = line("2024年05月 H800 GPU算力服务", settlement["items"][0]["amount"], date(2024, 5, 1),
               date(2024, 5, 31))
    settlement["items"][0] = may
    settlement["period_start"] = date(2024, 5, 1)
    (found,) = of_code(app.context(), C.DATE_OUT_OF_WINDOW)
    assert found.documents == [SETTLEMENT_1] and "2024-05-01 至 2024-05-31" in found.message
    assert "2024-05-21" in found.message
    # the crop shows the statement's table of lines
    assert [(e.file, e.field) for e in found.evidence] == [(SETTLEMENT_1, "items")]
    assert codes(app.context()) == {C.DATE_OUT_OF_WINDOW}


def test_an_invoice_after_the_application_date() -> None:
    app = clean_app()
    app.as_of = date(2025, 7, 25)
    app.doc(INVOICE_2).fields["issue_date"] = date(2025, 7, 20)
    (found,) = of_code(app.context(), C.DATE_OUT_OF_WINDOW)
    assert found.documents == [INVOICE_2] and "2025-07-20" in found.message
    assert found.expected == "2024-05-21..2025-07-15"
    assert codes(app.context()) == {C.DATE_OUT_OF_WINDOW}


def test_evidence_after_as_of_counts_as_after_the_application() -> None:
    app = clean_app()
    app.as_of = date(2025, 7, 5)  # before the application date; payment 2 is of 2025-07-08
    (found,) = of_code(app.context(), C.DATE_OUT_OF_WINDOW)
    assert found.documents == [PAYMENT_2] and found.expected == "2024-05-21..2025-07-05"


def test_a_settlement_line_after_the_service_end() -> None:
    app = clean_app()
    app.doc(CONTRACT).fields["service_end"] = date(2025, 5, 31)
    (found,) = of_code(app.context(), C.CONTRACT_PERIOD)
    assert found.documents == [SETTLEMENT_2, CONTRACT]
    assert "2025-06-01 至 2025-06-30" in found.message and "2024-07-01 至 2025-05-31" in found.message
    assert codes(app.context()) == {C.CONTRACT_PERIOD}


def test_a_settlement_line_before_the_service_start() -> None:
    app = clean_app()
    app.doc(CONTRACT).fields["service_start"] = date(2024, 8, 1)
    (found,) = of_code(app.context(), C.CONTRACT_PERIOD)
    assert found.documents == [SETTLEMENT_1, CONTRACT] and "2024-07-01 至 2024-07-31" in found.message


def test_a_contract_expired_before_the_window() -> None:
    app = clean_app()
    app.doc(CONTRACT).fields.update(service_start=date(2023, 5, 1), service_end=date(2024, 4, 30))
    found = of_code(app.context(), C.CONTRACT_PERIOD)
    assert any("已届满" in f.message and f.documents == [CONTRACT] for f in found)


# --- duplicates inside one application -----------------------------------------------------------


def test_the_same_invoice_twice() -> None:
    app = clean_app()
    rescan = app.add(app.copy_of(INVOICE_1, "发票-2024H2-扫描件.pdf"))
    rescan.source = "ocr"
    (found,) = of_code(app.context(), C.DUPLICATE_DOCUMENT)
    assert found.documents == sorted([INVOICE_1, "发票-2024H2-扫描件.pdf"])
    number = app.doc(INVOICE_1).fields["invoice_no"]
    assert found.observed == number and number in found.message
    assert codes(app.context()) == {C.DUPLICATE_DOCUMENT}


def test_the_same_file_twice() -> None:
    app = clean_app()
    copy = app.add(app.copy_of(INVOICE_1, "发票-2024H2(1).pdf"))
    copy.sha256 = app.sha(INVOICE_1)
    (found,) = of_code(app.context(), C.DUPLICATE_DOCUMENT)
    assert found.documents == sorted([INVOICE_1, "发票-2024H2(1).pdf"]) and "同一文件" in found.message
    assert codes(app.context()) == {C.DUPLICATE_DOCUMENT}


def test_a_settlement_uploaded_twice_delivers_once() -> None:
    app = clean_app()
    app.remove(SETTLEMENT_2)  # 96,000,000.00 invoiced and paid, 48,000,000.00 settled …
    copy = app.add(app.copy_of(SETTLEMENT_1, "结算单-2024H2(1).pdf"))
    copy.sha256 = app.sha(SETTLEMENT_1)  # … but the one statement is uploaded twice
    assert C.DUPLICATE_DOCUMENT in codes(app.context())
    assert C.UNDELIVERED in codes(app.context())


# --- the caps ------------------------------------------------------------------------------------


def test_other_subsidies_of_40_percent_cap_the_subsidy() -> None:
    app = clean_app()
    app.manifest["contracts"][0]["other_subsidies"] = Decimal("38400000.00")  # 40% of 96,000,000.00
    (found,) = of_code(app.context(), C.SUBSIDY_CAPPED)
    assert found.severity == "info" and CONTRACT_NO in found.message
    assert found.expected == "9600000.00" and found.observed == "19200000.00"
    assert codes(app.context()) == {C.SUBSIDY_CAPPED}


def test_the_company_cap_caps_the_subsidy() -> None:
    app = clean_app(amount=240 * M)
    (found,) = of_code(app.context(), C.SUBSIDY_CAPPED)
    assert "48,000,000.00" in found.message and "30,000,000.00" in found.message
    assert codes(app.context()) == {C.SUBSIDY_CAPPED}


# --- the batch -----------------------------------------------------------------------------------


def _batch(*apps: App) -> dict[str, list[str]]:
    out = check_batch([a.context() for a in apps])
    return {app_id: sorted(d.message for d in drafts) for app_id, drafts in out.items() if drafts}


def test_batch_two_unrelated_applications() -> None:
    assert _batch(clean_app(), other_clean_app()) == {}


def test_batch_the_same_file_in_two_applications() -> None:
    a, b = clean_app(), other_clean_app()
    b.doc(PAYMENT_1).sha256 = a.sha(PAYMENT_1)
    found = _batch(a, b)
    assert set(found) == {a.app_id, b.app_id}
    assert "与申报 APP-2025-0002 的 1 份材料完全相同：《付款回单-1.pdf》" in found[a.app_id][0]
    assert "与申报 APP-2025-0001 的 1 份材料完全相同：《付款回单-1.pdf》" in found[b.app_id][0]


def test_batch_the_same_invoice_in_two_applications() -> None:
    a, b = clean_app(), other_clean_app()
    number = a.doc(INVOICE_1).fields["invoice_no"]
    b.doc(INVOICE_2).fields["invoice_no"] = number
    drafts = check_batch([a.context(), b.context()])
    assert set(drafts) == {a.app_id, b.app_id}
    assert [(d.documents, d.observed) for d in drafts[a.app_id]] == [((INVOICE_1,), number)]
    assert [(d.documents, d.observed) for d in drafts[b.app_id]] == [((INVOICE_2,), number)]
    assert b.app_id in drafts[a.app_id][0].message and a.app_id in drafts[b.app_id][0].message
    # each points at where its own invoice prints the number, for the reviewer's crop
    assert [(e.file, e.field) for e in drafts[b.app_id][0].evidence] == [(INVOICE_2, "invoice_no")]


def test_batch_the_same_invoice_file_is_reported_once_as_the_same_file() -> None:
    a, b = clean_app(), other_clean_app()
    b.doc(INVOICE_2).fields["invoice_no"] = a.doc(INVOICE_1).fields["invoice_no"]
    b.doc(INVOICE_2).sha256 = a.sha(INVOICE_1)
    found = _batch(a, b)
    assert [len(found[a.app_id]), len(found[b.app_id])] == [1, 1]
    assert "完全相同" in found[a.app_id][0] and "完全相同" in found[b.app_id][0]


def test_batch_the_same_contract_claimed_by_two_applicants() -> None:
    a, b = clean_app(), other_clean_app()
    for spec in b.docs:
        if "contract_no" in spec.fields:
            spec.fields["contract_no"] = a.doc(CONTRACT).fields["contract_no"]
    b.manifest["contracts"][0]["contract_no"] = a.manifest["contracts"][0]["contract_no"]
    assert run(b.context()) == []  # alone, each is clean
    drafts = check_batch([a.context(), b.context()])
    assert set(drafts) == {a.app_id, b.app_id}
    assert "XHSL2024018" in drafts[a.app_id][0].message and b.app_id in drafts[a.app_id][0].message
    assert a.app_id in drafts[b.app_id][0].message


def test_batch_unnumbered_contracts_of_the_same_file_name_are_not_the_same() -> None:
    a, b = clean_app(), other_clean_app()
    for app in (a, b):
        del app.doc(CONTRACT).fields["contract_no"]
        app.doc(CONTRACT).missing = {"contract_no": Missing.unread("未找到合同编号")}
    assert _batch(a, b) == {}


def test_batch_empty_uploads_are_not_the_same_file() -> None:
    a, b = clean_app(), other_clean_app()
    for app in (a, b):
        app.add(DocSpec("附件.pdf", DocType.OTHER, seals=[], errors=["文件为空"], sha256=EMPTY_SHA256))
        assert codes(app.context()) == {C.DOC_UNREADABLE}
    assert _batch(a, b) == {}


# --- stable ids and severities ------------------------------------------------------------------


def _many_faults() -> App:
    app = clean_app()
    app.doc(INVOICE_1).fields["total_in_words"] = "肆仟捌佰伍拾万元整"
    app.doc(CONTRACT).seals = []
    app.doc(CONTRACT).fields.update(unit_price=Decimal("50.00"), quantity=Decimal(1_920_000))
    app.doc(PAYMENT_1).fields["payer"] = {"name": PARENT.name, "uscc": PARENT.uscc}
    app.doc(SETTLEMENT_2).markings = [Marking(text="秘密", page=1)]
    app.doc(INVOICE_2).fields.update(invoice_figures(40 * M))
    app.add(DocSpec("说明.docx", DocType.OTHER, seals=[], errors=["不支持的文件类型"]))
    return app


def _shuffled(ctx: CheckContext, seed: int) -> CheckContext:
    docs = list(ctx.documents)
    random.Random(seed).shuffle(docs)
    return CheckContext(ctx.app_id, ctx.manifest, docs, ctx.rules, ctx.as_of)


def _ids(ctx: CheckContext) -> list[tuple[str, str, str]]:
    return [(f.finding_id, f.code.value, f.message) for f in run(ctx)]


def test_ids_are_stable_across_runs() -> None:
    ctx = _many_faults().context()
    first = _ids(ctx)
    assert len(first) >= 7 and first == _ids(ctx) == _ids(_many_faults().context())
    assert [i for i, _, _ in first] == [f"APP-2025-0001-F{n:03d}" for n in range(1, len(first) + 1)]


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_ids_do_not_depend_on_document_order(seed: int) -> None:
    ctx = _many_faults().context()
    assert _ids(_shuffled(ctx, seed)) == _ids(ctx)


def test_ids_of_a_duplicate_invoice_do_not_depend_on_document_order() -> None:
    app = _many_faults()
    app.add(app.copy_of(INVOICE_1, "发票-2024H2-扫描件.pdf"))
    ctx = app.context()
    reversed_ctx = CheckContext(ctx.app_id, ctx.manifest, ctx.documents[::-1], ctx.rules, ctx.as_of)
    assert _ids(reversed_ctx) == _ids(ctx)


def _plant_unreadable(app: App) -> None:
    app.add(DocSpec("x.pdf", DocType.OTHER, seals=[], errors=["文件为空"]))


def _set(file: str, name: str, value: object) -> Callable[[App], object]:
    def plant(app: App) -> None:
        app.doc(file).fields[name] = value
    return plant


def _scale(file: str, name: str, factor: Decimal) -> Callable[[App], object]:
    def plant(app: App) -> None:
        app.doc(file).fields[name] *= factor
    return plant


def _plant_qr(app: App) -> None:
    spec = app.doc(INVOICE_1)
    spec.qr = {"text": "01,31,,…", "number": spec.fields["invoice_no"], "date": spec.fields["issue_date"],
               "amount": spec.fields["total_amount"] + 1, "digital": True, "page": 1}


def _plant_format(app: App) -> None:
    ofd = app.add(app.copy_of(INVOICE_1, "发票.ofd"))
    ofd.source, ofd.format = "ofd", "ofd"
    printed = app.doc(INVOICE_1).fields
    printed["issue_date"] = printed["issue_date"] + timedelta(days=1)  # the print differs from the data


def _declare(name: str, value: object) -> Callable[[App], object]:
    def plant(app: App) -> None:
        app.manifest["contracts"][0][name] = value
    return plant


PLANTED: dict[FindingCode, Callable[[App], object]] = {
    C.DOC_UNREADABLE: _plant_unreadable,
    C.DOC_UNCLASSIFIED: lambda app: app.add(DocSpec("y.jpg", DocType.OTHER, seals=[])),
    C.MATERIAL_MISSING: lambda app: app.remove(CONTRACT),
    C.FIELD_MISSING: lambda app: app.doc(PAYMENT_1).missing.update(amount=Missing.unread("看不清")),
    C.APPLICANT_NOT_BEIJING: lambda app: app.set_party(SHANGHAI_APPLICANT, applicant=True),
    C.USCC_INVALID: _set(INVOICE_1, "seller",
                         {"name": SUPPLIER.name, "uscc": wrong_check_digit(SUPPLIER.uscc)}),
    C.PARTY_MISMATCH: _set(PAYMENT_1, "payer", {"name": PARENT.name, "uscc": PARENT.uscc}),
    C.RELATED_PARTY: _set(CONTRACT, "party_b", {"name": APPLICANT.name, "uscc": APPLICANT.uscc}),
    C.AMOUNT_WORDS_MISMATCH: _set(INVOICE_1, "total_in_words", "壹元整"),
    C.TAX_ARITHMETIC: _set(INVOICE_1, "tax_rate", Decimal("0.09")),
    C.PRICE_ARITHMETIC: _scale(CONTRACT, "quantity", Decimal("0.9")),
    C.PRICE_OUT_OF_MARKET: _set(CONTRACT, "unit_price", Decimal("2.00")),
    C.AMOUNT_MISMATCH: _declare("amount", 90 * M),
    C.DATE_OUT_OF_WINDOW: _set(PAYMENT_1, "payment_date", date(2024, 5, 1)),
    C.CONTRACT_PERIOD: _set(CONTRACT, "service_end", date(2025, 1, 31)),
    C.UNDELIVERED: _set(SETTLEMENT_2, "total_amount", 40 * M),
    C.NON_COMPUTE_ITEM: _set(INVOICE_1, "items", [{"name": "云硬盘", "amount": "1.00"}]),
    C.SEAL_MISSING: lambda app: setattr(app.doc(CONTRACT), "seals", []),
    C.CLASSIFIED_MARKING: lambda app: setattr(app.doc(CONTRACT), "markings", [Marking(text="绝密")]),
    C.DUPLICATE_DOCUMENT: lambda app: app.add(app.copy_of(INVOICE_1, "copy.pdf")),
    C.THRESHOLD_NOT_MET: lambda app: app.doc(CONTRACT).fields.update(total_amount=M),
    C.DIRECTION_REQUIREMENT: lambda app: app.manifest.update(direction=Direction.MAAS),
    C.COMMITMENT_INCOMPLETE: lambda app: app.doc(COMMITMENT).fields.update(signed=False),
    C.SUBSIDY_CAPPED: _declare("other_subsidies", 40 * M),
    C.FILE_IRREGULAR: lambda app: app.doc(CONTRACT).notes.append("第 1 页扫描方向上下颠倒，已转正后读取"),
    C.QR_MISMATCH: _plant_qr,
    C.FORMAT_MISMATCH: _plant_format,
}


def test_every_code_but_the_manifest_one_is_planted() -> None:
    assert set(PLANTED) == set(FindingCode) - {C.MANIFEST_INVALID}


@pytest.mark.parametrize("code", list(PLANTED), ids=lambda c: c.value)
def test_every_code_is_raised_with_its_severity(code: FindingCode) -> None:
    app = clean_app()
    PLANTED[code](app)
    found = run(app.context())
    assert code in {f.code for f in found}
    assert all(f.severity is load_rules().severity_of(f.code) for f in found)


def test_a_contract_number_with_o_for_0_is_the_same_number() -> None:
    from validators.names import norm_code

    assert norm_code("M0-CG-2024-0138") == norm_code("MO-CG-2024-0138")
