"""The recoveries and costs section of the matter page: outstanding, the lists, the forms, the settled proposal."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from legalcase.models import Cost, Matter, Recovery, Role, Stage
from legalcase.services.recoveries import (
    cost_record,
    recovery_body_digest,
    recovery_record,
)
from legalcase.views import MATTER_SECTIONS
from tests.factories import make_firm, make_matter, make_user

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
D = dt.date
SMALL = {
    "principal": Decimal("10000.00"),
    "interest": Decimal("500.00"),
    "penalty_interest": Decimal("0"),
    "compound_interest": Decimal("0"),
    "late_fees": Decimal("0"),
    "fees": Decimal("0"),
}


@pytest.fixture
def matter():
    return make_matter(stage=Stage.ENFORCEMENT, **SMALL)


@pytest.fixture
def manager(client):
    user = make_user(Role.MANAGER)
    client.force_login(user)
    return user


def section(client, matter) -> str:
    response = client.get(reverse("recoveries_section", args=[matter.pk]), **HTMX)
    assert response.status_code == 200
    return response.content.decode()


def invalid_fields(html: str) -> list[str]:
    return re.findall(r'pf-field invalid">\s*<label for="([^"]+)"', html)


def form_key(html: str) -> str:
    return re.search(r'name="idempotency_key" value="([0-9a-f]+)"', html).group(1)


def record(client, matter, key, **data):
    data = {"amount": "1000.00", "received_on": "2026-04-01", "source": "enforcement", "idempotency_key": key, **data}
    return client.post(reverse("recovery_record", args=[matter.pk]), data, **HTMX)


def add(user, matter, amount, key):
    data = {"amount": Decimal(amount), "received_on": D(2026, 4, 1), "source": "voluntary", "reference": ""}
    return recovery_record(
        user=user, matter_id=matter.pk, idempotency_key=key, body_digest=recovery_body_digest(**data), **data
    )[0]


def test_the_matter_page_loads_the_section(client, manager, matter):
    html = client.get(reverse("matter_detail", args=[matter.pk])).content.decode()
    assert f'hx-get="{reverse("recoveries_section", args=[matter.pk])}"' in html
    assert "recoveries_section" in [s.url_name for s in MATTER_SECTIONS]


def test_the_section_shows_outstanding_recoveries_with_their_allocation_and_costs(client, manager, matter):
    cost_record(user=manager, matter_id=matter.pk, kind="acceptance_fee", amount=Decimal("200.00"), incurred_on=D(2026, 3, 1))
    cost_record(
        user=manager, matter_id=matter.pk, kind="lawyer_fee", amount=Decimal("800.00"), incurred_on=D(2026, 3, 2), recoverable=False
    )
    first = add(manager, matter, "1000.00", "a")
    html = section(client, matter)
    assert 'id="recovery-outstanding"' in html
    assert "9,700.00" in html  # principal and total after 200 / 500 / 300
    row = re.search(rf'<tr id="recovery-{first.pk}".*?</tr>', html, re.S).group(0)
    assert "1,000.00" in row and "200.00" in row and "500.00" in row and "300.00" in row
    costs = re.search(r'id="cost-list".*?</table>', html, re.S).group(0)
    # The notice's 200.00 beside the computed acceptance fee on a claim of 10,500.00 (62.50).
    assert "200.00" in costs and "62.50" in costs
    assert "rc-creditor" in costs and "rc-debtor" in costs
    assert 'id="recovery-new"' in html and 'id="cost-new"' in html


def test_recording_a_recovery_through_the_form(client, manager, matter):
    key = form_key(section(client, matter))
    response = record(client, matter, key, reference="（2026）京0105执1234号 执行款")
    assert response.status_code == 200
    html = response.content.decode()
    assert "回款已登记。" in html
    recovery = Recovery.objects.get(matter=matter)
    assert recovery.idempotency_key == key and recovery.amount == Decimal("1000.00")
    # The section comes back with a fresh form: the next recovery gets a new key.
    assert form_key(html) != key


def test_a_double_submit_of_the_same_form_records_once(client, manager, matter):
    key = form_key(section(client, matter))
    record(client, matter, key)
    again = record(client, matter, key).content.decode()
    assert "已登记过" in again
    assert Recovery.objects.filter(matter=matter).count() == 1
    assert Matter.objects.get(pk=matter.pk).outstanding["total"] == Decimal("9500.00")


def test_form_errors_are_shown_next_to_their_fields_and_nothing_is_stored(client, manager, matter):
    key = form_key(section(client, matter))
    html = record(client, matter, key, amount="0", source="").content.decode()
    assert set(invalid_fields(html)) == {"recovery-new-amount", "recovery-new-source"}
    html = record(client, matter, key, amount="10500.01").content.decode()
    assert invalid_fields(html) == ["recovery-new-amount"]
    # The failed form keeps its key, so fixing it and sending again records once.
    assert form_key(html) == key
    assert not Recovery.objects.exists()
    assert record(client, matter, key, amount="10500.00").status_code == 200
    assert Recovery.objects.count() == 1


def test_reversing_a_recovery_needs_a_reason_and_marks_both_rows(client, manager, matter):
    recovery = add(manager, matter, "1000.00", "a")
    url = reverse("recovery_reverse", args=[matter.pk, recovery.pk])
    html = client.post(url, {"reason": ""}, **HTMX).content.decode()
    assert invalid_fields(html) == [f"reverse-{recovery.pk}-reason"]
    assert Recovery.objects.count() == 1
    html = client.post(url, {"reason": "法院退回执行款"}, **HTMX).content.decode()
    counter = Recovery.objects.get(reverses=recovery)
    assert "已以红字冲正该笔回款。" in html
    assert re.search(rf'<tr id="recovery-{recovery.pk}" class="rc-reversed"', html)
    assert re.search(rf'<tr id="recovery-{counter.pk}" class="rc-counter"', html)
    assert "法院退回执行款" in html
    # Neither row offers a reversal any more; a second post is refused.
    assert f'action="{url}"' not in html
    html = client.post(url, {"reason": "again"}, **HTMX).content.decode()
    assert "该笔回款已冲正" in html
    assert Recovery.objects.count() == 2
    assert Matter.objects.get(pk=matter.pk).outstanding["total"] == Decimal("10500.00")


def test_recording_a_cost_through_the_form(client, manager, matter):
    data = {"kind": "preservation_fee", "amount": "110.00", "incurred_on": "2026-03-01", "recoverable": "on"}
    html = client.post(reverse("cost_record", args=[matter.pk]), data, **HTMX).content.decode()
    assert "费用已登记。" in html
    cost = Cost.objects.get(matter=matter)
    # 30 up to 1,000, then 1 % of the claim's other 9,500.00.
    assert cost.recoverable and cost.computed_amount == Decimal("125.00")
    assert Matter.objects.get(pk=matter.pk).outstanding["costs"] == Decimal("110.00")
    # Unticked: borne by the creditor.
    data = {"kind": "lawyer_fee", "amount": "500.00", "incurred_on": "2026-03-01"}
    client.post(reverse("cost_record", args=[matter.pk]), data, **HTMX)
    assert Matter.objects.get(pk=matter.pk).outstanding["costs"] == Decimal("110.00")


def test_a_bad_cost_is_shown_with_its_errors_and_nothing_stored(client, manager, matter):
    data = {"kind": "", "amount": "-3", "incurred_on": ""}
    html = client.post(reverse("cost_record", args=[matter.pk]), data, **HTMX).content.decode()
    assert set(invalid_fields(html)) == {"cost-new-kind", "cost-new-amount", "cost-new-incurred_on"}
    assert not Cost.objects.exists()


def test_a_plain_post_goes_back_to_the_matter_page(client, manager, matter):
    key = form_key(section(client, matter))
    response = client.post(
        reverse("recovery_record", args=[matter.pk]),
        {"amount": "100.00", "received_on": "2026-04-01", "source": "voluntary", "idempotency_key": key},
    )
    assert response.status_code == 302 and response.url == reverse("matter_detail", args=[matter.pk])
    assert Recovery.objects.count() == 1


def test_a_full_recovery_offers_the_move_to_settled_to_those_who_may_move_stages(client, matter):
    counsel = make_user(Role.COUNSEL)
    add(counsel, matter, "10500.00", "all")
    client.force_login(counsel)
    html = section(client, matter)
    assert 'id="recovery-proposal"' in html
    assert f'action="{reverse("matter_transition", args=[matter.pk])}"' in html
    assert 'name="to" value="settled"' in html
    # A manager may record recoveries but not move stages: no button.
    client.force_login(make_user(Role.MANAGER))
    assert 'id="recovery-proposal"' not in section(client, matter)


def test_who_sees_the_forms(client, matter):
    firm = make_firm()
    Matter.objects.filter(pk=matter.pk).update(assigned_firm=firm)
    client.force_login(make_user(Role.LAWYER, firm=firm))
    html = section(client, matter)
    assert 'id="recovery-new"' not in html and 'id="cost-new"' not in html
    assert record(client, matter, "x").status_code == 403
    assert client.post(reverse("cost_record", args=[matter.pk]), {}, **HTMX).status_code == 403
    client.force_login(make_user(Role.LAWYER))
    assert client.get(reverse("recoveries_section", args=[matter.pk]), **HTMX).status_code == 404
    assert record(client, matter, "y").status_code == 404
    assert not Recovery.objects.exists()
