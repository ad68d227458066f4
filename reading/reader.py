"""From an upload to pages of words with boxes: the PDF text layer first, OCR where it fails.

Every page comes back in its own coordinates (PDF points, or pixels for image files),
origin top-left, with the seals found on it. Failures are recorded on the result, never
raised: one broken file must not stop the batch.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pdfplumber
from pdfminer.pdfdocument import PDFXRefFallback
from PIL import Image, ImageOps, ImageSequence
from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydField

from intake.files import IMAGE_KINDS, Upload, sniff
from model.base import BBox, FileKind, Source
from model.document import Code, Page, Seal, Word
from policy.rules import Limits, Reading
from reading import qr
from reading.einvoice import Structured, from_ofd, from_xml
from reading.ink import unread_ink
from reading.ocr import OcrEngine, ocr_page_with_skew
from reading.ofd import OfdError, parse_xml, read_ofd, render_ofd_page
from reading.orient import has_background, reading_turns, uprightness
from reading.pdfium import PdfiumError, PdfPages, render_page
from reading.preprocess import Preprocess
from reading.seals import SealBox, colourless, detect_grey_seals, red_seals_and_marks

log = logging.getLogger(__name__)

READER_VERSION = "7"
"""Bumped whenever reading changes what it returns, so cached results are not reused."""

_CID = re.compile(r"\(cid:\d+\)")
MIN_TEXT_CHARS = 20
MAX_BAD_SHARE = 0.1
IMAGE_PAGE_SHARE = 0.4
QR_ZONE = 0.4
"""The share of a page from the top where an invoice's QR code is looked for on a text page."""


class ReadDocument(BaseModel):
    """One upload as read: its pages, seals, the main source and any errors. The read cache
    keeps it as it is (its upload and how it was come by aside)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    upload: Upload = PydField(exclude=True)
    pages: list[Page] = PydField(default_factory=list)
    seals: list[Seal] = PydField(default_factory=list)
    errors: list[str] = PydField(default_factory=list)
    notes: list[str] = PydField(default_factory=list)
    """What was irregular about the file though it was read (a repaired PDF, a permissions
    password), in Chinese for the reviewer."""
    structured: Structured | None = None
    """The invoice data an OFD or XML file carries (None for any other file)."""
    codes: list[Code] = PydField(default_factory=list)
    """The QR codes found on its pages (or given by its structured data)."""
    from_cache: bool = PydField(default=False, exclude=True)
    not_processed: bool = PydField(default=False, exclude=True)
    """The process reading it died (a crash, the OOM killer): nothing is known of the file."""

    @property
    def ocr_pages(self) -> int:
        return sum(page.source is Source.OCR for page in self.pages)

    @property
    def read_by(self) -> Source | None:
        if not self.pages:
            return None
        counts: dict[Source, int] = {}
        for page in self.pages:
            counts[page.source] = counts.get(page.source, 0) + len(page.words)
        return max(counts, key=lambda s: counts[s])


@dataclass(frozen=True)
class ReadSettings:
    dpi: int
    preprocess: Preprocess
    limits: Limits

    @classmethod
    def from_rules(cls, reading: Reading, limits: Limits,
                   preprocess: Preprocess | None = None) -> ReadSettings:
        return cls(dpi=reading.render_dpi, preprocess=preprocess or Preprocess(), limits=limits)


EngineSource = Callable[[], OcrEngine]
"""Gives the OCR engine on first need, so text-only batches never load one."""


class Backend(Protocol):
    """Reads one kind of file into ``doc``: its pages of words with boxes, seals, QR codes and
    structured data; what goes wrong is recorded on ``doc``. One per file kind, in
    ``BACKENDS``."""

    def __call__(self, doc: ReadDocument, settings: ReadSettings, engine: EngineSource) -> None: ...


def read_upload(upload: Upload, settings: ReadSettings, engine: EngineSource) -> ReadDocument:
    """Read ``upload``; errors (encrypted, corrupt, too many pages …) land on the result."""
    doc = ReadDocument(upload=upload, errors=list(upload.errors))
    if doc.errors:
        return doc
    backend = BACKENDS.get(upload.kind)
    try:
        if backend is None:
            doc.errors.append(f"暂不支持读取 {upload.kind.value.upper()} 格式的文件")
        else:
            backend(doc, settings, engine)
    except Exception:  # a reader bug or a hostile file: record it, keep the batch going
        log.exception("reading %s failed", upload.name)
        doc.errors.append("读取失败：文件内容异常，读取程序未能读完；请人工查看该文件")
    if doc.pages and not doc.errors and not any(p.words for p in doc.pages) and doc.structured is None:
        doc.errors.append("没有识别到任何文字（空白页，或图像过暗、过淡、过于模糊）；请上传清晰的扫描件")
    return doc


# --- PDF ------------------------------------------------------------------------------------


def text_layer_usable(words: list[Word], text: str, image_share: float) -> bool:
    """Whether a page's text layer can be trusted instead of OCR."""
    chars = len(re.sub(r"\s", "", text))
    if chars < MIN_TEXT_CHARS:
        return False
    bad = len(_CID.findall(text)) + sum(1 for ch in text if _is_garbage(ch))
    if bad / max(chars, 1) > MAX_BAD_SHARE:
        return False
    # a scanned page with a thin invisible or stamped text layer: trust the pixels
    return not (image_share > IMAGE_PAGE_SHARE and chars < 4 * MIN_TEXT_CHARS)


def _is_garbage(ch: str) -> bool:
    code = ord(ch)
    return ch == "\ufffd" or 0xE000 <= code <= 0xF8FF or (code < 32 and ch not in "\n\t\r")


def _read_pdf(doc: ReadDocument, settings: ReadSettings, engine: EngineSource) -> None:
    data = doc.upload.data
    try:
        plumber = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:
        doc.errors.append(_pdf_open_error(exc))
        return
    with plumber:
        n_pages = len(plumber.pages)
        if n_pages == 0:
            doc.errors.append("PDF 结构损坏（找不到页面，交叉引用表或页面树有误），无法读取；"
                              "请重新导出后上传")
            return
        doc.notes.extend(_pdf_notes(plumber))
        if n_pages > settings.limits.max_pages:
            doc.errors.append(f"页数 {n_pages} 超过上限 {settings.limits.max_pages}")
            return
        with PdfPages(data) as rendered:
            for index, ppage in enumerate(plumber.pages):
                _read_pdf_page(doc, index, ppage, rendered, settings, engine)


def _pdf_notes(plumber: pdfplumber.PDF) -> list[str]:
    notes = []
    if any(isinstance(x, PDFXRefFallback) for x in plumber.doc.xrefs):
        notes.append("PDF 结构有误（交叉引用表损坏），已修复后读取；请留意内容是否完整")
    if plumber.doc.encryption is not None:
        notes.append("PDF 设有权限密码（限制打印、复制或修改），内容已读取")
    return notes


def _pdf_open_error(exc: BaseException) -> str:
    # pdfplumber wraps pdfminer's errors; the password error may sit in args or the cause
    chain: list[object] = [exc, exc.__cause__, exc.__context__, *exc.args]
    if any(any(k in type(e).__name__ for k in ("Password", "Encrypt")) for e in chain if e is not None):
        return "PDF 设有打开密码（已加密），无法读取；请上传未加密的文件"
    return "PDF 文件损坏（不完整或结构错误），无法打开"


def _read_pdf_page(doc: ReadDocument, index: int, ppage: pdfplumber.page.Page,
                   rendered: PdfPages, settings: ReadSettings, engine: EngineSource) -> None:
    width, height = float(ppage.width), float(ppage.height)
    scale = settings.dpi / 72
    if width * height * scale * scale > settings.limits.max_pixels:
        doc.errors.append(f"第 {index + 1} 页尺寸 {width:,.0f}×{height:,.0f} 点，按 {settings.dpi} dpi "
                          f"读取需 {width * height * scale * scale:,.0f} 像素，"
                          f"超过上限 {settings.limits.max_pixels:,}")
        return
    raw = ppage.extract_words(keep_blank_chars=False, use_text_flow=False)
    words = [Word(text=w["text"], bbox=(w["x0"], w["top"], w["x1"], w["bottom"]), confidence=1.0)
             for w in raw if w["text"].strip()]
    text = " ".join(w.text for w in words)
    image_area = sum(max(0.0, (im["x1"] - im["x0"]) * (im["bottom"] - im["top"]))
                     for im in ppage.images)
    number = index + 1
    if text_layer_usable(words, text, image_area / max(width * height, 1.0)):
        images = [(im["x0"], im["top"], im["x1"], im["bottom"]) for im in ppage.images]
        preview = np.asarray(rendered.render(index, 1.0))
        # a digital page is grey only where its pictures are: a scan pasted in without colour
        grey = bool(images) and all(colourless(_crop(preview, box)) for box in images)
        doc.pages.append(Page(number=number, width=width, height=height, unit="pt",
                              source=Source.TEXT, words=words, images=images, grey=grey))
        _seals_of(doc, preview, number, 1.0, grey)
        if any(_may_be_qr(box, height) for box in images):
            doc.codes.extend(_codes(np.asarray(rendered.render(index, scale)), number, 1 / scale))
        return
    image, ocr_words, skew, turn = upright_ocr(engine, np.asarray(rendered.render(index, scale)), settings)
    _note_background(doc, number, image)
    if turn in (90, 270):
        width, height = height, width
    grey = colourless(image)
    doc.pages.append(Page(number=number, width=width, height=height, unit="pt", source=Source.OCR,
                          words=[_scaled(w, 1 / scale) for w in ocr_words], skew=skew, turn=turn,
                          images=[_scaled_box(b, 1 / scale) for b in unread_ink(image, ocr_words)],
                          grey=grey))
    _seals_of(doc, image, number, 1 / scale, grey)
    doc.codes.extend(_codes(image, number, 1 / scale))


# --- images ---------------------------------------------------------------------------------


def image_frames(data: bytes, max_pixels: int | None = None) -> list[Image.Image]:
    """The pages of an image file as the reader reads them: every frame, EXIF rotation
    applied. Raises ``TooManyPixels`` before decoding a frame larger than ``max_pixels``."""
    picture = Image.open(io.BytesIO(data))
    frames = []
    for number, frame in enumerate(ImageSequence.Iterator(picture), 1):
        if max_pixels is not None and frame.width * frame.height > max_pixels:
            raise TooManyPixels(number, frame.width, frame.height)
        frames.append(ImageOps.exif_transpose(frame.copy()))
    return frames


class TooManyPixels(Exception):
    def __init__(self, page: int, width: int, height: int) -> None:
        super().__init__(page, width, height)
        self.page, self.width, self.height = page, width, height


def page_image(data: bytes, page: int, dpi: int, turn: int = 0) -> tuple[Image.Image, float] | None:
    """Page ``page`` (from 1) of an upload as the reader saw it, and the pixels per unit of
    its boxes: a PDF page rendered at ``dpi`` (pixels per point), an image file's frame as
    decoded (1.0), turned ``turn`` degrees clockwise as the reader turned it. None for
    another kind of file, one that cannot be opened, or a page it does not have."""
    kind = sniff(data)
    if kind is FileKind.PDF:
        scale = dpi / 72
        try:
            image = render_page(data, page - 1, scale) if page >= 1 else None
        except PdfiumError:
            return None
        return (_turned_image(image, turn), scale) if image is not None else None
    if kind is FileKind.OFD:
        scale = dpi / 72
        try:
            ofd = read_ofd(data, None)  # these bytes passed the limits when they were read
        except OfdError:
            return None
        if not 1 <= page <= len(ofd.pages):
            return None
        return render_ofd_page(ofd, page, scale), scale
    if kind in IMAGE_KINDS:
        frames = image_frames(data)
        if not 1 <= page <= len(frames):
            return None
        return _turned_image(frames[page - 1].convert("RGB"), turn), 1.0
    return None


def _turned_image(image: Image.Image, turn: int) -> Image.Image:
    return image.rotate(-turn, expand=True) if turn else image


def _read_image(doc: ReadDocument, settings: ReadSettings, engine: EngineSource) -> None:
    limit = settings.limits.max_pixels  # checked on each frame's header, before it is decoded
    try:
        frames = image_frames(doc.upload.data, limit)
    except TooManyPixels as big:
        doc.errors.append(f"第 {big.page} 页图像 {big.width:,}×{big.height:,} 像素，超过上限 {limit:,} 像素")
        return
    except Image.DecompressionBombError:
        doc.errors.append(f"图像像素超过上限 {limit:,}")
        return
    except Exception:
        doc.errors.append("图像文件损坏（不完整或格式错误），无法打开")
        return
    if len(frames) > settings.limits.max_pages:
        doc.errors.append(f"页数 {len(frames)} 超过上限 {settings.limits.max_pages}")
        return
    for number, frame in enumerate(frames, 1):
        image, words, skew, turn = upright_ocr(engine, np.asarray(frame.convert("RGB")), settings)
        _note_background(doc, number, image)
        grey = colourless(image)
        doc.pages.append(Page(number=number, width=float(image.shape[1]), height=float(image.shape[0]),
                              unit="px", source=Source.OCR, words=words, skew=skew, turn=turn,
                              images=unread_ink(image, words), grey=grey))
        _seals_of(doc, image, number, 1.0, grey)
        doc.codes.extend(_codes(image, number, 1.0))


# --- structured e-invoices -----------------------------------------------------------------


def _read_ofd(doc: ReadDocument, settings: ReadSettings, engine: EngineSource) -> None:
    """An OFD's pages as positioned text (source ``ofd``), its invoice data, and the QR
    code: from the invoice data where it gives the text, else decoded from the page."""
    try:
        ofd = read_ofd(doc.upload.data, settings.limits)
    except OfdError as e:
        doc.errors.append(str(e))
        return
    doc.pages = ofd.pages
    doc.notes.extend(ofd.notes)
    doc.structured = from_ofd(ofd)
    doc.codes.extend(_given_code(doc.structured))
    scale = settings.dpi / 72
    for page in ofd.pages:
        if not any(_may_be_qr(box, page.height) for box in page.images):
            continue
        image = render_ofd_page(ofd, page.number, scale)
        doc.codes.extend(_codes(np.asarray(image), page.number, 1 / scale))


def _read_xml(doc: ReadDocument, settings: ReadSettings, engine: EngineSource) -> None:
    """An XML file: a 数电 invoice (or an e-invoice part uploaded alone) is read exactly,
    with no pages; any other XML is read as having no text of a known document."""
    root = parse_xml(doc.upload.data)
    if root is None:
        doc.errors.append("XML 文件格式错误，无法解析")
        return
    doc.structured = from_xml(root)
    doc.codes.extend(_given_code(doc.structured))


def _given_code(structured: Structured | None) -> list[Code]:
    """The QR text a structured invoice carries itself (an eInvoice's GraphCode), if any."""
    given = structured.values.get("qr", "") if structured is not None else ""
    return [Code(page=None, bbox=None, text=given)] if qr.is_invoice_code(given) else []


def _may_be_qr(box: BBox, page_height: float) -> bool:
    """An image about square, 10 to 45 mm wide, in the upper part of the page: where an
    invoice prints its QR code (a seal lower down is not worth a second rendering)."""
    w, h = box[2] - box[0], box[3] - box[1]
    return 28 <= w <= 130 and 28 <= h <= 130 and 0.7 <= w / h <= 1.4 and box[1] < page_height * QR_ZONE


def _codes(image: np.ndarray, page: int, factor: float) -> list[Code]:
    return [Code(page=page, bbox=_rounded(_scaled_box(box, factor)), text=text)
            for text, box in qr.decode(image) if qr.is_invoice_code(text)]


def _rounded(box: BBox) -> BBox:
    return (round(box[0], 1), round(box[1], 1), round(box[2], 1), round(box[3], 1))


# --- which way up ---------------------------------------------------------------------------


def turned(image: np.ndarray, turn: int) -> np.ndarray:
    """``image`` turned ``turn`` degrees clockwise."""
    return np.ascontiguousarray(np.rot90(image, k=-(turn // 90))) if turn else image


def upright_ocr(engine: EngineSource, image: np.ndarray,
                settings: ReadSettings) -> tuple[np.ndarray, list[Word], float, int]:
    """A page image read the right way up: the image as read, its words, the skew levelled
    and the clockwise turn it needed (0 unless the page was sideways or upside down)."""
    words, skew = ocr_page_with_skew(engine(), image, settings.preprocess)
    best = (uprightness(words), image, words, skew, 0)
    for turn in reading_turns(words):
        again = turned(image, turn)
        other, other_skew = ocr_page_with_skew(engine(), again, settings.preprocess)
        if uprightness(other) > best[0]:
            best = (uprightness(other), again, other, other_skew, turn)
    return best[1], best[2], best[3], best[4]


def _note_background(doc: ReadDocument, number: int, image: np.ndarray) -> None:
    if has_background(image):
        doc.notes.append(f"第 {number} 页四周有纸面以外的背景（拍照件、截图，或扫描时未放正、未盖好），"
                         "已读取；识别结果请留意核对")


# --- helpers --------------------------------------------------------------------------------


def _scaled(word: Word, factor: float) -> Word:
    x0, y0, x1, y1 = word.bbox
    return Word(text=word.text, bbox=(x0 * factor, y0 * factor, x1 * factor, y1 * factor),
                confidence=word.confidence)


def _crop(image: np.ndarray, box: BBox) -> np.ndarray:
    """The part of a page image (rendered at 72 dpi, so a pixel is a point) under ``box``."""
    x0, y0, x1, y1 = (max(0, round(v)) for v in box)
    return image[y0:max(y1, y0 + 1), x0:max(x1, x0 + 1)]


def _scaled_box(box: BBox, factor: float) -> BBox:
    return (box[0] * factor, box[1] * factor, box[2] * factor, box[3] * factor)


def _seals_of(doc: ReadDocument, image: np.ndarray, number: int, factor: float, grey: bool) -> None:
    """The seals of page ``number`` onto ``doc``, and whether the page has a red mark of a
    seal's size that is not one of them (a seal photographed askew or smudged)."""
    boxes, marks = (detect_grey_seals(image), []) if grey else red_seals_and_marks(image)
    found = _seals(boxes, number, factor)
    doc.seals.extend(found)
    if any(not any(_overlap(_scaled_box(mark, factor), s.bbox) for s in found) for mark in marks):
        doc.pages[-1].red_marks = True


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


def _seals(boxes: list[SealBox], page: int, factor: float) -> list[Seal]:
    """Seals found on a page image (red ones, or on a page without colour the round ones
    printed in grey) in page units (pixels × ``factor``)."""
    out = []
    for found in boxes:
        x0, y0, x1, y1 = found.bbox
        out.append(Seal(page=page, bbox=(round(x0 * factor, 1), round(y0 * factor, 1),
                                         round(x1 * factor, 1), round(y1 * factor, 1)),
                        confidence=round(found.confidence, 3)))
    return out


BACKENDS: dict[FileKind, Backend] = {
    FileKind.PDF: _read_pdf,
    FileKind.PNG: _read_image,
    FileKind.JPEG: _read_image,
    FileKind.TIFF: _read_image,
    FileKind.OFD: _read_ofd,
    FileKind.XML: _read_xml,
}
"""The one mapping from a file's kind (as its bytes say) to the reader of that kind."""
