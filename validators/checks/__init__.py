"""The rule modules; importing this package registers every rule, in this order, the checks
across a batch's applications (``validators.checks.across``) with them."""

from validators.checks import (  # noqa: F401
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
