"""The rule modules; importing this package registers every rule, in this order."""

from validators.rules import (  # noqa: F401
    amounts,
    dates,
    direction,
    documents,
    duplicates,
    materials,
    parties,
    subsidy_caps,
)
