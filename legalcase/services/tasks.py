"""Playbooks, plans and tasks (issue 19 item 4; API.md "Triage, plans and tasks").

A playbook's steps become a matter's tasks when a plan starts: each step's due date is
``start_on`` plus its day, counted in working days on the holiday table when the step
says so, and its assignee follows the step's role: counsel steps go to the matter's
owner; lawyer steps to the assigned firm's lawyer when the firm has exactly one active
lawyer user (else nobody, for the firm to take); manager and admin steps to nobody.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from legalcase.access import access_child, access_matter, require, visible_children, visible_matters
from legalcase.events import record_audit, record_event
from legalcase.models import (
    AuditAction,
    Deadline,
    DeadlineStatus,
    EventKind,
    Matter,
    Plan,
    Playbook,
    PlaybookVersion,
    Product,
    Role,
    Stage,
    StepAction,
    Task,
    TaskStatus,
    User,
    holiday_calendar,
)
from legalcase.periods import HolidayCalendar

MAX_STEPS = 50
MAX_DAY = 3650


class PlanConflict(Exception):
    """A plan is already running on the matter (API: 409)."""

    def __init__(self, message: str, stage: str):
        super().__init__(message)
        self.stage = stage


# --- Dates --------------------------------------------------------------------------------


def step_due_on(*, start_on: dt.date, day: int, working_days: bool, calendar: HolidayCalendar) -> dt.date:
    """``start_on`` plus ``day`` days, or plus ``day`` working days (rest days and holidays skipped)."""
    if not working_days:
        return start_on + dt.timedelta(days=day)
    due, left = start_on, day
    while left > 0:
        due += dt.timedelta(days=1)
        if not calendar.is_rest_day(due):
            left -= 1
    return due


# --- Playbooks ----------------------------------------------------------------------------


def _steps_clean(steps) -> list[dict]:
    """The steps as stored, or ValidationError with a message per step (in Chinese on a Chinese request)."""
    if not isinstance(steps, list) or not steps:
        raise ValidationError({"steps": [_("A playbook needs at least one step.")]})
    if len(steps) > MAX_STEPS:
        raise ValidationError({"steps": [_("A playbook has at most %(count)d steps.") % {"count": MAX_STEPS}]})
    clean, errors = [], []
    for number, step in enumerate(steps, start=1):
        problems = []
        if not isinstance(step, dict):
            errors.append(_("Step %(number)d: not a step.") % {"number": number})
            continue
        day = step.get("day")
        if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= MAX_DAY:
            problems.append(_("the day must be a whole number from 0 to %(max)d") % {"max": MAX_DAY})
        working_days = step.get("working_days", False)
        if not isinstance(working_days, bool):
            problems.append(_("working_days must be true or false"))
        if step.get("action") not in StepAction.values:
            problems.append(_("the action must be a contact channel, demand, review or file_suit"))
        title = step.get("title")
        if not isinstance(title, str) or not title.strip() or len(title) > 200:
            problems.append(_("the title is required (at most 200 characters)"))
        if step.get("owner_role") not in Role.values:
            problems.append(_("the owner role must be counsel, lawyer, manager or admin"))
        if problems:
            errors.append(_("Step %(number)d: %(problems)s.") % {"number": number, "problems": _("; ").join(problems)})
            continue
        clean.append(
            {
                "day": day,
                "working_days": working_days,
                "action": step["action"],
                "title": title.strip(),
                "owner_role": step["owner_role"],
            }
        )
    if errors:
        raise ValidationError({"steps": errors})
    return sorted(clean, key=lambda step: step["day"])


def _playbook_fields(data: dict, *, playbook: Playbook | None) -> dict:
    fields, errors = {}, {}
    if "name" in data or playbook is None:
        name = (data.get("name") or "").strip()
        if not name or len(name) > 100:
            errors["name"] = [_("The name is required (at most 100 characters).")]
        elif Playbook.objects.filter(name=name).exclude(pk=getattr(playbook, "pk", None)).exists():
            errors["name"] = [_("Another playbook has this name.")]
        fields["name"] = name
    if "product" in data or playbook is None:
        if data.get("product") not in Product.values:
            errors["product"] = [_("The product must be credit_card or loan.")]
        fields["product"] = data.get("product")
    if "auto_start" in data:
        if not isinstance(data["auto_start"], bool):
            errors["auto_start"] = [_("Must be true or false.")]
        fields["auto_start"] = data["auto_start"]
    if "steps" in data or playbook is None:
        try:
            fields["steps"] = _steps_clean(data.get("steps"))
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if not errors and fields.get("auto_start", getattr(playbook, "auto_start", False)):
        product = fields.get("product") or playbook.product
        others = Playbook.objects.filter(product=product, auto_start=True).exclude(pk=getattr(playbook, "pk", None))
        if others.exists():
            errors["auto_start"] = [_("Another playbook already starts by itself for this product.")]
    if errors:
        raise ValidationError(errors)
    return fields


@transaction.atomic
def playbook_create(*, user: User, data: dict) -> Playbook:
    """Create a playbook at version 1 (counsel and admins); audited."""
    require(user, "manage_playbooks")
    fields = _playbook_fields(data, playbook=None)
    steps = fields.pop("steps")
    playbook = Playbook.objects.create(created_by=user, **fields)
    PlaybookVersion.objects.create(playbook=playbook, version=1, steps=steps, created_by=user)
    record_audit(
        actor=user,
        action=AuditAction.PLAYBOOK_CHANGED,
        target=f"playbook:{playbook.pk}",
        detail={"name": playbook.name, "version": 1, "steps": len(steps)},
    )
    return playbook


@transaction.atomic
def playbook_update(*, user: User, playbook_id: int, data: dict) -> Playbook:
    """Change a playbook; new steps make a new version, and running plans keep the one they started with."""
    require(user, "manage_playbooks")
    playbook = Playbook.objects.select_for_update().filter(pk=playbook_id).first()
    if playbook is None:
        raise Http404("playbook not found")
    fields = _playbook_fields(data, playbook=playbook)
    steps = fields.pop("steps", None)
    old = {name: getattr(playbook, name) for name in fields}
    for name, value in fields.items():
        setattr(playbook, name, value)
    changed = [name for name in fields if old[name] != fields[name]]
    if steps is not None and steps != playbook.current.steps:
        playbook.version += 1
        PlaybookVersion.objects.create(playbook=playbook, version=playbook.version, steps=steps, created_by=user)
        changed.append("version")
    if not changed:
        return playbook
    playbook.updated_at = timezone.now()
    playbook.save(update_fields=[*changed, "updated_at"])
    record_audit(
        actor=user,
        action=AuditAction.PLAYBOOK_CHANGED,
        target=f"playbook:{playbook.pk}",
        detail={"name": playbook.name, "version": playbook.version, "changed": changed},
    )
    return playbook


# --- Plans --------------------------------------------------------------------------------


def _firm_lawyer(matter: Matter) -> User | None:
    """The assigned firm's lawyer when the firm has exactly one active lawyer user, else None."""
    if matter.assigned_firm_id is None:
        return None
    lawyers = list(User.objects.filter(role=Role.LAWYER, firm_id=matter.assigned_firm_id, is_active=True)[:2])
    return lawyers[0] if len(lawyers) == 1 else None


def step_assignee(matter: Matter, owner_role: str) -> User | None:
    if owner_role == Role.COUNSEL:
        return matter.owner
    if owner_role == Role.LAWYER:
        return _firm_lawyer(matter)
    return None


def _plan_start(*, actor: User | None, matter: Matter, playbook: Playbook, start_on: dt.date, calendar) -> Plan:
    if matter.plans.filter(ended_at__isnull=True).exists():
        raise PlanConflict(_("A playbook is already running on this matter; stop it first."), matter.stage)
    version = playbook.current
    try:
        with transaction.atomic():
            plan = Plan.objects.create(matter=matter, playbook_version=version, start_on=start_on, started_by=actor)
    except IntegrityError:
        raise PlanConflict(_("A playbook is already running on this matter; stop it first."), matter.stage) from None
    assignees: dict[str, User | None] = {}
    tasks = []
    for index, step in enumerate(version.steps):
        role = step["owner_role"]
        if role not in assignees:
            assignees[role] = step_assignee(matter, role)
        tasks.append(
            Task(
                matter=matter,
                plan=plan,
                step=index,
                title=step["title"],
                action=step["action"],
                owner_role=role,
                due_on=step_due_on(start_on=start_on, day=step["day"], working_days=step["working_days"], calendar=calendar),
                assignee=assignees[role],
                created_by=actor,
            )
        )
    Task.objects.bulk_create(tasks)
    record_event(
        matter=matter,
        actor=actor,
        kind=EventKind.PLAN_STARTED,
        new={
            "plan": plan.pk,
            "playbook": playbook.pk,
            "name": playbook.name,
            "version": version.version,
            "start_on": start_on.isoformat(),
            "tasks": len(tasks),
        },
    )
    return plan


@transaction.atomic
def plan_start(*, user: User, matter_id: int, playbook_id: int, start_on: dt.date) -> Plan:
    """Run a playbook on a matter from ``start_on``: one task per step; PlanConflict while one runs."""
    matter = access_matter(user, matter_id, action="write_tasks", for_update=True)
    playbook = Playbook.objects.filter(pk=playbook_id).first()
    if playbook is None:
        raise ValidationError({"playbook": [_("No such playbook.")]})
    if playbook.product != matter.debt.product:
        raise ValidationError({"playbook": [_("This playbook is for another product.")]})
    if matter.stage == Stage.CLOSED:
        raise PlanConflict(_("The matter is closed."), matter.stage)
    return _plan_start(actor=user, matter=matter, playbook=playbook, start_on=start_on, calendar=holiday_calendar())


@transaction.atomic
def plan_stop(*, user: User, matter_id: int) -> Plan | None:
    """Stop the matter's running plan, skipping its open tasks; None when none runs."""
    matter = access_matter(user, matter_id, action="write_tasks", for_update=True)
    plan = matter.plans.filter(ended_at__isnull=True).select_related("playbook_version__playbook").first()
    if plan is None:
        return None
    now = timezone.now()
    skipped = plan.tasks.filter(status=TaskStatus.OPEN).update(
        status=TaskStatus.SKIPPED, note=_("The playbook was stopped."), done_at=now
    )
    plan.ended_at, plan.end_reason = now, Plan.EndReason.STOPPED
    plan.save(update_fields=["ended_at", "end_reason"])
    record_event(
        matter=matter,
        actor=user,
        kind=EventKind.PLAN_ENDED,
        old={"plan": plan.pk, "name": plan.playbook_version.playbook.name},
        new={"plan": plan.pk, "end_reason": Plan.EndReason.STOPPED, "skipped": skipped},
    )
    return plan


def running_plan(matter: Matter) -> Plan | None:
    return matter.plans.filter(ended_at__isnull=True).select_related("playbook_version__playbook").first()


def plans_auto_start(*, matter_ids: list[int], start_on: dt.date | None = None) -> int:
    """Start each product's auto-start playbook on newly escalated matters (no actor); returns plans started.

    Called by escalation after its matters are stored; a matter with a plan already is left alone.
    """
    autos = {playbook.product: playbook for playbook in Playbook.objects.filter(auto_start=True)}
    if not autos or not matter_ids:
        return 0
    start_on = start_on or timezone.localdate()
    calendar = holiday_calendar()
    started = 0
    matters = (
        Matter.objects.filter(pk__in=matter_ids, debt__product__in=list(autos), plans__isnull=True)
        .select_related("debt", "owner")
        .order_by("id")
    )
    for matter in matters:
        try:
            with transaction.atomic():
                _plan_start(actor=None, matter=matter, playbook=autos[matter.debt.product], start_on=start_on, calendar=calendar)
        except PlanConflict:
            continue
        started += 1
    return started


# --- Tasks --------------------------------------------------------------------------------


def visible_tasks(user: User) -> QuerySet[Task]:
    """Tasks of the matters the user may see (a lawyer: their firm's current matters)."""
    return visible_children(user, Task)


def _assignee_check(assignee_id, matter: Matter) -> User | None:
    if assignee_id in (None, ""):
        return None
    try:
        assignee = User.objects.get(pk=int(assignee_id), is_active=True)
    except (User.DoesNotExist, ValueError, TypeError):
        raise ValidationError({"assignee": [_("No such user.")]}) from None
    if not visible_matters(assignee).filter(pk=matter.pk).exists():
        raise ValidationError({"assignee": [_("This user cannot see the matter.")]})
    return assignee


@transaction.atomic
def task_create(*, user: User, matter_id: int, title: str, due_on: dt.date, assignee_id: int | None = None) -> Task:
    """Give someone a task on a matter by hand; the assignee must be able to see the matter."""
    matter = access_matter(user, matter_id, action="write_tasks", for_update=True)
    assignee = _assignee_check(assignee_id, matter)
    task = Task.objects.create(matter=matter, title=title, due_on=due_on, assignee=assignee, created_by=user)
    record_event(
        matter=matter,
        actor=user,
        kind=EventKind.TASK_ADDED,
        new={"task": task.pk, "title": task.masked_title, "due_on": due_on.isoformat(), "assignee": getattr(assignee, "username", None)},
    )
    return task


@transaction.atomic
def task_update(*, user: User, task_id: int, data: dict) -> Task:
    """Close a task (done, or skipped with a note), reopen it, or change its assignee, date or title."""
    task = access_child(user, Task, task_id, action="write_tasks", for_update=True)
    old = {"task": task.pk, "title": task.masked_title, "status": task.status}
    changed = []
    if "assignee" in data:
        assignee = _assignee_check(data["assignee"], task.matter)
        if getattr(assignee, "pk", None) != task.assignee_id:
            old["assignee"] = getattr(task.assignee, "username", None)
            task.assignee = assignee
            changed.append("assignee")
    for name in ("title", "due_on"):
        if name in data and data[name] != getattr(task, name):
            old[name] = task.due_on.isoformat() if name == "due_on" else task.masked_title
            setattr(task, name, data[name])
            changed.append(name)
    note = data.get("note", task.note)
    status = data.get("status", task.status)
    if status == TaskStatus.SKIPPED and not (note or "").strip():
        raise ValidationError({"note": [_("Say why the task is skipped.")]})
    if "note" in data and data["note"] != task.note:
        task.note = data["note"]
        changed.append("note")
    if status != task.status:
        task.status = status
        task.done_at = None if status == TaskStatus.OPEN else timezone.now()
        changed += ["status", "done_at"]
    if not changed:
        return task
    task.save(update_fields=changed)
    new = {"task": task.pk, "title": task.masked_title, "status": task.status}
    if "assignee" in changed:
        new["assignee"] = getattr(task.assignee, "username", None)
    if "due_on" in changed:
        new["due_on"] = task.due_on.isoformat()
    if task.note:
        new["note"] = task.masked_note
    record_event(matter=task.matter, actor=user, kind=EventKind.TASK_CLOSED if "status" in changed else EventKind.TASK_ADDED, old=old, new=new)
    if "status" in changed and task.plan_id and task.status != TaskStatus.OPEN:
        _plan_complete_if_done(task.plan_id)
    return task


def _plan_complete_if_done(plan_id: int) -> None:
    if not Task.objects.filter(plan_id=plan_id, status=TaskStatus.OPEN).exists():
        Plan.objects.filter(pk=plan_id, ended_at__isnull=True).update(
            ended_at=timezone.now(), end_reason=Plan.EndReason.COMPLETED
        )


def task_buckets(tasks: QuerySet[Task], *, today: dt.date) -> dict[str, QuerySet[Task]]:
    """Open tasks split for the "my tasks" page: overdue, due today, upcoming."""
    open_tasks = tasks.filter(status=TaskStatus.OPEN).select_related("matter", "assignee").order_by("due_on", "id")
    return {
        "overdue": open_tasks.filter(due_on__lt=today),
        "today": open_tasks.filter(due_on=today),
        "upcoming": open_tasks.filter(due_on__gt=today),
    }


# --- Tasks from deadlines ------------------------------------------------------------------


def tasks_from_deadlines(*, today: dt.date | None = None) -> dict:
    """A "处理期限" task for the owner of each matter with an open deadline due within TASK_DEADLINE_DAYS.

    Once per deadline (a unique row per deadline): running it again, or on the next day,
    adds nothing. A matter without an owner gets the task unassigned. Returns the count.
    """
    today = today or timezone.localdate()
    until = today + dt.timedelta(days=settings.TASK_DEADLINE_DAYS)
    deadlines = (
        Deadline.objects.filter(
            superseded_at__isnull=True, status=DeadlineStatus.OPEN, due_on__gte=today, due_on__lte=until, tasks__isnull=True
        )
        .exclude(matter__stage=Stage.CLOSED)
        .select_related("matter")
        .only("id", "kind", "due_on", "matter_id", "matter__owner_id")
    )
    created = 0
    with translation.override(settings.LANGUAGE_CODE):
        batch = []
        for deadline in deadlines.iterator(chunk_size=1000):
            batch.append(
                Task(
                    matter_id=deadline.matter_id,
                    deadline=deadline,
                    title=_("Handle deadline: %(kind)s") % {"kind": deadline.get_kind_display()},
                    due_on=deadline.due_on,
                    assignee_id=deadline.matter.owner_id,
                    owner_role=Role.COUNSEL,
                )
            )
            if len(batch) == 1000:
                created += len(Task.objects.bulk_create(batch, ignore_conflicts=True))
                batch = []
        created += len(Task.objects.bulk_create(batch, ignore_conflicts=True))
    return {"deadline_tasks": created}


def overdue_tasks_for(user: User, *, today: dt.date) -> QuerySet[Task]:
    """The user's own open tasks due before ``today`` (for the digest and the calendar feed)."""
    return (
        visible_tasks(user)
        .filter(assignee=user, status=TaskStatus.OPEN, due_on__lt=today)
        .select_related("matter")
        .order_by("due_on", "id")
    )


# --- The daily digest and the calendar feed (hooks in services/notifications.py) ------------


def tasks_digest_lines(*, user: User, today: dt.date, link) -> tuple[list[str], int]:
    """The digest's "overdue tasks" section: lines and count (none: ``([], 0)``); no names, as for deadlines."""
    tasks = overdue_tasks_for(user, today=today).only("id", "title", "due_on", "matter__number")
    rows = list(tasks[:200])
    if not rows:
        return [], 0
    count = tasks.count() if len(rows) == 200 else len(rows)
    lines = ["", f"{_('Overdue tasks')} ({count})", ""]
    for task in rows:
        lines.append(f"- {task.due_on:%Y-%m-%d}  {task.masked_title}  {task.matter.number}")
    lines.append(f"  {link(reverse('my_tasks'))}")
    if count > len(rows):
        lines.append(_("… and %(count)d more.") % {"count": count - len(rows)})
    return lines, count


def tasks_ics_events(*, user: User, today: dt.date, host: str, stamp: str, link, text) -> list[str]:
    """The user's overdue tasks as all-day events on ``today`` (each day until closed), UID ``task-<id>@host``."""
    lines = []
    for task in overdue_tasks_for(user, today=today).only("id", "title", "due_on", "matter__number").iterator(
        chunk_size=1000
    ):
        url = link(reverse("matter_detail", args=[task.matter_id]))
        summary = _("Overdue task: %(title)s · %(number)s") % {"title": task.masked_title, "number": task.matter.number}
        description = _("Due on %(date)s.") % {"date": f"{task.due_on:%Y-%m-%d}"}
        lines += [
            "BEGIN:VEVENT",
            f"UID:task-{task.pk}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{today:%Y%m%d}",
            f"DTEND;VALUE=DATE:{today + dt.timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{text(summary)}",
            f"DESCRIPTION:{text(description + chr(10) + url)}",
            f"URL:{url}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    return lines
