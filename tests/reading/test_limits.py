"""Every limit comes from the rules file, and a document over one gets a reason, not a hang:
file size, pages, pixels (images and rendered PDF pages), the manifest's size, zip entries,
and the time a file may take to read (OCR included)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from intake.inbox import InboxError, load_input
from policy.rules import DEFAULT_RULES, Rules, load_rules
from reading.session import Reader
from reading.workers import ReadPool
from tests.flows.bad_inputs import corpus_file


def _rules(tmp_path: Path, **values: str) -> Rules:
    """The bundled rules file with some of its values changed, loaded from its own path."""
    text = DEFAULT_RULES.read_text(encoding="utf-8")
    for key, value in values.items():
        text, n = re.subn(rf"^(\s+{key}:)\s*[^#\n]+", rf"\g<1> {value}  ", text, count=1, flags=re.MULTILINE)
        assert n == 1, key
    path = tmp_path / f"rules-{len(list(tmp_path.glob('rules-*')))}.yaml"  # loaded rules are kept by path
    path.write_text(text, encoding="utf-8")
    return load_rules(path)


def _pdf(pages: int) -> bytes:
    buf = io.BytesIO()
    canvas = Canvas(buf)
    for i in range(pages):
        canvas.drawString(72, 720, f"page {i + 1} of the contract, with enough text to read as a text layer")
        canvas.showPage()
    canvas.save()
    return buf.getvalue()


def _png(width: int, height: int) -> bytes:
    buf = io.BytesIO()
    Image.new("L", (width, height), 255).save(buf, "PNG")
    return buf.getvalue()


def test_file_size(tmp_path: Path) -> None:
    rules = _rules(tmp_path, max_file_bytes="1000")
    [error] = Reader(rules).read("合同.pdf", _pdf(3)).errors
    assert "超过上限" in error and "MB" in error


def test_pages(tmp_path: Path) -> None:
    rules = _rules(tmp_path, max_pages="2")
    assert Reader(rules).read("合同.pdf", _pdf(3)).errors == ["页数 3 超过上限 2"]


def test_pixels_of_an_image_and_of_a_rendered_page(tmp_path: Path) -> None:
    rules = _rules(tmp_path, max_pixels="1000000")
    [error] = Reader(rules).read("扫描件.png", _png(1200, 1000)).errors
    assert "1,200×1,000 像素" in error and "超过上限 1,000,000" in error
    [error] = Reader(rules).read("合同.pdf", _pdf(1)).errors  # A4 at 200 dpi is 3.9 million pixels
    assert "第 1 页尺寸" in error and "超过上限 1,000,000" in error


def test_manifest_size(tmp_path: Path) -> None:
    rules = _rules(tmp_path, max_manifest_bytes="100")
    folder = tmp_path / "APP-L-0001"
    folder.mkdir()
    (folder / "application.yaml").write_text("applicant:\n  name: " + "星" * 100 + "\n", encoding="utf-8")
    app = load_input(folder, rules.limits)
    assert app.manifest_text is None and "超过上限 100 字节" in (app.manifest_problem or "")


def test_zip_entries_ratio_and_total(tmp_path: Path) -> None:
    path = tmp_path / "APP-L-0002.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(3):
            zf.writestr(f"{i}.pdf", b"%PDF-1.4\n" + b"0" * 20_000)
    with pytest.raises(InboxError, match="3 个条目，超过上限 2"):
        load_input(path, _rules(tmp_path, max_zip_entries="2").limits)
    assert "压缩比" in load_input(path, _rules(tmp_path, max_zip_ratio="5").limits).refused["0.pdf"]
    with pytest.raises(InboxError, match="压缩炸弹"):
        load_input(path, _rules(tmp_path, max_zip_bytes="50000").limits)


def test_reading_time(tmp_path: Path) -> None:
    rules = _rules(tmp_path, file_timeout_seconds="1")
    with ReadPool(1, rules.reading.ocr_engine, rules.reading.file_timeout_seconds) as pool:
        reader = Reader(rules, pool=pool)
        [error] = reader.read("结算确认单.jpg", corpus_file("settlement", "jpg")).errors
    assert error.startswith("读取超时：超过 1 秒仍未读完")
