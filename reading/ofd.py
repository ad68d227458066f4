"""OFD documents (GB/T 33190): the positioned text and images of every page, and the
invoice data the file carries.

An OFD is a zip. ``OFD.xml`` names the document (``DocRoot``) and may carry
``CustomData`` with the invoice's values; the document lists its pages and templates;
each page's ``TextObject``s hold text at a ``Boundary`` (millimetres from the page's
top-left) with glyph positions (``TextCode`` ``X``/``Y``/``DeltaX``) and an optional
``CTM``. Older e-invoices attach ``original_invoice.xml`` (root ``eInvoice``) or XBRL;
others point from custom tags at the text objects that hold each value.

Every XML part is parsed with entities, DTDs and the network off, and the package is
held to the same limits as any zip: entries, unpacked size and compression ratio. Files
written by real producers have quirks the parser tolerates: a byte-order mark, absolute
part names (``/Doc_0/…``), folder names in another case (``TPLS/TPL_0``), an empty
namespace prefix (``<:eInvoice xmlns:="">``) and undeclared prefixes.
"""

from __future__ import annotations

import contextlib
import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree
from PIL import Image, ImageDraw, ImageFont

from model.base import BBox, Source
from model.document import Page, Word
from policy.rules import Limits

PT_PER_MM = 72 / 25.4
"""Page boxes are in points, as for PDF pages."""
ASCENT = 0.88
"""The share of a glyph's size above its baseline (the rest hangs below)."""

def _parser() -> etree.XMLParser:
    """A parser of its own for each document (a parser object is not to be shared across
    threads): no entities resolved, no DTD loaded, no network, no huge trees."""
    return etree.XMLParser(recover=True, resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False, remove_comments=True, remove_pis=True)
_EMPTY_PREFIX = re.compile(rb"(</?):(?=[A-Za-z_])")
_EMPTY_XMLNS = re.compile(rb"\sxmlns:=\"[^\"]*\"")


class OfdError(Exception):
    """The package cannot be read; the message is for the reviewer, in Chinese."""


def parse_xml(data: bytes) -> etree._Element | None:
    """An XML part's root, or None when nothing can be made of it: no entities, no DTD,
    no network; a byte-order mark and an empty namespace prefix are tolerated."""
    data = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    data = _EMPTY_XMLNS.sub(b"", _EMPTY_PREFIX.sub(rb"\1", data))
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError:
        return None
    return root


def local(element: etree._Element) -> str:
    """An element's name without namespace or prefix (``ofd:Page`` and ``{…}Page`` are
    ``Page``); empty for anything that is not an element."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2].rpartition(":")[2]


def children(element: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in element if local(c) == name]


def first(element: etree._Element | None, *path: str) -> etree._Element | None:
    """The first descendant along ``path`` (element names, any namespace), or None."""
    for name in path:
        if element is None:
            return None
        element = next((c for c in element.iter() if c is not element and local(c) == name), None)
    return element


def text_of(element: etree._Element | None) -> str:
    return "".join(element.itertext()).strip() if element is not None else ""


# --- the package ----------------------------------------------------------------------------


class Package:
    """The zip's parts by name, looked up as producers write them: relative to the part
    that names them or absolute, in any letter case."""

    def __init__(self, data: bytes, limits: Limits | None) -> None:
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError):
            raise OfdError("OFD 文件损坏（不是完整的 zip 包），无法打开") from None
        total = sum(i.file_size for i in infos)
        if limits is not None and len(infos) > limits.max_zip_entries:
            raise OfdError(f"OFD 文件含 {len(infos):,} 个部件，超过上限 {limits.max_zip_entries:,}")
        if limits is not None and total > limits.max_zip_bytes:
            raise OfdError(f"OFD 文件解压后共 {total / 1048576:,.0f} MB，超过上限，疑为压缩炸弹")
        self.limits = limits
        self.infos = {i.filename.strip("/").lower(): i for i in infos if not i.is_dir()}

    def name(self, ref: str, base: str = "") -> str | None:
        """The part ``ref`` names, from the folder of part ``base``; None when absent."""
        ref = ref.strip().replace("\\", "/")
        if not ref:
            return None
        path = ref.lstrip("/") if ref.startswith("/") else posixpath.join(posixpath.dirname(base), ref)
        path = posixpath.normpath(path).lower()
        if path.startswith("../"):
            return None
        info = self.infos.get(path)
        return info.filename if info is not None else None

    def read(self, name: str) -> bytes:
        info = self.infos[name.strip("/").lower()]
        if info.flag_bits & 0x1:
            raise OfdError("OFD 文件已加密，无法读取")
        if self.limits is None:
            with self.zip.open(info) as handle:
                return handle.read()
        if info.file_size > self.limits.max_file_bytes or (
                info.compress_size and info.file_size / info.compress_size > self.limits.max_zip_ratio):
            raise OfdError(f"OFD 部件 {info.filename} 过大或压缩比异常，疑为压缩炸弹")
        with self.zip.open(info) as handle:
            return handle.read(self.limits.max_file_bytes + 1)

    def xml(self, ref: str | None, base: str = "") -> tuple[str, etree._Element] | None:
        """A part parsed, with its resolved name; None when absent or not XML."""
        name = self.name(ref, base) if ref else None
        if name is None:
            return None
        root = parse_xml(self.read(name))
        return (name, root) if root is not None else None

    def names(self) -> Iterator[str]:
        return (i.filename for i in self.infos.values())


# --- what a read gives ----------------------------------------------------------------------


@dataclass
class Picture:
    """An image object on a page: where it is (points) and its bytes, when the package has them."""

    page: int
    bbox: BBox
    data: bytes | None


@dataclass
class OfdDocument:
    pages: list[Page] = field(default_factory=list)
    pictures: list[Picture] = field(default_factory=list)
    custom: dict[str, str] = field(default_factory=dict)
    """``CustomData`` of ``OFD.xml``, by name."""
    attachments: list[etree._Element] = field(default_factory=list)
    """Attached XML parts (``eInvoice``, XBRL), parsed."""
    tags: dict[str, list[Word]] = field(default_factory=dict)
    """Custom tags: a tag's path (``Buyer/BuyerName``) → the words of the text objects it
    points at."""
    tag_pages: dict[str, int] = field(default_factory=dict)
    """The page of each tag's words."""
    notes: list[str] = field(default_factory=list)


def read_ofd(data: bytes, limits: Limits | None) -> OfdDocument:
    """Every page's text and images and the invoice data of an OFD file; raises
    ``OfdError`` when it cannot be read. ``limits`` None: bytes that passed them before."""
    pkg = Package(data, limits)
    ofd_name = next((n for n in pkg.names() if n.strip("/").lower() == "ofd.xml"), None)
    top = pkg.xml(ofd_name) if ofd_name else None
    if top is None:
        raise OfdError("OFD 文件缺少入口文件 OFD.xml，无法读取")
    root_name, ofd_root = top
    out = OfdDocument()
    for custom in ofd_root.iter():
        if local(custom) == "CustomData" and custom.get("Name"):
            out.custom[custom.get("Name", "").strip()] = text_of(custom)
    doc_root = text_of(first(ofd_root, "DocRoot"))
    found = pkg.xml(doc_root, root_name)
    if found is None:
        raise OfdError("OFD 文件的文档（DocRoot）缺失或损坏，无法读取")
    doc_name, document = found
    pages = first(document, "Pages")
    page_refs = children(pages, "Page") if pages is not None else []
    if limits is not None and len(page_refs) > limits.max_pages:
        raise OfdError(f"页数 {len(page_refs)} 超过上限 {limits.max_pages}")
    media = _media(pkg, doc_name, document)
    default_box = _box_mm(text_of(first(first(document, "CommonData"), "PageArea", "PhysicalBox")))
    templates = {t.get("ID", ""): t.get("BaseLoc", "") for t in document.iter()
                 if local(t) == "TemplatePage"}
    objects: dict[tuple[str, str], tuple[int, Word]] = {}
    for number, page_ref in enumerate(page_refs, 1):
        part = pkg.xml(page_ref.get("BaseLoc", ""), doc_name)
        if part is None:
            out.notes.append(f"第 {number} 页的内容缺失，未读取")
            continue
        page_name, page_root = part
        box = _box_mm(text_of(first(page_root, "Area", "PhysicalBox"))) or default_box or (0, 0, 210, 297)
        words: list[Word] = []
        layers: list[tuple[str, etree._Element]] = []
        for use in page_root.iter():
            if local(use) == "Template":
                tpl = pkg.xml(templates.get(use.get("TemplateID", ""), ""), doc_name)
                if tpl is not None:
                    layers.append(tpl)
        layers.append((page_name, page_root))
        for _, layer in layers:
            for obj in layer.iter():
                kind = local(obj)
                if kind == "TextObject":
                    for word in _words(obj, box):
                        words.append(word)
                        if layer is page_root:
                            objects.setdefault((page_ref.get("ID", ""), obj.get("ID", "")), (number, word))
                elif kind == "ImageObject":
                    bbox = _object_box(obj, box)
                    if bbox is not None:
                        out.pictures.append(Picture(number, bbox, media.get(obj.get("ResourceID", ""))))
        width, height = (box[2] * PT_PER_MM, box[3] * PT_PER_MM)
        out.pages.append(Page(number=number, width=round(width, 2), height=round(height, 2), unit="pt",
                              source=Source.OFD, words=words,
                              images=[p.bbox for p in out.pictures if p.page == number]))
    out.attachments = _attachments(pkg, doc_name, document)
    _tags(pkg, doc_name, document, objects, out)
    return out


def _box_mm(text: str) -> tuple[float, float, float, float] | None:
    parts = _numbers(text)
    if len(parts) != 4 or parts[2] <= 0 or parts[3] <= 0:
        return None
    return (parts[0], parts[1], parts[2], parts[3])


def _numbers(text: str) -> list[float]:
    out = []
    for part in text.split():
        try:
            out.append(float(part))
        except ValueError:
            return []
    return out


def _deltas(spec: str, count: int) -> list[float]:
    """``DeltaX``/``DeltaY`` as one step per glyph after the first; ``g N v`` is N steps of v."""
    steps: list[float] = []
    parts = spec.split()
    i = 0
    while i < len(parts):
        if parts[i] == "g" and i + 2 < len(parts):
            with contextlib.suppress(ValueError):
                steps.extend([float(parts[i + 2])] * int(parts[i + 1]))
            i += 3
            continue
        with contextlib.suppress(ValueError):
            steps.append(float(parts[i]))
        i += 1
    steps = steps[:max(count - 1, 0)]
    return steps


def _transform(ctm: list[float], x: float, y: float) -> tuple[float, float]:
    if len(ctm) != 6:
        return x, y
    a, b, c, d, e, f = ctm
    return a * x + c * y + e, b * x + d * y + f


def _words(obj: etree._Element, page_box: tuple[float, float, float, float]) -> list[Word]:
    """A text object's glyph runs as words (split at spaces), in points from the page's
    top-left."""
    boundary = _box_mm(obj.get("Boundary", ""))
    if boundary is None:
        return []
    ctm = _numbers(obj.get("CTM", ""))
    scale = abs(ctm[0] * ctm[3] - ctm[1] * ctm[2]) ** 0.5 if len(ctm) == 6 else 1.0
    size = float(obj.get("Size", "3") or 3) * (scale or 1.0)
    words: list[Word] = []
    x = y = 0.0
    for code in obj.iter():
        if local(code) != "TextCode":
            continue
        text = code.text or ""
        if not text:
            continue
        x = float(code.get("X", x) or x)
        y = float(code.get("Y", y) or y)
        dx = _deltas(code.get("DeltaX", ""), len(text))
        dy = _deltas(code.get("DeltaY", ""), len(text))
        glyphs: list[tuple[str, float, float]] = []
        gx, gy = x, y
        for i, ch in enumerate(text):
            if i:
                gx += dx[i - 1] if i - 1 < len(dx) else (dx[-1] if dx else size)
                gy += dy[i - 1] if i - 1 < len(dy) else 0.0
            px, py = _transform(ctm, gx, gy)
            glyphs.append((ch, boundary[0] + px - page_box[0], boundary[1] + py - page_box[1]))
        advance = (dx[-1] if dx else size) * (scale or 1.0)
        words.extend(_runs(glyphs, size, advance))
    return words


def _runs(glyphs: list[tuple[str, float, float]], size: float, advance: float) -> list[Word]:
    out: list[Word] = []
    run: list[tuple[str, float, float]] = []

    def close() -> None:
        if run:
            text = "".join(g[0] for g in run)
            x0, x1 = run[0][1], run[-1][1] + min(advance, size)
            base = max(g[2] for g in run)
            box = (x0 * PT_PER_MM, (base - size * ASCENT) * PT_PER_MM,
                   x1 * PT_PER_MM, (base + size * (1 - ASCENT)) * PT_PER_MM)
            out.append(Word(text=text, bbox=tuple(round(v, 2) for v in box), confidence=1.0))  # type: ignore[arg-type]
            run.clear()

    for glyph in glyphs:
        if glyph[0].isspace():
            close()
        else:
            run.append(glyph)
    close()
    return out


def _object_box(obj: etree._Element, page_box: tuple[float, float, float, float]) -> BBox | None:
    b = _box_mm(obj.get("Boundary", ""))
    if b is None:
        return None
    x0, y0 = b[0] - page_box[0], b[1] - page_box[1]
    return (round(x0 * PT_PER_MM, 2), round(y0 * PT_PER_MM, 2),
            round((x0 + b[2]) * PT_PER_MM, 2), round((y0 + b[3]) * PT_PER_MM, 2))


def _media(pkg: Package, doc_name: str, document: etree._Element) -> dict[str, bytes | None]:
    """Image resources by ID: their bytes, or None when the package lacks them."""
    out: dict[str, bytes | None] = {}
    for res_ref in document.iter():
        if local(res_ref) not in ("DocumentRes", "PublicRes"):
            continue
        part = pkg.xml(text_of(res_ref), doc_name)
        if part is None:
            continue
        res_name, res = part
        base_loc = res.get("BaseLoc", "")
        for mm in res.iter():
            if local(mm) != "MultiMedia":
                continue
            ref = text_of(first(mm, "MediaFile"))
            name = None
            if ref:
                name = pkg.name(posixpath.join(base_loc, ref), res_name) or pkg.name(ref, res_name)
            out[mm.get("ID", "")] = pkg.read(name) if name else None
    return out


def _attachments(pkg: Package, doc_name: str, document: etree._Element) -> list[etree._Element]:
    """Attached XML parts: those ``Attachments.xml`` lists, and any XML under ``Attachs``."""
    names: list[str] = []
    listing = pkg.xml(text_of(first(document, "Attachments")), doc_name)
    if listing is not None:
        list_name, root = listing
        for att in root.iter():
            if local(att) == "FileLoc":
                name = pkg.name(text_of(att), list_name)
                if name:
                    names.append(name)
    names += [n for n in pkg.names() if "/attachs/" in f"/{n.lower()}" and n.lower().endswith(".xml")
              and not n.lower().endswith("attachments.xml")]
    out = []
    for name in dict.fromkeys(names):
        root = parse_xml(pkg.read(name))
        if root is not None:
            out.append(root)
    return out


def _tags(pkg: Package, doc_name: str, document: etree._Element,
          objects: dict[tuple[str, str], tuple[int, Word]], out: OfdDocument) -> None:
    """Custom tags resolved to the words of the text objects they point at. A document may
    not name its ``Tags/CustomTags.xml``; it is looked for beside it then."""
    ref = text_of(first(document, "CustomTags"))
    listing = pkg.xml(ref, doc_name) if ref else pkg.xml("Tags/CustomTags.xml", doc_name)
    if listing is None:
        return
    list_name, root = listing
    for loc in root.iter():
        if local(loc) != "FileLoc":
            continue
        part = pkg.xml(text_of(loc), list_name)
        if part is None:
            continue
        for leaf in part[1].iter():
            if local(leaf) != "ObjectRef":
                continue
            path = "/".join(local(a) for a in list(reversed(list(leaf.iterancestors())))[1:])
            hit = objects.get((leaf.get("PageRef", ""), (leaf.text or "").strip()))
            if hit is not None:
                out.tags.setdefault(path, []).append(hit[1])
                out.tag_pages.setdefault(path, hit[0])


# --- drawing a page -------------------------------------------------------------------------

FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
"""A CJK font make installs (fonts-wqy-zenhei)."""


def render_ofd_page(doc: OfdDocument, number: int, scale: float) -> Image.Image:
    """Page ``number`` drawn at ``scale`` pixels per point: its images at their boundaries
    and its text in its boxes, black on white, for evidence crops and QR decoding."""
    page = doc.pages[number - 1]
    canvas = Image.new("RGB", (max(1, round(page.width * scale)), max(1, round(page.height * scale))),
                       "white")
    for pic in doc.pictures:
        if pic.page != number or not pic.data:
            continue
        x0, y0, x1, y1 = (round(v * scale) for v in pic.bbox)
        try:
            with Image.open(io.BytesIO(pic.data)) as img:
                shown = img.convert("RGBA").resize((max(1, x1 - x0), max(1, y1 - y0)))
        except Exception:  # a format Pillow cannot decode (JBIG2 …): left blank
            continue
        canvas.paste(shown, (x0, y0), shown)
    draw = ImageDraw.Draw(canvas)
    fonts: dict[int, ImageFont.FreeTypeFont | ImageFont.ImageFont] = {}
    for word in page.words:
        left, top, _, bottom = (v * scale for v in word.bbox)
        size = max(6, round((bottom - top) * 0.9))
        if size not in fonts:
            try:
                fonts[size] = ImageFont.truetype(FONT, size)
            except OSError:
                fonts[size] = ImageFont.load_default()
        draw.text((left, top), word.text, fill="black", font=fonts[size])
    return canvas
