"""The checks as named, declared functions: each declares its finding code and what it checks,
and yields drafts; one runner applies the checks it is given (``validators.checks.CHECKS``),
collects everything and numbers the findings.

A check reads the model only (``CheckContext``): no files, no OCR, no Prefect.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal

from model.base import FindingCode, Kind, Severity, Support
from model.document import Document
from model.report import Finding
from policy.words import say
from validators.certainty import ASKING, doubt, field_of, type_doubt
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
    about: frozenset[Support] = frozenset()
    """The corroboration the check's finding is itself about (an arithmetic check: the sum
    that fails), which therefore does not put its values in doubt."""
    typed: bool = True
    """Whether its finding holds only if each document it names is the type it was read as
    (a file's format, its markings or its copies are what they are whatever its type)."""

    @property
    def name(self) -> str:
        return self.looks.__name__

    def __call__(self, ctx: CheckContext) -> Iterable[Draft]:
        return self.looks(ctx)


def check(code: FindingCode, describes: str, *, needs_manifest: bool = True,
          about: frozenset[Support] = frozenset(), typed: bool = True) -> Callable[[Looks], Check]:
    """Declare a function a check under ``code`` with a one-line Chinese description. Nothing
    is registered: ``validators.checks.CHECKS`` lists the checks that run."""

    def declare(looks: Looks) -> Check:
        return Check(code, describes, looks, needs_manifest, about, typed)

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
    unique: dict[tuple[object, ...], tuple[FindingCode, Draft]] = {}
    by_file = {doc.file: doc for doc in ctx.documents}  # once per application, not per draft
    for r, d in drafts:
        code, d = _certain_or_asked(ctx, by_file, r, d)
        unique.setdefault(_key(code, d), (code, d))
    types = {doc.file: doc.doc_type.value for doc in ctx.documents}
    weighed = [(code, d, _kind(ctx, types, code, d), _severity(ctx, code, d)) for code, d in unique.values()]
    # the decisive finding first: by kind, then severity, then the amount at stake
    weighed.sort(key=lambda w: (KIND_ORDER.index(w[2]), SEVERITY_ORDER.index(w[3]),
                                -(w[1].at_stake or 0), _key(w[0], w[1])))
    return [
        Finding(finding_id=f"{ctx.app_id}-F{i:03d}", code=code, severity=severity, kind=kind,
                message=d.message, documents=list(d.documents), evidence=list(d.evidence),
                expected=d.expected, observed=d.observed,
                at_stake=abs(d.at_stake).quantize(Decimal("0.01")) if d.at_stake is not None else None,
                related_applications=sorted(d.related))
        for i, (code, d, kind, severity) in enumerate(weighed, 1)
    ]


def _certain_or_asked(ctx: CheckContext, by_file: dict[str, Document], r: Check,
                      d: Draft) -> tuple[FindingCode, Draft]:
    """The draft under its check's code when every value it rests on is certain; else a
    request to look (FIELD_MISSING) naming the value, why it is not certain and where it is."""
    if r.code in ASKING or d.incomplete:
        return r.code, d
    unsure: list[str] = [d.unsure] if d.unsure else []
    for file in dict.fromkeys([*d.documents, *(e.file for e in d.evidence)] if r.typed else []):
        typed = type_doubt(by_file[file]) if file in by_file else None
        if typed is not None:
            unsure.append(f"《{file}》{typed}（请核对原件）")
    for e in d.evidence:
        f = field_of(by_file.get(e.file), e.field) if e.field else None
        why = doubt(f, ctx.rules, r.about) if f is not None else None
        if why is not None and e.field is not None:
            page = f"第 {e.page} 页" if e.page else "原件"
            unsure.append(f"《{e.file}》的{say('fields', e.field)}{why}（请核对{page}）")
    if not unsure:
        return r.code, d
    words = "；".join(dict.fromkeys(unsure))
    return FindingCode.FIELD_MISSING, replace(d, message=f"待核实：{d.message}。{words}，核实前不作认定",
                                              situation=None, at_stake=None)


def _severity(ctx: CheckContext, code: FindingCode, d: Draft) -> Severity:
    """The severity of the check's code in the rules file; a check that could not be
    completed is an error, so the application cannot pass on it."""
    return Severity.ERROR if d.incomplete else ctx.rules.severity_of(code)


def _kind(ctx: CheckContext, types: dict[str, str], code: FindingCode, d: Draft) -> Kind:
    """The finding's kind from the rules file: by the check's situation, then by the types of
    the documents it names; a check that could not be completed asks for a look (需补正)."""
    if d.incomplete:
        return Kind.FIX
    situations = ((d.situation,) if d.situation else ()) + tuple(types[f] for f in d.documents if f in types)
    return ctx.rules.kind_of(code, situations)


def _key(code: FindingCode, d: Draft) -> tuple[object, ...]:
    return (list(FindingCode).index(code), d.documents, d.message, d.expected or "", d.observed or "")

