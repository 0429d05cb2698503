"""The enforcement application's amounts: the judged heads less recoveries, 迟延履行 interest, costs, what is missing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from legalcase.models import Cost, Deadline, DeadlineKind, Recovery, Role, Ruling, RulingParty
from legalcase.services.claims import enforcement_application_amounts
from legalcase.views import MATTER_SECTIONS
from tests.factories import make_firm, make_matter, make_user

pytestmark = pytest.mark.django_db

D = dt.date
M = Decimal
HTMX = {"HTTP_HX_REQUEST": "true"}
PERFORMANCE_END = D(2026, 4, 7)
APPLICATION = D(2026, 5, 7)


def make_ruling(matter, **fields):
    values = {
        "kind": Ruling.Kind.JUDGMENT,
        "case_number": "（2026）沪0115民初1234号",
        "court": "上海市浦东新区人民法院",
        "decided_on": D(2026, 3, 2),
        "served_on": D(2026, 3, 5),
        "principal_awarded": M("50000.00"),
        "interest_awarded": M("1200.00"),
        "acceptance_fee_charged": M("545.00"),
        "appealable": True,
        "performance_days": 10,
        "confirmed": True,
        "confirmed_at": timezone.now(),
    }
    ruling = Ruling.objects.create(matter=matter, **{**values, **fields})
    # The judgment orders the debtor to pay (the enforcement filings name whom it binds).
    RulingParty.objects.create(ruling=ruling, party=matter.debt.debtor, role="debtor", liability="principal")
    return ruling


def make_deadline(matter, kind, due_on):
    return Deadline.objects.create(matter=matter, kind=kind, due_on=due_on, rule="test@2026")


def judged_matter(**ruling):
    matter = make_matter(stage="judgment")
    make_ruling(matter, **ruling)
    make_deadline(matter, DeadlineKind.JUDGMENT_EFFECTIVE, D(2026, 3, 28))
    make_deadline(matter, DeadlineKind.PERFORMANCE_END, PERFORMANCE_END)
    return matter


def recover(matter, on, *, costs="0.00", interest="0.00", principal="0.00"):
    costs, interest, principal = M(costs), M(interest), M(principal)
    return Recovery.objects.create(
        matter=matter,
        amount=costs + interest + principal,
        received_on=on,
        source="enforcement",
        allocated_costs=costs,
        allocated_interest=interest,
        allocated_principal=principal,
    )


def cost(matter, kind, amount, *, recoverable=True, on=D(2026, 1, 5)):
    return Cost.objects.create(matter=matter, kind=kind, amount=M(amount), incurred_on=on, recoverable=recoverable)


def test_the_worked_example_claims_the_judgment_and_thirty_days_of_delay_interest():
    amounts = enforcement_application_amounts(judged_matter(), on=APPLICATION)
    assert amounts["missing"] == []
    assert amounts["principal"] == M("50000.00")
    assert amounts["interest"] == M("1200.00")
    assert amounts["costs"] == M("545.00")
    assert amounts["acceptance_fee_source"] == "ruling"
    # The delay runs from 2026-04-08 (the day after the performance period's last day) to
    # 2026-05-07, both counted: 23 days of April + 7 of May = 30 days. The base is the money
    # debt the judgment fixes, less its ordinary interest: 50,000.00 + 545.00 = 50,545.00.
    # 50,545.00 x 0.000175 = 8.845375 a day; x 30 = 265.36125 -> 265.36 (half-up to the fen).
    assert amounts["delay_interest_from"] == D(2026, 4, 8)
    assert amounts["delay_interest_days"] == 30
    assert amounts["delay_interest_base"] == M("50545.00")
    assert amounts["delay_daily_rate"] == M("0.000175")
    assert amounts["delay_interest"] == M("265.36")
    # 50,000.00 + 1,200.00 + 265.36 + 545.00 = 52,010.36
    assert amounts["total"] == M("52010.36")
    assert amounts["ruling"]["case_number"] == "（2026）沪0115民初1234号"
    assert amounts["performance_ends_on"] == PERFORMANCE_END
    assert amounts["effective_on"] == D(2026, 3, 28)


def test_recoveries_reduce_each_head_and_the_delay_base_from_the_next_day():
    matter = judged_matter()
    recover(matter, D(2026, 2, 1), principal="9999.00")  # before the judgment: already reflected in it
    recover(matter, D(2026, 4, 17), costs="545.00", interest="1200.00", principal="255.00")
    recover(matter, D(2026, 6, 1), principal="1000.00")  # after the application date
    amounts = enforcement_application_amounts(matter, on=APPLICATION)
    assert amounts["recovered"] == {"principal": M("255.00"), "interest": M("1200.00"), "costs": M("545.00")}
    assert (amounts["principal"], amounts["interest"], amounts["costs"]) == (M("49745.00"), M("0.00"), M("0.00"))
    # 2026-04-08 to 04-17, 10 days on 50,545.00: 50,545.00 x 0.000175 x 10 = 88.45375 -> 88.45;
    # 2026-04-18 to 05-07, 20 days on 49,745.00 (the fee paid, 255.00 of principal paid):
    # 49,745.00 x 0.000175 x 20 = 174.1075 -> 174.11. 88.45 + 174.11 = 262.56.
    assert amounts["delay_interest"] == M("262.56")
    assert amounts["delay_interest_days"] == 30
    # 49,745.00 + 0.00 + 262.56 + 0.00
    assert amounts["total"] == M("50007.56")


def test_recorded_costs_are_preferred_to_the_rulings_fee_and_counted_once():
    matter = judged_matter()
    cost(matter, Cost.Kind.ACCEPTANCE_FEE, "1050.00")
    cost(matter, Cost.Kind.PRESERVATION_FEE, "520.00")
    cost(matter, Cost.Kind.LAWYER_FEE, "3000.00", recoverable=False)
    cost(matter, Cost.Kind.ANNOUNCEMENT_FEE, "300.00", on=D(2026, 6, 1))  # after the application date
    amounts = enforcement_application_amounts(matter, on=APPLICATION)
    assert amounts["acceptance_fee_source"] == "costs"
    assert amounts["acceptance_fee"] == M("1050.00")
    # 1,050.00 + 520.00; not the ruling's 545.00 as well, not the creditor's own lawyer fee.
    assert amounts["costs"] == M("1570.00")
    # 51,050.00 x 0.000175 x 30 = 268.0125 -> 268.01
    assert amounts["delay_interest"] == M("268.01")
    assert amounts["total"] == M("50000.00") + M("1200.00") + M("268.01") + M("1570.00")


def test_a_matter_without_a_confirmed_ruling_has_no_figure_at_all():
    matter = make_matter()
    make_ruling(matter, confirmed=False, confirmed_at=None)
    make_deadline(matter, DeadlineKind.PERFORMANCE_END, PERFORMANCE_END)
    amounts = enforcement_application_amounts(matter, on=APPLICATION)
    assert amounts["missing"] == ["ruling"]
    for head in ("principal", "interest", "delay_interest", "costs", "total"):
        assert amounts[head] is None


def test_without_a_performance_end_the_delay_interest_and_total_are_missing_not_guessed():
    matter = make_matter(stage="judgment")
    make_ruling(matter, served_on=None)
    amounts = enforcement_application_amounts(matter, on=APPLICATION)
    assert amounts["missing"] == ["performance_end"]
    assert amounts["principal"] == M("50000.00")
    assert amounts["delay_interest"] is None and amounts["delay_interest_from"] is None
    assert amounts["total"] is None


def test_figures_the_ruling_does_not_give_are_listed_as_missing():
    amounts = enforcement_application_amounts(
        judged_matter(interest_awarded=None, acceptance_fee_charged=None), on=APPLICATION
    )
    assert amounts["missing"] == ["interest_awarded", "acceptance_fee"]
    assert amounts["interest"] is None and amounts["costs"] is None and amounts["delay_interest"] is None
    assert amounts["total"] is None


def test_the_latest_confirmed_ruling_is_the_instrument():
    matter = judged_matter()
    make_ruling(matter, case_number="（2026）沪01民终99号", principal_awarded=M("40000.00"))
    amounts = enforcement_application_amounts(matter, on=APPLICATION)
    assert amounts["ruling"]["case_number"] == "（2026）沪01民终99号"
    assert amounts["principal"] == M("40000.00")


def test_before_the_performance_period_ends_there_is_no_delay_interest_yet():
    amounts = enforcement_application_amounts(judged_matter(), on=PERFORMANCE_END)
    assert amounts["delay_interest"] == M("0.00")
    assert amounts["delay_interest_days"] == 0
    assert amounts["total"] == M("51745.00")


# The matter page section ----------------------------------------------------------------


def section(client, matter, **params):
    return client.get(reverse("claims_section", args=[matter.pk]), params, **HTMX)


def test_the_matter_page_loads_the_section():
    assert "claims_section" in [s.url_name for s in MATTER_SECTIONS]


def test_a_manager_and_the_assigned_firms_lawyer_see_the_amounts_another_firms_lawyer_does_not(client):
    firm = make_firm()
    matter = judged_matter()
    matter.assigned_firm = firm
    matter.save(update_fields=["assigned_firm"])
    from legalcase.models import Assignment

    Assignment.objects.create(matter=matter, firm=firm)
    client.force_login(make_user(Role.MANAGER))
    response = section(client, matter, on="2026-05-07")
    assert response.status_code == 200
    html = response.content.decode()
    assert "265.36" in html and "52,010.36" in html and "50,545.00" in html
    client.force_login(make_user(Role.LAWYER, firm=firm))
    assert section(client, matter, on="2026-05-07").status_code == 200
    client.force_login(make_user(Role.LAWYER, firm=make_firm()))
    assert section(client, matter).status_code == 404


def test_the_section_lists_what_is_missing(client):
    client.force_login(make_user(Role.COUNSEL))
    html = section(client, make_matter()).content.decode()
    assert 'id="claims-missing"' in html
    assert 'id="claims-amounts"' not in html
