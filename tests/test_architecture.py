"""The rules of the house (docs/architecture.md), checked on the source: the product packages
stand in layers, each importing only from the layers below it; no import circle anywhere; only
``flows`` imports Prefect; the development tools are never imported by the product; no
product file is longer than a newcomer reads in one sitting."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

LAYERS = ("model", "policy", "intake", "reading", "extractors", "validators", "outputs", "checking", "flows")
"""The product packages, lowest first: a module may import from its own layer and those below."""
BESIDE = ("sample_docs", "tools")
"""The sample corpus and its generator, and the development tools: above the product, never
imported by it (``flows`` only looks up where the sample inbox is)."""
MAX_LINES = 600


def modules() -> dict[str, Path]:
    found = {}
    for package in (*LAYERS, *BESIDE):
        for path in (ROOT / package).rglob("*.py"):
            if "inbox" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def imports_of(path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules ``path`` imports (at any depth of the file)."""

    def resolve(name: str) -> str | None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {m for a in node.names if (m := resolve(a.name))}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            module = node.module
            found |= {m for a in node.names if (m := resolve(f"{module}.{a.name}") or resolve(module))}
    return found


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports_of(path, known) - {name} for name, path in known.items()}


def test_no_module_imports_a_layer_above_its_own(graph: dict[str, set[str]]) -> None:
    rank = {p: i for i, p in enumerate(LAYERS)}
    upward = [f"{a} imports {b}" for a, targets in graph.items() for b in targets
              if a.split(".")[0] in rank and b.split(".")[0] in rank
              and rank[b.split(".")[0]] > rank[a.split(".")[0]]]
    assert upward == []


def test_the_product_never_imports_the_tools_or_the_corpus(graph: dict[str, set[str]]) -> None:
    """(but for the demo's inbox)"""
    wrong = [f"{a} imports {b}" for a, targets in graph.items() for b in targets
             if a.split(".")[0] in LAYERS and b.split(".")[0] in BESIDE
             and not (a == "flows.cli" and b == "sample_docs")]
    assert wrong == []


def test_there_is_no_import_circle(graph: dict[str, set[str]]) -> None:
    """Tarjan's strongly connected components: every one a single module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    assert circles == []


def test_only_flows_imports_prefect() -> None:
    offenders = []
    for package in (p for p in LAYERS if p != "flows"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                         else [node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
                offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names
                              if n.split(".")[0] in ("prefect", "prefect_dask")]
    assert offenders == []


def test_no_product_file_is_over_the_limit() -> None:
    long = {str(p.relative_to(ROOT)): n for package in LAYERS for p in (ROOT / package).rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_every_product_package_is_installed() -> None:
    """pyproject.toml ships each layer (and nothing of the tools)."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    include = next(line for line in text.splitlines() if line.startswith("include = "))
    assert all(f'"{p}*"' in include for p in LAYERS) and '"tools*"' not in include
