"""Scores extraction against a corpus's ground truth: document types and every field of the
interface contract, text PDFs and scans apart.

    python -m tools.evaluate [--corpus sample_docs] [--engine rapidocr|tesseract]
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
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from checking.steps import document_of
from checking.steps import load_application as _load
from intake.inbox import upload_files
from model.base import DocType
from model.document import CONTRACT_FIELDS, Document
from policy.rules import Rules, load_rules
from reading.cache import ReadCache
from reading.preprocess import Preprocess
from reading.reader import ReadSettings
from reading.session import Reader

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
    if isinstance(expected, str) and isinstance(got, dict):
        return squash(expected) == squash(str(got.get("name")))  # a company named without its code
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
    """Fields right, and of the rest those read wrong (a value that is not the truth's) and
    those missing: a wrong value is worse than a missing one, so the two are told apart."""

    right: int = 0
    total: int = 0
    wrong: int = 0
    missing: int = 0

    def add(self, ok: bool, present: bool = True) -> None:
        self.right += ok
        self.total += 1
        if not ok:
            if present:
                self.wrong += 1
            else:
                self.missing += 1

    @property
    def share(self) -> float:
        return self.right / self.total if self.total else 1.0

    def __str__(self) -> str:
        return f"{self.share:.1%} ({self.right}/{self.total})"

    def split(self) -> str:
        return f"{self} · wrong {self.wrong} · missing {self.missing}"


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


def _timed_read(score: Score, reader: Reader, kind: str, name: str, data: bytes) -> Document:
    hits = reader.cache.hits if reader.cache else 0
    started = time.perf_counter()
    read = reader.read(name, data)
    if reader.cache is None or reader.cache.hits == hits:  # time real reads only
        score.seconds[kind] += time.perf_counter() - started
        score.pages[kind] += len(read.pages)
    return document_of(read, reader.rules)


def _score_document(score: Score, where: str, kind: str, expected_type: str,
                    expected: dict[str, Any], document: Document, every_field: bool) -> None:
    """One document against its truth; ``every_field``: the truth lists every field it has,
    so a field it leaves out must be absent too (our corpus); else only its fields count."""
    score.doc_type[kind].add(document.doc_type.value == expected_type)
    if document.doc_type.value != expected_type:
        score.misses.append(f"{where}: type {document.doc_type.value} ≠ {expected_type}")
    got = _json(document) if document.doc_type.value == expected_type else {}
    doc_type = DocType(expected_type)
    known = CONTRACT_FIELDS[doc_type]
    names = known if every_field else [n for n in expected if n in known]
    for fname in names:
        present = got.get(fname) not in (None, "", [], {})
        if fname not in expected:
            ok = fname not in got
        else:
            # our truth tells a field printed empty (a null invoice code) from one not found
            ok = (fname in got or not every_field) and same(expected[fname], got.get(fname))
        score.fields[kind].add(ok, present)
        score.by_type[(kind, doc_type.value)].add(ok, present)
        score.by_field[(kind, doc_type.value, fname)].add(ok, present)
        if not ok:
            score.misses.append(f"{where} [{kind}] {fname}: {expected.get(fname)!r} ≠ {got.get(fname)!r}")


def corpus_applications(corpus: Path, rules: Rules) -> Iterator[tuple[str, dict[str, Any], dict[str, bytes]]]:
    """Each application of a corpus (``inbox/`` folders or zips) with its truth (``truth/``)
    and its uploads' bytes."""
    for truth_path in sorted((corpus / "truth").glob("APP-*.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        app_id = truth["application_id"]
        folder = corpus / "inbox" / app_id
        path = folder if folder.is_dir() else corpus / "inbox" / f"{app_id}.zip"
        yield app_id, truth, upload_files(path, _load(path, rules, corpus / "inbox"), rules.limits)


def evaluate(corpus: Path, reader: Reader) -> Score:
    """Our corpus (``sample_docs``): truth per application, every field of every file."""
    score = Score()
    for app_id, truth, files in corpus_applications(corpus, reader.rules):
        for name, expected in truth["files"].items():
            if expected.get("unreadable"):
                continue
            kind = "scan" if expected["scan"] else "text"
            document = _timed_read(score, reader, kind, name, files[name])
            _score_document(score, f"{app_id}/{name}", kind, expected["doc_type"], expected["fields"],
                            document, every_field=True)
    return score


def evaluate_practice(folder: Path, reader: Reader) -> Score:
    """A corpus the practice generator wrote (``folder/inbox``, ``folder/truth``): its truth
    names each document's type, whether it is a scan, and the fields it holds."""
    score = Score()
    for app_id, truth, uploads in corpus_applications(folder, reader.rules):
        files = {unicodedata.normalize("NFC", Path(n).name): data for n, data in uploads.items()}
        for name, expected in truth["documents"].items():
            data = files.get(unicodedata.normalize("NFC", name))
            if data is None or not expected.get("doc_type") or not expected.get("fields"):
                continue
            kind = "scan" if expected.get("scan") else "text"
            document = _timed_read(score, reader, kind, name, data)
            _score_document(score, f"{app_id}/{name}", kind, expected["doc_type"], expected["fields"],
                            document, every_field=False)
    return score


def evaluate_real(real: Path, truth_dir: Path, reader: Reader) -> Score:
    """Real documents (``../shared/real``) against the truth written by hand for them
    (``tests/real/truth``), from their text layers."""
    score = Score()
    for truth_path in sorted(truth_dir.glob("*.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        path = real / truth["file"]
        if not path.is_file():
            continue
        document = _timed_read(score, reader, "text", path.name, path.read_bytes())
        _score_document(score, truth["file"], "text", truth["doc_type"], truth["fields"], document,
                        every_field=False)
    return score


def report(score: Score, title: str) -> str:
    lines = [f"### {title}", "", "| | text PDFs | scans |", "| --- | --- | --- |",
             f"| document type | {score.doc_type['text']} | {score.doc_type['scan']} |",
             f"| fields | {score.fields['text']} | {score.fields['scan']} |",
             f"| wrong values | {score.fields['text'].wrong} | {score.fields['scan'].wrong} |",
             f"| missing | {score.fields['text'].missing} | {score.fields['scan'].missing} |"]
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
            if t or s:
                lines.append(f"| {doc_type.value} | {fname} | {t.split() if t else '–'} | "
                             f"{s.split() if s else '–'} |")
    return "\n".join(lines) + "\n"


def _reader(engine: str, preprocess: Preprocess, cache_dir: Path) -> Reader:
    rules = load_rules()
    settings = ReadSettings.from_rules(rules.reading, rules.limits, preprocess)
    return Reader(rules, ReadCache(cache_dir), engine_name=engine, settings=settings)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.evaluate", description=__doc__,
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
    parser.add_argument("--practice", type=Path, help="also score a practice corpus (its inbox/ and truth/)")
    parser.add_argument("--real", type=Path, help="also score the real documents here (../shared/real)")
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
    default = _reader(rules.reading.ocr_engine, Preprocess(), args.cache)
    others: list[tuple[Score, str]] = []
    if args.practice:
        others.append((evaluate_practice(args.practice, default),
                       f"practice corpus `{args.practice.name}` ({rules.reading.ocr_engine})"))
    if args.real:
        others.append((evaluate_real(args.real, ROOT / "tests" / "real" / "truth", default),
                       "real documents as uploaded: text layer, OFD or OCR (truth labelled by hand)"))
    for score, title in others:
        text = report(score, title)
        print(text)
        if args.misses:
            print("\n".join(score.misses))
        sections.append(text)
    if args.write:
        header = ("# Extraction accuracy\n\nWritten by `python -m tools.evaluate"
                  f"{' --matrix' if args.matrix else ''}` on {date.today().isoformat()} over "
                  f"`{args.corpus.name}/`. A field counts as right only when present and equal to the "
                  "ground truth; a field the truth says is absent must be absent. Seconds per page "
                  "are for reading (text layer or OCR) on this machine, cached reads excluded. "
                  "Wrong values (present, not the truth's) and missing ones are counted apart: a "
                  "wrong value is worse than a missing one. The practice corpus is written by an "
                  "independent generator; its truth lists only the fields each document holds.\n\n")
        args.write.write_text(header + "\n".join(sections), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
