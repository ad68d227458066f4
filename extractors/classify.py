"""The document type from its content: the title first, then the words a type always uses.

Never from the file name. ``other`` when no type is clearly ahead.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass

from extractors.layout import page_lines
from model.base import DocType
from model.document import Page

# Titles as issuers print them (regular expressions over the squashed title text).
TITLES: dict[DocType, tuple[str, ...]] = {
    DocType.INVOICE: (r"发票", r"专用发票", r"普通发票"),
    DocType.CONTRACT: (r"合同$", r"协议$", r"合同书", r"协议书", r"服务合同", r"租赁合同"),
    DocType.SETTLEMENT: (r"结算单", r"结算确认单", r"对账单", r"结算确认", r"账单$", r"结算(明细|清单|汇总)",
                         r"结算表$"),
    DocType.PAYMENT: (r"回单", r"付款凭证", r"转账凭证", r"业务凭证", r"汇款"),
    DocType.SUPPLIER_CERTIFICATE: (r"供给企业证明", r"供应商证明", r"租用.*算力.*说明", r"算力.*证明$",
                                   r"资质证明"),
    DocType.USAGE_STATEMENT: (r"使用情况说明", r"应用场景说明", r"算力用途说明", r"使用情况(登记|报告|表)"),
    DocType.COMMITMENT: (r"承诺书", r"承诺函"),
    DocType.PLATFORM_LOG: (r"平台日志", r"运营(数据|情况统计)", r"调用量证明", r"日志摘要"),
    DocType.AGENT_FILING: (r"上线批号", r"日活量证明", r"备案证明", r"日活.*证明"),
}

# Words of the body that mark a type, each counted once.
KEYWORDS: dict[DocType, tuple[str, ...]] = {
    DocType.INVOICE: ("发票号码", "开票日期", "价税合计", "购买方", "销售方", "税额", "发票代码", "校验码"),
    DocType.CONTRACT: ("甲方", "乙方", "委托方", "服务方", "第一条", "第二条", "违约责任", "争议解决",
                       "合同编号", "本合同"),
    DocType.SETTLEMENT: ("结算单号", "结算周期", "对账期间", "单据编号", "用量", "服务商", "结算金额",
                         "计费周期"),
    DocType.PAYMENT: ("付款人", "收款人", "户名", "账号", "交易流水号", "流水号", "交易金额", "用途",
                      "摘要", "开户银行", "收款行"),
    DocType.SUPPLIER_CERTIFICATE: ("兹证明", "特此证明", "特此说明", "算力规模", "租赁期限", "智算资源",
                                   "算力供给企业"),
    DocType.USAGE_STATEMENT: ("算力用途", "应用场景", "算力应用领域", "仅用于所申报方向"),
    DocType.COMMITMENT: ("本单位", "承诺如下", "高精尖产业发展资金", "法定代表人（签字）", "诚实守信"),
    DocType.PLATFORM_LOG: ("Tokens", "调用量", "服务企业数", "统计期间", "日均"),
    DocType.AGENT_FILING: ("上线批号", "日均活跃用户", "DAU", "生成式人工智能", "日活"),
}

TITLE_WEIGHT = 6.0
MIN_SCORE = 4.0
MIN_LEAD = 1.5


@dataclass(frozen=True)
class Classification:
    doc_type: DocType
    confidence: float
    scores: dict[DocType, float]

    @property
    def leaning(self) -> DocType:
        """The type its words favour, however weakly (``other`` on a tie or without any): not
        enough to tell the type, but it agrees or not with what the content tells."""
        ranked = sorted(self.scores.items(), key=lambda kv: kv[1], reverse=True)
        if not ranked or ranked[0][1] <= 0 or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
            return DocType.OTHER
        return ranked[0][0]


TITLE_MAX_CHARS = 24
SENTENCE_MARK = re.compile(r"[，。：:；;,]")


def title_text(pages: list[Page]) -> str:
    """The large-print words near the top of the first page, squashed."""
    if not pages or not pages[0].words:
        return ""
    page = pages[0]
    heights = [w.bbox[3] - w.bbox[1] for w in page.words]
    median = statistics.median(heights)
    top_zone = page.height * 0.4
    big = [w for w in page.words if w.bbox[1] < top_zone and (w.bbox[3] - w.bbox[1]) >= 1.3 * median
           and is_title_like(w.text)]  # a scan's long line of running text stands tall too
    if not big:
        big = sorted(page.words, key=lambda w: w.bbox[1])[:3]
    return re.sub(r"\s", "", "".join(w.text for w in big))


TITLE_LINES = 3
"""The first lines of a page, each of which may be its title on its own (a scan's title is
printed no larger than the body as OCR measures it)."""


def title_candidates(pages: list[Page]) -> list[str]:
    """The large print near the top, and each of the first lines of the first page, squashed."""
    if not pages or not pages[0].words:
        return []
    lines = [re.sub(r"\s", "", line.text) for line in page_lines(pages[0])[:TITLE_LINES]]
    return [title_text(pages), *filter(is_title_like, lines)]


def is_title_like(text: str) -> bool:
    """A title is short and no sentence: a line of running text that names a contract
    (根据……签订的《……合同》，……) is not one."""
    squashed = re.sub(r"\s", "", text)
    return len(squashed) <= TITLE_MAX_CHARS and not SENTENCE_MARK.search(squashed)


def classify(pages: list[Page]) -> Classification:
    """The most likely type of a document, with a confidence in 0..1."""
    titles = title_candidates(pages)
    body = re.sub(r"\s", "", " ".join(w.text for p in pages[:3] for w in p.words))
    scores: dict[DocType, float] = {}
    for doc_type in TITLES:
        score = sum(1.0 for k in KEYWORDS[doc_type] if k in body)
        if any(re.search(p, title) for p in TITLES[doc_type] for title in titles):
            score += TITLE_WEIGHT
        scores[doc_type] = score
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    (best, top), (_, second) = ranked[0], ranked[1]
    if top < MIN_SCORE or top - second < MIN_LEAD:
        return Classification(DocType.OTHER, 0.5, scores)
    confidence = min(1.0, 0.5 + (top - second) / (2 * TITLE_WEIGHT))
    return Classification(best, round(confidence, 3), scores)
