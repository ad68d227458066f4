"""Speed, as ratios to the raw OCR engine measured in the same run.

    python -m tools.bench [--corpus sample_docs] [--apps N] [--no-flow] [--write docs/bench.md]

Seconds depend on the machine and on whatever else it is doing, so every step is reported as
a ratio to the engine's own ``read`` of the same page images, timed minutes earlier in the same
process. The steps, on the first ``--apps`` applications of the corpus:

1. raw engine: ``engine.read(image)`` on each OCR'd page image, no preprocessing (the baseline);
2. our OCR step: ``ocr_page_with_skew`` (seal suppression, deskew, engine) on the same images;
3. full read of each scanned file: ``read_upload`` (render or decode, preprocess, OCR, seals);
4. text-layer files: ``read_upload`` and ``document_of``;
5. extraction (``document_of`` on read pages) and the rule checks with the report;
6. the batch flow in Prefect's local mode, as the command line runs it: workers=1 and 2 on a
   cold read cache, then workers=2 again on the warm cache.

Which files are scans comes from the reader itself (a file whose read OCR'd a page) and is
checked against the corpus truth; page images are rendered or decoded as the reader does it.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from checking.steps import context_of, document_of, in_one_batch, report_of
from checking.steps import load_application as load_app
from intake.files import Upload, take_in
from intake.inbox import AppInput, app_id_of, applications_in, upload_files
from model.base import Source
from model.document import Document
from policy.rules import Rules, load_rules
from reading.ocr import OcrEngine, make_engine, ocr_page_with_skew
from reading.preprocess import prepare
from reading.reader import ReadDocument, ReadSettings, page_image, read_upload
from reading.seals import detect_seals

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_APPS = 3
"""The first three corpus applications: 9 OCR'd pages (JPEG, PNG and a mixed PDF's scanned
page, up to 2481x3508 px) and 17 text-layer pages. The whole bench took 2.3 minutes on an idle
2-core machine; one more application (8 more OCR'd pages) would pass 5 minutes under load."""
FLOW_WORKERS = (1, 2)
DRIFT_PAGES = 3
"""Pages the raw engine reads again after the flow runs, to show how much the machine's
speed moved while they ran."""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- clocks and rows -----------------------------------------------------------------------


@dataclass
class Clock:
    """Seconds spent on one step and the pages (and files) they covered."""

    seconds: float = 0.0
    pages: int = 0
    files: int = 0

    def add(self, seconds: float, pages: int, files: int = 1) -> None:
        self.seconds += seconds
        self.pages += pages
        self.files += files

    @property
    def per_page(self) -> float:
        return self.seconds / self.pages if self.pages else math.nan


@dataclass(frozen=True)
class Row:
    """One line of the table: a step, the pages it covered, its seconds per page and that
    figure divided by the raw engine's seconds per page."""

    key: str
    step: str
    pages: int
    per_page: float
    ratio: float


# --- page images as the reader sees them ---------------------------------------------------


def page_images(upload: Upload, read: ReadDocument, settings: ReadSettings) -> list[np.ndarray]:
    """The RGB images the reader OCR'd for ``read``: its OCR pages as the reader renders or
    decodes them."""
    images = []
    for page in read.pages:
        if page.source is Source.OCR:
            found = page_image(upload.data, page.number, settings.dpi)
            if found is not None:
                images.append(np.asarray(found[0]))
    return images


def warm_up_page() -> np.ndarray:
    """An A4 page at 200 dpi with a few printed lines: the engine's first read allocates its
    working memory for a page of that size, so no measured page pays for it."""
    page = np.full((2339, 1654, 3), 255, dtype=np.uint8)
    for i in range(12):
        cv2.putText(page, f"Invoice No. {20250000 + 37 * i}  Total 1,234.{i:02d}", (150, 250 + 150 * i),
                    cv2.FONT_HERSHEY_SIMPLEX, 1.6, (0, 0, 0), 3)
    return page


# --- the in-process steps ------------------------------------------------------------------


@dataclass
class Measured:
    """What one file's measurement found: its document and whether it was OCR'd."""

    document: Document
    pages: int
    ocr_pages: int
    skipped: str | None = None


@dataclass
class Bench:
    """Steps 1-5 on whichever files are handed to it, all with one OCR engine instance."""

    rules: Rules
    engine: OcrEngine
    settings: ReadSettings = field(init=False)
    raw: Clock = field(default_factory=Clock)
    ocr: Clock = field(default_factory=Clock)
    prepare: Clock = field(default_factory=Clock)
    render: Clock = field(default_factory=Clock)
    seals: Clock = field(default_factory=Clock)
    full: Clock = field(default_factory=Clock)
    text: Clock = field(default_factory=Clock)
    extract: Clock = field(default_factory=Clock)
    checks: Clock = field(default_factory=Clock)
    grown_pixels: float = 0.0
    """Sum over OCR'd pages of the prepared image's pixels over the original's."""
    load_seconds: float = math.nan
    skipped: list[str] = field(default_factory=list)
    images: list[np.ndarray] = field(default_factory=list)
    """The OCR'd page images, kept for ``raw_again``."""
    raw_times: list[float] = field(default_factory=list)
    """The raw engine's seconds for each of ``images``."""
    text_extract_seconds: float = 0.0
    """The part of ``text`` that is extraction, also counted in ``extract``."""

    def __post_init__(self) -> None:
        self.settings = ReadSettings.from_rules(self.rules.reading, self.rules.limits)

    def warm_up(self) -> float:
        """Load the engine's models and give it a first page to read, outside every timing;
        the seconds that took."""
        started = time.perf_counter()
        self.engine.read(warm_up_page())
        self.load_seconds = time.perf_counter() - started
        return self.load_seconds

    def file(self, name: str, data: bytes) -> Measured:
        """Read one upload for real (timed); a file whose read OCR'd a page counts as a scan
        (steps 1-3), any other as a text-layer file (step 4); its extraction is step 5."""
        upload = take_in(name, data, self.rules.limits)
        started = time.perf_counter()
        read = read_upload(upload, self.settings, lambda: self.engine)
        read_seconds = time.perf_counter() - started
        started = time.perf_counter()
        document = document_of(read, self.rules)
        extract_seconds = time.perf_counter() - started
        pages, ocr_pages = len(read.pages), read.ocr_pages
        if read.errors or not pages:
            reason = "; ".join(read.errors) or "no pages"
            self.skipped.append(f"{name}: {reason}")
            return Measured(document, pages, ocr_pages, skipped=reason)
        self.extract.add(extract_seconds, pages)
        if ocr_pages:
            self.full.add(read_seconds, ocr_pages)
            self._scan_pages(upload, read)
        else:
            self.text.add(read_seconds + extract_seconds, pages)
            self.text_extract_seconds += extract_seconds
        return Measured(document, pages, ocr_pages)

    def _scan_pages(self, upload: Upload, read: ReadDocument) -> None:
        started = time.perf_counter()
        images = page_images(upload, read, self.settings)
        self.render.add(time.perf_counter() - started, len(images))
        for image in images:
            # Alternate which goes first, so neither gains from the other's warm caches.
            if len(self.images) % 2 == 0:
                self._raw(image)
                self._ocr(image)
            else:
                self._ocr(image)
                self._raw(image)
            self.images.append(image)
            started = time.perf_counter()
            prepared, _ = prepare(image, self.settings.preprocess)
            self.prepare.add(time.perf_counter() - started, 1)
            self.grown_pixels += prepared.shape[0] * prepared.shape[1] / (image.shape[0] * image.shape[1])
            started = time.perf_counter()
            detect_seals(image)
            self.seals.add(time.perf_counter() - started, 1)

    def _raw(self, image: np.ndarray) -> None:
        started = time.perf_counter()
        self.engine.read(image)
        seconds = time.perf_counter() - started
        self.raw.add(seconds, 1)
        self.raw_times.append(seconds)

    def raw_again(self, count: int) -> Row | None:
        """The raw engine timed again on the first ``count`` page images, as a drift check
        for whatever ran in between: its ratio is to the same pages' first timing."""
        pages = self.images[:count]
        if not pages:
            return None
        started = time.perf_counter()
        for image in pages:
            self.engine.read(image)
        seconds = time.perf_counter() - started
        first = sum(self.raw_times[:count])
        return Row("raw-again", "raw engine again after the flows (drift check; ratio to the same "
                   "pages' first timing)", len(pages), seconds / len(pages), seconds / first)

    def _ocr(self, image: np.ndarray) -> None:
        started = time.perf_counter()
        ocr_page_with_skew(self.engine, image, self.settings.preprocess)
        self.ocr.add(time.perf_counter() - started, 1)

    def check(self, apps: list[tuple[Path, AppInput, list[Measured], date]]) -> None:
        """Step 5's second half: each application made ready for the checks, put in one
        batch, and every rule run into a report; per page of those applications."""
        started = time.perf_counter()
        contexts = [context_of(path, app, [m.document for m in measured], self.rules, as_of)
                    for path, app, measured, as_of in apps]
        in_one_batch(contexts)
        for ctx in contexts:
            report_of(ctx)
        pages = sum(m.pages for _, _, measured, _ in apps for m in measured)
        self.checks.add(time.perf_counter() - started, pages, len(apps))

    def rows(self) -> list[Row]:
        """The table's in-process rows, every step that covered at least one page."""
        steps = [
            ("raw", "raw engine: `engine.read(image)`, no preprocessing", self.raw),
            ("ocr", "our OCR step: `ocr_page_with_skew` (preprocess + engine)", self.ocr),
            ("prepare", "· of which `prepare` (seal suppression + deskew)", self.prepare),
            ("full", "full read of scanned files: `read_upload`, per OCR page", self.full),
            ("render", "· of which render/decode the page image", self.render),
            ("seals", "· of which seal detection", self.seals),
            ("text", "text-layer files: `read_upload` + `document_of`", self.text),
            ("extract", "extraction: `document_of` on read pages, every file", self.extract),
            ("checks", "checks: `context_of` + `in_one_batch` + `report_of`", self.checks),
        ]
        return [Row(key, step, clock.pages, clock.per_page, clock.per_page / self.raw.per_page)
                for key, step, clock in steps if clock.pages and self.raw.pages]


# --- the corpus ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Application:
    path: Path
    app_id: str
    truth: dict[str, Any]

    @property
    def as_of(self) -> date:
        value = self.truth.get("as_of")
        return date.fromisoformat(value) if value else date.today()


def applications(corpus: Path, count: int | None) -> list[Application]:
    """The first ``count`` applications of the corpus inbox (all when None) that have a truth
    file, in name order: folders and .zip uploads alike."""
    chosen = []
    for path in applications_in(corpus / "inbox").applications:
        app_id = app_id_of(path)
        truth_path = corpus / "truth" / f"{app_id}.json"
        if not truth_path.is_file():
            continue
        chosen.append(Application(path, app_id, json.loads(truth_path.read_text(encoding="utf-8"))))
        if count is not None and len(chosen) == count:
            break
    return chosen


def measure_applications(bench: Bench, apps: list[Application]) -> list[str]:
    """Steps 1-5 over every upload of ``apps``; notes where the reader and the truth differ."""
    notes: list[str] = []
    checked: list[tuple[Path, AppInput, list[Measured], date]] = []
    for app in apps:
        loaded = load_app(app.path, bench.rules, app.path.parent)
        measured = []
        for name, data in upload_files(app.path, loaded, bench.rules.limits).items():
            expected = app.truth["files"].get(name, {})
            result = bench.file(name, data)
            measured.append(result)
            kind = "skipped" if result.skipped else f"{result.ocr_pages}/{result.pages} pages OCR'd"
            log(f"{app.app_id}/{name}: {kind}")
            if result.skipped is None and "scan" in expected and (expected["scan"] is None) != (
                    result.ocr_pages == 0):
                notes.append(f"{app.app_id}/{name}: the truth says scan={expected['scan']!r}, "
                             f"the reader OCR'd {result.ocr_pages} of {result.pages} pages")
        checked.append((app.path, loaded, measured, app.as_of))
    bench.check(checked)
    return notes


# --- the batch flow ------------------------------------------------------------------------


@dataclass
class FlowRun:
    label: str
    workers: int
    wall: float
    result: dict[str, Any] | None
    error: str | None = None


@dataclass
class FlowTimes:
    import_seconds: float
    startup_seconds: float
    runs: list[FlowRun]


def measure_flows(inbox: Path, apps: list[Application], as_of: date) -> FlowTimes:
    """``nightly_batch`` over ``apps`` in Prefect's local mode, as ``voucher-check run`` runs
    it: workers=1 and workers=2 each on a fresh output and read cache folder, then workers=2
    again on its own output (the read cache warm). Prefect's import and the start of its
    temporary server are timed apart, before the first run."""
    from flows.cli import prefect_defaults

    prefect_defaults(False)
    started = time.perf_counter()
    from prefect.client.orchestration import get_client

    from flows.nightly import run_once

    import_seconds = time.perf_counter() - started
    started = time.perf_counter()
    with get_client(sync_client=True) as client:  # starts the temporary server in local mode
        client.api_healthcheck()
    startup_seconds = time.perf_counter() - started
    only = [app.path.name for app in apps]
    runs: list[FlowRun] = []

    def run(label: str, workers: int, out: Path) -> None:
        log(f"batch flow: {label} …")
        begun = time.perf_counter()
        try:
            result = run_once(inbox, out, as_of, workers=workers, only=only)
        except Exception as exc:
            runs.append(FlowRun(label, workers, time.perf_counter() - begun, None,
                                f"{type(exc).__name__}: {exc}"))
            return
        runs.append(FlowRun(label, workers, time.perf_counter() - begun, result))

    with tempfile.TemporaryDirectory(prefix="voucher-check-bench-") as tmp:
        for workers in FLOW_WORKERS:
            run(f"workers={workers}, cold read cache", workers, Path(tmp) / f"workers-{workers}")
        last = FLOW_WORKERS[-1]
        run(f"workers={last}, second run (read cache warm)", last, Path(tmp) / f"workers-{last}")
    return FlowTimes(import_seconds, startup_seconds, runs)


def flow_rows(bench: Bench, flows: FlowTimes) -> tuple[list[Row], list[str]]:
    """A row per flow run: its wall time over the raw engine's time for the OCR pages of the
    cold runs (the pages a run has to OCR when nothing is cached)."""
    rows: list[Row] = []
    notes: list[str] = []
    cold = [r.result["ocr_pages"] for r in flows.runs if r.result and r.result["files_read"]]
    pages = max(cold, default=0)
    if not pages or not bench.raw.pages:
        return rows, ["the flow runs OCR'd no page: no ratio to the raw engine"]
    if pages == bench.raw.pages:
        raw_seconds = bench.raw.seconds
    else:
        raw_seconds = bench.raw.per_page * pages
        notes.append(f"the flow OCR'd {pages} pages, the bench {bench.raw.pages}: its baseline is "
                     "the raw engine's mean seconds per page times the flow's pages")
    for i, run in enumerate(flows.runs):
        if run.result is None:
            notes.append(f"flow run {run.label} failed after {run.wall:.0f} s: {run.error}")
            continue
        rows.append(Row(f"flow-{i}", f"batch flow, {run.label}: wall time", pages, run.wall / pages,
                        run.wall / raw_seconds))
    return rows, notes


# --- the report ----------------------------------------------------------------------------


def _num(value: float) -> str:
    if not math.isfinite(value):
        return "–"
    if value >= 100:
        return f"{value:.0f}"
    if value >= 0.1:
        return f"{value:.2f}"
    return f"{value:.2g}"


def table(rows: list[Row]) -> str:
    lines = ["| step | pages | s/page | ratio to raw engine |", "| --- | ---: | ---: | ---: |"]
    lines += [f"| {r.step} | {r.pages} | {_num(r.per_page)} | {_num(r.ratio)} |" for r in rows]
    return "\n".join(lines) + "\n"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def load_average() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"


def machine(load_at_start: str) -> str:
    """CPUs, Python and the OCR stack's versions, and the load, for the header."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = f" ({line.split(':', 1)[1].strip()})"
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} CPUs{model}, {platform.system()} {platform.machine()}, Python "
            f"{platform.python_version()}, rapidocr {_version('rapidocr')}, onnxruntime "
            f"{_version('onnxruntime')}, opencv {_version('opencv-python-headless')}, prefect "
            f"{_version('prefect')}; load average (1/5/15 min) {load_at_start} at the start, "
            f"{load_average()} at the end")


def where_time_goes(bench: Bench) -> str:
    """A scanned page's full read taken apart, in raw-engine pages."""
    raw = bench.raw.per_page
    if not bench.full.pages or not math.isfinite(raw):
        return ""
    engine = bench.ocr.per_page - bench.prepare.per_page
    rest = bench.full.per_page - bench.render.per_page - bench.ocr.per_page - bench.seals.per_page
    grown = bench.grown_pixels / bench.raw.pages - 1
    return (f"A scanned page's full read, {bench.full.per_page / raw:.2f} raw pages, is: render or "
            f"decode {bench.render.per_page / raw:.3f}, seal suppression and deskew "
            f"{bench.prepare.per_page / raw:.3f}, the engine on the prepared image "
            f"{engine / raw:.2f} (the levelled page's canvas is {grown:.1%} larger on average, "
            f"and grey), seal detection {bench.seals.per_page / raw:.3f}, and the rest "
            f"{rest / raw:.3f} (PDF parsing, text pages of mixed PDFs, bookkeeping; noise can "
            "make it negative).")


def report(bench: Bench, apps: list[Application], rows: list[Row], notes: list[str],
           flows: FlowTimes | None, seconds: float, command: str, corpus: Path, load: str) -> str:
    names = ", ".join(a.app_id for a in apps)
    raw = bench.raw
    lines = [
        "# Speed", "",
        f"Written by `{command}` on {date.today().isoformat()} over {len(apps)} application(s) of "
        f"`{corpus.name}/` ({names}): {raw.pages} OCR'd pages in {bench.full.files} files, "
        f"{bench.text.pages} text-layer pages in {bench.text.files} files. The bench took "
        f"{seconds:.0f} s.", "",
        f"Machine: {machine(load)}.", "",
        "Every figure is a ratio to the raw engine: the OCR engine's own `read` of the page "
        "images the reader OCR'd, without preprocessing, timed in the same run with the same "
        f"engine instance ({bench.engine.name}, its default threads). Here that was "
        f"{raw.per_page:.2f} s a page; seconds vary with the machine and its load, the ratios "
        "much less. The page images are rendered (PDF, at the rules' dpi) or decoded outside "
        "that timing. The full read counts its file's OCR'd pages (a mixed PDF's text pages "
        "ride along). Flow rows divide the wall time of the whole flow call (every file read, "
        "checked and written) by the raw engine's time for all the pages the flow OCRs. The "
        "last row reads a few pages again after the flows: far from 1.00, the machine's speed "
        "changed during the run (other work on it) and the flow ratios carry that error.", "",
        table(rows),
    ]
    extra = [where_time_goes(bench)] if bench.full.pages else []
    if math.isfinite(bench.load_seconds):
        extra.append(f"Loading the engine's models and its first read (a synthetic A4 page) took "
                     f"{bench.load_seconds:.1f} s, "
                     f"{bench.load_seconds / raw.per_page:.2f} raw pages, outside every row above; "
                     "each worker process of the flow pays it again.")
    if bench.extract.files:
        per_doc = bench.extract.seconds / bench.extract.files
        extra.append(f"Extraction took {per_doc * 1000:.1f} ms per document "
                     f"({bench.extract.files} documents); the checks and report "
                     f"{bench.checks.seconds / max(bench.checks.files, 1) * 1000:.1f} ms per application.")
    if flows is not None:
        extra.append(f"Prefect (local mode): importing it and the flow module took "
                     f"{flows.import_seconds:.1f} s, starting its temporary server "
                     f"{flows.startup_seconds:.1f} s; both happen once per command and are in no "
                     "ratio above.")
        # the text row already holds the text files' extraction
        in_process = bench.full.seconds + bench.text.seconds + bench.checks.seconds \
            + bench.extract.seconds - bench.text_extract_seconds
        for run in flows.runs:
            if run.result is not None:
                r = run.result
                beyond = ""
                if r["files_read"]:
                    beyond = (f" That is {run.wall - in_process:.1f} s more than reading, extracting "
                              f"and checking the same files in one process ({in_process:.1f} s): "
                              "starting the worker processes (spawn, importing rapidocr, loading its "
                              "models in each), Prefect's task runs and writing the reports.")
                extra.append(f"Flow {run.label}: {run.wall:.1f} s wall, {r['seconds']} s inside the "
                             f"flow body; {r['files_read']} files read afresh, {r['ocr_pages']} pages "
                             f"OCR'd; {r['applications']} applications.{beyond}")
    extra += notes
    extra += [f"Not timed (unreadable): {s}" for s in bench.skipped]
    lines += [f"- {e}" for e in extra if e]
    return "\n".join(lines) + "\n"


# --- the command ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=ROOT / "sample_docs")
    parser.add_argument("--apps", type=int, default=DEFAULT_APPS,
                        help=f"the first N applications of the corpus (default {DEFAULT_APPS}; 0: all)")
    parser.add_argument("--no-flow", action="store_true", help="skip the batch flow runs (step 6)")
    parser.add_argument("--write", type=Path, help="write the markdown report here")
    args = parser.parse_args(argv)
    if args.apps < 0:
        parser.error("--apps must be 0 (all) or more")
    started = time.perf_counter()
    load = load_average()
    rules = load_rules()
    apps = applications(args.corpus, args.apps or None)
    if not apps:
        parser.error(f"no application with a truth file in {args.corpus}")
    bench = Bench(rules, make_engine(rules.reading.ocr_engine))
    log(f"loading the {bench.engine.name} models …")
    bench.warm_up()
    notes = measure_applications(bench, apps)
    rows = bench.rows()
    flows = None
    if not args.no_flow:
        flows = measure_flows(args.corpus / "inbox", apps, max(a.as_of for a in apps))
        more, flow_notes = flow_rows(bench, flows)
        rows += more
        notes += flow_notes
        log("raw engine again (drift check) …")
        again = bench.raw_again(DRIFT_PAGES)
        if again is not None:
            rows.append(again)
    command = "python -m tools.bench" + (f" --apps {args.apps}" if args.apps != DEFAULT_APPS else "") \
        + (" --no-flow" if args.no_flow else "")
    text = report(bench, apps, rows, notes, flows, time.perf_counter() - started, command, args.corpus,
                  load)
    print(text)
    if args.write:
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
