"""Checks of one document at a time: readable, typed, codes, arithmetic, seals, markings."""

from __future__ import annotations

from collections.abc import Iterator

from stdnum.cn import uscc as uscc_check

from extractors.cnnum import words_to_amount
from intake.manifest import MANIFEST_NAME
from model.base import BBox, DocType, FindingCode, Source, Support
from model.document import Document, LineItem, Party
from model.report import Evidence
from policy.words import words
from validators.checks.common import label, plain, unique, unread, yuan
from validators.context import CheckContext, Value
from validators.names import edit_distance, norm_code
from validators.runner import Draft, check

DOC_NAMES = words()["doc_types"]
"""The material names the messages use, keyed by document type value."""


SUMS = frozenset({Support.ARITHMETIC})
"""What an arithmetic check is about: the document's own sums."""


def _where(doc: Document, field: str | None = None) -> Evidence:
    return Evidence(file=doc.file, field=field)


@check(FindingCode.MANIFEST_INVALID, "application.yaml 缺失、无法解析或不符合格式", needs_manifest=False, typed=False)
def manifest_invalid(ctx: CheckContext) -> Iterator[Draft]:
    if ctx.manifest is None and ctx.load_error is None:
        problem = ctx.manifest_problem or f"申报表 {MANIFEST_NAME} 缺失：请随申报材料提交"
        rest = "其余材料已读取，申报无法核定" if ctx.documents else "申报目录中没有其他材料"
        yield Draft(f"{problem}；{rest}", (MANIFEST_NAME,))


@check(FindingCode.DOC_UNREADABLE, "申报目录或压缩包无法打开", needs_manifest=False, typed=False)
def unopened(ctx: CheckContext) -> Iterator[Draft]:
    if ctx.load_error is not None:
        yield Draft(f"未能核查：{ctx.load_error}", (ctx.upload,))


@check(FindingCode.DUPLICATE_DOCUMENT, "压缩包中两个条目同名", needs_manifest=False)
def same_name(ctx: CheckContext) -> Iterator[Draft]:
    for name, entry in sorted(ctx.renamed.items()):
        yield Draft(f"压缩包中有多个条目名为“{entry}”，已分别读取，后者显示为《{name}》；请确认是否重复提交",
                    (name,))


@check(FindingCode.DOC_UNREADABLE, "文件为空、损坏、加密、格式不支持或超出大小限制", needs_manifest=False, typed=False)
def unreadable(ctx: CheckContext) -> Iterator[Draft]:
    for doc in ctx.documents:
        if doc.errors:
            yield Draft(f"{label(doc)}无法读取：{'；'.join(doc.errors)}", (doc.file,), (_where(doc),))


@check(FindingCode.FILE_IRREGULAR, "文件已读取，但格式与扩展名不符、经过修复、设有权限密码或页面方向被转正",
      needs_manifest=False, typed=False)
def irregular(ctx: CheckContext) -> Iterator[Draft]:
    for doc in ctx.readable:
        for note in doc.notes:
            yield Draft(f"{label(doc)}{note}", (doc.file,), (_where(doc),))


def missing_materials(ctx: CheckContext) -> list[str]:
    """The materials the application's direction requires of which no document was recognised,
    each as the reviewer names it (合同, 供给企业证明或…)."""
    if ctx.manifest is None:
        return []
    present = {d.doc_type for d in ctx.readable}
    return ["或".join(DOC_NAMES[t] for t in group)
            for group in ctx.rules.required_materials.for_direction(ctx.manifest.direction)
            if not present.intersection(group)]


@check(FindingCode.DOC_UNCLASSIFIED, "文件可读但无法判断是哪类申报材料", needs_manifest=False)
def unclassified(ctx: CheckContext) -> Iterator[Draft]:
    missing = "、".join(missing_materials(ctx))
    maybe = f"；申报材料中未识别出{missing}，本文件可能即是，请核对" if missing else "，请人工确认"
    for doc in ctx.of_type(DocType.OTHER):
        yield Draft(f"{label(doc)}无法判断材料类型（不是合同、发票、结算单、付款凭证等所列材料）{maybe}",
                    (doc.file,), (_where(doc),))


def _party_values(ctx: CheckContext) -> Iterator[Value]:
    for doc in ctx.readable:
        for name, f in doc.fields:
            if f is not None and isinstance(f.value, Party) and f.value.uscc:
                yield Value(doc, name, f.value, f.page, f.bbox, f.source)


def _code_place(v: Value) -> Evidence:
    """Where a party's credit code is printed: its own box where the reader kept one, else
    the party's."""
    box = v.value.uscc_bbox if isinstance(v.value, Party) and v.value.uscc_bbox else v.bbox
    return Evidence(file=v.doc.file, page=v.page, bbox=box, field=f"{v.field}.uscc")


@check(FindingCode.USCC_INVALID, "统一社会信用代码校验位错误", needs_manifest=False)
def uscc_invalid(ctx: CheckContext) -> Iterator[Draft]:
    values = list(_party_values(ctx))
    valid = {norm_code(v.value.uscc) for v in values if uscc_check.is_valid(v.value.uscc)}
    if ctx.manifest is not None and ctx.manifest.applicant.uscc and uscc_check.is_valid(ctx.manifest.applicant.uscc):
        valid.add(norm_code(ctx.manifest.applicant.uscc))
    bad: dict[str, list[Value]] = {}
    for v in values:
        code = norm_code(v.value.uscc)
        if uscc_check.is_valid(code):
            continue
        # a code read by OCR one character away from a valid code elsewhere is a misreading
        edits = ctx.rules.tolerance.ocr_edits
        if v.source is Source.OCR and any(edit_distance(code, good) <= edits for good in valid):
            continue
        bad.setdefault(code, []).append(v)
    for code, uses in bad.items():  # one finding per bad code, listing every place it appears
        docs = tuple(dict.fromkeys(v.doc.file for v in uses))
        names = "、".join(dict.fromkeys(v.value.name for v in uses))
        where = "、".join(f"《{f}》" for f in docs)
        yield Draft(f"{names}的统一社会信用代码 {code} 校验位错误，见于 {len(docs)} 份材料：{where}",
                    docs, tuple(_code_place(v) for v in uses), observed=code)
    if ctx.manifest is not None:
        code = norm_code(ctx.manifest.applicant.uscc or "")
        if code and not uscc_check.is_valid(code):
            yield Draft(f"申报表中申报单位统一社会信用代码 {code} 校验位错误", ("application.yaml",), observed=code)


@check(FindingCode.APPLICANT_NOT_BEIJING, "申报单位统一社会信用代码的登记管理机关不在北京")
def not_beijing(ctx: CheckContext) -> Iterator[Draft]:
    assert ctx.manifest is not None
    code = norm_code(ctx.manifest.applicant.uscc or "")
    prefix = ctx.rules.applicant.beijing_division_prefix
    if len(code) == 18 and not code[2:8].startswith(prefix):
        yield Draft(f"申报单位统一社会信用代码 {code} 的行政区划码 {code[2:8]} 不属于北京（应以 {prefix} 开头），"
                    "请核实是否在京注册", ("application.yaml",), expected=f"{prefix}xxxx", observed=code[2:8])


@check(FindingCode.AMOUNT_WORDS_MISMATCH, "发票、结算单或付款凭证的大写金额与小写金额不一致", needs_manifest=False, about=SUMS)
def words_vs_figures(ctx: CheckContext) -> Iterator[Draft]:
    for doc in ctx.of_type(DocType.INVOICE):
        words, total = ctx.value(doc, "total_in_words"), ctx.value(doc, "total_amount")
        if words is None or total is None:
            continue
        said = words_to_amount(words.value)
        if said is not None and said != total.value:
            yield Draft(f"{label(doc)}价税合计大写“{words.value}”为 {yuan(said)}，与小写 {yuan(total.value)} 不一致",
                        (doc.file,), (words.evidence, total.evidence), expected=plain(total.value),
                        observed=plain(said))
    for doc in ctx.of_type(DocType.PAYMENT):
        words, amount = ctx.value(doc, "amount_in_words"), ctx.value(doc, "amount")
        if words is None or amount is None or Source.OCR in (words.source, amount.source):
            continue  # a scan's figures or words may be misread: the reading asks instead
        said = words_to_amount(words.value)
        if said is not None and said != amount.value:
            yield Draft(f"{label(doc)}付款金额大写“{words.value}”为 {yuan(said)}，与小写 {yuan(amount.value)} 不一致",
                        (doc.file,), (words.evidence, amount.evidence), expected=plain(amount.value),
                        observed=plain(said))
    for doc in ctx.of_type(DocType.SETTLEMENT):
        words, total = ctx.value(doc, "total_in_words"), ctx.value(doc, "total_amount")
        stated = ctx.value(doc, "stated_amount")
        if words is None or total is None:
            continue
        if words.source is Source.OCR and (stated is None or stated.value != total.value):
            continue  # a scan's figures must agree with each other before its words are doubted
        said = words_to_amount(words.value)
        if said is not None and said != total.value:
            yield Draft(f"{label(doc)}结算金额大写“{words.value}”为 {yuan(said)}，与合计 {yuan(total.value)} 不一致",
                        (doc.file,), (words.evidence, total.evidence), expected=plain(total.value),
                        observed=plain(said))


@check(FindingCode.TAX_ARITHMETIC, "金额＋税额≠价税合计，或税额≠金额×税率", needs_manifest=False, about=SUMS)
def tax_arithmetic(ctx: CheckContext) -> Iterator[Draft]:
    tolerance = ctx.rules.tolerance.arithmetic
    for doc in ctx.of_type(DocType.INVOICE):
        ex, tax, total = (ctx.value(doc, n) for n in ("amount_ex_tax", "tax_amount", "total_amount"))
        rate = ctx.value(doc, "tax_rate")
        items = ctx.value(doc, "items")
        lines = len(items.value) if items is not None else 1
        wrong: list[str] = []  # one invoice's tax figures: one finding, however many sums fail
        places: list[Evidence] = []
        expected = observed = None
        if ex is not None and tax is not None and total is not None and \
                abs(ex.value + tax.value - total.value) > tolerance:
            wrong.append(f"金额 {yuan(ex.value)} ＋ 税额 {yuan(tax.value)} ＝ {yuan(ex.value + tax.value)}，"
                         f"与价税合计 {yuan(total.value)} 不符")
            places += [ex.evidence, tax.evidence, total.evidence]
            expected, observed = plain(total.value), plain(ex.value + tax.value)
        if ex is not None and tax is not None and rate is not None:
            due = ex.value * rate.value
            if abs(due - tax.value) > tolerance * max(lines, 1):
                wrong.append(f"税额 {yuan(tax.value)} 与金额 {yuan(ex.value)} × 税率 {rate.value:.0%} ＝ {yuan(due)} 不符")
                places += [tax.evidence, ex.evidence, rate.evidence]
                expected, observed = expected or plain(due), observed or plain(tax.value)
        if wrong:
            at_stake = abs(ex.value + tax.value - total.value) if ex and tax and total else None
            yield Draft(f"{label(doc)}{'；'.join(wrong)}", (doc.file,), unique(places),
                        expected=expected, observed=observed, at_stake=at_stake)


@check(FindingCode.PRICE_ARITHMETIC, "合同单价×数量≠合同金额", needs_manifest=False, about=SUMS)
def price_arithmetic(ctx: CheckContext) -> Iterator[Draft]:
    tolerance = ctx.rules.tolerance.arithmetic
    for doc in ctx.of_type(DocType.CONTRACT):
        price, qty, total = (ctx.value(doc, n) for n in ("unit_price", "quantity", "total_amount"))
        if price is None or qty is None or total is None:
            continue
        product = price.value * qty.value
        if not ctx.rules.tolerance.plausible(product, total.value):
            continue  # a figure of another kind read as the price or the quantity: not a price error
        if abs(product - total.value) > tolerance:
            unit = ctx.value(doc, "unit")
            per = f"元/{unit.value}" if unit else "元"
            yield Draft(f"{label(doc)}单价 {price.value:,} {per} × 数量 {qty.value:,} ＝ {yuan(product)}，"
                        f"与合同金额 {yuan(total.value)} 不符", (doc.file,),
                        (price.evidence, qty.evidence, total.evidence),
                        expected=plain(total.value), observed=plain(product))


@check(FindingCode.PRICE_ARITHMETIC, "结算单明细行单价×用量≠金额", needs_manifest=False, about=SUMS)
def line_arithmetic(ctx: CheckContext) -> Iterator[Draft]:
    tolerance = ctx.rules.tolerance.arithmetic
    for doc in ctx.of_type(DocType.SETTLEMENT):
        items, total = ctx.value(doc, "items"), ctx.value(doc, "total_amount")
        if items is None:
            continue
        if items.source is Source.OCR and not _corroborated(ctx, doc, items.value, total):
            continue  # a scan's figures, unconfirmed elsewhere, may be misread: no error from them
        for item in items.value:
            if item.unit_price is None or item.quantity is None:
                continue
            product = item.unit_price * item.quantity
            if not ctx.rules.tolerance.plausible(product, item.amount):
                continue  # 985 for 985,653, a figure cut short, or the figures of other columns: not a price error
            if abs(product - item.amount) > tolerance:
                per = f"元/{item.unit}" if item.unit else "元"
                yield Draft(f"{label(doc)}明细“{item.name}”单价 {item.unit_price:,} {per} × 用量 {item.quantity:,} "
                            f"＝ {yuan(product)}，与该行金额 {yuan(item.amount)} 不符", (doc.file,),
                            (items.evidence,), expected=plain(item.amount), observed=plain(product))


def _corroborated(ctx: CheckContext, doc: Document, items: list[LineItem], total: Value | None) -> bool:
    """Whether an OCR'd table's figures are confirmed: its lines add up to its total, and
    each line's unit price is the contract's."""
    if total is None or sum(i.amount for i in items) != total.value:
        return False
    no = ctx.contract_of(doc)
    contract = ctx.contracts.get(no) if no else None
    price = ctx.value(contract, "unit_price") if contract is not None else None
    return price is not None and all(i.unit_price in (None, price.value) for i in items)


@check(FindingCode.PRICE_OUT_OF_MARKET, "算力单价超出规则文件中的市场价格区间", needs_manifest=False)
def price_band(ctx: CheckContext) -> Iterator[Draft]:
    for doc in ctx.of_type(DocType.CONTRACT):
        price, unit = ctx.value(doc, "unit_price"), ctx.value(doc, "unit")
        if price is None or unit is None:
            continue
        found = ctx.rules.band_for_unit(unit.value)
        if found is None:
            continue
        name, band = found
        if not band.min <= price.value <= band.max:
            yield Draft(f"{label(doc)}算力单价 {price.value:,.2f} 元/{name} 超出市场价格区间 "
                        f"{band.min:,.2f}–{band.max:,.2f} 元/{name}，请核实", (doc.file,), (price.evidence,),
                        expected=f"{band.min}-{band.max}", observed=plain(price.value))


@check(FindingCode.SEAL_MISSING, "须盖章的材料（合同、结算单、供给企业证明、承诺书等）未见公司印章",
      needs_manifest=False)
def seals(ctx: CheckContext) -> Iterator[Draft]:
    for doc in ctx.readable:
        if doc.doc_type in ctx.rules.must_be_sealed and not doc.seals:
            # the place a seal belongs: the signing area at the foot of the last page
            yield Draft(f"{label(doc)}（{DOC_NAMES[doc.doc_type.value]}）须加盖公章，但未发现公司印章",
                        (doc.file,), (Evidence(file=doc.file, page=doc.pages or 1, field="seal"),),
                        unsure=_grey_seal(doc))


@check(FindingCode.CLASSIFIED_MARKING, "材料含密级标识（秘密、机密、绝密）", needs_manifest=False, typed=False)
def markings(ctx: CheckContext) -> Iterator[Draft]:
    for doc in ctx.readable:
        for m in doc.markings:
            where = f"第 {m.page} 页" if m.page else ""
            yield Draft(f"{label(doc)}{where}有密级标识“{m.text}”，申报材料不得包含涉密内容",
                        (doc.file,), (Evidence(file=doc.file, page=m.page, bbox=m.bbox),), observed=m.text)


@check(FindingCode.COMMITMENT_INCOMPLETE, "承诺书未经法定代表人签字、未注明日期或未加盖公章",
      needs_manifest=False)
def commitment(ctx: CheckContext) -> Iterator[Draft]:
    for doc in ctx.of_type(DocType.COMMITMENT):
        signed, dated = ctx.value(doc, "signed"), ctx.value(doc, "sign_date")
        gaps = []
        unsure = None
        if signed is not None and not signed.value:
            gaps.append("法定代表人未签字")  # unread (no signing line found): FIELD_MISSING asks
            covered = signed.source is Source.OCR and _seal_beside(doc, signed.page, signed.bbox)
            if covered:
                unsure = f"《{doc.file}》第 {signed.page} 页签字处有印章覆盖，未能确认是否签字（请核对原件）"
        if dated is None and not unread(doc, "sign_date"):
            gaps.append("未注明日期")  # a date line not read at all: FIELD_MISSING asks
        if not doc.seals:
            grey = _grey_seal(doc)
            gaps.append("未识别到公章（灰度扫描件，请核对原件）" if grey and gaps else "未加盖公章")
            unsure = grey if len(gaps) == 1 else None
        elif unsure is not None and len(gaps) > 1:
            gaps.remove("法定代表人未签字")  # another gap is certain: the finding stands on it alone
            unsure = None
        if gaps:
            where = tuple(v.evidence for v in (signed, dated) if v is not None) or (_where(doc),)
            yield Draft(f"{label(doc)}不完整：{'、'.join(gaps)}", (doc.file,), where, unsure=unsure)


SIGNING_REACH = 12
"""Label heights to the right of 法定代表人（签字） within which a signature is written."""


def _seal_beside(doc: Document, page: int | None, label: BBox | None) -> bool:
    """Whether a seal stamped on the signing line could hide a signature under its ink (on a
    scan, where the seal and the signature are one patch of ink)."""
    if page is None or label is None:
        return False
    x1, y0, y1 = label[2], label[1], label[3]
    height = y1 - y0
    return any(s.page == page and s.bbox[0] <= x1 + SIGNING_REACH * height and s.bbox[2] >= x1
               and s.bbox[1] < y1 + height and s.bbox[3] > y0 - height for s in doc.seals)


def _grey_seal(doc: Document) -> str | None:
    """Why finding no seal proves nothing: a red mark of a seal's size was seen but not
    recognised; or every page is a grey-scale scan, where a seal is grey and only a round one
    is recognised (one page in colour shows the scan could show red)."""
    if doc.red_mark_pages:
        pages = "、".join(str(p) for p in doc.red_mark_pages)
        return f"《{doc.file}》第 {pages} 页有印章大小的红色印迹，未能确认是否为公章（请核对原件）"
    if not doc.grey_pages or len(doc.grey_pages) < doc.pages:
        return None
    pages = "、".join(str(p) for p in doc.grey_pages)
    return f"《{doc.file}》第 {pages} 页为灰度扫描件，印章不显红色，未能确认是否盖章（请核对原件）"

