"""Reading in worker processes (``reading.workers.ReadPool``) with a time limit: the same
result as reading in-process, a timed-out read as an error that is never cached, a pool
that goes on after killing a worker, and unreadable uploads kept out of the pool.

The pools are real ``spawn`` pools running the real OCR engine; files are picked from the
corpus by their ground truth, never by name.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from intake.files import IMAGE_KINDS, take_in
from model.base import FileKind, Source
from policy.rules import Rules, load_rules
from reading.cache import ReadCache
from reading.ocr import make_engine
from reading.reader import EngineSource, ReadDocument, ReadSettings, read_upload
from reading.session import Reader
from reading.workers import ReadPool, can_start_processes
from tests.sample_docs.corpus import inbox_files, truths

SLOW_LIMIT = 0.3
"""Seconds: far less than any OCR read (loading the engine alone takes longer)."""

Picked = tuple[str, bytes]


@functools.cache
def _corpus() -> list[tuple[str, bytes, dict]]:
    """(file name, bytes, truth) of every corpus file that has ground truth."""
    out = []
    for truth in truths():
        files = dict(inbox_files(truth["application_id"]))
        out += [(name, files[name], f) for name, f in truth["files"].items() if name in files]
    return out


def _text_pdf() -> Picked:
    """A text-layer PDF with seals on it, so seals are compared too."""
    for name, data, f in _corpus():
        if f["scan"] is None and f["doc_type"] != "other" and f["seals"] and data.startswith(b"%PDF"):
            return name, data
    raise LookupError("no text-layer PDF with seals in the corpus")


def _scanned_image() -> Picked:
    """The smallest scanned image (quickest to OCR), preferring one with seals."""
    rules = load_rules()
    images = [(len(data), bool(f["seals"]), name, data) for name, data, f in _corpus()
              if f["scan"] is not None and take_in(name, data, rules.limits).kind in IMAGE_KINDS]
    assert images, "no scanned image in the corpus"
    with_seals = [i for i in images if i[1]] or images
    _, _, name, data = min(with_seals, key=lambda i: i[0])
    return name, data


def _largest_scan() -> Picked:
    _, name, data = max((len(data), name, data) for name, data, f in _corpus() if f["scan"] is not None)
    return name, data


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rules() -> Rules:
    return load_rules()


@pytest.fixture(scope="module")
def settings(rules: Rules) -> ReadSettings:
    return ReadSettings.from_rules(rules.reading, rules.limits)


@pytest.fixture(scope="module")
def pool(rules: Rules) -> Iterator[ReadPool]:
    """One worker with the rules' time limit, shared by the module (each spawn costs seconds)."""
    with ReadPool(1, rules.reading.ocr_engine, rules.reading.file_timeout_seconds) as p:
        yield p


@pytest.fixture(scope="module")
def slow_pool(rules: Rules) -> Iterator[ReadPool]:
    """One worker whose time limit no OCR read can meet."""
    with ReadPool(1, rules.reading.ocr_engine, SLOW_LIMIT) as p:
        yield p


@pytest.fixture(scope="module")
def engine(rules: Rules) -> EngineSource:
    """The in-process engine the pool's results are compared with, loaded on first need."""
    return functools.cache(lambda: make_engine(rules.reading.ocr_engine))


def _in_process(name: str, data: bytes, rules: Rules, settings: ReadSettings,
                engine: EngineSource) -> ReadDocument:
    return read_upload(take_in(name, data, rules.limits), settings, engine)


def _words(doc: ReadDocument) -> list[tuple[int, float, float, str, list[tuple[str, tuple]]]]:
    return [(p.number, p.width, p.height, p.source.value, [(w.text, tuple(w.bbox)) for w in p.words])
            for p in doc.pages]


def _assert_same_read(got: ReadDocument, expected: ReadDocument) -> None:
    assert got.errors == expected.errors
    assert _words(got) == _words(expected)
    assert got.seals == expected.seals


# --- the same result as in-process ----------------------------------------------------------


@pytest.mark.parametrize("pick, source", [(_text_pdf, Source.TEXT), (_scanned_image, Source.OCR)],
                         ids=["text-pdf", "scanned-image"])
def test_pool_read_matches_the_in_process_read(pick: Callable[[], Picked], source: Source, pool: ReadPool,
                                               rules: Rules, settings: ReadSettings,
                                               engine: EngineSource) -> None:
    name, data = pick()
    expected = _in_process(name, data, rules, settings, engine)
    assert not expected.errors and expected.pages
    assert all(p.source is source for p in expected.pages)
    assert any(p.words for p in expected.pages)
    assert expected.seals  # both picks carry seals, so comparing them means something

    upload = take_in(name, data, rules.limits)
    doc, complete = pool.read(upload, settings)

    assert complete is True
    _assert_same_read(doc, expected)
    # the worker sends no bytes back; the caller puts its upload back on the result
    assert doc.upload is upload
    assert doc.upload.data == data and doc.upload.sha256 == upload.sha256
    assert doc.from_cache is False


def test_reader_with_a_pool_reads_like_the_in_process_reader(pool: ReadPool, rules: Rules,
                                                             settings: ReadSettings,
                                                             engine: EngineSource) -> None:
    name, data = _text_pdf()
    expected = _in_process(name, data, rules, settings, engine)
    doc = Reader(rules, pool=pool).read(name, data)
    _assert_same_read(doc, expected)
    assert doc.upload.name == name and doc.upload.data == data
    assert doc.upload.kind is FileKind.PDF


# --- time limit -----------------------------------------------------------------------------


def _assert_timed_out(doc: ReadDocument) -> None:
    assert len(doc.errors) == 1
    assert "读取超时" in doc.errors[0]
    assert f"{SLOW_LIMIT:g}" in doc.errors[0]
    assert doc.pages == [] and doc.seals == []


def test_timed_out_read_is_an_error_and_the_pool_goes_on(slow_pool: ReadPool, rules: Rules,
                                                         settings: ReadSettings,
                                                         engine: EngineSource) -> None:
    name, data = _largest_scan()
    upload = take_in(name, data, rules.limits)
    assert upload.readable

    doc, complete = slow_pool.read(upload, settings)

    assert complete is False
    _assert_timed_out(doc)
    assert doc.upload is upload and doc.upload.data == data

    # the killed worker has been replaced: the same pool reads the next file
    small_name, small_data = _text_pdf()
    expected = _in_process(small_name, small_data, rules, settings, engine)
    slow_pool.timeout_seconds = rules.reading.file_timeout_seconds
    try:
        after, complete = slow_pool.read(take_in(small_name, small_data, rules.limits), settings)
    finally:
        slow_pool.timeout_seconds = SLOW_LIMIT
    assert complete is True
    _assert_same_read(after, expected)
    assert after.pages


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.json"))


def test_timed_out_read_leaves_no_cache_entry(slow_pool: ReadPool, rules: Rules,
                                              tmp_path: Path) -> None:
    name, data = _largest_scan()
    cache = ReadCache(tmp_path)
    for _ in range(2):  # the second read is not served a cached timeout either
        doc = Reader(rules, cache=cache, pool=slow_pool).read(name, data)
        _assert_timed_out(doc)
        assert doc.from_cache is False
        assert _entries(tmp_path) == []
    assert cache.hits == 0


@pytest.mark.slow  # OCRs the smallest scan for real, once (any OCR read outlasts SLOW_LIMIT)
def test_timed_out_read_is_read_afresh_later(slow_pool: ReadPool, pool: ReadPool, rules: Rules,
                                      tmp_path: Path) -> None:
    name, data = _scanned_image()
    cache = ReadCache(tmp_path)

    timed_out = Reader(rules, cache=cache, pool=slow_pool).read(name, data)
    _assert_timed_out(timed_out)
    assert timed_out.from_cache is False
    assert _entries(tmp_path) == []

    # a reader with a normal pool and the same cache reads the file afresh, then caches it
    fresh = Reader(rules, cache=cache, pool=pool).read(name, data)
    assert fresh.from_cache is False
    assert not fresh.errors and fresh.pages
    assert len(_entries(tmp_path)) == 1

    again = Reader(rules, cache=cache, pool=pool).read(name, data)
    assert again.from_cache is True
    assert _words(again) == _words(fresh) and again.seals == fresh.seals


# --- unreadable uploads and set-up ----------------------------------------------------------


@pytest.mark.parametrize("data, error", [(b"", "文件为空"),
                                         (b"\x00\x01garbage bytes" * 40, "无法识别的二进制文件")],
                         ids=["empty", "garbage"])
def test_unreadable_upload_never_goes_to_the_pool(data: bytes, error: str, rules: Rules,
                                                  tmp_path: Path) -> None:
    unstarted = ReadPool(1, rules.reading.ocr_engine, SLOW_LIMIT)
    try:
        doc = Reader(rules, cache=ReadCache(tmp_path), pool=unstarted).read("材料.pdf", data)
        assert doc.errors == take_in("材料.pdf", data, rules.limits).errors
        assert len(doc.errors) == 1 and error in doc.errors[0]
        assert doc.pages == [] and doc.from_cache is False
        assert doc.upload.data == data
        assert unstarted._pool is None  # no process was ever started for it
        assert _entries(tmp_path) == []
    finally:
        unstarted.close()


@pytest.mark.parametrize("workers", [0, -1])
def test_a_pool_needs_at_least_one_worker(workers: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        ReadPool(workers, "rapidocr", 10)


def test_the_test_process_can_start_processes() -> None:
    assert can_start_processes() is True

