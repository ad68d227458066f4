"""The reviewer's vocabulary (policy/vocabulary.yaml): every word of the reports, the
index, the CSV files and the checks' messages that is not a document's own text."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

VOCABULARY = Path(__file__).with_name("vocabulary.yaml")


@cache
def words() -> dict[str, dict[str, str]]:
    """Every list of the vocabulary: ``words()["directions"]["maas"]`` is MaaS平台建设."""
    data = yaml.safe_load(VOCABULARY.read_text(encoding="utf-8"))
    return {name: {str(k): str(v) for k, v in entries.items()} for name, entries in data.items()}


def say(group: str, key: object) -> str:
    """The Chinese word for ``key`` (an enum or its value) in ``group``; the key itself where
    the vocabulary has none, so a new value still shows."""
    value = getattr(key, "value", key)
    return words()[group].get(str(value), str(value))
