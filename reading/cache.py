"""Reading results kept on disk by content hash and reading settings: nothing is read twice.

A file whose bytes, reader version, OCR engine and preprocessing are unchanged is taken
from the cache; anything else is read again. An entry is the read document as it is (its
upload aside, which is the file itself), written atomically.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, is_dataclass
from pathlib import Path

from intake.files import Upload, write_atomic
from reading.reader import ReadDocument


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

    def get(self, key: str, upload: Upload) -> ReadDocument | None:
        """``upload`` as read before, or None (never read with these settings, or an entry
        that no longer parses)."""
        try:
            raw = json.loads(self._path(key).read_bytes())
            entry = ReadDocument.model_validate({**raw, "upload": upload, "from_cache": True})
        except (OSError, ValueError):
            self.misses += 1
            return None
        self.hits += 1
        return entry

    def put(self, key: str, doc: ReadDocument) -> None:
        write_atomic(self._path(key), doc.model_dump_json().encode())
