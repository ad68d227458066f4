"""PDFium called from many threads at once, as the report stage does: it must not crash.

PDFium is not thread-safe (pypdfium2's documentation); without the one lock of
``reading.pdfium`` this stress run dies with a segfault inside ``libpdfium.so``. It runs in
a child process so that a crash fails the test instead of taking the test run with it.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PIL import Image

from outputs.crops import crop
from reading.pdfium import PdfPages, render_all, render_page
from reading.reader import page_image
from tests.sample_docs.corpus import INBOX

ROOT = Path(__file__).resolve().parents[2]
THREADS = 12
RENDERS = 4
"""Quick whole-page renders per crop: the more PDFium calls overlap, the surer the old crash."""


def _pdfs() -> list[bytes]:
    return [p.read_bytes() for p in sorted(INBOX.glob("*/*.pdf"))]


def stress(threads: int = THREADS, renders: int = RENDERS) -> int:
    """From ``threads`` threads started together: an evidence crop of pages 1 and 2 of every
    sample PDF (rendered at the crops' 150 dpi, as the report stage does), each mixed with
    ``renders`` quick renders of the same page at 50 dpi. Returns how many crops were made."""
    jobs = [(data, page, dpi) for data in _pdfs() for page in (1, 2) for dpi in (150, *[50] * renders)]
    start = threading.Barrier(threads)

    def one(data: bytes, page: int, dpi: int) -> bool:
        try:
            if dpi != 150:
                page_image(data, page, dpi)
                return False
            return crop(data, page, (100.0, 100.0, 300.0, 160.0)) is not None
        except Exception:  # a planted corrupt sample: not what this test is about
            return False

    def work(share: list[tuple[bytes, int, int]]) -> int:
        start.wait()
        return sum(one(*job) for job in share)

    with ThreadPoolExecutor(threads) as pool:
        made = sum(pool.map(work, [jobs[i::threads] for i in range(threads)]))
    return made


def test_many_threads_rendering_crops_of_many_pdfs_do_not_crash_the_process() -> None:
    code = "from tests.reading.test_pdfium import stress; print(stress())"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"the stress run died (exit {done.returncode}): {done.stderr[-2000:]}"
    assert int(done.stdout.split()[-1]) > 100  # every sample PDF cropped, most on two pages


def test_renders_are_the_same_from_threads_as_alone() -> None:
    pdfs = _pdfs()[:6]
    alone = [render_page(data, 0, 0.5) for data in pdfs]
    with ThreadPoolExecutor(6) as pool:
        together = list(pool.map(lambda d: render_page(d, 0, 0.5), pdfs * 3))
    for i, image in enumerate(together):
        expected = alone[i % len(pdfs)]
        assert image is not None and expected is not None
        assert image.tobytes() == expected.tobytes()


def test_pages_render_as_independent_rgb_copies() -> None:
    data = _pdfs()[0]
    with PdfPages(data) as pdf:
        first = pdf.render(0, 0.5)
        assert len(pdf) >= 1
    assert isinstance(first, Image.Image) and first.mode == "RGB"
    assert first.tobytes() == render_all(data, 0.5)[0].tobytes()  # still readable after close
    assert render_page(data, 99, 0.5) is None


def test_a_closed_pdf_refuses_to_render() -> None:
    pdf = PdfPages(_pdfs()[0])
    pdf.close()
    pdf.close()  # twice is harmless
    try:
        pdf.render(0, 1.0)
    except ValueError:
        pass
    else:
        raise AssertionError("rendered a closed PDF")


def test_nothing_else_calls_pdfium() -> None:
    """Only reading/pdfium.py imports pypdfium2, and nothing renders through pdfplumber's
    ``to_image`` (which calls PDFium outside the lock)."""
    offenders = []
    for path in ROOT.glob("*/**/*.py"):
        if ".venv" in path.parts or path == ROOT / "reading" / "pdfium.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n.split(".")[0] in ("pypdfium2", "pypdfium2_raw") for n in names):
                offenders.append(f"{path.relative_to(ROOT)} imports pypdfium2")
            if isinstance(node, ast.Attribute) and node.attr == "to_image":
                offenders.append(f"{path.relative_to(ROOT)} calls to_image")
    assert offenders == []
