"""Use cases that change matters: open, move, assign, set owner and forum, reveal, bulk actions.

Each is atomic, keyword-only and records an event. The web views, the API, management
commands and the workers all call these.
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from legalcase.access import access_matter, can, visible_matters
from legalcase.events import record_event
from legalcase.jobs import JobReporter, job_create
from legalcase.models import (
    ALLOWED_MOVES,
    Assignment,
    ClosingReason,
    Debt,
    EventKind,
    Forum,
    Guarantee,
    Job,
    LawFirm,
    Matter,
    MatterNumberCounter,
    Role,
    Stage,
    User,
    holiday_calendar_held,
)
from legalcase.services.tasks import stage_tasks_move


class StageConflict(Exception):
    """A move that the table of allowed moves does not permit from the current stage."""

    def __init__(self, matter: Matter, to: str):
        super().__init__(
            _("A matter in stage “%(current)s” cannot move to “%(to)s”.")
            % {"current": matter.get_stage_display(), "to": Stage(to).label if to in Stage.values else to}
        )
        self.stage = matter.stage


def matter_number_allocate(*, year: int, count: int = 1) -> list[str]:
    """Hand out ``count`` consecutive matter numbers of ``year``; safe under concurrent callers.

    One upsert: it takes the year's row lock, so concurrent callers queue here, and
    returns the new last number (PostgreSQL, and SQLite from 3.35).
    """
    table = MatterNumberCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (year, last) VALUES (%s, %s) "
            f"ON CONFLICT (year) DO UPDATE SET last = {table}.last + EXCLUDED.last RETURNING last",
            [year, count],
        )
        last = cursor.fetchone()[0]
    return [f"FS-{year}-{n:06d}" for n in range(last - count + 1, last + 1)]


@transaction.atomic
def matter_open(*, debt: Debt, actor: User | None, owner: User | None = None, stage: str = Stage.INTAKE) -> Matter:
    """Open a matter for a debt, with the next number of the year."""
    now = timezone.now()
    (number,) = matter_number_allocate(year=timezone.localdate(now).year)
    matter = Matter.objects.create(
        number=number,
        debt=debt,
        debtor_name=debt.debtor.name,
        claim_total=debt.claim_total,
        owner=owner,
        stage=stage,
        created_at=now,
        stage_changed_at=now,
    )
    # The guarantees recorded before the matter was opened point at it now (``Guarantee.matter``).
    Guarantee.objects.filter(debt=debt).update(matter=matter)
    record_event(matter=matter, actor=actor, kind=EventKind.CREATED, new={"number": number, "stage": stage})
    return matter


@transaction.atomic
def matter_transition(
    *, user: User, matter_id: int, to: str, note: str = "", reason: str = "", stage_tasks: bool = True
) -> Matter:
    """Move a matter to another stage if API.md's table allows it; its stage tasks follow (``stage_tasks_move``).

    Raises ValidationError for an unknown stage or a missing closing reason, and
    StageConflict when the move is not in the table. ``stage_tasks=False``: the caller
    makes the tasks itself, for many matters at once (the bulk move).
    """
    # Access first: a matter the user may not see answers 404 whatever the request says.
    matter = access_matter(user, matter_id, action="move_stage", for_update=True)
    if to not in Stage.values:
        raise ValidationError({"to": _("Unknown stage.")})
    if to not in ALLOWED_MOVES[matter.stage]:
        raise StageConflict(matter, to)
    if to == Stage.CLOSED:
        if not reason:
            raise ValidationError({"reason": _("Closing a matter needs a reason.")})
        if reason not in ClosingReason.values:
            raise ValidationError({"reason": _("Unknown closing reason “%(reason)s”.") % {"reason": reason}})
    elif reason:
        raise ValidationError({"reason": _("A reason is given only when closing a matter.")})
    old = matter.stage
    matter.stage = to
    matter.closing_reason = reason if to == Stage.CLOSED else ""
    matter.stage_changed_at = timezone.now()
    fields = ["stage", "closing_reason", "stage_changed_at"]
    if to == Stage.ENFORCEMENT and matter.resumption_flagged_on is not None:
        # A breached settlement's flag is answered: enforcement has resumed.
        matter.resumption_flagged_on = None
        fields.append("resumption_flagged_on")
    matter.save(update_fields=fields)
    record_event(
        matter=matter,
        actor=user,
        kind=EventKind.STAGE_CHANGED,
        old={"stage": old},
        new={"stage": to, **({"reason": reason} if reason else {})},
        note=note,
    )
    if stage_tasks:
        stage_tasks_move(actor=user, matters=[matter])
    return matter


@transaction.atomic
def matter_assign_firm(*, user: User, matter_id: int, firm_id: int) -> Matter:
    """Instruct a firm on the matter; the previously assigned firm loses access at once."""
    matter = access_matter(user, matter_id, action="assign", for_update=True)
    try:
        firm = LawFirm.objects.get(pk=firm_id)
    except (LawFirm.DoesNotExist, ValueError, TypeError):
        raise ValidationError({"firm": _("No such law firm.")}) from None
    if matter.assigned_firm_id == firm.pk:
        return matter
    previous = _end_current_assignment(matter=matter, user=user)
    Assignment.objects.create(matter=matter, firm=firm, started_by=user)
    matter.assigned_firm = firm
    matter.save(update_fields=["assigned_firm"])
    record_event(
        matter=matter,
        actor=user,
        kind=EventKind.FIRM_ASSIGNED,
        old={"firm": previous.name} if previous else None,
        new={"firm": firm.name, "firm_id": firm.pk},
    )
    return matter


@transaction.atomic
def matter_unassign_firm(*, user: User, matter_id: int) -> Matter:
    """End the current assignment; the firm's lawyers lose access on their next request."""
    matter = access_matter(user, matter_id, action="assign", for_update=True)
    previous = _end_current_assignment(matter=matter, user=user)
    if previous is None:
        return matter
    matter.assigned_firm = None
    matter.save(update_fields=["assigned_firm"])
    record_event(matter=matter, actor=user, kind=EventKind.FIRM_UNASSIGNED, old={"firm": previous.name})
    return matter


def _end_current_assignment(*, matter: Matter, user: User) -> LawFirm | None:
    current = matter.assignments.filter(ended_at__isnull=True).select_related("firm").first()
    if current is None:
        return None
    current.ended_at = timezone.now()
    current.ended_by = user
    current.save(update_fields=["ended_at", "ended_by"])
    return current.firm


@transaction.atomic
def matter_set_owner(*, user: User, matter_id: int, owner_id: int | None) -> Matter:
    """Make an in-house counsel (or administrator) the matter's owner, or clear the owner."""
    matter = access_matter(user, matter_id, action="set_owner", for_update=True)
    owner = None
    if owner_id is not None:
        owner = User.objects.filter(pk=owner_id, is_active=True, role__in=[Role.COUNSEL, Role.ADMIN]).first()
        if owner is None:
            raise ValidationError({"owner": _("The owner must be an active in-house counsel.")})
    if matter.owner_id == (owner.pk if owner else None):
        return matter
    previous = matter.owner
    matter.owner = owner
    matter.save(update_fields=["owner"])
    # The username for machines, the name for the reader (older entries hold the username only).
    record_event(
        matter=matter,
        actor=user,
        kind=EventKind.OWNER_CHANGED,
        old={"owner": previous.username if previous else None, "owner_name": previous.display_name if previous else None},
        new={"owner": owner.username if owner else None, "owner_name": owner.display_name if owner else None},
    )
    return matter


@transaction.atomic
def matter_reveal_debtor(*, user: User, matter_id: int, purpose: str = "") -> Matter:
    """Record that the user saw the matter's unmasked personal data, and why; return the matter."""
    matter = access_matter(user, matter_id, action="reveal")
    record_event(matter=matter, actor=user, kind=EventKind.DEBTOR_REVEALED, note=purpose.strip()[:500])
    return matter


# A bulk move commits this many matters at a time, with their stage tasks made in one go.
BULK_MOVE_CHUNK = 100


def matters_bulk_apply(*, job: Job, report: JobReporter) -> dict:
    """Apply one action to many matters (a job handler); each matter succeeds or fails alone.

    The actor's access is checked again for every matter when the job runs. Each
    matter's change and the progress that counts it commit together, so a job resumed
    after a crash starts at its recorded progress and does each matter exactly once. A
    stage move goes by chunks of ``BULK_MOVE_CHUNK`` matters (each in its own savepoint),
    so the chunk's stage tasks are made in a few queries, not a few per matter.
    """
    payload = job.payload
    user = User.objects.get(pk=payload["user_id"])
    action = payload["action"]
    ids = payload["matter_ids"]
    errors: list[dict] = list(job.result.get("errors", []))
    failed = job.result.get("failed", len(errors))
    chunk = BULK_MOVE_CHUNK if action == "move_stage" else 1
    start = job.progress_done
    with holiday_calendar_held() if action == "move_stage" else nullcontext():
        while start < len(ids):
            end = min(start + chunk, len(ids))
            with transaction.atomic():
                moved = []
                for matter_id in ids[start:end]:
                    error = None
                    try:
                        with transaction.atomic():
                            matter = _bulk_apply_one(user=user, action=action, matter_id=matter_id, payload=payload)
                    except StageConflict as exc:
                        error = str(exc)
                    except ValidationError as exc:
                        error = "; ".join(exc.messages)
                    except (Http404, PermissionDenied):
                        error = _("Not permitted on this matter.")
                    if error is not None:
                        errors.append({"matter": matter_id, "error": error})
                        failed += 1
                    elif matter is not None:
                        moved.append(matter)
                stage_tasks_move(actor=user, matters=moved)
                report(done=end, total=len(ids), result={"errors": errors[-200:], "failed": failed})
            start = end
    return {"total": len(ids), "failed": failed, "errors": errors[-200:]}


def matters_bulk_give_up(*, job: Job, reason: str) -> None:
    """The bulk job failed for good: the matters it did not reach fail with the reason."""
    ids = job.payload["matter_ids"]
    left = ids[job.progress_done :]
    errors = list(job.result.get("errors", [])) + [{"matter": pk, "error": f"未处理：{reason}"} for pk in left]
    failed = job.result.get("failed", len(job.result.get("errors", []))) + len(left)
    Job.objects.filter(pk=job.pk).update(
        result={"total": len(ids), "failed": failed, "errors": errors[-200:]},
        error=f"{reason}。已处理 {job.progress_done} 个案件，其余 {len(left)} 个未处理。",
    )


def _bulk_apply_one(*, user: User, action: str, matter_id: int, payload: dict) -> Matter | None:
    """Apply the action to one matter; a stage move returns the moved matter (its tasks still to make)."""
    if action == "assign_firm":
        matter_assign_firm(user=user, matter_id=matter_id, firm_id=payload["firm_id"])
    elif action == "unassign_firm":
        matter_unassign_firm(user=user, matter_id=matter_id)
    elif action == "set_owner":
        matter_set_owner(user=user, matter_id=matter_id, owner_id=payload["owner_id"])
    elif action == "move_stage":
        if access_matter(user, matter_id).stage != payload["to"]:
            return matter_transition(
                user=user, matter_id=matter_id, to=payload["to"], reason=payload.get("reason", ""), stage_tasks=False
            )
    else:
        raise ValueError(f"unknown bulk action {action!r}")
    return None


# The permission each bulk action needs.
BULK_ACTIONS = {"assign_firm": "assign", "unassign_firm": "assign", "set_owner": "set_owner", "move_stage": "move_stage"}


def matters_bulk_start(*, user: User, action: str, matter_ids: list[int], **params: Any) -> Job:
    """Check the request and start a bulk job over those of the matters the user can see."""
    if action not in BULK_ACTIONS:
        raise ValidationError({"action": _("Unknown bulk action.")})
    if not can(user, BULK_ACTIONS[action]):
        raise PermissionDenied(_("Your role may not take this action."))
    visible = set(visible_matters(user).filter(pk__in=matter_ids).values_list("pk", flat=True))
    if not visible:
        raise ValidationError({"matters": _("Select at least one matter.")})
    if action == "assign_firm" and not LawFirm.objects.filter(pk=params.get("firm_id")).exists():
        raise ValidationError({"firm": _("No such law firm.")})
    if action == "move_stage":
        if params.get("to") not in Stage.values:
            raise ValidationError({"to": _("Unknown stage.")})
        if params["to"] == Stage.CLOSED and params.get("reason") not in ClosingReason.values:
            raise ValidationError({"reason": _("Closing a matter needs a reason.")})
    ordered = [pk for pk in dict.fromkeys(matter_ids) if pk in visible]
    return job_create(
        kind="matters_bulk",
        user=user,
        payload={"user_id": user.pk, "action": action, "matter_ids": ordered, **params},
        total=len(ordered),
    )




# --- Forum ----------------------------------------------------------------------------


@transaction.atomic
def matter_set_forum(*, user: User, matter_id: int, forum_id: int | None) -> Matter:
    """Choose the court or arbitration commission that will hear the matter, or clear it.

    Needs the role that records proceedings (counsel, the assigned firm's lawyers,
    administrators). Only an active forum can be chosen; choosing the current one
    again changes nothing and records nothing.
    """
    matter = access_matter(user, matter_id, action="set_forum", for_update=True)
    forum = None
    if forum_id is not None:
        try:
            forum = Forum.objects.get(pk=int(forum_id), active=True)
        except (Forum.DoesNotExist, ValueError, TypeError):
            raise ValidationError({"forum": _("No such court or arbitration commission.")}) from None
    if matter.forum_id == (forum.pk if forum else None):
        return matter
    old = matter.forum
    matter.forum = forum
    matter.save(update_fields=["forum"])
    record_event(
        matter=matter,
        actor=user,
        kind=EventKind.FORUM_SET,
        old={"forum": old.name, "forum_id": old.pk} if old else None,
        new={"forum": forum.name, "forum_id": forum.pk} if forum else None,
    )
    return matter
