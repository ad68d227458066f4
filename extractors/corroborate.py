"""A document's own arithmetic as evidence for its values.

Where a document prints figures that must agree (amount + tax = total, the lines add up to
the total, price × quantity = total, the 大写 says the figures), each value of a sum that
holds is corroborated (``Support.ARITHMETIC``). Where the sum fails, the values it could
not corroborate are in doubt (``Field.doubts``): the reading of one of them may be wrong,
and no accusation rests on a value in doubt unless the accusation is that very sum.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from extractors.cnnum import words_to_amount
from extractors.common import same_org
from model.base import DocType, Support
from model.document import Field, Fields, LineItem, Missing, Party
from policy.rules import Tolerance

ZERO = Decimal(0)

Relation = tuple[tuple[str, ...], Callable[[dict[str, Any]], Decimal | None], str]
"""The fields a sum takes, the sum's left side computed from their values, and the field its
result must equal (one of the fields)."""


def _lines(values: dict[str, Any]) -> Decimal | None:
    items = values["items"]
    return sum((i.amount for i in items), ZERO) if items else None


def _lines_with_tax(values: dict[str, Any]) -> Decimal | None:
    items = values["items"]
    if not items or any(i.tax_amount is None for i in items):
        return None
    return sum((i.amount + i.tax_amount for i in items), ZERO)


def _quantities(values: dict[str, Any]) -> Decimal | None:
    items = values["items"]
    if not items or any(i.quantity is None for i in items):
        return None
    return sum((i.quantity for i in items), ZERO)


RELATIONS: dict[DocType, list[Relation]] = {
    DocType.INVOICE: [
        (("amount_ex_tax", "tax_amount", "total_amount"),
         lambda v: v["amount_ex_tax"] + v["tax_amount"], "total_amount"),
        (("items", "amount_ex_tax"), _lines, "amount_ex_tax"),
        (("items", "total_amount"), _lines_with_tax, "total_amount"),
        (("total_in_words", "total_amount"), lambda v: words_to_amount(v["total_in_words"]), "total_amount"),
    ],
    DocType.CONTRACT: [
        (("unit_price", "quantity", "total_amount"),
         lambda v: v["unit_price"] * v["quantity"], "total_amount"),
    ],
    DocType.SETTLEMENT: [
        (("items", "total_amount"), _lines, "total_amount"),
        (("items", "quantity"), _quantities, "quantity"),
        (("stated_amount", "total_amount"), lambda v: v["stated_amount"], "total_amount"),
        (("total_in_words", "total_amount"), lambda v: words_to_amount(v["total_in_words"]), "total_amount"),
    ],
}


def _lines_out_of_scale(items: list[LineItem], tolerance: Tolerance) -> bool:
    """Whether a line's unit price × quantity is far off its amount (beyond the rules' misread
    factor): the figures read as its amounts belong to another column (a tax, a price)."""
    return any(i.unit_price is not None and i.quantity is not None
               and not tolerance.plausible(i.unit_price * i.quantity, i.amount) for i in items)


def corroborate_sums(doc_type: DocType, fields: Fields, tolerance: Tolerance) -> None:
    """Mark the values of ``fields`` that the document's own sums corroborate, then put in
    doubt those of a failing sum that no sum corroborates. Lines whose price × quantity is far
    off their amounts are in doubt, and so is every sum they agree with (read off the same
    wrong column, they agree without corroborating anything)."""
    present: dict[str, Field[Any]] = fields.present()
    failed: list[tuple[str, ...]] = []
    items = present.get("items")
    if items is not None and items.value and _lines_out_of_scale(items.value, tolerance):
        for names, _, _ in RELATIONS.get(doc_type, []):
            if "items" in names:
                failed.append(tuple(n for n in names if n in present))
        present = {k: v for k, v in present.items() if k != "items"}
        items.doubted(Support.ARITHMETIC)
    for names, left, right in RELATIONS.get(doc_type, []):
        if not all(n in present and present[n].value is not None for n in names):
            continue
        values = {n: present[n].value for n in names}
        try:
            computed = left(values)
        except (TypeError, ArithmeticError):
            computed = None
        if computed is None:
            continue
        if abs(computed - values[right]) <= tolerance.arithmetic:
            for n in names:
                present[n].supported(Support.ARITHMETIC)
        else:
            failed.append(names)
    for names in failed:
        for n in names:
            if n in present and Support.ARITHMETIC not in present[n].evidence:
                present[n].doubted(Support.ARITHMETIC)


def distinct_parties(fields: Fields, missing: dict[str, Missing] | None = None) -> None:
    """Two parties of one document are two companies. Where two differently named parties
    carry the same code, the code was read beside the wrong name on one of them and no one
    can say which, so neither keeps it (the names stay). Where both are read as one company,
    one of them was read from the other's place and no one can say which: neither is kept,
    each missing with the reason (into ``missing``)."""
    named = [(n, f) for n, f in fields.present().items() if isinstance(f.value, Party) and f.value.name]
    twice = {n for n, f in named for m, g in named if m != n and same_org(f.value.name, g.value.name)}
    for name in twice:
        setattr(fields, name, None)
        if missing is not None:
            missing[name] = Missing.unread("两方读作同一家公司，无法判断哪一方读错，请核对原件")
    parties = [f for f in fields.present().values() if isinstance(f.value, Party) and f.value.uscc]
    names: dict[str, set[str]] = {}
    for f in parties:
        names.setdefault(f.value.uscc, set()).add(f.value.name)
    for f in parties:
        if len(names[f.value.uscc]) > 1:
            f.value = f.value.model_copy(update={"uscc": None, "uscc_bbox": None})
