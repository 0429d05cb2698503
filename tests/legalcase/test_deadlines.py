"""Limitation and guarantee periods as Deadlines (LEGAL_RULES section 2), and the deadlines API."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from legalcase.models import Deadline, DemandRecord, EventKind, Guarantee, Holiday, Role, holiday_calendar
from legalcase.services import matter_deadlines_recompute
from tests.factories import make_firm, make_matter, make_party, make_user

pytestmark = pytest.mark.django_db
D = dt.date


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def limitation_of(matter) -> Deadline:
    matter_deadlines_recompute(matter_id=matter.pk)
    return matter.deadlines.get(kind="limitation", superseded_at__isnull=True)


def demand(matter, on: D, *, delivered: bool = True, channel: str = "letter") -> DemandRecord:
    return DemandRecord.objects.create(debt=matter.debt, date=on, channel=channel, delivered=delivered)


# --- The holiday table ----------------------------------------------------------------


def test_the_migration_installs_holidays_and_working_weekend_days():
    assert Holiday.objects.get(date=D(2026, 2, 16)).is_rest_day is True
    # 2025-09-28 is a Sunday worked for the National Day holiday (调休).
    assert Holiday.objects.get(date=D(2025, 9, 28)).is_rest_day is False
    calendar = holiday_calendar()
    assert calendar.is_verified(D(2026, 6, 1)) and not calendar.is_verified(D(2027, 6, 1))
    assert not calendar.is_rest_day(D(2025, 9, 28))


def test_a_year_an_administrator_adds_counts_as_verified():
    Holiday.objects.create(date=D(2028, 1, 1), is_rest_day=True, name="元旦")
    matter = make_matter(overdue_since=D(2025, 3, 3))
    deadline = limitation_of(matter)
    assert deadline.due_on == D(2028, 3, 3) and deadline.verified_calendar


# --- Limitation, worked examples ------------------------------------------------------


def test_a_limitation_ending_in_the_spring_festival_moves_to_the_first_working_day():
    matter = make_matter(overdue_since=D(2023, 2, 16))
    deadline = limitation_of(matter)
    assert deadline.due_on == D(2026, 2, 24)
    assert deadline.rule == "limitation@2021" and deadline.verified_calendar
    assert deadline.computed_from["start"] == "2023-02-16"


def test_an_undelivered_demand_does_not_interrupt():
    matter = make_matter(overdue_since=D(2023, 2, 16))
    demand(matter, D(2024, 1, 10), delivered=False)
    assert limitation_of(matter).due_on == D(2026, 2, 24)


def test_a_delivered_demand_restarts_the_three_years():
    matter = make_matter(overdue_since=D(2023, 2, 16))
    demand(matter, D(2024, 1, 10))
    deadline = limitation_of(matter)
    assert deadline.due_on == D(2027, 1, 11)  # 2027-01-10 is a Sunday
    assert not deadline.verified_calendar
    assert deadline.computed_from["interruptions"] == [{"on": "2024-01-10", "kind": "demand"}]


def test_a_demand_after_expiry_does_not_revive_the_claim():
    matter = make_matter(overdue_since=D(2020, 3, 2))
    demand(matter, D(2023, 6, 1))
    assert limitation_of(matter).due_on == D(2023, 3, 2)
    matter.refresh_from_db()
    assert matter.time_barred


def test_an_accelerated_loan_runs_from_the_acceleration_date():
    matter = make_matter(product="loan", overdue_since=D(2022, 5, 10), matured_on=D(2022, 8, 1))
    deadline = limitation_of(matter)
    assert deadline.due_on == D(2025, 8, 1)
    assert deadline.computed_from["start"] == "2022-08-01"


def test_a_part_payment_after_the_start_interrupts_and_one_before_does_not():
    before = make_matter(overdue_since=D(2023, 2, 16), last_payment_date=D(2023, 1, 20))
    assert limitation_of(before).due_on == D(2026, 2, 24)
    after = make_matter(overdue_since=D(2023, 2, 16), last_payment_date=D(2023, 4, 3))
    assert limitation_of(after).due_on == D(2026, 4, 3)


def test_a_date_beyond_the_calendar_data_is_unverified():
    matter = make_matter(overdue_since=D(2025, 3, 3))
    deadline = limitation_of(matter)
    assert deadline.due_on == D(2028, 3, 3) and not deadline.verified_calendar


def test_a_recomputation_supersedes_the_old_row_and_keeps_it():
    matter = make_matter(overdue_since=D(2023, 2, 16))
    first = limitation_of(matter)
    assert limitation_of(matter).pk == first.pk
    demand(matter, D(2024, 1, 10))
    second = limitation_of(matter)
    first.refresh_from_db()
    assert second.pk != first.pk and first.superseded_at is not None
    assert [d.pk for d in matter.current_deadlines] == [second.pk]


def test_a_waived_deadline_is_not_recomputed():
    matter = make_matter(overdue_since=D(2023, 2, 16))
    first = limitation_of(matter)
    Deadline.objects.filter(pk=first.pk).update(status="waived")
    demand(matter, D(2024, 1, 10))
    assert limitation_of(matter).pk == first.pk


# --- Guarantee periods ----------------------------------------------------------------


def test_an_agreed_guarantee_period_is_kept_as_agreed():
    matter = make_matter(overdue_since=D(2024, 11, 5))
    guarantor = make_party("李四")
    Guarantee.objects.create(debt=matter.debt, guarantor=guarantor, guarantee_period_ends_on=D(2027, 3, 1))
    matter_deadlines_recompute(matter_id=matter.pk)
    deadline = matter.deadlines.get(kind="guarantee_period")
    assert (deadline.due_on, deadline.rule, deadline.party_id) == (D(2027, 3, 1), "guarantee_period@2021", guarantor.pk)


def test_without_agreement_the_guarantee_period_is_six_months_from_the_due_date():
    matter = make_matter(product="loan", overdue_since=D(2023, 1, 10), matured_on=D(2023, 3, 31))
    Guarantee.objects.create(debt=matter.debt, guarantor=make_party("李四"), guarantee_type="general")
    matter_deadlines_recompute(matter_id=matter.pk)
    deadline = matter.deadlines.get(kind="guarantee_period")
    # 2023-03-31 + 6 months: 2023-09-30, a Saturday inside the National Day holiday (09-29 to 10-06),
    # and 10-07 and 10-08 are 调休 working weekend days.
    assert deadline.due_on == D(2023, 10, 7)
    assert deadline.computed_from == {"due_on": "2023-03-31", "months": 6, "basis": "no_agreement"}


# --- The API --------------------------------------------------------------------------


@pytest.fixture
def deadlines():
    firm = make_firm()
    near = make_matter(overdue_since=D(2023, 2, 16), firm=firm)
    far = make_matter(overdue_since=D(2025, 3, 3))
    for matter in (near, far):
        matter_deadlines_recompute(matter_id=matter.pk)
    return {"firm": firm, "near": near.deadlines.get(), "far": far.deadlines.get()}


def test_the_list_filters_by_due_date_inclusive_kind_and_status(deadlines):
    client = client_for(make_user(Role.COUNSEL))
    rows = client.get("/api/v1/deadlines/").json()["results"]
    assert [row["id"] for row in rows] == [deadlines["near"].pk, deadlines["far"].pk]
    assert rows[0] == {
        "id": deadlines["near"].pk,
        "matter": {"id": deadlines["near"].matter_id, "number": deadlines["near"].matter.number},
        "kind": "limitation",
        "due_on": "2026-02-24",
        "rule": "limitation@2021",
        "status": "open",
        "verified_calendar": True,
        "status_reason": "",
        "computed_on": None,
        "override_reason": "",
        "at": None,
        "place": None,
        "court": None,
    }
    due = client.get("/api/v1/deadlines/", {"due_before": "2026-02-24"}).json()
    assert [row["id"] for row in due["results"]] == [deadlines["near"].pk]
    assert client.get("/api/v1/deadlines/", {"kind": "guarantee_period"}).json()["count"] == 0
    assert client.get("/api/v1/deadlines/", {"status": "done"}).json()["count"] == 0
    assert client.get("/api/v1/deadlines/", {"kind": "nonsense"}).status_code == 400
    assert client.get("/api/v1/deadlines/", {"due_before": "2026-02-30"}).status_code == 400


def test_a_lawyer_lists_only_the_firms_matters(deadlines):
    lawyer = make_user(Role.LAWYER, firm=deadlines["firm"])
    rows = client_for(lawyer).get("/api/v1/deadlines/").json()["results"]
    assert [row["id"] for row in rows] == [deadlines["near"].pk]


def test_completing_a_deadline_records_the_status_and_reason(deadlines):
    counsel = make_user(Role.COUNSEL)
    deadline = deadlines["near"]
    response = client_for(counsel).post(
        f"/api/v1/deadlines/{deadline.pk}/complete/", {"status": "waived", "reason": "债务人已书面确认债务"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "waived"
    deadline.refresh_from_db()
    assert (deadline.status, deadline.status_reason) == ("waived", "债务人已书面确认债务")
    event = deadline.matter.events.get(kind=EventKind.DEADLINE_CLOSED)
    assert event.actor == counsel and event.new["status"] == "waived"
    again = client_for(counsel).post(f"/api/v1/deadlines/{deadline.pk}/complete/", {"status": "done"}, format="json")
    assert again.status_code == 400


def test_waiving_needs_a_reason_and_done_does_not(deadlines):
    client = client_for(make_user(Role.ADMIN))
    url = f"/api/v1/deadlines/{deadlines['near'].pk}/complete/"
    assert client.post(url, {"status": "waived"}, format="json").json() == {"reason": ["放弃期限须说明理由。"]}
    assert client.post(url, {"status": "open"}, format="json").status_code == 400
    assert client.post(url, {"status": "done"}, format="json").status_code == 200


def test_the_assigned_lawyer_may_complete_and_another_firms_lawyer_gets_404(deadlines):
    url = f"/api/v1/deadlines/{deadlines['near'].pk}/complete/"
    other = make_user(Role.LAWYER)
    assert client_for(other).post(url, {"status": "done"}, format="json").status_code == 404
    far_url = f"/api/v1/deadlines/{deadlines['far'].pk}/complete/"
    lawyer = make_user(Role.LAWYER, firm=deadlines["firm"])
    assert client_for(lawyer).post(far_url, {"status": "done"}, format="json").status_code == 404
    assert client_for(lawyer).post(url, {"status": "done"}, format="json").status_code == 200


def test_a_manager_sees_deadlines_but_may_not_complete_them(deadlines):
    manager = make_user(Role.MANAGER)
    assert client_for(manager).get("/api/v1/deadlines/").json()["count"] == 2
    url = f"/api/v1/deadlines/{deadlines['near'].pk}/complete/"
    assert client_for(manager).post(url, {"status": "done"}, format="json").status_code == 403
    missing = client_for(manager).post("/api/v1/deadlines/999999/complete/", {"status": "done"}, format="json")
    assert missing.status_code == 404


def test_the_matter_list_carries_current_deadlines(deadlines, django_assert_max_num_queries):
    client = client_for(make_user(Role.COUNSEL))
    # Count (after PostgreSQL's estimate), page, its names, and one query for every row's deadlines.
    with django_assert_max_num_queries(5):
        rows = client.get("/api/v1/matters/").json()["results"]
    by_id = {row["id"]: row for row in rows}
    near = by_id[deadlines["near"].matter_id]
    assert near["limitation_expires_on"] == "2026-02-24"
    assert [d["id"] for d in near["deadlines"]] == [deadlines["near"].pk]


@pytest.mark.parametrize("matter_key", ["own firm's", "other firm's", "unassigned"])
@pytest.mark.parametrize("role", ["counsel", "lawyer", "manager", "admin"])
def test_completion_follows_the_roles_table_for_moving_stages(role, matter_key):
    from tests.legalcase.test_access_matrix import ROLES_TABLE, allowed, sees

    own, other = make_firm("本所"), make_firm("他所")
    firm = {"own firm's": own, "other firm's": other, "unassigned": None}[matter_key]
    matter = make_matter(firm=firm, overdue_since=D(2023, 2, 16))
    matter_deadlines_recompute(matter_id=matter.pk)
    deadline = matter.deadlines.get()
    user = make_user(role, firm=own if role == Role.LAWYER else None)
    response = client_for(user).post(f"/api/v1/deadlines/{deadline.pk}/complete/", {"status": "done"}, format="json")
    if not sees(role, matter_key):
        expected = 404
    else:
        expected = 200 if allowed(ROLES_TABLE["move stages"][role]) else 403
    assert response.status_code == expected
    deadline.refresh_from_db()
    assert (deadline.status == "done") == (expected == 200)
    listed = client_for(user).get("/api/v1/deadlines/").json()["results"]
    assert (deadline.pk in {row["id"] for row in listed}) == sees(role, matter_key)
