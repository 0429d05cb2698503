"""Worklists (issue 19 item 3; API.md ``GET /api/v1/worklists/``): the open matters most worth pursuing today.

A worklist is the visible matters that are not closed, filtered by the reviewer's
recommendation, stage, product, firm and owner, and ranked by the recovery score, the
outstanding amount, the limitation date or the earliest open promise's due date, none
last, ties newest first. Who sees what follows ``visible_matters``: an outside firm's
lawyer gets only the matters assigned to their firm.

Ranked by the score, the matters with a score come first through the score table's
index (``MatterScore``: value, then matter id) and the unscored ones after them through
the matter table's: a single query with ``NULLS LAST`` over the outer join would sort
every open matter for each page. A page is therefore fetched in two steps: its ids in
order, then its rows (``Worklist``).

``tasks_hand_out`` gives one task per chosen matter (the worklist page's "分派任务").
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import connections, models, transaction
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from legalcase.access import require, visible_matters
from legalcase.models import MATTER_ORDERINGS, Matter, MatterScore, Role, Stage, Task, TaskStatus, User, display_name
from legalcase.services.matter_counts import matter_count
from legalcase.services.tasks import task_create

# The worklist's sort keys (API.md); each is served by an index in either direction.
WORKLIST_ORDERINGS = ("score", "outstanding_total", "limitation_expires_on", "promise_due_on")
DEFAULT_ORDERING = "-score"
# Matters without a value come last in either direction.
_NULLABLE = frozenset({"score", "limitation_expires_on", "promise_due_on"})
# ``recommendation=none``: matters with no review, or a review without a recommendation.
NO_RECOMMENDATION = "none"
# The most matters one hand-out takes (a task each, in one transaction).
HAND_OUT_LIMIT = 500
# Above this many rows, the worklist without a filter counts by PostgreSQL's estimate.
ESTIMATE_ABOVE = 100_000
# A worklist sorted by score whose filter matches at most this many matters sorts the matches
# (each scored through ``matter_score_of_matter``) instead of walking every score in order:
# a firm's 3,290 "sue" matters took 22-33 ms walked (15,889 scores probed), 9-11 ms sorted.
# Walking wins for wider filters (all 12,000 "sue" matters: 4 ms), hence the bound.
SORT_MATCHES_UP_TO = 5000
# The page counts exactly up to this many rows, and beyond says "about" PostgreSQL's estimate:
# an exact count of a filtered million (one owner's 180,000 open matters) took 260-360 ms.
PAGE_EXACT_UP_TO = 1000


def worklist_ordering(value: str | None) -> str:
    """The sort key asked for (``-`` descends), ``-score`` when none; ValueError for any other key."""
    key = (value or "").strip() or DEFAULT_ORDERING
    if key.removeprefix("-") not in WORKLIST_ORDERINGS:
        raise ValueError(key)
    return key


def worklist_matters(
    user: User,
    *,
    recommendation: str = "",
    stage: str = "",
    product: str = "",
    firm: int | str | None = None,
    owner: int | str | None = None,
    q: str = "",
) -> QuerySet[Matter]:
    """The user's open (not closed) matters that the filters choose, unordered."""
    matters = visible_matters(user).exclude(stage=Stage.CLOSED).filter_by(
        stage=stage, product=product, firm=firm, owner=owner, q=q
    )
    if recommendation:
        # The matter's copy of its review's (``Matter.recommendation``): one index, no join.
        matters = matters.filter(recommendation="" if recommendation == NO_RECOMMENDATION else recommendation)
    return matters


def worklist_score_hints(
    user: User, *, recommendation: str = "", firm: int | str | None = None, **others
) -> dict | None:
    """The scores' copies of their matters' columns (``MatterScore.matter_*``) that pick exactly
    this worklist's matters, when its filters are a recommendation and at most a firm; else None.

    A lawyer's firm here restates ``visible_matters``; ``Worklist`` checks every matter
    found this way against the matters' own conditions (the access rule among them), so a
    copy out of step could only send the page down the general path.
    """
    if not recommendation or any(value not in ("", None) for value in others.values()):
        return None
    hints = {"matter_open": True, "matter_recommendation": "" if recommendation == NO_RECOMMENDATION else recommendation}
    if user.role == Role.LAWYER:
        if firm not in ("", None):
            return None
        hints["matter_firm_id"] = user.firm_id
    elif firm == "none":
        hints["matter_firm_id__isnull"] = True
    elif firm not in ("", None):
        hints["matter_firm_id"] = int(firm)
    return hints


def planner_estimate(queryset: QuerySet) -> int | None:
    """PostgreSQL's estimate of the rows ``queryset`` matches (its plan's row count); None elsewhere.

    ``legalcase.pagination.estimated_count`` reads the table's size, for a list without
    any condition; a worklist always has one (not closed), so the planner is asked.
    """
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def _expression(name: str) -> models.Expression:
    return models.F("score_row__value") if name == "score" else MATTER_ORDERINGS[name]()


def _order(key: str, *, nulls: bool) -> list:
    name = key.removeprefix("-")
    expression = _expression(name)
    # ``nulls_last`` only where a value may be missing: elsewhere it would not match the index.
    options = {"nulls_last": True} if nulls and name in _NULLABLE else {}
    return [expression.desc(**options) if key.startswith("-") else expression.asc(**options), "-id"]


class Worklist:
    """A worklist in order, sliced a page at a time for Django's paginator (and DRF's).

    ``count()`` is exact from the kept counts where the filters are their columns
    (``matter_count``: not closed, a stage, a firm, an owner). Otherwise it is exact,
    except without any filter over more than ``ESTIMATE_ABOVE`` matters, where it is
    PostgreSQL's estimate and ``count_is_estimate`` says so (API.md, "Lists are
    paginated"); with ``exact_up_to`` (the page), exact up to that many and an estimate
    beyond, filtered or not. A slice answers a queryset of exactly that page's matters in
    order, built by ``rows`` (``select_related`` and the like) from a plain queryset. ``score_hints``
    (``worklist_score_hints``) lets a page by score walk the scores of the filter's recommendation.
    """

    def __init__(
        self,
        matters: QuerySet[Matter],
        *,
        ordering: str,
        filtered: bool,
        rows: Callable[[QuerySet[Matter]], QuerySet[Matter]] | None = None,
        exact_up_to: int | None = None,
        score_hints: dict | None = None,
    ):
        self.matters = matters.order_by()
        self.score_hints = score_hints
        self.ordering = ordering
        self.filtered = filtered
        self.exact_up_to = exact_up_to
        self.rows = rows or (lambda matters: matters)
        self.count_is_estimate = False
        self._count: int | None = None
        # The ids of the page read last, in order.
        self.last_ids: list[int] = []

    def count(self) -> int:
        if self._count is None:
            # Exact and cheap where the filters are the kept counts' columns (not closed, a stage, a firm, an owner).
            self._count = matter_count(self.matters)
        if self._count is None and self.exact_up_to is not None:
            # The page: exact while small, else the planner's estimate, never below what was counted.
            counted = self.matters.values("pk")[: self.exact_up_to + 1].count()
            estimate = planner_estimate(self.matters) if counted > self.exact_up_to else None
            if estimate is None:
                self._count = counted if counted <= self.exact_up_to else self.matters.count()
            else:
                self._count, self.count_is_estimate = max(estimate, counted), True
        if self._count is None:
            estimate = None if self.filtered else planner_estimate(self.matters)
            if estimate is not None and estimate > ESTIMATE_ABOVE:
                self._count, self.count_is_estimate = estimate, True
            else:
                self._count = self.matters.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def page_ids(self, offset: int, limit: int) -> list[int]:
        """The ids of ``limit`` matters from ``offset``, in the worklist's order."""
        name = self.ordering.removeprefix("-")
        if name != "score":
            ordered = self.matters.order_by(*_order(self.ordering, nulls=True))
            return list(ordered.values_list("pk", flat=True)[offset : offset + limit])
        descending = self.ordering.startswith("-")
        if self.score_hints is not None and (ids := self._ids_by_hinted_scores(offset, limit, descending=descending)):
            return ids
        if self.filtered and self._few_matches():
            return self._ids_by_score_among_matches(offset, limit, descending=descending)
        # Scored matters through the score's index, then the unscored ones (``ids_by_score``).
        return self.matters.ids_by_score(offset, limit, descending=descending)

    def _ids_by_hinted_scores(self, offset: int, limit: int, *, descending: bool) -> list[int] | None:
        """The page read off the index of the scores whose copies match the filter
        (``score_open_firm_reco``: fifty entries for a firm's "sue" matters, where the
        matters' own conditions made PostgreSQL join and sort all 3,290 of them).

        None, for the general path, when the page reaches the unscored matters or when a
        matter found is not among the worklist's own (a copy out of step): every id
        answered has passed the matters' conditions, the access rule among them.
        """
        value = models.F("value")
        scores = MatterScore.objects.using(self.matters.db).filter(**self.score_hints)
        scores = scores.order_by(value.desc() if descending else value.asc(), "-matter_id")
        ids = list(scores.values_list("matter_id", flat=True)[offset : offset + limit])
        if len(ids) < limit or self.matters.filter(pk__any_of=ids).count() != len(ids):
            return None
        return ids

    def _few_matches(self) -> bool:
        """At most ``SORT_MATCHES_UP_TO`` matches, counted (the page's count may be an estimate)."""
        if self._count is not None and not self.count_is_estimate:
            return self._count <= SORT_MATCHES_UP_TO
        return self.matters.values("pk")[: SORT_MATCHES_UP_TO + 1].count() <= SORT_MATCHES_UP_TO

    def _ids_by_score_among_matches(self, offset: int, limit: int, *, descending: bool) -> list[int]:
        """``ids_by_score`` for a few matches: sorted by a copy of the score that no index
        orders, so PostgreSQL reads the matches first and sorts them."""
        score = models.ExpressionWrapper(
            models.F("score_row__value") + 0, output_field=models.DecimalField(max_digits=6, decimal_places=4)
        )
        order = score.desc(nulls_last=True) if descending else score.asc(nulls_last=True)
        ordered = self.matters.order_by(order, "-id")
        return list(ordered.values_list("pk", flat=True)[offset : offset + limit])

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("a worklist is read a page (a slice) at a time")
        start = index.start or 0
        stop = index.stop if index.stop is not None else self.count()
        ids = self.last_ids = self.page_ids(start, max(0, stop - start))
        if not ids:
            return Matter.objects.none()
        # In the ids' order, by position: ordering by the score again would join its table
        # into the rows' query, whose nine tables then cost PostgreSQL 15 ms to plan.
        return self.rows(Matter.objects.using(self.matters.db).all()).in_order_of(ids)


def open_task_counts(matter_ids: list[int]) -> dict[int, int]:
    """How many open tasks each of these matters has (absent: none)."""
    rows = (
        Task.objects.filter(matter_id__any_of=matter_ids, status=TaskStatus.OPEN)
        .order_by()
        .values("matter_id")
        .annotate(open=Count("id"))
        .values_list("matter_id", "open")
    )
    return dict(rows)


def page_scores(matter_ids: list[int]) -> dict[int, dict]:
    """The scores of these matters as API.md writes them, by matter id (unscored: absent)."""
    rows = MatterScore.objects.filter(matter_id__in=matter_ids).select_related("model")
    return {row.matter_id: score_json(row) for row in rows}


def page_recommendations(matter_ids: list[int]) -> dict[int, str]:
    """The reviewers' recommendations of these matters, by matter id (none yet: absent).

    The matter's copy (``Matter.recommendation``): a review's other fields are encrypted,
    and reading them for fifty rows nobody reads here would cost more than the page.
    """
    rows = Matter.objects.filter(pk__in=matter_ids).exclude(recommendation="")
    return dict(rows.values_list("pk", "recommendation"))


def score_json(row: MatterScore) -> dict:
    """A score as API.md writes it (``select_related("model")``)."""
    return {
        "value": f"{row.value:.4f}",
        "model": row.model.version if row.model_id else None,
        "kind": row.kind,
        "computed_at": row.computed_at.isoformat(),
        "reasons": list(row.reasons or [])[:3],
    }


# --- Handing out tasks ---------------------------------------------------------------------


@transaction.atomic
def tasks_hand_out(
    *, user: User, matter_ids: list[int], title: str, due_on: dt.date, assignee_id: int | None
) -> list[Task]:
    """One task per matter (the worklist's "分派任务"), all or none.

    Matters the user cannot see, or matters the assignee could not see (a lawyer of a
    firm not assigned to them), are refused with their numbers, and nothing is created.
    """
    require(user, "write_tasks")
    title = (title or "").strip()
    errors: dict[str, list[str]] = {}
    if not title or len(title) > 200:
        errors["title"] = [_("The title is required (at most 200 characters).")]
    ids = list(dict.fromkeys(int(pk) for pk in matter_ids))
    if not ids:
        errors["matters"] = [_("Tick at least one matter.")]
    elif len(ids) > HAND_OUT_LIMIT:
        errors["matters"] = [_("At most %(limit)d matters at a time.") % {"limit": HAND_OUT_LIMIT}]
    if errors:
        raise ValidationError(errors)
    seen = dict(visible_matters(user).filter(pk__in=ids).values_list("pk", "number"))
    unseen = [pk for pk in ids if pk not in seen]
    if unseen:
        # Ids, not numbers: the user may not learn what these matters are.
        raise ValidationError(
            {"matters": [_("No such matter, or not yours to see: %(ids)s.") % {"ids": ", ".join(map(str, unseen))}]}
        )
    assignee = None
    if assignee_id is not None:
        assignee = User.objects.filter(pk=assignee_id, is_active=True).first()
        if assignee is None:
            raise ValidationError({"assignee": [_("No such user.")]})
        theirs = set(visible_matters(assignee).filter(pk__in=ids).values_list("pk", flat=True))
        blind = [seen[pk] for pk in ids if pk not in theirs]
        if blind:
            raise ValidationError(
                {
                    "assignee": [
                        _("%(user)s cannot see these matters: %(numbers)s.")
                        % {"user": assignee.display_name, "numbers": ", ".join(blind)}
                    ]
                }
            )
    return [
        task_create(user=user, matter_id=pk, title=title, due_on=due_on, assignee_id=assignee_id)
        for pk in ids
    ]


def assignee_choices(user: User) -> list[tuple[str, str]]:
    """Who a task may be handed to: active in-house users, and a lawyer only their own firm's lawyers."""
    users = User.objects.filter(is_active=True)
    if user.role == Role.LAWYER:
        users = users.filter(role=Role.LAWYER, firm_id=user.firm_id)
    choices = []
    rows = users.order_by("role", "username").values_list("pk", "username", "first_name", "last_name", "role", "firm__name")
    for pk, username, first, last, role, firm in rows:
        name = display_name(username, first, last)
        choices.append((str(pk), f"{name}（{firm}）" if role == Role.LAWYER and firm else name))
    return choices
