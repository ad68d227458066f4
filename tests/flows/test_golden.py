"""Golden outputs: what the demo batch writes for every sample application, pinned.

Each sample application has ``sample_docs/golden/<id>.json``: its report.json (the time of
checking left out, numbers with a fraction rounded to 3 places so that a last-bit difference
of the OCR engine on another processor is not a change) and its rows of findings.csv and
summary.csv. Any change to a result shows here as a diff. When a change is meant, run
``pytest tests/flows/test_golden.py --update-goldens`` and read ``git diff sample_docs/golden``
before committing it.
"""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SAMPLE_DOCS
from tests.sample_docs.corpus import truths

GOLDEN = SAMPLE_DOCS / "golden"
PLACES = 3


def normalised(value: Any) -> Any:
    """``value`` with every float rounded to ``PLACES`` (``-0.0`` as ``0.0``)."""
    if isinstance(value, float):
        return round(value, PLACES) + 0.0
    if isinstance(value, dict):
        return {k: normalised(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalised(v) for v in value]
    return value


def golden_of(out: Path, application_id: str) -> str:
    """The golden text of one application of the batch written to ``out``."""
    report = json.loads((out / application_id / "report.json").read_text(encoding="utf-8"))
    report.pop("checked_at")

    def rows(name: str) -> list[dict[str, str]]:
        with (out / name).open(encoding="utf-8-sig", newline="") as handle:
            return [r for r in csv.DictReader(handle) if r["application_id"] == application_id]

    data = {"report": normalised(report), "findings_csv": rows("findings.csv"),
            "summary_csv": rows("summary.csv")}
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


@pytest.mark.slow
def test_every_sample_application_gives_its_golden_outputs(
        demo_batch: tuple[Path, subprocess.CompletedProcess[str]], request: pytest.FixtureRequest) -> None:
    out, result = demo_batch
    assert result.returncode == 0, result.stderr
    ids = sorted(t["application_id"] for t in truths())
    if request.config.getoption("--update-goldens"):
        GOLDEN.mkdir(exist_ok=True)
        for stale in set(GOLDEN.glob("*.json")) - {GOLDEN / f"{i}.json" for i in ids}:
            stale.unlink()
        for i in ids:
            (GOLDEN / f"{i}.json").write_text(golden_of(out, i), encoding="utf-8")
        return
    assert sorted(p.stem for p in GOLDEN.glob("*.json")) == ids
    differ = [i for i in ids if golden_of(out, i) != (GOLDEN / f"{i}.json").read_text(encoding="utf-8")]
    assert not differ, (f"outputs differ from sample_docs/golden for {differ}: if the change is meant, "
                        "run pytest tests/flows/test_golden.py --update-goldens and read the diff")
