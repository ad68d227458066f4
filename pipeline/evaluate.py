"""Scores extraction against a corpus's ground truth: document types and every field of the
interface contract, text PDFs and scans apart.

    python -m pipeline.evaluate [--corpus sample_docs] [--engine rapidocr|tesseract]
                                [--no-deskew] [--no-seal-suppression] [--binarize]
                                [--matrix] [--write docs/accuracy.md]

A field missing from the output counts as a miss. ``--matrix`` runs both engines with and
without each preprocessing step and writes the whole table.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from pipeline.application import Reader, document_of, load_input
from pipeline.cache import ReadCache
from pipeline.model import CONTRACT_FIELDS, DocType, Document
from pipeline.preprocess import Preprocess
from pipeline.reader import ReadSettings
from pipeline.rules import load_rules

ROOT = Path(__file__).resolve().parents[1]


def squash(text: str) -> str:
    """Text compared as a reviewer would: width, spaces and bracket forms ignored."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s", "", text).replace("(", "（").replace(")", "）")


def same(expected: Any, got: Any) -> bool:
    """Whether an extracted JSON value equals the truth's."""
    if expected is None or got is None:
        return expected is None and got is None
    if isinstance(expected, bool) or isinstance(got, bool):
        return expected == got
    if isinstance(expected, dict):
        return isinstance(got, dict) and squash(str(expected.get("name"))) == squash(str(got.get("name"))) \
            and (expected.get("uscc") or None) == (got.get("uscc") or None)
    if isinstance(expected, list):
        return isinstance(got, list) and len(expected) == len(got) and all(
            Decimal(e["amount"]) == Decimal(g["amount"]) and squash(e["name"]) == squash(g["name"])
            for e, g in zip(expected, got, strict=True))
    if isinstance(expected, int) and not isinstance(expected, bool):
        return str(expected) == str(got)
    try:
        return Decimal(str(expected)) == Decimal(str(got))
    except ArithmeticError:
        return squash(str(expected)) == squash(str(got))


@dataclass
class Tally:
    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.right += ok
        self.total += 1

    @property
    def share(self) -> float:
        return self.right / self.total if self.total else 1.0

    def __str__(self) -> str:
        return f"{self.share:.1%} ({self.right}/{self.total})"


@dataclass
class Score:
    doc_type: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    fields: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_type: dict[tuple[str, str], Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_field: dict[tuple[str, str, str], Tally] = field(default_factory=lambda: defaultdict(Tally))
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    pages: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    misses: list[str] = field(default_factory=list)


def _json(document: Document) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(document.model_dump_json())
    return {k: v["value"] for k, v in data["fields"].items()}


def evaluate(corpus: Path, reader: Reader) -> Score:
    score = Score()
    for truth_path in sorted((corpus / "truth").glob("APP-*.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        app_id = truth["application_id"]
        folder = corpus / "inbox" / app_id
        app = load_input(folder if folder.is_dir() else corpus / "inbox" / f"{app_id}.zip")
        for name, expected in truth["files"].items():
            if expected.get("unreadable"):
                continue
            kind = "scan" if expected["scan"] else "text"
            hits = reader.cache.hits if reader.cache else 0
            started = time.perf_counter()
            read = reader.read(name, app.files[name])
            if reader.cache is None or reader.cache.hits == hits:  # time real reads only
                score.seconds[kind] += time.perf_counter() - started
                score.pages[kind] += len(read.pages)
            document = document_of(read, reader.rules)
            score.doc_type[kind].add(document.doc_type.value == expected["doc_type"])
            if document.doc_type.value != expected["doc_type"]:
                score.misses.append(f"{app_id}/{name}: type {document.doc_type.value} "
                                    f"≠ {expected['doc_type']}")
            got = _json(document) if document.doc_type.value == expected["doc_type"] else {}
            doc_type = DocType(expected["doc_type"])
            for fname in CONTRACT_FIELDS[doc_type]:
                if fname not in expected["fields"]:
                    ok = fname not in got
                else:
                    ok = fname in got and same(expected["fields"][fname], got[fname])
                score.fields[kind].add(ok)
                score.by_type[(kind, doc_type.value)].add(ok)
                score.by_field[(kind, doc_type.value, fname)].add(ok)
                if not ok:
                    score.misses.append(f"{app_id}/{name} [{kind}] {fname}: "
                                        f"{expected['fields'].get(fname)!r} ≠ {got.get(fname)!r}")
    return score


def report(score: Score, title: str) -> str:
    lines = [f"### {title}", "", "| | text PDFs | scans |", "| --- | --- | --- |",
             f"| document type | {score.doc_type['text']} | {score.doc_type['scan']} |",
             f"| fields | {score.fields['text']} | {score.fields['scan']} |"]
    for kind in ("text", "scan"):
        pages = score.pages[kind]
        if pages:
            lines.append(f"| s/page ({kind}) | {score.seconds[kind] / pages:.2f} | |"
                         if kind == "text" else f"| s/page ({kind}) | | {score.seconds[kind] / pages:.2f} |")
    lines += ["", "| doc type | field | text | scan |", "| --- | --- | --- | --- |"]
    for doc_type, names in CONTRACT_FIELDS.items():
        for fname in names:
            t = score.by_field.get(("text", doc_type.value, fname))
            s = score.by_field.get(("scan", doc_type.value, fname))
            lines.append(f"| {doc_type.value} | {fname} | {t or '–'} | {s or '–'} |")
    return "\n".join(lines) + "\n"


def _reader(engine: str, preprocess: Preprocess, cache_dir: Path) -> Reader:
    rules = load_rules()
    settings = ReadSettings.from_rules(rules.reading, rules.limits, preprocess)
    return Reader(rules, ReadCache(cache_dir), engine_name=engine, settings=settings)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.evaluate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=ROOT / "sample_docs")
    parser.add_argument("--engine", default=None, help="rapidocr or tesseract (default: the rules')")
    parser.add_argument("--no-deskew", action="store_true")
    parser.add_argument("--no-seal-suppression", action="store_true")
    parser.add_argument("--binarize", action="store_true")
    parser.add_argument("--matrix", action="store_true", help="every engine × preprocessing step")
    parser.add_argument("--cache", type=Path, default=ROOT / ".cache" / "read")
    parser.add_argument("--write", type=Path, help="write the markdown table here")
    parser.add_argument("--misses", action="store_true", help="list every miss")
    args = parser.parse_args(argv)
    rules = load_rules()
    configs = []
    if args.matrix:
        for engine in ("rapidocr", "tesseract"):
            configs += [(engine, Preprocess()), (engine, Preprocess(deskew=False)),
                        (engine, Preprocess(suppress_seals=False)),
                        (engine, Preprocess(binarize=True))]
    else:
        configs.append((args.engine or rules.reading.ocr_engine,
                        Preprocess(deskew=not args.no_deskew, suppress_seals=not args.no_seal_suppression,
                                   binarize=args.binarize)))
    sections = []
    for engine, pre in configs:
        title = f"{engine}, deskew {'on' if pre.deskew else 'off'}, seal suppression " \
                f"{'on' if pre.suppress_seals else 'off'}, binarisation {'on' if pre.binarize else 'off'}"
        score = evaluate(args.corpus, _reader(engine, pre, args.cache))
        text = report(score, title)
        print(text)
        if args.misses:
            print("\n".join(score.misses))
        sections.append(text)
    if args.write:
        header = ("# Extraction accuracy\n\nWritten by `python -m pipeline.evaluate"
                  f"{' --matrix' if args.matrix else ''}` on {date.today().isoformat()} over "
                  f"`{args.corpus.name}/`. A field counts as right only when present and equal to the "
                  "ground truth; a field the truth says is absent must be absent. Seconds per page "
                  "are for reading (text layer or OCR) on this machine, cached reads excluded.\n\n")
        args.write.write_text(header + "\n".join(sections), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
