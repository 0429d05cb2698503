"""Recomputing deadlines for many matters at once (issue 7: the deadline engine)."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from legalcase.models import Deadline, DemandRecord, Guarantee, Holiday, Job, Role, Ruling
from legalcase.periods import HolidayCalendar
from legalcase.services import deadline_complete, deadline_override, matter_deadlines_recompute
from legalcase.services.deadlines import deadlines_recompute_all, deadlines_recompute_start
from tests.factories import make_matter, make_party, make_user

pytestmark = pytest.mark.django_db
D = dt.date


def current(matter) -> dict[tuple[str, int | None], Deadline]:
    rows = Deadline.objects.filter(matter=matter, superseded_at__isnull=True)
    return {(row.kind, row.party_id): row for row in rows}


def dates_of(matter) -> dict:
    return {key: (row.due_on, row.rule, row.verified_calendar, row.computed_from) for key, row in current(matter).items()}


def confirmed_ruling(matter, **fields) -> Ruling:
    values = {"kind": "judgment", "appealable": True, "served_on": D(2026, 3, 2), "performance_days": 10}
    return Ruling.objects.create(matter=matter, confirmed=True, **{**values, **fields})


@pytest.fixture
def matters():
    plain = make_matter(overdue_since=D(2025, 3, 3))
    guaranteed = make_matter(overdue_since=D(2025, 6, 30))
    Guarantee.objects.create(debt=guaranteed.debt, guarantor=make_party(), guarantee_type="joint")
    demanded = make_matter(overdue_since=D(2024, 1, 15))
    DemandRecord.objects.create(debt=demanded.debt, date=D(2025, 1, 20), channel="letter", delivered=True)
    judged = make_matter(overdue_since=D(2024, 5, 6))
    confirmed_ruling(judged)
    barred = make_matter(overdue_since=D(2019, 5, 6))
    return [plain, guaranteed, demanded, judged, barred]


def test_recomputing_all_gives_what_recomputing_each_matter_gives(matters):
    counts = deadlines_recompute_all(batch=2)
    assert counts["matters"] == 5 and counts["created"] == 5 + 1 + 4  # limitations, a guarantee, the chain
    together = {matter.pk: dates_of(matter) for matter in matters}
    Deadline.objects.all().delete()
    for matter in matters:
        matter_deadlines_recompute(matter_id=matter.pk)
    assert {matter.pk: dates_of(matter) for matter in matters} == together
    judged = current(matters[3])
    # Served Mon 2026-03-02: 15 days to 03-17; effective 03-18; 10 days to 03-28 (Sat) -> Mon 03-30.
    assert judged[("appeal", None)].due_on == D(2026, 3, 17)
    assert judged[("judgment_effective", None)].due_on == D(2026, 3, 18)
    assert judged[("performance_end", None)].due_on == D(2026, 3, 30)
    assert judged[("enforcement_application", None)].due_on == D(2028, 3, 30)


def test_a_second_run_changes_nothing(matters):
    deadlines_recompute_all()
    rows = Deadline.objects.count()
    assert deadlines_recompute_all() == {"matters": 5, "created": 0, "superseded": 0, "updated": 0}
    assert Deadline.objects.count() == rows


def test_a_new_years_holiday_data_moves_dates_and_marks_them_verified(matters):
    deadlines_recompute_all()
    plain = current(matters[0])[("limitation", None)]
    # 2025-03-03 + 3 years = Fri 2028-03-03; 2028 has no holiday data here.
    assert plain.due_on == D(2028, 3, 3) and not plain.verified_calendar
    Holiday.objects.create(date=D(2028, 3, 3), is_rest_day=True, name="假设的假日")
    counts = deadlines_recompute_all()
    moved = current(matters[0])[("limitation", None)]
    assert moved.due_on == D(2028, 3, 6) and moved.verified_calendar
    plain.refresh_from_db()
    assert plain.superseded_at is not None  # the old date stays as history
    assert counts["superseded"] >= 1 and counts["created"] == counts["superseded"]


def test_recomputation_leaves_closed_and_overridden_deadlines_as_people_decided(matters):
    deadlines_recompute_all()
    counsel = make_user(Role.COUNSEL)
    plain = current(matters[0])[("limitation", None)]
    guaranteed = current(matters[1])[("limitation", None)]
    deadline_complete(user=counsel, deadline_id=plain.pk, status="waived", reason="已和解")
    deadline_override(user=counsel, deadline_id=guaranteed.pk, due_on=D(2028, 6, 1), reason="法院通知")
    Holiday.objects.create(date=D(2028, 3, 3), is_rest_day=True, name="假设的假日")
    Holiday.objects.create(date=D(2028, 6, 30), is_rest_day=True, name="假设的假日")
    deadlines_recompute_all()
    assert current(matters[0])[("limitation", None)].pk == plain.pk
    overridden = current(matters[1])[("limitation", None)]
    assert overridden.pk == guaranteed.pk and overridden.due_on == D(2028, 6, 1)
    assert overridden.computed_on == D(2028, 7, 3)  # the rule's date moved past the new holiday and weekend


def test_facts_that_no_longer_give_a_date_supersede_its_open_row(matters):
    deadlines_recompute_all()
    Guarantee.objects.filter(debt=matters[1].debt).delete()
    Ruling.objects.filter(matter=matters[3]).update(appealable=False)  # corrected: final on service
    deadlines_recompute_all()
    assert not any(kind == "guarantee_period" for kind, _ in current(matters[1]))
    judged = current(matters[3])
    assert ("appeal", None) not in judged
    assert judged[("judgment_effective", None)].due_on == D(2026, 3, 2)
    assert judged[("judgment_effective", None)].rule == "ruling.effective_on_service@2023"


def test_the_latest_confirmed_ruling_drives_the_chain(matters):
    judged = matters[3]
    confirmed_ruling(judged, served_on=D(2026, 6, 1), kind="ruling")  # e.g. the appeal court's ruling
    Ruling.objects.create(matter=judged, kind="judgment", appealable=True, served_on=D(2026, 9, 1))  # unconfirmed
    matter_deadlines_recompute(matter_id=judged.pk)
    # A ruling (裁定) served Mon 06-01: 10 days to Thu 06-11.
    assert current(judged)[("appeal", None)].due_on == D(2026, 6, 11)


def test_queries_do_not_grow_with_the_number_of_matters(matters):
    with CaptureQueriesContext(connection) as five:
        deadlines_recompute_all(calendar=HolidayCalendar())
    for _ in range(10):
        make_matter(overdue_since=D(2025, 1, 2))
    Deadline.objects.all().delete()
    with CaptureQueriesContext(connection) as fifteen:
        deadlines_recompute_all(calendar=HolidayCalendar())
    assert len(fifteen) == len(five)


def test_a_holiday_change_in_the_admin_starts_one_background_recomputation(admin_client, matters, monkeypatch):
    monkeypatch.setattr("legalcase.jobs.job_enqueue", lambda **kwargs: None)  # the broker is the outside world
    response = admin_client.post(
        "/admin/legalcase/holiday/add/", {"date": "2028-03-03", "is_rest_day": "on", "name": "假设的假日"}
    )
    assert response.status_code == 302
    admin_client.post("/admin/legalcase/holiday/add/", {"date": "2028-03-06", "is_rest_day": "on", "name": "又一天"})
    jobs = Job.objects.filter(kind="deadlines_recompute")
    assert jobs.count() == 1 and jobs.get().progress_total == 5  # the waiting run reads both changes
    assert deadlines_recompute_start(user=None) == jobs.get()


def test_the_command_reports_what_changed(matters, capsys):
    call_command("recompute_deadlines", "--batch", "2")
    assert "5 matters" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("recompute_deadlines", "--batch", "0")


@pytest.mark.django_db(transaction=True)
def test_processes_share_the_batches_and_give_the_same_rows(postgres_only, matters):
    deadlines_recompute_all(batch=2)
    single = {matter.pk: dates_of(matter) for matter in matters}
    Deadline.objects.all().delete()
    counts = deadlines_recompute_all(batch=2, processes=2)
    assert counts["matters"] == 5 and counts["created"] == 10
    assert {matter.pk: dates_of(matter) for matter in matters} == single
    assert deadlines_recompute_all(batch=2, processes=2)["created"] == 0
