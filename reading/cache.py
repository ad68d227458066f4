"""Reading results kept on disk by content hash and reading settings: nothing is read twice.

A file whose bytes, reader version, OCR engine and preprocessing are unchanged is taken
from the cache; anything else is read again. Entries are written atomically.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, is_dataclass
from pathlib import Path

from pydantic import BaseModel

from model.document import Code, Page, Seal
from reading.einvoice import Structured


class CachedRead(BaseModel):
    pages: list[Page]
    seals: list[Seal]
    errors: list[str]
    notes: list[str] = []
    structured: Structured | None = None
    codes: list[Code] = []


class ReadCache:
    """A folder of JSON entries, one per (file content, reading settings)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(sha256: str, reader_version: str, engine: str, settings: object) -> str:
        """The entry name: the file's hash and a digest of everything that shapes a read."""
        plain: object = str(settings)
        if is_dataclass(settings) and not isinstance(settings, type):
            plain = asdict(settings)
        described = json.dumps(plain, sort_keys=True, default=str)
        tag = hashlib.sha256(f"{reader_version}|{engine}|{described}".encode()).hexdigest()[:16]
        return f"{sha256}-{tag}"

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> CachedRead | None:
        path = self._path(key)
        try:
            entry = CachedRead.model_validate_json(path.read_bytes())
        except (OSError, ValueError):
            self.misses += 1
            return None
        self.hits += 1
        return entry

    def put(self, key: str, entry: CachedRead) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        with os.fdopen(fd, "wb") as handle:
            handle.write(entry.model_dump_json().encode())
        os.replace(tmp, path)
