"""What the application says elsewhere, as evidence for a document's values.

The declaration (application.yaml) and the other documents corroborate a value that agrees
with them exactly: a party named as the applicant or a declared supplier, or holding the
applicant's credit code (``Support.DECLARATION``); a contract number or contract amount as
declared; a party, contract number or amount that another document gives too
(``Support.CROSS_DOCUMENT``). Agreement is exact (names and codes as compared): a value an
OCR engine misread by one character is not corroborated by what it should have been.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from intake.manifest import Manifest
from model.base import DocType, Support
from model.document import Document, Field, Party
from validators.names import edit_distance, norm_code, norm_name
from validators.roles import APPLICANT_ROLES, SUPPLIER_ROLES

CITED_AMOUNTS: dict[DocType, tuple[str, ...]] = {
    DocType.CONTRACT: ("total_amount",),
    DocType.INVOICE: ("total_amount", "amount_ex_tax"),
    DocType.SETTLEMENT: ("total_amount",),
    DocType.PAYMENT: ("amount",),
}
"""The amounts one document may repeat from another (an invoice billing a statement's total,
a payment paying an invoice's)."""


def _fields(doc: Document) -> Iterator[tuple[str, Field[Any]]]:
    yield from doc.fields.present().items() if doc.fields is not None else ()


def corroborate_across(documents: list[Document], manifest: Manifest | None) -> None:
    """Mark every document value the declaration or another document gives too, and put in
    doubt a party's name where its credit code is a known party's but its name is not."""
    readable = [d for d in documents if not d.errors and d.fields is not None]
    names: dict[str, dict[str, DocType]] = defaultdict(dict)  # a party's name → files naming it
    coded: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))  # code → name → files
    numbers: dict[str, set[str]] = defaultdict(set)
    amounts: dict[Decimal, set[str]] = defaultdict(set)
    for doc in readable:
        for name, f in _fields(doc):
            if isinstance(f.value, Party):
                names[norm_name(f.value.name)][doc.file] = doc.doc_type
                if f.value.uscc:
                    coded[norm_code(f.value.uscc)][norm_name(f.value.name)].add(doc.file)
            elif name == "contract_no" and f.value:
                numbers[norm_code(f.value)].add(doc.file)
            elif name in CITED_AMOUNTS.get(doc.doc_type, ()):
                amounts[f.value].add(doc.file)
    declared_names, declared_codes, declared_numbers, declared_amounts = _declared(manifest)
    for doc in readable:
        for name, f in _fields(doc):
            if isinstance(f.value, Party):
                _party(f, doc, names, coded, declared_names, declared_codes)
                if manifest is not None and _swapped(doc.doc_type, name, norm_name(f.value.name), manifest):
                    f.doubted(Support.DECLARATION)
            elif name == "contract_no" and f.value:
                key = norm_code(f.value)
                if key in declared_numbers:
                    f.supported(Support.DECLARATION)
                if numbers[key] - {doc.file}:
                    f.supported(Support.CROSS_DOCUMENT)
            elif name in CITED_AMOUNTS.get(doc.doc_type, ()):
                if doc.doc_type is DocType.CONTRACT and f.value in declared_amounts:
                    f.supported(Support.DECLARATION)
                if amounts[f.value] - {doc.file}:
                    f.supported(Support.CROSS_DOCUMENT)


def _party(f: Field[Any], doc: Document, names: dict[str, dict[str, DocType]],
           coded: dict[str, dict[str, set[str]]], declared_names: set[str],
           declared_codes: dict[str, str]) -> None:
    """A party is corroborated by its name (a credit code alone does not vouch for the name
    read beside it), and by another document only of another type: two copies of one kind of
    letter read the same way repeat one misreading, they do not confirm it. A credit code the
    declaration or another document gives only with another name puts the party in doubt: one
    of the two, name or code, was read beside the wrong company (a side-by-side layout gives
    one party the other's code)."""
    name, file = norm_name(f.value.name), doc.file
    if name in declared_names:
        f.supported(Support.DECLARATION)
    if any(other != file and kind is not doc.doc_type for other, kind in names[name].items()):
        f.supported(Support.CROSS_DOCUMENT)
    if not f.value.uscc:
        return
    code = norm_code(f.value.uscc)
    if code in declared_codes:  # the declaration says whose code it is
        if declared_codes[code] != name:
            f.doubted(Support.DECLARATION)
        return
    others = {n for n, files in coded[code].items() if files - {file}}
    if others and name not in others:
        f.doubted(Support.CROSS_DOCUMENT)


def _swapped(doc_type: DocType, field: str, name: str, manifest: Manifest) -> bool:
    """Whether the name read in the applicant's place is a declared supplier's, or the name
    read in a supplier's place the applicant's: the two sides read the wrong way round."""
    applicant = norm_name(manifest.applicant.name)
    suppliers = {norm_name(c.supplier) for c in manifest.contracts} - {applicant}
    # a character off (OCR, or a word of the sentence caught with the name: 为北京…) is the same
    if APPLICANT_ROLES.get(doc_type, ("",))[0] == field:
        return any(edit_distance(name, s) <= 1 for s in suppliers) and name != applicant
    if SUPPLIER_ROLES.get(doc_type, ("",))[0] == field:
        return edit_distance(name, applicant) <= 1 and name not in suppliers
    return False


def _declared(manifest: Manifest | None) -> tuple[set[str], dict[str, str], set[str], set[Decimal]]:
    """The declared parties' names, the declared credit codes (code → the name declared with
    it), contract numbers and amounts."""
    if manifest is None:
        return set(), {}, set(), set()
    parties = {norm_name(manifest.applicant.name)} | {norm_name(c.supplier) for c in manifest.contracts}
    codes = {norm_code(manifest.applicant.uscc): norm_name(manifest.applicant.name)}
    return (parties, codes, {norm_code(c.contract_no) for c in manifest.contracts},
            {c.amount for c in manifest.contracts})
