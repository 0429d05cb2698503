"""The rule book's corrections and additions (issue 17, items 7 and 8), each against hand-computed dates.

- guarantee period, 民法典 Art. 692 para 2: an agreed end on or before the principal's due
  date, or an unclear agreement, counts as none: 6 months from the due date;
- a guarantee of unclear type is a general guarantee (民法典 Art. 686 para 2);
- a newspaper notice interrupts limitation only in a national outlet or one of the
  debtor's province (诉讼时效规定 Art. 8 para 1 (4));
- public-notice service counts from the last posting or publication (民诉法解释 Art. 138);
- a settlement's agreed allocation governs the payments under it, and a settlement
  interrupts the 2-year period to apply for enforcement as well as limitation (B.8).

Calendar: 2026 from ``chinesecalendar`` (Spring Festival rest 02-15 to 02-23, 调休 working
Saturdays 02-14 and 02-28); 2027 onwards weekends only (unverified).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from legalcase.calculators import allocate_payment
from legalcase.models import (
    Deadline,
    DeadlineKind,
    DemandChannel,
    DemandRecord,
    Guarantee,
    Matter,
    Recovery,
    Role,
    Ruling,
    holiday_calendar,
)
from legalcase.notices import domicile_province, newspaper_notice_counts, outlet_scope
from legalcase.periods import (
    SettlementEvent,
    enforcement_application_after_settlements,
    guarantee_period_end,
    principal_due_on,
)
from legalcase.services import cost_record, matter_deadlines_recompute
from legalcase.services.settlements import settlement_record
from legalcase.services.transfers import portfolio_add_matters, portfolio_create, portfolio_transfer
from tests.factories import escalation_body, make_creditor, make_matter, make_party, make_user

pytestmark = pytest.mark.django_db

D = dt.date
BEIJING = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def counsel():
    return make_user(Role.COUNSEL)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def current(matter: Matter, kind: str, party=None) -> Deadline:
    return Deadline.objects.get(matter=matter, kind=kind, party=party, superseded_at__isnull=True)


# 民法典 Art. 692 para 2 --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due_on", "agreed_end", "unclear", "expected", "basis"),
    [
        # The loan: due 2025-08-15, "保证期间至2025年8月10日": before the due date, so no
        # agreement. 6 months to Sun 2026-02-15, inside the Spring Festival rest: Tue 02-24.
        (D(2025, 8, 15), D(2025, 8, 10), False, D(2026, 2, 24), "agreed_not_after_due"),
        # B.1 example 1: the agreed end equals the due date 2025-08-20: 6 months to Fri
        # 2026-02-20, inside the rest: 2026-02-24.
        (D(2025, 8, 20), D(2025, 8, 20), False, D(2026, 2, 24), "agreed_not_after_due"),
        # Agreed to end after the due date: as agreed.
        (D(2025, 8, 15), D(2027, 8, 16), False, D(2027, 8, 16), "agreed"),
        # B.1's variant: "一年" from 2024-09-01 ends 2025-09-01, before the due date 2025-09-30:
        # no agreement; 6 months to Mon 2026-03-30.
        (D(2025, 9, 30), D(2025, 9, 1), False, D(2026, 3, 30), "agreed_not_after_due"),
        # No agreement: 6 months from 2025-09-30, Mon 2026-03-30.
        (D(2025, 9, 30), None, False, D(2026, 3, 30), "no_agreement"),
        # "直至主债务本息还清时为止" (unclear, 担保解释 Art. 32), due on 2025-08-31: there is no
        # 2026-02-31, so the month's last day, Sat 2026-02-28, a 调休 working day: it stays.
        (D(2025, 8, 31), None, True, D(2026, 2, 28), "unclear"),
        # An unclear clause that also names a date after the due date is still unclear.
        (D(2025, 8, 31), D(2027, 8, 31), True, D(2026, 2, 28), "unclear"),
    ],
)
def test_the_guarantee_period_by_article_692(due_on, agreed_end, unclear, expected, basis):
    period = guarantee_period_end(due_on=due_on, agreed_end=agreed_end, calendar=holiday_calendar(), unclear=unclear)
    assert (period.on, period.computed_from["basis"]) == (expected, basis)
    assert period.rule == "guarantee_period@2021" and period.verified_calendar is True


def test_the_due_date_is_maturity_else_the_agreed_term_else_the_default():
    assert principal_due_on(matured_on=D(2025, 8, 15), overdue_since=D(2025, 3, 1), term_ends_on=None) == D(2025, 8, 15)
    assert principal_due_on(matured_on=None, overdue_since=D(2025, 8, 16), term_ends_on=D(2025, 8, 15)) == D(2025, 8, 15)
    # An instalment in default before the term ends: the earlier date (B.1 item 6, conservative).
    assert principal_due_on(matured_on=None, overdue_since=D(2025, 3, 1), term_ends_on=D(2026, 3, 1)) == D(2025, 3, 1)


def test_an_escalated_guarantee_agreed_to_end_before_the_loan_is_due_gets_six_months(counsel):
    body = escalation_body(product="loan", matured_on="2025-08-15", overdue_since="2025-08-16")
    body["guarantors"][0]["guarantee_period_ends_on"] = "2025-08-10"
    response = api(counsel).post("/api/v1/escalations/", body, format="json")
    assert response.status_code == 201, response.content
    matter = Matter.objects.get()
    guarantee = Guarantee.objects.get()
    deadline = current(matter, DeadlineKind.GUARANTEE_PERIOD, guarantee.guarantor)
    assert deadline.due_on == D(2026, 2, 24)  # not the agreed 2025-08-10
    assert deadline.computed_from == {
        "due_on": "2025-08-15", "months": 6, "basis": "agreed_not_after_due", "agreed": "2025-08-10",
    }  # fmt: skip


def test_the_engine_reads_the_agreed_term_and_recomputes(counsel):
    matter = make_matter(product="loan", overdue_since=D(2025, 8, 16), term_ends_on=D(2025, 8, 15))
    guarantee = Guarantee.objects.create(
        debt=matter.debt, guarantor=make_party("李四"), guarantee_type="joint", guarantee_period_ends_on=D(2025, 8, 15)
    )
    matter_deadlines_recompute(matter_id=matter.pk)
    first = current(matter, DeadlineKind.GUARANTEE_PERIOD, guarantee.guarantor)
    assert first.due_on == D(2026, 2, 24)

    # Corrected to an end after the due date (what a guarantee edit does): the agreed date, the old row superseded.
    Guarantee.objects.filter(pk=guarantee.pk).update(guarantee_period_ends_on=D(2027, 8, 16))
    matter_deadlines_recompute(matter_id=matter.pk)
    assert current(matter, DeadlineKind.GUARANTEE_PERIOD, guarantee.guarantor).due_on == D(2027, 8, 16)
    assert Deadline.objects.get(pk=first.pk).superseded_at is not None


def test_the_matter_page_says_why_the_agreed_end_was_not_used(client, counsel):
    matter = make_matter(product="loan", matured_on=D(2025, 8, 15))
    Guarantee.objects.create(
        debt=matter.debt, guarantor=make_party("李四"), guarantee_type="joint", guarantee_period_ends_on=D(2025, 8, 10)
    )
    matter_deadlines_recompute(matter_id=matter.pk)
    client.force_login(counsel)
    html = client.get(reverse("matter_detail", args=[matter.pk])).content.decode()
    assert "2026-02-24" in html
    assert "视为没有约定，法定六个月" in html
    assert "约定的保证期间届满日2025-08-10不晚于主债务履行期限届满日" in html  # the explanation, on hover


# 民法典 Art. 686 para 2 ----------------------------------------------------------------------------


@pytest.mark.parametrize(("given", "stored", "presumed"), [(None, "general", True), ("", "general", True), ("joint", "joint", False)])
def test_a_guarantee_of_unstated_type_is_recorded_as_general_and_says_so(counsel, client, given, stored, presumed):
    body = escalation_body()
    if given is None:
        del body["guarantors"][0]["guarantee_type"]
    else:
        body["guarantors"][0]["guarantee_type"] = given
    response = api(counsel).post("/api/v1/escalations/", body, format="json")
    assert response.status_code == 201, response.content
    guarantee = Guarantee.objects.get()
    assert (guarantee.guarantee_type, guarantee.type_presumed) == (stored, presumed)
    matter = Matter.objects.get()
    answer = api(counsel).get(f"/api/v1/matters/{matter.pk}/").json()
    assert answer["guarantors"][0]["guarantee_type"] == stored
    assert answer["guarantors"][0]["guarantee_type_presumed"] is presumed
    client.force_login(counsel)
    html = client.get(reverse("matter_detail", args=[matter.pk])).content.decode()
    assert ("未约定保证方式，依法推定" in html) is presumed


def test_the_model_itself_defaults_to_a_general_guarantee():
    matter = make_matter()
    assert Guarantee.objects.create(debt=matter.debt, guarantor=make_party("王五")).guarantee_type == "general"


# Newspaper notices (诉讼时效规定 Art. 8 para 1 (4)) ---------------------------------------------------


@pytest.mark.parametrize(
    ("outlet", "scope"),
    [
        ("人民日报", ("national", None)),
        ("《法治日报》", ("national", None)),
        ("浙江日报", ("provincial", "33")),
        ("上海法治报", ("provincial", "31")),
        ("南方日报", ("provincial", "44")),
        ("杭州日报", ("unknown", None)),  # a city's paper
        ("吉林市日报", ("unknown", None)),  # named like a province, but the city's
        ("", ("unknown", None)),
    ],
)
def test_the_scope_of_an_outlet(outlet, scope):
    assert outlet_scope(outlet) == scope


def test_the_debtors_province_is_the_address_else_the_identity_numbers():
    assert domicile_province(address="浙江省杭州市西湖区文三路1号", id_number="110105199001011232") == "33"
    assert domicile_province(address="", id_number="110105199001011232") == "11"
    assert domicile_province(address="某地", id_number="") is None
    assert newspaper_notice_counts("浙江日报", "33") and not newspaper_notice_counts("浙江日报", "11")
    assert newspaper_notice_counts("人民日报", None) and not newspaper_notice_counts("杭州日报", "33")


def transfer_announced_in(counsel, matter, newspaper: str):
    portfolio = portfolio_create(user=counsel, name=f"资产包{matter.pk}")
    portfolio_add_matters(user=counsel, portfolio_id=portfolio.pk, matter_ids=[matter.pk])
    portfolio_transfer(
        user=counsel, portfolio_id=portfolio.pk,
        to_creditor={"name": "某资产管理股份有限公司", "uscc": "91110000710925243K"},
        effective_on=D(2026, 2, 1), agreement="《债权转让协议》", newspaper=newspaper, announced_on=D(2026, 3, 10),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("address", "newspaper", "expected"),
    [
        # Default 2024-11-05: limitation Fri 2027-11-05. The announcement of 2026-03-10, where it
        # counts, restarts 3 years: Sat 2029-03-10, so Mon 2029-03-12.
        ("上海市浦东新区世纪大道100号", "上海法治报", D(2029, 3, 12)),  # the debtor's own province
        ("北京市朝阳区建国路88号", "上海法治报", D(2027, 11, 5)),  # another province's paper: nothing
        ("北京市朝阳区建国路88号", "法治日报", D(2029, 3, 12)),  # a national paper
        ("浙江省杭州市西湖区文三路1号", "杭州日报", D(2027, 11, 5)),  # a city paper
    ],
)
def test_a_transfer_announcement_interrupts_limitation_only_where_the_paper_reaches(counsel, address, newspaper, expected):
    matter = make_matter(creditor=make_creditor(), debtor=make_party(address=address), overdue_since=D(2024, 11, 5))
    transfer_announced_in(counsel, matter, newspaper)
    demand = DemandRecord.objects.get(debt=matter.debt_id)
    assert (demand.channel, demand.delivered, demand.outlet) == (DemandChannel.PUBLIC_NOTICE, True, newspaper)
    assert demand.interrupts_limitation is (expected != D(2027, 11, 5))
    assert current(matter, DeadlineKind.LIMITATION).due_on == expected


def test_an_escalated_public_notice_counts_only_in_the_debtors_province_or_a_national_outlet(counsel, client):
    # The debtor lives in Beijing (the body's address). Default 2024-11-05, limitation 2027-11-05.
    # Demands: 河北日报 2025-01-10 (another province), 北京日报 2025-02-10 (counts: 2028-02-10, Thu),
    # a notice with no outlet named 2025-03-10 (does not count).
    demands = [
        {"date": "2025-01-10", "channel": "public_notice", "delivered": True, "outlet": "河北日报"},
        {"date": "2025-02-10", "channel": "public_notice", "delivered": True, "outlet": "北京日报"},
        {"date": "2025-03-10", "channel": "public_notice", "delivered": True},
    ]
    response = api(counsel).post(
        "/api/v1/escalations/", escalation_body(demands=demands, last_payment_date=None), format="json"
    )
    assert response.status_code == 201, response.content
    matter = Matter.objects.get()
    limitation = current(matter, DeadlineKind.LIMITATION)
    assert limitation.due_on == D(2028, 2, 10)
    assert limitation.computed_from["interruptions"] == [{"on": "2025-02-10", "kind": "demand"}]
    # The same through a recomputation (the engine's own reading of the stored demands).
    matter_deadlines_recompute(matter_id=matter.pk)
    assert current(matter, DeadlineKind.LIMITATION).pk == limitation.pk
    client.force_login(counsel)
    html = client.get(reverse("matter_detail", args=[matter.pk])).content.decode()
    assert html.count("不中断诉讼时效") == 2 and "《北京日报》" in html


# Public-notice service (民诉法解释 Art. 138) ----------------------------------------------------------


def test_public_notice_service_counts_from_the_last_posting_or_publication(counsel):
    matter = make_matter()
    client = api(counsel)
    proceeding = client.post(
        f"/api/v1/matters/{matter.pk}/proceedings/",
        {"kind": "first_instance", "filed_on": "2026-02-20"},
        format="json",
    ).json()
    # Posted at the court on 03-02, at the domicile on 03-05, in the newspaper on 03-10:
    # deemed served 30 days after 03-10, on 2026-04-09 (not 04-01).
    response = client.post(
        f"/api/v1/proceedings/{proceeding['id']}/service/",
        {"method": "public_notice", "published_dates": ["2026-03-05", "2026-03-02"], "published_on": "2026-03-10"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["served_on"] == "2026-04-09"
    event = matter.events.get(kind="service_recorded")
    assert event.new["published"] == ["2026-03-02", "2026-03-05", "2026-03-10"]
    assert event.new["served_on"] == "2026-04-09"


# Settlements (B.8) ---------------------------------------------------------------------------------


def test_the_allocation_order_is_applied_as_given():
    owed = {"costs": Decimal("1000.00"), "interest": Decimal("4327.50"), "principal": Decimal("48230.55")}
    statutory = allocate_payment(amount=Decimal("1500.00"), **owed)
    assert (statutory.costs, statutory.interest, statutory.principal) == (Decimal("1000.00"), Decimal("500.00"), 0)
    assert statutory.rule == "payment_allocation@2021"
    agreed = allocate_payment(amount=Decimal("1500.00"), **owed, order=("principal", "interest", "costs"))
    assert (agreed.costs, agreed.interest, agreed.principal) == (0, 0, Decimal("1500.00"))
    assert agreed.rule == "settlement.allocation@2021"
    with pytest.raises(ValueError):
        allocate_payment(amount=Decimal("1"), **owed, order=("principal", "principal", "costs"))


def recover(user, matter, amount: str, on: str, key: str):
    return api(user).post(
        f"/api/v1/matters/{matter.pk}/recoveries/",
        {"amount": amount, "received_on": on, "source": "settlement"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )


@time_machine.travel(dt.datetime(2026, 2, 6, 10, tzinfo=BEIJING), tick=False)
def test_payments_under_a_settlement_follow_its_agreed_allocation(counsel):
    matter = make_matter(stage="enforcement")
    cost_record(user=counsel, matter_id=matter.pk, kind="acceptance_fee", amount=Decimal("1000.00"),
                incurred_on=D(2025, 3, 1))  # fmt: skip
    # Before any settlement: costs first (民法典 Art. 561).
    before = recover(counsel, matter, "600.00", "2025-12-01", "r-1").json()
    assert before["allocation"] == {"costs": "600.00", "interest": "0.00", "principal": "0.00"}
    response = api(counsel).post(
        f"/api/v1/matters/{matter.pk}/settlements/",
        {"agreed_on": "2026-01-05", "reduction": "0.00", "count": 12, "first_due_on": "2026-02-05",
         "allocation": "principal,interest,costs", "lodged_with_court": True},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    assert (response.json()["allocation"], response.json()["lodged_with_court"]) == ("principal,interest,costs", True)
    under = recover(counsel, matter, "700.00", "2026-02-05", "r-2").json()
    assert under["allocation"] == {"costs": "0.00", "interest": "0.00", "principal": "700.00"}
    event = matter.events.filter(kind="recovery_recorded").latest("id")
    assert event.new["allocation_rule"] == "settlement.allocation@2021"
    # A payment dated before the agreement was no payment under it.
    earlier = recover(counsel, matter, "100.00", "2026-01-04", "r-3").json()
    assert earlier["allocation"] == {"costs": "100.00", "interest": "0.00", "principal": "0.00"}
    assert Recovery.objects.filter(matter=matter).count() == 3
    assert matter.settlements.get().status == "active"


def test_a_bad_allocation_is_refused_and_nothing_stored(counsel):
    matter = make_matter(stage="enforcement")
    response = api(counsel).post(
        f"/api/v1/matters/{matter.pk}/settlements/",
        {"agreed_on": "2026-01-05", "count": 2, "first_due_on": "2026-02-05", "allocation": "principal,costs"},
        format="json",
    )
    assert response.status_code == 400 and "allocation" in response.json()
    assert not matter.settlements.exists()


def test_the_settlement_form_offers_the_allocation_and_the_lodging(client, counsel):
    client.force_login(counsel)
    matter = make_matter(stage="enforcement")
    html = client.get(reverse("settlements_section", args=[matter.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'name="allocation"' in html and 'name="lodged_with_court"' in html
    assert "费用→利息→本金" in html


def test_b8_worked_example_pure():
    # Performance ended 2025-10-20; an 执行和解 lodged 2026-03-10, 6 monthly instalments to
    # 2026-09-10; 3 paid (04-10, 05-10, 06-10), then nothing. Resumption: 2 years from the
    # last instalment, 2028-09-10, a Sunday: 2028-09-11 (2028 unverified).
    lodged = enforcement_application_after_settlements(
        performance_end_on=D(2025, 10, 20),
        settlements=[SettlementEvent(D(2026, 3, 10), True, D(2026, 9, 10))],
        payments=[D(2026, 4, 10), D(2026, 5, 10), D(2026, 6, 10)],
        calendar=holiday_calendar(),
    )
    assert lodged.on == D(2028, 9, 11) and lodged.rule == "enforce.limitation_settlement@2021"
    assert lodged.verified_calendar is False
    assert [step["on"] for step in lodged.computed_from["interruptions"]] == [
        "2026-03-10", "2026-04-10", "2026-05-10", "2026-06-10",
    ]  # fmt: skip
    # Out of court: the last of the settlement and the later payments, 2026-06-10, + 2 years:
    # Sat 2028-06-10, so Mon 2028-06-12.
    outside = enforcement_application_after_settlements(
        performance_end_on=D(2025, 10, 20),
        settlements=[SettlementEvent(D(2026, 3, 10), False, D(2026, 9, 10))],
        payments=[D(2026, 4, 10), D(2026, 5, 10), D(2026, 6, 10)],
        calendar=holiday_calendar(),
    )
    assert outside.on == D(2028, 6, 12)
    # A settlement after the 2 years ran out (2027-10-20) revives nothing; payments before it do not count.
    late = enforcement_application_after_settlements(
        performance_end_on=D(2025, 10, 20),
        settlements=[SettlementEvent(D(2027, 11, 1))],
        payments=[D(2026, 1, 5)],
        calendar=holiday_calendar(),
    )
    assert late.on == D(2027, 10, 20) and late.computed_from["interruptions"] == []


def test_b8_worked_example_through_the_services(counsel):
    # The same example on a matter: the judgment of LEGAL_RULES section 2's chain (served
    # 2025-09-20, 10 days to perform: performance ends 2025-10-20; application due
    # Wed 2027-10-20 before any settlement).
    with time_machine.travel(dt.datetime(2026, 12, 7, 10, tzinfo=BEIJING), tick=False):
        matter = make_matter(stage="judgment", overdue_since=D(2024, 11, 5))
        Ruling.objects.create(
            matter=matter, kind="judgment", decided_on=D(2025, 9, 10), served_on=D(2025, 9, 20), appealable=True,
            performance_days=10, confirmed=True, confirmed_at=timezone.now(),
        )  # fmt: skip
        matter_deadlines_recompute(matter_id=matter.pk)
        assert current(matter, DeadlineKind.ENFORCEMENT_APPLICATION).due_on == D(2027, 10, 20)

        settlement = settlement_record(
            user=counsel, matter_id=matter.pk, agreed_on=D(2026, 3, 10), reduction=Decimal("0.00"), count=6,
            first_due_on=D(2026, 4, 10), lodged_with_court=True,
        )  # fmt: skip
        # The settlement alone restarts the 2 years: Fri 2028-03-10; lodged, 2 years from the
        # last instalment 2026-09-10 are later: Sun 2028-09-10, so Mon 2028-09-11.
        assert current(matter, DeadlineKind.ENFORCEMENT_APPLICATION).due_on == D(2028, 9, 11)
        share = settlement.instalments.get(sequence=1).amount
        for n, day in enumerate(("2026-04-10", "2026-05-10", "2026-06-10"), start=1):
            assert recover(counsel, matter, str(share), day, f"i-{n}").status_code == 201
        settlement.refresh_from_db()
        assert settlement.status == "breached"
        application = current(matter, DeadlineKind.ENFORCEMENT_APPLICATION)
        assert (application.due_on, application.rule) == (D(2028, 9, 11), "enforce.limitation_settlement@2021")
        assert application.computed_from["lodged_settlements"] == [
            {"agreed_on": "2026-03-10", "last_due_on": "2026-09-10"}
        ]
        # Limitation too: the settlement is an acknowledgment and each payment a part payment
        # (民法典 Art. 195): the last, 2026-06-10, + 3 years: Sun 2029-06-10, so Mon 2029-06-11.
        limitation = current(matter, DeadlineKind.LIMITATION)
        assert limitation.due_on == D(2029, 6, 11)
        assert {"on": "2026-03-10", "kind": "acknowledgment"} in limitation.computed_from["interruptions"]


def test_an_imported_public_notice_names_its_newspaper_and_counts_only_in_the_debtors_province(tmp_path, counsel):
    import csv

    from django.core.management import call_command

    from tests.legalcase.test_import import ENGLISH, row

    header = [*ENGLISH, "last_demand_outlet"]
    rows = [
        row(1, last_payment_date="", last_demand_date="2025-02-10", last_demand_channel="公告",
            last_demand_outlet="北京日报"),
        row(2, last_payment_date="", last_demand_date="2025-02-10", last_demand_channel="公告",
            last_demand_outlet="河北日报"),
    ]  # fmt: skip
    path = tmp_path / "bank.csv"
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows([[values.get(name, "") for name in header] for values in rows])
    call_command("import_escalations", str(path), user=counsel.username, stdout=io_sink())
    # Both debtors live in Beijing (the rows' address). Default 2024-11-05: limitation Fri 2027-11-05;
    # the 北京日报 notice of 2025-02-10 restarts it: Thu 2028-02-10.
    dates = {}
    for matter in Matter.objects.select_related("debt"):
        demand = matter.debt.demands.get()
        dates[demand.outlet] = current(matter, DeadlineKind.LIMITATION).due_on
    assert dates == {"北京日报": D(2028, 2, 10), "河北日报": D(2027, 11, 5)}


def io_sink():
    import io

    return io.StringIO()
