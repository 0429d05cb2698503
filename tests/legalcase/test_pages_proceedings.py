"""The proceedings section of the matter page: the list, the forms and the proposed stage move."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from legalcase.models import (
    EventKind,
    Guarantee,
    Hearing,
    MatterEvent,
    Proceeding,
    Role,
    ServiceRecord,
    Stage,
)
from legalcase.services import hearing_add, proceeding_record, service_record_add
from legalcase.views import MATTER_SECTIONS
from tests.factories import make_firm, make_forum, make_matter, make_party, make_user

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def matter():
    matter = make_matter(debtor=make_party("张三"))
    Guarantee.objects.create(debt=matter.debt, guarantor=make_party("李四"), guarantee_type="joint")
    return matter


@pytest.fixture
def counsel(client):
    user = make_user(Role.COUNSEL)
    client.force_login(user)
    return user


def section(client, matter) -> str:
    response = client.get(reverse("proceedings_section", args=[matter.pk]), **HTMX)
    assert response.status_code == 200
    return response.content.decode()


def invalid_fields(html: str) -> list[str]:
    """The ids of the inputs shown with an error next to them."""
    return re.findall(r'pf-field invalid">\s*<label for="([^"]+)"', html)


def record(client, matter, **data):
    return client.post(reverse("proceeding_record", args=[matter.pk]), data, **HTMX)


def test_the_matter_page_loads_the_proceedings_and_rulings_sections(client, counsel, matter):
    html = client.get(reverse("matter_detail", args=[matter.pk])).content.decode()
    assert f'hx-get="{reverse("proceedings_section", args=[matter.pk])}"' in html
    assert f'hx-get="{reverse("rulings_section", args=[matter.pk])}"' in html
    # The record details come first (filings need them), then the proceedings and rulings.
    assert [s.url_name for s in MATTER_SECTIONS][:3] == ["record_section", "proceedings_section", "rulings_section"]


def test_the_section_lists_a_proceeding_with_its_hearings_and_service_and_a_masked_phone(client, counsel, matter):
    forum = make_forum("上海市测试浦东区人民法院")
    proceeding = proceeding_record(
        user=counsel,
        matter_id=matter.pk,
        kind="first_instance",
        forum_id=forum.pk,
        case_number="(2026)沪0115民初123号",
        filed_on=dt.date(2026, 1, 5),
        accepted_on=dt.date(2026, 1, 9),
        judge="李法官",
        clerk="王书记员",
        contact_phone="13812345678",
    )
    service_record_add(
        user=counsel,
        proceeding_id=proceeding.pk,
        method="public_notice",
        published_on=dt.date(2026, 2, 1),
        party_id=matter.debt.debtor_id,
    )
    hearing_add(
        user=counsel,
        proceeding_id=proceeding.pk,
        at=dt.datetime(2026, 4, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        place="第三法庭",
    )
    html = section(client, matter)
    for text in ("（2026）沪0115民初123号", "上海市测试浦东区人民法院", "2026-01-05", "2026-01-09", "李法官", "王书记员"):
        assert text in html, text
    assert "138****5678" in html and "13812345678" not in html
    # A public notice published 2026-02-01 is deemed served 30 days later.
    assert "2026-03-03" in html and "2026-02-01" in html
    assert "张三" in html and "第三法庭" in html and "2026-04-01 09:30" in html


def test_recording_a_proceeding_shows_it_and_offers_the_stage_move_without_making_it(client, counsel, matter):
    forum = make_forum("北京市测试朝阳区人民法院")
    response = record(
        client,
        matter,
        kind="first_instance",
        forum="北京市测试朝阳区人民法院",
        case_number="(2026)京0105民初1234号",
        filed_on="2026-03-02",
        accepted_on="2026-03-05",
        judge="李法官",
        contact_phone="13912345678",
    )
    assert response.status_code == 200
    proceeding = Proceeding.objects.get()
    assert (proceeding.forum, proceeding.case_number) == (forum, "（2026）京0105民初1234号")
    html = response.content.decode()
    assert invalid_fields(html) == []
    assert "（2026）京0105民初1234号" in html
    assert f'action="{reverse("matter_transition", args=[matter.pk])}"' in html
    assert 'name="to" value="litigation"' in html
    matter.refresh_from_db()
    assert matter.stage == Stage.INTAKE
    assert MatterEvent.objects.filter(kind=EventKind.PROCEEDING_RECORDED, actor=counsel).exists()


def test_the_proposed_move_is_a_working_one_click_transition(client, counsel, matter):
    record(client, matter, kind="first_instance")
    response = client.post(reverse("matter_transition", args=[matter.pk]), {"to": "litigation", "note": "一审"})
    assert response.status_code == 302
    matter.refresh_from_db()
    assert matter.stage == Stage.LITIGATION
    assert 'name="to" value="litigation"' not in section(client, matter)


@pytest.mark.parametrize("role, offered", [(Role.COUNSEL, True), (Role.ADMIN, True), (Role.LAWYER, True), (Role.MANAGER, False)])
def test_the_proposed_move_is_offered_only_to_those_who_may_move_stages(client, role, offered):
    firm = make_firm()
    matter = make_matter(firm=firm)
    proceeding_record(user=make_user(Role.COUNSEL), matter_id=matter.pk, kind="enforcement")
    matter.stage = Stage.JUDGMENT
    matter.save(update_fields=["stage"])
    client.force_login(make_user(role, firm=firm if role == Role.LAWYER else None))
    html = section(client, matter)
    assert ('name="to" value="enforcement"' in html) is offered


def test_the_forum_picker_lists_the_active_forums(client, counsel, matter):
    make_forum("上海市测试黄浦区人民法院")
    make_forum("上海市停用区人民法院", active=False)
    html = section(client, matter)
    assert '<option value="上海市测试黄浦区人民法院">' in html
    assert "上海市停用区人民法院" not in html
    assert 'list="proceeding-forum-names"' in html


@pytest.mark.parametrize(
    "data, field",
    [
        ({"kind": ""}, "proceeding-new-kind"),
        ({"kind": "first_instance", "forum": "不存在的法院"}, "proceeding-new-forum"),
        ({"kind": "first_instance", "case_number": "京0105民初1234"}, "proceeding-new-case_number"),
        ({"kind": "first_instance", "case_number": "案号（2026）京0105民初1234号吧"}, "proceeding-new-case_number"),
        (
            {"kind": "first_instance", "filed_on": "2026-03-05", "accepted_on": "2026-03-02"},
            "proceeding-new-accepted_on",
        ),
        ({"kind": "first_instance", "filed_on": "2026-02-30"}, "proceeding-new-filed_on"),
    ],
)
def test_a_bad_proceeding_shows_the_error_next_to_the_field_and_stores_nothing(client, counsel, matter, data, field):
    events = MatterEvent.objects.count()
    response = record(client, matter, **data)
    assert response.status_code == 200
    html = response.content.decode()
    assert invalid_fields(html) == [field]
    assert "<details class=\"pf-new\" open>" in html
    assert not Proceeding.objects.exists()
    assert MatterEvent.objects.count() == events


def test_arbitration_before_a_court_shows_the_services_error(client, counsel, matter):
    make_forum("北京市测试朝阳区人民法院")
    html = record(client, matter, kind="arbitration", forum="北京市测试朝阳区人民法院").content.decode()
    assert invalid_fields(html) == ["proceeding-new-forum"]
    assert not Proceeding.objects.exists()


def test_without_htmx_the_form_goes_back_to_the_matter_page_with_the_error(client, counsel, matter):
    response = client.post(
        reverse("proceeding_record", args=[matter.pk]),
        {"kind": "first_instance", "filed_on": "2026-03-05", "accepted_on": "2026-03-02"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("matter_detail", args=[matter.pk])
    assert not Proceeding.objects.exists()


# --- Service and hearings ----------------------------------------------------------------


@pytest.fixture
def proceeding(counsel, matter):
    return proceeding_record(user=counsel, matter_id=matter.pk, kind="first_instance")


def add_service(client, matter, proceeding, **data):
    return client.post(reverse("proceeding_service_add", args=[matter.pk, proceeding.pk]), data, **HTMX)


def test_the_service_form_offers_the_debtor_and_the_guarantors(client, counsel, matter, proceeding):
    html = section(client, matter)
    guarantor = matter.debt.guarantees.get().guarantor
    assert f'<option value="{matter.debt.debtor_id}">张三' in html
    assert f'<option value="{guarantor.pk}">李四' in html


def test_service_by_public_notice_is_effective_30_days_after_publication(client, counsel, matter, proceeding):
    guarantor = matter.debt.guarantees.get().guarantor
    response = add_service(
        client, matter, proceeding, party=str(guarantor.pk), method="public_notice", published_on="2026-01-10"
    )
    html = response.content.decode()
    assert invalid_fields(html) == []
    record = ServiceRecord.objects.get()
    assert (record.party, record.effective_served_on) == (guarantor, dt.date(2026, 2, 9))
    assert "2026-02-09" in html


@pytest.mark.parametrize(
    "data, field",
    [
        ({"method": "public_notice", "served_on": "2026-01-10"}, "published_on"),
        ({"method": "mail"}, "served_on"),
        ({"method": ""}, "method"),
        ({"method": "mail", "served_on": "2026-01-10", "party": "999999"}, "party"),
    ],
)
def test_bad_service_shows_the_error_next_to_the_field_and_stores_nothing(client, counsel, matter, proceeding, data, field):
    html = add_service(client, matter, proceeding, **data).content.decode()
    assert invalid_fields(html) == [f"service-{proceeding.pk}-{field}"]
    assert not ServiceRecord.objects.exists()


def test_a_guarantor_of_another_matter_is_refused(client, counsel, matter, proceeding):
    stranger = make_party("王五")
    html = add_service(
        client, matter, proceeding, party=str(stranger.pk), method="mail", served_on="2026-01-10"
    ).content.decode()
    assert invalid_fields(html) == [f"service-{proceeding.pk}-party"]
    assert not ServiceRecord.objects.exists()


def test_a_hearing_is_scheduled_in_beijing_time(client, counsel, matter, proceeding):
    response = client.post(
        reverse("proceeding_hearing_add", args=[matter.pk, proceeding.pk]),
        {"at": "2026-04-01T09:30", "place": "第三法庭", "note": "证人出庭"},
        **HTMX,
    )
    assert invalid_fields(response.content.decode()) == []
    hearing = Hearing.objects.get()
    assert hearing.at == dt.datetime(2026, 4, 1, 1, 30, tzinfo=dt.UTC)
    assert MatterEvent.objects.filter(kind=EventKind.HEARING_ADDED, actor=counsel).exists()


def test_a_hearing_without_a_time_is_refused(client, counsel, matter, proceeding):
    html = client.post(
        reverse("proceeding_hearing_add", args=[matter.pk, proceeding.pk]), {"place": "第三法庭"}, **HTMX
    ).content.decode()
    assert invalid_fields(html) == [f"hearing-{proceeding.pk}-at"]
    assert not Hearing.objects.exists()


def test_a_proceeding_of_another_matter_answers_404(client, counsel, matter, proceeding):
    other = make_matter()
    response = client.post(
        reverse("proceeding_service_add", args=[other.pk, proceeding.pk]), {"method": "mail", "served_on": "2026-01-10"}
    )
    assert response.status_code == 404
    assert not ServiceRecord.objects.exists()


# --- Details that become known later ---------------------------------------------------


def update(client, matter, proceeding, **data):
    return client.post(reverse("proceeding_update", args=[matter.pk, proceeding.pk]), data, **HTMX)


def test_recording_with_a_fee_notice_shows_it_and_its_deadline(client, counsel, matter):
    html = record(client, matter, kind="first_instance", filed_on="2026-09-21", fee_notice_received_on="2026-11-02")
    assert invalid_fields(html.content.decode()) == []
    assert Proceeding.objects.get().fee_notice_received_on == dt.date(2026, 11, 2)
    assert matter.deadlines.get(kind="fee_payment", superseded_at__isnull=True).due_on == dt.date(2026, 11, 9)
    assert "2026-11-02" in section(client, matter)


def test_the_update_form_changes_only_what_was_changed(client, counsel, matter):
    proceeding = proceeding_record(
        user=counsel, matter_id=matter.pk, kind="first_instance", judge="李法官", contact_phone="021-12345678"
    )
    data = {"judge": "李法官", "case_number": "(2026)沪0115民初48213号", "accepted_on": "2026-06-08"}
    html = update(client, matter, proceeding, **data).content.decode()
    assert invalid_fields(html) == []
    proceeding.refresh_from_db()
    assert proceeding.case_number == "（2026）沪0115民初48213号" and proceeding.contact_phone == "021-12345678"
    event = MatterEvent.objects.get(kind=EventKind.PROCEEDING_UPDATED)
    assert set(event.new) == {"proceeding", "case_number", "accepted_on"} and event.actor == counsel
    assert "12345678" not in html  # the phone is shown masked and not put back in the form


@pytest.mark.parametrize(
    "data, field",
    [
        ({"filed_on": "2026-06-01", "accepted_on": "2026-05-01"}, "accepted_on"),
        ({"case_number": "一审案件"}, "case_number"),
        ({"closed_on": "2026-13-40"}, "closed_on"),
    ],
)
def test_a_bad_update_shows_the_error_and_changes_nothing(client, counsel, matter, proceeding, data, field):
    before = Proceeding.objects.values().get(pk=proceeding.pk)
    html = update(client, matter, proceeding, **data).content.decode()
    assert invalid_fields(html) == [f"update-{proceeding.pk}-{field}"]
    assert Proceeding.objects.values().get(pk=proceeding.pk) == before
    assert not MatterEvent.objects.filter(kind=EventKind.PROCEEDING_UPDATED).exists()


def test_only_a_pre_suit_preservation_offers_the_measures_date(client, counsel, matter, proceeding):
    proceeding_record(user=counsel, matter_id=matter.pk, kind="pre_suit_preservation")
    html = section(client, matter)
    assert html.count('name="measures_taken_on"') == 2  # the new-proceeding form and the preservation's update form


def test_a_manager_may_not_update(client, matter, proceeding):
    client.force_login(make_user(Role.MANAGER))
    assert update(client, matter, proceeding, judge="x").status_code == 403
    assert not MatterEvent.objects.filter(kind=EventKind.PROCEEDING_UPDATED).exists()


def test_the_timeline_names_the_facts_in_words(client, counsel, matter):
    record(client, matter, kind="first_instance", filed_on="2026-06-01", case_number="(2026)沪0115民初1号")
    html = client.get(reverse("matter_detail", args=[matter.pk])).content.decode()
    timeline = html[html.index('id="matter-timeline"') :]
    for raw in ("limitation_interrupted", "first_instance", "case_number", ": None", "proceeding:"):
        assert raw not in timeline, raw
    assert "First instance" in timeline or "一审" in timeline
