"""Which newspaper notice interrupts limitation (LEGAL_RULES section 2; Part 2, B.3): pure, no models.

A creditor's notice asserting the claim in a newspaper interrupts limitation only when it
is published in a national outlet or in a provincial-level outlet of the debtor's
domicile (诉讼时效规定 Art. 8 para 1 (4): 在国家级或者下落不明的当事人一方住所地的省级有影响的
媒体上刊登); another province's paper, or a city paper, does not count. Fasu knows the
outlet by its name: the national papers are listed, and a provincial-level paper is one
named after its province or listed with it. A name Fasu does not know does not count
(the conservative reading): counsel may override the limitation date with the reason.
The debtor's domicile province is read from the debtor's address, else from the first two
digits of the resident identity number (the place of household registration).
"""

from __future__ import annotations

import re

# GB/T 2260 province-level codes and the names their addresses and papers start with.
PROVINCES: dict[str, tuple[str, ...]] = {
    "11": ("北京",),
    "12": ("天津",),
    "13": ("河北",),
    "14": ("山西",),
    "15": ("内蒙古",),
    "21": ("辽宁",),
    "22": ("吉林",),
    "23": ("黑龙江",),
    "31": ("上海",),
    "32": ("江苏",),
    "33": ("浙江",),
    "34": ("安徽",),
    "35": ("福建",),
    "36": ("江西",),
    "37": ("山东",),
    "41": ("河南",),
    "42": ("湖北",),
    "43": ("湖南",),
    "44": ("广东",),
    "45": ("广西",),
    "46": ("海南",),
    "50": ("重庆",),
    "51": ("四川",),
    "52": ("贵州",),
    "53": ("云南",),
    "54": ("西藏",),
    "61": ("陕西",),
    "62": ("甘肃",),
    "63": ("青海",),
    "64": ("宁夏",),
    "65": ("新疆",),
}

# Outlets of national standing (中央级媒体) in which banks and courts publish notices.
NATIONAL_OUTLETS = frozenset(
    {
        "人民日报", "人民日报海外版", "光明日报", "经济日报", "法治日报", "法制日报", "人民法院报",
        "检察日报", "金融时报", "中国日报", "经济参考报", "工人日报", "中国青年报", "农民日报",
        "科技日报", "中国证券报", "证券时报", "上海证券报", "证券日报", "中国改革报", "中国商报",
    }
)  # fmt: skip

# Provincial-level papers whose names do not start with their province's name.
PROVINCIAL_OUTLETS: dict[str, str] = {
    "南方日报": "44", "羊城晚报": "44", "新华日报": "32", "扬子晚报": "32", "解放日报": "31",
    "文汇报": "31", "新民晚报": "31", "大众日报": "37", "齐鲁晚报": "37", "钱江晚报": "33",
    "楚天都市报": "42", "华西都市报": "51", "三湘都市报": "43", "大河报": "41", "燕赵都市报": "13",
    "今晚报": "12", "新安晚报": "34", "海峡都市报": "35", "江南都市报": "36", "华商报": "61",
}  # fmt: skip

# A city's or county's paper named after its place ("吉林市…", a city named like its
# province) is not the province's.
_CITY_WORDS = re.compile("^.{2,3}(?:市|州|县|区)")
_QUOTES = str.maketrans("", "", "《》〈〉<>\"'“”‘’ 　")


def outlet_name(text: str) -> str:
    """The outlet's name as written in a notice: without book-title marks and spaces."""
    return (text or "").translate(_QUOTES)


def outlet_scope(outlet: str) -> tuple[str, str | None]:
    """(``national``, None), (``provincial``, province code) or (``unknown``, None) for an outlet's name."""
    name = outlet_name(outlet)
    if not name:
        return "unknown", None
    if name in NATIONAL_OUTLETS:
        return "national", None
    if name in PROVINCIAL_OUTLETS:
        return "provincial", PROVINCIAL_OUTLETS[name]
    if _CITY_WORDS.match(name):
        return "unknown", None
    code = _province_named(name)
    return ("provincial", code) if code else ("unknown", None)


def _province_named(text: str) -> str | None:
    for code, names in PROVINCES.items():
        if any(text.startswith(name) for name in names):
            return code
    return None


def domicile_province(*, address: str = "", id_number: str = "") -> str | None:
    """The province code of a person's domicile: from the address, else the identity number's first two digits."""
    code = _province_named((address or "").strip())
    if code:
        return code
    digits = (id_number or "")[:2]
    return digits if digits in PROVINCES else None


def newspaper_notice_counts(outlet: str, home_province: str | None) -> bool:
    """Whether a notice in ``outlet`` interrupts limitation against a debtor domiciled in ``home_province``.

    National outlets always; a provincial-level outlet only of the debtor's own
    province; anything else (another province, a city paper, a name not known) never.
    """
    scope, code = outlet_scope(outlet)
    if scope == "national":
        return True
    return scope == "provincial" and home_province is not None and code == home_province


# --- Delivery of a demand letter by courier (LEGAL_RULES Part 2, B.3, demand.delivery@2021) ---

DELIVERY_SIGNED_RULE = "demand.delivery.signed@2021"
DELIVERY_REFUSED_RULE = "demand.delivery.refused@2021"
DELIVERY_RETURNED_RULE = "demand.delivery.returned@2021"
# A person recorded the delivery (PATCH ``delivered``), on the proof they hold.
DELIVERY_RECORDED_RULE = "demand.delivery.recorded@2021"
# The agreed service address (送达地址确认): refusal or return there counts as arrival.
SERVICE_ADDRESS = "service_address"


def demand_delivery(events, *, address_kind: str):
    """The first courier event that delivers a letter: ``(day, rule)``, or None. Pure.

    ``events`` are ``(status, day)`` pairs, in any order. A letter signed for arrives on
    the day it is signed (诉讼时效规定 Art. 8 para 1 (1)/(2)). A refusal, or a return, is an
    arrival that "should have happened" (应当到达, Art. 8 para 1 (2)) only when the letter
    went to the service address the debtor agreed; at any other address it delivers
    nothing (the conservative reading of B.3's table). In transit, accepted: nothing.
    """
    rules = {"signed": DELIVERY_SIGNED_RULE}
    if address_kind == SERVICE_ADDRESS:
        rules |= {"refused": DELIVERY_REFUSED_RULE, "returned": DELIVERY_RETURNED_RULE}
    delivering = sorted((day, rules[status]) for status, day in events if status in rules)
    return delivering[0] if delivering else None
