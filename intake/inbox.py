"""An inbox as the batch takes it in: its applications (folders and ``.zip`` uploads) and,
for each, the manifest and the uploads. Read only: nothing here writes, and a zip is never
extracted to disk; its entries are read into memory one at a time.

An upload that cannot be taken safely (a link out of the inbox, a zip entry that climbs out
of the zip, an encrypted or oversized entry, a zip bomb) is refused with the reason in
Chinese. A refused upload is still listed, as a document that could not be read, so the
reviewer sees it and the rest of the application is checked as usual.
"""

from __future__ import annotations

import contextlib
import os
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from intake.manifest import MANIFEST_NAME
from policy.rules import Limits

JUNK = ("__MACOSX", "Thumbs.db", "desktop.ini")
"""What desktop systems add to folders and zips; never evidence, skipped like dot files."""

UTF8_NAMES = 0x800
"""The zip flag bit that says an entry's name is UTF-8; without it the name is in the
code page of the machine that made the zip (GBK on Chinese Windows)."""

ENCRYPTED = 0x1


class InboxError(Exception):
    """An application that cannot be opened at all; the message is for the reviewer."""


@dataclass
class AppInput:
    """What an applicant uploaded: the manifest text and, per upload, where its bytes are."""

    app_id: str
    manifest_text: str | None
    members: dict[str, str] = field(default_factory=dict)
    """Upload name → file path in the folder (relative) or entry name in the zip."""
    refused: dict[str, str] = field(default_factory=dict)
    """Upload name → why it was not read (a link out of the inbox, an unsafe zip entry …)."""
    renamed: dict[str, str] = field(default_factory=dict)
    """Upload name → the entry it stands for, where two entries had one name."""
    manifest_problem: str | None = None
    """Why the manifest could not be taken (not text, too large), when it could not."""
    notes: dict[str, str] = field(default_factory=dict)
    """Upload name → how its name was read, where that was not as stored (GBK in a zip)."""

    @property
    def names(self) -> list[str]:
        return [*self.members, *self.refused]


def app_id_of(path: Path) -> str:
    """An application's id as its upload names it: the folder's name, or the zip's stem."""
    return display_name(path.name if path.is_dir() else path.stem)


def display_name(name: str) -> str:
    """A file name as a reviewer can read it. Names that are not UTF-8 (they reach Python
    with their bytes escaped) are most often GBK from Chinese Windows; else the bad bytes
    are shown as �."""
    if not any("\udc80" <= c <= "\udcff" for c in name):
        return name
    raw = os.fsencode(name)
    try:
        return raw.decode("gbk")
    except UnicodeDecodeError:
        readings = (raw.decode("gbk", "replace"), raw.decode("utf-8", "replace"))
        return min(readings, key=lambda text: text.count("\ufffd"))


def inside(path: Path, root: Path) -> bool:
    """Whether ``path``, links followed, lies in ``root``."""
    return path.resolve().is_relative_to(root.resolve())


# --- the inbox --------------------------------------------------------------------------------


@dataclass
class Inbox:
    """The applications of an inbox and what it holds that is not one."""

    applications: list[Path]
    ignored: list[str]
    """Files at the top of the inbox that are neither a folder nor a .zip."""


def applications_in(inbox: Path, own: tuple[Path, ...] = (), only: list[str] | None = None) -> Inbox:
    """Application folders and .zip uploads of ``inbox``, in name order; ``own`` are the
    batch's output and cache folders when kept inside it (never applications); ``only``
    keeps those named."""
    skip = {p.resolve() for p in own}
    apps: list[Path] = []
    ignored: list[str] = []
    for p in sorted(inbox.iterdir()):
        if p.name.startswith(".") or p.name in JUNK or p.resolve() in skip:
            continue
        if only is not None and p.name not in only:
            continue
        if p.is_dir() or p.suffix.lower() == ".zip" or (p.is_symlink() and not p.exists()):
            apps.append(p)
        else:
            ignored.append(display_name(p.name))
    return Inbox(apps, ignored)


# --- one application ---------------------------------------------------------------------------


def load_input(path: Path, limits: Limits, inbox: Path | None = None) -> AppInput:
    """The manifest and the uploads' names of an application folder or ``.zip``. Raises
    ``InboxError`` (in Chinese) when the application cannot be opened at all."""
    root = inbox if inbox is not None else path.parent
    if path.is_symlink() and not inside(path, root):
        raise InboxError(f"《{display_name(path.name)}》是指向收件目录之外的链接，未读取")
    if not path.exists():
        raise InboxError(f"《{display_name(path.name)}》不存在或无法访问")
    app = _folder(path, root) if path.is_dir() else _zip(path, limits)
    manifest = app.members.pop(MANIFEST_NAME, None)
    if manifest is not None:
        data = upload_bytes(path, manifest, limits)
        app.manifest_text, app.manifest_problem = _manifest_text(data, limits)
    return app


def _manifest_text(data: bytes, limits: Limits) -> tuple[str | None, str | None]:
    if len(data) > limits.max_manifest_bytes:
        return None, f"{MANIFEST_NAME} 大小 {len(data):,} 字节，超过上限 {limits.max_manifest_bytes:,} 字节"
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), None
        except UnicodeDecodeError:
            continue
    return None, f"{MANIFEST_NAME} 不是文本文件（既非 UTF-8 也非 GBK 编码）"


def _folder(path: Path, root: Path) -> AppInput:
    app = AppInput(app_id_of(path), None)
    files: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(path, followlinks=False):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames
                             if not _junk(d) and not _climbs_out(here / d, root, app, path))
        files.extend(here / f for f in sorted(filenames) if not _junk(f))
    names = [display_name(f.name) for f in files]
    for name, file in zip(names, files, strict=True):
        relative = file.relative_to(path).as_posix()
        upload = name if names.count(name) == 1 else display_name(relative)
        if file.is_symlink() and not inside(file, root):
            app.refused[upload] = "是指向收件目录之外的链接，未读取"
        elif not file.is_file():
            app.refused[upload] = "不是普通文件（设备、管道或失效的链接），未读取"
        else:
            app.members[upload] = relative
    return app


def _climbs_out(folder: Path, root: Path, app: AppInput, base: Path) -> bool:
    """A linked sub-folder is not followed; one that leads out of the inbox is refused."""
    if not folder.is_symlink():
        return False
    if not inside(folder, root):
        app.refused[display_name(folder.relative_to(base).as_posix())] = "是指向收件目录之外的链接，未读取"
    return True


def _junk(name: str) -> bool:
    return (name.startswith(".") and name not in (".", "..")) or name in JUNK


def _zip(path: Path, limits: Limits) -> AppInput:
    app = AppInput(app_id_of(path), None)
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError):
        raise InboxError(f"压缩包《{display_name(path.name)}》已损坏或不是 zip 文件，无法打开") from None
    if len(infos) > limits.max_zip_entries:
        raise InboxError(f"压缩包《{display_name(path.name)}》含 {len(infos):,} 个条目，超过上限 "
                         f"{limits.max_zip_entries:,}，未展开")
    total = sum(i.file_size for i in infos)
    if total > limits.max_zip_bytes:
        raise InboxError(f"压缩包《{display_name(path.name)}》解压后共 {total / 1048576:,.0f} MB，超过上限 "
                         f"{limits.max_zip_bytes / 1048576:,.0f} MB，疑为压缩炸弹，未展开")
    entries = [(i, entry_name(i)) for i in infos if not i.is_dir()]
    entries = [(i, n) for i, n in entries if not any(_junk(part) for part in PurePosixPath(n).parts)]
    bases = [PurePosixPath(n).name for _, n in entries]
    seen: dict[str, int] = {}
    for (info, name), base in zip(entries, bases, strict=True):
        upload = base if bases.count(base) == 1 else name
        if upload in seen or upload in app.members or upload in app.refused:
            seen[upload] = seen.get(upload, 1) + 1
            stem, dot, suffix = upload.rpartition(".")
            renamed = f"{stem}（{seen[upload]}）.{suffix}" if dot and stem else f"{upload}（{seen[upload]}）"
            app.renamed[renamed] = name
            upload = renamed
        if name != info.filename.replace("\\", "/"):
            app.notes[upload] = "文件名在压缩包中为 GBK 编码（中文 Windows 制作的压缩包），已按 GBK 读出"
        reason = _unsafe(info, name, limits)
        if reason:
            app.refused[upload] = reason
        else:
            app.members[upload] = info.filename
    return app


def entry_name(info: zipfile.ZipInfo) -> str:
    """A zip entry's name as its maker wrote it: GBK when the zip does not say UTF-8 and the
    bytes read as GBK (zips made on Chinese Windows), with ``\\`` read as ``/``."""
    name = info.filename
    if not info.flag_bits & UTF8_NAMES:
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            name = name.encode("cp437").decode("gbk")
    return name.replace("\\", "/")


def _unsafe(info: zipfile.ZipInfo, name: str, limits: Limits) -> str | None:
    """Why an entry is not read, or None when it is safe to read."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or (path.parts and path.parts[0].endswith(":")):
        return f"压缩包条目路径“{name}”指向压缩包之外，未读取"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "压缩包中的符号链接，未读取"
    if info.flag_bits & ENCRYPTED:
        return "压缩包条目已加密（设有密码），无法读取；请上传未加密的文件"
    if info.file_size > limits.max_file_bytes:
        return (f"文件大小 {info.file_size / 1048576:,.1f} MB 超过上限 "
                f"{limits.max_file_bytes / 1048576:,.0f} MB，未解压")
    if info.compress_size and info.file_size / info.compress_size > limits.max_zip_ratio:
        return (f"压缩比 {info.file_size / info.compress_size:,.0f} 倍超过上限 {limits.max_zip_ratio} 倍，"
                "疑为压缩炸弹，未解压")
    return None


def upload_bytes(path: Path, member: str, limits: Limits) -> bytes:
    """One upload of an application folder or zip, by its member name; never more than the
    size limit and one byte (the reader then refuses it as too large)."""
    if path.is_dir():
        file = path / member
        with file.open("rb") as handle:
            return handle.read(limits.max_file_bytes + 1)
    with zipfile.ZipFile(path) as zf, zf.open(member) as handle:
        return handle.read(limits.max_file_bytes + 1)


def upload_files(path: Path, app: AppInput, limits: Limits) -> dict[str, bytes]:
    """Every readable upload's bytes (for the evidence crops); one that cannot be read again
    is left out, and its crops with it."""
    files: dict[str, bytes] = {}
    for name, member in app.members.items():
        try:
            files[name] = upload_bytes(path, member, limits)
        except (OSError, zipfile.BadZipFile, RuntimeError, ValueError):
            continue
    return files
