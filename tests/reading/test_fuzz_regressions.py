"""Every input ``make fuzz`` once found a problem with is read again, as the batch reads it
(in a worker process with a time limit): it must now read, or be refused in plain Chinese."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake.files import take_in
from policy.rules import load_rules
from reading.reader import ReadDocument, ReadSettings
from reading.workers import ReadPool
from tools.fuzz import problem_of

FOUND = sorted((Path(__file__).resolve().parents[1] / "fuzz_regressions").glob("*.bin"))


@pytest.mark.parametrize("path", FOUND, ids=[p.name for p in FOUND])
def test_a_fuzz_finding_stays_fixed(path: Path) -> None:
    rules = load_rules()
    upload = take_in(path.name, path.read_bytes(), rules.limits)
    if not upload.readable:
        doc = ReadDocument(upload=upload, errors=upload.errors)
    else:
        with ReadPool(1, rules.reading.ocr_engine, 120) as pool:
            doc = pool.read(upload, ReadSettings.from_rules(rules.reading, rules.limits))[0]
    assert problem_of(doc) is None, doc.errors


def test_problems_are_recognised() -> None:
    """The fuzz run's judge: a crash, a time-out and English are problems; a plain refusal is not."""
    rules = load_rules()
    upload = take_in("x.pdf", b"%PDF-1.4 broken", rules.limits)

    def judged(error: str) -> str | None:
        return problem_of(ReadDocument(upload=upload, errors=[error]))

    assert judged("PDF 文件损坏（不完整或结构错误），无法打开") is None
    assert judged("读取超时：超过 60 秒仍未读完，已放弃该文件") == "timeout"
    assert judged("读取进程异常退出（被 SIGSEGV 终止），该文件未能处理") == "crash"
    assert (judged("读取失败：PdfminerException: bad") or "").startswith("not plain")
