"""Which values an accusation may rest on.

A finding that accuses (every code but those that only ask a person to look) says the
applicant's evidence is wrong. It may rest only on values that are certain: exact data
(OFD, XML, QR), or a value governed by its label, read exactly (text layer) or by OCR with
the confidence the rules ask for, and not put in doubt by its own document's arithmetic.
Corroboration by the declaration, another document or the document's sums stands in for
an OCR engine's confidence. Where a value is not certain, the finding asks instead: it
names the value, why it is not certain and where to look.
"""

from __future__ import annotations

from typing import Any

from model.base import FindingCode, Source, Support, TypedBy
from model.document import Document, Field
from policy.rules import Rules
from policy.words import say

ASKING = frozenset({FindingCode.FIELD_MISSING, FindingCode.DOC_UNCLASSIFIED})
"""The codes that only ask a person to look."""

EXACT = frozenset({Support.STRUCTURED, Support.QR})
AGREED = frozenset({Support.DECLARATION, Support.CROSS_DOCUMENT})
"""Agreement from outside the document: it outweighs the document's own failing sum (the
figure the declaration or another document gives too is not the misread one)."""
CORROBORATED = frozenset({Support.DECLARATION, Support.ARITHMETIC, Support.CROSS_DOCUMENT}) | EXACT


DOUBT_WORDS = {
    Support.ARITHMETIC: "与本文件其他数字勾稽不符，可能读错",
    Support.DECLARATION: "与申报信息对不上（信用代码属于另一名称，或名称属于另一方），可能读错",
    Support.CROSS_DOCUMENT: "与其他材料对不上（同一信用代码在别处属于另一名称），可能读错",
}
"""Why a value is in doubt, by the corroboration that failed."""


def doubt(f: Field[Any], rules: Rules, about: frozenset[Support] = frozenset()) -> str | None:
    """Why ``f`` cannot carry an accusation, in the reviewer's words, or None when it is
    certain. ``about``: the corroboration the accusation itself is about (an arithmetic
    finding rests on the very sum that failed)."""
    evidence = set(f.evidence)
    if evidence & EXACT:
        return None
    for support in f.doubts:
        if support not in about and not (support is Support.ARITHMETIC and evidence & AGREED):
            return DOUBT_WORDS[support]
    if Support.LABEL not in evidence and not evidence & CORROBORATED:
        return "未由标签确定，系按内容推断"
    if f.source is Source.OCR and f.confidence < rules.reading.low_confidence and not evidence & CORROBORATED:
        return f"识别置信度 {f.confidence:.0%}，且无其他材料印证"
    return None


def field_of(doc: Document | None, name: str) -> Field[Any] | None:
    if doc is None or doc.fields is None:
        return None
    f: Field[Any] | None = getattr(doc.fields, name, None)
    return f


def type_doubt(doc: Document) -> str | None:
    """Why ``doc``'s values cannot carry an accusation whatever their own certainty: its type
    was told only by a resemblance of its content (no title or wording said it, or they said
    another, and it holds only part of what its type cannot lack), so it may not be the
    document it was read as."""
    if doc.typed_by is TypedBy.RESEMBLANCE:
        return f"的类型系按内容判断（标题未表明是{say('doc_types', doc.doc_type)}），可能不是该类材料"
    return None
