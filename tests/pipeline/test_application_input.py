"""Loading an application's uploads from its folder or zip: every upload kept, nothing
written, and the names-only listing agrees with the full load."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from pipeline.application import load_input, upload_of

MANIFEST = "application_id: APP-Z-0001\n"


@pytest.fixture()
def zipped(tmp_path: Path) -> Path:
    path = tmp_path / "APP-Z-0001.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("APP-Z-0001/application.yaml", MANIFEST)
        zf.writestr("APP-Z-0001/发票/发票.pdf", b"%PDF-1.4 first")
        zf.writestr("APP-Z-0001/补充/发票.pdf", b"%PDF-1.4 second")
        zf.writestr("APP-Z-0001/合同 扫描件.jpg", b"\xff\xd8\xff jpeg")
        zf.writestr("__MACOSX/APP-Z-0001/._合同 扫描件.jpg", b"resource fork")
        zf.writestr("APP-Z-0001/.DS_Store", b"finder")
    return path


def test_a_name_used_twice_in_a_zip_keeps_both_uploads(zipped: Path) -> None:
    app = load_input(zipped)
    assert app.app_id == "APP-Z-0001"
    assert app.manifest_text == MANIFEST
    assert app.files == {"APP-Z-0001/发票/发票.pdf": b"%PDF-1.4 first",
                         "APP-Z-0001/补充/发票.pdf": b"%PDF-1.4 second",
                         "合同 扫描件.jpg": b"\xff\xd8\xff jpeg"}


def test_names_only_then_one_upload_at_a_time(zipped: Path, tmp_path: Path) -> None:
    full = load_input(zipped)
    listing = load_input(zipped, contents=False)
    assert listing.files == {}
    assert listing.names == list(full.files) == full.names
    assert listing.manifest_text == full.manifest_text
    assert {name: upload_of(zipped, name) for name in listing.names} == full.files
    folder = tmp_path / "APP-F-0001"
    folder.mkdir()
    (folder / "application.yaml").write_text(MANIFEST, encoding="utf-8")
    (folder / "付款回单.png").write_bytes(b"\x89PNG data")
    (folder / "空文件.pdf").write_bytes(b"")
    (folder / ".hidden").write_bytes(b"x")
    listing = load_input(folder, contents=False)
    assert listing.names == ["付款回单.png", "空文件.pdf"]
    assert upload_of(folder, "空文件.pdf") == b""  # an empty upload stays, to be reported
    assert load_input(folder).files == {"付款回单.png": b"\x89PNG data", "空文件.pdf": b""}


def test_a_missing_manifest_is_none_not_an_exception(tmp_path: Path) -> None:
    folder = tmp_path / "APP-F-0002"
    folder.mkdir()
    (folder / "a.pdf").write_bytes(b"%PDF")
    assert load_input(folder).manifest_text is None
