"""Deterministic generator of the sample evidence corpus: inbox folders plus ground truth.

``generate(out, seed)`` writes ``out/inbox/<APP>/`` (what applicants upload) and
``out/truth/<APP>.json`` (what the pipeline must find), never mixing the two.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from sample_docs.gen.docs import BrokenDoc, Doc, StructuredDoc
from sample_docs.gen.render import render
from sample_docs.gen.scan import scan
from sample_docs.gen.scenario import App, build_apps
from sample_docs.gen.sheet import SealMark, qr_png
from sample_docs.gen.structured import ofd_bytes, qr_text, xml_bytes

DEFAULT_SEED = 20250715
ZIP_TIME = (2025, 7, 1, 9, 0, 0)


class _ManifestDumper(yaml.SafeDumper):
    pass


def _decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:float", f"{value:.2f}")


_ManifestDumper.add_representer(Decimal, _decimal)


def manifest_text(manifest: dict[str, Any] | str) -> str:
    if isinstance(manifest, str):
        return manifest
    return yaml.dump(manifest, Dumper=_ManifestDumper, allow_unicode=True, sort_keys=False)


def render_file(doc: Doc, rng: random.Random) -> tuple[bytes, list[SealMark]]:
    """The bytes of one uploaded file and where its seals are."""
    if isinstance(doc, BrokenDoc):
        return doc.payload, []
    if isinstance(doc, StructuredDoc):
        if doc.fmt == "xml":
            return xml_bytes(doc.invoice), []
        return ofd_bytes(doc.invoice, doc.carrier, set(doc.quirks), qr_png(qr_text(doc.invoice))), []
    pdf, seals = render(doc, rng)
    if doc.style.scan:
        return scan(pdf, seals, doc.style.scan, doc.style.dpi, rng)
    return pdf, seals


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def generate(out: Path, seed: int = DEFAULT_SEED, count: int | None = None) -> list[App]:
    """Write the corpus for ``seed`` under ``out`` (inbox/ and truth/), replacing both."""
    out = Path(out)
    apps = build_apps(seed, count)
    for sub in ("inbox", "truth"):
        shutil.rmtree(out / sub, ignore_errors=True)
    rendered: dict[int, tuple[bytes, list[SealMark]]] = {}
    for app in apps:
        files: dict[str, bytes] = {"application.yaml": manifest_text(app.manifest).encode()}
        truth = app.truth()
        for f in app.files:
            key = id(f.doc)
            if key not in rendered:
                rng = random.Random(f"{seed}:{app.app_id}:{f.name}")
                rendered[key] = render_file(f.doc, rng)
            data, seals = rendered[key]
            files[f.name] = data
            entry = truth["files"][f.name]
            entry["sha256"] = hashlib.sha256(data).hexdigest()
            entry["seals"] = [{"page": m.page, "bbox": list(m.bbox)} for m in seals]
        if app.zipped:
            write_atomic(out / "inbox" / f"{app.app_id}.zip", _zip(app.app_id, files))
        else:
            for name, data in files.items():
                write_atomic(out / "inbox" / app.app_id / name, data)
        text = json.dumps(truth, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
        write_atomic(out / "truth" / f"{app.app_id}.json", text.encode())
    index = {"seed": seed, "applications": [a.app_id for a in apps]}
    write_atomic(out / "truth" / "corpus.json",
                 (json.dumps(index, ensure_ascii=False, indent=2) + "\n").encode())
    return apps


def _zip(app_id: str, files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            info = zipfile.ZipInfo(f"{app_id}/{name}", date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.flag_bits |= 0x800  # UTF-8 file names
            zf.writestr(info, data)
    return buf.getvalue()
