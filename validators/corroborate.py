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
from validators.names import norm_code, norm_name

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
    """Mark every document value the declaration or another document gives too."""
    readable = [d for d in documents if not d.errors and d.fields is not None]
    names: dict[str, set[str]] = defaultdict(set)  # a party's name or code → files naming it
    numbers: dict[str, set[str]] = defaultdict(set)
    amounts: dict[Decimal, set[str]] = defaultdict(set)
    for doc in readable:
        for name, f in _fields(doc):
            if isinstance(f.value, Party):
                names[norm_name(f.value.name)].add(doc.file)
                if f.value.uscc:
                    names[norm_code(f.value.uscc)].add(doc.file)
            elif name == "contract_no" and f.value:
                numbers[norm_code(f.value)].add(doc.file)
            elif name in CITED_AMOUNTS.get(doc.doc_type, ()):
                amounts[f.value].add(doc.file)
    declared_names, declared_numbers, declared_amounts = _declared(manifest)
    for doc in readable:
        for name, f in _fields(doc):
            if isinstance(f.value, Party):
                keys = {norm_name(f.value.name)} | ({norm_code(f.value.uscc)} if f.value.uscc else set())
                if keys & declared_names:
                    f.supported(Support.DECLARATION)
                if any(names[k] - {doc.file} for k in keys):
                    f.supported(Support.CROSS_DOCUMENT)
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


def _declared(manifest: Manifest | None) -> tuple[set[str], set[str], set[Decimal]]:
    """The declared parties (names and the applicant's code), contract numbers and amounts."""
    if manifest is None:
        return set(), set(), set()
    parties = {norm_name(manifest.applicant.name), norm_code(manifest.applicant.uscc)}
    parties |= {norm_name(c.supplier) for c in manifest.contracts}
    return (parties, {norm_code(c.contract_no) for c in manifest.contracts},
            {c.amount for c in manifest.contracts})
