"""Pages of plans and tasks: 我的任务, the matter page's tasks section, the playbook list and editor.

Thin like the other sections: access through ``legalcase.access``, every change through
the services of ``legalcase.services.tasks``, whose ValidationError is shown next to
the form with nothing stored.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from legalcase.access import access_child, access_matter, can, require
from legalcase.models import Playbook, Product, Role, StepAction, Task, TaskStatus, Willingness
from legalcase.services.tasks import (
    PlanConflict,
    plan_start,
    plan_stop,
    playbook_create,
    playbook_update,
    running_plan,
    task_buckets,
    task_update,
    visible_tasks,
)

UPCOMING_SHOWN = 100
EMPTY_STEP_ROWS = 3


def _dated(task: Task, today: dt.date) -> Task:
    task.days = (task.due_on - today).days
    task.days_overdue = max(0, -task.days)
    return task


def _errors(exc: ValidationError) -> list[str]:
    return [message for messages_ in exc.message_dict.values() for message in messages_] if hasattr(
        exc, "error_dict"
    ) else list(exc.messages)


# --- 我的任务 --------------------------------------------------------------------------------


@login_required
@require_GET
def my_tasks(request: HttpRequest) -> HttpResponse:
    """The signed-in user's open tasks: overdue first, then due today, then upcoming."""
    today = timezone.localdate()
    buckets = task_buckets(visible_tasks(request.user).filter(assignee=request.user), today=today)
    panels = [
        {"key": "overdue", "title": _("Overdue"), "rows": list(buckets["overdue"])},
        {"key": "today", "title": _("Due today"), "rows": list(buckets["today"])},
        {"key": "upcoming", "title": _("Upcoming"), "rows": list(buckets["upcoming"][:UPCOMING_SHOWN])},
    ]
    for panel in panels:
        for task in panel["rows"]:
            _dated(task, today)
    return render(request, "legalcase/tasks.html", {"nav": "tasks", "panels": panels, "today": today})


@login_required
@require_POST
def task_close(request: HttpRequest, task_id: int) -> HttpResponse:
    """Mark a task done, or skipped with a note; HTMX gets the row back (with the error, if any)."""
    status = request.POST.get("status")
    if status not in (TaskStatus.DONE, TaskStatus.SKIPPED):
        status = TaskStatus.DONE
    error = ""
    try:
        task = task_update(
            user=request.user, task_id=task_id, data={"status": status, "note": request.POST.get("note", "").strip()[:2000]}
        )
    except ValidationError as exc:
        task, error = access_child(request.user, Task, task_id), " ".join(_errors(exc))
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("my_tasks")
    _dated(task, timezone.localdate())
    return render(
        request, "legalcase/_task_row.html", {"task": task, "error": error, "may_write": True, "show_matter": request.POST.get("show_matter") == "1"}
    )


# --- The matter page's section ------------------------------------------------------------


def tasks_section_response(request: HttpRequest, matter, *, errors: list[str] | None = None, start_on=None) -> HttpResponse:
    today = timezone.localdate()
    plan = running_plan(matter)
    tasks = list(matter.tasks.select_related("assignee", "plan__playbook_version").order_by("status", "due_on", "id")[:200])
    for task in tasks:
        _dated(task, today)
    may_write = can(request.user, "write_tasks")
    context = {
        "matter": matter,
        "plan": plan,
        "tasks": tasks,
        "may_write": may_write,
        "playbooks": Playbook.objects.filter(product=matter.debt.product).order_by("name") if may_write and plan is None else [],
        "start_on": start_on or today,
        "errors": errors or [],
        "show_matter": False,
    }
    return render(request, "legalcase/tasks_section.html", context)


@login_required
@require_GET
def tasks_section(request: HttpRequest, matter_id: int) -> HttpResponse:
    return tasks_section_response(request, access_matter(request.user, matter_id))


@login_required
@require_POST
def plan_start_view(request: HttpRequest, matter_id: int) -> HttpResponse:
    matter = access_matter(request.user, matter_id, action="write_tasks")
    errors = []
    try:
        start_on = dt.date.fromisoformat(request.POST.get("start_on", ""))
    except ValueError:
        start_on, errors = None, [_("Give the start date.")]
    if not errors:
        try:
            plan_start(user=request.user, matter_id=matter.pk, playbook_id=request.POST.get("playbook") or 0, start_on=start_on)
        except ValidationError as exc:
            errors = _errors(exc)
        except PlanConflict as exc:
            errors = [str(exc)]
    if not request.htmx:
        for error in errors:
            messages.error(request, error)
        return redirect("matter_detail", matter_id=matter.pk)
    return tasks_section_response(request, access_matter(request.user, matter_id), errors=errors, start_on=start_on)


@login_required
@require_POST
def plan_stop_view(request: HttpRequest, matter_id: int) -> HttpResponse:
    plan_stop(user=request.user, matter_id=matter_id)
    if not request.htmx:
        return redirect("matter_detail", matter_id=matter_id)
    return tasks_section_response(request, access_matter(request.user, matter_id))


# --- Playbooks ------------------------------------------------------------------------------


@login_required
@require_GET
def playbook_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "view")
    playbooks = list(Playbook.objects.order_by("product", "name"))
    for playbook in playbooks:
        playbook.steps = playbook.current.steps
    return render(
        request,
        "legalcase/playbook_list.html",
        {"nav": "playbooks", "playbooks": playbooks, "manage": can(request.user, "manage_playbooks"), "actions": dict(StepAction.choices), "roles": dict(Role.choices)},
    )


def _posted_steps(post) -> list[dict]:
    """The editor's step rows; a row with neither a day nor a title is an empty row, left out."""
    steps = []
    days, titles = post.getlist("day"), post.getlist("title")
    actions, roles = post.getlist("action"), post.getlist("owner_role")
    working = set(post.getlist("working_days"))
    for index, (day, title) in enumerate(zip(days, titles, strict=False)):
        if not day.strip() and not title.strip():
            continue
        try:
            day_value = int(day)
        except ValueError:
            day_value = day
        steps.append(
            {
                "day": day_value,
                "working_days": str(index) in working,
                "action": actions[index] if index < len(actions) else "",
                "title": title.strip(),
                "owner_role": roles[index] if index < len(roles) else "",
            }
        )
    return steps


@login_required
@require_http_methods(["GET", "POST"])
def playbook_edit(request: HttpRequest, playbook_id: int | None = None) -> HttpResponse:
    """Create or change a playbook (counsel, administrators); changed steps make a new version."""
    if not can(request.user, "manage_playbooks"):
        raise PermissionDenied(_("Your role may not change playbooks."))
    playbook = get_object_or_404(Playbook, pk=playbook_id) if playbook_id else None
    errors: list[str] = []
    if request.method == "POST":
        data = {
            "name": request.POST.get("name", ""),
            "product": request.POST.get("product", ""),
            "auto_start": request.POST.get("auto_start") == "1",
            "segment": request.POST.get("segment", ""),
            "start_on_review": request.POST.get("start_on_review") == "1",
            "steps": _posted_steps(request.POST),
        }
        try:
            if playbook is None:
                playbook = playbook_create(user=request.user, data=data)
            else:
                playbook = playbook_update(user=request.user, playbook_id=playbook.pk, data=data)
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("Saved: %(name)s (version %(version)d)") % {"name": playbook.name, "version": playbook.version})
            return redirect("playbook_list")
        values, steps = data, data["steps"]
    else:
        values = (
            {
                "name": playbook.name,
                "product": playbook.product,
                "auto_start": playbook.auto_start,
                "segment": playbook.segment,
                "start_on_review": playbook.start_on_review,
            }
            if playbook
            else {"product": Product.CREDIT_CARD}
        )
        steps = list(playbook.current.steps) if playbook else []
    rows = steps + [{"day": "", "working_days": False, "action": "", "title": "", "owner_role": ""}] * EMPTY_STEP_ROWS
    return render(
        request,
        "legalcase/playbook_edit.html",
        {
            "nav": "playbooks",
            "playbook": playbook,
            "values": values,
            "rows": rows,
            "errors": errors,
            "products": Product.choices,
            "segments": Willingness.choices,
            "actions": StepAction.choices,
            "roles": Role.choices,
        },
        status=400 if errors else 200,
    )
