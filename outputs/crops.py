"""Evidence crops and page images: the place of each finding on its page, boxed and captioned,
and the whole page with every field read outlined.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

from intake.files import write_atomic
from model.base import BBox
from model.document import Document
from outputs.application import Application
from policy.words import say
from reading.reader import page_image

CROP_DPI = 150
CROP_MARGIN = 0.6  # of the box's own size, around it, so the reviewer sees the context
PAGE_WIDTH = 1100  # pixels of a full-page image a crop opens
SEAL_AREA = 0.45  # the lower share of a page where a seal is looked for, shown when none was found


# --- evidence crops and page images -------------------------------------------------------------


def _png(image: Image.Image, width: int) -> bytes:
    if image.width > width:
        image = image.resize((width, int(image.height * width / image.width)), Image.Resampling.BILINEAR)
    buf = io.BytesIO()
    image.save(buf, "PNG", compress_level=6)
    return buf.getvalue()


def crop(data: bytes, page: int, bbox: BBox | None, turn: int = 0, seal_area: bool = False) -> bytes | None:
    """A PNG of the region around ``bbox`` with the spot outlined in red, on the page turned
    ``turn`` degrees clockwise as it was read (see ``crop_of``)."""
    found = page_image(data, page, CROP_DPI, turn)
    return crop_of(*found, bbox, seal_area) if found is not None else None


def crop_of(image: Image.Image, scale: float, bbox: BBox | None, seal_area: bool = False) -> bytes | None:
    """The region around ``bbox`` of a page image (``scale`` pixels per unit of the box),
    outlined in red; without a box, the whole page small (or, for a missing seal, the foot
    of the page where a seal belongs)."""
    if bbox is None:
        if seal_area:
            image = image.crop((0, int(image.height * (1 - SEAL_AREA)), image.width, image.height))
        return _png(image, 640)
    x0, y0, x1, y1 = (v * scale for v in bbox)
    mx, my = max((x1 - x0) * CROP_MARGIN, 60), max((y1 - y0) * CROP_MARGIN * 3, 40)
    box = (max(0, int(x0 - mx)), max(0, int(y0 - my)),
           min(image.width, int(x1 + mx)), min(image.height, int(y1 + my)))
    if box[2] <= box[0] or box[3] <= box[1]:
        return None
    region = image.crop(box)
    ImageDraw.Draw(region).rectangle((x0 - box[0] - 3, y0 - box[1] - 3, x1 - box[0] + 3, y1 - box[1] + 3),
                                     outline=(220, 0, 0), width=3)
    return _png(region, 900)


def page_with_fields(image: Image.Image, scale: float, page: int, doc: Document) -> bytes:
    """The whole page with every field read from it outlined (blue) and its seals (green)."""
    image = image.copy()
    draw = ImageDraw.Draw(image)
    for f in doc.fields.present().values():
        if f.page == page and f.bbox is not None:
            x0, y0, x1, y1 = (v * scale for v in f.bbox)
            draw.rectangle((x0 - 2, y0 - 2, x1 + 2, y1 + 2), outline=(21, 101, 192), width=3)
    for seal in doc.seals:
        if seal.page == page and seal.bbox is not None:
            x0, y0, x1, y1 = (v * scale for v in seal.bbox)
            draw.rectangle((x0, y0, x1, y1), outline=(46, 125, 50), width=3)
    return _png(image, PAGE_WIDTH)


@dataclass(frozen=True)
class Picture:
    """An image the report shows: where it is, its caption, and the full page it opens."""

    src: str
    caption: str
    page_src: str | None = None
    whole_page: bool = False


def _caption(file: str, page: int | None, name: str | None) -> str:
    parts = [file]
    if page:
        parts.append(f"第 {page} 页")
    if name:
        base, _, part = name.partition(".")
        parts.append(say("fields", base) + ("的统一社会信用代码" if part == "uscc" else ""))
    return " · ".join(parts)


class _Pictures:
    """The crops and page images of one application: each page rendered once, each page
    image written once."""

    def __init__(self, app: Application, folder: Path) -> None:
        self.app, self.folder = app, folder
        self.docs = {d.file: (i, d) for i, d in enumerate(app.report.documents, 1)}
        self.rendered: dict[tuple[str, int], tuple[Image.Image, float] | None] = {}
        self.pages: dict[tuple[str, int], str | None] = {}

    def image(self, file: str, page: int) -> tuple[Image.Image, float] | None:
        key = (file, page)
        if key not in self.rendered:
            data, entry = self.app.files.get(file), self.docs.get(file)
            self.rendered[key] = (page_image(data, page, CROP_DPI, entry[1].turns.get(page, 0))
                                  if data is not None and entry is not None else None)
        return self.rendered[key]

    def page(self, file: str, page: int) -> str | None:
        key = (file, page)
        if key not in self.pages:
            self.pages[key] = None
            found, (i, doc) = self.image(file, page), self.docs[file]
            if found is not None:
                name = f"evidence/page-{i:02d}-{page}.png"
                write_atomic(self.folder / name, page_with_fields(*found, page, doc))
                self.pages[key] = name
        return self.pages[key]

    def picture(self, name: str, file: str, page: int | None, bbox: BBox | None,
                field_name: str | None) -> Picture | None:
        if page is None or file not in self.docs:
            return None
        found = self.image(file, page)
        if found is None:
            return None
        if bbox is None and field_name != "seal":  # the whole page: its image with the fields
            full = self.page(file, page)
            return Picture(full, _caption(file, page, field_name), full, whole_page=True) if full else None
        png = crop_of(*found, bbox, seal_area=field_name == "seal")
        if png is None:
            return None
        write_atomic(self.folder / name, png)
        return Picture(name, _caption(file, page, field_name), self.page(file, page))


def write_crops(app: Application, folder: Path) -> tuple[dict[str, list[Picture]], dict[int, Picture]]:
    """Crops of every finding's evidence and every unsure field that has a place: finding id →
    pictures, and index in ``report.unverified`` → picture."""
    pictures = _Pictures(app, folder)
    out: dict[str, list[Picture]] = {}
    for finding in app.report.findings:
        seen: set[tuple[object, ...]] = set()
        for k, ev in enumerate(finding.evidence, 1):
            key = (ev.file, ev.page, ev.bbox)
            if key in seen:
                continue  # one place named twice is shown once
            seen.add(key)
            name = f"evidence/{finding.finding_id}-{k}.png"
            pic = pictures.picture(name, ev.file, ev.page, ev.bbox, ev.field)
            if pic is not None:
                out.setdefault(finding.finding_id, []).append(pic)
    unsure: dict[int, Picture] = {}
    for i, u in enumerate(app.report.unverified):
        if u.bbox is not None:
            pic = pictures.picture(f"evidence/U{i + 1:02d}.png", u.file, u.page, u.bbox, u.field)
            if pic is not None:
                unsure[i] = pic
    return out, unsure
