"""The matter page's forum: shown with its address, chosen by name from a list of active forums."""

import pytest
from django.urls import reverse

from legalcase.models import EventKind, Forum, MatterEvent, Role
from legalcase.services import matter_set_forum
from tests.factories import make_firm, make_forum, make_matter, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def firm():
    return make_firm()


@pytest.fixture
def matter(firm):
    return make_matter(firm=firm)


def page(client, user, matter) -> str:
    client.force_login(user)
    response = client.get(reverse("matter_detail", args=[matter.pk]))
    assert response.status_code == 200
    return response.content.decode()


def choose(client, user, matter, name: str):
    client.force_login(user)
    return client.post(reverse("matter_forum", args=[matter.pk]), {"forum": name}, follow=True)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_counsel_chooses_the_forum_by_name_and_the_page_shows_it_with_its_address(client, matter):
    counsel = make_user(Role.COUNSEL)

    response = choose(client, counsel, matter, "上海市高级人民法院")

    assert response.status_code == 200
    assert messages_of(response) == ["管辖法院/仲裁机构已设为上海市高级人民法院。"]
    matter.refresh_from_db()
    assert matter.forum.name == "上海市高级人民法院"
    html = response.content.decode()
    assert "上海市徐汇区肇嘉浜路308号" in html
    assert MatterEvent.objects.filter(matter=matter, kind=EventKind.FORUM_SET, actor=counsel).count() == 1


def test_a_forum_without_an_address_says_the_address_is_to_be_completed(client, matter):
    matter_set_forum(user=make_user(Role.ADMIN), matter_id=matter.pk, forum_id=make_forum("上海市测试法院").pk)
    html = page(client, make_user(Role.MANAGER), matter)
    assert "上海市测试法院" in html
    assert "地址尚未录入" in html


def test_the_form_lists_active_forums_only(client, matter):
    retired = make_forum("已撤销的测试法院", active=False)
    html = page(client, make_user(Role.COUNSEL), matter)
    assert '<datalist id="forum-names">' in html
    assert '<option value="北京仲裁委员会">' in html
    assert retired.name not in html


def test_the_form_is_shown_only_to_roles_that_may_set_the_forum(client, matter, firm):
    action = reverse("matter_forum", args=[matter.pk])
    assert action in page(client, make_user(Role.COUNSEL), matter)
    assert action in page(client, make_user(Role.LAWYER, firm=firm), matter)
    html = page(client, make_user(Role.MANAGER), matter)
    assert action not in html and "forum-names" not in html


def test_a_name_not_in_the_list_is_refused_and_nothing_is_stored(client, matter):
    response = choose(client, make_user(Role.COUNSEL), matter, "不存在的人民法院")
    assert messages_of(response) == ["管辖法院/仲裁机构：没有这个法院或仲裁机构，请从列表中选择。"]
    matter.refresh_from_db()
    assert matter.forum is None
    assert not MatterEvent.objects.filter(matter=matter, kind=EventKind.FORUM_SET).exists()


def test_an_inactive_forum_is_refused(client, matter):
    make_forum("已撤销的测试法院", active=False)
    choose(client, make_user(Role.COUNSEL), matter, "已撤销的测试法院")
    matter.refresh_from_db()
    assert matter.forum is None


def test_an_empty_name_clears_the_forum(client, matter):
    counsel = make_user(Role.COUNSEL)
    matter_set_forum(user=counsel, matter_id=matter.pk, forum_id=Forum.objects.get(name="北京仲裁委员会").pk)
    response = choose(client, counsel, matter, "")
    assert messages_of(response) == ["已清除管辖法院/仲裁机构。"]
    matter.refresh_from_db()
    assert matter.forum is None


def test_a_manager_gets_403_and_another_firms_lawyer_404(client, matter):
    assert choose(client, make_user(Role.MANAGER), matter, "北京仲裁委员会").status_code == 403
    assert choose(client, make_user(Role.LAWYER, firm=make_firm()), matter, "北京仲裁委员会").status_code == 404
    matter.refresh_from_db()
    assert matter.forum is None
    assert not MatterEvent.objects.filter(matter=matter, kind=EventKind.FORUM_SET).exists()


def test_the_timeline_names_the_forum(client, matter):
    matter_set_forum(user=make_user(Role.ADMIN), matter_id=matter.pk, forum_id=Forum.objects.get(name="上海金融法院").pk)
    html = page(client, make_user(Role.COUNSEL), matter)
    timeline = html[html.index('id="matter-timeline"'):]
    assert "已设定管辖法院/仲裁机构" in timeline and "上海金融法院" in timeline
    assert "forum:" not in timeline
