"""The one function that proposes a stage move (``legalcase.stages.stage_proposal``), fact by fact.

The pages and the API offer what it answers (their own tests check the buttons and the
``proposed_stage`` fields; the judgment and settled cases are checked on the page here);
here, the rules themselves, that nothing moves, and that no proposal goes back from any
stage whatever the facts (issue 17, item 6).
"""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from legalcase.models import (
    ALLOWED_MOVES,
    PROCEEDING_STAGES,
    Matter,
    Proceeding,
    Role,
    Ruling,
    Settlement,
    Stage,
)
from legalcase.services import matter_deadlines_recompute, proceeding_record
from legalcase.services.settlements import settlement_record
from legalcase.stages import STAGE_RANK, is_forward, stage_proposal
from tests.factories import make_matter, make_user

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
D = dt.date
# A first-instance judgment served 2025-09-20, 10 days to perform (LEGAL_RULES section 2's
# worked chain): appeal period to 2025-10-09 (National Day), effective 2025-10-10, to
# perform by 2025-10-20.
PERFORMANCE_ENDS = D(2025, 10, 20)


def judgment(matter: Matter, *, kind: str = Ruling.Kind.JUDGMENT, confirmed: bool = True) -> Ruling:
    ruling = Ruling.objects.create(
        matter=matter,
        kind=kind,
        case_number="（2025）京0105民初30001号",
        decided_on=D(2025, 9, 10),
        served_on=D(2025, 9, 20),
        appealable=True,
        performance_days=10,
        principal_awarded=Decimal("48230.55"),
        confirmed=confirmed,
        confirmed_at=timezone.now() if confirmed else None,
    )
    matter_deadlines_recompute(matter_id=matter.pk)
    return ruling


def test_the_judgments_chain_gives_the_performance_end_the_proposal_reads():
    matter = make_matter(stage=Stage.JUDGMENT)
    judgment(matter)
    assert matter.deadlines.get(kind="performance_end", superseded_at__isnull=True).due_on == PERFORMANCE_ENDS


# Proceedings -----------------------------------------------------------------------------


@pytest.mark.parametrize("stage", Stage.values)
def test_a_new_proceeding_proposes_the_stage_its_kind_leads_to_only_forward(stage):
    matter = make_matter(stage=stage)

    proposals = {
        kind: stage_proposal(matter, proceeding=Proceeding(matter=matter, kind=kind)) for kind in Proceeding.Kind
    }

    expected = {
        kind: PROCEEDING_STAGES[kind]
        if stage != Stage.SETTLED
        and PROCEEDING_STAGES[kind] in ALLOWED_MOVES[stage]
        and STAGE_RANK[PROCEEDING_STAGES[kind]] >= STAGE_RANK[stage]
        else None
        for kind in Proceeding.Kind
    }
    assert proposals == expected
    assert Matter.objects.get(pk=matter.pk).stage == stage


def test_at_judgment_no_proceeding_proposes_litigation_not_even_an_appeal():
    matter = make_matter(stage=Stage.JUDGMENT)
    for kind in (Proceeding.Kind.FIRST_INSTANCE, Proceeding.Kind.APPEAL, Proceeding.Kind.SMALL_CLAIMS):
        assert stage_proposal(matter, proceeding=Proceeding(matter=matter, kind=kind)) is None
    assert stage_proposal(matter, proceeding=Proceeding(matter=matter, kind="enforcement")) == Stage.ENFORCEMENT


def test_a_proceeding_filed_before_the_stage_was_reached_proposes_nothing():
    # 终本 on 2026-05-10: the enforcement filed in 2025 is what came before it, not a resumption.
    matter = make_matter(stage=Stage.ENFORCEMENT_TERMINATED)
    Matter.objects.filter(pk=matter.pk).update(stage_changed_at=dt.datetime(2026, 5, 10, 9, tzinfo=dt.UTC))
    matter.refresh_from_db()
    old = Proceeding(matter=matter, kind="enforcement", filed_on=D(2025, 11, 3))
    resumed = Proceeding(matter=matter, kind="resumed_enforcement", filed_on=D(2026, 5, 10))
    assert stage_proposal(matter, proceeding=old) is None
    assert stage_proposal(matter, proceeding=resumed) == Stage.ENFORCEMENT


# Rulings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (PERFORMANCE_ENDS, None),  # the last day to perform: not yet in default
        (PERFORMANCE_ENDS + dt.timedelta(days=1), Stage.ENFORCEMENT),
    ],
)
def test_a_confirmed_judgment_unpaid_after_the_performance_period_proposes_enforcement(today, expected):
    matter = make_matter(stage=Stage.JUDGMENT)
    ruling = judgment(matter)
    assert stage_proposal(matter, ruling=ruling, today=today) == expected


def test_a_judgment_paid_unconfirmed_or_appealed_proposes_nothing():
    after = PERFORMANCE_ENDS + dt.timedelta(days=30)
    matter = make_matter(stage=Stage.JUDGMENT)
    assert stage_proposal(matter, ruling=judgment(matter, confirmed=False), today=after) is None

    matter = make_matter(stage=Stage.JUDGMENT)
    ruling = judgment(matter)
    matter.recovered_principal, matter.recovered_interest = matter.debt.principal, matter.outstanding["interest"]
    assert matter.outstanding["total"] == 0
    assert stage_proposal(matter, ruling=ruling, today=after) is None

    matter = make_matter(stage=Stage.JUDGMENT)
    ruling = judgment(matter)
    Proceeding.objects.create(matter=matter, kind="appeal", filed_on=D(2025, 10, 8))
    assert stage_proposal(matter, ruling=ruling, today=after) is None


@pytest.mark.parametrize(
    ("stage", "kind", "expected"),
    [
        (Stage.LITIGATION, Ruling.Kind.JUDGMENT, Stage.JUDGMENT),
        (Stage.ARBITRATION, Ruling.Kind.ARBITRAL_AWARD, Stage.JUDGMENT),
        (Stage.LITIGATION, Ruling.Kind.RULING, None),  # a 裁定 (dismissal, jurisdiction) orders no payment
        (Stage.ENFORCEMENT, Ruling.Kind.JUDGMENT, None),
        (Stage.SETTLED, Ruling.Kind.JUDGMENT, None),
    ],
)
def test_a_confirmed_instrument_takes_litigation_or_arbitration_to_judgment(stage, kind, expected):
    matter = make_matter(stage=stage)
    assert stage_proposal(matter, ruling=judgment(matter, kind=kind)) == expected


# Settlements -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "flagged", "stage", "expected"),
    [
        (Settlement.Status.ACTIVE, False, Stage.ENFORCEMENT, Stage.SETTLED),
        (Settlement.Status.ACTIVE, False, Stage.SETTLED, None),  # performing on schedule: nothing
        (Settlement.Status.COMPLETED, False, Stage.JUDGMENT, Stage.SETTLED),
        (Settlement.Status.ACTIVE, False, Stage.CLOSED, None),
        (Settlement.Status.BREACHED, True, Stage.SETTLED, Stage.ENFORCEMENT),
        (Settlement.Status.BREACHED, True, Stage.ENFORCEMENT_TERMINATED, Stage.ENFORCEMENT),
        # Not flagged for resumed enforcement (it resumed and the flag was cleared).
        (Settlement.Status.BREACHED, False, Stage.SETTLED, None),
        (Settlement.Status.BREACHED, True, Stage.ENFORCEMENT, None),
        (Settlement.Status.CANCELLED, False, Stage.ENFORCEMENT, None),
    ],
)
def test_a_settlement_proposes_settled_while_it_runs_and_enforcement_after_a_breach(status, flagged, stage, expected):
    matter = make_matter(stage=stage)
    matter.resumption_flagged_on = dt.date(2026, 3, 2) if flagged else None
    settlement = Settlement(matter=matter, status=status)

    assert stage_proposal(matter, settlement=settlement) == expected


def test_a_settlement_being_performed_silences_proceedings_and_rulings():
    counsel = make_user(Role.COUNSEL)
    matter = make_matter(stage=Stage.JUDGMENT)
    ruling = judgment(matter)
    settlement_record(
        user=counsel, matter_id=matter.pk, agreed_on=D(2025, 11, 1), reduction=Decimal("0.00"),
        count=1, first_due_on=timezone.localdate() + dt.timedelta(days=20),
    )  # fmt: skip
    matter = Matter.objects.get(pk=matter.pk)
    assert stage_proposal(matter, ruling=ruling) is None
    assert stage_proposal(matter, proceeding=Proceeding(matter=matter, kind="enforcement")) is None


@pytest.mark.parametrize(("stage", "expected"), [(Stage.ENFORCEMENT, Stage.SETTLED), (Stage.SETTLED, None)])
def test_the_last_of_the_claim_recovered_proposes_settled(stage, expected):
    matter = make_matter(stage=stage)
    assert stage_proposal(matter, recovered=True) is None  # the claim is still owed

    total = matter.outstanding["total"]
    matter.recovered_principal, matter.recovered_interest = matter.debt.principal, total - matter.debt.principal
    assert matter.outstanding["total"] == Decimal("0.00")
    assert stage_proposal(matter, recovered=True) == expected


@pytest.mark.parametrize(
    "facts",
    [
        {},
        {"recovered": True, "settlement": Settlement(status="active")},
        {"proceeding": Proceeding(kind="appeal"), "recovered": True},
        {"ruling": Ruling(kind="judgment"), "proceeding": Proceeding(kind="appeal")},
    ],
)
def test_exactly_one_fact_is_given(facts):
    with pytest.raises(TypeError):
        stage_proposal(make_matter(), **facts)


# No proposal goes back -------------------------------------------------------------------------


def _facts(matter: Matter, ruling: Ruling):
    """Every kind of fact, in every state that matters, for the matter (unsaved where they need not be)."""
    for kind in Proceeding.Kind:
        yield {"proceeding": Proceeding(matter=matter, kind=kind)}
    for status in Settlement.Status:
        yield {"settlement": Settlement(matter=matter, status=status)}
    yield {"ruling": ruling}
    yield {"recovered": True}


@pytest.mark.parametrize("stage", Stage.values)
def test_no_fact_ever_proposes_a_move_back_or_one_the_table_refuses(stage):
    proposals = set()
    for kind, flagged, paid, today in itertools.product(
        (Ruling.Kind.JUDGMENT, Ruling.Kind.RULING),
        (True, False),
        (True, False),
        (PERFORMANCE_ENDS, PERFORMANCE_ENDS + dt.timedelta(days=1)),
    ):
        matter = make_matter(stage=stage)
        ruling = judgment(matter, kind=kind)
        matter.resumption_flagged_on = D(2026, 3, 2) if flagged else None
        if paid:
            matter.recovered_principal = matter.debt.principal
            matter.recovered_interest = matter.outstanding["interest"]
        for facts in _facts(matter, ruling):
            target = stage_proposal(matter, **facts, **({"today": today} if "ruling" in facts else {}))
            if target is None:
                continue
            proposals.add(target)
            assert target in ALLOWED_MOVES[stage], (stage, facts, target)
            assert is_forward(stage, target) and STAGE_RANK[target] >= STAGE_RANK[stage], (stage, facts, target)
            assert (stage, target) != (Stage.JUDGMENT, Stage.LITIGATION)
    if stage == Stage.JUDGMENT:
        assert proposals == {Stage.ENFORCEMENT, Stage.SETTLED}
    if stage == Stage.CLOSED:
        assert proposals == set()


# The page's primary buttons ---------------------------------------------------------------------


def primary_buttons(client, matter) -> list[str]:
    """The labels of the primary move buttons of the proceedings, rulings and settlements sections."""
    labels = []
    for name in ("proceedings_section", "rulings_section", "settlements_section", "recoveries_section"):
        html = client.get(reverse(name, args=[matter.pk]), **HTMX).content.decode()
        labels += [label.strip() for label in _primary(html)]
    return labels


def _primary(html: str) -> list[str]:
    import re

    return re.findall(r'<button type="submit" class="btn primary small">→ ([^<]+)</button>', html)


def test_a_judgment_stage_matter_offers_enforcement_not_litigation(client):
    counsel = make_user(Role.COUNSEL)
    client.force_login(counsel)
    matter = make_matter(stage=Stage.JUDGMENT)
    proceeding_record(user=counsel, matter_id=matter.pk, kind="first_instance", filed_on=D(2025, 3, 3))
    Matter.objects.filter(pk=matter.pk).update(stage_changed_at=dt.datetime(2025, 10, 10, 9, tzinfo=dt.UTC))
    judgment(matter)

    assert primary_buttons(client, matter) == ["执行"]
    html = client.get(reverse("rulings_section", args=[matter.pk]), **HTMX).content.decode()
    assert "2025-10-20" in html and "52,558.05" in html


def test_a_settled_matter_paying_on_schedule_is_not_pushed_to_enforcement(client):
    counsel = make_user(Role.COUNSEL)
    client.force_login(counsel)
    matter = make_matter(stage=Stage.ENFORCEMENT)
    proceeding_record(user=counsel, matter_id=matter.pk, kind="enforcement", filed_on=D(2025, 11, 3))
    judgment(matter)
    settlement_record(
        user=counsel, matter_id=matter.pk, agreed_on=timezone.localdate() - dt.timedelta(days=40),
        reduction=Decimal("0.00"), count=3, first_due_on=timezone.localdate() + dt.timedelta(days=20),
    )  # fmt: skip
    Matter.objects.filter(pk=matter.pk).update(stage=Stage.SETTLED, stage_changed_at=timezone.now())

    assert primary_buttons(client, matter) == []
