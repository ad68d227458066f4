"""Which field of each document type names the applicant and which the supplier, with the
reviewer's words for the role."""

from __future__ import annotations

from model.base import DocType

APPLICANT_ROLES: dict[DocType, tuple[str, str]] = {
    DocType.CONTRACT: ("party_a", "合同甲方（委托方）"),
    DocType.INVOICE: ("buyer", "发票购买方"),
    DocType.PAYMENT: ("payer", "付款人"),
    DocType.SETTLEMENT: ("customer", "结算单客户"),
    DocType.SUPPLIER_CERTIFICATE: ("customer", "供给企业证明所列租用单位"),
    DocType.USAGE_STATEMENT: ("company", "使用情况说明单位"),
    DocType.COMMITMENT: ("company", "承诺单位"),
    DocType.PLATFORM_LOG: ("company", "平台日志运营单位"),
    DocType.AGENT_FILING: ("company", "日活证明企业"),
}
SUPPLIER_ROLES: dict[DocType, tuple[str, str]] = {
    DocType.INVOICE: ("seller", "发票销售方"),
    DocType.PAYMENT: ("payee", "收款人"),
    DocType.SETTLEMENT: ("supplier", "结算单出具方"),
    DocType.SUPPLIER_CERTIFICATE: ("supplier", "算力供给企业"),
}
