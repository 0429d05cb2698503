"""Proceedings: recording them, service on the parties, hearings, and what a filing does to limitation."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from legalcase.models import (
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    EventKind,
    Guarantee,
    Hearing,
    MatterEvent,
    Proceeding,
    Role,
    ServiceRecord,
)
from legalcase.services import hearing_add, matter_deadlines_recompute, proceeding_record, service_record_add
from tests.api_schema import api_schema
from tests.factories import make_firm, make_forum, make_matter, make_party, make_user

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def post_proceeding(user, matter, **body):
    return api(user).post(f"/api/v1/matters/{matter.pk}/proceedings/", body, format="json")


def post_service(user, proceeding, **body):
    return api(user).post(f"/api/v1/proceedings/{proceeding.pk}/service/", body, format="json")


def limitation_of(matter) -> Deadline:
    return Deadline.objects.get(matter=matter, kind=DeadlineKind.LIMITATION, superseded_at__isnull=True)


# Recording ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", Proceeding.Kind.values)
def test_each_kind_of_proceeding_can_be_recorded(kind):
    matter = make_matter()

    response = post_proceeding(make_user(), matter, kind=kind)

    assert response.status_code == 201, response.content
    assert response.json()["kind"] == kind
    assert Proceeding.objects.get(matter=matter).kind == kind


def test_a_proceeding_is_answered_with_its_forum_and_dates():
    matter = make_matter()
    forum = make_forum("北京市朝阳区测试人民法院")

    response = post_proceeding(
        make_user(),
        matter,
        kind="first_instance",
        forum=forum.pk,
        case_number="（2026）京0105民初1234号",
        filed_on="2026-03-02",
        accepted_on="2026-03-09",
        judge="李法官",
        clerk="王书记员",
        contact_phone="010-85000000",
    )

    proceeding = Proceeding.objects.get(matter=matter)
    assert response.json() == {
        "id": proceeding.pk,
        "kind": "first_instance",
        "forum": {"id": forum.pk, "name": "北京市朝阳区测试人民法院"},
        "case_number": "（2026）京0105民初1234号",
        "filed_on": "2026-03-02",
        "accepted_on": "2026-03-09",
        "served_on": None,
        "judge": "李法官",
        "clerk": "王书记员",
        "contact_phone": "010*****0000",  # masked, as API.md masks every phone
        "outcome": "",
        "closed_on": None,
        "fee_notice_received_on": None,
        "measures_taken_on": None,
        "hearings": [],
        "proposed_stage": "litigation",
    }


def test_half_width_brackets_are_normalised_to_the_official_form():
    matter = make_matter()

    response = post_proceeding(make_user(), matter, kind="first_instance", case_number="(2026)京0105民初1234号")

    assert response.json()["case_number"] == "（2026）京0105民初1234号"
    assert Proceeding.objects.get(matter=matter).case_number == "（2026）京0105民初1234号"


def test_arbitration_is_recorded_before_a_commission():
    commission = make_forum("测试仲裁委员会", kind="arbitration", level="")

    response = post_proceeding(make_user(), make_matter(), kind="arbitration", forum=commission.pk)

    assert response.status_code == 201
    assert response.json()["forum"] == {"id": commission.pk, "name": "测试仲裁委员会"}


def test_a_case_number_may_stay_blank_before_acceptance():
    response = post_proceeding(make_user(), make_matter(), kind="arbitration", filed_on="2026-03-02")

    assert response.status_code == 201
    assert response.json()["case_number"] == "" and response.json()["forum"] is None


def test_the_matter_lists_its_proceedings_newest_first():
    matter = make_matter()
    user = make_user()
    first = proceeding_record(user=user, matter_id=matter.pk, kind="pre_suit_preservation")
    second = proceeding_record(user=user, matter_id=matter.pk, kind="first_instance")

    response = api(user).get(f"/api/v1/matters/{matter.pk}/proceedings/")

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [second.pk, first.pk]


def test_recording_a_proceeding_is_written_to_the_timeline():
    matter = make_matter()
    user = make_user()

    proceeding = proceeding_record(user=user, matter_id=matter.pk, kind="appeal", case_number="(2026)京02民终88号")

    event = MatterEvent.objects.get(matter=matter, kind=EventKind.PROCEEDING_RECORDED)
    assert event.actor == user
    assert event.new["proceeding"] == proceeding.pk and event.new["case_number"] == "（2026）京02民终88号"


# Limitation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "verb"),
    [("first_instance", "起诉"), ("small_claims", "起诉"), ("arbitration", "申请仲裁"), ("payment_order", "申请支付令")],
)
def test_filing_suit_or_arbitration_closes_the_open_limitation_deadline(kind, verb):
    matter = make_matter()
    matter_deadlines_recompute(matter_id=matter.pk)

    post_proceeding(make_user(), matter, kind=kind, filed_on="2026-03-02")

    deadline = limitation_of(matter)
    assert deadline.status == DeadlineStatus.DONE
    assert deadline.status_reason == f"已于2026-03-02{verb}，诉讼时效中断"
    closed = MatterEvent.objects.get(matter=matter, kind=EventKind.DEADLINE_CLOSED)
    assert closed.note == deadline.status_reason and closed.new["deadline"] == deadline.pk


def test_a_recomputation_does_not_reopen_the_interrupted_limitation():
    matter = make_matter()
    matter_deadlines_recompute(matter_id=matter.pk)
    post_proceeding(make_user(), matter, kind="first_instance", filed_on="2026-03-02")

    matter_deadlines_recompute(matter_id=matter.pk)

    current = Deadline.objects.filter(matter=matter, kind=DeadlineKind.LIMITATION, superseded_at__isnull=True)
    assert [deadline.status for deadline in current] == [DeadlineStatus.DONE]


def test_a_filing_after_expiry_does_not_close_the_limitation():
    matter = make_matter()
    expires_on = matter_deadlines_recompute(matter_id=matter.pk)[0].due_on
    day_after = (expires_on + dt.timedelta(days=1)).isoformat()

    post_proceeding(make_user(), matter, kind="first_instance", filed_on=day_after)

    assert limitation_of(matter).status == DeadlineStatus.OPEN


@pytest.mark.parametrize("kind", ["first_instance", "arbitration"])
def test_a_proceeding_without_a_filing_date_leaves_limitation_open(kind):
    matter = make_matter()
    matter_deadlines_recompute(matter_id=matter.pk)

    post_proceeding(make_user(), matter, kind=kind)

    assert limitation_of(matter).status == DeadlineStatus.OPEN


def test_preservation_does_not_touch_limitation():
    matter = make_matter()
    matter_deadlines_recompute(matter_id=matter.pk)

    post_proceeding(make_user(), matter, kind="pre_suit_preservation", filed_on="2026-03-02")

    assert limitation_of(matter).status == DeadlineStatus.OPEN


# The proposed stage -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "kind", "proposed"),
    [
        ("intake", "first_instance", "litigation"),
        ("pre_litigation", "arbitration", "arbitration"),
        ("intake", "pre_suit_preservation", "preservation"),
        ("judgment", "appeal", None),  # an appeal is for a person to decide: never proposed (issue 17)
        ("judgment", "enforcement", "enforcement"),
        ("enforcement_terminated", "resumed_enforcement", "enforcement"),
        ("litigation", "first_instance", None),
        ("intake", "enforcement", None),
        ("arbitration", "first_instance", None),
        ("closed", "first_instance", None),
    ],
)
def test_the_matching_stage_move_is_proposed_only_when_the_table_allows_it(stage, kind, proposed):
    matter = make_matter(stage=stage)

    response = post_proceeding(make_user(), matter, kind=kind)

    assert response.json()["proposed_stage"] == proposed
    matter.refresh_from_db()
    assert matter.stage == stage


# Service ------------------------------------------------------------------------------


def test_served_on_is_the_last_service_on_any_party():
    guarantor = make_party("李四")
    matter = make_matter()
    Guarantee.objects.create(debt=matter.debt, guarantor=guarantor)
    user = make_user()
    proceeding = proceeding_record(user=user, matter_id=matter.pk, kind="first_instance")
    service_record_add(
        user=user, proceeding_id=proceeding.pk, method="mail", served_on=dt.date(2026, 4, 10), party_id=guarantor.pk
    )

    response = post_service(user, proceeding, method="direct", served_on="2026-04-03", party=matter.debt.debtor_id)

    assert response.status_code == 201, response.content
    assert response.json()["served_on"] == "2026-04-10"
    assert ServiceRecord.objects.filter(proceeding=proceeding).count() == 2


def test_a_public_notice_is_deemed_served_30_days_after_publication():
    matter = make_matter()
    user = make_user()
    proceeding = proceeding_record(user=user, matter_id=matter.pk, kind="first_instance")

    response = post_service(
        user, proceeding, method="public_notice", published_on="2026-03-01", party=matter.debt.debtor_id
    )

    assert response.status_code == 201, response.content
    assert response.json()["served_on"] == "2026-03-31"


def test_service_without_a_party_is_on_the_creditors_side():
    user = make_user()
    proceeding = proceeding_record(user=user, matter_id=make_matter().pk, kind="first_instance")

    response = post_service(user, proceeding, method="electronic", served_on="2026-04-01")

    assert response.status_code == 201
    assert ServiceRecord.objects.get(proceeding=proceeding).party is None


def test_service_is_written_to_the_timeline():
    matter = make_matter()
    user = make_user()
    proceeding = proceeding_record(user=user, matter_id=matter.pk, kind="first_instance")

    post_service(user, proceeding, method="left", served_on="2026-04-01", party=matter.debt.debtor_id)

    event = MatterEvent.objects.get(matter=matter, kind=EventKind.SERVICE_RECORDED)
    assert event.new == {"proceeding": proceeding.pk, "method": "left", "party": "张三", "served_on": "2026-04-01"}


# Hearings -----------------------------------------------------------------------------


def test_a_hearing_is_scheduled_and_written_to_the_timeline():
    matter = make_matter()
    user = make_user()
    proceeding = proceeding_record(user=user, matter_id=matter.pk, kind="first_instance")
    at = timezone.make_aware(dt.datetime(2026, 5, 12, 9, 30))

    hearing = hearing_add(user=user, proceeding_id=proceeding.pk, at=at, place="第三法庭")

    assert list(proceeding.hearings.all()) == [hearing]
    assert MatterEvent.objects.get(matter=matter, kind=EventKind.HEARING_ADDED).new["hearing"] == hearing.pk


def test_a_hearing_needs_an_aware_time_and_a_manager_may_not_schedule_one():
    user = make_user()
    proceeding = proceeding_record(user=user, matter_id=make_matter().pk, kind="first_instance")

    with pytest.raises(ValidationError):
        hearing_add(user=user, proceeding_id=proceeding.pk, at=dt.datetime(2026, 5, 12, 9, 30))
    with pytest.raises(PermissionDenied):
        hearing_add(user=make_user(Role.MANAGER), proceeding_id=proceeding.pk, at=timezone.now())
    assert not Hearing.objects.exists()


# Bad input: 400 and nothing stored -----------------------------------------------------


def test_an_inactive_forum_is_refused():
    retired = make_forum(active=False)
    matter = make_matter()

    response = post_proceeding(make_user(), matter, kind="first_instance", forum=retired.pk)

    assert response.status_code == 400
    assert "forum" in response.json()
    assert not Proceeding.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "lawsuit"}, "kind"),
        ({"kind": "first_instance", "forum": 999999}, "forum"),
        ({"kind": "first_instance", "forum": "commission"}, "forum"),
        ({"kind": "arbitration", "forum": "court"}, "forum"),
        ({"kind": "first_instance", "filed_on": "2026-03-09", "accepted_on": "2026-03-02"}, "accepted_on"),
        ({"kind": "first_instance", "case_number": "民初第一千号"}, "case_number"),
        ({"kind": "first_instance", "case_number": "见（2026）京0105民初1234号"}, "case_number"),
    ],
)
def test_a_bad_proceeding_answers_400_and_stores_nothing(body, field):
    if body.get("forum") == "commission":
        body["forum"] = make_forum("测试仲裁委员会", kind="arbitration", level="").pk
    elif body.get("forum") == "court":
        body["forum"] = make_forum().pk
    matter = make_matter()
    matter_deadlines_recompute(matter_id=matter.pk)
    events = MatterEvent.objects.filter(matter=matter).count()

    response = post_proceeding(make_user(), matter, **body)

    assert response.status_code == 400
    assert field in response.json()
    assert not Proceeding.objects.exists()
    assert MatterEvent.objects.filter(matter=matter).count() == events
    assert limitation_of(matter).status == DeadlineStatus.OPEN


def test_a_garbage_case_number_with_a_filing_leaves_limitation_open():
    matter = make_matter()
    matter_deadlines_recompute(matter_id=matter.pk)

    response = post_proceeding(make_user(), matter, kind="first_instance", filed_on="2026-03-02", case_number="garbage")

    assert response.status_code == 400
    assert limitation_of(matter).status == DeadlineStatus.OPEN
    assert not Proceeding.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"method": "public_notice", "served_on": "2026-03-01"}, "published_on"),
        ({"method": "mail"}, "served_on"),
        ({"method": "pigeon", "served_on": "2026-03-01"}, "method"),
        ({"method": "mail", "served_on": "2026-03-01", "party": "stranger"}, "party"),
    ],
)
def test_bad_service_answers_400_and_stores_nothing(body, field):
    user = make_user()
    matter = make_matter()
    proceeding = proceeding_record(user=user, matter_id=matter.pk, kind="first_instance")
    if body.get("party") == "stranger":
        body["party"] = make_party("王五").pk
    events = MatterEvent.objects.filter(matter=matter).count()

    response = post_service(user, proceeding, **body)

    assert response.status_code == 400
    assert field in response.json()
    assert not ServiceRecord.objects.exists()
    assert MatterEvent.objects.filter(matter=matter).count() == events


def test_another_matters_debtor_cannot_be_served_in_this_proceeding():
    user = make_user()
    proceeding = proceeding_record(user=user, matter_id=make_matter().pk, kind="first_instance")

    response = post_service(user, proceeding, method="mail", served_on="2026-03-01", party=make_matter().debt.debtor_id)

    assert response.status_code == 400
    assert not ServiceRecord.objects.exists()


# Roles --------------------------------------------------------------------------------


def test_counsel_and_the_assigned_firms_lawyer_may_record():
    firm = make_firm()
    matter = make_matter(firm=firm)

    assert post_proceeding(make_user(Role.COUNSEL), matter, kind="first_instance").status_code == 201
    assert post_proceeding(make_user(Role.LAWYER, firm=firm), matter, kind="appeal").status_code == 201
    assert Proceeding.objects.filter(matter=matter).count() == 2


def test_another_firms_lawyer_gets_404_and_nothing_is_stored():
    matter = make_matter(firm=make_firm())
    stranger = make_user(Role.LAWYER, firm=make_firm())
    proceeding = proceeding_record(user=make_user(), matter_id=matter.pk, kind="first_instance")

    assert post_proceeding(stranger, matter, kind="first_instance").status_code == 404
    assert api(stranger).get(f"/api/v1/matters/{matter.pk}/proceedings/").status_code == 404
    assert post_service(stranger, proceeding, method="mail", served_on="2026-03-01").status_code == 404
    assert Proceeding.objects.count() == 1 and not ServiceRecord.objects.exists()


def test_a_manager_may_read_proceedings_but_not_record_them():
    matter = make_matter()
    manager = make_user(Role.MANAGER)
    proceeding = proceeding_record(user=make_user(), matter_id=matter.pk, kind="first_instance")

    assert post_proceeding(manager, matter, kind="appeal").status_code == 403
    assert post_service(manager, proceeding, method="mail", served_on="2026-03-01").status_code == 403
    response = api(manager).get(f"/api/v1/matters/{matter.pk}/proceedings/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [proceeding.pk]
    assert Proceeding.objects.count() == 1 and not ServiceRecord.objects.exists()


def test_service_on_a_missing_proceeding_answers_404():
    response = api(make_user()).post("/api/v1/proceedings/999999/service/", {"method": "mail"}, format="json")

    assert response.status_code == 404


def test_the_schema_documents_the_proceeding_endpoints():
    schema = api_schema()

    assert {"get", "post"} <= set(schema["paths"]["/api/v1/matters/{matter_id}/proceedings/"])
    assert "201" in schema["paths"]["/api/v1/proceedings/{proceeding_id}/service/"]["post"]["responses"]


def test_an_administrator_can_look_proceedings_up_in_the_admin(client):
    admin_user = make_user(Role.ADMIN)
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save(update_fields=["is_staff", "is_superuser"])
    matter = make_matter()
    proceeding = proceeding_record(
        user=admin_user, matter_id=matter.pk, kind="first_instance", case_number="(2026)京0105民初1234号"
    )
    service_record_add(user=admin_user, proceeding_id=proceeding.pk, method="mail", served_on=dt.date(2026, 4, 1))
    client.force_login(admin_user)

    listing = client.get("/admin/legalcase/proceeding/")
    detail = client.get(f"/admin/legalcase/proceeding/{proceeding.pk}/change/")

    assert listing.status_code == 200 and "（2026）京0105民初1234号" in listing.content.decode()
    assert detail.status_code == 200


def test_a_matter_whose_suit_was_filed_in_time_is_not_time_barred_once_the_old_date_passes():
    """Filing interrupts limitation: the closed deadline's date no longer bars the claim."""

    from legalcase.models import Deadline, DeadlineStatus
    from legalcase.services import matter_deadlines_recompute

    matter = make_matter(overdue_since=dt.date(2023, 1, 10))
    matter_deadlines_recompute(matter_id=matter.pk)
    Deadline.objects.filter(matter=matter, kind="limitation").update(due_on=dt.date(2024, 1, 1))
    matter.refresh_from_db()
    assert matter.time_barred
    Deadline.objects.filter(matter=matter, kind="limitation").update(status=DeadlineStatus.DONE)
    matter = type(matter).objects.get(pk=matter.pk)
    assert not matter.time_barred
