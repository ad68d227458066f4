"""Taking an upload in: its real type from its bytes, its hash, and the rules' size limits.

Nothing here writes to an input. ``sniff`` trusts the bytes, never the file name.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from enum import StrEnum

from pipeline.rules import Limits


class FileKind(StrEnum):
    """The formats voucher-check reads, as their bytes say."""

    PDF = "pdf"
    PNG = "png"
    JPEG = "jpeg"
    TIFF = "tiff"
    OFD = "ofd"
    XML = "xml"
    UNKNOWN = "unknown"


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
    if text.startswith(b"<?xml") or text.startswith(b"<"):
        return FileKind.XML
    return FileKind.UNKNOWN


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
        upload.errors.append("无法识别的文件格式（支持 PDF、PNG、JPEG、TIFF、OFD、XML）")
    return upload
