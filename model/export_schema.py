"""python -m model.export_schema: rewrite model/schema/report.schema.json from the model."""

from __future__ import annotations

import json
from pathlib import Path

from model.report import report_json_schema

SCHEMA_PATH = Path(__file__).with_name("schema") / "report.schema.json"


def schema_text() -> str:
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **report_json_schema()}
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    SCHEMA_PATH.write_text(schema_text(), encoding="utf-8")
    print(f"wrote {SCHEMA_PATH}")
