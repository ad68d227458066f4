"""The one mapping from document type to its extractor, and the function that runs it."""

from __future__ import annotations

from collections.abc import Callable

from extractors import (
    agent_filing,
    commitment,
    contract,
    invoice,
    payment,
    platform_log,
    settlement,
    supplier_certificate,
    usage_statement,
)
from extractors.common import Extraction
from extractors.layout import DocText
from model.base import DocType
from model.document import CONTRACT_FIELDS, FIELDS_BY_TYPE, Fields, Missing, Page
from policy.rules import Rules

Extractor = Callable[[DocText, Extraction], None]

EXTRACTORS: dict[DocType, Extractor] = {
    DocType.CONTRACT: contract.extract,
    DocType.INVOICE: invoice.extract,
    DocType.SETTLEMENT: settlement.extract,
    DocType.PAYMENT: payment.extract,
    DocType.SUPPLIER_CERTIFICATE: supplier_certificate.extract,
    DocType.USAGE_STATEMENT: usage_statement.extract,
    DocType.COMMITMENT: commitment.extract,
    DocType.PLATFORM_LOG: platform_log.extract,
    DocType.AGENT_FILING: agent_filing.extract,
}


def extract_fields(doc_type: DocType, pages: list[Page], rules: Rules,
                   dt: DocText | None = None) -> tuple[Fields, dict[str, Missing]]:
    """The fields of a document of ``doc_type`` read under ``rules`` and, for each contract
    field it could not read, the reason."""
    model = FIELDS_BY_TYPE[doc_type]
    extractor = EXTRACTORS.get(doc_type)
    if extractor is None:
        return model(), {}
    dt = dt or DocText.from_pages(pages)
    ex = Extraction(dt=dt, rules=rules, pages=pages)
    extractor(dt, ex)
    fields = model.model_validate({k: v.model_dump() for k, v in ex.fields.items()})
    missing = {k: v for k, v in ex.missing.items() if k in CONTRACT_FIELDS[doc_type] and v.text}
    for name in CONTRACT_FIELDS[doc_type]:
        if getattr(fields, name) is None and name not in missing:
            missing[name] = Missing.failed("未能读取")
    return fields, missing
