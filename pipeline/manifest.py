"""Reading ``application.yaml``: numbers stay exact (``Decimal``), errors say which key is bad."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from pydantic import ValidationError

from pipeline.model import Manifest, describe_errors

MANIFEST_NAME = "application.yaml"


class ManifestError(ValueError):
    """application.yaml is missing, unparsable or fails its schema; the message says where."""


class _ExactLoader(yaml.SafeLoader):
    """A safe loader that reads floats as Decimal, so 96000000.10 stays 96000000.10."""


def _decimal(loader: yaml.SafeLoader, node: yaml.Node) -> Decimal:
    text = str(loader.construct_scalar(node)).replace("_", "")  # type: ignore[arg-type]
    try:
        return Decimal(text)
    except InvalidOperation:
        return Decimal(float(text))


_ExactLoader.add_constructor("tag:yaml.org,2002:float", _decimal)


def parse_manifest(text: str, default_id: str) -> Manifest:
    """The manifest in ``text``; ``default_id`` (the folder name) fills a missing id."""
    try:
        data = yaml.load(text, Loader=_ExactLoader)
    except yaml.YAMLError as exc:
        raise ManifestError(f"{MANIFEST_NAME} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ManifestError(f"{MANIFEST_NAME} must be a mapping of form fields")
    data.setdefault("application_id", default_id)
    try:
        return Manifest.model_validate(data)
    except ValidationError as exc:
        raise ManifestError(f"{MANIFEST_NAME}: {describe_errors(exc)}") from exc


def load_manifest(app_dir: Path) -> Manifest:
    """The manifest of the application folder ``app_dir``."""
    path = app_dir / MANIFEST_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ManifestError(f"{MANIFEST_NAME} is missing") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{MANIFEST_NAME} cannot be read: {exc}") from exc
    return parse_manifest(text, app_dir.name)
