"""One checked application as the outputs see it: its report and what the batch files need.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from model.report import Report


@dataclass
class Application:
    """One application's report and what the batch files need besides it."""

    report: Report
    files: dict[str, bytes] = field(default_factory=dict)
    applicant_name: str = ""
    applicant_uscc: str = ""
    direction: str = ""
    declared_amount: Decimal | None = None
