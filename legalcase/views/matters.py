"""Web pages. Views are thin: a form validates, ``legalcase.access`` authorises, a service acts.

A matter is always reached through ``access_matter`` or ``visible_matters``, so another
firm's matter answers 404 and a role that may not act answers 403, exactly as in the
API. Pages show identity, phone and account numbers masked; the full values appear
only in the reveal partial, after ``matter_reveal_debtor`` has written the audit event.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from legalcase import importing, services
from legalcase.access import (
    access_job,
    access_matter,
    can,
    visible_events,
    visible_matters,
)
from legalcase.authentication import LoginLocked, login_attempt
from legalcase.exports import MATTER_EXPORT_LIMIT, XLSX_CONTENT_TYPE, matter_export, matter_export_filename
from legalcase.files import file_storage
from legalcase.forms import (
    BULK_LIMIT,
    AssignFirmForm,
    BulkActionForm,
    EscalationImportForm,
    ForumForm,
    LoginForm,
    MatterFilterForm,
    OwnerForm,
    RevealForm,
    TransitionForm,
    forum_names,
    list_choices,
)
from legalcase.models import (
    ClosingReason,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    Debt,
    Guarantee,
    Job,
    JobStatus,
    LawFirm,
    Matter,
    Party,
    Product,
    Role,
    Stage,
    User,
    display_name,
    list_names,
    matter_ordering,
)
from legalcase.identity import mask_account, mask_id_number
from legalcase.pagination import PageCountPaginator
from legalcase.templatetags.fasu import creditor_short, money, stage_badge
from legalcase.services.demands import tracking_rejected
from legalcase.services.scoring import score_payload
from legalcase.views.demands import demands_context

PAGE_SIZE = 50


# --- Signing in and out -------------------------------------------------------------


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    # Outside lawyers land on their firm's home (/portal/); everyone else on the matters.
    if getattr(request.user, "role", None) == Role.LAWYER:
        return reverse("lawyer_home")
    return reverse("matter_list")


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def sign_in(request: HttpRequest) -> HttpResponse:
    """The login page; ``login_attempt`` throttles repeated failures, as the API's token endpoint does."""
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = login_attempt(
                request=request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
            )
        except LoginLocked as exc:
            form.add_error(None, str(exc))
        else:
            if user is None:
                form.add_error(None, _("Wrong username or password."))
            else:
                login(request, user)
                return redirect(_next_url(request))
    return render(request, "legalcase/login.html", {"form": form, "next": request.GET.get("next", "")})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("login")


# --- Matter list and bulk actions -------------------------------------------------

# The session key under which the matter list hands ticked or filtered matters to the
# batch filing page (templates_docx), which legalcase does not import.
BATCH_SELECTION_KEY = "batch_matters"


def bulk_actions(user: User) -> list[str]:
    """The bulk actions the user's role may take."""
    return [name for name, (permission, _label) in BulkActionForm.ACTIONS.items() if can(user, permission)]


# The session key holding the list's last filters and sort, restored when the user comes
# back to the bare list; ``?clear=1`` forgets them.
LIST_QUERY_KEY = "matter_list_query"
# The list's sortable columns, in the order shown (keys of MATTER_ORDERINGS), with their
# headings and the class of their cells.
SORTABLE_COLUMNS = {
    "number": (gettext_lazy("Matter number"), "sortable"),
    "debtor_name": (gettext_lazy("Debtor"), "sortable"),
    "claim_total": (gettext_lazy("Claim (CNY)"), "num sortable"),
    "stage": (gettext_lazy("Stage"), "sortable"),
    "overdue_since": (gettext_lazy("Overdue since"), "sortable"),
}


def _list_query(request: HttpRequest, firms, owners) -> tuple[MatterFilterForm, dict, list[str]]:
    """The filter form, its valid filters and the sort key of a list request; an unknown sort key is dropped."""
    filter_form = MatterFilterForm(request.GET, firms=firms, owners=owners)
    filters = filter_form.filters()
    try:
        ordering = matter_ordering(request.GET.get("ordering"))[:1]
    except ValueError:
        ordering = []
    return filter_form, filters, ordering


def _sort_headings(filters: dict, ordering: list[str]) -> dict[str, str]:
    """Each sortable column's ``<th>``, linking to its sort: ascending first, the reverse when
    it is the current sort. Written here: the template's conditions for five headings cost
    a third of the list template's rendering (bench/matter_list_cpu.py)."""
    current = ordering[0] if ordering else ""
    headings = {}
    for key, (label, css) in SORTABLE_COLUMNS.items():
        direction = "asc" if current == key else "desc" if current == f"-{key}" else ""
        target = f"-{key}" if direction == "asc" else key
        url = html.escape("?" + urlencode({**filters, "ordering": target}))
        aria = f' aria-sort="{"ascending" if direction == "asc" else "descending"}"' if direction else ""
        sorted_class = f" sorted-{direction}" if direction else ""
        headings[key] = mark_safe(
            f'<th class="{css}"{aria}><a href="{url}" class="sort{sorted_class}">{html.escape(str(label))}</a></th>'
        )
    return headings


@login_required
@require_GET
def matter_list(request: HttpRequest) -> HttpResponse:
    if request.GET.get("clear"):
        request.session.pop(LIST_QUERY_KEY, None)
        return redirect("matter_list")
    if not request.GET and request.session.get(LIST_QUERY_KEY):
        # Back to the list without parameters: the filters and sort used last.
        return redirect(reverse("matter_list") + "?" + request.session[LIST_QUERY_KEY])
    firms, owners = list_choices()
    filter_form, filters, ordering = _list_query(request, firms, owners)
    query = {**filters, **({"ordering": ordering[0]} if ordering else {})}
    remembered = urlencode(query)
    if request.session.get(LIST_QUERY_KEY, "") != remembered:  # written only when it changes
        if remembered:
            request.session[LIST_QUERY_KEY] = remembered
        else:
            request.session.pop(LIST_QUERY_KEY, None)
    matters = visible_matters(request.user).filter_by(**filters).for_list().sorted_by(ordering)
    # Unfiltered over a big table, the count is PostgreSQL's estimate (API.md, "Lists"); a
    # filtered one is exact up to a bound, beyond it an estimate or "more than" (PageCountPaginator).
    paginator = PageCountPaginator(matters, PAGE_SIZE, page=request.GET.get("page"), estimate=not filters.get("q"))
    page = paginator.get_page(request.GET.get("page"))
    count = paginator.count
    actions = bulk_actions(request.user)
    return render(
        request,
        "legalcase/matter_list.html",
        {
            "nav": "matters",
            "filter_form": filter_form,
            "filters": filters,
            "filtered": bool(query),
            "ordering": ordering[0] if ordering else "",
            "headings": _sort_headings(filters, ordering),
            "export_url": reverse("matter_export") + (f"?{urlencode(query)}" if query else ""),
            "export_limit": f"{MATTER_EXPORT_LIMIT:,}",
            "over_export_limit": count > MATTER_EXPORT_LIMIT,
            "page": page,
            "rows": matter_rows(page.object_list, selectable=bool(actions)),
            "count": count,
            "count_is_estimate": paginator.count_is_estimate,
            "count_is_lower_bound": paginator.count_is_lower_bound,
            "count_bound": paginator.count_bound,
            "bulk_form": BulkActionForm(actions=actions, firms=firms, owners=owners) if actions else None,
            "bulk_confirm": (
                bulk_confirmations(
                    count=count,
                    estimate=paginator.count_is_estimate,
                    more_than=paginator.count_bound,
                )
                if actions
                else {}
            ),
            "bulk_limit": BULK_LIMIT,
            "over_bulk_limit": count > BULK_LIMIT,
            "show_firm_filter": request.user.role != Role.LAWYER,
        },
    )


@login_required
@require_GET
def matter_export_view(request: HttpRequest) -> HttpResponse:
    """What the list shows (its filters and sort, every matching row up to the limit) as .xlsx, audited."""
    _form, filters, ordering = _list_query(request, *list_choices())
    matters = visible_matters(request.user).filter_by(**filters).for_list().sorted_by(ordering)
    query = {**filters, **({"ordering": ordering[0]} if ordering else {})}
    try:
        content, _rows = matter_export(user=request.user, matters=matters, query=query)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(reverse("matter_list") + (f"?{urlencode(query)}" if query else ""))
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=matter_export_filename())
    return response


def bulk_confirmations(*, count: int, estimate: bool, more_than: int | None = None) -> dict[str, str]:
    """The bulk bar's confirmation questions, naming the action and how many matters it takes.

    ``more_than``: the list counted only that far (``PageCountPaginator``); ``count`` is then a bound.
    fasu.js fills ``{matters}`` (the ticked count, or the filter's) and ``{firm}``,
    ``{owner}``, ``{stage}``, ``{reason}`` (the chosen option's label) before asking.
    """
    taken = min(count, BULK_LIMIT)
    if more_than is not None and more_than < BULK_LIMIT:
        every = _("all matching matters (more than %(count)s; the newest %(limit)s at most)") % {
            "count": f"{more_than:,}",
            "limit": f"{BULK_LIMIT:,}",
        }
    elif count > BULK_LIMIT:
        every = _("the newest %(count)s of the matching matters") % {"count": f"{taken:,}"}
    elif estimate:
        every = _("all matching matters (about %(count)s)") % {"count": f"{taken:,}"}
    else:
        every = _("all %(count)s matching matters") % {"count": f"{taken:,}"}
    return {
        "selected": _("the {n} ticked matters"),
        "selected_one": _("the ticked matter"),
        "all": every,
        "assign_firm": _("Assign {matters} to “{firm}”?"),
        "unassign_firm": _("End the current assignment of {matters}?"),
        "set_owner": _("Make {owner} the owner of {matters}?"),
        "clear_owner": _("Clear the owner of {matters}?"),
        "move_stage": _("Move {matters} to the “{stage}” stage?"),
        "close": _("Close {matters} (reason: {reason})?"),
    }


def _form_errors_to_messages(request: HttpRequest, form) -> None:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, _("%(field)s: %(error)s") % {"field": label, "error": error} if label else error)


@login_required
@require_POST
def matter_bulk(request: HttpRequest) -> HttpResponse:
    """Start a bulk job over the ticked matters or over every matter matching the filter."""
    actions = bulk_actions(request.user)
    if not actions or (request.POST.get("action") in BulkActionForm.ACTIONS and request.POST["action"] not in actions):
        raise PermissionDenied(_("Your role may not take this action."))
    firms, owners = list_choices()
    form = BulkActionForm(request.POST, actions=actions, firms=firms, owners=owners)
    filters = MatterFilterForm(request.POST, firms=firms, owners=owners).filters()
    back = reverse("matter_list") + (f"?{urlencode(filters)}" if filters else "")
    return bulk_run(request, form=form, matching=lambda: visible_matters(request.user).filter_by(**filters), back=back)


def bulk_matter_ids(request: HttpRequest, form: BulkActionForm, matching) -> list[int]:
    """The ticked matters, or the newest ``BULK_LIMIT`` of ``matching()`` (saying so when there are more)."""
    if form.cleaned_data["scope"] == BulkActionForm.SCOPE_ALL:
        matter_ids = list(matching().order_by("-id").values_list("pk", flat=True)[: BULK_LIMIT + 1])
        if len(matter_ids) > BULK_LIMIT:
            matter_ids = matter_ids[:BULK_LIMIT]
            messages.warning(
                request,
                _(
                    "More than %(limit)s matters match the filter. This job takes the newest %(limit)s; "
                    "narrow the filter to act on the others."
                )
                % {"limit": f"{BULK_LIMIT:,}"},
            )
        return matter_ids
    return form.cleaned_data["matters"]


def bulk_run(request: HttpRequest, *, form: BulkActionForm, matching, back: str) -> HttpResponse:
    """Start the job a bulk form asks for over the ticked matters or every ``matching()`` one (the matter list, the worklist)."""
    if not form.is_valid():
        _form_errors_to_messages(request, form)
        return redirect(back)
    matter_ids = bulk_matter_ids(request, form, matching)
    if form.cleaned_data["action"] == "batch_filings":
        # The filings app's batch page takes it from here (choose a template, check, start).
        request.session[BATCH_SELECTION_KEY] = [pk for pk in matter_ids if isinstance(pk, int)]
        return redirect("batch_new")
    try:
        job = services.matters_bulk_start(
            user=request.user, action=form.cleaned_data["action"], matter_ids=matter_ids, **form.params()
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(back)
    return redirect("job_detail", job_id=job.pk)


# --- Jobs ---------------------------------------------------------------------------


def _job_summary(job: Job) -> str:
    """One line saying what a bulk job does, in the reader's language."""
    payload = job.payload
    if job.kind == "demand_tracking_import":
        return str(JOB_KIND_LABELS[job.kind])
    if job.kind != "matters_bulk":
        return job.kind
    action = payload.get("action")
    if action == "assign_firm":
        firm = LawFirm.objects.filter(pk=payload.get("firm_id")).values_list("name", flat=True).first() or "—"
        return _("Assign to %(firm)s") % {"firm": firm}
    if action == "unassign_firm":
        return _("End the current assignment")
    if action == "set_owner":
        owner = User.objects.filter(pk=payload.get("owner_id")).first()
        return _("Set owner to %(owner)s") % {"owner": owner.display_name} if owner else _("Clear the owner")
    if action == "move_stage":
        to = payload.get("to", "")
        label = Stage(to).label if to in Stage.values else to
        if payload.get("reason") in ClosingReason.values:
            label = _("%(stage)s (%(reason)s)") % {"stage": label, "reason": ClosingReason(payload["reason"]).label}
        return _("Move to %(stage)s") % {"stage": label}
    return str(action)


@login_required
@require_GET
def job_detail(request: HttpRequest, job_id) -> HttpResponse:
    """A job's progress; the status partial polls every second until the job is finished."""
    job = access_job(request.user, job_id)
    errors = list(job.result.get("errors", [])) if job.is_finished else []
    numbers = dict(
        visible_matters(request.user).filter(pk__in=[e.get("matter") for e in errors]).values_list("pk", "number")
    )
    for error in errors:
        error["number"] = numbers.get(error.get("matter"))
    total = job.progress_total
    failed = job.result.get("failed", len(errors)) if job.is_finished else 0
    # An import's rejected rows with their reasons (the first ones; the errors file has all).
    rejected = importing.import_rejected(job) if job.status == JobStatus.DONE and job.result.get("rejected") else []
    if job.kind == "demand_tracking_import" and job.status == JobStatus.DONE:
        rejected = tracking_rejected(job)
    context = {
        "nav": "matters",
        "job": job,
        "summary": _job_summary(job),
        "errors": errors,
        "rejected": rejected,
        "rejected_shown": importing.REJECTED_SHOWN,
        "failed": failed,
        "succeeded": max(total - failed, 0) if job.status == JobStatus.DONE else None,
    }
    template = "legalcase/_job_status.html" if request.htmx else "legalcase/job_detail.html"
    return render(request, template, context)


# The kinds of job the jobs page lists (the work a person started), with their names;
# the parts a job splits into (a batch's chunks, a document's PDF) are not listed.
JOB_KIND_LABELS = {
    "matters_bulk": gettext_lazy("Bulk action"),
    "escalations_import": gettext_lazy("Bulk import"),
    "batch_run": gettext_lazy("Batch filings"),
    "evidence_bundle": gettext_lazy("Evidence bundle"),
    "document_generate": gettext_lazy("Filing"),
    "demand_tracking_import": gettext_lazy("Courier tracking import"),
}
JOBS_PAGE_SIZE = 50


@dataclass(frozen=True)
class JobRow:
    job: Job
    kind: str
    summary: str
    error: str
    mine: bool
    links: list[tuple[str, str]]  # (label, url)


def _job_row(job: Job, *, user: User) -> JobRow:
    """A row of the jobs page: what the job did, its result or error, and where to see more."""
    result, mine = job.result or {}, job.created_by_id == user.pk
    links: list[tuple[str, str]] = []
    if job.kind == "escalations_import":
        summary = job.payload.get("name") or ""
        if job.status == JobStatus.DONE:
            summary = _("%(name)s: %(created)s created, %(updated)s updated, %(rejected)s rejected") % {
                "name": summary,
                "created": result.get("created", 0),
                "updated": result.get("updated", 0),
                "rejected": result.get("rejected", 0),
            }
            if result.get("rejected") and mine:
                links.append((_("Rejected rows"), reverse("escalation_import_errors", args=[job.pk])))
    elif job.kind == "batch_run":
        summary = _("%(count)s matters") % {"count": job.progress_total}
        if job.payload.get("batch_id"):
            links.append((_("Batch page"), reverse("batch_detail", args=[job.payload["batch_id"]])))
    elif job.kind == "matters_bulk":
        summary = _job_summary(job)
        if job.is_finished:
            failed = result.get("failed", len(result.get("errors", [])))
            summary = _("%(action)s: %(total)s matters, %(failed)s failed") % {
                "action": summary,
                "total": job.progress_total,
                "failed": failed,
            }
    else:
        summary = ""
    if mine:
        links.insert(0, (_("Details"), reverse("job_detail", args=[job.pk])))
    error = _job_error(job) if job.status == JobStatus.FAILED else ""
    kind = str(JOB_KIND_LABELS.get(job.kind, job.kind))
    return JobRow(job=job, kind=kind, summary=summary, error=error, mine=mine, links=links)


def _job_error(job: Job) -> str:
    """A failed job's error in the reader's language: the worker records ``ClassName: message``
    (the message is ours, translated when it was raised); the class name is for the logs."""
    text = (job.error or "").strip()
    if text.startswith("The worker stopped"):
        return _("The worker stopped several times while running this job; start it again.")
    head, sep, message = text.partition(": ")
    if sep and head.isidentifier():
        text = message
    return _("Stopped with an error: %(message)s") % {"message": text[:300] or "—"}


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    """任务记录: the user's own batches, imports and bulk jobs, newest first (an admin sees everyone's)."""
    user = request.user
    jobs = Job.objects.filter(kind__in=JOB_KIND_LABELS).select_related("created_by").order_by("-created_at", "-id")
    everyone = user.role == Role.ADMIN
    if not everyone:
        jobs = jobs.filter(created_by=user)
    page = Paginator(jobs, JOBS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "legalcase/job_list.html",
        {
            "nav": "jobs",
            "page": page,
            "rows": [_job_row(job, user=user) for job in page.object_list],
            "everyone": everyone,
        },
    )


# --- Matter page --------------------------------------------------------------------


@dataclass(frozen=True)
class MatterSection:
    title: str
    url_name: str  # a URL taking ``matter_id``, answering an HTML fragment


# Sections other apps add to the matter page (evidence, filings, proceedings...). Each
# is loaded by HTMX from the owning app's own URL, which checks access itself; an app
# registers its section from AppConfig.ready(), so legalcase imports none of them.
MATTER_SECTIONS: list[MatterSection] = []


def register_matter_section(*, title: str, url_name: str) -> None:
    if all(section.url_name != url_name for section in MATTER_SECTIONS):
        MATTER_SECTIONS.append(MatterSection(title=title, url_name=url_name))


OUTSTANDING_LABELS = {
    "costs": gettext_lazy("Recoverable costs"),
    "interest": gettext_lazy("Interest and charges"),
    "principal": gettext_lazy("Principal"),
}


def _matter_context(request: HttpRequest, matter: Matter) -> dict:
    user = request.user
    debt = matter.debt
    outstanding = matter.outstanding
    moves = [(stage, Stage(stage).label) for stage in matter.allowed_moves if stage != Stage.CLOSED]
    deadlines = list(
        matter.deadlines.filter(superseded_at__isnull=True).select_related("party").order_by("due_on", "id")
    )
    periods = {d.party_id: d for d in deadlines if d.kind == DeadlineKind.GUARANTEE_PERIOD}
    guarantees = list(debt.guarantees.select_related("guarantor").order_by("id"))
    for guarantee in guarantees:
        guarantee.period_deadline = periods.get(guarantee.guarantor_id)
    return {
        "nav": "matters",
        "matter": matter,
        "debt": debt,
        "debtor": debt.debtor,
        "guarantees": guarantees,
        "deadlines": deadlines,
        "today": timezone.localdate(),
        "claim_rows": [(Debt._meta.get_field(name).verbose_name, getattr(debt, name)) for name in Debt.AMOUNT_FIELDS],
        "outstanding_rows": [(OUTSTANDING_LABELS[key], outstanding[key]) for key in ("costs", "interest", "principal")],
        "outstanding_total": outstanding["total"],
        "assignments": matter.assignments.select_related("firm", "started_by", "ended_by"),
        "events": visible_events(user, matter).select_related("actor__firm")[:500],
        "moves": moves,
        "can_close": Stage.CLOSED in matter.allowed_moves,
        "closing_reasons": ClosingReason.choices,
        "can_move": can(user, "move_stage"),
        "can_reveal": can(user, "reveal"),
        "can_assign": can(user, "assign"),
        "can_set_owner": can(user, "set_owner"),
        "reveal_form": RevealForm(),
        "owner_form": OwnerForm(initial={"owner": matter.owner_id or ""}) if can(user, "set_owner") else None,
        "firm_form": AssignFirmForm(initial={"firm": matter.assigned_firm_id or ""}) if can(user, "assign") else None,
        "forum_form": ForumForm(initial={"forum": matter.forum.name if matter.forum_id else ""})
        if can(user, "set_forum")
        else None,
        "forum_names": forum_names() if can(user, "set_forum") else [],
        "sections": MATTER_SECTIONS,
        "score": score_payload(matter),
        **demands_context(request, matter),
    }


WATCH_DAYS = 90
WATCH_ROWS = 500


@login_required
@require_GET
def limitation_watch(request: HttpRequest) -> HttpResponse:
    """Visible matters whose limitation or guarantee period ends within 90 days, and the expired ones."""
    today = timezone.localdate()
    deadlines = (
        Deadline.objects.filter(
            superseded_at__isnull=True,
            status=DeadlineStatus.OPEN,
            kind__in=[DeadlineKind.LIMITATION, DeadlineKind.GUARANTEE_PERIOD],
            matter__in=visible_matters(request.user),
        )
        .select_related("matter", "party")
        .order_by("due_on", "id")
    )
    ending = deadlines.filter(due_on__gte=today, due_on__lte=today + dt.timedelta(days=WATCH_DAYS))
    expired = deadlines.filter(due_on__lt=today).order_by("-due_on", "-id")
    return render(
        request,
        "legalcase/limitation_watch.html",
        {
            "nav": "limitation",
            "today": today,
            "days": WATCH_DAYS,
            "ending": ending[:WATCH_ROWS],
            "ending_count": ending.count(),
            "expired": expired[:WATCH_ROWS],
            "expired_count": expired.count(),
            "row_limit": WATCH_ROWS,
        },
    )


@login_required
@require_GET
def matter_detail(request: HttpRequest, matter_id: int) -> HttpResponse:
    matter = access_matter(request.user, matter_id)
    return render(request, "legalcase/matter_detail.html", _matter_context(request, matter))


@login_required
@require_POST
@never_cache
def matter_reveal(request: HttpRequest, matter_id: int) -> HttpResponse:
    """The audited reveal: records who looked and why, then answers the unmasked parties."""
    matter = access_matter(request.user, matter_id, action="reveal")
    form = RevealForm(request.POST)
    if not form.is_valid():
        if request.htmx:
            return render(request, "legalcase/_reveal_error.html", {"reveal_form": form})
        _form_errors_to_messages(request, form)
        return redirect("matter_detail", matter_id=matter.pk)
    matter = services.matter_reveal_debtor(user=request.user, matter_id=matter.pk, purpose=form.cleaned_data["purpose"])
    debt = matter.debt
    context = {
        "matter": matter,
        "debt": debt,
        "debtor": debt.debtor,
        "guarantees": debt.guarantees.select_related("guarantor").order_by("id"),
        "purpose": form.cleaned_data["purpose"],
        # The timeline gains the reveal entry at once (an out-of-band swap).
        "oob": request.htmx,
        "events": visible_events(request.user, matter).select_related("actor__firm")[:500],
    }
    template = "legalcase/_reveal.html" if request.htmx else "legalcase/matter_reveal.html"
    return render(request, template, context)


def _matter_form_action(request: HttpRequest, matter_id: int, *, action: str, form, act) -> HttpResponse:
    """A form on the matter page: authorise, validate, call the service, say what happened.

    ``act(matter, cleaned_data)`` calls one service and returns the success message.
    """
    matter = access_matter(request.user, matter_id, action=action)
    if not form.is_valid():
        _form_errors_to_messages(request, form)
        return redirect("matter_detail", matter_id=matter.pk)
    try:
        message = act(matter, form.cleaned_data)
    except services.StageConflict as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, message)
    return redirect("matter_detail", matter_id=matter.pk)


@login_required
@require_POST
def matter_transition(request: HttpRequest, matter_id: int) -> HttpResponse:
    def act(matter: Matter, data: dict) -> str:
        matter = services.matter_transition(user=request.user, matter_id=matter.pk, **data)
        return _("The matter moved to “%(stage)s”.") % {"stage": matter.get_stage_display()}

    return _matter_form_action(request, matter_id, action="move_stage", form=TransitionForm(request.POST), act=act)


@login_required
@require_POST
def matter_owner(request: HttpRequest, matter_id: int) -> HttpResponse:
    form = OwnerForm(request.POST)

    def act(matter: Matter, data: dict) -> str:
        matter = services.matter_set_owner(user=request.user, matter_id=matter.pk, owner_id=form.owner_id())
        owner = matter.owner.display_name if matter.owner else _("no owner")
        return _("Owner set to %(owner)s.") % {"owner": owner}

    return _matter_form_action(request, matter_id, action="set_owner", form=form, act=act)


@login_required
@require_POST
def matter_assign(request: HttpRequest, matter_id: int) -> HttpResponse:
    def act(matter: Matter, data: dict) -> str:
        matter = services.matter_assign_firm(user=request.user, matter_id=matter.pk, firm_id=int(data["firm"]))
        return _("Assigned to %(firm)s.") % {"firm": matter.assigned_firm.name}

    return _matter_form_action(request, matter_id, action="assign", form=AssignFirmForm(request.POST), act=act)


@login_required
@require_POST
def matter_forum(request: HttpRequest, matter_id: int) -> HttpResponse:
    def act(matter: Matter, data: dict) -> str:
        matter = services.matter_set_forum(user=request.user, matter_id=matter.pk, forum_id=data["forum"])
        if matter.forum_id is None:
            return _("The court or arbitration commission was cleared.")
        return _("Court or arbitration commission set to %(forum)s.") % {"forum": matter.forum.name}

    return _matter_form_action(request, matter_id, action="set_forum", form=ForumForm(request.POST), act=act)


@login_required
@require_POST
def matter_unassign(request: HttpRequest, matter_id: int) -> HttpResponse:
    matter = access_matter(request.user, matter_id, action="assign")
    services.matter_unassign_firm(user=request.user, matter_id=matter.pk)
    messages.success(request, _("The assignment has ended; the firm no longer sees this matter."))
    return redirect("matter_detail", matter_id=matter.pk)


# The list's columns, read as tuples: building 50 model instances with four related ones
# cost more than everything else on the page (bench/matter_list.py).
# The owner's, firm's and creditor's names come from ``list_names``, not from joins.
ROW_COLUMNS = (
    "pk", "number", "stage", "owner_id", "assigned_firm_id", "debt__debtor_id", "debt__debtor__name",
    "debt__debtor__kind", "debt__debtor__id_number", "debt__debtor__uscc", "debt__product",
    "debt__account_number", "debt__creditor_id", "debt__overdue_since",
    *(f"debt__{name}" for name in Debt.AMOUNT_FIELDS),
)  # fmt: skip
ROW_OWNER, ROW_FIRM, ROW_CREDITOR = (
    ROW_COLUMNS.index(name) for name in ("owner_id", "assigned_firm_id", "debt__creditor_id")
)


@functools.lru_cache(maxsize=16)
def _row_parts(language: str, prefix: str) -> tuple[str, str, dict[str, str], dict[str, str]]:
    """What every row of a language's list shares: the two link stems, the products' escaped
    labels and the stages' badges (translated and built once per process)."""
    products = {value: html.escape(str(label)) for value, label in Product.choices}
    stages = {stage: stage_badge(stage) for stage in Stage.values}
    return reverse("matter_detail", args=[0])[:-2], reverse("debtor_detail", args=[0])[:-2], products, stages


def matter_rows(matters, *, selectable: bool, after=None, extra: tuple[str, ...] = ()) -> str:
    """The list's table rows, built in Python from tuples: on a 50-row page the template
    engine spent about 15 ms resolving these cells (bench/matter_list.py).

    The standard library's ``html.escape`` (what Django's ``escape`` calls, without its
    lazy-string check) and one owner name per owner, not per row: a fifth of the page's
    Python (bench/matter_list_cpu.py).

    ``after(pk, *values of extra)``, if given, is HTML put after each matter's row (the
    worklist's "why" row), from ``extra`` columns read in the same query.
    """
    matter_url, debtor_url, products, stages = _row_parts(get_language(), get_script_prefix())
    esc = html.escape
    page = list(matters.values_list(*ROW_COLUMNS, *extra))
    users, firms, creditors = list_names(
        users={values[ROW_OWNER] for values in page},
        firms={values[ROW_FIRM] for values in page},
        creditors={values[ROW_CREDITOR] for values in page},
    )
    owners: dict[int, str] = {}
    rows = []
    width = len(ROW_COLUMNS)
    for values in page:
        (pk, number, stage, owner_id, firm_id, debtor_id, debtor, kind, id_number, uscc, product, account,
         creditor_id, overdue_since, *amounts) = values[:width]  # fmt: skip
        product = products.get(product) or esc(product)
        firm = esc(firms.get(firm_id, ""))
        creditor = creditors[creditor_id][0]
        check = (
            f'<td class="check"><input type="checkbox" name="matters" value="{pk}" aria-label="{esc(number)}"></td>'
            if selectable
            else ""
        )
        masked = mask_id_number(id_number) if kind == Party.Kind.PERSON else uscc
        if owner_id is None:
            owner = "—"
        elif (owner := owners.get(owner_id)) is None:
            owner = owners[owner_id] = esc(display_name(*users[owner_id]))
        rows.append(
            f"<tr>{check}"
            f'<td><a href="{matter_url}{pk}/">{esc(number)}</a></td>'
            f'<td><a href="{debtor_url}{debtor_id}/">{esc(debtor)}</a></td>'
            f'<td class="idnum">{esc(masked)}</td>'
            f'<td title="{product}">{product}</td>'
            f'<td class="idnum">{esc(mask_account(account))}</td>'
            f'<td title="{esc(creditor)}">{esc(creditor_short(creditor))}</td>'
            f'<td class="num">{esc(money(sum(amounts, Decimal("0.00"))))}</td>'
            f"<td>{stages.get(stage) or stage_badge(stage)}</td><td>{owner}</td>"
            f'<td title="{firm}">{firm or "—"}</td>'
            f"<td>{overdue_since.isoformat()}</td></tr>\n"
        )
        if after is not None:
            rows.append(after(pk, *values[width:]))
    return mark_safe("".join(rows))


# --- Debtor page --------------------------------------------------------------------


@login_required
@require_GET
def debtor_detail(request: HttpRequest, party_id: int) -> HttpResponse:
    """A party and every matter the user can see in which it is the debtor or a guarantor."""
    guaranteed = Guarantee.objects.filter(guarantor_id=party_id).values("debt_id")
    matters = visible_matters(request.user).filter(Q(debt__debtor_id=party_id) | Q(debt__in=guaranteed))
    paginator = Paginator(matters.for_list().order_by("-id"), PAGE_SIZE)
    if paginator.count == 0:
        raise Http404("no visible matter of this party")
    page = paginator.get_page(request.GET.get("page"))
    party = get_object_or_404(Party, pk=party_id)
    return render(request, "legalcase/debtor_detail.html", {"nav": "matters", "party": party, "page": page})


# --- Bulk import of escalations -----------------------------------------------------


@login_required
def escalation_import(request: HttpRequest) -> HttpResponse:
    """Upload a bank export of escalations; the import runs as a job with a progress bar."""
    if not can(request.user, "escalate"):
        raise PermissionDenied(_("Your role may not take this action."))
    form = EscalationImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = importing.escalations_import_start(user=request.user, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("file", message)
        else:
            return redirect("job_detail", job_id=job.pk)
    return render(
        request,
        "legalcase/escalation_import.html",
        {
            "nav": "import",
            "form": form,
            "columns": [
                (name, headers, required, *importing.NOTES[name]) for name, (headers, required) in importing.COLUMNS.items()
            ],
            "max_mb": importing.IMPORT_MAX_BYTES >> 20,
        },
    )


@login_required
@require_GET
def escalation_import_errors(request: HttpRequest, job_id) -> HttpResponse:
    """The rejected rows of an import job, as CSV; only the user who started the job gets it."""
    job = access_job(request.user, job_id)
    stored = importing.import_errors_file(job)
    if stored is None:
        raise Http404("no errors file")
    name = Path(job.payload.get("name") or "import").stem
    return FileResponse(
        file_storage().open(stored, "rb"), as_attachment=True, filename=f"{name}.errors.csv", content_type="text/csv"
    )


@login_required
@require_GET
def escalation_import_template(request: HttpRequest, kind: str) -> HttpResponse:
    """The import template, ``xlsx`` or ``csv``: the accepted columns, their values, an example row."""
    if not can(request.user, "escalate"):
        raise PermissionDenied(_("Your role may not take this action."))
    try:
        content, filename, content_type = importing.import_template(kind)
    except ValueError:
        raise Http404("no such template format") from None
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
