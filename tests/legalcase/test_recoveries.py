"""Recording and reversing recoveries through the API: allocation, idempotency, concurrency, roles (API.md)."""

import datetime as dt
import threading
import time
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from rest_framework.test import APIClient

from legalcase.models import AppendOnlyError, EventKind, Matter, Recovery, Role, Stage
from legalcase.services.recoveries import (
    cost_record,
    recovery_body_digest,
    recovery_record,
)
from tests.factories import make_firm, make_matter, make_user

pytestmark = pytest.mark.django_db
D = dt.date
ZERO = {"penalty_interest": Decimal("0"), "compound_interest": Decimal("0"), "late_fees": Decimal("0")}


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def post_recovery(user, matter, key="key-1", **body):
    body = {"amount": "1000.00", "received_on": "2026-04-01", "source": "enforcement", **body}
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return api(user).post(f"/api/v1/matters/{matter.pk}/recoveries/", body, format="json", **headers)


def reverse(user, recovery_id, reason="银行退票"):
    return api(user).post(f"/api/v1/recoveries/{recovery_id}/reverse/", {"reason": reason}, format="json")


def outstanding(matter) -> dict[str, str]:
    matter = Matter.objects.get(pk=matter.pk)
    return {head: f"{amount:.2f}" for head, amount in matter.outstanding.items()}


@pytest.fixture
def counsel():
    return make_user(Role.COUNSEL)


@pytest.fixture
def manager():
    return make_user(Role.MANAGER)


@pytest.fixture
def example(counsel):
    """LEGAL_RULES section 6: principal 10,000.00, interest 500.00, recoverable costs 200.00."""
    matter = make_matter(principal=Decimal("10000.00"), interest=Decimal("500.00"), fees=Decimal("0"), **ZERO)
    cost_record(user=counsel, matter_id=matter.pk, kind="lawyer_fee", amount=Decimal("200.00"), incurred_on=D(2026, 3, 1))
    return matter


def allocation(response) -> tuple[str, str, str]:
    body = response.json()["allocation"]
    return body["costs"], body["interest"], body["principal"]


# Allocation (LEGAL_RULES section 6) ---------------------------------------------------


def test_the_worked_example_goes_to_costs_then_interest_then_principal(manager, example):
    response = post_recovery(manager, example)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["amount"] == "1000.00"
    assert allocation(response) == ("200.00", "500.00", "300.00")
    assert body["received_on"] == "2026-04-01" and body["source"] == "enforcement"
    assert body["outstanding"] == {"costs": "0.00", "interest": "0.00", "principal": "9700.00", "total": "9700.00"}
    assert body["proposed_stage"] is None
    assert outstanding(example) == body["outstanding"]
    recovery = Recovery.objects.get(pk=body["id"])
    assert (recovery.allocated_costs, recovery.allocated_interest, recovery.allocated_principal) == (
        Decimal("200.00"),
        Decimal("500.00"),
        Decimal("300.00"),
    )
    event = example.events.get(kind=EventKind.RECOVERY_RECORDED)
    assert event.actor == manager and event.new["allocation"] == body["allocation"]


def test_a_payment_short_of_the_interest_leaves_principal_untouched(manager, example):
    assert allocation(post_recovery(manager, example, amount="450.55")) == ("200.00", "250.55", "0.00")
    assert outstanding(example)["interest"] == "249.45"
    assert outstanding(example)["principal"] == "10000.00"


def test_payments_in_a_row_each_take_what_is_left(manager, example):
    assert allocation(post_recovery(manager, example, "a", amount="150.00")) == ("150.00", "0.00", "0.00")
    assert allocation(post_recovery(manager, example, "b", amount="150.00")) == ("50.00", "100.00", "0.00")
    assert allocation(post_recovery(manager, example, "c", amount="1000.00")) == ("0.00", "400.00", "600.00")
    assert outstanding(example) == {"costs": "0.00", "interest": "0.00", "principal": "9400.00", "total": "9400.00"}


def test_paying_exactly_what_is_outstanding_proposes_settled(manager, example):
    Matter.objects.filter(pk=example.pk).update(stage=Stage.ENFORCEMENT)
    response = post_recovery(manager, example, amount="10700.00")
    assert response.status_code == 201, response.content
    assert allocation(response) == ("200.00", "500.00", "10000.00")
    assert response.json()["outstanding"]["total"] == "0.00"
    assert response.json()["proposed_stage"] == "settled"
    # Nothing moves by itself.
    assert Matter.objects.get(pk=example.pk).stage == Stage.ENFORCEMENT


def test_a_full_recovery_proposes_nothing_when_the_table_does_not_allow_settled(manager, example):
    Matter.objects.filter(pk=example.pk).update(stage=Stage.CLOSED)
    assert post_recovery(manager, example, amount="10700.00").json()["proposed_stage"] is None


def test_more_than_is_outstanding_is_refused_and_nothing_stored(manager, example):
    response = post_recovery(manager, example, amount="10700.01")
    assert response.status_code == 400
    assert "amount" in response.json()
    assert not Recovery.objects.filter(matter=example).exists()
    assert outstanding(example)["total"] == "10700.00"
    assert not example.events.filter(kind=EventKind.RECOVERY_RECORDED).exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"amount": "0.00"}, "amount"),
        ({"amount": "-5.00"}, "amount"),
        ({"amount": "1.005"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"source": "gift"}, "source"),
        ({"received_on": "2026-13-01"}, "received_on"),
        ({"received_on": "2099-01-01"}, "received_on"),
    ],
)
def test_a_bad_body_is_refused_and_nothing_stored(manager, example, body, field):
    response = post_recovery(manager, example, **body)
    assert response.status_code == 400
    assert field in response.json()
    assert not Recovery.objects.exists()


def test_the_list_shows_recoveries_and_counter_entries(manager, example):
    first = post_recovery(manager, example, "a", amount="100.00").json()
    post_recovery(manager, example, "b", amount="200.00")
    counter = reverse(manager, first["id"]).json()
    response = api(manager).get(f"/api/v1/matters/{example.pk}/recoveries/")
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()["results"]}
    assert response.json()["count"] == 3
    assert rows[first["id"]]["reversed_by"] == counter["id"]
    assert rows[counter["id"]]["reverses"] == first["id"] and rows[counter["id"]]["amount"] == "-100.00"


# Idempotency keys ---------------------------------------------------------------------


def test_a_replay_with_the_same_body_answers_200_and_records_nothing(manager, example):
    first = post_recovery(manager, example, amount="300.00", reference="执行款 第1笔")
    # Another spelling of the same body: key order and "300" for "300.00" do not matter.
    again = api(manager).post(
        f"/api/v1/matters/{example.pk}/recoveries/",
        {"reference": "执行款 第1笔", "source": "enforcement", "received_on": "2026-04-01", "amount": "300"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="key-1",
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["allocation"] == first.json()["allocation"]
    assert Recovery.objects.count() == 1
    assert example.events.filter(kind=EventKind.RECOVERY_RECORDED).count() == 1
    assert outstanding(example)["total"] == "10400.00"


def test_the_same_key_with_a_different_body_is_a_conflict(manager, example):
    assert post_recovery(manager, example, amount="300.00").status_code == 201
    response = post_recovery(manager, example, amount="301.00")
    assert response.status_code == 409
    assert "detail" in response.json()
    assert Recovery.objects.count() == 1


def test_a_recovery_without_a_key_is_refused(manager, example):
    response = post_recovery(manager, example, key=None)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert post_recovery(manager, example, key="   ").status_code == 400
    assert not Recovery.objects.exists()


def test_keys_are_per_matter(manager, example):
    other = make_matter()
    assert post_recovery(manager, example, key="shared").status_code == 201
    assert post_recovery(manager, other, key="shared").status_code == 201
    assert Recovery.objects.filter(idempotency_key="shared").count() == 2


def test_a_replay_is_answered_even_when_the_amount_would_now_exceed_what_is_outstanding(manager, example):
    assert post_recovery(manager, example, key="all", amount="10700.00").status_code == 201
    assert post_recovery(manager, example, key="all", amount="10700.00").status_code == 200


# Reversals ----------------------------------------------------------------------------


def test_a_reversal_restores_outstanding_exactly(manager, example):
    before = outstanding(example)
    post_recovery(manager, example, "a", amount="123.45")
    second = post_recovery(manager, example, "b", amount="876.55").json()
    after_both = outstanding(example)
    response = reverse(manager, second["id"], reason="执行款被法院退回")
    assert response.status_code == 201, response.content
    counter = response.json()
    assert counter["amount"] == "-876.55" and counter["reverses"] == second["id"]
    for head in ("costs", "interest", "principal"):
        assert Decimal(counter["allocation"][head]) == -Decimal(second["allocation"][head])
    assert outstanding(example) == counter["outstanding"]
    assert Decimal(outstanding(example)["total"]) == Decimal(after_both["total"]) + Decimal("876.55")
    assert Decimal(outstanding(example)["total"]) == Decimal(before["total"]) - Decimal("123.45")
    event = example.events.get(kind=EventKind.RECOVERY_REVERSED)
    assert event.note == "执行款被法院退回" and event.actor == manager


def test_a_recovery_is_reversed_only_once_and_a_counter_entry_never(manager, example):
    recovery = post_recovery(manager, example).json()
    counter = reverse(manager, recovery["id"]).json()
    again = reverse(manager, recovery["id"])
    assert again.status_code == 400
    assert reverse(manager, counter["id"]).status_code == 400
    assert Recovery.objects.count() == 2
    assert outstanding(example)["total"] == "10700.00"


def test_a_reversal_needs_a_reason(manager, example):
    recovery = post_recovery(manager, example).json()
    response = reverse(manager, recovery["id"], reason="  ")
    assert response.status_code == 400 and "reason" in response.json()
    assert Recovery.objects.count() == 1


def test_recoveries_are_append_only(manager, example):
    recovery = Recovery.objects.get(pk=post_recovery(manager, example).json()["id"])
    recovery.amount = Decimal("1.00")
    with pytest.raises(AppendOnlyError):
        recovery.save()
    with pytest.raises(AppendOnlyError):
        recovery.delete()
    assert Recovery.objects.get(pk=recovery.pk).amount == Decimal("1000.00")


# Roles (API.md "Roles": recoveries, reversals, costs) ----------------------------------


def test_who_may_record_a_recovery(counsel, manager):
    firm = make_firm()
    matter = make_matter(firm=firm)
    assert post_recovery(manager, matter, "m").status_code == 201
    assert post_recovery(counsel, matter, "c").status_code == 201
    assert post_recovery(make_user(Role.LAWYER, firm=firm), matter, "l").status_code == 403
    assert post_recovery(make_user(Role.LAWYER), matter, "o").status_code == 404
    assert Recovery.objects.count() == 2


def test_who_may_reverse_and_list(counsel, manager):
    firm = make_firm()
    matter = make_matter(firm=firm)
    recovery = post_recovery(manager, matter).json()
    lawyer, other = make_user(Role.LAWYER, firm=firm), make_user(Role.LAWYER)
    assert reverse(lawyer, recovery["id"]).status_code == 403
    assert reverse(other, recovery["id"]).status_code == 404
    assert reverse(manager, 999999).status_code == 404
    # Seeing is enough to list.
    assert api(lawyer).get(f"/api/v1/matters/{matter.pk}/recoveries/").status_code == 200
    assert api(other).get(f"/api/v1/matters/{matter.pk}/recoveries/").status_code == 404
    assert reverse(counsel, recovery["id"]).status_code == 201


# Concurrency --------------------------------------------------------------------------

# 20 writers at once on one matter; 10 recoveries each keep the race and pay the costs and interest off.
WRITERS, EACH = 20, 10


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_writers_lose_and_double_nothing(postgres_only):
    manager = make_user(Role.MANAGER)
    matter = make_matter(principal=Decimal("500000.00"), interest=Decimal("10000.00"), fees=Decimal("0"), **ZERO)
    cost_record(user=manager, matter_id=matter.pk, kind="other", amount=Decimal("3000.00"), incurred_on=D(2026, 1, 5))
    claim_and_costs = matter.debt.claim_total + Decimal("3000.00")
    barrier = threading.Barrier(WRITERS)
    errors: list[BaseException] = []
    keys = [[f"w{w}-{i}-{uuid.uuid4()}" for i in range(EACH)] for w in range(WRITERS)]

    def writer(w: int) -> None:
        try:
            barrier.wait()
            for i, key in enumerate(keys[w]):
                amount = Decimal("70.00") + w + Decimal(i) / 100
                data = {"amount": amount, "received_on": D(2026, 4, 1), "source": "enforcement", "reference": ""}
                recovery_record(
                    user=manager,
                    matter_id=matter.pk,
                    idempotency_key=key,
                    body_digest=recovery_body_digest(**data),
                    **data,
                )
                # Every tenth one is sent twice, as a client retrying after a lost answer would.
                if i % 10 == 0:
                    _, created = recovery_record(
                        user=manager,
                        matter_id=matter.pk,
                        idempotency_key=key,
                        body_digest=recovery_body_digest(**data),
                        **data,
                    )
                    assert not created
        except BaseException as exc:  # noqa: BLE001 - reported below, the thread must not swallow it
            errors.append(exc)
        finally:
            connection.close()

    started = time.monotonic()
    threads = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    assert not errors, errors[:3]

    rows = Recovery.objects.filter(matter=matter)
    assert rows.count() == WRITERS * EACH
    assert set(rows.values_list("idempotency_key", flat=True)) == {key for row in keys for key in row}
    sums = rows.aggregate(
        amount=Sum("amount"), costs=Sum("allocated_costs"), interest=Sum("allocated_interest"), principal=Sum("allocated_principal")
    )
    expected = sum(Decimal("70.00") + w + Decimal(i) / 100 for w in range(WRITERS) for i in range(EACH))
    assert sums["amount"] == expected
    assert sums["costs"] + sums["interest"] + sums["principal"] == sums["amount"]
    matter.refresh_from_db()
    assert matter.recovered_costs == sums["costs"] == Decimal("3000.00")
    assert matter.recovered_interest == sums["interest"]
    assert matter.recovered_principal == sums["principal"] == expected - Decimal("13000.00")
    assert matter.outstanding["total"] == claim_and_costs - expected
    print(f"\n{WRITERS} writers x {EACH} recoveries: {elapsed:.1f}s")
