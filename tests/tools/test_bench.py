"""The speed bench's in-process steps on one scanned image and one text-layer PDF: every
figure is a ratio to the raw engine of the same run; nothing here asserts seconds."""

from __future__ import annotations

import math

import pytest

from policy.rules import load_rules
from reading.ocr import make_engine
from tests.sample_docs.corpus import inbox_files, text_pdf, truths
from tools.bench import Bench, Row, table


def _smallest(scan: bool) -> tuple[str, bytes]:
    """The smallest readable corpus upload that the truth calls a scanned image (JPEG or PNG),
    or a text-layer file."""
    found: list[tuple[str, bytes]] = []
    for truth in truths():
        files = truth["files"]
        for name, data in inbox_files(truth["application_id"]):
            expected = files.get(name)
            if expected is None or expected.get("unreadable"):
                continue
            if (expected["scan"] in ("jpg", "png")) if scan else text_pdf(expected):
                found.append((name, data))
    return min(found, key=lambda f: len(f[1]))


@pytest.fixture(scope="module")
def measured() -> tuple[Bench, dict[str, Row]]:
    rules = load_rules()
    bench = Bench(rules, make_engine(rules.reading.ocr_engine))
    bench.warm_up()
    scan = bench.file(*_smallest(scan=True))
    text = bench.file(*_smallest(scan=False))
    assert scan.ocr_pages >= 1 and scan.skipped is None
    assert text.ocr_pages == 0 and text.pages >= 1 and text.skipped is None
    return bench, {row.key: row for row in bench.rows()}


@pytest.mark.slow
def test_every_step_is_a_positive_finite_ratio_to_the_raw_engine(
        measured: tuple[Bench, dict[str, Row]]) -> None:
    bench, rows = measured
    assert bench.raw.pages >= 1
    assert bench.raw.per_page > 0
    assert {"raw", "ocr", "prepare", "full", "render", "seals", "text", "extract"} <= set(rows)
    for row in rows.values():
        assert isinstance(row.ratio, float), row
        assert math.isfinite(row.ratio) and row.ratio > 0, row
        assert row.pages >= 1, row
    assert rows["raw"].ratio == pytest.approx(1.0)


@pytest.mark.slow
def test_a_text_layer_page_costs_less_than_a_scanned_page(measured: tuple[Bench, dict[str, Row]]) -> None:
    _, rows = measured
    assert rows["text"].ratio < rows["full"].ratio


@pytest.mark.slow
def test_the_table_has_a_line_per_step(measured: tuple[Bench, dict[str, Row]]) -> None:
    _, rows = measured
    lines = table(list(rows.values())).splitlines()
    assert lines[0] == "| step | pages | s/page | ratio to raw engine |"
    assert len(lines) == 2 + len(rows)
