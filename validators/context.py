"""What the checks see of one application: its manifest, its documents and the rules.

Built from the model alone (no files, no OCR). It answers the questions most rules ask:
which documents are of a type, which contract an invoice belongs to, what the window is.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from intake.manifest import Manifest
from model.base import DocType, FileKind, Source
from model.document import Document, Party
from model.report import Evidence
from policy.rules import Rules
from validators.corroborate import corroborate_across
from validators.draft import Draft
from validators.names import norm_code, norm_name
from validators.subsidy import Result

STRUCTURED = (FileKind.OFD, FileKind.XML)
"""Formats whose invoice data is exact; the OFD first, as it also has pages to point at."""


def pair_copies(documents: list[Document]) -> dict[str, str]:
    """The same invoice uploaded in two formats (a PDF or scan and its OFD or XML): each other
    copy's file → the structured file whose exact data stands for the invoice. Each copy is
    marked (``same_invoice_as``), and the structured copy takes the fields it lacks from the
    other (the contract number a PDF prints in its remarks, which the XML does not carry),
    without a page or box, which are the other file's."""
    by_invoice: dict[tuple[str, str], list[Document]] = {}
    for doc in documents:
        no = getattr(doc.fields, "invoice_no", None) if doc.doc_type is DocType.INVOICE else None
        if doc.errors or no is None or not no.value:
            continue
        code = getattr(doc.fields, "invoice_code", None)
        key = (norm_code(code.value) if code is not None and code.value else "", norm_code(no.value))
        by_invoice.setdefault(key, []).append(doc)
    out: dict[str, str] = {}
    for docs in by_invoice.values():
        exact = [d for d in docs if d.format in STRUCTURED]
        if not exact or len({d.sha256 for d in docs}) < len(docs):
            continue  # no structured copy, or the same file twice: a duplicate, not a copy
        primary = min(exact, key=lambda d: (STRUCTURED.index(d.format) if d.format else 0, d.file))
        for d in docs:
            if d is not primary and (d.format not in STRUCTURED or d.format != primary.format):
                out[d.file] = primary.file
                _fill_from(primary, d)
    for doc in documents:
        doc.same_invoice_as = out.get(doc.file)
    return out


def _fill_from(primary: Document, copy: Document) -> None:
    for name, f in copy.fields.present().items():
        if getattr(primary.fields, name, None) is None:
            setattr(primary.fields, name, f.model_copy(update={"page": None, "bbox": None}))
            primary.missing.pop(name, None)


@dataclass(frozen=True)
class Value:
    """A field's value with the document and place it came from."""

    doc: Document
    field: str
    value: Any
    page: int | None
    bbox: tuple[float, float, float, float] | None
    source: Source

    @property
    def evidence(self) -> Evidence:
        return Evidence(file=self.doc.file, page=self.page, bbox=self.bbox, field=self.field)


@dataclass
class Batch:
    """Every application of one batch, for the checks across them."""

    contexts: list[CheckContext]
    shared_evidence: dict[str, list[Draft]] | None = None
    """Per application id, the evidence it shares with another application of the batch:
    computed once for the whole batch by the check that looks for it."""


@dataclass
class CheckContext:
    """One application as the checks see it."""

    app_id: str
    manifest: Manifest | None
    documents: list[Document]
    rules: Rules
    as_of: date
    manifest_problem: str | None = None
    """Why the manifest is unusable (missing, unparsable, failing its schema), if it is."""
    load_error: str | None = None
    """Why the application could not be opened at all (a broken zip, a link out of the
    inbox, an id another application already uses), if it could not."""
    upload: str = ""
    """The folder or zip name the application was uploaded as."""
    renamed: dict[str, str] = field(default_factory=dict)
    """Upload name → zip entry, for entries that shared one name and were renamed apart."""
    batch: Batch | None = None
    """The batch this application is checked in, for the checks across applications."""
    subsidy: Result | None = None
    """The calculator's result, which several checks share: computed once (``ledger.result_of``)."""
    copies: dict[str, str] = field(init=False)
    """The same invoice uploaded in two formats: each other copy's file → the structured file
    that stands for it (``pair_copies``, when the context is made)."""

    def __post_init__(self) -> None:
        self.copies = pair_copies(self.documents)
        corroborate_across(self.documents, self.manifest)

    # --- documents ----------------------------------------------------------------------
    @property
    def readable(self) -> list[Document]:
        return [d for d in self.documents if not d.errors]

    def of_type(self, doc_type: DocType) -> list[Document]:
        """The readable documents of a type; an invoice uploaded again in another format counts
        once, as its structured copy (``copies``)."""
        return [d for d in self.readable if d.doc_type is doc_type and d.file not in self.copies]

    def value(self, doc: Document, name: str) -> Value | None:
        f = getattr(doc.fields, name, None)
        if f is None:
            return None
        return Value(doc, name, f.value, f.page, f.bbox, f.source)

    def values(self, doc_type: DocType, name: str) -> Iterator[Value]:
        for doc in self.of_type(doc_type):
            v = self.value(doc, name)
            if v is not None and v.value is not None:
                yield v

    # --- the window -----------------------------------------------------------------------
    @property
    def window(self) -> tuple[date, date]:
        end = self.as_of
        if self.manifest is not None:
            end = min(end, self.manifest.application_date)
        return self.rules.window.start, end

    # --- contracts and what belongs to them ---------------------------------------------
    @cached_property
    def contracts(self) -> dict[str, Document]:
        """Contract documents by their (normalised) number."""
        out: dict[str, Document] = {}
        for doc in self.of_type(DocType.CONTRACT):
            v = self.value(doc, "contract_no")
            out[norm_code(v.value) if v else f"?{doc.file}"] = doc
        return out

    def contract_of(self, doc: Document) -> str | None:
        """The contract an invoice, settlement, payment or letter belongs to: by the number it
        cites, else by its supplier, else the only contract there is."""
        cited = self.value(doc, "contract_no")
        if cited is not None and cited.value and norm_code(cited.value) in self.contracts:
            return norm_code(cited.value)
        supplier = None
        for role in ("seller", "supplier", "payee"):
            v = self.value(doc, role)
            if v is not None and isinstance(v.value, Party):
                supplier = norm_name(v.value.name)
                break
        if supplier is not None:
            owners = [no for no, c in self.contracts.items()
                      if (b := self.value(c, "party_b")) is not None and norm_name(b.value.name) == supplier]
            if len(owners) == 1:
                return owners[0]
        if len(self.contracts) == 1:
            return next(iter(self.contracts))
        return None

    def belonging_to(self, contract_no: str, doc_type: DocType) -> list[Document]:
        """The contract's documents of one type, each file once (an upload repeated under
        another name, or a statement with the same number, counts once)."""
        out: list[Document] = []
        seen: set[str] = set()
        for doc in self.of_type(doc_type):
            if self.contract_of(doc) != contract_no:
                continue
            number = self.value(doc, "statement_no") if doc_type is DocType.SETTLEMENT else None
            keys = {doc.sha256} | ({f"no:{norm_code(number.value)}"} if number is not None else set())
            if keys & seen:
                continue
            seen |= keys
            out.append(doc)
        return out
