"""The stage move a fact proposes: one function for every proposal (API.md, "Stages and allowed moves").

Nothing moves a matter by itself. A proceeding recorded, a settlement agreed or
breached, and the last of the claim recovered each propose a move, which the pages
offer as a button and the API answers as ``proposed_stage``; a person makes it with
``matter_transition``. A move is proposed only when the table allows it from the
matter's stage now.
"""

from __future__ import annotations

from legalcase.models import PROCEEDING_STAGES, Matter, Proceeding, Settlement, Stage


def stage_proposal(
    matter: Matter,
    *,
    proceeding: Proceeding | None = None,
    settlement: Settlement | None = None,
    recovered: bool = False,
) -> str | None:
    """The stage one fact proposes for the matter, or None; give exactly one fact.

    ``proceeding``: the stage its kind leads to (``PROCEEDING_STAGES``). ``settlement``:
    ``settled`` while it is active or completed, ``enforcement`` once it is breached and
    the matter is flagged for resumed enforcement. ``recovered``: ``settled`` when
    nothing is outstanding any more.
    """
    if sum((proceeding is not None, settlement is not None, recovered)) != 1:
        raise TypeError("stage_proposal takes exactly one of proceeding, settlement and recovered")
    target = None
    if proceeding is not None:
        target = PROCEEDING_STAGES[proceeding.kind]
    elif settlement is not None:
        if settlement.status == Settlement.Status.BREACHED:
            target = Stage.ENFORCEMENT if matter.resumption_flagged_on else None
        elif settlement.status in (Settlement.Status.ACTIVE, Settlement.Status.COMPLETED):
            target = Stage.SETTLED
    elif matter.outstanding["total"] == 0:
        target = Stage.SETTLED
    return target if target is not None and target != matter.stage and matter.can_move_to(target) else None
