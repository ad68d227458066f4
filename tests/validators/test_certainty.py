"""What an accusation may rest on: a value's evidence (its label, its document's sums, the
declaration, the other documents, exact data), doubt where its document's own sums fail,
and a finding that asks instead of accusing where a value it rests on is not certain."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from extractors.corroborate import corroborate_sums, distinct_parties
from model.base import DocType, FindingCode, Source, Support
from model.document import (
    ContractFields,
    Field,
    InvoiceFields,
    LineItem,
    Missing,
    MoneyField,
    NumberField,
    Party,
    SettlementFields,
)
from model.report import Finding
from policy.rules import load_rules
from policy.words import words
from tests.validators.fixtures import (
    APPLICANT,
    CONTRACT,
    INVOICE_1,
    PAYMENT_1,
    PAYMENT_2,
    SUPPLIER,
    clean_app,
    of_code,
    run,
)
from validators.certainty import doubt

C = FindingCode
RULES = load_rules()
L, T = Support.LABEL, Support.TYPE


def _field(value: Any = "x", source: Source = Source.TEXT, confidence: float = 1.0,
           evidence: tuple[Support, ...] = (L, T), doubts: tuple[Support, ...] = (),
           kind: type = Field) -> Field[Any]:
    made: Field[Any] = kind(value=value, page=1, source=source, confidence=confidence,
                            evidence=list(evidence), doubts=list(doubts))
    return made


@pytest.mark.parametrize(("f", "about", "certain"), [
    (_field(), frozenset(), True),  # by its label, off the text layer
    (_field(source=Source.OCR, confidence=0.95), frozenset(), True),
    (_field(source=Source.OCR, confidence=0.5), frozenset(), False),  # a faint OCR read, alone
    (_field(source=Source.OCR, confidence=0.5, evidence=(L, T, Support.CROSS_DOCUMENT)), frozenset(), True),
    (_field(evidence=(T,)), frozenset(), False),  # found by its type only, nothing agrees
    (_field(evidence=(T, Support.DECLARATION)), frozenset(), True),
    (_field(doubts=(Support.ARITHMETIC,)), frozenset(), False),  # its document's sums fail
    (_field(doubts=(Support.ARITHMETIC,)), frozenset({Support.ARITHMETIC}), True),  # the finding is that sum
    (_field(evidence=(L, T, Support.DECLARATION), doubts=(Support.ARITHMETIC,)), frozenset(), True),
    (_field(evidence=(L, T, Support.DECLARATION), doubts=(Support.CROSS_DOCUMENT,)), frozenset(), False),
    (_field(source=Source.OFD, evidence=(T, Support.STRUCTURED), doubts=(Support.ARITHMETIC,)),
     frozenset(), True),  # exact data
])
def test_a_value_is_certain_only_with_its_evidence(f: Field[Any], about: frozenset[Support],
                                                   certain: bool) -> None:
    why = doubt(f, RULES, about)
    assert (why is None) is certain
    assert why is None or why.strip()


def _money(value: str) -> Field[Any]:
    return _field(Decimal(value), kind=MoneyField)


def test_sums_that_hold_corroborate_and_sums_that_fail_put_in_doubt() -> None:
    invoice = InvoiceFields(amount_ex_tax=_money("100.00"), tax_amount=_money("6.00"),
                            total_amount=_money("106.00"), total_in_words=_field("壹佰零柒元整"))
    corroborate_sums(DocType.INVOICE, invoice, RULES.tolerance)
    for f in (invoice.amount_ex_tax, invoice.tax_amount, invoice.total_amount):
        assert f is not None and Support.ARITHMETIC in f.evidence and not f.doubts
    assert invoice.total_in_words is not None and invoice.total_in_words.doubts == [Support.ARITHMETIC]
    contract = ContractFields(unit_price=_field(Decimal(8200), kind=NumberField),
                              quantity=_field(Decimal(12000), kind=NumberField),
                              total_amount=_money("96000000"))
    corroborate_sums(DocType.CONTRACT, contract, RULES.tolerance)
    assert all(f.doubts == [Support.ARITHMETIC] and Support.ARITHMETIC not in f.evidence
               for f in contract.present().values())


def test_lines_read_off_another_column_corroborate_nothing() -> None:
    """A ledger's tax column read as its amounts: the lines add up to the tax total read as the
    total, yet each line's price × quantity is far off its amount; lines and total are in doubt."""
    lines = [LineItem(name="算力服务", amount=Decimal("78109.70"), quantity=Decimal(98567), unit="卡时",
                      unit_price=Decimal(14)),
             LineItem(name="算力服务", amount=Decimal("74860.00"), quantity=Decimal(94466), unit="卡时",
                      unit_price=Decimal(14))]
    statement = SettlementFields(items=_field(lines), total_amount=_money("152969.70"))
    corroborate_sums(DocType.SETTLEMENT, statement, RULES.tolerance)
    for f in (statement.items, statement.total_amount):
        assert f is not None and f.doubts == [Support.ARITHMETIC] and Support.ARITHMETIC not in f.evidence
    assert statement.items is not None and statement.items.value == lines  # kept, for the reviewer to see


def test_two_parties_of_one_document_never_share_a_credit_code() -> None:
    code = APPLICANT.uscc
    statement = SettlementFields(customer=_field(Party(name=APPLICANT.name, uscc=code)),
                                 supplier=_field(Party(name=SUPPLIER.name, uscc=code)))
    distinct_parties(statement)
    assert statement.customer is not None and statement.supplier is not None
    assert (statement.customer.value.uscc, statement.supplier.value.uscc) == (None, None)
    assert (statement.customer.value.name, statement.supplier.value.name) == (APPLICANT.name, SUPPLIER.name)
    invoice = InvoiceFields(buyer=_field(Party(name=APPLICANT.name, uscc=code)),
                            seller=_field(Party(name=SUPPLIER.name, uscc=SUPPLIER.uscc)))
    distinct_parties(invoice)
    assert invoice.buyer is not None and invoice.buyer.value.uscc == code


def test_two_parties_read_as_one_company_are_neither_kept() -> None:
    # OCR joined the customer's cell to the supplier's name: one side is another's place
    statement = SettlementFields(customer=_field(Party(name=SUPPLIER.name, uscc=SUPPLIER.uscc)),
                                 supplier=_field(Party(name=SUPPLIER.name, uscc=None)))
    missing: dict[str, Missing] = {}
    distinct_parties(statement, missing)
    assert statement.customer is None and statement.supplier is None
    assert set(missing) == {"customer", "supplier"} and "同一家公司" in missing["customer"].text


def test_the_declaration_and_the_other_documents_corroborate() -> None:
    ctx = clean_app().context()
    docs = {d.file: d for d in ctx.documents}
    payer = docs[PAYMENT_1].fields.payer  # type: ignore[union-attr]
    assert payer is not None and payer.value.name == APPLICANT.name
    assert {Support.DECLARATION, Support.CROSS_DOCUMENT} <= set(payer.evidence)
    party_b = docs[CONTRACT].fields.party_b  # type: ignore[union-attr]
    assert party_b is not None and party_b.value.name == SUPPLIER.name
    assert Support.DECLARATION in party_b.evidence and Support.CROSS_DOCUMENT in party_b.evidence


def test_an_accusation_on_an_uncertain_value_asks_where_to_look() -> None:
    app = clean_app()
    app.doc(INVOICE_1).fields["buyer"] = {"name": "北京星河智算科技股份有限公司", "uscc": None}
    ctx = app.context()
    assert [f.code for f in of_code(ctx, C.PARTY_MISMATCH)] == [C.PARTY_MISMATCH]  # by its label: accuses
    buyer = next(d for d in ctx.documents if d.file == INVOICE_1).fields.buyer  # type: ignore[union-attr]
    assert buyer is not None
    buyer.evidence = [Support.TYPE]  # found by its type alone: the name may be another company's
    buyer.source, buyer.confidence = Source.OCR, 0.5
    assert of_code(ctx, C.PARTY_MISMATCH) == []
    (asked,) = [f for f in of_code(ctx, C.FIELD_MISSING) if "北京星河智算科技股份有限公司" in f.message]
    assert asked.message.startswith("待核实：") and f"《{INVOICE_1}》的购买方" in asked.message
    assert "第 1 页" in asked.message and asked.evidence and asked.evidence[0].field == "buyer"
    assert asked.severity.value == "warning"


def test_the_supplier_read_in_the_applicants_place_is_asked_about() -> None:
    app = clean_app()
    app.doc(PAYMENT_1).fields["payer"] = {"name": SUPPLIER.name, "uscc": None}  # the sides read swapped
    ctx = app.context()
    assert of_code(ctx, C.PARTY_MISMATCH) == []
    assert any("付款人" in f.message and "可能读错" in f.message for f in of_code(ctx, C.FIELD_MISSING))


def test_the_applicant_read_with_a_word_of_the_sentence_in_the_suppliers_place_is_asked_about() -> None:
    # 我公司为北京…提供算力: the name caught with 为 is the applicant's, a character off
    app = clean_app()
    app.doc(PAYMENT_1).fields["payee"] = {"name": "为" + APPLICANT.name, "uscc": None}
    ctx = app.context()
    assert of_code(ctx, C.PARTY_MISMATCH) == []
    assert any("收款人" in f.message and "可能读错" in f.message for f in of_code(ctx, C.FIELD_MISSING))


def test_two_documents_of_one_kind_read_alike_do_not_corroborate_each_other() -> None:
    # both receipts give the same misread payee: a repeat of one misreading, not a confirmation
    app = clean_app()
    for file in (PAYMENT_1, PAYMENT_2):
        app.doc(file).fields["payee"] = {"name": "北京某某广告有限公司", "uscc": None}
    doc = next(d for d in app.context().documents if d.file == PAYMENT_1)
    assert Support.CROSS_DOCUMENT not in doc.fields.payee.evidence  # type: ignore[union-attr]


def test_a_suppliers_name_with_the_applicants_code_is_asked_about_not_called_related() -> None:
    """Parties side by side: party B read with party A's code. The name is the supplier's (the
    invoices agree), the code the applicant's: one was read beside the wrong company."""
    app = clean_app()
    app.doc(CONTRACT).fields["party_b"] = {"name": SUPPLIER.name, "uscc": APPLICANT.uscc}
    ctx = app.context()
    assert not {C.RELATED_PARTY, C.PARTY_MISMATCH} & {f.code for f in run(ctx)}
    assert any("乙方" in f.message and "可能读错" in f.message for f in of_code(ctx, C.FIELD_MISSING))


def test_a_document_whose_type_is_only_a_resemblance_carries_no_accusation() -> None:
    """A statement read as a receipt by what it holds (amount, date, payer and payee, no title
    saying what it is): the receipts' sum it swells is no ground to accuse, and the statements'
    sum it is missing from is no ground either; where its type is certain, it accuses."""
    def paid_twice(typed_by: str) -> list[Finding]:
        app = clean_app()
        extra = app.add(app.copy_of(PAYMENT_1, "对账确认.pdf"))
        extra.typed_by = typed_by
        return run(app.context())

    assert {C.AMOUNT_MISMATCH, C.UNDELIVERED} <= {f.code for f in paid_twice("content")}  # far ahead
    found = paid_twice("resemblance")
    assert not {C.AMOUNT_MISMATCH, C.UNDELIVERED} & {f.code for f in found}
    asked = [f for f in found if f.code is C.FIELD_MISSING and "对账确认.pdf" in f.message]
    assert asked and all(f.message.startswith("待核实：") and "类型系按内容判断" in f.message for f in asked)


def test_a_statement_read_as_another_type_by_resemblance_leaves_the_statements_sum_unsure() -> None:
    app = clean_app()
    statement = next(d for d in app.docs if d.doc_type is DocType.SETTLEMENT)
    statement.doc_type, statement.typed_by, statement.fields = DocType.SUPPLIER_CERTIFICATE, "resemblance", {}
    assert not {C.UNDELIVERED, C.AMOUNT_MISMATCH} & {f.code for f in run(app.context())}
    statement.typed_by = "content"  # certain: the statements' sum is what it is
    assert C.UNDELIVERED in {f.code for f in run(app.context())}


def test_every_kind_of_support_has_the_reviewers_word() -> None:
    assert set(words()["support"]) == {s.value for s in Support}


@pytest.mark.parametrize(("source", "kept"), [(Source.OCR, False), (Source.TEXT, True)])
def test_a_scanned_statement_s_lines_that_its_sums_doubt_are_not_taken(source: Source, kept: bool) -> None:
    from extractors.assemble import Assembled, misread_lines
    lines = [LineItem(name="算力服务", amount=Decimal("4239307.00"), unit_price=Decimal("8.50")),
             LineItem(name="算力服务", amount=Decimal("8.50"), quantity=Decimal(431989), unit="卡时",
                      unit_price=Decimal("8.50"))]
    statement = SettlementFields(items=_field(lines, source=source), total_amount=_money("7911213.50"))
    corroborate_sums(DocType.SETTLEMENT, statement, RULES.tolerance)
    out = Assembled(doc_type=DocType.SETTLEMENT, fields=statement)
    misread_lines(out, RULES.tolerance)
    assert (statement.items is not None) is kept
    assert kept or "未采用" in out.missing["items"].text
    # lines that add up to the total keep their amounts, a misread quantity only in doubt
    one = [LineItem(name="算力服务", amount=Decimal("8342400.00"), quantity=Decimal("1.056"), unit="卡·月",
                    unit_price=Decimal("7900.00"))]
    statement = SettlementFields(items=_field(one, source=source), total_amount=_money("8342400.00"))
    corroborate_sums(DocType.SETTLEMENT, statement, RULES.tolerance)
    misread_lines(Assembled(doc_type=DocType.SETTLEMENT, fields=statement), RULES.tolerance)
    assert statement.items is not None and statement.items.doubts == [Support.ARITHMETIC]


def test_a_scanned_total_that_its_lines_and_its_words_both_contradict_was_misread() -> None:
    from extractors.assemble import Assembled, misread_total
    lines = [LineItem(name="算力服务", amount=Decimal("15616000.00"), quantity=Decimal(128), unit="卡·月",
                      unit_price=Decimal("122000.00"))]
    for source, total in ((Source.OCR, "15616000.00"), (Source.TEXT, "15016000.00")):
        read = _field(Decimal("15016000.00"), source=source, kind=MoneyField)
        statement = SettlementFields(items=_field(lines, source=source), total_amount=read,
                                     total_in_words=_field("壹仟伍佰陆拾壹万陆仟元整", source=source))
        misread_total(Assembled(doc_type=DocType.SETTLEMENT, fields=statement))
        assert statement.total_amount is not None and statement.total_amount.value == Decimal(total)
