"""The one function that proposes a stage move (``legalcase.stages.stage_proposal``), fact by fact.

The pages and the API offer what it answers (their own tests check the buttons and the
``proposed_stage`` fields); here, the rules themselves and that nothing moves.
"""

import datetime as dt
from decimal import Decimal

import pytest

from legalcase.models import ALLOWED_MOVES, PROCEEDING_STAGES, Matter, Proceeding, Settlement, Stage
from legalcase.stages import stage_proposal
from tests.factories import make_matter

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("stage", Stage.values)
def test_a_proceeding_proposes_the_stage_its_kind_leads_to_when_the_table_allows(stage):
    matter = make_matter(stage=stage)

    proposals = {
        kind: stage_proposal(matter, proceeding=Proceeding(matter=matter, kind=kind)) for kind in Proceeding.Kind
    }

    assert proposals == {
        kind: PROCEEDING_STAGES[kind] if PROCEEDING_STAGES[kind] in ALLOWED_MOVES[stage] else None
        for kind in Proceeding.Kind
    }
    assert Matter.objects.get(pk=matter.pk).stage == stage


@pytest.mark.parametrize(
    ("status", "flagged", "stage", "expected"),
    [
        (Settlement.Status.ACTIVE, False, Stage.ENFORCEMENT, Stage.SETTLED),
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
    ],
)
def test_exactly_one_fact_is_given(facts):
    with pytest.raises(TypeError):
        stage_proposal(make_matter(), **facts)
