"""The steps of checking one application, as plain functions: read an upload (typed and its
fields extracted), put the application together for the checks, run every rule, write its
report. ``checking.batch`` runs them over an inbox; the Prefect flow runs the same steps
as its tasks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from extractors.assemble import assemble
from intake.files import Upload
from intake.inbox import AppInput, app_id_of, display_name, load_input, upload_bytes, upload_files
from intake.manifest import Manifest, ManifestError, applicant_name_of, parse_manifest
from model.base import TZ, FileKind, Severity
from model.document import EMPTY_SHA256, Document
from model.report import Report, Status
from outputs.application import Application
from outputs.report import write_application
from policy.rules import Rules
from reading.reader import ReadDocument
from reading.session import Reader, ReadJob, reader_for
from validators.checks import CHECKS
from validators.context import Batch, CheckContext
from validators.ledger import result_of
from validators.reconcile import reconcile
from validators.runner import Check, run_checks
from validators.verdict import decide, link_lines, unverified

# --- the steps ---------------------------------------------------------------------------------


def load_application(path: Path, rules: Rules, inbox: Path) -> AppInput:
    """The manifest of one application folder or zip and the names of its uploads; their
    bytes are read by the steps that need them, so a large inbox is never all in memory."""
    return load_input(path, rules.limits, inbox)


@dataclass(frozen=True)
class Read:
    """A read upload as the report sees it, and what reading it cost."""

    document: Document
    from_cache: bool
    ocr_pages: int
    """Pages OCR'd by this read (0 when it came from the cache)."""


def read_document(source: Reader | ReadJob, path: Path, name: str, member: str) -> Read:
    """One upload read (or taken from the cache), typed and its fields extracted."""
    reader = reader_for(source)
    read = reader.read(name, upload_bytes(path, member, reader.rules.limits))
    return Read(document_of(read, reader.rules), read.from_cache, 0 if read.from_cache else read.ocr_pages)


def document_of(read: ReadDocument, rules: Rules) -> Document:
    """The report's view of one read upload: type, fields with provenance (assembled from the
    print, the structured copy and the QR code), seals, errors, notes."""
    upload = read.upload
    said = assemble(read, rules)
    turns: dict[int, int] = {p.number: p.turn for p in read.pages if p.turn}
    return Document(
        file=upload.name, sha256=upload.sha256, doc_type=said.doc_type, typed_by=said.typed_by,
        pages=len(read.pages),
        read_by=read.read_by, seals=read.seals, grey_pages=[p.number for p in read.pages if p.grey],
        red_mark_pages=[p.number for p in read.pages if p.red_marks],
        errors=read.errors, fields=said.fields,
        missing=said.missing, won=said.won, markings=said.markings, not_processed=read.not_processed,
        format=upload.kind, qr=said.qr, turns=turns,
        notes=[*read.notes, *_name_notes(upload), *_turn_notes(turns),
               *_skew_notes(read, rules.reading.note_skew_degrees)],
    )


SUFFIXES: dict[FileKind, tuple[str, ...]] = {
    FileKind.PDF: (".pdf",), FileKind.PNG: (".png",), FileKind.JPEG: (".jpg", ".jpeg", ".jpe", ".jfif"),
    FileKind.TIFF: (".tif", ".tiff"), FileKind.OFD: (".ofd",), FileKind.XML: (".xml",),
}


def _name_notes(upload: Upload) -> list[str]:
    """A name whose extension says another format than the bytes: read as what it is."""
    suffixes = SUFFIXES.get(upload.kind)
    suffix = Path(upload.name).suffix.lower()
    if suffixes is None or suffix in suffixes or upload.errors:
        return []
    named = f"扩展名为 {suffix}" if suffix else "没有扩展名"
    return [f"文件{named}，内容实为 {upload.kind.value.upper()}，已按 {upload.kind.value.upper()} 读取"]


TURN_WORDS = {90: "横置（逆时针转了 90°）", 180: "上下颠倒", 270: "横置（顺时针转了 90°）"}


def _skew_notes(read: ReadDocument, degrees: float) -> list[str]:
    """Pages photographed or scanned at a slant worth a word: OCR may have misread more."""
    return [f"第 {p.number} 页倾斜约 {abs(p.skew):.1f}°（拍照或扫描时放斜），已校正后读取；识别结果请留意核对"
            for p in read.pages if abs(p.skew) >= degrees]


def _turn_notes(turns: dict[int, int]) -> list[str]:
    return [f"第 {page} 页扫描方向{TURN_WORDS[turn]}，已转正后读取" for page, turn in sorted(turns.items())]


def unread_document(name: str, reason: str) -> Document:
    """An upload that was not read (refused when taken in, or its read failed): listed with
    the reason, so the reviewer sees it and the rule for unreadable files names it."""
    return Document(file=name, sha256=EMPTY_SHA256, errors=[reason])


def context_of(path: Path, app: AppInput | None, documents: list[Document], rules: Rules, as_of: date,
               load_error: str | None = None) -> CheckContext:
    """An application as the checks see it, from its uploads and its documents as read; an
    application that could not be opened (``load_error``) has no manifest and no documents."""
    upload = display_name(path.name)
    if app is None:
        return CheckContext(app_id=app_id_of(path), manifest=None, documents=[], rules=rules, as_of=as_of,
                            load_error=load_error or "申报材料无法打开", upload=upload)
    documents = documents + [unread_document(n, r) for n, r in app.refused.items()]
    for doc in documents:
        if doc.file in app.notes and app.notes[doc.file] not in doc.notes:
            doc.notes.append(app.notes[doc.file])
    manifest: Manifest | None = None
    problem = app.manifest_problem
    if problem is None and app.manifest_text is not None:
        try:
            manifest = parse_manifest(app.manifest_text, app.app_id)
        except ManifestError as exc:
            problem = str(exc)
    app_id = manifest.application_id if manifest and manifest.application_id else app.app_id
    return CheckContext(app_id=app_id, manifest=manifest, documents=documents, rules=rules, as_of=as_of,
                        manifest_problem=problem, upload=upload, renamed=dict(app.renamed))


def in_one_batch(contexts: list[CheckContext]) -> Batch:
    """The applications of one batch, each under an id of its own: an upload claiming an id
    another one took first is checked under its upload's name (the rule for duplicate ids
    says so), so no report overwrites another."""
    taken: set[str] = set()
    for ctx in contexts:
        if ctx.app_id in taken:
            base = ctx.upload[:-4] if ctx.upload.lower().endswith(".zip") else ctx.upload
            ctx.app_id = base if base not in taken else ctx.upload
            n = 2
            while ctx.app_id in taken:
                ctx.app_id, n = f"{base}-{n}", n + 1
        taken.add(ctx.app_id)
    batch = Batch(contexts)
    for ctx in contexts:
        ctx.batch = batch
    return batch


def report_of(ctx: CheckContext, checks: tuple[Check, ...] = CHECKS) -> Report:
    """Every check's findings for one application (the checks across its batch included),
    the subsidy where the manifest allows it, and the status: ``error`` when the application
    could not be opened, its manifest is unusable or a file could not be processed at all."""
    findings = run_checks(ctx, checks)
    subsidy = result_of(ctx).subsidy.model_copy(deep=True) if ctx.manifest is not None else None
    fields = unverified(ctx)
    decision = decide(ctx, findings, fields, subsidy)
    link_lines(subsidy, findings)
    if subsidy is not None:
        subsidy.state = decision.state  # type: ignore[assignment]
        subsidy.payable = decision.payable
    if ctx.load_error is not None or ctx.manifest is None or any(d.not_processed for d in ctx.documents):
        status = Status.ERROR
    elif any(f.severity in (Severity.ERROR, Severity.WARNING) for f in findings):
        status = Status.FLAGGED
    else:
        status = Status.PASS
    return Report(application_id=ctx.app_id, status=status, checked_at=datetime.now(TZ), as_of=ctx.as_of,
                  documents=ctx.documents, findings=findings, subsidy=subsidy, verdict=decision.verdict,
                  verdict_reasons=decision.reasons, unverified=fields,
                  reconciliation=reconcile(ctx) if ctx.manifest is not None else [])


def application_of(ctx: CheckContext, report: Report, app: AppInput | None = None) -> Application:
    """What the batch files need of one checked application."""
    manifest = ctx.manifest
    if manifest is None:
        name = applicant_name_of(app.manifest_text or "") if app is not None else None
        return Application(report, applicant_name=name or "")
    return Application(report, applicant_name=manifest.applicant.name,
                       applicant_uscc=manifest.applicant.uscc or "", direction=manifest.direction.value,
                       declared_amount=sum((c.amount for c in manifest.contracts), Decimal(0)))


def write_report(ctx: CheckContext, path: Path, app: AppInput | None, out: Path) -> Application:
    """One application's report (every rule run), written with its crops: report.json,
    report.html, evidence/. Returns what the batch files need (without the uploads)."""
    done = application_of(ctx, report_of(ctx), app)
    if app is not None:
        done.files = upload_files(path, app, ctx.rules.limits)  # for the evidence crops
    write_application(done, out, ctx.rules.reading.low_confidence)
    done.files = {}
    return done
