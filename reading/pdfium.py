"""Every call into PDFium in this process, one at a time.

PDFium is not thread-safe, not even for different documents: two threads calling it at
once crash or corrupt the process (pypdfium2's documentation, "Incompatibility with
Threading"). It may be used from many threads if only one PDFium call runs at a time. So
nothing else imports ``pypdfium2``: the reader, the evidence crops, the benchmark and the
corpus generator open, render and close PDFs through this module, which holds one lock
for every call and closes every page, bitmap and document explicitly inside it (left to
the garbage collector, pypdfium2 would close them from whichever thread happens to
collect them, outside the lock).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType, TracebackType

import pypdfium2
from PIL import Image

_LOCK = threading.RLock()
"""Held for the whole of each call into PDFium. Re-entrant, so a caller already inside
``pdfium_calls`` may use the helpers below."""

PdfiumError = pypdfium2.PdfiumError


@contextmanager
def pdfium_calls() -> Iterator[ModuleType]:
    """``pypdfium2`` itself, for work the helpers below do not cover (the corpus generator
    editing pages). The lock is held for the whole block: close everything you open inside
    it."""
    with _LOCK:
        yield pypdfium2


class PdfPages:
    """A PDF opened for rendering: ``len()`` pages, each rendered by ``render`` under the
    lock. Use as a context manager, or call ``close``."""

    def __init__(self, data: bytes) -> None:
        with _LOCK:
            self._pdf: pypdfium2.PdfDocument | None = pypdfium2.PdfDocument(data)
            self._count = len(self._pdf)

    def __len__(self) -> int:
        return self._count

    def render(self, index: int, scale: float) -> Image.Image:
        """Page ``index`` (from 0) as an RGB image at ``scale`` pixels per point; the image is
        a copy, independent of PDFium's buffers."""
        with _LOCK:
            if self._pdf is None:
                raise ValueError("the PDF is closed")
            page = self._pdf[index]
            try:
                bitmap = page.render(scale=scale)
                try:
                    return bitmap.to_pil().convert("RGB")
                finally:
                    bitmap.close()
            finally:
                page.close()

    def close(self) -> None:
        with _LOCK:
            if self._pdf is not None:
                self._pdf.close()
                self._pdf = None

    def __enter__(self) -> PdfPages:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def render_page(data: bytes, index: int, scale: float) -> Image.Image | None:
    """Page ``index`` (from 0) of the PDF ``data`` as an RGB image, or None if it has no such
    page. Raises ``PdfiumError`` for a PDF PDFium cannot open."""
    with PdfPages(data) as pdf:
        if not 0 <= index < len(pdf):
            return None
        return pdf.render(index, scale)


def render_all(data: bytes, scale: float) -> list[Image.Image]:
    """Every page of the PDF ``data`` as an RGB image at ``scale`` pixels per point."""
    with PdfPages(data) as pdf:
        return [pdf.render(i, scale) for i in range(len(pdf))]
