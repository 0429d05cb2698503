"""Portfolios and transfers of their claims: the chain kept, limitation interrupted by the announcement, roles."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from rest_framework.test import APIClient

from legalcase.identity import build_uscc
from legalcase.models import (
    AuditAction,
    AuditEvent,
    ClaimTransfer,
    Creditor,
    Debt,
    DemandChannel,
    DemandRecord,
    EventKind,
    Matter,
    MatterEvent,
    Portfolio,
    PortfolioTransfer,
    Proceeding,
    Role,
    Stage,
)
from legalcase.services.deadlines import matter_deadlines_recompute
from legalcase.services.transfers import (
    portfolio_add_matters,
    portfolio_create,
    portfolio_transfer,
)
from tests.factories import make_creditor, make_firm, make_matter, make_party, make_user

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 4, 1)
AMC = {
    "name": "某某资产管理股份有限公司上海市分公司",
    "uscc": build_uscc("91310000MA1AMC001"),
    "address": "上海市黄浦区中山东一路1号",
    "representative": "李某",
}
AMC2 = {"name": "另一资产管理有限公司", "uscc": build_uscc("91310000MA1AMC002")}


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)


@pytest.fixture
def counsel():
    return make_user(Role.COUNSEL)


@pytest.fixture
def bank():
    return make_creditor(name="示例银行股份有限公司信用卡中心")


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def portfolio_of(user, *matters, name="2026年第一期资产包") -> Portfolio:
    portfolio = portfolio_create(user=user, name=name)
    portfolio_add_matters(user=user, portfolio_id=portfolio.pk, matter_ids=[m.pk for m in matters])
    return portfolio


def transfer(user, portfolio, **overrides):
    body = {
        "user": user,
        "portfolio_id": portfolio.pk,
        "to_creditor": AMC,
        "effective_on": D(2026, 2, 1),
        "agreement": "《债权转让协议》（编号：ZR-2026-001）",
        "newspaper": "上海法治报",
        "announced_on": D(2026, 3, 10),
        **overrides,
    }
    return portfolio_transfer(**body)


def stored() -> tuple:
    """Everything a transfer writes, counted, to show that a refused one wrote nothing."""
    return (
        PortfolioTransfer.objects.count(),
        ClaimTransfer.objects.count(),
        DemandRecord.objects.count(),
        Creditor.objects.count(),
        MatterEvent.objects.filter(kind=EventKind.CLAIM_TRANSFERRED).count(),
        AuditEvent.objects.count(),
        tuple(Debt.objects.order_by("pk").values_list("creditor_id", "original_creditor_id")),
        tuple(Portfolio.objects.order_by("pk").values_list("holder_id", flat=True)),
    )


# --- Portfolios --------------------------------------------------------------------------


def test_adding_matters_sets_the_portfolio_with_an_event_on_each_and_an_audit_row(counsel, bank):
    first, second = make_matter(creditor=bank), make_matter(creditor=bank)
    portfolio = portfolio_of(counsel, first, second)

    assert set(Debt.objects.filter(portfolio=portfolio).values_list("matter__pk", flat=True)) == {first.pk, second.pk}
    event = first.events.get(kind=EventKind.UPDATED)
    assert (event.old, event.new) == ({"portfolio": None}, {"portfolio": "2026年第一期资产包"})
    audit = AuditEvent.objects.filter(action=AuditAction.PORTFOLIO_CHANGED).order_by("id").last()
    assert audit.detail["matters_added"] == [first.pk, second.pk]
    # Adding again adds nothing and writes no new event.
    assert portfolio_add_matters(user=counsel, portfolio_id=portfolio.pk, matter_ids=[first.pk]) == []
    assert first.events.filter(kind=EventKind.UPDATED).count() == 1


def test_a_matter_the_caller_cannot_see_refuses_the_whole_addition(bank):
    firm = make_firm()
    mine, other = make_matter(creditor=bank, firm=firm), make_matter(creditor=bank)
    admin = make_user(Role.ADMIN)
    portfolio = portfolio_create(user=admin, name="包")
    # A lawyer may not manage portfolios at all.
    with pytest.raises(PermissionDenied):
        portfolio_add_matters(user=make_user(Role.LAWYER, firm=firm), portfolio_id=portfolio.pk, matter_ids=[mine.pk])
    with pytest.raises(ValidationError) as refused:
        portfolio_add_matters(user=admin, portfolio_id=portfolio.pk, matter_ids=[mine.pk, 999999])
    assert refused.value.message_dict["matter_ids"] == ["以下案件不存在或无权访问：999999"]
    assert Debt.objects.filter(portfolio=portfolio).count() == 0
    assert other.events.filter(kind=EventKind.UPDATED).count() == 0


def test_a_portfolio_needs_a_unique_name(counsel):
    portfolio_create(user=counsel, name="包")
    for name in ("", "  ", "包"):
        with pytest.raises(ValidationError) as refused:
            portfolio_create(user=counsel, name=name)
        assert "name" in refused.value.message_dict
    assert Portfolio.objects.count() == 1


# --- Transfers ---------------------------------------------------------------------------


def test_two_successive_transfers_keep_the_chain_and_the_first_lender(counsel, bank):
    matter = make_matter(creditor=bank)
    portfolio = portfolio_of(counsel, matter)

    first = transfer(counsel, portfolio)
    second = transfer(
        counsel, portfolio, to_creditor=AMC2, effective_on=D(2026, 3, 20), agreement="ZR-2026-099",
        newspaper="", announced_on=None,
    )  # fmt: skip

    debt = Debt.objects.get(pk=matter.debt_id)
    amc, amc2 = Creditor.objects.get(uscc=AMC["uscc"]), Creditor.objects.get(uscc=AMC2["uscc"])
    assert (debt.original_creditor, debt.creditor) == (bank, amc2)
    steps = list(debt.transfers.order_by("effective_on", "id"))
    assert [(s.from_creditor, s.to_creditor, s.effective_on) for s in steps] == [
        (bank, amc, D(2026, 2, 1)),
        (amc, amc2, D(2026, 3, 20)),
    ]
    assert (steps[0].notified_on, steps[0].notice) == (D(2026, 3, 10), "《上海法治报》公告")
    assert (steps[1].notified_on, steps[1].notice) == (None, "")
    assert [s.transfer for s in steps] == [first.transfer, second.transfer]
    assert Portfolio.objects.get(pk=portfolio.pk).holder == amc2
    # The assignee was created with what the request gave.
    assert (amc.name, amc.address, amc.representative) == (AMC["name"], AMC["address"], AMC["representative"])
    events = list(matter.events.filter(kind=EventKind.CLAIM_TRANSFERRED).order_by("id"))
    assert [(e.old["creditor"], e.new["creditor"]) for e in events] == [(bank.name, amc.name), (amc.name, amc2.name)]
    assert events[1].new["original_creditor"] == bank.name


def test_the_announcement_is_a_delivered_demand_that_moves_the_limitation_date(counsel, bank):
    # Default 2024-11-05: limitation 2027-11-05 (a Friday). The announcement of 2026-03-10 in
    # a Shanghai paper, for a debtor living in Shanghai (诉讼时效规定 Art. 8 para 1 (4); a
    # Beijing debtor: tests/legalcase/test_rule_corrections.py), restarts the 3 years:
    # 2029-03-10 is a Saturday, so the period ends Monday 2029-03-12.
    matter = make_matter(
        creditor=bank, overdue_since=D(2024, 11, 5), debtor=make_party(address="上海市浦东新区世纪大道100号")
    )
    matter_deadlines_recompute(matter_id=matter.pk)
    assert Matter.objects.get(pk=matter.pk).limitation_expires_on == D(2027, 11, 5)

    transfer(counsel, portfolio_of(counsel, matter))

    demand = DemandRecord.objects.get(debt=matter.debt_id)
    assert (demand.date, demand.channel, demand.delivered) == (D(2026, 3, 10), DemandChannel.PUBLIC_NOTICE, True)
    assert demand.note == "《上海法治报》刊登债权转让暨催收公告"
    limitation = Matter.objects.get(pk=matter.pk).limitation_deadline
    assert limitation.due_on == D(2029, 3, 12)
    assert limitation.computed_from["interruptions"] == [{"on": "2026-03-10", "kind": "demand"}]


def test_an_announcement_after_limitation_ran_out_does_not_revive_the_claim(counsel, bank):
    # Default 2022-06-15: 3 years end on Sunday 2025-06-15, so Monday 2025-06-16; the
    # announcement of 2026-03-10 comes after it and changes nothing (LEGAL_RULES section 2).
    matter = make_matter(creditor=bank, overdue_since=D(2022, 6, 15))
    transfer(counsel, portfolio_of(counsel, matter))
    matter = Matter.objects.get(pk=matter.pk)
    assert matter.limitation_expires_on == D(2025, 6, 16)
    assert matter.time_barred is True
    assert DemandRecord.objects.filter(debt=matter.debt_id, delivered=True).count() == 1


def test_the_announcement_demand_is_recorded_once_per_day(counsel, bank):
    matter = make_matter(creditor=bank)
    DemandRecord.objects.create(
        debt=matter.debt, date=D(2026, 3, 10), channel=DemandChannel.PUBLIC_NOTICE, delivered=True, note="已登报"
    )
    portfolio = portfolio_of(counsel, matter)
    transfer(counsel, portfolio)
    transfer(counsel, portfolio, to_creditor=AMC2, effective_on=D(2026, 3, 10))

    demands = DemandRecord.objects.filter(debt=matter.debt_id)
    assert list(demands.values_list("date", "note")) == [(D(2026, 3, 10), "已登报")]
    events = matter.events.filter(kind=EventKind.CLAIM_TRANSFERRED)
    assert [e.new["demand_recorded"] for e in events.order_by("id")] == [False, False]


def test_change_of_applicant_is_offered_only_where_enforcement_is_under_way(counsel, bank):
    intake = make_matter(creditor=bank)
    judgment = make_matter(creditor=bank, stage=Stage.JUDGMENT)
    enforcing = make_matter(creditor=bank, stage=Stage.ENFORCEMENT)
    terminated = make_matter(creditor=bank, stage=Stage.ENFORCEMENT_TERMINATED)
    settled = make_matter(creditor=bank, stage=Stage.SETTLED)
    Proceeding.objects.create(matter=settled, kind=Proceeding.Kind.ENFORCEMENT)
    portfolio = portfolio_of(counsel, intake, judgment, enforcing, terminated, settled)

    result = transfer(counsel, portfolio)

    assert result.matter_ids == sorted([intake.pk, judgment.pk, enforcing.pk, terminated.pk, settled.pk])
    assert result.change_of_applicant_ids == sorted([enforcing.pk, terminated.pk, settled.pk])


def test_a_transfer_of_chosen_matters_leaves_the_others_with_the_bank(counsel, bank):
    moved, kept = make_matter(creditor=bank), make_matter(creditor=bank)
    portfolio = portfolio_of(counsel, moved, kept)

    result = transfer(counsel, portfolio, matter_ids=[moved.pk])

    assert result.matter_ids == [moved.pk]
    assert Debt.objects.get(pk=kept.debt_id).creditor == bank
    assert Debt.objects.get(pk=moved.debt_id).creditor.uscc == AMC["uscc"]


def test_an_existing_assignee_is_found_by_its_credit_code(counsel, bank):
    amc = make_creditor(name="已登记的资产管理公司", uscc=AMC["uscc"])
    matter = make_matter(creditor=bank)
    transfer(counsel, portfolio_of(counsel, matter))
    assert Debt.objects.get(pk=matter.debt_id).creditor == amc
    assert Creditor.objects.get(pk=amc.pk).name == "已登记的资产管理公司"


BAD_TRANSFERS = [
    ("to_creditor_name", {"to_creditor": {**AMC, "name": " "}}),
    ("to_creditor_uscc", {"to_creditor": {**AMC, "uscc": "91310000MA1AMC0010"}}),
    ("agreement", {"agreement": ""}),
    ("effective_on", {"effective_on": D(2026, 4, 2)}),
    ("announced_on", {"announced_on": D(2026, 1, 31)}),
    ("announced_on", {"announced_on": D(2026, 4, 2)}),
    ("newspaper", {"newspaper": ""}),
    ("announced_on", {"announced_on": None}),
]


@pytest.mark.parametrize(("field", "overrides"), BAD_TRANSFERS)
def test_a_bad_transfer_names_the_field_and_stores_nothing(counsel, bank, field, overrides):
    matter = make_matter(creditor=bank)
    portfolio = portfolio_of(counsel, matter)
    before = stored()
    with pytest.raises(ValidationError) as refused:
        transfer(counsel, portfolio, **overrides)
    assert field in refused.value.message_dict
    assert stored() == before


def test_debts_of_two_creditors_or_already_with_the_assignee_are_refused(counsel, bank):
    other = make_matter()
    matter = make_matter(creditor=bank)
    portfolio = portfolio_of(counsel, matter, other)
    outsider = make_matter(creditor=bank)
    before = stored()
    with pytest.raises(ValidationError) as mixed:
        transfer(counsel, portfolio)
    assert "matter_ids" in mixed.value.message_dict
    with pytest.raises(ValidationError) as same:
        transfer(counsel, portfolio, matter_ids=[matter.pk], to_creditor={"name": bank.name, "uscc": bank.uscc})
    assert "to_creditor_uscc" in same.value.message_dict
    with pytest.raises(ValidationError) as outside:
        transfer(counsel, portfolio, matter_ids=[matter.pk, outsider.pk])
    assert "matter_ids" in outside.value.message_dict
    assert stored() == before


def test_an_empty_portfolio_has_nothing_to_transfer(counsel):
    portfolio = portfolio_create(user=counsel, name="空包")
    before = stored()
    with pytest.raises(ValidationError) as refused:
        transfer(counsel, portfolio)
    assert "matter_ids" in refused.value.message_dict
    assert stored() == before


def test_roles_lawyer_may_not_transfer_and_a_missing_portfolio_is_404(bank):
    matter = make_matter(creditor=bank)
    manager = make_user(Role.MANAGER)
    portfolio = portfolio_of(manager, matter)
    with pytest.raises(PermissionDenied):
        transfer(make_user(Role.LAWYER), portfolio)
    with pytest.raises(Http404):
        portfolio_transfer(
            user=manager, portfolio_id=999999, to_creditor=AMC, effective_on=D(2026, 2, 1), agreement="x"
        )
    assert ClaimTransfer.objects.count() == 0
    # An asset manager may.
    transfer(manager, portfolio)
    assert ClaimTransfer.objects.count() == 1


# --- API ---------------------------------------------------------------------------------


def test_api_creates_a_portfolio_adds_matters_transfers_and_reads_the_chain(counsel, bank):
    first = make_matter(creditor=bank, stage=Stage.ENFORCEMENT)
    second = make_matter(creditor=bank)
    Matter.objects.filter(pk=first.pk).update(recovered_principal=Decimal("1000.00"))
    client = api(counsel)

    created = client.post("/api/v1/portfolios/", {"name": "2026-A"}, format="json")
    assert created.status_code == 201
    pid = created.json()["id"]
    added = client.post(f"/api/v1/portfolios/{pid}/matters/", {"matter_ids": [first.pk, second.pk]}, format="json")
    assert added.status_code == 200
    # Two make_debt claims of 52,558.05 each.
    assert added.json()["matter_count"] == 2
    assert added.json()["claim_total"] == "105116.10"
    assert added.json()["recovered_total"] == "1000.00"
    assert added.json()["recovery_rate"] == "0.0095"

    body = {
        "to_creditor": AMC,
        "effective_on": "2026-02-01",
        "agreement": "ZR-2026-001",
        "newspaper": "上海法治报",
        "announced_on": "2026-03-10",
    }
    answer = client.post(f"/api/v1/portfolios/{pid}/transfers/", body, format="json")
    assert answer.status_code == 201, answer.json()
    data = answer.json()
    assert data["matter_count"] == 2
    assert data["matter_ids"] == sorted([first.pk, second.pk])
    assert data["change_of_applicant_matter_ids"] == [first.pk]
    assert data["transfer"]["from_creditor"]["uscc"] == bank.uscc
    assert data["transfer"]["to_creditor"]["uscc"] == AMC["uscc"]

    detail = client.get(f"/api/v1/portfolios/{pid}/").json()
    assert detail["holder"]["name"] == AMC["name"]
    assert [t["id"] for t in detail["transfers"]] == [data["transfer"]["id"]]
    listing = client.get("/api/v1/portfolios/").json()
    assert listing["count"] == 1 and listing["results"][0]["name"] == "2026-A"

    chain = client.get(f"/api/v1/matters/{first.pk}/transfers/").json()
    assert chain["portfolio"] == "2026-A"
    assert chain["original_creditor"]["uscc"] == bank.uscc
    assert chain["creditor"]["uscc"] == AMC["uscc"]
    assert [(s["from_creditor"]["name"], s["to_creditor"]["name"], s["effective_on"]) for s in chain["steps"]] == [
        (bank.name, AMC["name"], "2026-02-01")
    ]


def test_api_bad_transfer_answers_400_nested_like_the_request_and_stores_nothing(counsel, bank):
    matter = make_matter(creditor=bank)
    portfolio = portfolio_of(counsel, matter)
    before = stored()
    url = f"/api/v1/portfolios/{portfolio.pk}/transfers/"
    bad_uscc = {"to_creditor": {**AMC, "uscc": "123"}, "effective_on": "2026-02-01", "agreement": "x"}
    answer = api(counsel).post(url, bad_uscc, format="json")
    assert answer.status_code == 400
    assert "uscc" in answer.json()["to_creditor"]
    same = {"to_creditor": {"name": "x", "uscc": bank.uscc}, "effective_on": "2026-02-01", "agreement": "x"}
    answer = api(counsel).post(url, same, format="json")
    assert answer.status_code == 400
    assert "uscc" in answer.json()["to_creditor"]
    late = {"to_creditor": AMC, "effective_on": "2026-02-01", "agreement": "x", "announced_on": "2026-03-10"}
    answer = api(counsel).post(url, late, format="json")
    assert answer.status_code == 400 and "newspaper" in answer.json()
    answer = api(counsel).post(f"/api/v1/portfolios/{portfolio.pk}/matters/", {"matter_ids": [999999]}, format="json")
    assert answer.status_code == 400 and "matter_ids" in answer.json()
    assert stored() == before


def test_api_roles_lawyers_get_403_on_portfolios_but_read_their_matters_chain(counsel, bank):
    firm = make_firm()
    lawyer = make_user(Role.LAWYER, firm=firm)
    assigned, other = make_matter(creditor=bank, firm=firm), make_matter(creditor=bank)
    portfolio = portfolio_of(counsel, assigned, other)
    transfer(counsel, portfolio)
    client = api(lawyer)
    assert client.get("/api/v1/portfolios/").status_code == 403
    assert client.post("/api/v1/portfolios/", {"name": "x"}, format="json").status_code == 403
    assert client.get(f"/api/v1/portfolios/{portfolio.pk}/").status_code == 403
    body = {"to_creditor": AMC2, "effective_on": "2026-03-01", "agreement": "x"}
    assert client.post(f"/api/v1/portfolios/{portfolio.pk}/transfers/", body, format="json").status_code == 403
    assert client.get(f"/api/v1/matters/{assigned.pk}/transfers/").status_code == 200
    assert client.get(f"/api/v1/matters/{other.pk}/transfers/").status_code == 404
    assert api(counsel).get("/api/v1/portfolios/999999/").status_code == 404
    assert ClaimTransfer.objects.count() == 2


def test_a_partial_transfer_leaves_the_portfolios_holder_and_the_rest_completes_it(counsel, bank):
    moved, kept = make_matter(creditor=bank), make_matter(creditor=bank)
    portfolio = portfolio_of(counsel, moved, kept)
    Portfolio.objects.filter(pk=portfolio.pk).update(holder=bank)

    transfer(counsel, portfolio, matter_ids=[moved.pk])
    assert Portfolio.objects.get(pk=portfolio.pk).holder == bank  # 1 of 2 debts went

    transfer(counsel, portfolio, matter_ids=[kept.pk])
    assert Portfolio.objects.get(pk=portfolio.pk).holder.uscc == AMC["uscc"]


def test_a_transfer_backdated_before_the_debts_last_step_is_refused_and_nothing_stored(counsel, bank):
    matter = make_matter(creditor=bank)
    portfolio = portfolio_of(counsel, matter)
    transfer(counsel, portfolio)  # effective 2026-02-01
    before = stored()

    with pytest.raises(ValidationError) as refused:
        transfer(counsel, portfolio, to_creditor=AMC2, effective_on=D(2025, 6, 1), newspaper="", announced_on=None)

    assert "effective_on" in refused.value.message_dict and "2026-02-01" in refused.value.message_dict["effective_on"][0]
    assert stored() == before


def test_an_undelivered_notice_of_the_announcement_day_becomes_delivered(counsel, bank):
    matter = make_matter(creditor=bank)
    DemandRecord.objects.create(debt=matter.debt, date=D(2026, 3, 10), channel=DemandChannel.PUBLIC_NOTICE, note="拟刊登")
    portfolio = portfolio_of(counsel, matter)

    transfer(counsel, portfolio)

    demand = DemandRecord.objects.get(debt=matter.debt, channel=DemandChannel.PUBLIC_NOTICE)
    assert demand.delivered and demand.note.startswith("拟刊登；《上海法治报》")
    assert matter.events.get(kind=EventKind.CLAIM_TRANSFERRED).new["demand_recorded"] is True


def test_matter_ids_beyond_any_id_are_refused_not_a_server_error(counsel, bank):
    portfolio = portfolio_of(counsel, make_matter(creditor=bank))
    answer = api(counsel).post(f"/api/v1/portfolios/{portfolio.pk}/matters/", {"matter_ids": [10**30]}, format="json")
    assert answer.status_code == 400 and "matter_ids" in answer.json()
