"""Extraction accuracy against ground truth, with real OCR on real scans.

The bars are those the product promises: document type 100% on text PDFs and ≥ 97% on
scans; fields ≥ 98% on text PDFs and ≥ 92% on scans, every contract field counted.
They must hold on the committed corpus and on a corpus made here with another seed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reading.session import Reader
from tests.conftest import SAMPLE_DOCS
from tools.evaluate import Score, evaluate

BARS = {"text": (1.0, 0.98), "scan": (0.97, 0.92)}


@pytest.fixture
def reader(corpus_reader: Reader) -> Reader:
    return corpus_reader


def _check(score: Score) -> None:
    for kind, (type_bar, field_bar) in BARS.items():
        assert score.doc_type[kind].total > 0, f"no {kind} documents scored"
        misses = "\n".join(m for m in score.misses if f"[{kind}]" in m or "type" in m)[:4000]
        assert score.doc_type[kind].share >= type_bar, f"{kind} doc type {score.doc_type[kind]}\n{misses}"
        assert score.fields[kind].share >= field_bar, f"{kind} fields {score.fields[kind]}\n{misses}"


@pytest.mark.slow
def test_sample_corpus_meets_the_bars(reader: Reader) -> None:
    _check(evaluate(SAMPLE_DOCS, reader))


@pytest.mark.slow
def test_a_corpus_no_one_tuned_on_meets_the_bars(reader: Reader, untuned_corpus: Path) -> None:
    _check(evaluate(untuned_corpus, reader))
