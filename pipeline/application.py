"""One application end to end: its folder or zip → manifest and uploads → read, typed and
extracted documents → the report. Plain Python; the Prefect flows call into this."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path, PurePosixPath

from extractors.classify import classify
from extractors.common import rules_in_force
from extractors.layout import DocText
from extractors.markings import find_markings
from extractors.registry import extract_fields
from pipeline.cache import CachedRead, ReadCache
from pipeline.ingest import take_in
from pipeline.manifest import MANIFEST_NAME, ManifestError, applicant_name_of, parse_manifest
from pipeline.model import (
    SEVERITY,
    TZ,
    DocType,
    Document,
    Finding,
    FindingCode,
    Manifest,
    Report,
    Severity,
    Status,
)
from pipeline.ocr import OcrEngine, make_engine
from pipeline.outputs import Application
from pipeline.reader import READER_VERSION, ReadDocument, ReadSettings, read_upload
from pipeline.rules import Rules
from pipeline.workers import ReadPool
from validators.batch import DUPLICATE_ACROSS, check_batch
from validators.context import CheckContext
from validators.ledger import result_of
from validators.registry import Draft, run_rules


@dataclass
class AppInput:
    """What an applicant uploaded: the manifest text and the evidence files (their bytes, or
    only their names when loaded with ``contents=False``)."""

    app_id: str
    manifest_text: str | None
    files: dict[str, bytes]
    problems: list[str] = field(default_factory=list)
    members: dict[str, str] = field(default_factory=dict)
    """Upload name → file name in the folder or member name in the zip (for ``upload_bytes``)."""

    @property
    def names(self) -> list[str]:
        return list(self.members)


def _members(path: Path) -> dict[str, str]:
    """Upload name → file name in the folder, or member name in the zip. A name that occurs
    twice in a zip's sub-folders keeps its folder, so no upload hides another."""
    if path.is_dir():
        return {p.name: p.name for p in sorted(path.iterdir()) if p.is_file() and not p.name.startswith(".")}
    with zipfile.ZipFile(path) as zf:
        infos = [i for i in zf.infolist() if not i.is_dir() and "__MACOSX" not in i.filename
                 and PurePosixPath(i.filename).name and not PurePosixPath(i.filename).name.startswith(".")]
    names = [PurePosixPath(i.filename).name for i in infos]
    return {(n if names.count(n) == 1 else i.filename): i.filename for n, i in zip(names, infos, strict=True)}


def upload_bytes(path: Path, member: str) -> bytes:
    """One upload of an application folder or zip, by its member name."""
    if path.is_dir():
        return (path / member).read_bytes()
    with zipfile.ZipFile(path) as zf:
        return zf.read(member)


def app_id_of(path: Path) -> str:
    """An application's id as its upload names it: the folder's name, or the zip's stem."""
    return path.name if path.is_dir() else path.stem


def load_input(path: Path, contents: bool = True) -> AppInput:
    """The uploads of an application folder or ``.zip`` (read only, never modified)."""
    app_id = app_id_of(path)
    members = _members(path)
    manifest_member = members.pop(MANIFEST_NAME, None)
    manifest = upload_bytes(path, manifest_member) if manifest_member else None
    files: dict[str, bytes] = {}
    if contents and members:
        if path.is_dir():
            files = {name: upload_bytes(path, m) for name, m in members.items()}
        else:
            with zipfile.ZipFile(path) as zf:
                files = {name: zf.read(m) for name, m in members.items()}
    return AppInput(app_id, manifest.decode("utf-8", "replace") if manifest is not None else None, files,
                    members=members)


def upload_of(path: Path, name: str) -> bytes:
    """The bytes of the upload called ``name`` (as ``load_input`` names it)."""
    return upload_bytes(path, _members(path)[name])


def applications_in(inbox: Path) -> list[Path]:
    """Application folders and .zip uploads of an inbox, in name order."""
    return sorted(p for p in inbox.iterdir()
                  if (p.is_dir() and not p.name.startswith(".")) or p.suffix.lower() == ".zip")


class Reader:
    """Reads uploads with the rules' settings and an optional on-disk cache: in worker
    processes with a time limit when given a ``ReadPool``, else in this process with one OCR
    engine loaded on first need."""

    def __init__(self, rules: Rules, cache: ReadCache | None = None,
                 engine_name: str | None = None, settings: ReadSettings | None = None,
                 pool: ReadPool | None = None) -> None:
        self.rules = rules
        self.cache = cache
        self.engine_name = engine_name or rules.reading.ocr_engine
        self.settings = settings or ReadSettings.from_rules(rules.reading, rules.limits)
        if pool is not None and pool.engine_name != self.engine_name:
            raise ValueError(f"the pool reads with {pool.engine_name!r}, the reader with "
                             f"{self.engine_name!r}: the cache would file one engine's results "
                             "under the other's name")
        self.pool = pool
        self._engine: OcrEngine | None = None

    def engine(self) -> OcrEngine:
        if self._engine is None:
            self._engine = make_engine(self.engine_name)
        return self._engine

    def read(self, name: str, data: bytes) -> ReadDocument:
        upload = take_in(name, data, self.rules.limits)
        key = ReadCache.key(upload.sha256, READER_VERSION, self.engine_name, self.settings)
        if self.cache is not None and upload.readable:
            hit = self.cache.get(key)
            if hit is not None:
                return ReadDocument(upload=upload, pages=hit.pages, seals=hit.seals,
                                    errors=hit.errors, from_cache=True)
        if self.pool is not None and upload.readable:
            doc, complete = self.pool.read(upload, self.settings)
        else:
            doc, complete = read_upload(upload, self.settings, self.engine), True
        if self.cache is not None and upload.readable and complete:
            self.cache.put(key, CachedRead(pages=doc.pages, seals=doc.seals, errors=doc.errors))
        return doc


def document_of(read: ReadDocument, rules: Rules) -> Document:
    """The report's view of one read upload: type, fields with provenance, seals, errors."""
    upload = read.upload
    doc_type = DocType.OTHER
    fields_model = None
    missing: dict[str, str] = {}
    markings = []
    if read.pages and not read.errors:
        dt = DocText.from_pages(read.pages)
        doc_type = classify(read.pages).doc_type
        with rules_in_force(rules):
            fields_model, missing = extract_fields(doc_type, read.pages, dt)
        markings = find_markings(dt, rules.secrecy)
    return Document(
        file=upload.name, sha256=upload.sha256, doc_type=doc_type, pages=len(read.pages),
        read_by=read.read_by, seals=read.seals, errors=read.errors,
        fields=fields_model if fields_model is not None else None, missing=missing,
        markings=markings, not_processed=read.not_processed,
    )


@dataclass
class Checked:
    """An application read and ready for the checks: its context and any early finding."""

    ctx: CheckContext
    early: list[Finding]
    files: dict[str, bytes] = field(default_factory=dict)
    applicant_name: str | None = None
    """The applicant's name as the manifest writes it, also when the manifest is unusable."""


def read_application(path: Path, reader: Reader, as_of: date) -> Checked:
    """Read one application folder or zip: manifest, every upload typed and extracted."""
    app = load_input(path)
    documents = [document_of(reader.read(name, data), reader.rules) for name, data in app.files.items()]
    return checked_of(app, documents, reader.rules, as_of)


def checked_of(app: AppInput, documents: list[Document], rules: Rules, as_of: date) -> Checked:
    """An application ready for the checks, from its uploads and its documents as read."""
    findings: list[Finding] = []
    manifest: Manifest | None = None
    try:
        if app.manifest_text is None:
            raise ManifestError(f"申报表 {MANIFEST_NAME} 缺失：请随申报材料提交")
        manifest = parse_manifest(app.manifest_text, app.app_id)
    except ManifestError as exc:
        code = FindingCode.MANIFEST_INVALID
        findings.append(Finding(finding_id=f"{app.app_id}-F001", code=code, severity=SEVERITY[code],
                                message=f"{exc}；其余材料已读取，申报无法核定", documents=[MANIFEST_NAME]))
    app_id = manifest.application_id if manifest and manifest.application_id else app.app_id
    ctx = CheckContext(app_id=app_id, manifest=manifest, documents=documents, rules=rules, as_of=as_of)
    name = manifest.applicant.name if manifest else applicant_name_of(app.manifest_text or "")
    return Checked(ctx, findings, app.files, name)


def report_of(checked: Checked, batch: list[Draft] | None = None) -> Report:
    """The report of a read application: the early findings (an unusable manifest), every
    rule's findings, the batch's, the subsidy where the manifest allows it, and the status:
    ``error`` when the manifest is unusable or a file could not be processed at all."""
    ctx = checked.ctx
    findings = checked.early + run_rules(ctx)
    rule = DUPLICATE_ACROSS
    findings += [Finding(finding_id="", code=rule.code, severity=rule.severity, message=d.message,
                         documents=list(d.documents), evidence=list(d.evidence), observed=d.observed)
                 for d in sorted(batch or [], key=lambda d: (d.documents, d.message))]
    for i, finding in enumerate(findings, 1):
        finding.finding_id = f"{ctx.app_id}-F{i:03d}"
    subsidy = result_of(ctx).subsidy if ctx.manifest is not None else None
    if ctx.manifest is None or any(d.not_processed for d in ctx.documents):
        status = Status.ERROR
    elif any(f.severity in (Severity.ERROR, Severity.WARNING) for f in findings):
        status = Status.FLAGGED
    else:
        status = Status.PASS
    return Report(application_id=ctx.app_id, status=status, checked_at=datetime.now(TZ), as_of=ctx.as_of,
                  documents=ctx.documents, findings=findings, subsidy=subsidy)


def failed_report(path: Path, as_of: date, reason: str, app_id: str | None = None) -> Report:
    """The report of an application that could not be checked at all: status error, with
    the reason as its one finding. ``app_id`` defaults to the folder or zip name."""
    app_id = app_id or app_id_of(path)
    code = FindingCode.DOC_UNREADABLE
    finding = Finding(finding_id=f"{app_id}-F001", code=code, severity=SEVERITY[code],
                      message=f"未能核查：{reason}", documents=[path.name])
    return Report(application_id=app_id, status=Status.ERROR, checked_at=datetime.now(TZ), as_of=as_of,
                  findings=[finding])


def application_of(checked: Checked, report: Report) -> Application:
    """What the batch files need of one checked application."""
    manifest = checked.ctx.manifest
    if manifest is None:
        return Application(report, checked.files, applicant_name=checked.applicant_name or "")
    return Application(report, checked.files, applicant_name=manifest.applicant.name,
                       applicant_uscc=manifest.applicant.uscc or "", direction=manifest.direction.value,
                       declared_amount=sum((c.amount for c in manifest.contracts), Decimal(0)))


def check_applications(paths: list[Path], reader: Reader, as_of: date) -> list[Report]:
    """Reports for a batch of applications, the checks across them included."""
    checked = [read_application(p, reader, as_of) for p in paths]
    batch = check_batch([c.ctx for c in checked])
    return [report_of(c, batch.get(c.ctx.app_id)) for c in checked]


def check_application(path: Path, reader: Reader, as_of: date) -> Report:
    """The report of one application checked on its own."""
    return check_applications([path], reader, as_of)[0]
