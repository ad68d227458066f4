"""A bounded fuzz run of the readers: sample uploads mutated at random (bytes flipped,
inserted, deleted, runs repeated, cut short, two files spliced) and read as the batch reads
them, in worker processes with a time limit, so a crash in a native library or a hang is
seen rather than suffered.

    python -m tools.fuzz [--minutes 3] [--seed N] [--keep DIR]

Prints how many inputs it tried and what it found. A finding is a read whose process died,
one that ran past the time limit, or one whose reason for the reviewer is not plain
Chinese (an exception's name, English). Each input behind a finding is kept in ``--keep``;
put it in ``tests/fuzz_regressions/`` and the suite reads it on every run.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

from PIL import Image

from intake.files import take_in
from policy.rules import load_rules
from reading.reader import ReadDocument, ReadSettings
from reading.workers import CRASHED, TIMED_OUT, ReadPool

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_docs" / "inbox"
TIME_LIMIT_SECONDS = 60
SMALL_SIDE = 700
"""Scans are shrunk to this width before mutation: the decoders are what is fuzzed, and a
small page keeps OCR to a second."""
FORMAT_WORDS = re.compile(r"\b(?:PDF|PNG|JPEG|TIFF|OFD|XML|HTML|Word|Excel|PowerPoint|Office|RAR|GIF|BMP|"
                          r"WebP|HEIC|RTF|MB|dpi|zip|gzip|UTF|GBK|SIGKILL|SIGSEGV|SIGBUS|SIGABRT|OOM)\b")


def samples() -> list[bytes]:
    """One file of each kind from the corpus: text PDFs, scanned PDFs, JPEG and PNG scans
    (shrunk), and a TIFF made from one of them."""
    found: dict[str, bytes] = {}
    for path in sorted(SAMPLES.rglob("*")):
        suffix = path.suffix.lower()
        if path.is_file() and suffix in (".pdf", ".jpg", ".png") and len(found.get(suffix, b"")) == 0:
            data = path.read_bytes()
            found[suffix] = _shrunk(data) if suffix != ".pdf" else data
    if ".jpg" in found:
        image = Image.open(io.BytesIO(found[".jpg"]))
        buf = io.BytesIO()
        image.save(buf, "TIFF")
        found[".tif"] = buf.getvalue()
    return list(found.values())


def _shrunk(data: bytes) -> bytes:
    image = Image.open(io.BytesIO(data)).convert("RGB")
    image.thumbnail((SMALL_SIDE, SMALL_SIDE * 2))
    buf = io.BytesIO()
    image.save(buf, "JPEG" if data[:3] == b"\xff\xd8\xff" else "PNG")
    return buf.getvalue()


def mutate(data: bytes, others: list[bytes], rng: random.Random) -> bytes:
    """``data`` changed in one to four random ways."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        if not out:
            break
        at = rng.randrange(len(out))
        kind = rng.randrange(7)
        if kind == 0:  # flip bits
            for _ in range(rng.randint(1, 16)):
                out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
        elif kind == 1:  # random bytes over a run
            size = rng.randint(1, 64)
            out[at:at + size] = rng.randbytes(size)
        elif kind == 2:  # insert
            out[at:at] = rng.randbytes(rng.randint(1, 256))
        elif kind == 3:  # delete
            del out[at:at + rng.randint(1, 4096)]
        elif kind == 4:  # repeat a run
            size = rng.randint(1, 2048)
            out[at:at] = out[at:at + size] * rng.randint(2, 50)
        elif kind == 5:  # cut short
            del out[at:]
        else:  # the head of this file, the tail of another
            other = rng.choice(others)
            out = out[:at] + bytearray(other[rng.randrange(len(other) or 1):])
    return bytes(out)


def problem_of(doc: ReadDocument) -> str | None:
    """What is wrong with a read, for a fuzz run: None when it read or was refused plainly."""
    for error in doc.errors:
        if error.startswith(CRASHED.split("（")[0]):
            return "crash"
        if error.startswith(TIMED_OUT.split("：")[0]):
            return "timeout"
        if re.search(r"[A-Za-z]{4,}", FORMAT_WORDS.sub("", error)):
            return f"not plain Chinese: {error}"
    return None


def run(minutes: float, seed: int, keep: Path) -> int:
    rules = load_rules()
    settings = ReadSettings.from_rules(rules.reading, rules.limits)
    rng = random.Random(seed)
    bases = samples()
    tried = 0
    outcomes: Counter[str] = Counter()
    findings: list[tuple[str, Path]] = []
    deadline = time.monotonic() + minutes * 60
    print(f"fuzzing the readers for {minutes:g} min (seed {seed}) on {len(bases)} sample files", flush=True)
    with ReadPool(2, rules.reading.ocr_engine, TIME_LIMIT_SECONDS) as pool:
        while time.monotonic() < deadline:
            data = mutate(rng.choice(bases), bases, rng)
            upload = take_in("fuzz", data, rules.limits)
            if upload.readable:
                doc = pool.read(upload, settings)[0]
            else:
                doc = ReadDocument(upload=upload, errors=upload.errors)
            tried += 1
            problem = problem_of(doc)
            outcomes["read" if doc.pages and not doc.errors else "refused" if not problem else "finding"] += 1
            if problem:
                keep.mkdir(parents=True, exist_ok=True)
                path = keep / f"{hashlib.sha256(data).hexdigest()[:16]}.bin"
                path.write_bytes(data)
                findings.append((problem, path))
                print(f"  finding: {problem} → {path}", flush=True)
    print(f"tried {tried} inputs: {outcomes['read']} read, {outcomes['refused']} refused with a reason, "
          f"{len(findings)} findings")
    for problem, path in findings:
        print(f"  {problem}: {path}")
    return 1 if findings else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.fuzz", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--keep", type=Path, default=Path("fuzz-findings"))
    args = parser.parse_args(argv)
    return run(args.minutes, args.seed, args.keep)


if __name__ == "__main__":
    sys.exit(main())
