"""The settlement section of the matter page and the settlement watch page."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from legalcase.models import EventKind, Instalment, Matter, Role, Settlement, Stage
from legalcase.services.notifications import deadlines_daily
from legalcase.services.settlements import settlement_record
from legalcase.views import MATTER_SECTIONS
from tests.factories import make_firm, make_matter, make_user

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
D = dt.date
M = Decimal
# Outstanding 10,500.00.
SMALL = {
    "principal": M("10000.00"),
    "interest": M("500.00"),
    "penalty_interest": M("0"),
    "compound_interest": M("0"),
    "late_fees": M("0"),
    "fees": M("0"),
}
FORM = {
    "agreed_on": "2026-03-01",
    "reduction": "500.00",
    "schedule": "equal",
    "count": "2",
    "first_due_on": "2026-03-31",
    "rows": "",
    "grace_days": "15",
    "monthly_income": "6000.00",
    "assets_assessed": "名下无房产",
    "hardship": "失业半年",
    "note": "",
}


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: D(2026, 4, 5))


@pytest.fixture
def matter():
    return make_matter(stage=Stage.JUDGMENT, **SMALL)


@pytest.fixture
def counsel(client):
    user = make_user(Role.COUNSEL)
    client.force_login(user)
    return user


def section(client, matter) -> str:
    response = client.get(reverse("settlements_section", args=[matter.pk]), **HTMX)
    assert response.status_code == 200
    return response.content.decode()


def invalid_fields(html: str) -> list[str]:
    return re.findall(r'pf-field invalid">\s*<label for="([^"]+)"', html)


def record(client, matter, **changes):
    return client.post(reverse("settlement_record", args=[matter.pk]), {**FORM, **changes}, **HTMX)


def agree(user, matter, **changes):
    arguments = {
        "agreed_on": D(2026, 3, 1),
        "reduction": M("500.00"),
        "count": 2,
        "first_due_on": D(2026, 3, 31),
        **changes,
    }
    return settlement_record(user=user, matter_id=matter.pk, **arguments)


def test_the_matter_page_loads_the_section(client, counsel, matter):
    html = client.get(reverse("matter_detail", args=[matter.pk])).content.decode()
    assert f'hx-get="{reverse("settlements_section", args=[matter.pk])}"' in html
    assert "settlements_section" in [s.url_name for s in MATTER_SECTIONS]


def test_recording_equal_instalments_through_the_form(client, counsel, matter):
    html = record(client, matter).content.decode()
    settlement = Settlement.objects.get(matter=matter)
    assert (settlement.reduction, settlement.settlement_amount, settlement.monthly_income) == (
        M("500.00"),
        M("10000.00"),
        M("6000.00"),
    )
    assert list(settlement.instalments.values_list("due_on", "amount")) == [
        (D(2026, 3, 31), M("5000.00")),
        (D(2026, 4, 30), M("5000.00")),
    ]
    assert 'class="pf-ok"' in html
    # On 5 April the first is 5 days late, the second not yet due.
    assert re.findall(r'data-status="(\w+)"', html) == ["late", "pending"]
    assert 'id="settlement-new"' not in html  # one settlement at a time
    assert 'id="settlement-agreement"' in html and 'value="settlement_agreement"' in html
    assert 'id="settlement-proposal"' in html and 'value="settled"' in html


def test_recording_typed_rows_through_the_form(client, counsel, matter):
    rows = "2026-03-20 4000.00\n2026-04-20，6000.00\n"
    record(client, matter, schedule="rows", count="", first_due_on="", rows=rows)
    settlement = Settlement.objects.get(matter=matter)
    assert list(settlement.instalments.values_list("sequence", "due_on", "amount")) == [
        (1, D(2026, 3, 20), M("4000.00")),
        (2, D(2026, 4, 20), M("6000.00")),
    ]


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"schedule": "rows", "rows": "2026-03-20 4000.00\n2026-04-20 5000.00"}, "settlement-new-rows"),
        ({"schedule": "rows", "rows": "20 March 4000"}, "settlement-new-rows"),
        ({"count": ""}, "settlement-new-count"),
        ({"first_due_on": ""}, "settlement-new-first_due_on"),
        ({"reduction": "10500.00"}, "settlement-new-reduction"),
        ({"agreed_on": "2026-04-06"}, "settlement-new-agreed_on"),
        ({"grace_days": "91"}, "settlement-new-grace_days"),
    ],
)
def test_a_refused_form_shows_the_error_at_its_field_and_stores_nothing(client, counsel, matter, changes, field):
    html = record(client, matter, **changes).content.decode()
    assert invalid_fields(html) == [field]
    assert not Settlement.objects.exists() and not Instalment.objects.exists()
    assert not matter.events.filter(kind=EventKind.SETTLEMENT_RECORDED).exists()


def test_the_section_shows_badges_the_flag_and_the_breach(client, counsel, matter):
    settlement = agree(counsel, matter)
    deadlines_daily(today=D(2026, 4, 16))  # 31 March + 16: the first is missed
    html = section(client, matter)
    assert 'id="settlement-flag"' in html
    assert re.findall(r'data-status="(\w+)"', html) == ["missed", "pending"]
    assert "st-status-breached" in html
    # judgment -> enforcement is in the table: proposed, not made.
    assert 'value="enforcement"' in html
    assert Matter.objects.get(pk=matter.pk).stage == Stage.JUDGMENT
    # A breached settlement no longer blocks a new one.
    assert 'id="settlement-new"' in html
    assert f'id="settlement-{settlement.pk}"' in html


def test_cancelling_needs_a_reason_then_cancels(client, counsel, matter):
    settlement = agree(counsel, matter)
    url = reverse("settlement_cancel", args=[matter.pk, settlement.pk])
    html = client.post(url, {"reason": ""}, **HTMX).content.decode()
    assert invalid_fields(html) == [f"settlement-cancel-{settlement.pk}-reason"]
    assert Settlement.objects.get(pk=settlement.pk).status == Settlement.Status.ACTIVE
    client.post(url, {"reason": "债务人反悔"}, **HTMX)
    assert Settlement.objects.get(pk=settlement.pk).status == Settlement.Status.CANCELLED
    assert matter.events.get(kind=EventKind.SETTLEMENT_CHANGED).note == "债务人反悔"


def test_a_lawyer_of_the_firm_reads_the_section_but_may_not_write(client):
    firm = make_firm()
    matter = make_matter(stage=Stage.JUDGMENT, firm=firm, **SMALL)
    settlement = agree(make_user(Role.COUNSEL), matter)
    client.force_login(make_user(Role.LAWYER, firm=firm))
    html = section(client, matter)
    assert f'id="settlement-{settlement.pk}"' in html
    assert 'id="settlement-new"' not in html and "settlement_cancel" not in html
    assert record(client, matter).status_code == 403
    cancel = client.post(reverse("settlement_cancel", args=[matter.pk, settlement.pk]), {"reason": "x"}, **HTMX)
    assert cancel.status_code == 403
    assert Settlement.objects.get(pk=settlement.pk).status == Settlement.Status.ACTIVE


def test_another_firms_lawyer_gets_404(client, matter):
    Matter.objects.filter(pk=matter.pk).update(assigned_firm=make_firm())
    client.force_login(make_user(Role.LAWYER))
    assert client.get(reverse("settlements_section", args=[matter.pk]), **HTMX).status_code == 404
    assert record(client, matter).status_code == 404
    assert not Settlement.objects.exists()


def test_the_watch_page_lists_flagged_matters_and_late_instalments_the_user_may_see(client):
    counsel = make_user(Role.COUNSEL)
    firm = make_firm()
    flagged = make_matter(stage=Stage.SETTLED, firm=firm, **SMALL)
    late = make_matter(stage=Stage.SETTLED, **SMALL)
    agree(counsel, flagged, first_due_on=D(2026, 3, 15))  # 15 March + 16 = 31 March: missed on 5 April
    agree(counsel, late)  # 31 March: 5 days late on 5 April
    client.force_login(counsel)
    html = client.get(reverse("settlement_watch")).content.decode()
    assert f'id="flagged-{flagged.pk}"' in html and f'id="flagged-{late.pk}"' not in html
    late_instalment = Instalment.objects.get(settlement__matter=late, sequence=1)
    assert f'id="late-{late_instalment.pk}"' in html
    assert Matter.objects.get(pk=flagged.pk).resumption_flagged_on == D(2026, 4, 5)

    client.force_login(make_user(Role.LAWYER, firm=firm))
    html = client.get(reverse("settlement_watch")).content.decode()
    assert f'id="flagged-{flagged.pk}"' in html
    assert f'id="late-{late_instalment.pk}"' not in html
