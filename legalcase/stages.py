"""The stage move a fact proposes: one function for every proposal (API.md, "Stages and allowed moves").

Nothing moves a matter by itself. A proceeding recorded, a ruling confirmed, a settlement
agreed or breached, and the last of the claim recovered each propose a move, which the
pages offer as a button and the API answers as ``proposed_stage``; a person makes it
with ``matter_transition``. A move is proposed only when the table allows it from the
matter's stage now, and only forward (``STAGE_RANK``): the table's one move back,
``judgment`` → ``litigation``, is for an appeal or a retrial, which a person decides,
and is never proposed. While a settlement is being performed nothing but the
settlement proposes (执行和解规定 Art. 11: enforcement is not resumed against a debtor
paying on schedule), and a settled matter moves on only when its settlement is breached.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from legalcase.models import (
    ALLOWED_MOVES,
    PROCEEDING_STAGES,
    Deadline,
    DeadlineKind,
    Matter,
    Proceeding,
    Ruling,
    Settlement,
    Stage,
)

# How far along a matter is. A proposal never lowers it. Arbitration and litigation are
# alternatives, and enforcement, 终本 and settlement alternate with one another (resuming
# after 终本 or after a breached settlement is the next step, not a step back).
STAGE_RANK: dict[str, int] = {
    Stage.INTAKE: 0,
    Stage.PRE_LITIGATION: 1,
    Stage.PRESERVATION: 2,
    Stage.ARBITRATION: 3,
    Stage.LITIGATION: 3,
    Stage.JUDGMENT: 4,
    Stage.ENFORCEMENT: 5,
    Stage.ENFORCEMENT_TERMINATED: 5,
    Stage.SETTLED: 5,
    Stage.CLOSED: 6,
}

# The instruments that order payment: confirmed, they take a matter to the judgment stage.
PAYING_INSTRUMENTS = frozenset(
    {Ruling.Kind.JUDGMENT, Ruling.Kind.MEDIATION, Ruling.Kind.ARBITRAL_AWARD, Ruling.Kind.PAYMENT_ORDER}
)


def is_forward(stage: str, target: str) -> bool:
    """Whether the table allows ``stage`` → ``target`` and it does not go back (``STAGE_RANK``)."""
    return target != stage and target in ALLOWED_MOVES[stage] and STAGE_RANK[target] >= STAGE_RANK[stage]


def stage_proposal(
    matter: Matter,
    *,
    proceeding: Proceeding | None = None,
    settlement: Settlement | None = None,
    ruling: Ruling | None = None,
    recovered: bool = False,
    today: dt.date | None = None,
) -> str | None:
    """The stage one fact proposes for the matter, or None; give exactly one fact.

    ``proceeding``: the stage its kind leads to (``PROCEEDING_STAGES``); a move sideways
    (终本 back to enforcement) only for a proceeding filed (or, without a filing date,
    recorded) on or after the day the matter reached its stage, since an older one is
    what came before it. ``ruling`` (confirmed): from
    litigation or arbitration, ``judgment`` for an instrument ordering payment; at
    judgment, ``enforcement`` once the performance period has ended (``today``: Beijing's
    by default) with money still outstanding and no appeal pending. ``settlement``:
    ``settled`` while it is performed or completed (unless the matter is settled
    already), ``enforcement`` once breached and the matter flagged for resumed
    enforcement. ``recovered``: ``settled`` when nothing is outstanding any more.
    """
    if sum((proceeding is not None, settlement is not None, ruling is not None, recovered)) != 1:
        raise TypeError("stage_proposal takes exactly one of proceeding, settlement, ruling and recovered")
    target = None
    if settlement is not None:
        target = _settlement_target(matter, settlement)
    elif recovered:
        target = Stage.SETTLED if matter.outstanding["total"] == 0 else None
    elif matter.stage == Stage.SETTLED or _being_performed(matter):
        target = None
    elif proceeding is not None:
        target = PROCEEDING_STAGES[proceeding.kind]
        if STAGE_RANK[target] == STAGE_RANK[matter.stage] and not _after_stage_reached(matter, proceeding):
            target = None  # the enforcement before a 终本 does not resume it
    else:
        target = _ruling_target(matter, ruling, today or timezone.localdate())
    return target if target is not None and is_forward(matter.stage, target) else None


def _settlement_target(matter: Matter, settlement: Settlement) -> str | None:
    if settlement.status == Settlement.Status.BREACHED:
        return Stage.ENFORCEMENT if matter.resumption_flagged_on else None
    if settlement.status in (Settlement.Status.ACTIVE, Settlement.Status.COMPLETED):
        return Stage.SETTLED
    return None


def _being_performed(matter: Matter) -> bool:
    """Whether the matter has a settlement being performed (one query, kept on the instance)."""
    if not hasattr(matter, "_settlement_being_performed"):
        matter._settlement_being_performed = (
            matter.pk is not None and matter.settlements.filter(status=Settlement.Status.ACTIVE).exists()
        )
    return matter._settlement_being_performed


def _after_stage_reached(matter: Matter, proceeding: Proceeding) -> bool:
    """Whether the proceeding is news to the stage: filed (else recorded) on or after the day the stage was reached."""
    day = proceeding.filed_on or timezone.localdate(proceeding.created_at)
    return day >= timezone.localdate(matter.stage_changed_at)


def _ruling_target(matter: Matter, ruling: Ruling, today: dt.date) -> str | None:
    if not ruling.confirmed or ruling.kind not in PAYING_INSTRUMENTS:
        return None
    if matter.stage != Stage.JUDGMENT:
        return Stage.JUDGMENT
    if matter.outstanding["total"] <= 0 or _appeal_pending(matter, ruling):
        return None
    performed_by = _performance_ends(matter)
    return Stage.ENFORCEMENT if performed_by is not None and performed_by < today else None


def _performance_ends(matter: Matter) -> dt.date | None:
    """The last day to perform under the confirmed instrument: the end of its period, else the day it took effect.

    Read from the matter's current deadline rows, so a lawyer's override (the court's
    own date) counts.
    """
    rows = dict(
        Deadline.objects.filter(
            matter=matter,
            superseded_at__isnull=True,
            kind__in=(DeadlineKind.PERFORMANCE_END, DeadlineKind.JUDGMENT_EFFECTIVE),
        ).values_list("kind", "due_on")
    )
    return rows.get(DeadlineKind.PERFORMANCE_END) or rows.get(DeadlineKind.JUDGMENT_EFFECTIVE)


def _appeal_pending(matter: Matter, ruling: Ruling) -> bool:
    """An appeal not closed, filed (else recorded) on or after the day the ruling was decided (else recorded)."""
    since = ruling.decided_on or timezone.localdate(ruling.created_at)
    for filed_on, created_at in matter.proceedings.filter(
        kind=Proceeding.Kind.APPEAL, closed_on__isnull=True
    ).values_list("filed_on", "created_at"):
        if (filed_on or timezone.localdate(created_at)) >= since:
            return True
    return False
