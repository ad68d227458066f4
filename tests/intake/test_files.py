"""Taking uploads in: the type comes from the bytes, limits and empty files are errors."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from intake.files import sniff, take_in, write_atomic
from model.base import FileKind
from policy.rules import load_rules
from tests.sample_docs.corpus import inbox_files, truths


def _image(fmt: str) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buf, fmt)
    return buf.getvalue()


@pytest.mark.parametrize(("data", "kind"), [
    (b"%PDF-1.7\n...", FileKind.PDF),
    (b"\n\n%PDF-1.4 leading junk lines", FileKind.PDF),
    (_image("PNG"), FileKind.PNG),
    (_image("JPEG"), FileKind.JPEG),
    (_image("TIFF"), FileKind.TIFF),
    (b"<?xml version='1.0'?><Invoice/>", FileKind.XML),
    (b"GIF89a....", FileKind.UNKNOWN),
    (b"", FileKind.UNKNOWN),
])
def test_sniff(data: bytes, kind: FileKind) -> None:
    assert sniff(data) is kind


def test_a_name_that_lies_is_read_as_what_it_is() -> None:
    lying = [(t["application_id"], n) for t in truths() for n, f in t["files"].items()
             if n.endswith(".png") and f["scan"] == "jpg"]
    assert lying, "the corpus holds a JPEG named .png"
    app_id, name = lying[0]
    assert sniff(dict(inbox_files(app_id))[name]) is FileKind.JPEG


def test_errors_are_recorded_not_raised() -> None:
    limits = load_rules().limits
    assert take_in("空.pdf", b"", limits).errors == ["文件为空（0 字节）"]
    assert "无法识别" in take_in("a.doc", b"\xd0\xcf\x11\xe0 word", limits).errors[0]
    big = limits.model_copy(update={"max_file_bytes": 10})
    assert "超过上限" in take_in("big.pdf", b"%PDF-1.7" + b"0" * 20, big).errors[0]
    ok = take_in("发票.pdf", b"%PDF-1.7 fine", limits)
    assert ok.readable and len(ok.sha256) == 64


def test_a_file_is_written_whole_or_not_at_all(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "report.json"
    write_atomic(target, b"old")
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    with pytest.raises(TypeError):  # the write itself fails, after the temporary file was made
        write_atomic(target, None)  # type: ignore[arg-type]
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.json"]  # no temporary left
