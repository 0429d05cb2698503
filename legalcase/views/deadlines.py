"""Deadline pages (mine, my firm's, all), the calendar feed and in-app notifications.

The deadline list reaches deadlines only through the matters the user may see
(``legalcase.services.notifications.scope_matters``); the inline forms close or move
one deadline through the deadline services, which check access again and record the
event. The calendar feed is the one page without a sign-in: its secret key is the
credential, and an unknown or revoked key answers 404.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from legalcase.access import LAWYER, access_child, can
from legalcase.models import (
    CalendarFeed,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    Matter,
    User,
)
from legalcase.services import deadlines as deadline_services
from legalcase.services import notifications as notification_services

PANEL_ROWS = 20  # rows per panel on the overview; "more" pages through one panel
PAGE_ROWS = 100
PANELS = [
    ("overdue", gettext_lazy("Overdue")),
    ("week", gettext_lazy("Due within 7 days")),
    ("month", gettext_lazy("Due within 30 days")),
]


class DeadlineCloseForm(forms.Form):
    status = forms.ChoiceField(choices=[(DeadlineStatus.DONE, ""), (DeadlineStatus.WAIVED, "")])
    reason = forms.CharField(required=False, max_length=2000)


class DeadlineOverrideForm(forms.Form):
    due_on = forms.DateField(label=gettext_lazy("New date"), input_formats=["%Y-%m-%d"])
    reason = forms.CharField(required=False, max_length=2000)


# --- The deadline list ------------------------------------------------------------------


def deadline_scopes(user: User) -> list[tuple[str, str]]:
    scopes = [("mine", _("Mine"))]
    if user.role == LAWYER:
        scopes.append(("firm", _("My firm")))
    scopes.append(("all", _("All")))
    return scopes


def default_scope(user: User) -> str:
    """Lawyers and counsel who own matters start on their own deadlines; everyone else on all."""
    if user.role == LAWYER or Matter.objects.filter(owner_id=user.pk).exists():
        return "mine"
    return "all"


def _with_days(deadline: Deadline, today: dt.date) -> Deadline:
    """Days left (negative: overdue) for the row's "N days left" / "N days overdue"."""
    deadline.days = (deadline.due_on - today).days
    deadline.days_overdue = -deadline.days
    return deadline


def _row_context(request: HttpRequest, deadline: Deadline, **extra) -> dict:
    today = timezone.localdate()
    _with_days(deadline, today)
    return {"deadline": deadline, "today": today, "can_move": can(request.user, "move_stage"), **extra}


def _feed_context(user: User, **extra) -> dict:
    return {"feed": CalendarFeed.objects.filter(user=user).first(), **extra}


@login_required
@require_GET
def deadline_list(request: HttpRequest) -> HttpResponse:
    """Open deadlines in three panels (overdue, within 7 days, within 30 days), by scope and kind."""
    user = request.user
    today = timezone.localdate()
    scopes = deadline_scopes(user)
    scope = request.GET.get("scope")
    if scope not in dict(scopes):
        scope = default_scope(user)
    kind = request.GET.get("kind", "")
    if kind not in DeadlineKind.values:
        kind = ""
    deadlines = notification_services.deadlines_for(user, scope, today=today)
    if kind:
        deadlines = deadlines.filter(kind=kind)
    buckets = notification_services.deadline_buckets(deadlines, today=today)
    only = request.GET.get("panel")
    if only not in buckets:
        only = None
    query = {"scope": scope, **({"kind": kind} if kind else {})}
    panels = []
    for key, title in PANELS:
        if only and key != only:
            continue
        rows = buckets[key].select_related("matter", "party")
        page = None
        if only:
            page = Paginator(rows, PAGE_ROWS).get_page(request.GET.get("page"))
            rows, count = page.object_list, page.paginator.count
        else:
            count = rows.count()
            rows = rows[:PANEL_ROWS]
        panels.append(
            {
                "key": key,
                "title": title,
                "rows": [_with_days(deadline, today) for deadline in rows],
                "count": count,
                "page": page,
                "more_url": f"?{urlencode({**query, 'panel': key})}" if not only and count > PANEL_ROWS else "",
            }
        )
    return render(
        request,
        "legalcase/deadlines.html",
        {
            "nav": "deadlines",
            "today": today,
            "scopes": scopes,
            "scope": scope,
            "kind": kind,
            "kinds": DeadlineKind.choices,
            "panels": panels,
            "only": only,
            "query": urlencode(query),
            "can_move": can(user, "move_stage"),
            **_feed_context(user),
        },
    )


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("deadline_list")


def _row_response(request: HttpRequest, deadline_id: int, *, error: str = "", done: str = "", form: str = "", data=None):
    """The row again after an inline form: with the error and the entered values, or the result."""
    if not request.htmx:
        if error:
            messages.error(request, error)
        elif done:
            messages.success(request, done)
        return _back(request)
    deadline = Deadline.objects.select_related("matter", "party").get(pk=deadline_id)
    context = _row_context(request, deadline, error=error, done=done, open_form=form if error else "", data=data or {})
    return render(request, "legalcase/_deadline_row.html", context)


def _errors(form: forms.Form) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


@login_required
@require_POST
def deadline_complete(request: HttpRequest, deadline_id: int) -> HttpResponse:
    """Mark a deadline done or waived (a waiver needs a reason)."""
    # 404 if not visible, 403 if the role may not, before the form is read.
    current = Deadline.objects.filter(superseded_at__isnull=True)
    access_child(request.user, Deadline, deadline_id, action="move_stage", rows=current)
    form = DeadlineCloseForm(request.POST)
    which = "waive" if request.POST.get("status") == DeadlineStatus.WAIVED else "done"
    if not form.is_valid():
        return _row_response(request, deadline_id, error=_errors(form), form=which, data=request.POST)
    try:
        deadline = deadline_services.deadline_complete(
            user=request.user, deadline_id=deadline_id, status=form.cleaned_data["status"], reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        return _row_response(request, deadline_id, error=" ".join(exc.messages), form=which, data=request.POST)
    done = _("Marked done.") if deadline.status == DeadlineStatus.DONE else _("Waived.")
    return _row_response(request, deadline_id, done=done)


@login_required
@require_POST
def deadline_override(request: HttpRequest, deadline_id: int) -> HttpResponse:
    """Set a deadline to another date (the court's notice names another one), with the reason."""
    # 404 if not visible, 403 if the role may not, before the form is read.
    current = Deadline.objects.filter(superseded_at__isnull=True)
    access_child(request.user, Deadline, deadline_id, action="move_stage", rows=current)
    form = DeadlineOverrideForm(request.POST)
    if not form.is_valid():
        return _row_response(request, deadline_id, error=_errors(form), form="override", data=request.POST)
    try:
        deadline_services.deadline_override(
            user=request.user, deadline_id=deadline_id, due_on=form.cleaned_data["due_on"], reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        return _row_response(request, deadline_id, error=" ".join(exc.messages), form="override", data=request.POST)
    return _row_response(request, deadline_id, done=_("Date changed."))


# --- Calendar feed ----------------------------------------------------------------------


@login_required
@require_POST
@never_cache
def calendar_feed_issue(request: HttpRequest) -> HttpResponse:
    """Issue (or reset) the user's calendar address; it is shown this once."""
    key = notification_services.calendar_feed_issue(user=request.user)
    feed_url = request.build_absolute_uri(reverse("calendar_feed", args=[key]))
    if request.htmx:
        return render(request, "legalcase/_deadline_feed.html", _feed_context(request.user, feed_url=feed_url))
    # Without HTMX a page of its own shows the address: a message would keep it in the session.
    return render(
        request, "legalcase/deadlines_feed.html", {"nav": "deadlines", **_feed_context(request.user, feed_url=feed_url)}
    )


@login_required
@require_POST
def calendar_feed_revoke(request: HttpRequest) -> HttpResponse:
    notification_services.calendar_feed_revoke(user=request.user)
    if request.htmx:
        return render(request, "legalcase/_deadline_feed.html", _feed_context(request.user, revoked=True))
    messages.success(request, _("The calendar address no longer works."))
    return redirect("deadline_list")


@require_GET
@never_cache
def calendar_feed(request: HttpRequest, key: str) -> HttpResponse:
    """The user's open deadlines as an iCalendar file; the key in the address is the credential."""
    user = notification_services.calendar_feed_user(key)
    if user is None:
        raise Http404("calendar not found")
    body = notification_services.deadlines_ics(user, today=timezone.localdate())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="fasu-deadlines.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response


# --- Notifications ----------------------------------------------------------------------


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = notification_services.visible_notifications(request.user).select_related("matter", "deadline")
    page = Paginator(notifications, PAGE_ROWS).get_page(request.GET.get("page"))
    return render(
        request,
        "legalcase/notifications.html",
        {"nav": "notifications", "page": page, "today": timezone.localdate()},
    )


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification_services.notification_read(user=request.user, notification_id=notification_id)
    page = request.POST.get("page", "")
    return redirect(reverse("notification_list") + (f"?page={page}" if page.isdigit() else ""))


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = notification_services.notification_read(user=request.user)
    messages.success(request, _("%(count)d notifications marked read.") % {"count": count})
    return redirect("notification_list")
