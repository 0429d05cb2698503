"""Assets and enforcement actions through the API: expiry by property type, renewals, 失信, access, masking."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from legalcase.models import (
    Asset,
    EnforcementAction,
    EventKind,
    Guarantee,
    MatterEvent,
    Role,
)
from legalcase.services.enforcement import (
    EnforcementConflict,
    enforcement_action_record,
    enforcement_action_set_status,
    lapsing_actions,
    terminated_matters,
)
from tests.factories import make_firm, make_matter, make_party, make_user

pytestmark = pytest.mark.django_db
D = dt.date

# API.md's example, as a bank's system would send it.
EXAMPLE = {
    "kind": "freeze_deposit",
    "court": "北京市朝阳区人民法院",
    "case_number": "（2026）京0105执1234号",
    "started_on": "2026-03-02",
    "expires_on": None,
    "amount": "52558.05",
    "asset": {"kind": "bank_account", "description": "招商银行 尾号1234"},
}


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def record(user, matter, **body):
    return api(user).post(f"/api/v1/matters/{matter.pk}/enforcement-actions/", body, format="json")


def renew(user, action_id, **body):
    return api(user).post(f"/api/v1/enforcement-actions/{action_id}/renew/", body, format="json")


def stored(matter) -> tuple[int, int, int]:
    """Actions, assets and enforcement events of the matter: all zero when nothing was stored."""
    events = matter.events.filter(
        kind__in=[EventKind.ASSET_RECORDED, EventKind.ENFORCEMENT_RECORDED, EventKind.ENFORCEMENT_RENEWED]
    )
    return matter.enforcement_actions.count(), matter.assets.count(), events.count()


@pytest.fixture
def counsel():
    return make_user(Role.COUNSEL)


@pytest.fixture
def matter():
    return make_matter(stage="enforcement")


def test_api_md_example_answers_201_with_the_computed_expiry_and_the_asset_for_the_debtor(counsel, matter):
    response = record(counsel, matter, **EXAMPLE)
    assert response.status_code == 201, response.content
    body = response.json()
    # LEGAL_RULES section 3: from 2026-03-02 for one year runs to 2027-03-01; renewal 7 days before.
    assert body["expires_on"] == "2027-03-01" and body["expiry_stated"] is False
    assert body["renewal_due_on"] == "2027-02-22"
    assert body["amount"] == "52558.05" and body["status"] == "active"
    assert body["renews"] is None and body["renewed_by"] is None
    asset = Asset.objects.get(pk=body["asset"]["id"])
    assert asset.owner_id == matter.debt.debtor_id and asset.source == "court_search"
    assert asset.found_on == D(2026, 3, 2)
    assert stored(matter) == (1, 1, 2)


@pytest.mark.parametrize(
    "kind,started_on,expires_on",
    [
        ("freeze_deposit", "2026-03-02", "2027-03-01"),
        ("freeze_deposit", "2028-02-29", "2029-02-28"),
        ("garnish_wages", "2026-03-02", "2027-03-01"),
        ("seize_movable", "2026-03-02", "2028-03-01"),
        ("seize_real_estate", "2026-03-02", "2029-03-01"),
        ("freeze_equity", "2026-03-02", "2029-03-01"),
        ("freeze_receivable", "2026-03-02", "2029-03-01"),
    ],
)
def test_expiry_runs_by_property_type(counsel, matter, kind, started_on, expires_on):
    # A measure is recorded once it has started: a clock a day after the start.
    with time_machine.travel(dt.datetime.fromisoformat(f"{started_on}T12:00:00+08:00"), tick=False):
        response = record(counsel, matter, kind=kind, started_on=started_on)
    assert response.status_code == 201, response.content
    assert response.json()["expires_on"] == expires_on
    assert response.json()["renewal_due_on"] is not None


def test_the_courts_stated_date_wins(counsel, matter):
    response = record(counsel, matter, kind="seize_real_estate", started_on="2026-03-02", expires_on="2026-12-31")
    assert response.status_code == 201
    body = response.json()
    assert body["expires_on"] == "2026-12-31" and body["expiry_stated"] is True
    assert body["renewal_due_on"] == "2026-12-24"


def test_a_stated_date_before_the_start_is_refused_and_nothing_is_stored(counsel, matter):
    response = record(counsel, matter, **{**EXAMPLE, "expires_on": "2026-03-01"})
    assert response.status_code == 400
    assert "expires_on" in response.json()
    assert stored(matter) == (0, 0, 0)


def test_renewal_due_moves_earlier_on_a_rest_day(counsel, matter):
    # Expires Sat 2026-03-14; 7 days before is Sat 03-07, so Friday 03-06.
    weekend = record(counsel, matter, kind="freeze_deposit", started_on="2025-03-15").json()
    assert weekend["expires_on"] == "2026-03-14" and weekend["renewal_due_on"] == "2026-03-06"
    # Expires 2026-10-08; 7 days before is 10-01, National Day (10-01 to 10-07): Wednesday 09-30.
    holiday = record(counsel, matter, kind="freeze_deposit", started_on="2026-01-05", expires_on="2026-10-08").json()
    assert holiday["renewal_due_on"] == "2026-09-30"


def test_a_renewal_chain_of_three(counsel, matter):
    first = record(counsel, matter, **{**EXAMPLE, "rank": "first"}).json()
    second = renew(counsel, first["id"], started_on="2027-03-02")
    assert second.status_code == 201, second.content
    second = second.json()
    third = renew(counsel, second["id"], started_on="2028-03-02", expires_on="2029-01-31").json()

    assert second["renews"] == first["id"] and third["renews"] == second["id"]
    assert second["expires_on"] == "2028-03-01" and second["expiry_stated"] is False
    assert third["expires_on"] == "2029-01-31" and third["expiry_stated"] is True
    # 2027-02-22 Mon; 2028-02-23 Wed; 2029-01-24 Wed.
    assert [first["renewal_due_on"], second["renewal_due_on"], third["renewal_due_on"]] == [
        "2027-02-22",
        "2028-02-23",
        "2029-01-24",
    ]
    # The renewal keeps what the court froze.
    for renewal in (second, third):
        assert renewal["kind"] == "freeze_deposit" and renewal["rank"] == "first"
        assert renewal["asset"]["id"] == first["asset"]["id"] and renewal["amount"] == "52558.05"
        assert renewal["case_number"] == first["case_number"] and renewal["court"] == first["court"]

    listed = {
        row["id"]: row
        for row in api(counsel).get(f"/api/v1/matters/{matter.pk}/enforcement-actions/").json()["results"]
    }
    assert [listed[a["id"]]["status"] for a in (first, second, third)] == ["renewed", "renewed", "active"]
    assert listed[first["id"]]["renewed_by"] == second["id"] and listed[third["id"]]["renewed_by"] is None
    assert matter.events.filter(kind=EventKind.ENFORCEMENT_RENEWED).count() == 2


def test_renewing_an_action_already_renewed_is_a_conflict(counsel, matter):
    first = record(counsel, matter, **EXAMPLE).json()
    assert renew(counsel, first["id"], started_on="2027-03-02").status_code == 201
    again = renew(counsel, first["id"], started_on="2027-03-02")
    assert again.status_code == 409
    assert again.json()["stage"] == "enforcement" and "已续行" in again.json()["detail"]
    assert matter.enforcement_actions.count() == 2


def test_a_renewal_must_start_after_the_measure_and_only_lapsing_kinds_renew(counsel, matter):
    first = record(counsel, matter, **EXAMPLE).json()
    early = renew(counsel, first["id"], started_on="2026-03-02")
    assert early.status_code == 400 and "started_on" in early.json()
    deduct = record(counsel, matter, kind="deduct", started_on="2026-03-05", amount="1000.00").json()
    assert renew(counsel, deduct["id"], started_on="2026-04-01").status_code == 400
    assert matter.enforcement_actions.count() == 2


@pytest.mark.parametrize(
    "kind", ["deduct", "auction", "sale", "termination_current", "resumption", "consumption_restriction"]
)
def test_kinds_that_do_not_lapse_have_null_dates(counsel, matter, kind):
    response = record(counsel, matter, kind=kind, started_on="2026-03-02", expires_on=None)
    assert response.status_code == 201, response.content
    assert response.json()["expires_on"] is None and response.json()["renewal_due_on"] is None


def test_an_expiry_given_for_a_kind_that_does_not_lapse_is_refused(counsel, matter):
    response = record(counsel, matter, kind="auction", started_on="2026-03-02", expires_on="2027-03-01")
    assert response.status_code == 400 and "expires_on" in response.json()


def test_a_dishonest_listing_on_ground_one_has_no_end_and_grounds_two_to_six_two_years(counsel, matter):
    refuses = record(counsel, matter, kind="dishonest_listing", started_on="2026-03-02", listing_ground=1).json()
    assert refuses["ends_on"] is None and refuses["listing_ground"] == 1
    for ground in (2, 6):
        evades = record(counsel, matter, kind="dishonest_listing", started_on="2026-03-02", listing_ground=ground)
        assert evades.json()["ends_on"] == "2028-03-02"
    stated = record(
        counsel, matter, kind="dishonest_listing", started_on="2026-03-02", listing_ground=3, ends_on="2029-03-02"
    )
    assert stated.json()["ends_on"] == "2029-03-02"
    missing = record(counsel, matter, kind="dishonest_listing", started_on="2026-03-02")
    assert missing.status_code == 400 and "listing_ground" in missing.json()


@pytest.mark.parametrize("role", [Role.COUNSEL, Role.LAWYER, Role.MANAGER, Role.ADMIN])
def test_counsel_the_assigned_lawyer_manager_and_admin_record_actions(role):
    firm = make_firm()
    matter = make_matter(stage="enforcement", firm=firm)
    user = make_user(role, firm=firm if role == Role.LAWYER else None)
    body = {**EXAMPLE, "asset": {**EXAMPLE["asset"], "identifier": "6225880012345678"}}
    response = record(user, matter, **body)
    assert response.status_code == 201, response.content
    assert response.json()["asset"]["identifier"] == "6225********5678"
    assert "6225880012345678" not in response.content.decode()


def test_another_firms_lawyer_gets_404_and_nothing_is_stored():
    matter = make_matter(stage="enforcement", firm=make_firm())
    stranger = make_user(Role.LAWYER)
    assert record(stranger, matter, **EXAMPLE).status_code == 404
    assert api(stranger).get(f"/api/v1/matters/{matter.pk}/enforcement-actions/").status_code == 404
    assert api(stranger).get(f"/api/v1/matters/{matter.pk}/assets/").status_code == 404
    counsel = make_user(Role.COUNSEL)
    action = record(counsel, matter, **EXAMPLE).json()
    assert renew(stranger, action["id"], started_on="2027-03-02").status_code == 404
    assert stored(matter)[0] == 1


def test_identifiers_are_masked_in_every_answer_and_on_the_timeline(counsel, matter):
    created = api(counsel).post(
        f"/api/v1/matters/{matter.pk}/assets/",
        {
            "kind": "bank_account",
            "description": "招商银行",
            "identifier": "6225 8800 1234 5678",
            "estimated_value": "12000",
            "source": "investigation",
            "found_on": "2026-02-10",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    asset = created.json()
    assert asset["identifier"] == "6225********5678" and asset["estimated_value"] == "12000.00"
    assert asset["owner"]["id"] == matter.debt.debtor_id
    assert Asset.objects.get(pk=asset["id"]).identifier == "6225880012345678"
    action = record(counsel, matter, kind="freeze_deposit", started_on="2026-03-02", asset_id=asset["id"])
    assert action.status_code == 201
    pages = [
        api(counsel).get(f"/api/v1/matters/{matter.pk}/assets/").content.decode(),
        api(counsel).get(f"/api/v1/matters/{matter.pk}/enforcement-actions/").content.decode(),
        action.content.decode(),
        str(list(MatterEvent.objects.filter(matter=matter).values_list("new", flat=True))),
    ]
    for page in pages:
        assert "6225880012345678" not in page
    assert "6225********5678" in pages[0] and "6225********5678" in pages[1]


def test_an_asset_belongs_to_the_debtor_or_a_guarantor(counsel, matter):
    guarantor = make_party("李四")
    Guarantee.objects.create(debt=matter.debt, guarantor=guarantor, guarantee_type="joint")
    body = {"kind": "vehicle", "description": "京A12345 小型轿车", "source": "tip_off", "found_on": "2026-02-10"}
    ok = api(counsel).post(f"/api/v1/matters/{matter.pk}/assets/", {**body, "owner": guarantor.pk}, format="json")
    assert ok.status_code == 201 and ok.json()["owner"]["name"] == "李四"
    outsider = make_matter().debt.debtor
    refused = api(counsel).post(f"/api/v1/matters/{matter.pk}/assets/", {**body, "owner": outsider.pk}, format="json")
    assert refused.status_code == 400 and "owner" in refused.json()
    number = api(counsel).post(
        f"/api/v1/matters/{matter.pk}/assets/", {**body, "description": "账户 6225880012345678"}, format="json"
    )
    assert number.status_code == 400 and "6225880012345678" not in number.content.decode()
    assert matter.assets.count() == 1


@pytest.mark.parametrize(
    "change,field",
    [
        ({"kind": "freeze_everything"}, "kind"),
        ({"rank": "first", "kind": "deduct"}, "rank"),
        ({"case_number": "见附件"}, "case_number"),
        ({"amount": "-1.00"}, "amount"),
        ({"listing_ground": 2}, "listing_ground"),
        ({"ends_on": "2027-01-01"}, "ends_on"),
        ({"started_on": "2026-02-30"}, "started_on"),
        ({"asset": {"kind": "bank_account"}}, "asset"),
        ({"asset_id": 1}, "asset"),
    ],
)
def test_bad_inputs_answer_400_and_store_nothing(counsel, matter, change, field):
    response = record(counsel, matter, **{**EXAMPLE, **change})
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert stored(matter) == (0, 0, 0)


def test_an_asset_of_another_matter_is_refused(counsel, matter):
    other = make_matter(stage="enforcement")
    foreign = record(counsel, other, **EXAMPLE).json()["asset"]["id"]
    response = record(counsel, matter, kind="freeze_deposit", started_on="2026-03-02", asset_id=foreign)
    assert response.status_code == 400 and "asset_id" in response.json()
    assert stored(matter) == (0, 0, 0)


def test_half_width_brackets_are_normalised(counsel, matter):
    response = record(counsel, matter, **{**EXAMPLE, "case_number": "(2026)京0105执1234号"})
    assert response.json()["case_number"] == "（2026）京0105执1234号"


def test_closing_an_action_and_closing_it_again(counsel, matter):
    action = record(counsel, matter, **EXAMPLE).json()
    lifted = enforcement_action_set_status(user=counsel, action_id=action["id"], status="lifted", note="已解冻")
    assert lifted.status == "lifted"
    assert matter.events.filter(kind=EventKind.ENFORCEMENT_STATUS_CHANGED, new__status="lifted").exists()
    with pytest.raises(EnforcementConflict):
        enforcement_action_set_status(user=counsel, action_id=action["id"], status="done")
    with pytest.raises(ValidationError):
        enforcement_action_set_status(user=counsel, action_id=action["id"], status="renewed")
    assert renew(counsel, action["id"], started_on="2027-03-02").status_code == 409


def test_a_resumption_closes_the_termination_in_force(counsel, matter):
    terminated = enforcement_action_record(
        user=counsel, matter_id=matter.pk, kind="termination_current", started_on=D(2026, 3, 2)
    )
    assert [row.matter for row in terminated_matters(counsel, today=D(2026, 4, 1))] == [matter]
    enforcement_action_record(user=counsel, matter_id=matter.pk, kind="resumption", started_on=D(2026, 9, 1))
    terminated.refresh_from_db()
    assert terminated.status == "done"
    assert terminated_matters(counsel, today=D(2026, 9, 2)) == []


def test_lapsing_actions_are_the_visible_ones_in_force_soonest_first():
    firm = make_firm()
    lawyer = make_user(Role.LAWYER, firm=firm)
    mine, theirs = make_matter(stage="enforcement", firm=firm), make_matter(stage="enforcement", firm=make_firm())
    counsel = make_user(Role.COUNSEL)
    today = D(2026, 6, 1)
    later = enforcement_action_record(
        user=counsel, matter_id=mine.pk, kind="seize_movable", started_on=D(2025, 1, 1), expires_on=D(2026, 8, 1)
    )
    sooner = enforcement_action_record(
        user=counsel, matter_id=mine.pk, kind="freeze_deposit", started_on=D(2025, 1, 1), expires_on=D(2026, 6, 20)
    )
    enforcement_action_record(
        user=counsel, matter_id=mine.pk, kind="freeze_equity", started_on=D(2025, 1, 1), expires_on=D(2026, 12, 1)
    )
    enforcement_action_record(
        user=counsel, matter_id=theirs.pk, kind="freeze_deposit", started_on=D(2025, 1, 1), expires_on=D(2026, 6, 5)
    )
    lifted = enforcement_action_record(
        user=counsel, matter_id=mine.pk, kind="freeze_deposit", started_on=D(2025, 1, 1), expires_on=D(2026, 6, 2)
    )
    enforcement_action_set_status(user=counsel, action_id=lifted.pk, status="lifted")
    assert list(lapsing_actions(lawyer, within_days=90, today=today)) == [sooner, later]
    assert list(lapsing_actions(lawyer, within_days=30, today=today)) == [sooner]
    assert list(lapsing_actions(lawyer, within_days=90, today=today, kind="seize_movable")) == [later]
    assert EnforcementAction.objects.filter(status="active").count() == 4
