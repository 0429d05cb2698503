"""The national table of courts and commissions (legalcase.courts, migration 0022, forums_load)."""

import importlib
from collections import Counter

import pytest
from django.apps import apps as global_apps
from django.core.management import call_command

from legalcase.courts import national_forums
from legalcase.models import Forum, Role
from legalcase.services import matter_set_forum
from tests.factories import make_forum, make_matter, make_user

pytestmark = pytest.mark.django_db

national = importlib.import_module("legalcase.migrations.0022_national_forums")

# Names as the courts head their rulings (checked against published judgments and the
# courts' own sites), one or more for each rule of legalcase.courts.
PUBLISHED = {
    # supreme and high
    "最高人民法院": "supreme",
    "浙江省高级人民法院": "high",
    "新疆维吾尔自治区高级人民法院": "high",
    "内蒙古自治区高级人民法院": "high",
    # intermediate: a province's city, an autonomous prefecture, a league, the numbered ones
    "浙江省杭州市中级人民法院": "intermediate",
    "广东省深圳市中级人民法院": "intermediate",
    "湖北省恩施土家族苗族自治州中级人民法院": "intermediate",
    "内蒙古自治区锡林郭勒盟中级人民法院": "intermediate",
    "新疆维吾尔自治区阿克苏地区中级人民法院": "intermediate",
    "北京市第四中级人民法院": "intermediate",
    "上海市第三中级人民法院": "intermediate",
    "天津市第二中级人民法院": "intermediate",
    "重庆市第五中级人民法院": "intermediate",
    "湖北省汉江中级人民法院": "intermediate",
    "海南省第一中级人民法院": "intermediate",
    # basic: districts carry their city, counties and county-level cities only the province
    "浙江省杭州市萧山区人民法院": "basic",
    "上海市浦东新区人民法院": "basic",
    "北京市朝阳区人民法院": "basic",
    "广东省深圳市福田区人民法院": "basic",
    "重庆市渝中区人民法院": "basic",
    "重庆市巫山县人民法院": "basic",
    "天津市滨海新区人民法院": "basic",
    "新疆维吾尔自治区乌鲁木齐市天山区人民法院": "basic",
    "江苏省苏州市姑苏区人民法院": "basic",
    "浙江省义乌市人民法院": "basic",
    "江苏省昆山市人民法院": "basic",
    "河北省正定县人民法院": "basic",
    "湖北省仙桃市人民法院": "basic",
    "湖北省神农架林区人民法院": "basic",
    "河南省济源市人民法院": "basic",
    "海南省儋州市人民法院": "basic",
    "海南省陵水黎族自治县人民法院": "basic",
    "贵州省六枝特区人民法院": "basic",
    "广东省东莞市第一人民法院": "basic",
    "广东省中山市第二人民法院": "basic",
    "杭州互联网法院": "basic",
    # specialist
    "上海金融法院": "special",
    "成渝金融法院": "special",
    "北京知识产权法院": "special",
    "海南自由贸易港知识产权法院": "special",
    "武汉海事法院": "special",
    "南京海事法院": "special",
    "上海铁路运输法院": "special",
    "成都铁路运输中级法院": "special",
}
# What the naming rule would get wrong, and is therefore not in the table.
WRONG = [
    "湖北省省直辖县级行政区划仙桃市人民法院",
    "北京市北京市朝阳区人民法院",
    "北京市市辖区朝阳区人民法院",
    "浙江省金华市义乌市人民法院",
    "浙江省杭州市中级人民法院中级人民法院",
    "新疆维吾尔自治区石河子市人民法院",  # a Corps city: its court is in the Corps' system
    "广东省东莞市人民法院",
    "河北省石家庄高新技术产业开发区人民法院",  # a development zone, not a division
]


def test_the_table_holds_every_court_of_the_country():
    courts = Counter(Forum.objects.filter(kind="court").values_list("level", flat=True))
    # 1 supreme court; 31 high courts and the Corps' branch (installed by 0007).
    assert courts["supreme"] == 1
    assert courts["high"] == 32
    # 333 prefecture-level divisions less 儋州 and 三沙, the Corps' and those under a
    # province directly, plus 15 numbered and 6 named intermediate courts: about 350
    # (the Supreme Court counts 410 intermediate courts with the Corps' and railway ones).
    assert 330 <= courts["intermediate"] <= 370
    # 2,844 county-level divisions less zones and Corps cities; the Court counts ~3,100
    # basic courts, of which railway, forestry, farm and mine courts we do not list.
    assert 2800 <= courts["basic"] <= 3000
    assert 70 <= courts["special"] <= 100  # railway 65, maritime 11, financial 3, IP 4
    assert 3200 <= sum(courts.values()) <= 3500
    assert Forum.objects.filter(kind="court", level="special", name__endswith="海事法院").count() == 11
    commissions = Forum.objects.filter(kind="arbitration")
    assert 280 <= commissions.count() <= 320  # one per prefecture-level city (293 市) and a few national
    assert commissions.filter(name="杭州仲裁委员会", region="浙江省杭州市").exists()
    assert not Forum.objects.filter(region="").exists()
    assert not Forum.objects.filter(kind="arbitration").exclude(level="").exists()


def test_published_names_are_in_the_table_at_their_level():
    found = dict(Forum.objects.filter(name__in=PUBLISHED).values_list("name", "level"))
    assert found == PUBLISHED


def test_names_the_rule_would_get_wrong_are_not_in_the_table():
    assert not Forum.objects.filter(name__in=WRONG).exists()
    assert not Forum.objects.filter(name__contains="直辖").exists()
    assert not Forum.objects.filter(name__contains="市辖区").exists()


def test_each_region_is_recorded():
    assert Forum.objects.get(name="浙江省杭州市萧山区人民法院").region == "浙江省杭州市萧山区"
    assert Forum.objects.get(name="湖北省仙桃市人民法院").region == "湖北省仙桃市"
    assert Forum.objects.get(name="北京市朝阳区人民法院").region == "北京市朝阳区"
    assert Forum.objects.get(name="武汉海事法院").region == "湖北省武汉市"


def test_the_table_names_each_forum_once():
    names = [row.name for row in national_forums()]
    assert len(names) == len(set(names))


def test_loading_again_adds_nothing_and_keeps_ids_and_edits(capsys):
    edited = Forum.objects.get(name="浙江省杭州市萧山区人民法院")
    edited.address = "杭州市萧山区市心北路"
    edited.level = "intermediate"
    edited.save(update_fields=["address", "level"])
    own = make_forum("浙江省测试法院")
    ids = dict(Forum.objects.values_list("name", "pk"))

    call_command("forums_load")

    assert capsys.readouterr().out.startswith("0 forums added")
    assert dict(Forum.objects.values_list("name", "pk")) == ids
    edited.refresh_from_db()
    assert (edited.address, edited.level) == ("杭州市萧山区市心北路", "intermediate")
    assert Forum.objects.filter(pk=own.pk).exists()


def test_loading_puts_back_a_removed_row():
    Forum.objects.filter(name="浙江省桐庐县人民法院").delete()
    call_command("forums_load")
    assert Forum.objects.get(name="浙江省桐庐县人民法院").level == "basic"


def test_reversing_removes_only_unused_unedited_rows_it_added():
    used = Forum.objects.get(name="浙江省杭州市萧山区人民法院")
    matter_set_forum(user=make_user(Role.ADMIN), matter_id=make_matter().pk, forum_id=used.pk)
    edited = Forum.objects.get(name="浙江省桐庐县人民法院")
    edited.address = "桐庐县迎春南路"
    edited.save(update_fields=["address"])

    national.remove(global_apps, None)

    left = set(Forum.objects.values_list("name", flat=True))
    assert {used.name, edited.name, "北京市朝阳区人民法院", "上海金融法院"} <= left  # the last two: 0007's
    assert "浙江省义乌市人民法院" not in left
    assert Forum.objects.count() < 300
