"""The rule modules; importing this package registers every rule, in this order."""

from validators.rules import documents, parties, subsidy_caps  # noqa: F401
