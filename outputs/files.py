"""How every output file is written: to a hidden temporary name in its folder, then renamed,
so a killed run never leaves a half-written file; and the temporaries a killed run left.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remove_stale_temporaries(out: Path) -> int:
    """Delete the temporary files a killed run left in ``out`` (never a finished output);
    returns how many."""
    stale = [*out.glob(".tmp-*"), *out.glob("*/.tmp-*"), *out.glob("*/evidence/.tmp-*")]
    for path in stale:
        path.unlink(missing_ok=True)
    return len(stale)
