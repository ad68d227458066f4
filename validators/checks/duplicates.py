"""The same evidence used twice: the same file or the same invoice inside one application."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from model.base import DocType, FindingCode
from model.document import EMPTY_SHA256
from model.report import Evidence
from validators.checks.common import label
from validators.context import CheckContext
from validators.ledger import invoice_key
from validators.runner import Draft, check


@check(FindingCode.DUPLICATE_DOCUMENT, "同一文件或同一张发票（代码＋号码）在本申报中重复提交", needs_manifest=False)
def duplicates(ctx: CheckContext) -> Iterator[Draft]:
    by_hash = defaultdict(list)
    for doc in ctx.documents:
        if doc.sha256 != EMPTY_SHA256:  # empty uploads are unreadable, not duplicates
            by_hash[doc.sha256].append(doc.file)
    for files in by_hash.values():
        if len(files) > 1:
            yield Draft(f"同一文件重复提交：{'、'.join(f'《{f}》' for f in sorted(files))}", tuple(sorted(files)),
                        tuple(Evidence(file=f, page=1) for f in sorted(files)))
    by_invoice = defaultdict(list)
    for doc in ctx.of_type(DocType.INVOICE):
        key = invoice_key(ctx, doc)
        if key is not None:
            by_invoice[key].append(doc)
    for (code, number), docs in by_invoice.items():
        if len(docs) > 1 and len({d.sha256 for d in docs}) > 1:
            which = f"代码 {code} " if code else ""
            docs = sorted(docs, key=lambda d: d.file)
            places = tuple(v.evidence if (v := ctx.value(d, "invoice_no")) is not None and v.bbox
                           else Evidence(file=d.file, page=1) for d in docs)
            total = ctx.value(docs[0], "total_amount")
            yield Draft(f"同一张发票（{which}号码 {number}）重复提交：{'、'.join(label(d) for d in docs)}，只计一次",
                        tuple(sorted(d.file for d in docs)), places, observed=number,
                        at_stake=total.value if total is not None else None)
