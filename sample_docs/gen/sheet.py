"""A small page writer on reportlab: titles, wrapped CJK paragraphs, ruled tables, seals.

Coordinates given to and recorded by ``Sheet`` are in points from the page's top-left,
the convention of the interface contract.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from io import BytesIO

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

FONT_FILES = {
    "zenhei": ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    "microhei": ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    "uming": ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    "ukai": ("/usr/share/fonts/truetype/arphic/ukai.ttc", 0),
}
RED = (219, 22, 28)
SCALE = 4  # seal and signature images are drawn at 4 px per point (288 dpi)
UNBREAKABLE = re.compile(r"[A-Za-z0-9¥.,:%~\-/_·]+|.", re.S)
NO_LINE_START = set("，。、；：！？）》」』”’%,.;:!?)")
_registered: set[str] = set()


def register_font(name: str) -> str:
    """Register a corpus font with reportlab once; returns its reportlab name."""
    if name in _registered:
        return name
    if name == "stsong":
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
        _registered.add(name)
        return "STSong-Light"
    path, index = FONT_FILES[name]
    pdfmetrics.registerFont(TTFont(name, path, subfontIndex=index))
    _registered.add(name)
    return name


def font_name(name: str) -> str:
    register_font(name)
    return "STSong-Light" if name == "stsong" else name


@dataclass
class SealMark:
    page: int
    bbox: tuple[float, float, float, float]


@dataclass
class Sheet:
    font: str
    size: float = 10.5
    margin: float = 56.0
    top: float = 0.0
    page: int = 1
    seals: list[SealMark] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.font = font_name(self.font)
        self.sign_font = font_name("ukai")
        self.buf = BytesIO()
        self.c = Canvas(self.buf, pagesize=A4, invariant=1, pageCompression=1)
        self.width, self.height = A4
        self.top = self.margin

    # primitives -------------------------------------------------------------------
    def text(self, x: float, top: float, s: str, size: float | None = None,
             font: str | None = None, anchor: str = "left", color: tuple[float, ...] = (0, 0, 0)) -> float:
        size = size or self.size
        font = font or self.font
        c = self.c
        c.setFillColorRGB(*color)
        c.setFont(font, size)
        y = self.height - top - size
        if anchor == "center":
            c.drawCentredString(x, y, s)
        elif anchor == "right":
            c.drawRightString(x, y, s)
        else:
            c.drawString(x, y, s)
        c.setFillColorRGB(0, 0, 0)
        return pdfmetrics.stringWidth(s, font, size)

    def width_of(self, s: str, size: float | None = None, font: str | None = None) -> float:
        return pdfmetrics.stringWidth(s, font or self.font, size or self.size)

    def hline(self, top: float, x0: float | None = None, x1: float | None = None,
              width: float = 0.6) -> None:
        self.c.setLineWidth(width)
        self.c.line(x0 if x0 is not None else self.margin, self.height - top,
                    x1 if x1 is not None else self.width - self.margin, self.height - top)

    def rect(self, x: float, top: float, w: float, h: float, width: float = 0.6) -> None:
        self.c.setLineWidth(width)
        self.c.rect(x, self.height - top - h, w, h, stroke=1, fill=0)

    # flow ---------------------------------------------------------------------------
    def new_page(self) -> None:
        self.c.showPage()
        self.page += 1
        self.top = self.margin

    def ensure(self, height: float) -> None:
        if self.top + height > self.height - self.margin:
            self.new_page()

    def gap(self, h: float) -> None:
        self.top += h

    def title(self, s: str, size: float = 18, after: float = 14) -> None:
        self.ensure(size + after)
        self.text(self.width / 2, self.top, s, size=size, anchor="center")
        self.top += size + after

    def line(self, s: str, size: float | None = None, x: float | None = None,
             anchor: str = "left", after: float = 6, font: str | None = None) -> None:
        size = size or self.size
        self.ensure(size + after)
        if anchor == "right":
            self.text(self.width - self.margin, self.top, s, size, font, "right")
        elif anchor == "center":
            self.text(self.width / 2, self.top, s, size, font, "center")
        else:
            self.text(x if x is not None else self.margin, self.top, s, size, font)
        self.top += size + after

    def wrap(self, s: str, width: float, size: float | None = None) -> list[str]:
        """Lines of ``s`` no wider than ``width``; figures, codes and Latin words are not
        broken (as word processors keep them), and no line starts with closing punctuation."""
        lines: list[str] = []
        current = ""
        for token in UNBREAKABLE.findall(s):
            if self.width_of(current + token, size) > width and current and token[0] not in NO_LINE_START:
                if self.width_of(token, size) > width:
                    for ch in token:  # a token wider than the line has to break somewhere
                        if self.width_of(current + ch, size) > width and current:
                            lines.append(current)
                            current = ""
                        current += ch
                    continue
                lines.append(current)
                current = token
            else:
                current += token
        if current:
            lines.append(current)
        return lines

    def para(self, s: str, size: float | None = None, indent: bool = True, after: float = 6,
             x: float | None = None) -> None:
        size = size or self.size
        x0 = x if x is not None else self.margin
        text = ("\u3000\u3000" if indent else "") + s
        for ln in self.wrap(text, self.width - self.margin - x0, size):
            self.ensure(size * 1.7)
            self.text(x0, self.top, ln, size)
            self.top += size * 1.7
        self.top += after - size * 0.7 + 2

    def kv(self, pairs: list[tuple[str, str]], label_w: float = 110, size: float | None = None,
           x: float | None = None, after: float = 5) -> None:
        size = size or self.size
        x0 = x if x is not None else self.margin
        for label, value in pairs:
            lines = self.wrap(value, self.width - self.margin - x0 - label_w, size) or [""]
            self.ensure(len(lines) * size * 1.6)
            self.text(x0, self.top, label, size)
            for ln in lines:
                self.text(x0 + label_w, self.top, ln, size)
                self.top += size * 1.6
            self.top += after - size * 0.6

    def table(self, headers: list[str], rows: list[list[str]], widths: Sequence[float],
              aligns: str | None = None, size: float = 9, row_h: float | None = None,
              x: float | None = None, grid: bool = True) -> None:
        """A ruled table; cells wrap; numbers right-aligned where ``aligns`` says ``r``."""
        x0 = x if x is not None else self.margin
        aligns = aligns or "l" * len(widths)
        base_h = row_h or size * 2.2
        for r_index, row in enumerate([headers, *rows]):
            cells = [self.wrap(cell, w - 6, size) or [""] for cell, w in zip(row, widths, strict=True)]
            sizes = [size] * len(cells)
            for k, (cell, w) in enumerate(zip(row, widths, strict=True)):
                if len(cells[k]) > 1 and not re.search(r"[\u4e00-\u9fa5]", cell):
                    sizes[k] = size * (w - 6) / self.width_of(cell, size)
                    cells[k] = [cell]
            h = max(base_h, max(len(c) for c in cells) * size * 1.35 + size * 0.9)
            if self.top + h > self.height - self.margin:
                self.new_page()
            cx = x0
            for lines, w, al, fs in zip(cells, widths, aligns, sizes, strict=True):
                if grid:
                    self.rect(cx, self.top, w, h, 0.5)
                ty = self.top + (h - len(lines) * size * 1.35) / 2 + size * 0.15
                for ln in lines:
                    if r_index == 0 or al == "c":
                        self.text(cx + w / 2, ty, ln, fs, anchor="center")
                    elif al == "r":
                        self.text(cx + w - 3, ty, ln, fs, anchor="right")
                    else:
                        self.text(cx + 3, ty, ln, fs)
                    ty += size * 1.35
                cx += w
            if not grid and r_index == 0:
                self.hline(self.top + h, x0, x0 + sum(widths))
            self.top += h

    # marks --------------------------------------------------------------------------
    def signature(self, x: float, top: float, name: str, size: float = 17) -> None:
        """A handwritten name, placed as an image the way e-signed PDFs carry it."""
        font = ImageFont.truetype(FONT_FILES["ukai"][0], int(size * SCALE), index=0)
        w = int(font.getlength(name) + size * SCALE)
        h = int(size * SCALE * 1.6)
        img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
        ImageDraw.Draw(img).text((size * SCALE * 0.3, size * SCALE * 0.2), name, font=font,
                                 fill=(14, 20, 64, 235))
        img = img.rotate(4, resample=Image.Resampling.BICUBIC, expand=True)
        self._place(img, x, top - size * 0.3)

    def seal(self, cx: float, ctop: float, name: str, label: str = "", radius: float = 44,
             oval: bool = False, middle: str | None = None) -> None:
        """A red company seal centred at (cx, ctop), as an image; records its box."""
        rx, ry = (radius * 1.3, radius * 0.9) if oval else (radius, radius)
        img = seal_image(name, label, rx, ry, oval, middle)
        self._place(img, cx - rx - 2, ctop - ry - 2, multiply=True)
        self.seals.append(SealMark(self.page, (round(cx - rx, 1), round(ctop - ry, 1),
                                               round(cx + rx, 1), round(ctop + ry, 1))))

    def _place(self, img: Image.Image, x: float, top: float, multiply: bool = False) -> None:
        """Put an RGBA image on the page; ``multiply`` inks it like a stamp, so black text
        under a red seal stays black (ink absorbs, it does not paint over)."""
        w, h = img.size[0] / SCALE, img.size[1] / SCALE
        buf = BytesIO()
        img.save(buf, "PNG")
        buf.seek(0)
        self.c.saveState()
        if multiply:
            self.c.setBlendMode("Multiply")
        self.c.drawImage(ImageReader(buf), x, self.height - top - h, width=w, height=h,
                         mask="auto")
        self.c.restoreState()

    def qr(self, x: float, top: float, text: str, size: float = 56.0) -> None:
        """An invoice's QR code, ``size`` points square, as an image on the page."""
        img = Image.open(BytesIO(qr_png(text, round(size * SCALE)))).convert("RGBA")
        self._place(img, x, top)

    def finish(self) -> bytes:
        self.c.showPage()
        self.c.save()
        return self.buf.getvalue()


@lru_cache(maxsize=64)
def seal_image(name: str, label: str, rx: float, ry: float, oval: bool,
               middle: str | None) -> Image.Image:
    """A round (or oval) red seal: ring, star, the company name along the upper arc."""
    k = SCALE
    w, h = int(2 * rx * k) + 8, int(2 * ry * k) + 8
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    ink = (*RED, 205)
    cx, cy = w / 2, h / 2
    ring = (2.0 if oval else 2.6) * k
    draw.ellipse((cx - rx * k, cy - ry * k, cx + rx * k, cy + ry * k), outline=ink, width=int(ring))
    path = FONT_FILES["zenhei"][0]
    chars = list(name)
    span = 240.0 if len(chars) > 8 else 200.0
    step = span / max(1, len(chars) - 1)
    arc = math.pi * (rx + ry) * (span / 360)
    fsize = min(min(rx, ry) * 0.26, arc * 0.8 / max(1, len(chars))) * k
    font = ImageFont.truetype(path, int(fsize), index=0)
    for i, ch in enumerate(chars):
        angle = 90 + span / 2 - i * step
        rad = math.radians(angle)
        px = cx + (rx * k - fsize * 0.95) * math.cos(rad)
        py = cy - (ry * k - fsize * 0.95) * math.sin(rad)
        glyph = Image.new("RGBA", (int(fsize * 1.4), int(fsize * 1.4)), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((fsize * 0.7, fsize * 0.7), ch, font=font, fill=ink, anchor="mm")
        glyph = glyph.rotate(angle - 90, resample=Image.Resampling.BICUBIC)
        img.alpha_composite(glyph, (int(px - glyph.width / 2), int(py - glyph.height / 2)))
    if not oval:
        r = rx * 0.26 * k
        points = []
        for n in range(10):
            rr = r if n % 2 == 0 else r * 0.4
            a = math.radians(90 + n * 36)
            points.append((cx + rr * math.cos(a), cy - rr * math.sin(a)))
        draw.polygon(points, fill=ink)
    if middle:
        mfont = ImageFont.truetype(path, int(rx * 0.105 * k), index=0)
        draw.text((cx, cy), middle, font=mfont, fill=ink, anchor="mm")
    if label:
        lfont = ImageFont.truetype(path, int(min(rx, ry) * 0.2 * k), index=0)
        draw.text((cx, cy + ry * k * 0.6), label, font=lfont, fill=ink, anchor="mm")
    return img


def qr_png(text: str, pixels: int = 240) -> bytes:
    """A QR code of ``text`` as a PNG about ``pixels`` wide, with its quiet zone."""
    import zxingcpp

    code = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode)
    modules = np.asarray(zxingcpp.write_barcode_to_image(code, scale=1, add_quiet_zones=True))
    img = Image.fromarray(modules).resize((pixels, pixels), Image.Resampling.NEAREST)
    buf = BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()
