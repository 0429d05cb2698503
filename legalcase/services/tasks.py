"""Playbooks, plans and tasks (issue 19 item 4; API.md "Triage, plans and tasks").

A playbook's steps become a matter's tasks when a plan starts: each step's due date is
``start_on`` plus its day, counted in working days on the holiday table when the step
says so, and its assignee follows the step's role: counsel steps go to the matter's
owner; lawyer steps to the assigned firm's lawyer when the firm has exactly one active
lawyer user (else nobody, for the firm to take); manager and admin steps to nobody.

Tasks also come from stage moves (``STAGE_TASKS``, made by ``matter_transition`` and the
bulk move), from deadlines due soon (``tasks_from_deadlines``), and by hand. A playbook
starts by itself on escalation (``plans_auto_start``) and at review (``plan_for_review``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from legalcase.access import access_child, access_matter, require, visible_children, visible_matters
from legalcase.events import record_audit, record_event, record_events
from legalcase.models import (
    AuditAction,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    EventKind,
    Matter,
    MatterEvent,
    Plan,
    Playbook,
    PlaybookVersion,
    DebtorReview,
    Product,
    Recommendation,
    Role,
    Stage,
    StepAction,
    Task,
    TaskStatus,
    User,
    Willingness,
    holiday_calendar,
)
from legalcase.models.tasks import masked_text
from legalcase.periods import (
    ENFORCEMENT_APPLICATION_RULE,
    FEE_PAYMENT_DAYS,
    FEE_PAYMENT_RULE,
    TERMINATION_FOLLOW_UP_MONTHS,
    TERMINATION_FOLLOW_UP_RULE,
    HolidayCalendar,
    period_end,
)

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
    for flag in ("auto_start", "start_on_review"):
        if flag in data:
            if not isinstance(data[flag], bool):
                errors[flag] = [_("Must be true or false.")]
            fields[flag] = data[flag]
    if "segment" in data:
        if data["segment"] not in ("", None, *Willingness.values):
            errors["segment"] = [_("The segment must be hardship, wilful, unknown or empty (any debtor).")]
        fields["segment"] = data["segment"] or ""
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
    if not errors and fields.get("start_on_review", getattr(playbook, "start_on_review", False)):
        product = fields.get("product") or playbook.product
        segment = fields.get("segment", getattr(playbook, "segment", ""))
        others = Playbook.objects.filter(product=product, segment=segment, start_on_review=True).exclude(
            pk=getattr(playbook, "pk", None)
        )
        if others.exists():
            errors["start_on_review"] = [_("Another playbook already starts at review for this product and these debtors.")]
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


def _plan_start(
    *, actor: User | None, matter: Matter, playbook: Playbook, start_on: dt.date, calendar, trigger: str = ""
) -> Plan:
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
            **({"trigger": trigger} if trigger else {}),
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
                _plan_start(
                    actor=None,
                    matter=matter,
                    playbook=autos[matter.debt.product],
                    start_on=start_on,
                    calendar=calendar,
                    trigger="escalation",
                )
        except PlanConflict:
            continue
        started += 1
    return started


# The recommendations pursued step by step; a sale to an AMC or a write-off is not.
PURSUED_RECOMMENDATIONS = frozenset(Recommendation.values) - {Recommendation.SELL, Recommendation.WRITE_OFF}


def review_playbook(*, product: str, willingness: str) -> Playbook | None:
    """The playbook that starts at review for the product's debtors of this willingness: its own, else the one for any."""
    candidates = Playbook.objects.filter(product=product, start_on_review=True, segment__in=[willingness, ""])
    return min(candidates, key=lambda playbook: playbook.segment == "", default=None)


def plan_for_review(*, actor: User | None, matter: Matter, review: DebtorReview, today: dt.date | None = None) -> Plan | None:
    """Start the review playbook (``review_playbook``) when a review is given or changes its recommendation.

    The review service calls it in its transaction, with the matter locked, when the
    recommendation is set or changed. Nothing starts for a recommendation to sell or to
    write off, on a closed matter, while a plan runs, or when no playbook starts at review
    for the product and the debtor's willingness. Returns the plan started, else None.
    """
    if review.recommendation not in PURSUED_RECOMMENDATIONS or matter.stage == Stage.CLOSED:
        return None
    if matter.plans.filter(ended_at__isnull=True).exists():
        return None
    playbook = review_playbook(product=matter.debt.product, willingness=review.willingness)
    if playbook is None:
        return None
    try:
        with transaction.atomic():
            return _plan_start(
                actor=actor,
                matter=matter,
                playbook=playbook,
                start_on=today or timezone.localdate(),
                calendar=holiday_calendar(),
                trigger="review",
            )
    except PlanConflict:
        return None


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


# --- Tasks from stage moves ----------------------------------------------------------------


@dataclass(frozen=True, eq=False)  # hashed by identity: the lazy title's hash follows the language
class StageTask:
    """A task a matter gets on entering a stage: due ``working_days`` working days later, or
    at the end of a statutory period of ``days`` or ``months`` (LEGAL_RULES section 1: the
    start day not counted, a last day on a rest day moved to the next working day).
    ``unless_deadline``: not made when the matter has that kind of deadline open already,
    whose own tasks (``tasks_from_deadlines``) do the job.
    """

    title: str  # an English msgid; stored in the site's language, as deadline tasks are
    owner_role: str
    rule: str
    action: str = ""
    working_days: int = 0
    days: int = 0
    months: int = 0
    unless_deadline: str = ""

    def due_on(self, entered_on: dt.date, calendar: HolidayCalendar) -> dt.date:
        if self.working_days:
            return step_due_on(start_on=entered_on, day=self.working_days, working_days=True, calendar=calendar)
        return period_end(entered_on, calendar=calendar, rule=self.rule, days=self.days, months=self.months).on


# What a matter's people are given when it enters a stage (issue 19 item 4), each with the
# rule of LEGAL_RULES.md it follows. Counsel tasks go to the matter's owner, lawyer tasks to
# the assigned firm's only active lawyer (else nobody), as for playbook steps.
STAGE_TASKS: dict[str, tuple[StageTask, ...]] = {
    # Issue 19 item 1: each overdue debtor is reviewed before anyone acts (no statutory
    # period; one working week). The review is the debtor review with its screening.
    Stage.PRE_LITIGATION: (
        StageTask(
            gettext_lazy("Complete the debtor review and the pre-suit screening"),
            owner_role=Role.COUNSEL,
            rule="review.before_action@2026",
            action=StepAction.REVIEW,
            working_days=5,
        ),
    ),
    # LEGAL_RULES B.4 (court.acceptance@2024, 民诉法 Art. 126): the court files a qualifying
    # complaint within 7 days and sends the fee notice with its acceptance; the fee is due
    # within 7 days from the day after that notice (fee.payment@2007, 诉讼费用交纳办法 Art. 22),
    # or the suit is treated as withdrawn. The notice, once recorded, adds its own deadline.
    Stage.LITIGATION: (
        StageTask(
            gettext_lazy("Follow up the court's acceptance of the case and pay the court fee"),
            owner_role=Role.LAWYER,
            rule=FEE_PAYMENT_RULE,
            days=FEE_PAYMENT_DAYS,
        ),
    ),
    # LEGAL_RULES section 2 (appeal.judgment@2023, 民诉法 Art. 171): 15 days from service to
    # appeal, so the judgment is checked in the first working week, leaving time to decide.
    # Then, by the section's worked chain (appeal period, effect, a 10-day performance
    # period: about 30 days from service), enforcement can be applied for; the application
    # is due within 2 years of the performance period's end (enforcement.application@2023,
    # 民诉法 Art. 250), the deadline engine's date once the ruling is recorded.
    Stage.JUDGMENT: (
        StageTask(
            gettext_lazy("Check the judgment and watch for the end of the appeal period"),
            owner_role=Role.LAWYER,
            rule="appeal.judgment@2023",
            working_days=5,
        ),
        StageTask(
            gettext_lazy("Prepare the application for enforcement"),
            owner_role=Role.COUNSEL,
            rule=ENFORCEMENT_APPLICATION_RULE,
            days=30,
        ),
    ),
    # LEGAL_RULES B.4 (court.enforcement_acceptance@2024, 民诉法解释 Art. 480): the court
    # issues the 执行通知 within 10 days of the application, with the 报告财产令 and its
    # online asset search (网络查控); the creditor's asset leads belong with it.
    Stage.ENFORCEMENT: (
        StageTask(
            gettext_lazy("Submit asset leads and follow the court's online asset search"),
            owner_role=Role.LAWYER,
            rule="court.enforcement_acceptance@2024",
            days=10,
        ),
    ),
    # LEGAL_RULES section 2 and B.4 (termination.follow_up@2016, 《关于严格规范终结本次执行程序
    # 的规定（试行）》Art. 9; 民诉法解释 Art. 517): after a 终本 ruling the court re-checks the
    # debtor's assets every 6 months for 5 years, and the creditor may apply to resume
    # enforcement at any time, free of the 2-year limit. A recorded 终本 ruling already gives
    # those ten re-checks as deadlines (with their tasks): then none is made here.
    Stage.ENFORCEMENT_TERMINATED: (
        StageTask(
            gettext_lazy("Check the judgment debtor's assets; apply to resume enforcement when assets are found"),
            owner_role=Role.COUNSEL,
            rule=TERMINATION_FOLLOW_UP_RULE,
            months=TERMINATION_FOLLOW_UP_MONTHS,
            unless_deadline=DeadlineKind.TERMINATION_FOLLOW_UP,
        ),
    ),
}


def _sole_lawyers(firm_ids: set[int]) -> dict[int, int]:
    """Each firm's lawyer user id, for the firms with exactly one active lawyer (one query)."""
    if not firm_ids:
        return {}
    lawyers: dict[int, list[int]] = defaultdict(list)
    for firm_id, user_id in User.objects.filter(role=Role.LAWYER, firm_id__in=firm_ids, is_active=True).values_list(
        "firm_id", "pk"
    ):
        lawyers[firm_id].append(user_id)
    return {firm_id: ids[0] for firm_id, ids in lawyers.items() if len(ids) == 1}


def stage_tasks_move(*, actor: User | None, matters: Sequence[Matter], today: dt.date | None = None) -> list[Task]:
    """Bring the stage tasks in line with the stage each matter has just entered (``matter.stage``).

    The open tasks that entering an earlier stage gave are skipped, saying the matter has
    moved on (the fee is paid once the judgment is in; the judgment's tasks are moot on an
    appeal or a settlement); playbook, deadline and hand-given tasks stay as they are. Then
    the new stage's ``STAGE_TASKS`` are made, dated from ``today``, unless the same task
    is open on the matter for this stage already. A few queries whatever the number of
    matters: the bulk move calls this once a chunk. Each change is an entry on the matter's
    timeline. Call inside the move's transaction with the matters locked
    (``matter_transition`` does). Returns the tasks made.
    """
    if not matters:
        return []
    today = today or timezone.localdate()
    stage_of = {matter.pk: matter.stage for matter in matters}
    left_behind, already = [], set()
    for pk, matter_id, stage, title in (
        Task.objects.filter(matter_id__in=stage_of, status=TaskStatus.OPEN)
        .exclude(stage="")
        .values_list("pk", "matter_id", "stage", "title")
    ):
        if stage == stage_of[matter_id]:
            already.add((matter_id, stage, title))
        else:
            left_behind.append((pk, matter_id, title))
    events = _stage_tasks_skip(actor=actor, tasks=left_behind, stage_of=stage_of)
    tasks, rules = _stage_tasks_new(matters=matters, already=already, actor=actor, today=today)
    if tasks:
        Task.objects.bulk_create(tasks)
        usernames = dict(
            User.objects.filter(pk__in={t.assignee_id for t in tasks if t.assignee_id}).values_list("pk", "username")
        )
        events += [
            MatterEvent(
                matter_id=task.matter_id,
                actor=actor,
                kind=EventKind.TASK_ADDED,
                new={
                    "task": task.pk,
                    "title": task.masked_title,
                    "due_on": task.due_on.isoformat(),
                    "assignee": usernames.get(task.assignee_id),
                    "stage": task.stage,
                    "rule": rule,
                },
            )
            for task, rule in zip(tasks, rules, strict=True)
        ]
    if events:
        record_events(events)
    return tasks


def _stage_tasks_skip(*, actor: User | None, tasks: list[tuple], stage_of: dict[int, str]) -> list[MatterEvent]:
    """Skip the open tasks of the stages left (``(pk, matter_id, title)``); their timeline entries, unsaved."""
    if not tasks:
        return []
    now = timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        notes = {
            stage: _("The matter moved on to the “%(stage)s” stage") % {"stage": Stage(stage).label}
            for stage in set(stage_of.values())
        }
    by_stage: dict[str, list[int]] = defaultdict(list)
    for pk, matter_id, _title in tasks:
        by_stage[stage_of[matter_id]].append(pk)
    for stage, pks in by_stage.items():
        Task.objects.filter(pk__in=pks, status=TaskStatus.OPEN).update(
            status=TaskStatus.SKIPPED, note=notes[stage], done_at=now
        )
    return [
        MatterEvent(
            matter_id=matter_id,
            actor=actor,
            kind=EventKind.TASK_CLOSED,
            old={"task": pk, "title": masked_text(title), "status": TaskStatus.OPEN},
            new={"task": pk, "title": masked_text(title), "status": TaskStatus.SKIPPED, "note": notes[stage_of[matter_id]]},
        )
        for pk, matter_id, title in tasks
    ]


def _stage_tasks_new(
    *, matters: Sequence[Matter], already: set[tuple], actor: User | None, today: dt.date
) -> tuple[list[Task], list[str]]:
    """The stage tasks to make (unsaved) and the rule of each."""
    wanted = [(matter, entry) for matter in matters for entry in STAGE_TASKS.get(matter.stage, ())]
    if not wanted:
        return [], []
    matter_ids = {matter.pk for matter, _entry in wanted}
    with translation.override(settings.LANGUAGE_CODE):
        titles = {entry: str(entry.title) for _matter, entry in wanted}
    covering = {entry.unless_deadline for _matter, entry in wanted if entry.unless_deadline}
    covered = set()
    if covering:
        covered = set(
            Deadline.objects.filter(
                matter_id__in=matter_ids, kind__in=covering, status=DeadlineStatus.OPEN, superseded_at__isnull=True
            ).values_list("matter_id", "kind")
        )
    lawyers = _sole_lawyers(
        {matter.assigned_firm_id for matter, entry in wanted if entry.owner_role == Role.LAWYER and matter.assigned_firm_id}
    )
    calendar = holiday_calendar()
    tasks, rules = [], []
    for matter, entry in wanted:
        title = titles[entry]
        if (matter.pk, matter.stage, title) in already or (matter.pk, entry.unless_deadline) in covered:
            continue
        already.add((matter.pk, matter.stage, title))
        if entry.owner_role == Role.COUNSEL:
            assignee_id = matter.owner_id
        elif entry.owner_role == Role.LAWYER:
            assignee_id = lawyers.get(matter.assigned_firm_id)
        else:
            assignee_id = None
        tasks.append(
            Task(
                matter_id=matter.pk,
                stage=matter.stage,
                title=title,
                action=entry.action,
                owner_role=entry.owner_role,
                due_on=entry.due_on(today, calendar),
                assignee_id=assignee_id,
                created_by=actor,
            )
        )
        rules.append(entry.rule)
    return tasks, rules


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
