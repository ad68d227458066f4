"""Files in and out: taking an upload in (its real type from its bytes, its hash, the rules'
size limits), and writing a file so that nobody ever sees half of it.

Nothing here writes to an input. ``sniff`` trusts the bytes, never the file name.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from model.base import FileKind
from policy.rules import Limits

IMAGE_KINDS = frozenset({FileKind.PNG, FileKind.JPEG, FileKind.TIFF})


def sniff(data: bytes) -> FileKind:
    """The format of ``data`` from its leading bytes."""
    head = data[:1024]
    if head.lstrip(b"\x00\t\r\n ").startswith(b"%PDF-"):
        return FileKind.PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileKind.PNG
    if head.startswith(b"\xff\xd8\xff"):
        return FileKind.JPEG
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return FileKind.TIFF
    if head.startswith(b"PK\x03\x04") and _is_ofd(data):
        return FileKind.OFD
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<") and not _HTML.match(text):
        return FileKind.XML
    return FileKind.UNKNOWN


_HTML = re.compile(rb"<(?:!doctype\s+html|html|head|body|script|meta|title|div|!--)", re.IGNORECASE)
FORMATS: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "zip"), (b"PK\x05\x06", "zip"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),

    (b"\x7fELF", "elf"), (b"MZ", "exe"), (b"\xcf\xfa\xed\xfe", "macho"), (b"#!", "script"),
    (b"Rar!", "rar"), (b"7z\xbc\xaf\x27\x1c", "7z"), (b"\x1f\x8b", "gzip"), (b"GIF8", "gif"),
    (b"{\\rtf", "rtf"),
)
WHAT: dict[str, str] = {
    "zip": "zip 压缩包（压缩包中的压缩包不展开，请直接上传其中的文件）", "docx": "Word 文档（.docx）",
    "xlsx": "Excel 表格（.xlsx）", "pptx": "PowerPoint 演示文稿（.pptx）",
    "ole": "旧版 Office 文档（.doc/.xls/.ppt）", "elf": "可执行程序", "exe": "Windows 可执行程序",
    "macho": "可执行程序", "script": "脚本文件", "rar": "RAR 压缩包", "7z": "7z 压缩包",
    "gzip": "gzip 压缩文件", "gif": "GIF 图片", "bmp": "BMP 图片", "rtf": "RTF 文档", "html": "网页（HTML）",
}


def what_it_is(data: bytes) -> str:
    """What an unreadable upload's bytes are, in words for the reviewer."""
    head = data[:1024]
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if _HTML.match(start):
        return WHAT["html"]
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "WebP 图片"
    if head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1"):
        return "HEIC 图片（手机照片格式）"
    if head.startswith(b"BM") and head[6:10] == b"\0\0\0\0":
        return WHAT["bmp"]
    for magic, kind in FORMATS:
        if head.startswith(magic):
            if kind == "zip":
                kind = _office(data) or kind
            return WHAT[kind]
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return "无法识别的二进制文件"
    if any(ord(c) < 32 and c not in "\t\r\n" for c in text):
        return "无法识别的二进制文件"
    return "纯文本"


def _office(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = zf.namelist()
    except zipfile.BadZipFile:
        return None
    for prefix, kind in (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx")):
        if any(n.startswith(prefix) for n in names):
            return kind
    return None


def _is_ofd(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return any(n.upper().endswith("OFD.XML") for n in zf.namelist())
    except zipfile.BadZipFile:
        return False


@dataclass
class Upload:
    """One uploaded file as taken in: bytes, hash, real kind, and why it cannot be read."""

    name: str
    data: bytes
    sha256: str
    kind: FileKind
    errors: list[str] = field(default_factory=list)

    @property
    def readable(self) -> bool:
        return not self.errors


def take_in(name: str, data: bytes, limits: Limits) -> Upload:
    """An ``Upload`` with its errors (in Chinese, for the reviewer) already recorded."""
    upload = Upload(name=name, data=data, sha256=hashlib.sha256(data).hexdigest(),
                    kind=sniff(data))
    if not data:
        upload.errors.append("文件为空（0 字节）")
    elif len(data) > limits.max_file_bytes:
        upload.errors.append(
            f"文件大小 {len(data) / 1048576:.1f} MB 超过上限 {limits.max_file_bytes / 1048576:.0f} MB")
    elif upload.kind is FileKind.UNKNOWN:
        upload.errors.append(f"文件内容是{what_it_is(data)}，不是可读取的格式"
                             "（支持 PDF、PNG、JPEG、TIFF、OFD、XML）")
    return upload


# --- writing ------------------------------------------------------------------------------------

TEMP_PREFIX = ".tmp-"
"""What a file being written is called until it is whole: hidden, and swept away after a kill."""


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename, so
    a reader (or a run after a kill) sees the old file or the new one, never half of one; the
    temporary file is removed if the write fails."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
