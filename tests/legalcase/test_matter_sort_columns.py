"""The matter list's stored sort columns (``Matter.claim_total``, ``outstanding_total``,
``limitation_expires_on``): every write path keeps them equal to what they copy, and the
list sorts by them both ways, matters without a limitation date last."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from legalcase.importing import escalations_import
from legalcase.models import Deadline, Matter, Role
from legalcase.services import (
    amounts_restate,
    cost_record,
    deadline_override,
    recovery_record,
    recovery_reverse,
)
from legalcase.services.recoveries import recovery_body_digest
from tests.factories import escalation_body, make_matter, make_user
from tests.legalcase.test_import import row, write_csv

pytestmark = pytest.mark.django_db

D = dt.date
URL = "/api/v1/escalations/"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def in_step(matter_id: int) -> Matter:
    """Assert the stored columns equal what they copy (``Matter.outstanding``, the current limitation deadline)."""
    matter = Matter.objects.select_related("debt").get(pk=matter_id)
    assert matter.claim_total == matter.debt.claim_total
    assert matter.outstanding_total == matter.outstanding["total"]
    current = Deadline.objects.filter(matter=matter, kind="limitation", superseded_at__isnull=True).first()
    assert matter.limitation_expires_on == (current.due_on if current else None)
    assert matter.limitation_expires_on == matter.current_limitation_on
    return matter


@pytest.fixture
def counsel():
    return make_user(Role.COUNSEL)


@pytest.fixture
def escalated(counsel) -> Matter:
    response = api(counsel).post(URL, escalation_body(), format="json")
    assert response.status_code == 201, response.content
    return Matter.objects.get(pk=response.json()["id"])


def test_a_new_escalation_stores_its_claim_and_limitation(escalated):
    matter = in_step(escalated.pk)
    assert matter.claim_total == Decimal("52558.05")
    assert matter.outstanding_total == Decimal("52558.05")
    assert matter.limitation_expires_on == D(2028, 1, 17)


def test_a_repeat_with_new_amounts_and_a_later_demand_moves_both(counsel, escalated):
    body = escalation_body()
    body["amounts"] = {"as_of": "2025-07-31", "principal": "50000.00", "interest": "100.00"}
    body["demands"] = [*body["demands"], {"date": "2025-05-06", "channel": "letter", "delivered": True}]
    response = api(counsel).post(URL, body, format="json")
    assert response.status_code == 200, response.content
    matter = in_step(escalated.pk)
    assert matter.claim_total == Decimal("50100.00")
    assert matter.limitation_expires_on > D(2028, 1, 17)


def test_the_import_stores_and_updates_the_claim(counsel, tmp_path):
    path = write_csv(tmp_path / "a.csv", [row(1), row(2)])
    escalations_import(user=counsel, path=path)
    matters = list(Matter.objects.order_by("pk"))
    assert [m.claim_total for m in matters] == [Decimal("52558.05")] * 2
    for matter in matters:
        assert in_step(matter.pk).limitation_expires_on is not None
    write_csv(path, [row(1, principal="50000.00"), row(2)])
    escalations_import(user=counsel, path=path)
    assert in_step(matters[0].pk).claim_total == Decimal("54327.50")
    in_step(matters[1].pk)


def test_a_restatement_replaces_the_claim_total(counsel, escalated):
    amounts_restate(user=counsel, matter_id=escalated.pk, as_of="2025-09-30", principal="40000.00", fees="12.34")
    matter = in_step(escalated.pk)
    assert (matter.claim_total, matter.outstanding_total) == (Decimal("40012.34"), Decimal("40012.34"))


def test_recovery_reversal_and_cost_move_the_outstanding_total_and_the_limitation(counsel, escalated):
    manager = make_user(Role.MANAGER)
    data = {"amount": Decimal("2558.05"), "received_on": D(2026, 4, 1), "source": "voluntary", "reference": ""}
    recovery, _new = recovery_record(
        user=manager, matter_id=escalated.pk, idempotency_key="k1", body_digest=recovery_body_digest(**data), **data
    )
    matter = in_step(escalated.pk)
    assert matter.outstanding_total == Decimal("50000.00")
    # A part payment restarts limitation (LEGAL_RULES section 2): the copy follows the engine.
    assert matter.limitation_expires_on > D(2029, 3, 31)
    recovery_reverse(user=manager, recovery_id=recovery.pk, reason="退票")
    matter = in_step(escalated.pk)
    assert (matter.outstanding_total, matter.limitation_expires_on) == (Decimal("52558.05"), D(2028, 1, 17))
    cost_record(user=manager, matter_id=escalated.pk, kind="lawyer_fee", amount=Decimal("800.00"), incurred_on=D(2026, 3, 2))
    assert in_step(escalated.pk).outstanding_total == Decimal("53358.05")


def test_overriding_the_limitation_deadline_moves_the_copy(counsel, escalated):
    limitation = Deadline.objects.get(matter=escalated, kind="limitation", superseded_at__isnull=True)
    deadline_override(user=counsel, deadline_id=limitation.pk, due_on=D(2028, 2, 1), reason="法院通知")
    assert in_step(escalated.pk).limitation_expires_on == D(2028, 2, 1)


def test_the_list_sorts_by_the_columns_both_ways_without_a_date_last(counsel):
    small, large, none_a, none_b = (
        make_matter(account_number=f"62258800777700{i}1", principal=Decimal(amount))
        for i, amount in enumerate(("100.00", "9000.00", "500.00", "700.00"))
    )
    for matter, due in ((small, D(2027, 5, 1)), (large, D(2026, 1, 1))):
        Deadline.objects.create(matter=matter, kind="limitation", due_on=due, rule="test")
    Matter.objects.all().sort_columns_refresh()

    def numbers(ordering):
        response = api(counsel).get("/api/v1/matters/", {"ordering": ordering})
        assert response.status_code == 200, response.content
        return [r["number"] for r in response.json()["results"]]

    assert numbers("limitation_expires_on") == [large.number, small.number, none_b.number, none_a.number]
    assert numbers("-limitation_expires_on") == [small.number, large.number, none_b.number, none_a.number]
    assert numbers("outstanding_total") == [small.number, none_a.number, none_b.number, large.number]
    assert numbers("-outstanding_total") == [large.number, none_b.number, none_a.number, small.number]


def test_the_check_command_finds_and_repairs_a_copy_out_of_step(escalated):
    out = io.StringIO()
    call_command("check_sort_columns", stdout=out)
    assert "0 matters out of step" in out.getvalue()
    Matter.objects.filter(pk=escalated.pk).update(claim_total=Decimal("1.00"), limitation_expires_on=None)
    with pytest.raises(SystemExit):
        call_command("check_sort_columns", stdout=out)
    assert Matter.objects.get(pk=escalated.pk).claim_total == Decimal("1.00")  # checking alone repairs nothing
    call_command("check_sort_columns", "--repair", stdout=out)
    in_step(escalated.pk)
