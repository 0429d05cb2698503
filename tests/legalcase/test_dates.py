"""Dates that cannot lie (issue 17, item 5): a date of something that has happened is not after today
(Beijing), and dates that follow one another come in order; refused with the reason in Chinese,
naming the field, through the page, the API and the import alike, with nothing stored.

The clock is frozen at 2026-06-15 in Beijing (``time_machine``); ``legalcase.dates`` reads it
through ``django.utils.timezone.localdate`` at every call.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from evidence.models import EvidenceItem
from legalcase.dates import must_be_past, must_not_precede
from legalcase.importing import errors_path
from legalcase.models import (
    Cost,
    Debt,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    DemandRecord,
    EnforcementAction,
    EventKind,
    Matter,
    MatterEvent,
    Proceeding,
    Recovery,
    Role,
    Ruling,
    ServiceRecord,
)
from legalcase.services import matter_deadlines_recompute, proceeding_record
from tests.evidence.conftest import evidence_storage  # noqa: F401  (private storage in a temp dir)
from tests.factories import escalation_body, make_matter, make_user
from tests.legalcase.test_import import ENGLISH, row, write_csv
from tests.legalcase.test_portal import confirm_data
from tests.legalcase.test_rulings_api import CHAIN_JUDGMENT, docx_of

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
TODAY = dt.date(2026, 6, 15)
TOMORROW = "2026-06-16"


def future(label: str) -> str:
    return f"{label}不能晚于今天（2026-06-15）。"


@pytest.fixture(autouse=True)
def beijing_today():
    # 10:00 in Beijing is 02:00 UTC: the same day either way; the test of the day's edge travels itself.
    with time_machine.travel(dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False):
        yield


@pytest.fixture
def counsel():
    return make_user(Role.COUNSEL)


@pytest.fixture
def page(client, counsel):
    client.force_login(counsel)
    return client


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def invalid_fields(html: str) -> list[str]:
    return re.findall(r'pf-field invalid">\s*<label for="([^"]+)"', html)


def dated_matter() -> Matter:
    """A matter with its deadlines computed: limitation open (default 2024-11-05)."""
    matter = make_matter()
    matter_deadlines_recompute(matter_id=matter.pk)
    assert limitation_of(matter).status == DeadlineStatus.OPEN
    return matter


def limitation_of(matter) -> Deadline:
    return Deadline.objects.get(matter=matter, kind=DeadlineKind.LIMITATION, superseded_at__isnull=True)


# The helper -----------------------------------------------------------------------------


def test_today_is_beijings_day_not_utcs():
    # 17:30 UTC on 06-14 is 01:30 on 06-15 in Beijing: a date of 06-15 has happened there.
    with time_machine.travel(dt.datetime(2026, 6, 14, 17, 30, tzinfo=dt.UTC), tick=False):
        must_be_past("filed_on", dt.date(2026, 6, 15))
        with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
            must_be_past("filed_on", dt.date(2026, 6, 16))
    assert refused.value.message_dict == {"filed_on": [future("起诉（申请）日期")]}


def test_the_same_day_is_in_order_and_an_earlier_one_is_refused_naming_both():
    must_not_precede("accepted_on", dt.date(2026, 3, 2), "立案日期", dt.date(2026, 3, 2))
    must_not_precede("accepted_on", None, "立案日期", dt.date(2026, 3, 2))
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        must_not_precede("served_on", dt.date(2026, 3, 1), "裁判日期", dt.date(2026, 3, 2))
    assert refused.value.message_dict == {"served_on": ["送达日期不能早于裁判日期（2026-03-02）。"]}


# Proceedings: API and page ------------------------------------------------------------------


@pytest.mark.parametrize("filed_on", [TOMORROW, "2030-01-15"])
def test_a_filing_dated_tomorrow_or_in_2030_is_refused_and_limitation_stays_open(counsel, filed_on):
    matter = dated_matter()
    events = MatterEvent.objects.count()
    response = api(counsel).post(
        f"/api/v1/matters/{matter.pk}/proceedings/", {"kind": "first_instance", "filed_on": filed_on}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"filed_on": [future("起诉（申请）日期")]}
    assert not Proceeding.objects.exists()
    assert limitation_of(matter).status == DeadlineStatus.OPEN
    assert MatterEvent.objects.count() == events


@pytest.mark.parametrize(
    "body, field, message",
    [
        ({"accepted_on": TOMORROW}, "accepted_on", future("受理日期")),
        ({"fee_notice_received_on": TOMORROW}, "fee_notice_received_on", future("收到交费通知日期")),
        (
            {"filed_on": "2026-03-02", "accepted_on": "2026-03-01"},
            "accepted_on",
            "受理日期不能早于起诉（申请）日期（2026-03-02）。",
        ),
        (
            {"filed_on": "2026-03-02", "fee_notice_received_on": "2026-02-27"},
            "fee_notice_received_on",
            "收到交费通知日期不能早于起诉（申请）日期（2026-03-02）。",
        ),
    ],
)
def test_a_proceedings_other_dates_in_the_future_or_out_of_order_are_refused(counsel, body, field, message):
    matter = make_matter()
    response = api(counsel).post(
        f"/api/v1/matters/{matter.pk}/proceedings/", {"kind": "first_instance", **body}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {field: [message]}
    assert not Proceeding.objects.exists()


def test_a_filing_moved_into_the_future_is_refused_and_nothing_changes(counsel):
    matter = dated_matter()
    proceeding = proceeding_record(user=counsel, matter_id=matter.pk, kind="first_instance")
    events = MatterEvent.objects.count()
    response = api(counsel).patch(f"/api/v1/proceedings/{proceeding.pk}/", {"filed_on": "2030-01-15"}, format="json")
    assert response.status_code == 400 and response.json() == {"filed_on": [future("起诉（申请）日期")]}
    proceeding.refresh_from_db()
    assert proceeding.filed_on is None
    assert limitation_of(matter).status == DeadlineStatus.OPEN
    assert MatterEvent.objects.count() == events


def test_the_page_shows_a_future_filing_next_to_its_field_in_chinese_and_stores_nothing(page):
    matter = dated_matter()
    response = page.post(
        reverse("proceeding_record", args=[matter.pk]),
        {"kind": "first_instance", "filed_on": "2030-01-15"},
        **HTMX,
    )
    html = response.content.decode()
    assert invalid_fields(html) == ["proceeding-new-filed_on"]
    assert future("起诉（申请）日期") in html
    assert not Proceeding.objects.exists()
    assert limitation_of(matter).status == DeadlineStatus.OPEN


# Service ---------------------------------------------------------------------------------


@pytest.fixture
def filed(counsel):
    matter = make_matter()
    return proceeding_record(user=counsel, matter_id=matter.pk, kind="first_instance", filed_on=dt.date(2026, 3, 2))


@pytest.mark.parametrize(
    "body, field, message",
    [
        ({"method": "direct", "served_on": TOMORROW}, "served_on", future("送达日期")),
        ({"method": "public_notice", "published_on": TOMORROW}, "published_on", future("公告日期")),
        (
            {"method": "mail", "served_on": "2026-03-01"},
            "served_on",
            "送达日期不能早于起诉（申请）日期（2026-03-02）。",
        ),
        (
            {"method": "public_notice", "published_dates": ["2026-02-20", "2026-03-05"]},
            "published_on",
            "公告日期不能早于起诉（申请）日期（2026-03-02）。",
        ),
    ],
)
def test_service_in_the_future_or_before_the_filing_is_refused(counsel, filed, body, field, message):
    response = api(counsel).post(f"/api/v1/proceedings/{filed.pk}/service/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {field: [message]}
    assert not ServiceRecord.objects.exists()


def test_the_page_refuses_service_tomorrow_and_stores_nothing(page, filed):
    response = page.post(
        reverse("proceeding_service_add", args=[filed.matter_id, filed.pk]),
        {"method": "direct", "served_on": TOMORROW},
        **HTMX,
    )
    html = response.content.decode()
    assert invalid_fields(html) == [f"service-{filed.pk}-served_on"]
    assert future("送达日期") in html
    assert not ServiceRecord.objects.exists()


# Rulings ---------------------------------------------------------------------------------


@pytest.fixture
def storage_here(evidence_storage):  # noqa: F811
    return evidence_storage


def upload_api(user, matter, **data):
    body = {"file": SimpleUploadedFile("判决书.docx", docx_of(CHAIN_JUDGMENT)), **data}
    return api(user).post(f"/api/v1/matters/{matter.pk}/rulings/", body, format="multipart")


def test_a_ruling_served_tomorrow_is_refused_at_upload_and_nothing_stays(counsel, storage_here):
    matter = make_matter()
    response = upload_api(counsel, matter, served_on=TOMORROW)
    assert response.status_code == 400 and response.json() == {"served_on": [future("送达日期")]}
    assert not Ruling.objects.exists() and not EvidenceItem.objects.exists()


@pytest.mark.parametrize(
    "corrections, field, message",
    [
        ({"decided_on": TOMORROW}, "decided_on", future("裁判日期")),
        ({"served_on": "2030-01-15"}, "served_on", future("送达日期")),
        # CHAIN_JUDGMENT was decided on 2025-09-10.
        ({"served_on": "2025-09-09"}, "served_on", "送达日期不能早于裁判日期（2025-09-10）。"),
    ],
)
def test_a_ruling_with_impossible_dates_is_not_confirmed(counsel, storage_here, corrections, field, message):
    matter = make_matter()
    ruling_id = upload_api(counsel, matter).json()["id"]
    response = api(counsel).post(f"/api/v1/rulings/{ruling_id}/confirm/", corrections, format="json")
    assert response.status_code == 400 and response.json() == {field: [message]}
    ruling = Ruling.objects.get()
    assert not ruling.confirmed and ruling.corrections == {}
    assert not Deadline.objects.filter(kind=DeadlineKind.APPEAL).exists()


def test_a_ruling_decided_before_its_proceeding_was_filed_is_not_confirmed(counsel, storage_here):
    matter = make_matter()
    proceeding_record(
        user=counsel,
        matter_id=matter.pk,
        kind="first_instance",
        case_number="（2025）京0105民初30001号",
        filed_on=dt.date(2025, 9, 15),
    )
    ruling_id = upload_api(counsel, matter, served_on="2025-09-20").json()["id"]
    assert Ruling.objects.get().proceeding is not None
    response = api(counsel).post(f"/api/v1/rulings/{ruling_id}/confirm/", {}, format="json")
    assert response.status_code == 400
    assert response.json() == {"decided_on": ["裁判日期不能早于起诉（申请）日期（2025-09-15）。"]}
    assert not Ruling.objects.get().confirmed


def test_the_page_refuses_service_before_the_ruling_and_confirms_nothing(page, counsel, storage_here):
    matter = make_matter()
    upload_api(counsel, matter)
    ruling = Ruling.objects.get()
    response = page.post(
        reverse("ruling_confirm", args=[matter.pk, ruling.pk]),
        confirm_data(ruling, served_on="2025-09-01"),
        **HTMX,
    )
    html = response.content.decode()
    assert invalid_fields(html) == [f"ruling-{ruling.pk}-served_on"]
    assert "送达日期不能早于裁判日期（2025-09-10）。" in html
    ruling.refresh_from_db()
    assert not ruling.confirmed and ruling.served_on is None


# Enforcement, recoveries, costs ---------------------------------------------------------------


def test_a_measure_starting_tomorrow_is_refused_on_the_page_and_through_the_api(page, counsel):
    matter = make_matter(stage="enforcement")
    response = api(counsel).post(
        f"/api/v1/matters/{matter.pk}/enforcement-actions/",
        {"kind": "freeze_deposit", "started_on": TOMORROW},
        format="json",
    )
    assert response.status_code == 400 and response.json() == {"started_on": [future("措施起始日期")]}
    html = page.post(
        reverse("enforcement_action_record", args=[matter.pk]),
        {"kind": "freeze_deposit", "started_on": TOMORROW},
        **HTMX,
    ).content.decode()
    assert invalid_fields(html) == ["action-new-started_on"] and future("措施起始日期") in html
    assert not EnforcementAction.objects.exists()


def test_a_renewal_before_the_measure_or_long_after_it_lapses_is_refused(counsel):
    matter = make_matter(stage="enforcement")
    freeze = api(counsel).post(
        f"/api/v1/matters/{matter.pk}/enforcement-actions/",
        {"kind": "freeze_deposit", "started_on": "2025-07-01"},
        format="json",
    ).json()
    assert freeze["expires_on"] == "2026-06-30"

    def renew(started_on):
        return api(counsel).post(
            f"/api/v1/enforcement-actions/{freeze['id']}/renew/", {"started_on": started_on}, format="json"
        )

    before = renew("2025-06-30")
    assert before.status_code == 400 and "started_on" in before.json()
    # The renewal may run from the day after the expiry, still ahead; not from a later day.
    late = renew("2026-07-02")
    assert late.status_code == 400
    assert late.json() == {"started_on": ["续封、续冻最迟自原措施到期的次日（2026-07-01）起算。"]}
    assert EnforcementAction.objects.count() == 1
    assert renew("2026-07-01").status_code == 201


def test_a_recovery_or_a_cost_dated_tomorrow_is_refused(counsel):
    matter = make_matter(stage="enforcement")
    response = api(counsel).post(
        f"/api/v1/matters/{matter.pk}/recoveries/",
        {"amount": "100.00", "received_on": TOMORROW, "source": "voluntary"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert response.status_code == 400 and response.json() == {"received_on": [future("到账日期")]}
    response = api(counsel).post(
        f"/api/v1/matters/{matter.pk}/costs/",
        {"kind": "acceptance_fee", "amount": "1090.00", "incurred_on": "2026-06-01", "notice_received_on": TOMORROW},
        format="json",
    )
    assert response.status_code == 400 and response.json() == {"notice_received_on": [future("收到交费通知日期")]}
    assert not Recovery.objects.exists() and not Cost.objects.exists()


# Escalations: API and import ----------------------------------------------------------------


@pytest.mark.parametrize(
    "change, errors",
    [
        ({"last_payment_date": TOMORROW}, {"last_payment_date": [future("最后还款日")]}),
        ({"amounts": {**escalation_body()["amounts"], "as_of": "2030-01-15"}}, {"amounts": {"as_of": [future("欠款截止日")]}}),
        (
            {"demands": [{"date": TOMORROW, "channel": "letter", "delivered": True}]},
            {"demands": {"0": {"date": [future("催收日期")]}}},
        ),
        ({"overdue_since": TOMORROW}, {"overdue_since": [future("逾期日期")]}),
    ],
)
def test_an_escalation_dated_in_the_future_is_refused_and_stores_nothing(counsel, change, errors):
    response = api(counsel).post("/api/v1/escalations/", escalation_body(**change), format="json")
    assert response.status_code == 400
    assert response.json() == errors
    assert not Matter.objects.exists() and not Debt.objects.exists() and not DemandRecord.objects.exists()


def test_the_import_rejects_rows_with_future_dates_and_says_why_in_chinese(tmp_path, counsel):
    rows = [
        row(1),
        row(2, last_payment_date="2026-06-16"),
        row(3, last_demand_date="2026年7月1日"),
        row(4, amounts_as_of="2030/1/15"),
    ]
    path = write_csv(tmp_path / "bank.csv", rows)
    out = io.StringIO()
    call_command("import_escalations", str(path), user=counsel.username, stdout=out)
    assert "created: 1" in out.getvalue() and "rejected: 3" in out.getvalue()
    assert list(Debt.objects.values_list("account_number", flat=True)) == [rows[0]["account_number"]]
    errors = list(csv.reader(io.StringIO(errors_path(path).read_bytes().decode("utf-8-sig"))))
    reasons = {int(line): reason for line, reason, *_cells in errors[1:]}
    assert reasons == {
        3: "last_payment_date: " + future("最后还款日"),
        4: "last_demand_date: " + future("催收日期"),
        5: "amounts_as_of: " + future("欠款截止日"),
    }
    assert errors[0][2:] == ENGLISH


def test_nothing_of_a_refused_filing_reaches_the_timeline(counsel):
    matter = make_matter()
    with pytest.raises(ValidationError):
        proceeding_record(user=counsel, matter_id=matter.pk, kind="arbitration", filed_on=dt.date(2030, 1, 15))
    assert not matter.events.filter(kind__in=[EventKind.PROCEEDING_RECORDED, EventKind.DEADLINE_CLOSED]).exists()
