"""The temporaries a killed run left in an output folder (every output is written by
``intake.files.write_atomic``: a hidden temporary name, then a rename)."""

from __future__ import annotations

from pathlib import Path

from intake.files import TEMP_PREFIX


def remove_stale_temporaries(out: Path) -> int:
    """Delete the temporary files a killed run left in ``out`` (never a finished output);
    returns how many."""
    stale = [path for pattern in ("", "*/", "*/evidence/") for path in out.glob(f"{pattern}{TEMP_PREFIX}*")]
    for path in stale:
        path.unlink(missing_ok=True)
    return len(stale)
