"""add_user and seed_demo, run as an operator would, through call_command."""

import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.utils import timezone

from legalcase.demo import CREDITORS, DEMO_PASSWORD, FIRMS
from legalcase.demo.tour import demo_tour
from legalcase.demo_money import AMC, PORTFOLIO_SOLD
from legalcase.identity import validate_resident_id, validate_uscc
from legalcase.models import (
    ALLOWED_MOVES,
    Assignment,
    Creditor,
    Deadline,
    FeeInvoice,
    Guarantee,
    Instalment,
    LawFirm,
    Matter,
    MatterEvent,
    Notification,
    Party,
    Portfolio,
    Proceeding,
    Recovery,
    Role,
    Settlement,
    Stage,
    User,
)
from legalcase.services.deadlines import deadlines_recompute_all
from legalcase.services.notifications import scope_matters
from tests.shared_rows import shared_rows

pytestmark = pytest.mark.django_db

STRONG = "Kestrel-lantern-58"


def add_user(*args, **options) -> str:
    out = StringIO()
    call_command("add_user", *args, stdout=out, **options)
    return out.getvalue()


def counts() -> tuple[int, int]:
    return User.objects.count(), LawFirm.objects.count()


# add_user: happy paths


@pytest.mark.parametrize("role", ["counsel", "manager"])
def test_add_user_creates_an_in_house_user_with_the_role(role):
    out = add_user("alice", role=role, password=STRONG)
    user = User.objects.get(username="alice")
    assert (user.role, user.firm, user.is_staff, user.is_superuser) == (role, None, False, False)
    assert user.check_password(STRONG)
    assert "Created user 'alice'" in out


def test_add_user_creates_a_lawyer_and_the_firm_it_names():
    out = add_user("bob", role="lawyer", firm="北京测试律师事务所", password=STRONG)
    user = User.objects.get(username="bob")
    assert user.role == Role.LAWYER
    assert user.firm == LawFirm.objects.get(name="北京测试律师事务所")
    assert "new firm created" in out


def test_add_user_puts_a_lawyer_in_an_existing_firm():
    firm = LawFirm.objects.create(name="上海测试律师事务所")
    add_user("carol", role="lawyer", firm="上海测试律师事务所", password=STRONG)
    assert User.objects.get(username="carol").firm == firm
    assert LawFirm.objects.count() == 1


def test_add_user_makes_an_admin_staff_and_superuser_for_the_django_admin():
    add_user("root", role="admin", password=STRONG)
    user = User.objects.get(username="root")
    assert (user.role, user.is_staff, user.is_superuser) == (Role.ADMIN, True, True)


def test_add_user_asks_for_the_password_twice_without_password(monkeypatch):
    answers = iter([STRONG, STRONG])
    monkeypatch.setattr("legalcase.management.commands.add_user.getpass", lambda prompt: next(answers))
    add_user("dave", role="counsel")
    assert User.objects.get(username="dave").check_password(STRONG)


# add_user: errors, each storing nothing


def assert_refused(message: str, *args, **options) -> None:
    before = counts()
    with pytest.raises(CommandError, match=message):
        add_user(*args, **options)
    assert counts() == before


def test_add_user_refuses_an_unknown_role():
    assert_refused(
        r"Unknown role 'judge': use one of counsel, lawyer, manager, admin", "erin", role="judge", password=STRONG
    )


def test_add_user_refuses_a_lawyer_without_a_firm():
    assert_refused(r"outside lawyer \(role lawyer\) needs --firm", "frank", role="lawyer", password=STRONG)


def test_add_user_refuses_a_firm_for_a_non_lawyer():
    assert_refused(r"--firm is only for outside lawyers", "grace", role="counsel", firm="某律所", password=STRONG)


def test_add_user_refuses_an_existing_username_whatever_its_case():
    add_user("heidi", role="counsel", password=STRONG)
    assert_refused(r"A user named 'Heidi' already exists", "Heidi", role="manager", password=STRONG)


def test_add_user_refuses_a_weak_password_and_creates_no_firm_either():
    assert_refused(r"Weak password: .*too common", "ivan", role="lawyer", firm="新律所", password="password")
    assert not LawFirm.objects.filter(name="新律所").exists()


def test_add_user_refuses_a_short_password():
    assert_refused(r"Weak password: .*too short", "judy", role="counsel", password="k3!x")


def test_add_user_refuses_two_different_typed_passwords(monkeypatch):
    answers = iter([STRONG, STRONG + "x"])
    monkeypatch.setattr("legalcase.management.commands.add_user.getpass", lambda prompt: next(answers))
    assert_refused("The two passwords do not match", "mallory", role="counsel")


# seed_demo


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The full demo, seeded once for the tests below (tests/shared_rows.py); its output."""
    with shared_rows(django_db_blocker, "seed_demo"):
        out = StringIO()
        call_command("seed_demo", stdout=out)
        yield out.getvalue()


def test_seed_demo_adds_matters_in_every_stage_a_user_per_role_creditors_and_firms(seeded):
    assert Matter.objects.count() >= 300
    assert set(Matter.objects.values_list("stage", flat=True)) == set(Stage.values)
    assert not Matter.objects.filter(stage=Stage.CLOSED, closing_reason="").exists()
    assert not Matter.objects.exclude(stage=Stage.CLOSED).exclude(closing_reason="").exists()
    roles = dict(User.objects.values_list("username", "role"))
    assert roles == {
        "counsel1": "counsel",
        "counsel2": "counsel",
        "lawyer1": "lawyer",
        "lawyer2": "lawyer",
        "manager1": "manager",
        "admin": "admin",
    }
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser and admin.check_password(DEMO_PASSWORD)
    assert User.objects.get(username="lawyer1").firm.name == FIRMS[0]
    assert User.objects.get(username="lawyer2").firm.name == FIRMS[1]
    assert set(Creditor.objects.values_list("uscc", flat=True)) == {c.uscc for c in CREDITORS} | {AMC["uscc"]}
    assert set(LawFirm.objects.values_list("name", flat=True)) == set(FIRMS)
    for username in ("counsel1", "lawyer2", "manager1"):
        assert username in seeded
    assert DEMO_PASSWORD in seeded


def test_seed_demo_gives_matters_a_history(seeded):
    assert set(Matter.objects.values_list("owner__role", flat=True)) == {Role.COUNSEL}
    assert Matter.objects.exclude(stage=Stage.INTAKE).filter(assigned_firm__isnull=False).count() > 150
    assert Assignment.objects.filter(ended_at__isnull=False).exists()
    for matter in Matter.objects.exclude(assigned_firm=None):
        assert matter.assignments.get(ended_at=None).firm_id == matter.assigned_firm_id
    assert MatterEvent.objects.filter(kind="stage_changed").count() > 300
    assert Guarantee.objects.filter(guarantee_type="joint").exists()
    assert Guarantee.objects.filter(guarantee_type="general").exists()
    assert Party.objects.filter(debts__isnull=False).distinct().count() < Matter.objects.count()


def test_seed_demo_has_fees_invoices_a_sold_portfolio_and_settlements_in_each_state(seeded):
    assert not Assignment.objects.filter(fee_arrangement__isnull=True).exists()
    assert set(FeeInvoice.objects.values_list("status", flat=True)) == {"submitted", "approved", "rejected", "paid"}
    sold = Portfolio.objects.get(name=PORTFOLIO_SOLD)
    assert sold.holder.uscc == AMC["uscc"] and sold.debts.count() == sold.transfers.get().claims.count() > 0
    assert not sold.debts.exclude(creditor=sold.holder).exists()
    statuses = dict(Settlement.objects.values_list("status").annotate(n=Count("id")))
    assert statuses == {"active": 3, "breached": 3, "completed": 3}
    late = Instalment.objects.filter(status="late", settlement__status="active").count()
    flagged = Matter.objects.filter(resumption_flagged_on__isnull=False).count()
    assert (late, flagged) == (3, 3)


def test_seed_demo_twice_adds_nothing_the_second_time(seeded):
    models = (User, LawFirm, Creditor, Party, Matter, Assignment, MatterEvent, Guarantee)
    before = [model.objects.count() for model in models]
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "demo data already present" in out.getvalue()
    assert [model.objects.count() for model in models] == before
    # make run prints the logins on every start, but only those that still work.
    assert "counsel1" in out.getvalue() and DEMO_PASSWORD in out.getvalue()
    counsel1 = User.objects.get(username="counsel1")
    counsel1.set_password("changed-by-its-owner-42")
    counsel1.save(update_fields=["password"])
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "counsel1" not in out.getvalue() and "manager1" in out.getvalue()


def test_seed_demo_identity_numbers_agree_with_gender_and_birth_date_and_credit_codes_are_valid(seeded):
    people = Party.objects.filter(kind=Party.Kind.PERSON)
    assert people.count() >= 300
    for party in people:
        validate_resident_id(party.id_number, gender=party.gender, birth_date=party.birth_date)
    for uscc in Creditor.objects.values_list("uscc", flat=True):
        validate_uscc(uscc)


def test_seed_demo_keeps_an_existing_user_of_the_same_role():
    add_user("counsel1", role="counsel", password=STRONG)
    out = StringIO()
    call_command("seed_demo", matters=20, stdout=out)
    assert User.objects.get(username="counsel1").check_password(STRONG)
    assert "counsel1" not in out.getvalue()  # its password is not the demo one


def test_seed_demo_refuses_an_existing_user_of_another_role_and_stores_nothing():
    add_user("admin", role="manager", password=STRONG)
    with pytest.raises(CommandError, match="user 'admin' exists with role 'manager'"):
        call_command("seed_demo", matters=20, stdout=StringIO())
    assert (Matter.objects.count(), Creditor.objects.count(), LawFirm.objects.count()) == (0, 0, 0)


def test_seed_demo_records_court_steps_enforcement_and_recoveries_through_the_services(seeded):
    from legalcase.models import (
        EnforcementAction,
        EventKind,
        Proceeding,
        Recovery,
        Ruling,
    )

    assert Proceeding.objects.filter(kind="first_instance").exists()
    assert Ruling.objects.filter(confirmed=True).exists()
    kinds = set(EnforcementAction.objects.values_list("kind", flat=True))
    assert {"freeze_deposit", "termination_current", "consumption_restriction"} <= kinds
    assert EnforcementAction.objects.filter(renews__isnull=False).exists()  # renewal chains
    assert Recovery.objects.exists()
    for matter in Matter.objects.filter(stage=Stage.CLOSED, closing_reason="recovered"):
        assert matter.outstanding["total"] == 0, matter.number
    # Every recorded step is on a timeline with who did it.
    assert MatterEvent.objects.filter(kind=EventKind.ENFORCEMENT_RECORDED, actor__isnull=False).exists()


# seed_demo as a new user meets it (issue 22): on the same seeded demo as above.


def test_seed_demo_prints_its_progress_the_tour_and_the_time_it_took(seeded):
    lines = seeded.splitlines()
    counted = [line for line in lines if line.startswith("演示数据：案件 ")]
    assert counted == [f"演示数据：案件 {n}/300 …" for n in range(30, 301, 30)]
    assert lines.index(counted[-1]) < lines.index("演示数据：律师费、资产包转让与和解 …")
    done = next(line for line in lines if line.startswith("演示数据：完成"))
    assert re.fullmatch(r"演示数据：完成，用时 \d+ 秒。", done)
    # The tour: a full court record, a breached settlement, a sold debt, each printed with its link.
    stops = demo_tour()
    assert len(stops) == 3
    for stop in stops:
        assert f"{stop.number}  /matters/{stop.matter_id}/  {stop.shows}" in seeded
    rich, breached, sold = (Matter.objects.get(pk=stop.matter_id) for stop in stops)
    assert rich.stage == Stage.ENFORCEMENT
    assert rich.rulings.filter(confirmed=True).exists() and rich.proceedings.filter(kind="first_instance").exists()
    assert rich.enforcement_actions.filter(renews__isnull=False).exists() and rich.recoveries.exists()
    assert breached.settlements.get().status == Settlement.Status.BREACHED
    assert sold.debt.original_creditor is not None and sold.debt.creditor.name == "华东明远资产管理有限公司"


def test_seed_demo_dates_every_timeline_entry_when_it_happened_in_the_story(seeded):
    now = timezone.now()
    first, last = MatterEvent.objects.order_by("at").first().at, MatterEvent.objects.order_by("at").last().at
    assert last - first > dt.timedelta(days=365)
    assert not MatterEvent.objects.filter(at__gt=now).exists()
    # Escalations are spread out too, each the matter's first entry.
    created = list(Matter.objects.values_list("created_at", flat=True))
    assert max(created) - min(created) > dt.timedelta(days=365)
    for matter in Matter.objects.all():
        events = list(matter.events.order_by("at", "id"))
        assert events[0].kind == "created" and events[0].at == matter.created_at, matter.number
        # In the order of time, the stage moves are a path the stage table allows.
        stage = Stage.INTAKE
        for event in events:
            if event.kind == "stage_changed":
                assert event.new["stage"] in ALLOWED_MOVES[stage], matter.number
                stage = event.new["stage"]
        assert stage == matter.stage
        moves = [event.at for event in events if event.kind == "stage_changed"]
        assert matter.stage_changed_at == max(moves, default=matter.created_at)
        # In office hours, China time.
        for event in events:
            local = timezone.localtime(event.at)
            assert dt.time(8, 0) <= local.time() <= dt.time(18, 0) or local.date() == timezone.localdate(now)
    # Entries that record a day are on that day (today's at the latest).
    today = timezone.localdate(now)
    for event in MatterEvent.objects.filter(kind="proceeding_recorded"):
        filed = dt.date.fromisoformat(event.new["filed_on"])
        assert timezone.localdate(event.at) == min(filed, today)
        assert Proceeding.objects.get(pk=event.new["proceeding"]).filed_on == filed
    for event in MatterEvent.objects.filter(kind="recovery_recorded"):
        received = Recovery.objects.get(pk=event.new["recovery"]).received_on
        assert timezone.localdate(event.at) == min(received, today)
    # A deadline closed by a filing is closed on the filing day, after the matter was escalated.
    for event in MatterEvent.objects.filter(kind="deadline_closed", new__has_key="proceeding"):
        filed = Proceeding.objects.get(pk=event.new["proceeding"]).filed_on
        assert timezone.localdate(event.at) == filed


def test_seed_demo_leaves_notifications_for_what_is_due_and_deadlines_in_step(seeded):
    today = timezone.localdate()
    overdue = Deadline.objects.filter(superseded_at__isnull=True, status="open", due_on__lt=today)
    assert overdue.exists()
    counsel1 = User.objects.get(username="counsel1")
    notified = Notification.objects.filter(user=counsel1, kind="overdue")
    expected = overdue.filter(matter__in=scope_matters(counsel1, "mine"))
    assert set(notified.values_list("deadline_id", flat=True)) == set(expected.values_list("pk", flat=True))
    assert expected.count() > 10
    # The deadlines recomputed together at the end are those the facts give: nothing to change.
    assert deadlines_recompute_all() == {"matters": 300, "created": 0, "superseded": 0, "updated": 0}


def test_the_demo_files_claims_with_its_creditors_forums_and_fills_the_loan_terms(seeded):
    # Was in test_forums.py on a seeding of its own (120 matters); the full demo has them all.
    from legalcase.demo import FORUMS
    from legalcase.models import Debt

    with_forum = Matter.objects.exclude(forum=None)
    assert with_forum.exists()
    assert set(with_forum.values_list("forum__name", flat=True)) <= set(FORUMS.values())
    assert not Matter.objects.filter(stage="intake").exclude(forum=None).exists()
    for debt in Debt.objects.all():
        assert debt.loan_amount >= debt.principal and debt.disbursed_on >= debt.contract_date and debt.branch
        if debt.product == "loan":
            assert debt.repayment_method in Debt.RepaymentMethod.values and debt.term_ends_on > debt.contract_date
