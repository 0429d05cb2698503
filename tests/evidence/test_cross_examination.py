"""Cross-examination (质证) of an evidence item: ``PATCH /api/v1/evidence/{id}/cross-examination/``.

The other side's opinion on authenticity, legality, relevance and the purpose of proof
(each admitted true/false/null with its reasons), the proceeding and date, and our
reply; each change answers the item with ``cross_examination`` and writes one timeline
entry; every refusal says why in Chinese and stores nothing.
"""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from evidence.models import CrossExamination
from evidence.services import evidence_upload
from legalcase.models import EventKind, MatterEvent, Proceeding, Role
from legalcase.timeline import event_text
from tests.evidence import samples
from tests.factories import make_firm, make_matter, make_user

pytestmark = pytest.mark.django_db

OPINIONS = {
    "authenticity": {"admitted": False, "opinion": "系复印件，无原件核对"},
    "legality": {"admitted": True, "opinion": ""},
    "relevance": {"admitted": None, "opinion": ""},
    "purpose": {"admitted": False, "opinion": "不能证明借款已实际交付"},
}


def patch(client, item, body):
    url = reverse("evidence_api:evidence-cross-examination", args=[item.pk])
    return client.patch(url, body, content_type="application/json")


@pytest.fixture
def world(client):
    firm = make_firm()
    lawyer = make_user(Role.LAWYER, firm=firm)
    matter = make_matter(stage="litigation", firm=firm)
    upload = SimpleUploadedFile("借款合同.pdf", samples.pdf_bytes(1))
    item = evidence_upload(user=lawyer, matter_id=matter.pk, uploaded_file=upload, kind="contract", title="借款合同")
    proceeding = Proceeding.objects.create(
        matter=matter, kind=Proceeding.Kind.FIRST_INSTANCE, case_number="（2026）沪0115民初1234号"
    )
    client.force_login(lawyer)
    return {"matter": matter, "item": item, "proceeding": proceeding, "lawyer": lawyer}


def events(matter):
    return list(MatterEvent.objects.filter(matter=matter, kind=EventKind.EVIDENCE_CROSS_EXAMINED).order_by("id"))


def test_it_records_the_opinions_and_our_reply_and_answers_the_item(client, world):
    body = {"proceeding": world["proceeding"].pk, "examined_on": "2026-03-10", **OPINIONS, "reply": "原件已当庭出示"}
    response = patch(client, world["item"], body)
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["id"] == world["item"].pk and answer["title"] == "借款合同"
    examined = answer["cross_examination"]
    assert {key: examined[key] for key in body} == body
    (event,) = events(world["matter"])
    assert event.new["case_number"] == "（2026）沪0115民初1234号" and event.note == "借款合同"
    text = event_text(event)
    assert "借款合同" in text and "真实性" in text and "有异议" in text and "原件已当庭出示" in text


def test_a_second_patch_changes_only_what_it_names(client, world):
    assert patch(client, world["item"], {**OPINIONS, "reply": "原件已当庭出示"}).status_code == 200
    response = patch(client, world["item"], {"legality": {"admitted": False}})
    examined = response.json()["cross_examination"]
    assert examined["legality"] == {"admitted": False, "opinion": ""}
    assert examined["authenticity"] == OPINIONS["authenticity"] and examined["reply"] == "原件已当庭出示"
    # A point is told whole, both its position and its reasons.
    assert events(world["matter"])[-1].old == {"legality_admitted": True, "legality_opinion": ""}
    assert events(world["matter"])[-1].new["legality_opinion"] == ""
    assert patch(client, world["item"], {"legality": {"admitted": False}}).status_code == 200
    assert len(events(world["matter"])) == 2  # nothing changed, nothing written


def test_bad_inputs_are_refused_and_nothing_is_stored(client, world):
    other = Proceeding.objects.create(matter=make_matter(), kind=Proceeding.Kind.FIRST_INSTANCE)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    for body, field, message in (
        ({}, "non_field_errors", "请至少填写一项质证内容。"),
        ({"proceeding": other.pk}, "proceeding", "该程序不属于本案件。"),
        ({"proceeding": "x"}, "proceeding", "该程序不属于本案件。"),
        ({"examined_on": tomorrow}, "examined_on", f"质证日期不能晚于今天（{timezone.localdate():%Y-%m-%d}）。"),
        ({"examined_on": "10/03/2026"}, "examined_on", "质证日期格式应为YYYY-MM-DD。"),
        ({"authenticity": {"admitted": "yes"}}, "authenticity", "真实性的“是否认可”只能是true、false或null。"),
        ({"legality": "认可"}, "legality", '合法性应为{"admitted": true/false/null, "opinion": "…"}。'),
        ({"relevance": {"admitted": True, "extra": 1}}, "relevance", '关联性应为{"admitted": true/false/null, "opinion": "…"}。'),
        ({"purpose": {"opinion": "长" * 2001}}, "purpose", "证明目的的质证意见不能超过2000字。"),
        ({"purpose": {"opinion": 5}}, "purpose", "证明目的的质证意见应为文字。"),
        ({"reply": ["x"]}, "reply", "我方回应应为文字。"),
        ({"verdict": "x"}, "non_field_errors", "不能修改这些字段：verdict"),
        ({**OPINIONS, "examined_on": tomorrow}, "examined_on", f"质证日期不能晚于今天（{timezone.localdate():%Y-%m-%d}）。"),
    ):
        response = patch(client, world["item"], body)
        assert response.status_code == 400, body
        assert response.json()[field] == [message]
    assert not CrossExamination.objects.exists()
    assert events(world["matter"]) == []


def test_another_firms_item_answers_404_and_a_manager_403(client, world):
    client.force_login(make_user(Role.LAWYER, firm=make_firm()))
    assert patch(client, world["item"], OPINIONS).status_code == 404
    client.force_login(make_user(Role.MANAGER))
    assert patch(client, world["item"], OPINIONS).status_code == 403
    assert not CrossExamination.objects.exists()
