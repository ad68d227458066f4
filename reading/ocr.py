"""Reading words off a page image: RapidOCR and Tesseract behind one small interface.

``make_engine`` builds an engine by name; ``ocr_page_with_skew`` cleans the image (``reading.preprocess``),
reads it and returns ``Word``s in the pixels of the image it was given, in reading order;
``ocr_page_with_skew`` also returns the angle the page was levelled by.
"""

from __future__ import annotations

import itertools
import os
import re
import statistics
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from model.base import BBox
from model.document import Word
from reading.preprocess import Preprocess, as_rgb, prepare, unrotate_box


class OcrEngine(Protocol):
    """Reads the text lines of one RGB ``uint8`` page image.

    ``read`` returns one ``Word`` per line or line segment, its ``bbox`` in pixels of that
    image, ``confidence`` in 0..1, in reading order (top to bottom, left to right).
    """

    name: str

    def read(self, image: np.ndarray) -> list[Word]: ...


# --- text clean-up both engines need ----------------------------------------------------

# Full-width digits and letters as half-width; ￥ as ¥. Chinese punctuation (：，（）) stays:
# documents print it and the extractors match it as printed.
_HALF_WIDTH: dict[int, int | str] = {
    **{code: code - 0xFEE0 for code in range(ord("０"), ord("９") + 1)},
    **{code: code - 0xFEE0 for code in range(ord("Ａ"), ord("Ｚ") + 1)},
    **{code: code - 0xFEE0 for code in range(ord("ａ"), ord("ｚ") + 1)},
    ord("￥"): "¥",
    ord("\u3000"): " ",
}
_SPACES = re.compile(r"\s+")
# RapidOCR reads the ASCII separators of an amount inside a Chinese sentence as full-width
# (¥24，397，824.00); between two digits they can only be separators.
_DIGIT_SEPARATORS = re.compile(r"(?<=\d)[，．](?=\d)")
_ASCII_SEPARATOR = {"，": ",", "．": "."}
# Ideographs and the full-width punctuation set between them (：，（）、。).
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def normalize_text(text: str) -> str:
    """``text`` with full-width digits, letters and ￥ made half-width, a full-width comma or
    full stop between digits made ASCII, runs of white space made one space, and stripped."""
    text = _DIGIT_SEPARATORS.sub(lambda m: _ASCII_SEPARATOR[m.group()], text.translate(_HALF_WIDTH))
    return _SPACES.sub(" ", text).strip()


def is_cjk(char: str) -> bool:
    return bool(_CJK.fullmatch(char))


def words_in_reading_order(words: Iterable[Word]) -> list[Word]:
    """``words`` top to bottom by line, each line left to right.

    A word joins the line above it when its vertical centre lies within half a line height
    of that line's centre, so cells of one table row stay together although their boxes
    differ by a few pixels.
    """
    lines: list[list[Word]] = []
    centres: list[float] = []
    for word in sorted(words, key=lambda w: (w.bbox[1] + w.bbox[3]) / 2):
        centre = (word.bbox[1] + word.bbox[3]) / 2
        height = word.bbox[3] - word.bbox[1]
        if lines:
            line_height = statistics.median(w.bbox[3] - w.bbox[1] for w in lines[-1])
            if abs(centre - centres[-1]) <= min(height, line_height) / 2:
                lines[-1].append(word)
                centres[-1] = statistics.fmean((w.bbox[1] + w.bbox[3]) / 2 for w in lines[-1])
                continue
        lines.append([word])
        centres.append(centre)
    ordered = sorted(zip(centres, lines, strict=True), key=lambda pair: pair[0])
    return [w for _, line in ordered for w in sorted(line, key=lambda w: w.bbox[0])]


def _clip(box: tuple[float, float, float, float], width: int, height: int) -> BBox:
    x0, y0, x1, y1 = box
    return (
        min(max(x0, 0.0), width), min(max(y0, 0.0), height),
        min(max(x1, 0.0), width), min(max(y1, 0.0), height),
    )


# --- RapidOCR ---------------------------------------------------------------------------

_rapidocr_lock = threading.Lock()
_rapidocr_cache: dict[int | None, Any] = {}
_rapidocr_calls = threading.Lock()


def _rapidocr(threads: int | None) -> Any:
    """The process's RapidOCR instance for ``threads``, made on first use.

    Importing rapidocr costs 1.2-1.6 s and loading its models about 2 s and 0.6 GB, so this
    happens once, and only when a page actually needs OCR.
    """
    with _rapidocr_lock:
        if threads not in _rapidocr_cache:
            from rapidocr import RapidOCR

            params: dict[str, Any] = {"Global.log_level": "warning"}
            if threads is not None:
                params["EngineConfig.onnxruntime.intra_op_num_threads"] = threads
                params["EngineConfig.onnxruntime.inter_op_num_threads"] = 1
            # Model types stay the defaults: only the bundled models exist offline, and any
            # other type makes RapidOCR try a download.
            _rapidocr_cache[threads] = RapidOCR(params=params)
        return _rapidocr_cache[threads]


def _thread_count(threads: int | None) -> int | None:
    if threads is None:
        return None
    if threads < 1:
        raise ValueError(f"threads must be at least 1, not {threads}")
    # onnxruntime silently ignores a count above the CPUs, leaving its own default.
    return min(threads, os.cpu_count() or 1)


class RapidOcrEngine:
    """PP-OCR detection and recognition models run by onnxruntime, from RapidOCR's bundle."""

    name = "rapidocr"

    def __init__(self, threads: int | None = None) -> None:
        self.threads = _thread_count(threads)

    def read(self, image: np.ndarray) -> list[Word]:
        # RapidOCR takes an array as BGR, the order its models were trained on.
        bgr = np.ascontiguousarray(as_rgb(image)[:, :, ::-1])
        # One page at a time per instance: onnxruntime's Run is thread-safe, but RapidOCR's
        # detector swaps its preprocessing object on every call. Threads share an engine
        # only when reading in-process (a Dask worker); the reading processes have one each.
        with _rapidocr_calls:
            result = _rapidocr(self.threads)(bgr)
        if result.boxes is None or result.txts is None or result.scores is None:
            return []
        height, width = image.shape[:2]
        words = []
        for points, raw, score in zip(result.boxes, result.txts, result.scores, strict=True):
            text = normalize_text(raw)
            if not text:
                continue
            xs, ys = points[:, 0], points[:, 1]
            box = _clip((float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max())), width, height)
            words.append(Word(text=text, bbox=box, confidence=min(max(float(score), 0.0), 1.0)))
        return words_in_reading_order(words)


# --- Tesseract --------------------------------------------------------------------------

TESSERACT_PSM = 4
"""Page segmentation mode: 4 (one column of lines) found 67 of 107 key strings on ten corpus
scans, 6 (one uniform block) 57: psm 6 loses ruled tables."""
_SEGMENT_GAP = 1.5
"""A gap between two tokens of a line wider than this many line heights starts a new word:
a label and its value, or two table cells, as RapidOCR reports them."""


@dataclass(frozen=True)
class _Token:
    text: str
    box: BBox
    conf: float


def _tokens_to_words(tokens: list[_Token]) -> list[Word]:
    """The tokens of one Tesseract line as words: split at wide gaps, joined without a space
    next to a CJK character and with one between Latin and digit runs."""
    height = statistics.median(t.box[3] - t.box[1] for t in tokens)
    segments: list[list[_Token]] = [[tokens[0]]]
    for prev, token in itertools.pairwise(tokens):
        if token.box[0] - prev.box[2] > _SEGMENT_GAP * height:
            segments.append([token])
        else:
            segments[-1].append(token)
    words = []
    for segment in segments:
        text = segment[0].text
        for token in segment[1:]:
            # Tesseract spaces every CJK character apart, and from the digits and
            # punctuation beside it; RapidOCR reports the same print without those spaces.
            joint = "" if is_cjk(text[-1]) or is_cjk(token.text[0]) else " "
            text += joint + token.text
        box = (
            min(t.box[0] for t in segment), min(t.box[1] for t in segment),
            max(t.box[2] for t in segment), max(t.box[3] for t in segment),
        )
        conf = statistics.fmean(t.conf for t in segment) / 100
        words.append(Word(text=text, bbox=box, confidence=min(max(conf, 0.0), 1.0)))
    return words


class TesseractEngine:
    """Tesseract 5 with its chi_sim and eng models, through pytesseract.

    ``threads`` is accepted for the common factory but not used: Tesseract's own OpenMP
    threads made it slower (6.7 s against 2.8 s a page), so each call runs on one thread and
    parallelism belongs to the caller, one page per process.
    """

    name = "tesseract"

    def __init__(self, threads: int | None = None, lang: str = "chi_sim+eng",
                 psm: int = TESSERACT_PSM, timeout: float = 120) -> None:
        self.threads = _thread_count(threads)
        self.lang = lang
        self.psm = psm
        self.timeout = timeout

    def read(self, image: np.ndarray) -> list[Word]:
        import pytesseract

        # pytesseract hands os.environ to the tesseract process; the variable only matters to
        # that child (this process's OpenMP, if any, read it at start-up), so it is set for
        # good rather than set and restored, which would race between threads.
        os.environ["OMP_THREAD_LIMIT"] = "1"
        data = pytesseract.image_to_data(
            image, lang=self.lang, config=f"--psm {self.psm}",
            output_type=pytesseract.Output.DICT, timeout=self.timeout,
        )
        height, width = image.shape[:2]
        lines: dict[tuple[int, int, int], list[_Token]] = {}
        for i, raw in enumerate(data["text"]):
            text = normalize_text(raw)
            conf = float(data["conf"][i])
            if data["level"][i] != 5 or not text or conf < 0:
                continue
            left, top = float(data["left"][i]), float(data["top"][i])
            box = _clip((left, top, left + data["width"][i], top + data["height"][i]), width, height)
            key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
            lines.setdefault(key, []).append(_Token(text, box, conf))
        words = [w for tokens in lines.values() for w in _tokens_to_words(tokens)]
        return words_in_reading_order(words)


# --- the factory and the one call callers make ------------------------------------------

ENGINES: dict[str, Callable[[int | None], OcrEngine]] = {
    RapidOcrEngine.name: RapidOcrEngine,
    TesseractEngine.name: TesseractEngine,
}
"""Every OCR engine by name; the single list of what ``make_engine`` can build."""


def make_engine(name: str, threads: int | None = None) -> OcrEngine:
    """The engine called ``name``, using at most ``threads`` CPU threads (None: its default).

    Raises ``ValueError`` naming the choices for an unknown name. Models load on first read.
    """
    try:
        factory = ENGINES[name]
    except KeyError:
        raise ValueError(f"unknown OCR engine {name!r}; choose one of: {', '.join(ENGINES)}") from None
    return factory(threads)


def ocr_page_with_skew(engine: OcrEngine, image: np.ndarray,
                       settings: Preprocess) -> tuple[list[Word], float]:
    """The words of ``image`` (RGB ``uint8``), read by ``engine`` after cleaning it as
    ``settings`` ask, with boxes in pixels of ``image`` itself; and the angle the page was
    turned by to level it (cv2's sign, 0.0 if it was not turned).

    Reading order is taken on the levelled image. A box is the axis-aligned box of the
    levelled box's corners turned back, so on a skewed page it is taller than the text by up
    to its width times the sine of the angle; its centre is exact.
    """
    prepared, angle = prepare(image, settings)
    words = engine.read(prepared)
    if angle == 0:
        return words, 0.0
    height, width = image.shape[:2]
    return [
        Word(text=w.text, bbox=unrotate_box(w.bbox, angle, (width, height)), confidence=w.confidence)
        for w in words
    ], angle
