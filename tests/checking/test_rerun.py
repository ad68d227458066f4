"""A second run over an unchanged inbox reads nothing again and writes the same reports."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import numpy as np

from checking.batch import check_inbox
from model.document import Word
from policy.rules import load_rules
from reading.cache import ReadCache
from reading.ocr import OcrEngine
from reading.session import Reader
from tests.sample_docs.corpus import INBOX, truths


class CountingEngine:
    """The real engine, counting the pages it is asked to read."""

    def __init__(self, engine: OcrEngine) -> None:
        self.engine = engine
        self.name = engine.name
        self.pages = 0

    def read(self, image: np.ndarray) -> list[Word]:
        self.pages += 1
        return self.engine.read(image)


def _inbox(tmp_path: Path) -> Path:
    """One application with a text contract and a scanned document."""
    truth = next(t for t in truths() if t["clean"] and not t["zipped"])
    source = INBOX / truth["application_id"]
    scan = next(n for n, f in truth["files"].items() if f["scan"] in ("jpg", "png"))
    text = next(n for n, f in truth["files"].items() if f["scan"] is None and f["doc_type"] == "contract")
    folder = tmp_path / "inbox" / truth["application_id"]
    folder.mkdir(parents=True)
    for name in ("application.yaml", scan, text):
        shutil.copy(source / name, folder / name)
    return folder


def _run(folder: Path, cache: Path, out: Path) -> tuple[int, dict[str, object]]:
    reader = Reader(load_rules(), ReadCache(cache))
    counting = CountingEngine(reader.engine())
    reader._engine = counting
    [report] = check_inbox(folder.parent, out, date(2025, 8, 1), reader.rules, reader).reports
    data = json.loads(report.model_dump_json())
    data.pop("checked_at")
    return counting.pages, data


def test_second_run_does_no_ocr_and_gives_the_same_report(tmp_path: Path) -> None:
    folder = _inbox(tmp_path)
    first_pages, first = _run(folder, tmp_path / "cache", tmp_path / "out")
    second_pages, second = _run(folder, tmp_path / "cache", tmp_path / "out")
    assert first_pages >= 1
    assert second_pages == 0
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
