"""The 法院通知 pages: paste, review queue, detail with corrections, confirm and dismiss."""

from pathlib import Path

import pytest
from django.urls import reverse

from legalcase.models import CourtNotice, Hearing, Proceeding, Role
from tests.factories import make_firm, make_matter, make_party, make_user

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent.parent / "fixtures" / "court_notices"


@pytest.fixture
def world():
    firm = make_firm()
    matter = make_matter(stage="litigation", firm=firm, debtor=make_party("张三"))
    proceeding = Proceeding.objects.create(matter=matter, kind="first_instance", case_number="（2026）沪0115民初1234号")
    return {"lawyer": make_user(Role.LAWYER, firm=firm), "matter": matter, "proceeding": proceeding}


def paste(client, text: str):
    body = {"channel": "sms", "received_at": "2026-05-06T10:00", "text": text}
    return client.post(reverse("court_notice_paste"), body)


def test_a_pasted_summons_is_read_then_confirmed_with_a_corrected_place(client, world):
    client.force_login(world["lawyer"])
    text = (FIXTURES / "summons_1_sms.txt").read_text(encoding="utf-8") + " 联系电话13812345678"

    response = paste(client, text)

    notice = CourtNotice.objects.get()
    assert response.status_code == 302 and response.url == reverse("court_notice_detail", args=[notice.pk])
    assert notice.received_at.isoformat() == "2026-05-06T02:00:00+00:00"
    page = client.get(response.url).content.decode()
    assert "本院第十二法庭" in page and "138****5678" in page and "13812345678" not in page
    assert world["matter"].number in page
    queue = client.get(reverse("court_notice_list")).content.decode()
    assert reverse("court_notice_detail", args=[notice.pk]) in queue

    body = {
        "matter": world["matter"].pk, "proceeding": "", "kind": "summons", "court": "上海市浦东新区人民法院",
        "case_number": "（2026）沪0115民初1234号", "hearing_at": "2026-05-12T09:30", "place": "第三法庭",
        "parties": "招商银行股份有限公司信用卡中心、张三", "evidence_period_due": "", "defence_period_due": "",
    }  # fmt: skip
    confirmed = client.post(reverse("court_notice_detail", args=[notice.pk]), body)

    assert confirmed.status_code == 302
    notice.refresh_from_db()
    assert (notice.status, notice.corrections) == ("confirmed", {"place": "第三法庭"})
    hearing = Hearing.objects.get(proceeding=world["proceeding"])
    assert (hearing.place, hearing.at.isoformat()) == ("第三法庭", "2026-05-12T01:30:00+00:00")
    assert "确认至案件" in client.get(confirmed.url).content.decode()


def test_a_refused_paste_says_why_and_stores_nothing(client, world):
    client.force_login(world["lawyer"])

    blank = paste(client, "   ").content.decode()
    future = client.post(
        reverse("court_notice_paste"), {"channel": "sms", "received_at": "2099-05-06T10:00", "text": "通知"}
    ).content.decode()

    assert "该字段是必填项。" in blank
    assert "收到时间不能晚于现在。" in future
    assert CourtNotice.objects.count() == 0


def test_a_notice_is_dismissed_with_its_reason_and_others_never_see_it(client, world):
    client.force_login(world["lawyer"])
    paste(client, (FIXTURES / "other_2_email.txt").read_text(encoding="utf-8"))
    notice = CourtNotice.objects.get()

    client.post(reverse("court_notice_dismiss", args=[notice.pk]), {"reason": "非本所案件"})

    notice.refresh_from_db()
    assert (notice.status, notice.dismissed_reason) == ("dismissed", "非本所案件")
    client.force_login(make_user(Role.LAWYER, firm=make_firm()))
    assert client.get(reverse("court_notice_detail", args=[notice.pk])).status_code == 404
    assert reverse("court_notice_detail", args=[notice.pk]) not in client.get(
        reverse("court_notice_list") + "?status=all"
    ).content.decode()


def test_a_manager_reads_the_list_without_the_forms(client, world):
    client.force_login(make_user(Role.MANAGER))

    page = client.get(reverse("court_notice_list")).content.decode()

    assert "court-notice-paste" not in page
    assert paste(client, "【上海市浦东新区人民法院】通知").status_code == 403
    assert CourtNotice.objects.count() == 0
