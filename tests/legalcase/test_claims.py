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
    # debt the judgment fixes, less its ordinary interest and, by default, the acceptance fee
    # (LEGAL_RULES B.6 item 3): 50,000.00 x 0.000175 = 8.75 a day; x 30 = 262.50.
    assert amounts["delay_interest_from"] == D(2026, 4, 8)
    assert amounts["delay_interest_days"] == 30
    assert amounts["delay_interest_base"] == M("50000.00")
    assert amounts["delay_daily_rate"] == M("0.000175")
    assert amounts["delay_interest"] == M("262.50")
    assert [(p.start, p.end, p.days, p.base) for p in amounts["delay_interest_periods"]] == [
        (D(2026, 4, 8), D(2026, 5, 7), 30, M("50000.00"))
    ]
    assert amounts["delay_interest_rule"] == "interest.delay_double@2014"
    # 50,000.00 + 1,200.00 + 262.50 + 545.00 = 52,007.50
    assert amounts["total"] == M("52007.50")
    assert amounts["ruling"]["case_number"] == "（2026）沪0115民初1234号"
    assert amounts["performance_ends_on"] == PERFORMANCE_END
    assert amounts["effective_on"] == D(2026, 3, 28)


def test_recoveries_reduce_each_head_and_the_delay_base_from_the_next_day():
    matter = judged_matter()
    recover(matter, D(2026, 2, 1), principal="9999.00")  # before the judgment: already reflected in it
    recover(matter, D(2026, 4, 17), costs="545.00", interest="1200.00", principal="255.00")
    recover(matter, D(2026, 6, 1), principal="1000.00")  # after the application date
    amounts = enforcement_application_amounts(matter, on=APPLICATION)
    assert amounts["recovered"] == {
        "principal": M("255.00"),
        "interest": M("1200.00"),
        "costs": M("545.00"),
        "delay_interest": M("0.00"),
    }
    assert (amounts["principal"], amounts["interest"], amounts["costs"]) == (M("49745.00"), M("0.00"), M("0.00"))
    # 2026-04-08 to 04-17, 10 days on 50,000.00: 50,000.00 x 0.000175 x 10 = 87.50;
    # 2026-04-18 to 05-07, 20 days on 49,745.00 (255.00 of principal paid):
    # 49,745.00 x 0.000175 x 20 = 174.1075. Added unrounded: 261.6075 -> 261.61.
    assert [(p.start, p.end, p.days, p.base, p.exact) for p in amounts["delay_interest_periods"]] == [
        (D(2026, 4, 8), D(2026, 4, 17), 10, M("50000.00"), M("87.50")),
        (D(2026, 4, 18), D(2026, 5, 7), 20, M("49745.00"), M("174.1075")),
    ]
    assert amounts["delay_interest"] == M("261.61")
    assert amounts["delay_interest_days"] == 30
    # 49,745.00 + 0.00 + 261.61 + 0.00
    assert amounts["total"] == M("50006.61")


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
    # The fee is not in the base: 50,000.00 x 0.000175 x 30 = 262.50
    assert amounts["delay_interest"] == M("262.50")
    assert amounts["total"] == M("50000.00") + M("1200.00") + M("262.50") + M("1570.00")


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
    assert "262.50" in html and "52,007.50" in html and "50,000.00" in html
    client.force_login(make_user(Role.LAWYER, firm=firm))
    assert section(client, matter, on="2026-05-07").status_code == 200
    client.force_login(make_user(Role.LAWYER, firm=make_firm()))
    assert section(client, matter).status_code == 404


def test_the_section_lists_what_is_missing(client):
    client.force_login(make_user(Role.COUNSEL))
    html = section(client, make_matter()).content.decode()
    assert 'id="claims-missing"' in html
    assert 'id="claims-amounts"' not in html


# LEGAL_RULES B.6: the base without the acceptance fee unless counsel includes it, and the
# doubled part paid last --------------------------------------------------------------------


def include_fee(matter):
    matter.delay_base_includes_fee = True
    matter.save(update_fields=["delay_base_includes_fee"])
    return matter


def test_with_the_fee_included_by_counsel_the_base_is_principal_and_fee():
    amounts = enforcement_application_amounts(include_fee(judged_matter()), on=APPLICATION)
    # 50,545.00 x 0.000175 x 30 = 265.36125 -> 265.36
    assert amounts["delay_base_includes_fee"] is True
    assert [(p.days, p.base, p.exact) for p in amounts["delay_interest_periods"]] == [(30, M("50545.00"), M("265.36125"))]
    assert amounts["delay_interest"] == M("265.36")
    assert amounts["total"] == M("52010.36")


def test_with_the_fee_included_a_payment_takes_the_fee_out_of_the_base_first():
    matter = include_fee(judged_matter())
    recover(matter, D(2026, 4, 17), principal="2000.00")
    amounts = enforcement_application_amounts(matter, on=APPLICATION)
    # The 2,000.00 goes 545.00 to the fee, 1,200.00 to interest, 255.00 to principal (Art. 561
    # within the ruling's debt), whatever the recovery's allocation against the escalated debt said.
    assert amounts["recovered"] == {
        "costs": M("545.00"),
        "interest": M("1200.00"),
        "principal": M("255.00"),
        "delay_interest": M("0.00"),
    }
    # 50,545.00 x 0.000175 x 10 = 88.45375; 49,745.00 x 0.000175 x 20 = 174.1075; 262.56125 -> 262.56
    assert [(p.base, p.exact) for p in amounts["delay_interest_periods"]] == [
        (M("50545.00"), M("88.45375")),
        (M("49745.00"), M("174.1075")),
    ]
    assert amounts["delay_interest"] == M("262.56")


def post_recovery(client, matter, key, amount, received_on):
    response = client.post(
        f"/api/v1/matters/{matter.pk}/recoveries/",
        {"amount": amount, "received_on": received_on, "source": "enforcement"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_in_enforcement_the_doubled_part_is_paid_last():
    from rest_framework.test import APIClient

    matter = judged_matter()
    client = APIClient()
    client.force_authenticate(make_user(Role.COUNSEL))
    # Recorded through the API, allocated against the escalated debt (52,558.05 outstanding).
    post_recovery(client, matter, "r1", "10000.00", "2026-04-17")
    post_recovery(client, matter, "r2", "41800.00", "2026-05-06")

    amounts = enforcement_application_amounts(matter, on=APPLICATION)
    # A recovery recomputes the deadlines from the ruling: served 2026-03-05, the 15-day appeal
    # period ends 03-20, the judgment takes effect, and the 10 days to perform end 03-31.
    assert (amounts["effective_on"], amounts["performance_ends_on"]) == (D(2026, 3, 21), D(2026, 3, 31))
    # 2026-04-17, 10,000.00: 148.75 of the doubled part has accrued (50,000.00 x 0.000175 x 17,
    # 04-01..04-17), but the ruling's debt comes first: 545.00 fee, 1,200.00 interest, 8,255.00
    # principal, 0.00 doubled (taken as interest under Art. 561 it would have had 148.75 before
    # principal). From 04-18 the base is 41,745.00; to 05-06, 19 days: x 0.000175 x 19 = 138.802125.
    # 2026-05-06, 41,800.00: principal 41,745.00, then the doubled part accrued to that day,
    # 148.75 + 138.802125 = 287.552125 -> 287.55, takes the last 55.00.
    assert [(p.start, p.end, p.days, p.base, p.exact) for p in amounts["delay_interest_periods"]] == [
        (D(2026, 4, 1), D(2026, 4, 17), 17, M("50000.00"), M("148.75")),
        (D(2026, 4, 18), D(2026, 5, 6), 19, M("41745.00"), M("138.802125")),
    ]
    assert amounts["recovered"] == {
        "costs": M("545.00"),
        "interest": M("1200.00"),
        "principal": M("50000.00"),
        "delay_interest": M("55.00"),
    }
    assert (amounts["principal"], amounts["interest"], amounts["costs"]) == (M("0.00"), M("0.00"), M("0.00"))
    # Nothing runs on a base of nil after 05-06: 287.55 accrued, 55.00 paid, 232.55 claimed.
    assert amounts["delay_interest_accrued"] == M("287.55")
    assert amounts["delay_interest"] == M("232.55")
    assert amounts["total"] == M("232.55")
    assert amounts["surplus"] == M("0.00")


def test_a_reversed_recovery_counts_for_nothing_and_an_excess_is_reported(client):
    from rest_framework.test import APIClient

    matter = judged_matter()
    counsel = make_user(Role.COUNSEL)
    api = APIClient()
    api.force_authenticate(counsel)
    wrong = post_recovery(api, matter, "r0", "30000.00", "2026-04-10")
    assert api.post(f"/api/v1/recoveries/{wrong['id']}/reverse/", {"reason": "录错"}, format="json").status_code == 201
    post_recovery(api, matter, "r1", "10000.00", "2026-04-17")
    post_recovery(api, matter, "r2", "41800.00", "2026-05-06")
    post_recovery(api, matter, "r3", "500.00", "2026-05-07")
    amounts = enforcement_application_amounts(matter, on=APPLICATION)
    # As above, and the 500.00 of 05-07 pays the 232.55 left of the doubled part; 267.45 is surplus.
    assert amounts["recovered"]["delay_interest"] == M("287.55")
    assert amounts["delay_interest"] == M("0.00")
    assert amounts["surplus"] == M("267.45")
    assert amounts["total"] == M("0.00")
    client.force_login(counsel)
    html = section(client, matter, on="2026-05-07").content.decode()
    assert "回款超出生效法律文书项下全部应付款267.45元" in html


def cells(html: str, table_id: str) -> list[list[str]]:
    import re

    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S).group(0)
    body = re.search(r"<tbody>(.*?)</tbody>", table, re.S).group(1)
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def test_the_section_explains_the_delay_interest_by_the_periods_it_computed(client):
    matter = judged_matter()
    recover(matter, D(2026, 4, 17), principal="2000.00")
    client.force_login(make_user(Role.MANAGER))
    html = section(client, matter, on="2026-05-07").content.decode()
    assert cells(html, "claims-delay-periods") == [
        ["2026-04-08", "2026-04-17", "10", "50,000.00", "1.75‱", "87.50"],
        ["2026-04-18", "2026-05-07", "20", "49,745.00", "1.75‱", "174.1075"],
    ]
    # The figure the table explains: 87.50 + 174.1075 = 261.6075 -> 261.61, and no single
    # base or day count that would contradict it.
    assert "应计261.61：按日万分之1.75，共30日（2026-04-08至2026-05-07，首尾均计入）" in html
    assert "案件受理费不计入基数（默认做法）" in html
    assert "interest.delay_double@2014" in html
    # A manager may not change the base: no form.
    assert 'id="claims-base"' not in html


def test_counsel_includes_the_fee_with_a_reason_on_the_page(client):
    from legalcase.models import EventKind

    matter = judged_matter()
    client.force_login(make_user(Role.COUNSEL))
    assert 'id="claims-base"' in section(client, matter, on="2026-05-07").content.decode()
    url = reverse("claims_delay_base_set", args=[matter.pk]) + "?on=2026-05-07"
    response = client.post(url, {"includes_fee": "True", "reason": "判决主文第三项：受理费由被告直接支付给原告"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    matter.refresh_from_db()
    assert matter.delay_base_includes_fee is True
    assert cells(html, "claims-delay-periods") == [["2026-04-08", "2026-05-07", "30", "50,545.00", "1.75‱", "265.36125"]]
    assert "265.36" in html and "本案已决定将受理费计入基数" in html
    event = matter.events.get(kind=EventKind.DELAY_BASE_SET)
    assert (event.old, event.new) == ({"delay_base_includes_fee": False}, {"delay_base_includes_fee": True})
    assert event.note == "判决主文第三项：受理费由被告直接支付给原告"
    # And out again.
    client.post(url, {"includes_fee": "False", "reason": "二审改判"}, **HTMX)
    matter.refresh_from_db()
    assert matter.delay_base_includes_fee is False
    assert matter.events.filter(kind=EventKind.DELAY_BASE_SET).count() == 2


def test_the_base_is_not_changed_without_a_reason_nor_by_another_role(client):
    firm = make_firm()
    matter = judged_matter()
    from legalcase.models import Assignment

    Assignment.objects.create(matter=matter, firm=firm)
    matter.assigned_firm = firm
    matter.save(update_fields=["assigned_firm"])
    url = reverse("claims_delay_base_set", args=[matter.pk])
    client.force_login(make_user(Role.COUNSEL))
    html = client.post(url, {"includes_fee": "True", "reason": "  "}, **HTMX).content.decode()
    assert "errorlist" in html
    for role, status in ((Role.MANAGER, 403), (Role.LAWYER, 403)):
        client.force_login(make_user(role, firm=firm if role == Role.LAWYER else None))
        assert client.post(url, {"includes_fee": "True", "reason": "x"}, **HTMX).status_code == status
    client.force_login(make_user(Role.LAWYER, firm=make_firm()))
    assert client.post(url, {"includes_fee": "True", "reason": "x"}, **HTMX).status_code == 404
    matter.refresh_from_db()
    assert matter.delay_base_includes_fee is False
    assert not matter.events.filter(kind="delay_base_set").exists()
