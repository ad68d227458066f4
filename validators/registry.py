"""The checks as named rules: each declares its finding code and what it checks, and yields
drafts; one runner applies every rule, collects everything and numbers the findings.

A rule reads the model only (``CheckContext``): no files, no OCR, no Prefect.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from pipeline.model import SEVERITY, Evidence, Finding, FindingCode, Severity
from validators.context import CheckContext

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Draft:
    """A finding before it is numbered: the message and what it points at."""

    message: str
    documents: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    expected: str | None = None
    observed: str | None = None


NOT_COMPLETED = "该项核查未能完成，请人工核对"
"""The finding of a rule that raised: under its code, an error, so the application cannot pass."""

Check = Callable[[CheckContext], Iterable[Draft]]


@dataclass(frozen=True)
class Rule:
    code: FindingCode
    describes: str
    check: Check = field(compare=False)
    needs_manifest: bool = True

    @property
    def severity(self) -> Severity:
        return SEVERITY[self.code]

    @property
    def name(self) -> str:
        return self.check.__name__


RULES: list[Rule] = []
"""Every rule, in the order they run; filled by the rule modules as they are imported."""


def rule(code: FindingCode, describes: str, *, needs_manifest: bool = True) -> Callable[[Check], Check]:
    """Register a check under ``code`` with a one-line Chinese description."""

    def register(check: Check) -> Check:
        RULES.append(Rule(code, describes, check, needs_manifest))
        return check

    return register


def run_rules(ctx: CheckContext, rules: Iterable[Rule] | None = None) -> list[Finding]:
    """Every finding of every rule for one application, numbered stably: the same evidence
    always gives the same ids, whatever order rules or documents come in."""
    drafts: list[tuple[Rule, Draft]] = []
    for r in rules if rules is not None else all_rules():
        if r.needs_manifest and ctx.manifest is None:
            continue
        try:
            drafts.extend((r, d) for d in r.check(ctx))
        except Exception:  # a faulty rule hides none of the others' findings, and is one itself
            log.exception("rule %s failed on %s", r.name, ctx.app_id)
            drafts.append((r, Draft(NOT_COMPLETED)))
    unique: dict[tuple[object, ...], tuple[Rule, Draft]] = {}
    for r, d in drafts:
        unique.setdefault(_key(r, d), (r, d))
    ordered = sorted(unique.values(), key=lambda rd: _key(*rd))
    return [
        Finding(finding_id=f"{ctx.app_id}-F{i:03d}", code=r.code,
                severity=Severity.ERROR if d.message == NOT_COMPLETED else r.severity, message=d.message,
                documents=list(d.documents), evidence=list(d.evidence), expected=d.expected,
                observed=d.observed)
        for i, (r, d) in enumerate(ordered, 1)
    ]


def _key(r: Rule, d: Draft) -> tuple[object, ...]:
    return (list(FindingCode).index(r.code), d.documents, d.message, d.expected or "", d.observed or "")


def all_rules() -> list[Rule]:
    """The registered rules, importing the rule modules on first use."""
    import validators.rules  # noqa: F401  (registers the rules)

    return RULES
