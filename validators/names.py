"""Names and numbers as a reviewer compares them: width, spaces, brackets and the letters OCR
confuses with digits set aside."""

from __future__ import annotations

import re
import unicodedata


def norm_name(name: str) -> str:
    """A company name compared as a reviewer reads it: width, spaces and brackets ignored."""
    text = unicodedata.normalize("NFKC", name)
    return re.sub(r"\s", "", text).replace("(", "（").replace(")", "）")


_LOOK_ALIKES = str.maketrans("OI", "01")


def norm_code(code: str) -> str:
    """A document number or credit code as compared: width, case, spaces and separators
    ignored, and O and I read as 0 and 1 (OCR confuses them; no credit code holds O or I)."""
    return re.sub(r"[\s\-_/]", "", unicodedata.normalize("NFKC", code)).upper().translate(_LOOK_ALIKES)


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, for names an OCR engine may have misread by a character."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]
