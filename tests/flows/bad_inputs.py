"""Bad uploads, made on the spot: broken, huge, disguised, hostile. Each builder returns the
bytes of one file; ``CATALOGUE`` names every kind with what the reviewer must be told."""

from __future__ import annotations

import io
import os
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfgen.canvas import Canvas

from tests.sample_docs.corpus import INBOX, truths


def clean_source() -> tuple[Path, dict[str, object]]:
    """A clean corpus application folder and its truth."""
    truth = next(t for t in truths() if t["clean"] and not t["zipped"])
    return INBOX / truth["application_id"], truth


def corpus_file(doc_type: str, scan: str | None = None) -> bytes:
    folder, truth = clean_source()
    files: dict[str, dict[str, object]] = truth["files"]  # type: ignore[assignment]
    name = next(n for n, f in files.items() if f["doc_type"] == doc_type and f["scan"] == scan)
    return (folder / name).read_bytes()


def manifest(app_id: str) -> str:
    folder, truth = clean_source()
    text = (folder / "application.yaml").read_text(encoding="utf-8")
    return text.replace(str(truth["application_id"]), app_id)


# --- PDFs ----------------------------------------------------------------------------------


def pdf(pages: int = 1, size: tuple[float, float] = (595, 842), text: str = "Contract HT-2024-001",
        encrypt: StandardEncryption | None = None) -> bytes:
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=size, encrypt=encrypt)
    for _ in range(pages):
        canvas.setFont("Helvetica", 12)
        canvas.drawString(72, size[1] - 72, text)
        canvas.showPage()
    canvas.save()
    return buf.getvalue()


def truncated_pdf() -> bytes:
    data = corpus_file("settlement")
    return data[: len(data) // 2]


def wrong_startxref() -> bytes:
    data = corpus_file("settlement")
    return data[: data.rfind(b"startxref")] + b"startxref\n999999\n%%EOF\n"


def garbled_xref() -> bytes:
    data = corpus_file("settlement")
    at = data.find(b"\nxref")
    return data[:at] + data[at:].replace(b"0000", b"9999", 40)


# --- images ----------------------------------------------------------------------------------


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_claiming(width: int, height: int, rows: int = 8) -> bytes:
    """A grey PNG whose header says ``width`` × ``height``, holding zero rows that compress
    to almost nothing: the first ``rows`` (a picture too big to open) or all of them (a
    decompression bomb: a small file that unpacks to ``width × height`` bytes)."""
    packer = zlib.compressobj(9)
    row = b"\0" * (width + 1)
    body = b"".join(packer.compress(row) for _ in range(rows)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunks = _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", body) + _png_chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


def blank_scan() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (1240, 1754), (250, 250, 248)).save(buf, "JPEG", quality=85)
    return buf.getvalue()


def upside_down_scan() -> bytes:
    image = Image.open(io.BytesIO(corpus_file("settlement", "jpg"))).convert("RGB").rotate(180)
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=88)
    return buf.getvalue()


def phone_photo() -> bytes:
    """The scanned settlement statement as a phone photographs it: on a desk, a little
    turned and in perspective, lit unevenly."""
    page = np.asarray(Image.open(io.BytesIO(corpus_file("settlement", "jpg"))).convert("RGB"))
    h, w = page.shape[:2]
    border = int(0.08 * w)
    desk = np.full((h + 2 * border, w + 2 * border, 3), (96, 84, 70), np.uint8)
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[border + 0.02 * w, border], [border + w, border + 0.015 * h],
                      [border + 0.985 * w, border + h], [border, border + 0.99 * h]])
    warped = cv2.warpPerspective(page, cv2.getPerspectiveTransform(src, dst), desk.shape[1::-1],
                                 dst=desk.copy(), borderMode=cv2.BORDER_TRANSPARENT)
    turn = cv2.getRotationMatrix2D((desk.shape[1] / 2, desk.shape[0] / 2), 3.5, 1.0)
    photo = cv2.warpAffine(warped, turn, desk.shape[1::-1], borderValue=(96, 84, 70))
    light = np.linspace(0.82, 1.0, photo.shape[1], dtype=np.float32)[None, :, None]
    photo = np.clip(photo.astype(np.float32) * light, 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(photo).save(buf, "JPEG", quality=82)
    return buf.getvalue()


def png_of_pdf_page() -> bytes:
    """A real scan, saved as PNG (to be named .pdf)."""
    image = Image.open(io.BytesIO(corpus_file("settlement", "jpg"))).convert("RGB")
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


# --- other formats -----------------------------------------------------------------------------


def office(kind: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml" if kind == "docx" else "xl/workbook.xml", "<document/>")
    return buf.getvalue()


ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200
HTML = b"<!DOCTYPE html><html><head><title>x</title></head><body><script>alert(1)</script></body></html>"


# --- zips ------------------------------------------------------------------------------------


def _info(name: str, **attrs: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    for key, value in attrs.items():
        setattr(info, key, value)
    return info


def zip_of(entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in entries:
            zf.writestr(info, data)
    return buf.getvalue()


def zip_bomb_by_total(path: Path, gigabytes: float = 1.1) -> None:
    """A zip of zeros unpacking to more than the rules' total (1 GiB), a few MB on disk."""
    chunk = b"\0" * (1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(3):
            with zf.open(_info(f"附件{i}.pdf"), "w", force_zip64=True) as out:
                for _ in range(int(gigabytes * 1024 / 3) + 1):
                    out.write(chunk)


def encrypted(data: bytes, only: str | None = None) -> bytes:
    """``data`` (a zip) with its entries (or the one named ``only``) flagged as encrypted in
    the local and central headers, as a password-protected zip has them."""
    raw = bytearray(data)
    # signature, offset of the flags, of the name's length, of the name
    for signature, flags, length, name_at in ((b"PK\x03\x04", 6, 26, 30), (b"PK\x01\x02", 8, 28, 46)):
        at = raw.find(signature)
        while at >= 0:
            size = struct.unpack_from("<H", raw, at + length)[0]
            if only is None or bytes(raw[at + name_at:at + name_at + size]) == only.encode():
                raw[at + flags] |= 0x1
            at = raw.find(signature, at + 4)
    return bytes(raw)


def gbk_names(files: dict[str, bytes]) -> bytes:
    """A zip as Chinese Windows makes it: names in GBK, without the UTF-8 flag."""
    stand_ins = {name: f"{i:0{len(name.encode('gbk'))}d}".encode() for i, name in enumerate(files)}
    raw = zip_of([(stand_ins[name].decode(), data) for name, data in files.items()])
    for name, stand_in in stand_ins.items():
        raw = raw.replace(stand_in, name.encode("gbk"))
    return raw


LINK = stat.S_IFLNK | 0o777


# --- the catalogue -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One kind of bad input: how it is uploaded, and what the reviewer must be told."""

    kind: str
    app_id: str
    build: Callable[[Path, str], str]
    """Puts the application in the inbox; returns the name the report shows for the file."""
    code: str
    says: tuple[str, ...]
    status: str | None = None
    """The application's status when it must be this (error, flagged)."""
    read_too: tuple[str, ...] = field(default=("contract",))
    """Document types still read from the rest of the application."""


def folder_with(files: dict[str, bytes | Callable[[], bytes]], with_manifest: bool = True,
                with_contract: bool = True) -> Callable[[Path, str], Path]:
    def make(inbox: Path, app_id: str) -> Path:
        folder = inbox / app_id
        folder.mkdir()
        if with_manifest:
            (folder / "application.yaml").write_text(manifest(app_id), encoding="utf-8")
        if with_contract:
            (folder / "合同.pdf").write_bytes(corpus_file("contract"))
        for name, data in files.items():
            (folder / os.fsdecode(name)).write_bytes(data() if callable(data) else data)
        return folder
    return make


def one_file(name: str, data: bytes | Callable[[], bytes]) -> Callable[[Path, str], str]:
    make = folder_with({name: data})

    def build(inbox: Path, app_id: str) -> str:
        make(inbox, app_id)
        return name
    return build


def named(name: str, shown: str | None = None) -> Callable[[Path, str], str]:
    """A good invoice uploaded under an awkward name."""
    make = folder_with({name: lambda: corpus_file("invoice")})

    def build(inbox: Path, app_id: str) -> str:
        make(inbox, app_id)
        return shown or name
    return build


def zipped(entries: Callable[[], list[tuple[zipfile.ZipInfo | str, bytes]]], shown: str,
           locked: str | None = None) -> Callable[[Path, str], str]:
    """An application uploaded as a zip: its manifest, a good contract and ``entries``
    (the one named ``locked`` encrypted)."""
    def build(inbox: Path, app_id: str) -> str:
        base = [("application.yaml", manifest(app_id).encode()), ("合同.pdf", corpus_file("contract"))]
        data = zip_of([*base, *entries()])
        (inbox / f"{app_id}.zip").write_bytes(encrypted(data, locked) if locked else data)
        return shown
    return build
