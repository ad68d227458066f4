"""python -m sample_docs.gen [--seed N] [--count N] [--out DIR]: regenerate the corpus."""

from __future__ import annotations

import argparse
from pathlib import Path

from sample_docs.gen import DEFAULT_SEED, generate


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m sample_docs.gen", description=__doc__)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--count", type=int, default=None,
                        help="number of applications (default: every plan, plus a resubmission)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1])
    args = parser.parse_args()
    apps = generate(args.out, args.seed, args.count)
    print(f"wrote {len(apps)} applications under {args.out / 'inbox'} (truth in {args.out / 'truth'})")


if __name__ == "__main__":
    main()
