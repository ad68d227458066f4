"""Turns rendered pages into what scanners and phones produce: skew, blur, noise, JPEG."""

from __future__ import annotations

import hashlib
import io
import math
import random
import re

import cv2
import numpy as np
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from reading.pdfium import pdfium_calls, render_all
from sample_docs.gen.sheet import SealMark


def rasterise(pdf: bytes, dpi: int) -> list[np.ndarray]:
    """Each page of ``pdf`` as an RGB array at ``dpi``."""
    return [np.asarray(image) for image in render_all(pdf, dpi / 72)]


def degrade(img: np.ndarray, rng: random.Random, noise: float = 1.0) -> tuple[np.ndarray, float]:
    """A scanned-looking copy of ``img`` and the skew applied, in degrees; ``noise`` scales
    the sensor noise (scanning apps that save PNG clean most of it away)."""
    h, w = img.shape[:2]
    angle = rng.choice([-1, 1]) * rng.uniform(0.5, 3.0)
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    out = cv2.warpAffine(img, matrix, (w, h), flags=cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_CONSTANT, borderValue=(250, 250, 248))
    sigma = rng.uniform(0.4, 1.1)
    out = cv2.GaussianBlur(out, (0, 0), sigma)
    np_rng = np.random.default_rng(rng.getrandbits(32))
    tint = np.array([rng.uniform(0.93, 1.0), rng.uniform(0.93, 1.0), rng.uniform(0.9, 0.98)])
    noisy = out.astype(np.float32) * tint + np_rng.normal(0, rng.uniform(2, 6) * noise, out.shape)
    speckle = np_rng.random(out.shape[:2]) < rng.uniform(0.0002, 0.0012) * noise
    noisy[speckle] = rng.uniform(30, 120)
    return np.clip(noisy, 0, 255).astype(np.uint8), angle


def rotate_box(box: tuple[float, float, float, float], angle: float, scale: float,
               size: tuple[int, int]) -> tuple[float, float, float, float]:
    """Where a box in points lands, in pixels, after scaling and the skew of ``degrade``."""
    w, h = size
    cx, cy = w / 2, h / 2
    rad = math.radians(angle)
    xs, ys = [], []
    for x, y in ((box[0], box[1]), (box[2], box[1]), (box[0], box[3]), (box[2], box[3])):
        px, py = x * scale - cx, y * scale - cy
        # cv2 rotates counter-clockwise for positive angles with y pointing down
        xs.append(cx + px * math.cos(rad) + py * math.sin(rad))
        ys.append(cy - px * math.sin(rad) + py * math.cos(rad))
    return (round(min(xs), 1), round(min(ys), 1), round(max(xs), 1), round(max(ys), 1))


def encode(img: np.ndarray, fmt: str, rng: random.Random, dpi: int) -> bytes:
    pil = Image.fromarray(img)
    buf = io.BytesIO()
    if fmt == "jpg":
        pil.save(buf, "JPEG", quality=rng.randint(45, 75), dpi=(dpi, dpi))
    elif fmt == "png":
        # scanner software saving PNG usually reduces the palette; noise would bloat it
        flat = img.copy()
        flat[(img > 200).all(axis=2)] = (246, 245, 240)
        pil = Image.fromarray(flat).quantize(colors=16, dither=Image.Dither.NONE)
        pil.save(buf, "PNG", optimize=True, dpi=(dpi, dpi))
    elif fmt == "tif":
        pil.save(buf, "TIFF", compression="jpeg", quality=70, dpi=(dpi, dpi))
    else:
        raise ValueError(fmt)
    return buf.getvalue()


def images_to_pdf(jpegs: list[bytes]) -> bytes:
    """An image-only PDF, one JPEG per A4 page, as scanners write them."""
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, invariant=1)
    for data in jpegs:
        c.drawImage(ImageReader(io.BytesIO(data)), 0, 0, width=A4[0], height=A4[1])
        c.showPage()
    c.save()
    return buf.getvalue()


def scan(pdf: bytes, seals: list[SealMark], mode: str, dpi: int,
         rng: random.Random) -> tuple[bytes, list[SealMark]]:
    """The file a scan of ``pdf`` gives in ``mode`` (pdf, jpg, png, tif, mixed), and where its
    seals are (pixels for images, points for PDFs)."""
    pages = rasterise(pdf, dpi)
    scale = dpi / 72
    if mode == "mixed" and len(pages) < 2:
        mode = "pdf"
    if mode in ("jpg", "png", "tif"):
        img, angle = degrade(pages[0], rng, noise=0.25 if mode == "png" else 1.0)
        size = (img.shape[1], img.shape[0])
        marks = [SealMark(1, rotate_box(m.bbox, angle, scale, size)) for m in seals if m.page == 1]
        return encode(img, mode, rng, dpi), marks
    chosen = range(len(pages)) if mode == "pdf" else [len(pages) - 1]
    jpegs: dict[int, bytes] = {}
    marks = [m for m in seals if m.page - 1 not in chosen]
    for i in chosen:
        img, angle = degrade(pages[i], rng)
        jpegs[i] = encode(img, "jpg", rng, dpi)
        size = (img.shape[1], img.shape[0])
        for m in seals:
            if m.page == i + 1:
                px = rotate_box(m.bbox, angle, scale, size)
                marks.append(SealMark(m.page, tuple(round(v / scale, 1) for v in px)))  # type: ignore[arg-type]
    if mode == "pdf":
        return images_to_pdf([jpegs[i] for i in sorted(jpegs)]), marks
    return _replace_last_page(pdf, images_to_pdf([jpegs[len(pages) - 1]])), marks


def _replace_last_page(pdf: bytes, page_pdf: bytes) -> bytes:
    """``pdf`` with its last page swapped for the single page of ``page_pdf``."""
    with pdfium_calls() as pdfium:
        doc = pdfium.PdfDocument(pdf)
        extra = pdfium.PdfDocument(page_pdf)
        try:
            last = len(doc) - 1
            doc.del_page(last)
            doc.import_pages(extra, index=last)
            buf = io.BytesIO()
            doc.save(buf)
            return _fixed_id(buf.getvalue())
        finally:
            extra.close()
            doc.close()


_FILE_ID = re.compile(rb"/ID\s*\[\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*\]")


def _fixed_id(pdf: bytes) -> bytes:
    """PDFium writes a random second file identifier on saving; the corpus must come out the
    same byte for byte from the same seed, so it is made from the content (same length)."""
    def same(m: re.Match[bytes]) -> bytes:
        digest = hashlib.md5(_FILE_ID.sub(b"", pdf), usedforsecurity=False).hexdigest().upper().encode()
        return m.group(0).replace(m.group(2), digest[:len(m.group(2))])
    return _FILE_ID.sub(same, pdf)
