"""Every check, listed: the order they run in is the order of ``CHECKS``. A new check is a
function in one of these modules, declared with ``validators.runner.check``, and a line here."""

from __future__ import annotations

from validators.checks import (
    across,
    amounts,
    copies,
    dates,
    direction,
    documents,
    duplicates,
    materials,
    parties,
    qr,
    subsidy_caps,
)
from validators.runner import Check

CHECKS: tuple[Check, ...] = (
    # across the applications of one batch
    across.duplicate_across,
    across.duplicate_id,
    # amounts
    amounts.amount_mismatch,
    amounts.undelivered,
    amounts.non_compute,
    amounts.threshold,
    # a printed invoice against its QR code and its structured copy
    qr.qr_mismatch,
    copies.format_mismatch,
    # dates
    dates.out_of_window,
    dates.contract_period,
    # the direction's own requirements
    direction.direction,
    # each document on its own
    documents.manifest_invalid,
    documents.unopened,
    documents.same_name,
    documents.unreadable,
    documents.irregular,
    documents.unclassified,
    documents.uscc_invalid,
    documents.not_beijing,
    documents.words_vs_figures,
    documents.tax_arithmetic,
    documents.price_arithmetic,
    documents.line_arithmetic,
    documents.price_band,
    documents.seals,
    documents.markings,
    documents.commitment,
    duplicates.duplicates,
    # the materials a direction requires, and their fields
    materials.materials,
    materials.fields_missing,
    # the parties
    parties.party_mismatch,
    parties.related_party,
    parties.unknown_supplier,
    # the subsidy
    subsidy_caps.capped,
)
