"""Recording costs of realising the claim through the API: the notice's figure beside the computed one (API.md)."""

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from rest_framework.test import APIClient

from legalcase.models import AppendOnlyError, Cost, EventKind, Matter, Role
from tests.factories import make_firm, make_matter, make_user

pytestmark = pytest.mark.django_db
D = dt.date
# LEGAL_RULES section 4's first worked example: a claim of 50,000.00.
CLAIM_50000 = {
    "principal": Decimal("50000.00"),
    "interest": Decimal("0"),
    "penalty_interest": Decimal("0"),
    "compound_interest": Decimal("0"),
    "late_fees": Decimal("0"),
    "fees": Decimal("0"),
}


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def post_cost(user, matter, **body):
    body = {"kind": "acceptance_fee", "amount": "1050.00", "incurred_on": "2026-03-02", "recoverable": True, **body}
    return api(user).post(f"/api/v1/matters/{matter.pk}/costs/", body, format="json")


def costs_outstanding(matter) -> Decimal:
    return Matter.objects.get(pk=matter.pk).outstanding["costs"]


@pytest.fixture
def manager():
    return make_user(Role.MANAGER)


@pytest.fixture
def matter():
    return make_matter(**CLAIM_50000)


@pytest.mark.parametrize(
    "kind, computed",
    [
        ("acceptance_fee", "1050.00"),
        ("preservation_fee", "520.00"),
        ("enforcement_fee", "650.00"),
        ("announcement_fee", None),
        ("lawyer_fee", None),
        ("other", None),
    ],
)
def test_the_computed_fee_is_kept_beside_the_notice_figure(manager, matter, kind, computed):
    response = post_cost(manager, matter, kind=kind, amount="1051.00")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == kind and body["amount"] == "1051.00" and body["computed_amount"] == computed
    # The notice's figure is what counts.
    assert body["outstanding"]["costs"] == "1051.00"
    assert costs_outstanding(matter) == Decimal("1051.00")


def test_a_recoverable_cost_adds_to_outstanding_costs_and_one_borne_by_the_creditor_does_not(manager, matter):
    assert post_cost(manager, matter, amount="1050.00").status_code == 201
    assert post_cost(manager, matter, kind="lawyer_fee", amount="3000.00", recoverable=False).status_code == 201
    assert costs_outstanding(matter) == Decimal("1050.00")
    assert Matter.objects.get(pk=matter.pk).outstanding["total"] == Decimal("51050.00")
    assert Cost.objects.filter(matter=matter).count() == 2


def test_recoverable_is_the_default(manager, matter):
    response = api(manager).post(
        f"/api/v1/matters/{matter.pk}/costs/",
        {"kind": "announcement_fee", "amount": "560.00", "incurred_on": "2026-03-02"},
        format="json",
    )
    assert response.status_code == 201 and response.json()["recoverable"] is True
    assert costs_outstanding(matter) == Decimal("560.00")


def test_a_cost_is_on_the_timeline_and_recomputes_the_deadlines(manager, matter):
    with mock.patch("legalcase.services.recoveries.matter_deadlines_recompute") as recompute:
        response = post_cost(manager, matter, notice_received_on="2026-03-05", note="受理费通知书")
    assert response.status_code == 201
    assert response.json()["notice_received_on"] == "2026-03-05" and response.json()["note"] == "受理费通知书"
    recompute.assert_called_once_with(matter_id=matter.pk)
    event = matter.events.get(kind=EventKind.COST_RECORDED)
    assert event.actor == manager
    assert event.new["kind"] == "acceptance_fee"
    assert event.new["amount"] == "1050.00" and event.new["computed_amount"] == "1050.00"
    assert event.new["recoverable"] is True
    assert event.old == {"costs_recoverable": "0.00"} and event.new["costs_recoverable"] == "1050.00"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"kind": "bribe"}, "kind"),
        ({"amount": "0"}, "amount"),
        ({"amount": "-1.00"}, "amount"),
        ({"amount": "12.345"}, "amount"),
        ({"amount": ""}, "amount"),
        ({"incurred_on": "yesterday"}, "incurred_on"),
        ({"notice_received_on": "2026-02-30"}, "notice_received_on"),
        ({"recoverable": "perhaps"}, "recoverable"),
    ],
)
def test_bad_input_is_refused_and_nothing_stored(manager, matter, body, field):
    response = post_cost(manager, matter, **body)
    assert response.status_code == 400
    assert field in response.json()
    assert not Cost.objects.exists()
    assert costs_outstanding(matter) == Decimal("0.00")


def test_who_may_record_a_cost():
    firm = make_firm()
    matter = make_matter(firm=firm)
    assert post_cost(make_user(Role.MANAGER), matter).status_code == 201
    assert post_cost(make_user(Role.COUNSEL), matter).status_code == 201
    assert post_cost(make_user(Role.ADMIN), matter).status_code == 201
    assert post_cost(make_user(Role.LAWYER, firm=firm), matter).status_code == 403
    assert post_cost(make_user(Role.LAWYER), matter).status_code == 404
    assert Cost.objects.count() == 3


def test_the_list_shows_a_matters_costs(manager, matter):
    post_cost(manager, matter, incurred_on="2026-03-09", kind="preservation_fee", amount="520.00")
    post_cost(manager, matter, incurred_on="2026-03-02")
    post_cost(manager, make_matter())
    response = api(manager).get(f"/api/v1/matters/{matter.pk}/costs/")
    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert [row["kind"] for row in response.json()["results"]] == ["acceptance_fee", "preservation_fee"]


def test_costs_are_append_only(manager, matter):
    cost = Cost.objects.get(pk=post_cost(manager, matter).json()["id"])
    cost.amount = Decimal("1.00")
    with pytest.raises(AppendOnlyError):
        cost.save()
    with pytest.raises(AppendOnlyError):
        cost.delete()
