"""What worked (issue 19 item 5): staff KPIs, recovery by channel and strategy, cost to collect, over a range.

Today is 2026-11-22; the range is this month, 2026-11-01 to 2026-11-22, unless a test says
otherwise. The history (``history``), all on the range's edges where it matters:

- counsel 陈 owns m1 and m2, manager 孟 owns m3, admin 安 owns nothing; firm F holds m2
  from 2026-10-01 (its lawyer 林 records a contact too: never a staff row).
- Recoveries: m1 1,000 on 11-05 (voluntary) and 3,000 on 11-22 (enforcement), 700 on 10-31
  and 800 on 11-23 (outside); m2 2,000 on 11-01 and 500 on 11-20; m3 400 on 11-10.
  In the range: 6,900.
- Channels: m1's 11-05 after an outbound phone call on 10-06 (30 days before: counts) →
  phone; m1's 11-22 from enforcement → 执行; m2's 11-01 after a call on 10-15 and a letter
  delivered 10-20 → letter; m2's 11-20 after a visit and an e-mail demand delivered that
  same day → visit (a contact wins the tie); m3's 11-10 after an SMS on 10-10 (31 days
  before) and an inbound call on 11-09 → no contact on record.
- Strategies: playbook 早期 runs on m1 from 11-01 (4,000); 调解 ran on m2 from 10-01 to
  11-10 (2,000 on 11-01); after it m2's review recommends suing (500 on 11-20); m3's 11-10
  (its plan starts 11-15, no review): none (400).
- Costs: m1 300 on 11-02; m2 200 on 11-21 (F's); m2 lawyer fee 999 (comes as invoices:
  left out); m3 50 on 10-31 (outside). F's invoices: 600 approved (11-15), 250 paid (11-22),
  100 submitted and 80 rejected (left out).
"""

from __future__ import annotations

import copy
import datetime as dt
import io
from decimal import Decimal
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from rest_framework.test import APIClient

from legalcase.models import (
    AuditEvent,
    Assignment,
    Complaint,
    Contact,
    Cost,
    DashboardSnapshot,
    DebtorReview,
    DemandRecord,
    FeeInvoice,
    Plan,
    Playbook,
    PlaybookVersion,
    Promise,
    Recovery,
    Role,
    Task,
)
from legalcase.money import RATIO_PLACES, percent_text
from legalcase.services.dashboard import Filters, dashboard_figures
from legalcase.services.kpi import Period, period_parse
from legalcase.views.dashboard import table_rows
from tests.factories import make_firm, make_matter, make_user
from tests.shared_rows import shared_rows

pytestmark = pytest.mark.django_db

D = dt.date
TODAY = D(2026, 11, 22)
MONTH = Period(start=D(2026, 11, 1), end=TODAY)
SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_TABLES = ("staff", "recovery_by_channel", "recovery_by_strategy", "cost_to_collect")


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


class History:
    """The fixture's objects by name."""


def recovery(matter, amount: str, on: dt.date, source: str = "voluntary") -> Recovery:
    value = Decimal(amount)
    return Recovery.objects.create(
        matter=matter, amount=value, received_on=on, source=source,
        allocated_costs=Decimal("0"), allocated_interest=Decimal("0"), allocated_principal=value,
    )  # fmt: skip


def contact(matter, by, on: dt.date, channel: str = "phone", direction: str = "outbound", **extra) -> Contact:
    return Contact.objects.create(
        matter=matter, channel=channel, direction=direction, party=matter.debt.debtor, contact_point="13800138000",
        occurred_at=at(on), occurred_on=on, outcome=extra.pop("outcome", "no_answer"), created_by=by,
        firm_id=by.firm_id, **extra,
    )  # fmt: skip


def promise(on_contact: Contact, due: dt.date, status: str) -> Promise:
    return Promise.objects.create(
        matter=on_contact.matter, contact=on_contact, amount=Decimal("100.00"), promised_on=on_contact.occurred_on,
        due_on=due, status=status,
    )  # fmt: skip


def demand(matter, channel: str, delivered_on: dt.date) -> DemandRecord:
    return DemandRecord.objects.create(
        debt=matter.debt, date=delivered_on - dt.timedelta(days=3), channel=channel, delivered=True,
        delivered_on=delivered_on,
    )  # fmt: skip


def plan(matter, playbook: Playbook, start: dt.date, ended: dt.date | None = None) -> Plan:
    version = playbook.versions.get()
    return Plan.objects.create(
        matter=matter, playbook_version=version, start_on=start, ended_at=at(ended, 18) if ended else None,
        end_reason="stopped" if ended else "",
    )  # fmt: skip


def task(matter, assignee, due: dt.date, done_at: dt.datetime | None = None) -> Task:
    return Task.objects.create(
        matter=matter, title="跟进", due_on=due, assignee=assignee, status="done" if done_at else "open", done_at=done_at
    )


def build_history() -> History:
    h = History()
    h.counsel = make_user(Role.COUNSEL, username="kpi_chen")
    h.counsel.last_name, h.counsel.first_name = "陈", "律"
    h.counsel.save(update_fields=["last_name", "first_name"])
    h.manager = make_user(Role.MANAGER, username="kpi_meng")
    h.admin = make_user(Role.ADMIN, username="kpi_an")
    h.firm = make_firm("正衡律师事务所")
    h.lawyer = make_user(Role.LAWYER, firm=h.firm, username="kpi_lin")
    h.m1 = make_matter(stage="enforcement", owner=h.counsel)
    h.m2 = make_matter(stage="litigation", owner=h.counsel, firm=h.firm)
    Assignment.objects.filter(matter=h.m2).update(started_at=at(D(2026, 10, 1), 9))
    h.m3 = make_matter(owner=h.manager)
    c, m = h.counsel, h.manager

    recovery(h.m1, "1000.00", D(2026, 11, 5))
    recovery(h.m1, "3000.00", D(2026, 11, 22), source="enforcement")
    recovery(h.m1, "700.00", D(2026, 10, 31))
    recovery(h.m1, "800.00", D(2026, 11, 23))
    recovery(h.m2, "2000.00", D(2026, 11, 1))
    recovery(h.m2, "500.00", D(2026, 11, 20))
    recovery(h.m3, "400.00", D(2026, 11, 10))

    contact(h.m1, c, D(2026, 10, 6))  # 30 days before m1's 11-05
    contact(h.m2, c, D(2026, 10, 15))
    demand(h.m2, "letter", D(2026, 10, 20))
    contact(h.m2, c, D(2026, 11, 20), channel="visit")
    demand(h.m2, "email", D(2026, 11, 20))
    overridden = contact(h.m2, c, D(2026, 11, 3), override_rule="contact_hours@2026", override_reason="债务人约定", override_by=c)
    promise(overridden, D(2026, 11, 15), "broken")
    contact(h.m2, h.lawyer, D(2026, 11, 5))
    contact(h.m3, m, D(2026, 10, 10), channel="sms")  # 31 days before m3's 11-10
    contact(h.m3, m, D(2026, 11, 9), direction="inbound")
    warned = contact(h.m3, m, D(2026, 11, 12), warnings=[{"rule": "calls_per_party@2026", "detail": "第11次"}])
    promise(warned, D(2026, 11, 18), "kept")
    later = contact(h.m3, m, D(2026, 11, 13))
    promise(later, D(2026, 11, 30), "open")  # due after the range

    h.early = Playbook.objects.create(name="信用卡早期", product=h.m1.debt.product)
    h.mediation = Playbook.objects.create(name="诉前调解", product=h.m1.debt.product)
    for playbook in (h.early, h.mediation):
        PlaybookVersion.objects.create(playbook=playbook, version=1, steps=[])
    plan(h.m1, h.early, D(2026, 11, 1))
    plan(h.m2, h.mediation, D(2026, 10, 1), ended=D(2026, 11, 10))
    plan(h.m3, h.early, D(2026, 11, 15))
    DebtorReview.objects.create(matter=h.m2, recommendation="sue", recommendation_reason="有财产可供执行")

    Cost.objects.create(matter=h.m1, kind="acceptance_fee", amount=Decimal("300.00"), incurred_on=D(2026, 11, 2))
    Cost.objects.create(matter=h.m2, kind="preservation_fee", amount=Decimal("200.00"), incurred_on=D(2026, 11, 21))
    Cost.objects.create(matter=h.m2, kind="lawyer_fee", amount=Decimal("999.00"), incurred_on=D(2026, 11, 3))
    Cost.objects.create(matter=h.m3, kind="other", amount=Decimal("50.00"), incurred_on=D(2026, 10, 31))
    assignment = Assignment.objects.get(matter=h.m2)
    for number, amount, status, issued in (
        ("F-1", "600.00", "approved", D(2026, 11, 15)),
        ("F-2", "250.00", "paid", D(2026, 11, 22)),
        ("F-3", "100.00", "submitted", D(2026, 11, 16)),
        ("F-4", "80.00", "rejected", D(2026, 11, 17)),
    ):
        FeeInvoice.objects.create(
            assignment=assignment, firm=h.firm, number=number, amount=Decimal(amount), issued_on=issued, status=status
        )

    # Tasks: 陈 one on time (done 00:30 on the 1st, Beijing: in the range), one late, one before the range,
    # one overdue, one open and not yet due; 孟 one overdue.
    task(h.m1, c, D(2026, 11, 10), done_at=at(D(2026, 11, 1), 0, 30))
    task(h.m1, c, D(2026, 11, 10), done_at=at(D(2026, 11, 12)))
    task(h.m1, c, D(2026, 10, 30), done_at=at(D(2026, 10, 31), 23, 50))
    task(h.m2, c, D(2026, 11, 20))
    task(h.m2, c, D(2026, 11, 25))
    task(h.m3, m, D(2026, 11, 21))

    Complaint.objects.create(matter=h.m1, kind="complaint", source="debtor", received_on=D(2026, 11, 4), summary="态度", created_by=c)
    Complaint.objects.create(matter=h.m2, kind="dispute", source="debtor", received_on=D(2026, 11, 22), summary="金额", created_by=c)
    Complaint.objects.create(matter=h.m3, kind="complaint", source="regulator", received_on=D(2026, 10, 31), summary="频繁", created_by=m)
    return h


@pytest.fixture(scope="module")
def history_rows(django_db_setup, django_db_blocker):
    with shared_rows(django_db_blocker, "kpi history"):
        yield build_history()


@pytest.fixture
def history(history_rows) -> History:
    return copy.deepcopy(history_rows)


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)
    return TODAY


def board_for(user, period: Period = MONTH, **filters):
    with translation.override("en"):
        return dashboard_figures(user=user, filters=Filters(**filters), today=TODAY, period=period)


def staff_of(board, *users) -> dict:
    rows = {row.user_id: row for row in board.staff}
    return {user.username: rows[user.pk] for user in users}


# Definitions ----------------------------------------------------------------------------------


def test_a_recovery_goes_to_the_last_outbound_channel_within_thirty_days(history):
    board = board_for(history.manager)
    channels = {row.key: (row.recoveries, row.recovered) for row in board.recovery_by_channel}
    assert channels == {
        "phone": (1, Decimal("1000.00")),  # the call 30 days before counts
        "letter": (1, Decimal("2000.00")),  # delivered after the call
        "visit": (1, Decimal("500.00")),  # the contact wins a same-day tie with a demand
        "enforcement": (1, Decimal("3000.00")),
        "none": (1, Decimal("400.00")),  # 31 days before, and inbound, do not count
    }
    assert [str(row.share) for row in board.recovery_by_channel] == ["0.1449", "0.2899", "0.0725", "0.4348", "0.0580"]
    assert [row.key for row in board.recovery_by_channel] == ["phone", "letter", "visit", "enforcement", "none"]


def test_a_recovery_goes_to_the_playbook_running_that_day(history):
    rows = board_for(history.manager).recovery_by_strategy
    with translation.override("en"):  # the recommendations' Chinese names come with the review's branch
        labelled = [(row.label, row.recoveries, row.recovered) for row in rows]
    assert labelled == [
        ("信用卡早期", 2, Decimal("4000.00")),
        ("诉前调解", 1, Decimal("2000.00")),  # the 11-20 payment came after the plan ended
        ("Review: Sue", 1, Decimal("500.00")),  # so the review's recommendation counts
        ("No strategy", 1, Decimal("400.00")),
    ]


def test_cost_to_collect_overall_per_firm_and_in_house(history):
    rows = board_for(history.manager).cost_to_collect
    figures = [(r.kind, r.name, r.recovered, r.costs, r.fees, r.net, r.ratio) for r in rows]
    assert figures == [
        ("all", "全部案件", Decimal("6900.00"), Decimal("500.00"), Decimal("850.00"), Decimal("5550.00"), Decimal("0.1957")),
        ("firm", "正衡律师事务所", Decimal("2500.00"), Decimal("200.00"), Decimal("850.00"), Decimal("1450.00"), Decimal("0.4200")),
        ("in_house", "自办", Decimal("4400.00"), Decimal("300.00"), Decimal("0.00"), Decimal("4100.00"), Decimal("0.0682")),
    ]  # fmt: skip


def test_staff_kpis_carry_compliance_measures_and_never_list_lawyers(history):
    board = board_for(history.manager)
    chen, meng, an = staff_of(board, history.counsel, history.manager, history.admin).values()
    assert (chen.name, chen.role, chen.matters_owned, chen.recovered) == ("陈律", "counsel", 2, Decimal("6500.00"))
    assert (chen.tasks_done, chen.tasks_on_time, chen.tasks_late, chen.tasks_overdue) == (2, 1, 1, 1)
    assert (chen.contacts, chen.overrides, chen.warnings) == (2, 1, 0)
    assert (chen.promises_kept, chen.promises_broken, chen.complaints, chen.disputes) == (0, 1, 1, 1)
    assert (meng.matters_owned, meng.recovered, meng.tasks_done, meng.tasks_overdue) == (1, Decimal("400.00"), 0, 1)
    assert (meng.contacts, meng.warnings, meng.promises_kept, meng.promises_broken) == (3, 1, 1, 0)
    assert (meng.complaints, an.matters_owned, an.contacts, an.recovered) == (0, 0, 0, Decimal("0.00"))
    assert history.lawyer.pk not in {row.user_id for row in board.staff}


def test_the_range_ends_are_both_counted(history):
    one_day = board_for(history.manager, Period(start=D(2026, 11, 22), end=D(2026, 11, 22)))
    assert [(r.key, r.recovered) for r in one_day.recovery_by_channel] == [("enforcement", Decimal("3000.00"))]
    assert one_day.cost_to_collect[0].fees == Decimal("250.00")
    october = board_for(history.manager, Period(start=D(2026, 10, 1), end=D(2026, 10, 31)))
    assert october.cost_to_collect[0].recovered == Decimal("700.00")
    assert october.cost_to_collect[0].costs == Decimal("50.00")
    chen = staff_of(october, history.counsel)["kpi_chen"]
    # The task done at 23:50 on 10-31 is October's; the one at 00:30 on 11-01 is not.
    assert (chen.tasks_done, chen.tasks_late, chen.contacts) == (1, 1, 2)


def test_a_range_parses_with_defaults_and_refuses_bad_dates():
    assert period_parse(today=TODAY) == MONTH
    assert period_parse(start="2026-01-01", end="", today=TODAY) == Period(D(2026, 1, 1), TODAY)
    assert period_parse(start="", end="2026-10-15", today=TODAY) == Period(D(2026, 10, 1), D(2026, 10, 15))
    for start, end, field in (("2026-13-01", "", "from"), ("20261101", "", "from"), ("", "yesterday", "to"),
                              ("2026-11-10", "2026-11-09", "to")):  # fmt: skip
        with pytest.raises(Exception) as caught:
            period_parse(start=start, end=end, today=TODAY)
        assert list(caught.value.message_dict) == [field]


# API ------------------------------------------------------------------------------------------


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_gives_staff_in_the_documented_shape(history, today):
    response = api(history.counsel).get("/api/v1/dashboard/", {"from": "2026-11-01", "to": "2026-11-22"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["period"] == {"from": "2026-11-01", "to": "2026-11-22"}
    chen = next(row for row in body["staff"] if row["user"]["id"] == history.counsel.pk)
    assert chen == {
        "user": {"id": history.counsel.pk, "username": "kpi_chen", "name": "陈律", "role": "counsel"},
        "matters_owned": 2, "tasks_done": 2, "tasks_done_on_time": 1, "tasks_done_late": 1, "tasks_overdue": 1,
        "contacts": 2, "promises_kept": 0, "promises_broken": 1, "recovered": "6500.00", "complaints": 1,
        "disputes": 1, "conduct_overrides": 1, "conduct_warnings": 0,
    }  # fmt: skip
    assert "kpi_lin" not in {row["user"]["username"] for row in body["staff"]}
    overall = {key: value for key, value in body["cost_to_collect"][0].items() if key != "name"}
    assert overall == {
        "kind": "all", "firm": None, "recovered": "6900.00", "costs": "500.00", "fees": "850.00", "net": "5550.00",
        "ratio": "0.1957",
    }  # fmt: skip
    assert {row["key"]: row["recovered"] for row in body["recovery_by_channel"]}["letter"] == "2000.00"


def test_the_api_refuses_a_bad_range_with_400_and_keeps_nothing(history, today, settings):
    settings.DASHBOARD_CACHE_SECONDS = 600
    for query, field in (({"from": "2026-11-31"}, "from"), ({"from": "2026-11-10", "to": "2026-11-01"}, "to")):
        response = api(history.counsel).get("/api/v1/dashboard/", query)
        assert response.status_code == 400
        assert list(response.json()) == [field]
    assert not DashboardSnapshot.objects.exists()


def test_a_lawyer_gets_no_staff_and_no_range_tables(history, today):
    body = api(history.lawyer).get("/api/v1/dashboard/").json()
    assert set(body) == {"as_of", "filters", "scorecards"}
    board = board_for(history.lawyer)
    assert board.staff is None and board.cost_to_collect is None


# The page and the export ------------------------------------------------------------------------


class Tables(HTMLParser):
    """The text of each cell of the tables in each ``<section id="dashboard-…">`` of a page."""

    def __init__(self):
        super().__init__()
        self.sections: dict[str, list[list[str]]] = {}
        self.section = None
        self.row = None
        self.cell = None
        self.in_body = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and (attrs.get("id") or "").startswith("dashboard-"):
            self.section = attrs["id"][len("dashboard-"):]
            self.sections[self.section] = []
        elif tag == "tbody":
            self.in_body = True
        elif tag == "tr" and self.in_body and self.section:
            self.row = []
        elif tag == "td" and self.row is not None:
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.sections[self.section].append(self.row)
            self.row = None
        elif tag == "tbody":
            self.in_body = False
        elif tag == "section":
            self.section = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def shown(value, kind: str) -> str:
    """An exported cell as the page writes it."""
    if value is None:
        return "—"
    if kind == "money":
        return f"{Decimal(value):,.2f}"
    if kind == "rate":
        return percent_text(Decimal(str(value)), RATIO_PLACES)
    return str(value)


def test_the_page_and_the_export_show_the_same_figures_in_every_table(history, today, client, settings):
    settings.DASHBOARD_CACHE_SECONDS = 600
    client.force_login(history.counsel)
    client.cookies["django_language"] = "en"
    query = {"from": "2026-11-01", "to": "2026-11-22"}
    page = client.get(reverse("dashboard"), query)
    assert page.status_code == 200
    # Money that arrives between the page and the export changes neither: both read the kept figures.
    recovery(history.m3, "12345.00", D(2026, 11, 21))
    export = client.get(reverse("dashboard_export", args=["all"]), query)
    assert export.status_code == 200
    workbook = load_workbook(io.BytesIO(export.content), read_only=True)
    board = page.context["board"]
    parser = Tables()
    parser.feed(page.content.decode())
    assert len(workbook.sheetnames) == len(board.tables) == 12
    for table, sheet in zip(board.tables, workbook.worksheets, strict=True):
        with translation.override("en"):
            columns, rows = table_rows(board, table)
        exported = [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]
        assert [str(c.header) for c in columns] == [cell for cell in next(sheet.iter_rows(max_row=1, values_only=True))]
        expected = [[_cell(value, column.kind) for value, column in zip(row, columns, strict=True)] for row in rows]
        assert exported == expected, table
        if table in NEW_TABLES:
            # And what the page prints: the same numbers, cell by cell.
            on_page = [row[-len(columns) + 1:] if table != "staff" else row[1:] for row in parser.sections[table]]
            numbers = [[shown(v, c.kind) for v, c in zip(row, columns, strict=True) if c.kind != "text"] for row in exported]
            assert on_page == numbers, table
    assert Decimal(str(workbook["Cost to collect"]["B2"].value)) == Decimal("6900.00")
    assert workbook["Staff KPIs"]["A1"].value == "Staff member"
    audit = AuditEvent.objects.get(target="dashboard:all")
    assert audit.detail["period"] == query


def _cell(value, kind: str):
    """A value as openpyxl reads it back from the export."""
    if value is None:
        return None
    if kind in ("money", "rate", "days"):
        return float(value)
    if kind in ("date", "month"):
        return dt.datetime.combine(value, dt.time())
    return value


def test_the_page_shows_the_range_form_the_definitions_and_no_staff_to_a_lawyer(history, today, client):
    client.force_login(history.manager)
    html = client.get(reverse("dashboard")).content.decode()
    assert 'name="from" value="2026-11-01"' in html and 'name="to" value="2026-11-22"' in html
    assert "本月" in html and "上月" in html and "本年" in html
    assert "最近触达渠道" in html and "collection.kpi@2011" in html
    assert 'id="dashboard-staff"' in html and "kpi_chen" in html and "kpi_lin" not in html
    client.force_login(history.lawyer)
    html = client.get(reverse("dashboard")).content.decode()
    assert 'id="dashboard-staff"' not in html and "kpi_chen" not in html
    assert client.get(reverse("dashboard_export", args=["staff"])).status_code == 403


def test_a_bad_range_on_the_page_says_so_in_chinese_and_an_export_answers_400(history, today, client, settings):
    settings.DASHBOARD_CACHE_SECONDS = 600
    client.force_login(history.counsel)
    response = client.get(reverse("dashboard"), {"from": "2026-11-10", "to": "2026-11-01"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "日期范围未应用" in html
    assert response.context["board"].period == MONTH  # this month instead
    assert not DashboardSnapshot.objects.filter(scope__contains="2026-11-10").exists()
    export = client.get(reverse("dashboard_export", args=["staff"]), {"from": "x"})
    assert export.status_code == 400
    assert not AuditEvent.objects.filter(target="dashboard:staff").exists()
