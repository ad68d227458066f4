"""The checks as named, declared functions: each declares its finding code and what it checks,
and yields drafts; one runner applies the checks it is given (``validators.checks.CHECKS``),
collects everything and numbers the findings.

A check reads the model only (``CheckContext``): no files, no OCR, no Prefect.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from model.base import FindingCode, Kind, Severity
from model.report import Finding
from validators.context import CheckContext
from validators.draft import Draft

log = logging.getLogger(__name__)


KIND_ORDER = (Kind.VETO, Kind.FIX, Kind.ADJUST, Kind.NOTE)
SEVERITY_ORDER = (Severity.ERROR, Severity.WARNING, Severity.INFO)

NOT_COMPLETED = "该项核查未能完成，请人工核对"
"""The finding of a check that raised: under its code, an error, so the application cannot pass."""

Looks = Callable[[CheckContext], Iterable[Draft]]
"""What a check does: look at one application and yield a draft per thing found."""


@dataclass(frozen=True)
class Check:
    """A named check: its finding code, what it checks in one Chinese line, and the function
    that looks. Called like the function it wraps."""

    code: FindingCode
    describes: str
    looks: Looks = field(compare=False)
    needs_manifest: bool = True

    @property
    def name(self) -> str:
        return self.looks.__name__

    def __call__(self, ctx: CheckContext) -> Iterable[Draft]:
        return self.looks(ctx)


def check(code: FindingCode, describes: str, *, needs_manifest: bool = True) -> Callable[[Looks], Check]:
    """Declare a function a check under ``code`` with a one-line Chinese description. Nothing
    is registered: ``validators.checks.CHECKS`` lists the checks that run."""

    def declare(looks: Looks) -> Check:
        return Check(code, describes, looks, needs_manifest)

    return declare


def run_checks(ctx: CheckContext, checks: Iterable[Check]) -> list[Finding]:
    """Every finding of ``checks`` for one application, numbered stably: the same evidence
    always gives the same ids, whatever order checks or documents come in."""
    drafts: list[tuple[Check, Draft]] = []
    for r in checks:
        if r.needs_manifest and ctx.manifest is None:
            continue
        try:
            drafts.extend((r, d) for d in r(ctx))
        except Exception:  # a faulty check hides none of the others' findings, and is one itself
            log.exception("check %s failed on %s", r.name, ctx.app_id)
            drafts.append((r, Draft(NOT_COMPLETED, incomplete=True)))
    unique: dict[tuple[object, ...], tuple[Check, Draft]] = {}
    for r, d in drafts:
        unique.setdefault(_key(r, d), (r, d))
    types = {doc.file: doc.doc_type.value for doc in ctx.documents}
    weighed = [(r, d, _kind(ctx, types, r, d), _severity(ctx, r, d)) for r, d in unique.values()]
    # the decisive finding first: by kind, then severity, then the amount at stake
    weighed.sort(key=lambda w: (KIND_ORDER.index(w[2]), SEVERITY_ORDER.index(w[3]),
                                -(w[1].at_stake or 0), _key(w[0], w[1])))
    return [
        Finding(finding_id=f"{ctx.app_id}-F{i:03d}", code=r.code, severity=severity, kind=kind,
                message=d.message, documents=list(d.documents), evidence=list(d.evidence),
                expected=d.expected, observed=d.observed,
                at_stake=abs(d.at_stake).quantize(Decimal("0.01")) if d.at_stake is not None else None,
                related_applications=sorted(d.related))
        for i, (r, d, kind, severity) in enumerate(weighed, 1)
    ]


def _severity(ctx: CheckContext, r: Check, d: Draft) -> Severity:
    """The severity of the check's code in the rules file; a check that could not be
    completed is an error, so the application cannot pass on it."""
    return Severity.ERROR if d.incomplete else ctx.rules.severity_of(r.code)


def _kind(ctx: CheckContext, types: dict[str, str], r: Check, d: Draft) -> Kind:
    """The finding's kind from the rules file: by the check's situation, then by the types of
    the documents it names; a check that could not be completed asks for a look (需补正)."""
    if d.incomplete:
        return Kind.FIX
    situations = ((d.situation,) if d.situation else ()) + tuple(types[f] for f in d.documents if f in types)
    return ctx.rules.kind_of(r.code, situations)


def _key(r: Check, d: Draft) -> tuple[object, ...]:
    return (list(FindingCode).index(r.code), d.documents, d.message, d.expected or "", d.observed or "")

