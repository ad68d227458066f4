"""The rule modules; importing this package registers every rule, in this order, the checks
across a batch's applications (``validators.batch``) with them."""

from validators import batch  # noqa: F401
from validators.rules import (  # noqa: F401
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
