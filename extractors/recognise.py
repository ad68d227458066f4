"""A document that no title or wording marks as one type, recognised by what it contains:
each type's reading is tried, and the type whose essential facts are found, clearly more of
them than any other's, is the document's type.

A settlement written as a 确认函, a receipt cut from a banking app, a letter whose title is only
情况说明: their titles say nothing, their content says what they are.
"""

from __future__ import annotations

from extractors.classify import Classification
from extractors.layout import DocText
from extractors.registry import extract_fields
from model.base import DocType, TypedBy
from model.document import Fields, Missing, Page
from policy.rules import Rules

ESSENTIAL: dict[DocType, tuple[tuple[str, ...], ...]] = {
    DocType.CONTRACT: (("party_a", "party_b"), ("contract_no",), ("total_amount",), ("service_start",)),
    DocType.INVOICE: (("invoice_no",), ("issue_date",), ("amount_ex_tax", "tax_amount"), ("total_amount",)),
    DocType.SETTLEMENT: (("items", "quantity"), ("total_amount",), ("period_start",),
                         ("supplier", "customer", "statement_no")),
    DocType.PAYMENT: (("amount",), ("payment_date",), ("payer", "payee"), ("reference",)),
    DocType.SUPPLIER_CERTIFICATE: (("supplier", "customer"), ("contract_no",), ("compute_scale",),
                                   ("lease_start",)),
    DocType.USAGE_STATEMENT: (("company",), ("purpose",), ("direction_hint",)),
    DocType.PLATFORM_LOG: (("company",), ("daily_tokens",), ("period_start",)),
    DocType.AGENT_FILING: (("company",), ("filing_no",), ("daily_active_users",)),
}
"""What a document of each type cannot lack, in groups: a group counts when any of its fields
is read (a statement names its supplier, its customer or at least its own number)."""

MIN_COVER = 0.75
"""Share of a type's essential groups that must be read for its content to decide."""

MIN_LEAD = 0.25
"""How much more of its essentials the winner must show than the runner-up."""

SURE_LEAD = 0.5
"""The lead over the runner-up, with every essential of its own, by which content alone tells
a type for certain (less than that, the type is a resemblance)."""


def cover(doc_type: DocType, fields: Fields) -> float:
    """Share of ``doc_type``'s essential groups that ``fields`` holds."""
    present = fields.present()
    groups = ESSENTIAL[doc_type]
    return sum(any(name in present for name in group) for group in groups) / len(groups)


Reading = tuple[Fields, dict[str, Missing]]
"""A type's fields and the reasons for those it could not read (``extract_fields``)."""


def recognise(said: Classification, pages: list[Page], rules: Rules,
              dt: DocText) -> tuple[DocType, TypedBy | None, Reading]:
    """The document's type, what told it, and its reading as that type: the type its title
    and wording say (``said``), unless its content holds clearly more of another type's
    essentials than of that one's; for a document they do not place (``other``), the type whose
    essentials it clearly holds, if any. Each type is read once."""
    readings: dict[DocType, Reading] = {}
    covers: dict[DocType, float] = {}

    def read(doc_type: DocType) -> Reading:
        if doc_type not in readings:
            readings[doc_type] = extract_fields(doc_type, pages, rules, dt)
        return readings[doc_type]

    def decided(doc_type: DocType) -> tuple[DocType, TypedBy | None, Reading]:
        by: TypedBy | None
        if doc_type is DocType.OTHER:
            by = None  # nothing told it
        elif doc_type in (said.doc_type, said.leaning):
            by = TypedBy.WORDING
        else:
            lead = covers[doc_type] - max(c for t, c in covers.items() if t is not doc_type)
            by = TypedBy.CONTENT if covers[doc_type] == 1.0 and lead >= SURE_LEAD else TypedBy.RESEMBLANCE
        return doc_type, by, read(doc_type)

    title = said.doc_type
    if title is not DocType.OTHER and (title not in ESSENTIAL or cover(title, read(title)[0]) >= MIN_COVER):
        return decided(title)  # the title's type holds its essentials: no other reading is tried
    covers.update({t: cover(t, read(t)[0]) for t in ESSENTIAL})
    ranked = sorted(covers, key=lambda t: covers[t], reverse=True)
    best = ranked[0]
    clear = covers[best] >= MIN_COVER and covers[best] - covers[ranked[1]] >= MIN_LEAD
    if title is DocType.OTHER:
        return decided(best if clear else title)
    # overruling the title asks for more: every essential of the other type, few of its own
    if covers.get(title, 1.0) < MIN_COVER and clear and covers[best] == 1.0:
        return decided(best)
    return decided(title)
