"""Reading the committed corpus in tests: truth files and inbox files (folders and zips)."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.conftest import SAMPLE_DOCS

INBOX = SAMPLE_DOCS / "inbox"
TRUTH = SAMPLE_DOCS / "truth"


def text_pdf(entry: dict[str, Any]) -> bool:
    """Whether a truth entry's upload is a PDF with a text layer throughout (not a scan, not
    an OFD or XML invoice)."""
    return entry["scan"] is None and entry.get("format", "pdf") == "pdf"


def truths(truth_dir: Path = TRUTH) -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(truth_dir.glob("APP-*.json"))]


def inbox_files(app_id: str, inbox: Path = INBOX) -> Iterator[tuple[str, bytes]]:
    """(file name, bytes) of every upload of one application, from its folder or zip."""
    folder = inbox / app_id
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            yield path.name, path.read_bytes()
        return
    with zipfile.ZipFile(inbox / f"{app_id}.zip") as zf:
        for name in sorted(zf.namelist()):
            if not name.endswith("/"):
                yield name.split("/", 1)[1], zf.read(name)
