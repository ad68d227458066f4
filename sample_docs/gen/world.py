"""Made-up but plausible companies, people, banks and codes for the sample corpus."""

from __future__ import annotations

import random
from dataclasses import dataclass

from stdnum.cn import uscc as uscc_mod

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

BEIJING_DISTRICTS = {
    "110108": "海淀区", "110105": "朝阳区", "110114": "昌平区", "110115": "大兴区",
    "110106": "丰台区", "110112": "通州区", "110113": "顺义区", "110107": "石景山区",
}
OTHER_REGIONS = {
    "310115": "上海市浦东新区", "330106": "杭州市西湖区", "640100": "宁夏银川市",
    "520115": "贵州省贵阳市观山湖区", "150100": "内蒙古呼和浩特市", "440305": "深圳市南山区",
    "320505": "苏州市虎丘区", "120116": "天津市滨海新区",
}
BRANDS = [
    "星河", "智源", "云图", "深思", "启明", "灵犀", "天工", "九章", "百川", "墨池", "鸿鹄",
    "青藤", "远景", "极光", "知行", "澜舟", "清微", "衡宇", "博远", "睿图", "数贤", "元象",
    "飞渡", "北辰", "凌云", "华策", "万象", "新立", "思源", "长河",
]
APPLICANT_TRADES = ["智算科技", "人工智能科技", "智能科技", "信息技术", "数据科技", "网络科技"]
SUPPLIER_TRADES = ["算力科技", "云计算", "智算云服务", "数据中心", "云科技", "智能算力"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = ["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明",
         "超", "秀英", "建华", "志强", "海燕", "晓东", "文博", "子涵", "思远", "立新", "国栋"]
STREETS = ["中关村大街", "上地信息路", "望京街", "科学园南里", "北清路", "学院路", "丰台科技园汉威路",
           "酒仙桥路", "亦庄经海路", "张江路", "文一西路", "科技园南区高新南七道"]
BANKS = ["中国工商银行", "中国建设银行", "招商银行", "中国银行", "交通银行", "北京银行"]
GPUS = [("NVIDIA H800", 8), ("NVIDIA A800", 8), ("NVIDIA H20", 8), ("昇腾910B", 8),
        ("NVIDIA A100", 8)]


@dataclass(frozen=True)
class Company:
    name: str
    uscc: str
    legal_rep: str
    address: str
    bank: str
    account: str
    phone: str


def make_uscc(rng: random.Random, division: str, valid: bool = True) -> str:
    """An 18-character USCC for a company registered in ``division``."""
    if rng.random() < 0.7:
        body = "MA0" + "".join(rng.choice(USCC_ALPHABET[:10] + "ABCDEFGHJKLMNPQRTUWXY")
                               for _ in range(6))
    else:
        body = "".join(rng.choice("0123456789") for _ in range(9))
    head = "91" + division + body
    check = uscc_mod.calc_check_digit(head)
    if not valid:
        check = rng.choice([c for c in USCC_ALPHABET if c != check])
    return head + check


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def company(rng: random.Random, *, beijing: bool, supplier: bool, used: set[str],
            valid_uscc: bool = True) -> Company:
    """A company not yet used in this corpus."""
    while True:
        brand = rng.choice(BRANDS) + rng.choice(["", "", "智", "云", "数", "新"])
        if beijing:
            division, place = rng.choice(sorted(BEIJING_DISTRICTS.items()))
            city, full_place = "北京", "北京市" + place
        else:
            division, full_place = rng.choice(sorted(OTHER_REGIONS.items()))
            city = full_place[:2]
        trade = rng.choice(SUPPLIER_TRADES if supplier else APPLICANT_TRADES)
        form = rng.choice(["有限公司", "有限公司", "有限公司", "股份有限公司"])
        name = f"{city}{brand}{trade}{form}" if rng.random() < 0.8 else f"{brand}{trade}（{city}）{form}"
        if name not in used:
            used.add(name)
            break
    address = f"{full_place}{rng.choice(STREETS)}{rng.randint(1, 99)}号{rng.randint(1, 12)}层"
    account = "".join(rng.choice("0123456789") for _ in range(rng.choice([16, 19])))
    phone = f"010-{rng.randint(6000_0000, 8999_9999)}" if beijing else \
        f"0{rng.randint(20, 999)}-{rng.randint(6000_0000, 8999_9999)}"
    return Company(
        name=name, uscc=make_uscc(rng, division, valid_uscc), legal_rep=person(rng),
        address=address, bank=rng.choice(BANKS) + rng.choice(["北京分行", "上海分行", "中关村支行",
                                                               "望京支行", "营业部"]),
        account=account, phone=phone,
    )
