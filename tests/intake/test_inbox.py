"""Taking an application in from its folder or zip: every upload kept or refused with a
reason, nothing written, and a zip's unsafe entries (climbing out, links, bombs, encrypted)
refused without being unpacked."""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path

import pytest

from intake.inbox import InboxError, applications_in, load_input, upload_bytes, upload_files
from policy.rules import Limits, load_rules
from tests.flows.bad_inputs import encrypted, gbk_names, zip_of

MANIFEST = "application_id: APP-Z-0001\n"


@pytest.fixture(scope="module")
def limits() -> Limits:
    return load_rules().limits


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


def test_a_name_used_twice_in_a_zip_keeps_both_uploads(zipped: Path, limits: Limits) -> None:
    app = load_input(zipped, limits)
    assert app.app_id == "APP-Z-0001"
    assert app.manifest_text == MANIFEST
    assert upload_files(zipped, app, limits) == {"APP-Z-0001/发票/发票.pdf": b"%PDF-1.4 first",
                                                 "APP-Z-0001/补充/发票.pdf": b"%PDF-1.4 second",
                                                 "合同 扫描件.jpg": b"\xff\xd8\xff jpeg"}
    assert app.refused == {} and app.renamed == {}


def test_a_folder_keeps_every_upload_its_sub_folders_too(tmp_path: Path, limits: Limits) -> None:
    folder = tmp_path / "APP-F-0001"
    (folder / "补充材料").mkdir(parents=True)
    (folder / "application.yaml").write_text(MANIFEST, encoding="utf-8")
    (folder / "付款回单.png").write_bytes(b"\x89PNG data")
    (folder / "空文件.pdf").write_bytes(b"")
    (folder / ".hidden").write_bytes(b"x")
    (folder / "补充材料" / "结算单.pdf").write_bytes(b"%PDF-1.4")
    app = load_input(folder, limits)
    assert app.names == ["付款回单.png", "空文件.pdf", "结算单.pdf"]
    assert upload_bytes(folder, app.members["空文件.pdf"], limits) == b""  # kept, to be reported
    assert upload_bytes(folder, app.members["结算单.pdf"], limits) == b"%PDF-1.4"


def test_a_missing_manifest_is_none_not_an_exception(tmp_path: Path, limits: Limits) -> None:
    folder = tmp_path / "APP-F-0002"
    folder.mkdir()
    (folder / "a.pdf").write_bytes(b"%PDF")
    app = load_input(folder, limits)
    assert app.manifest_text is None and app.manifest_problem is None


def test_a_manifest_in_gbk_is_read_and_binary_is_a_problem(tmp_path: Path, limits: Limits) -> None:
    folder = tmp_path / "APP-F-0003"
    folder.mkdir()
    (folder / "application.yaml").write_bytes("applicant:\n  name: 北京星河\n".encode("gbk"))
    assert "北京星河" in (load_input(folder, limits).manifest_text or "")
    (folder / "application.yaml").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00\x81")
    app = load_input(folder, limits)
    assert app.manifest_text is None and "不是文本文件" in (app.manifest_problem or "")


def _entry(zf: zipfile.ZipFile, name: str, data: bytes, **attrs: int) -> None:
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    for key, value in attrs.items():
        setattr(info, key, value)
    zf.writestr(info, data)


def test_unsafe_entries_are_refused_and_the_rest_is_read(tmp_path: Path, limits: Limits) -> None:
    path = tmp_path / "APP-Z-0002.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("application.yaml", MANIFEST)
        zf.writestr("合同.pdf", b"%PDF-1.4 fine")
        zf.writestr("../../逃逸.pdf", b"%PDF-1.4 out")
        zf.writestr("/etc/绝对.pdf", b"%PDF-1.4 abs")
        _entry(zf, "链接.pdf", b"/etc/passwd", external_attr=(stat.S_IFLNK | 0o777) << 16)
        _entry(zf, "炸弹.pdf", b"%PDF" + b"\0" * 5_000_000)
    app = load_input(path, limits)
    assert list(app.members) == ["合同.pdf"]
    assert "指向压缩包之外" in app.refused["逃逸.pdf"] and "指向压缩包之外" in app.refused["绝对.pdf"]
    assert "符号链接" in app.refused["链接.pdf"]
    assert "压缩炸弹" in app.refused["炸弹.pdf"]
    assert not (tmp_path.parent / "逃逸.pdf").exists()


def test_an_encrypted_entry_is_refused(tmp_path: Path, limits: Limits) -> None:
    path = tmp_path / "APP-Z-0003.zip"
    path.write_bytes(encrypted(zip_of([("发票.pdf", b"%PDF-1.4")])))
    assert "已加密" in load_input(path, limits).refused["发票.pdf"]


def test_a_zip_over_the_total_size_is_not_unpacked(tmp_path: Path, limits: Limits) -> None:
    path = tmp_path / "APP-Z-0004.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(3):
            zf.writestr(f"{i}.pdf", b"%PDF" + b"\0" * 400_000)
    small = limits.model_copy(update={"max_zip_bytes": 1_000_000})
    with pytest.raises(InboxError, match="压缩炸弹"):
        load_input(path, small)


def test_gbk_names_from_chinese_windows_read_as_written(tmp_path: Path, limits: Limits) -> None:
    path = tmp_path / "APP-Z-0005.zip"
    path.write_bytes(gbk_names({"算力合同.pdf": b"%PDF-1.4"}))
    assert list(load_input(path, limits).members) == ["算力合同.pdf"]


def test_two_entries_with_one_name_are_both_kept(tmp_path: Path, limits: Limits) -> None:
    path = tmp_path / "APP-Z-0006.zip"
    with pytest.warns(UserWarning), zipfile.ZipFile(path, "w") as zf:
        zf.writestr("发票.pdf", b"%PDF-1.4 one")
        zf.writestr("发票.pdf", b"%PDF-1.4 two")
    app = load_input(path, limits)
    assert list(app.members) == ["发票.pdf", "发票（2）.pdf"]
    assert app.renamed == {"发票（2）.pdf": "发票.pdf"}


def test_a_link_out_of_the_inbox_is_refused(tmp_path: Path, limits: Limits) -> None:
    inbox = tmp_path / "inbox"
    folder = inbox / "APP-L-0001"
    folder.mkdir(parents=True)
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(b"%PDF-1.4 secret")
    os.symlink(secret, folder / "合同.pdf")
    os.symlink(tmp_path, inbox / "APP-L-0002")
    app = load_input(folder, limits, inbox)
    assert app.members == {} and "收件目录之外" in app.refused["合同.pdf"]
    with pytest.raises(InboxError, match="收件目录之外"):
        load_input(inbox / "APP-L-0002", limits, inbox)
    assert [p.name for p in applications_in(inbox).applications] == ["APP-L-0001", "APP-L-0002"]
