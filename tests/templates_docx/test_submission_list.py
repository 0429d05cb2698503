"""The 诉讼材料递交清单: the filing that prints the forum's recorded address (issue 16).

Its copies follow the record: one copy of the complaint and of the evidence per opposing
party (民事诉讼法 Art. 123, 证据规定 Art. 19).
"""

import pytest

from legalcase.models import Forum, Guarantee
from tests.factories import make_forum, make_matter, make_party
from tests.templates_docx.test_filings_content import render

pytestmark = pytest.mark.django_db


def _with_forum(matter, forum):
    matter.forum = forum
    matter.save(update_fields=["forum"])
    return matter


def test_the_list_is_addressed_to_the_court_at_its_recorded_address_with_a_copy_per_defendant():
    court = Forum.objects.get(name="浙江省杭州市萧山区人民法院")
    court.address = "浙江省杭州市萧山区市心北路"
    court.save(update_fields=["address"])
    matter = _with_forum(make_matter(), court)
    for name in ("李四", "王五"):
        Guarantee.objects.create(debt=matter.debt, guarantor=make_party(name))

    _, text = render(matter, "filing_submission_list")

    assert "收件机构\n浙江省杭州市萧山区人民法院立案庭" in text
    assert "收件地址\n浙江省杭州市萧山区市心北路" in text
    assert "被告\n张三、李四、王五" in text
    assert "民事起诉状\n正本1份，副本3份\n副本按被告人数" in text
    assert "证据目录及证据材料\n1套，副本3套" in text
    assert "【待补充" not in text.split("收件地址", 1)[1].split("案　　由", 1)[0]


def test_an_arbitration_commission_gets_an_application_and_a_forum_without_an_address_a_marker():
    commission = make_forum("测试仲裁委员会", kind=Forum.Kind.ARBITRATION, level="")
    matter = _with_forum(make_matter(), commission)

    _, text = render(matter, "filing_submission_list")

    assert "收件机构\n测试仲裁委员会立案处" in text
    assert "收件地址\n【待补充：仲裁机构地址】" in text
    assert "仲裁申请书\n正本1份，副本1份\n副本按被申请人人数" in text
    assert "民事起诉状" not in text and "请贵会查收" in text
