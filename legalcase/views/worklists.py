"""The worklist page (工作清单, issue 19 item 3): the open matters most worth pursuing today, and why.

Its rows are the matter list's (``matter_rows``), each followed by a line saying why the
matter is there: the score and its strongest reason, the reviewer's recommendation, the
promised payment date, the limitation date and the open tasks. Its bulk bar is the
list's (``bulk_run``) plus "分派任务": one task per chosen matter.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_POST

from legalcase.access import can
from legalcase.forms import (
    BULK_LIMIT,
    BulkActionForm,
    MatterFilterForm,
    QuickDateInput,
    QuickInput,
    QuickSelect,
    list_choices,
)
from legalcase.models import Recommendation, Role, ScoreKind, Stage
from legalcase.pagination import EstimatingPaginator
from legalcase.services.worklists import (
    DEFAULT_ORDERING,
    HAND_OUT_LIMIT,
    NO_RECOMMENDATION,
    PAGE_EXACT_UP_TO,
    Worklist,
    assignee_choices,
    open_task_counts,
    tasks_hand_out,
    worklist_matters,
    worklist_ordering,
    worklist_score_hints,
)
from legalcase.views.matters import PAGE_SIZE, _form_errors_to_messages, bulk_confirmations, bulk_run, matter_rows

ORDERING_CHOICES = [
    ("-score", gettext_lazy("Score, highest first")),
    ("score", gettext_lazy("Score, lowest first")),
    ("-outstanding_total", gettext_lazy("Outstanding, largest first")),
    ("outstanding_total", gettext_lazy("Outstanding, smallest first")),
    ("limitation_expires_on", gettext_lazy("Limitation, soonest first")),
    ("-limitation_expires_on", gettext_lazy("Limitation, latest first")),
    ("promise_due_on", gettext_lazy("Promised payment, soonest first")),
    ("-promise_due_on", gettext_lazy("Promised payment, latest first")),
]
HAND_OUT = "hand_out_tasks"


class WorklistFilterForm(MatterFilterForm):
    """The list's filters plus the recommendation and the order; an invalid value is dropped."""

    recommendation = forms.ChoiceField(label=gettext_lazy("Recommendation"), required=False, widget=QuickSelect)
    ordering = forms.ChoiceField(label=gettext_lazy("Order"), required=False, widget=QuickSelect)

    FIELDS = ("recommendation", *MatterFilterForm.FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        every = [("", _("All"))]
        self.fields["stage"].choices = every + [choice for choice in Stage.choices if choice[0] != Stage.CLOSED]
        self.fields["recommendation"].choices = (
            every + list(Recommendation.choices) + [(NO_RECOMMENDATION, _("No recommendation yet"))]
        )
        self.fields["ordering"].choices = ORDERING_CHOICES

    def sort_key(self) -> str:
        self.is_valid()
        try:
            return worklist_ordering(getattr(self, "cleaned_data", {}).get("ordering"))
        except ValueError:
            return DEFAULT_ORDERING


class WorklistBulkForm(BulkActionForm):
    """The list's bulk actions, plus handing out a task on each matter."""

    ACTIONS = {**BulkActionForm.ACTIONS, HAND_OUT: ("write_tasks", gettext_lazy("Hand out tasks"))}

    task_title = forms.CharField(label=gettext_lazy("Task"), required=False, max_length=200, widget=QuickInput)
    task_due_on = forms.DateField(label=pgettext_lazy("task", "Due on"), required=False, widget=QuickDateInput(attrs={"type": "date"}))
    task_assignee = forms.ChoiceField(label=pgettext_lazy("task", "Assignee"), required=False, widget=QuickSelect)

    def __init__(self, *args, assignees: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["task_assignee"].choices = [("", "—")] + assignees
        self.fields["task_title"].widget.attrs["placeholder"] = _("e.g. call the debtor")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == HAND_OUT:
            if not (cleaned.get("task_title") or "").strip():
                self.add_error("task_title", _("Give the task a title."))
            if not cleaned.get("task_due_on"):
                self.add_error("task_due_on", _("Give the task a due date."))
            if not cleaned.get("task_assignee"):
                self.add_error("task_assignee", _("Choose who does it."))
        return cleaned


def worklist_bulk_actions(user) -> list[str]:
    return [name for name, (permission, _label) in WorklistBulkForm.ACTIONS.items() if can(user, permission)]


# What the "why" line says, read with each row (``matter_rows``'s ``extra``).
WHY_COLUMNS = (
    "score_row__value", "score_row__kind", "score_row__reasons", "recommendation", "promise_due_on",
    "limitation_expires_on",
)  # fmt: skip


def _why_rows(matter_ids: list[int], *, columns: int, today: dt.date):
    """``after(pk, *WHY_COLUMNS)`` for ``matter_rows``: the line under each row saying why the matter is on the worklist.

    Its words are translated once per page and the cells escaped with ``html.escape``:
    ``format_html`` and ``gettext`` per item were an eighth of the page (bench/worklist.py).
    """
    tasks = open_task_counts(matter_ids)
    recommendations = {key: str(label) for key, label in Recommendation.choices}
    words = {
        "not_scored": escape(_("Not scored yet")),
        "likelihood": _("Recovery likelihood"),
        "rules": _(" (rules)"),
        "recommended": _("Recommended: %(what)s"),
        "not_reviewed": escape(_("Not reviewed yet")),
        "promised": _("Promised by %(date)s"),
        "limitation": _("Limitation %(date)s"),
        "tasks": _("%(count)d open tasks"),
        "no_task": escape(_("No open task")),
    }

    def after(pk: int, value, kind, reasons, recommendation, promise_due_on, limitation_on) -> str:
        items = []
        if value is None:
            items.append(f'<span class="why-score none">{words["not_scored"]}</span>')
        else:
            # As on the matter page: a percentage (API.md's four decimals are in the API).
            label = f"{words['likelihood']} {value * 100:.0f}%" + (words["rules"] if kind == ScoreKind.RULES else "")
            items.append(f'<span class="why-score">{escape(label)}</span>')
            if reasons:
                first = reasons[0]
                effect = "up" if first.get("effect") == "+" else "down"
                items.append(f'<span class="why-reason {effect}">{escape(str(first.get("text", "")))}</span>')
        if recommendation:
            what = recommendations.get(recommendation, recommendation)
            items.append(f"<span>{escape(words['recommended'] % {'what': what})}</span>")
        else:
            items.append(f'<span class="muted">{words["not_reviewed"]}</span>')
        for date, text in ((promise_due_on, words["promised"]), (limitation_on, words["limitation"])):
            if date:
                late = " late" if date < today else ""
                items.append(f'<span class="why-date{late}">{escape(text % {"date": date.isoformat()})}</span>')
        count = tasks.get(pk, 0)
        if count:
            items.append(f'<span class="why-tasks">{escape(words["tasks"] % {"count": count})}</span>')
        else:
            items.append(f'<span class="muted">{words["no_task"]}</span>')
        return f'<tr class="why"><td colspan="{columns}">' + "".join(items) + "</td></tr>\n"

    return after


@login_required
@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    firms, owners = list_choices()
    filter_form = WorklistFilterForm(request.GET, firms=firms, owners=owners)
    filters = filter_form.filters()
    ordering = filter_form.sort_key()
    matters = worklist_matters(request.user, **filters)
    rows = Worklist(
        matters,
        ordering=ordering,
        filtered=bool(filters),
        exact_up_to=PAGE_EXACT_UP_TO,
        score_hints=worklist_score_hints(request.user, **filters),
    )
    paginator = EstimatingPaginator(rows, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    count = paginator.count
    actions = worklist_bulk_actions(request.user)
    ids = rows.last_ids
    columns = 12 if actions else 11
    query = {**filters, **({"ordering": ordering} if ordering != DEFAULT_ORDERING else {})}
    return render(
        request,
        "legalcase/worklist.html",
        {
            "nav": "worklist",
            "filter_form": filter_form,
            "filters": filters,
            "query": query,
            "filtered": bool(query),
            "ordering": ordering,
            "page": page,
            "rows": matter_rows(
                page.object_list,
                selectable=bool(actions),
                after=_why_rows(ids, columns=columns, today=timezone.localdate()),
                extra=WHY_COLUMNS,
            ),
            "count": count,
            "count_is_estimate": paginator.count_is_estimate,
            "bulk_form": WorklistBulkForm(actions=actions, firms=firms, owners=owners, assignees=assignee_choices(request.user))
            if actions
            else None,
            "bulk_confirm": {
                **bulk_confirmations(count=count, estimate=paginator.count_is_estimate),
                HAND_OUT: _("Hand out a task on each of {matters}?"),
            }
            if actions
            else {},
            "bulk_limit": BULK_LIMIT,
            "over_bulk_limit": count > BULK_LIMIT,
            "hand_out_limit": HAND_OUT_LIMIT,
            "show_firm_filter": request.user.role != Role.LAWYER,
        },
    )


@login_required
@require_POST
def worklist_bulk(request: HttpRequest) -> HttpResponse:
    """The worklist's bulk bar: the list's jobs, or one task per ticked (or matching) matter."""
    actions = worklist_bulk_actions(request.user)
    if not actions or (request.POST.get("action") in WorklistBulkForm.ACTIONS and request.POST["action"] not in actions):
        raise PermissionDenied(_("Your role may not take this action."))
    firms, owners = list_choices()
    form = WorklistBulkForm(request.POST, actions=actions, firms=firms, owners=owners, assignees=assignee_choices(request.user))
    filter_form = WorklistFilterForm(request.POST, firms=firms, owners=owners)
    filters = filter_form.filters()
    ordering = filter_form.sort_key()
    query = {**filters, **({"ordering": ordering} if ordering != DEFAULT_ORDERING else {})}
    back = reverse("worklist") + (f"?{urlencode(query)}" if query else "")

    def matching():
        return worklist_matters(request.user, **filters)

    if request.POST.get("action") != HAND_OUT:
        return bulk_run(request, form=form, matching=matching, back=back)
    if not form.is_valid():
        _form_errors_to_messages(request, form)
        return redirect(back)
    if form.cleaned_data["scope"] == BulkActionForm.SCOPE_ALL:
        matter_ids = list(matching().order_by("-id").values_list("pk", flat=True)[: HAND_OUT_LIMIT + 1])
    else:
        matter_ids = form.cleaned_data["matters"]
    try:
        tasks = tasks_hand_out(
            user=request.user,
            matter_ids=matter_ids,
            title=form.cleaned_data["task_title"],
            due_on=form.cleaned_data["task_due_on"],
            assignee_id=int(form.cleaned_data["task_assignee"]),
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(back)
    messages.success(request, _("%(count)d tasks handed out.") % {"count": len(tasks)})
    return redirect(back)

