"""The matter page and its actions: access, masking, the audited reveal, stages, owner and firm."""

import datetime as dt

import pytest
from django.urls import reverse

from legalcase.models import EventKind, Guarantee, MatterEvent, Role, Stage
from tests.factories import make_firm, make_matter, make_party, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def firm():
    return make_firm()


@pytest.fixture
def matter(firm):
    matter = make_matter(firm=firm, debtor=make_party("张三"))
    Guarantee.objects.create(
        debt=matter.debt, guarantor=make_party("李四"), guarantee_type="joint", guarantee_period_ends_on=dt.date(2028, 1, 10)
    )
    return matter


def page(client, user, matter):
    client.force_login(user)
    return client.get(reverse("matter_detail", args=[matter.pk]))


def post(client, user, name, matter, data=None, **extra):
    client.force_login(user)
    return client.post(reverse(name, args=[matter.pk]), data or {}, **extra)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.mark.parametrize("role", [Role.COUNSEL, Role.MANAGER, Role.ADMIN, Role.LAWYER])
def test_the_matter_page_renders_for_every_role_that_sees_the_matter(client, matter, firm, role):
    user = make_user(role, firm=firm if role == Role.LAWYER else None)
    response = page(client, user, matter)
    html = response.content.decode()
    assert response.status_code == 200
    assert matter.number in html
    assert "张三" in html and "李四" in html
    assert "52,558.05" in html  # claim total
    assert "48,230.55" in html  # principal
    assert "连带责任保证" in html
    assert 'id="matter-timeline"' in html


def test_another_firms_lawyer_gets_404_on_the_page_reveal_and_transition(client, matter):
    outsider = make_user(Role.LAWYER, firm=make_firm())
    assert page(client, outsider, matter).status_code == 404
    assert post(client, outsider, "matter_reveal", matter, {"purpose": "x"}).status_code == 404
    assert post(client, outsider, "matter_transition", matter, {"to": "litigation"}).status_code == 404
    assert not MatterEvent.objects.filter(matter=matter, kind__in=[EventKind.DEBTOR_REVEALED, EventKind.STAGE_CHANGED]).exists()


def test_a_missing_matter_answers_404(client):
    client.force_login(make_user())
    assert client.get(reverse("matter_detail", args=[999999])).status_code == 404


def test_a_manager_gets_403_on_transition_and_reveal(client, matter):
    manager = make_user(Role.MANAGER)
    assert post(client, manager, "matter_transition", matter, {"to": "litigation"}).status_code == 403
    assert post(client, manager, "matter_reveal", matter, {"purpose": "x"}).status_code == 403
    matter.refresh_from_db()
    assert matter.stage == Stage.INTAKE


def test_a_lawyer_and_a_manager_may_not_change_owner_or_firm(client, matter, firm):
    for user in (make_user(Role.LAWYER, firm=firm), make_user(Role.MANAGER)):
        assert post(client, user, "matter_owner", matter, {"owner": ""}).status_code == 403
        assert post(client, user, "matter_assign", matter, {"firm": firm.pk}).status_code == 403
        assert post(client, user, "matter_unassign", matter).status_code == 403


def test_the_page_shows_buttons_only_for_what_the_role_may_do(client, matter, firm):
    html = page(client, make_user(Role.MANAGER), matter).content.decode()
    assert "查看完整信息" not in html
    assert reverse("matter_transition", args=[matter.pk]) not in html
    assert reverse("matter_owner", args=[matter.pk]) not in html

    html = page(client, make_user(Role.LAWYER, firm=firm), matter).content.decode()
    assert "查看完整信息" in html
    assert reverse("matter_transition", args=[matter.pk]) in html
    assert reverse("matter_owner", args=[matter.pk]) not in html
    assert reverse("matter_assign", args=[matter.pk]) not in html

    html = page(client, make_user(Role.COUNSEL), matter).content.decode()
    assert reverse("matter_owner", args=[matter.pk]) in html
    assert reverse("matter_assign", args=[matter.pk]) in html


def test_the_matter_page_never_shows_full_identity_phone_or_account_numbers(client, matter):
    html = page(client, make_user(Role.COUNSEL), matter).content.decode()
    debt = matter.debt
    guarantor = debt.guarantees.get().guarantor
    for party in (debt.debtor, guarantor):
        assert party.id_number not in html
        assert party.phone not in html
        assert party.masked_id_number in html
        assert party.masked_phone in html
    assert debt.account_number not in html
    assert debt.masked_account_number in html


def test_the_reveal_shows_full_numbers_and_records_who_and_why(client, matter):
    counsel = make_user(Role.COUNSEL)
    response = post(client, counsel, "matter_reveal", matter, {"purpose": "准备起诉状"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    debt = matter.debt
    guarantor = debt.guarantees.get().guarantor
    assert response.status_code == 200
    assert debt.debtor.id_number in html and debt.debtor.phone in html
    assert guarantor.id_number in html and guarantor.phone in html
    assert debt.account_number in html
    assert "no-store" in response["Cache-Control"]
    event = MatterEvent.objects.get(matter=matter, kind=EventKind.DEBTOR_REVEALED)
    assert event.actor == counsel
    assert event.note == "准备起诉状"
    assert 'hx-swap-oob="true"' in html  # the timeline shows the reveal at once


def test_a_lawyer_of_the_assigned_firm_may_reveal(client, matter, firm):
    response = post(client, make_user(Role.LAWYER, firm=firm), "matter_reveal", matter, {"purpose": "核对身份"})
    assert response.status_code == 200
    assert matter.debt.debtor.id_number in response.content.decode()


def test_the_reveal_needs_a_purpose_and_records_nothing_without_one(client, matter):
    response = post(client, make_user(), "matter_reveal", matter, {"purpose": "  "}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert matter.debt.debtor.id_number not in html
    assert "查看用途" in html
    assert not MatterEvent.objects.filter(matter=matter, kind=EventKind.DEBTOR_REVEALED).exists()


def test_the_reveal_answers_only_post(client, matter):
    client.force_login(make_user())
    assert client.get(reverse("matter_reveal", args=[matter.pk])).status_code == 405


def test_a_stage_move_via_the_page_moves_the_matter_and_records_an_event(client, matter):
    counsel = make_user(Role.COUNSEL)
    response = post(client, counsel, "matter_transition", matter, {"to": "litigation", "note": "已立案"}, follow=True)
    matter.refresh_from_db()
    assert matter.stage == Stage.LITIGATION
    event = MatterEvent.objects.get(matter=matter, kind=EventKind.STAGE_CHANGED)
    assert event.old == {"stage": "intake"} and event.new == {"stage": "litigation"}
    assert event.note == "已立案" and event.actor == counsel
    assert "案件已变更为“诉讼”阶段。" in messages_of(response)
    html = response.content.decode()
    assert "已立案" in html  # the timeline shows the note


def test_a_lawyer_of_the_assigned_firm_may_move_the_stage(client, matter, firm):
    post(client, make_user(Role.LAWYER, firm=firm), "matter_transition", matter, {"to": "pre_litigation"})
    matter.refresh_from_db()
    assert matter.stage == Stage.PRE_LITIGATION


def test_a_move_outside_the_table_is_refused_with_a_message_and_changes_nothing(client, matter):
    events_before = MatterEvent.objects.filter(matter=matter).count()
    response = post(client, make_user(), "matter_transition", matter, {"to": "judgment"}, follow=True)
    assert response.status_code == 200
    assert "处于“收案”阶段的案件不能变更为“判决”。" in messages_of(response)
    matter.refresh_from_db()
    assert matter.stage == Stage.INTAKE
    assert MatterEvent.objects.filter(matter=matter).count() == events_before


def test_closing_without_a_reason_is_refused(client, matter):
    events_before = MatterEvent.objects.filter(matter=matter).count()
    response = post(client, make_user(), "matter_transition", matter, {"to": "closed", "reason": ""}, follow=True)
    assert "结案须选择结案原因。" in messages_of(response)
    matter.refresh_from_db()
    assert matter.stage == Stage.INTAKE
    assert MatterEvent.objects.filter(matter=matter).count() == events_before


def test_closing_with_a_reason_closes_the_matter(client, matter):
    post(client, make_user(), "matter_transition", matter, {"to": "closed", "reason": "written_off", "note": "已核销"})
    matter.refresh_from_db()
    assert matter.stage == Stage.CLOSED
    assert matter.closing_reason == "written_off"
    response = page(client, make_user(), matter)
    html = response.content.decode()
    assert "将案件阶段由「收案」改为「结案」，结案原因：核销。" in html  # the timeline names the reason
    assert "案件已结案，不能再变更阶段。" in html


def test_an_unknown_stage_is_refused(client, matter):
    response = post(client, make_user(), "matter_transition", matter, {"to": "heaven"}, follow=True)
    assert any("目标阶段" in message for message in messages_of(response))
    matter.refresh_from_db()
    assert matter.stage == Stage.INTAKE


def test_counsel_sets_and_clears_the_owner(client, matter):
    counsel, owner = make_user(Role.COUNSEL), make_user(Role.COUNSEL, username="owner-a")
    post(client, counsel, "matter_owner", matter, {"owner": owner.pk})
    matter.refresh_from_db()
    assert matter.owner == owner
    post(client, counsel, "matter_owner", matter, {"owner": ""})
    matter.refresh_from_db()
    assert matter.owner is None
    assert MatterEvent.objects.filter(matter=matter, kind=EventKind.OWNER_CHANGED).count() == 2


def test_a_lawyer_cannot_become_owner(client, matter, firm):
    lawyer = make_user(Role.LAWYER, firm=firm)
    response = post(client, make_user(), "matter_owner", matter, {"owner": lawyer.pk}, follow=True)
    matter.refresh_from_db()
    assert matter.owner is None
    assert messages_of(response)  # the choice is refused


def test_counsel_reassigns_the_matter_and_the_old_firm_loses_access(client, matter, firm):
    old_lawyer = make_user(Role.LAWYER, firm=firm)
    new_firm = make_firm()
    post(client, make_user(), "matter_assign", matter, {"firm": new_firm.pk})
    matter.refresh_from_db()
    assert matter.assigned_firm == new_firm
    assert page(client, old_lawyer, matter).status_code == 404
    assert page(client, make_user(Role.LAWYER, firm=new_firm), matter).status_code == 200
    html = page(client, make_user(), matter).content.decode()
    assert firm.name in html and new_firm.name in html  # the assignment history


def test_counsel_ends_the_assignment_and_the_lawyer_gets_404_next(client, matter, firm):
    lawyer = make_user(Role.LAWYER, firm=firm)
    assert page(client, lawyer, matter).status_code == 200
    post(client, make_user(), "matter_unassign", matter)
    matter.refresh_from_db()
    assert matter.assigned_firm is None
    assert page(client, lawyer, matter).status_code == 404


def test_the_timeline_lists_events_newest_first_in_chinese(client, matter):
    counsel = make_user(Role.COUNSEL)
    post(client, counsel, "matter_transition", matter, {"to": "litigation"})
    post(client, counsel, "matter_transition", matter, {"to": "judgment"})
    html = page(client, counsel, matter).content.decode()
    start = html.index('id="timeline-rows"')
    rows = html[start : html.index("</tbody>", start)].split("<tr>")[1:]
    # Each move also gave the stage's tasks, and the second skipped the first one's (STAGE_TASKS).
    assert len(rows) == 7
    assert "新增任务「核对判决书并关注上诉期届满」" in rows[0] or "新增任务「核对判决书并关注上诉期届满」" in rows[1]
    assert "将任务「跟进立案受理并缴纳诉讼费」标记为「已跳过」" in rows[2]
    assert "阶段变更" in rows[3] and "诉讼" in rows[3] and "判决" in rows[3]
    assert "新增任务「跟进立案受理并缴纳诉讼费」" in rows[4]
    assert "阶段变更" in rows[5] and "收案" in rows[5] and "诉讼" in rows[5]
    assert "案件创建" in rows[6]
    assert counsel.display_name in rows[3]


# --- The debtor page -------------------------------------------------------------------


def test_the_debtor_page_lists_the_persons_matters_as_debtor_and_as_guarantor(client, matter):
    debtor = matter.debt.debtor
    second = make_matter(debtor=debtor)
    guaranteed = make_matter()
    Guarantee.objects.create(debt=guaranteed.debt, guarantor=debtor)
    other = make_matter()
    client.force_login(make_user())
    response = client.get(reverse("debtor_detail", args=[debtor.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert matter.number in html and second.number in html and guaranteed.number in html
    assert other.number not in html
    assert "担保人" in html
    assert debtor.id_number not in html and debtor.phone not in html
    assert debtor.masked_id_number in html
    for shown in (matter, second, guaranteed):
        assert shown.debt.account_number not in html


def test_the_debtor_page_shows_a_lawyer_only_their_firms_matters(client, matter, firm):
    debtor = matter.debt.debtor
    elsewhere = make_matter(debtor=debtor, firm=make_firm())
    client.force_login(make_user(Role.LAWYER, firm=firm))
    html = client.get(reverse("debtor_detail", args=[debtor.pk])).content.decode()
    assert matter.number in html
    assert elsewhere.number not in html


def test_the_debtor_page_answers_404_when_the_user_sees_none_of_the_matters(client, matter):
    client.force_login(make_user(Role.LAWYER, firm=make_firm()))
    assert client.get(reverse("debtor_detail", args=[matter.debt.debtor_id])).status_code == 404
    assert client.get(reverse("debtor_detail", args=[999999])).status_code == 404


@pytest.mark.parametrize("role", [Role.COUNSEL, Role.MANAGER, Role.ADMIN])
def test_the_debtor_page_renders_for_roles_that_see_all(client, matter, role):
    client.force_login(make_user(role))
    assert client.get(reverse("debtor_detail", args=[matter.debt.debtor_id])).status_code == 200


# --- Sections other apps add, and the error pages ----------------------------------------


def test_a_registered_section_is_loaded_into_the_matter_page_by_htmx(client, matter, monkeypatch):
    from legalcase.views import matters as views

    monkeypatch.setattr(views, "MATTER_SECTIONS", [])
    views.register_matter_section(title="证据", url_name="matter_detail")
    views.register_matter_section(title="证据", url_name="matter_detail")  # registering twice adds it once
    html = page(client, make_user(), matter).content.decode()
    assert html.count(f'hx-get="{reverse("matter_detail", args=[matter.pk])}"') == 1


def test_the_error_pages_are_fasus_own_in_chinese(client, matter):
    response = post(client, make_user(Role.MANAGER), "matter_transition", matter, {"to": "litigation"})
    assert response.status_code == 403
    assert "您的角色无权执行此操作。" in response.content.decode()
    response = page(client, make_user(Role.LAWYER, firm=make_firm()), matter)
    assert response.status_code == 404
    html = response.content.decode()
    assert "该页面不存在，或您无权查看。" in html
    assert matter.number not in html


def test_a_timeline_entry_names_a_file_by_its_title_not_its_ids(matter):
    from django.utils import translation

    from legalcase.timeline import event_text

    event = MatterEvent.objects.create(
        matter=matter,
        kind=EventKind.EVIDENCE_ADDED,
        new={"evidence": 4, "title": "对账单", "sha256": "63fdaba260dd7a79dcda85ffd2b2315a"},
    )
    with translation.override("zh-hans"):
        assert event_text(event) == "上传证据「对账单」。"
