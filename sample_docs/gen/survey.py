"""python -m sample_docs.gen.survey [DIR]: what the corpus holds, with every manifest read
through the pipeline's own loader (the end-to-end part that exists before the batch)."""

from __future__ import annotations

import json
import sys
import zipfile
from collections import Counter
from pathlib import Path

from intake.manifest import MANIFEST_NAME, ManifestError, parse_manifest


def manifest_texts(inbox: Path) -> dict[str, str | None]:
    """application id → application.yaml text (None when absent), folders and zips alike."""
    out: dict[str, str | None] = {}
    for entry in sorted(inbox.iterdir()):
        if entry.is_dir():
            path = entry / MANIFEST_NAME
            out[entry.name] = path.read_text(encoding="utf-8") if path.exists() else None
        elif entry.suffix.lower() == ".zip":
            with zipfile.ZipFile(entry) as zf:
                names = [n for n in zf.namelist() if n.endswith("/" + MANIFEST_NAME)]
                out[entry.stem] = zf.read(names[0]).decode("utf-8") if names else None
    return out


def main(root: Path) -> int:
    inbox, truth_dir = root / "inbox", root / "truth"
    texts = manifest_texts(inbox)
    kinds: Counter[str] = Counter()
    codes: Counter[str] = Counter()
    files = scans = 0
    print(f"{'application':<14} {'direction':<15} {'files':>5} {'scans':>5}  manifest")
    for app_id, text in texts.items():
        truth = json.loads((truth_dir / f"{app_id}.json").read_text(encoding="utf-8"))
        n_scan = sum(1 for f in truth["files"].values() if f["scan"])
        files += len(truth["files"])
        scans += n_scan
        kinds.update(f["doc_type"] for f in truth["files"].values())
        codes.update(truth["expected_codes"])
        try:
            m = parse_manifest(text or "", app_id) if text is not None else None
            state = f"ok, {len(m.contracts)} contract(s)" if m else "missing"
        except ManifestError as exc:
            state = f"invalid: {exc}"[:70]
        print(f"{app_id:<14} {truth['direction']:<15} {len(truth['files']):>5} {n_scan:>5}  {state}")
    print(f"\n{len(texts)} applications, {files} files, {scans} scans ({scans / max(files, 1):.0%})")
    print("document types:", ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    print("planted finding codes:", len(codes), "distinct")
    print("Check them end to end with: voucher-check run sample_docs/inbox --out OUT")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[1])))
