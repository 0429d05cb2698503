"""The demo's timelines dated as the story happened, not as the seeding ran.

The services stamp every timeline entry with the moment they are called, so a freshly
seeded demo has three years of court steps, recoveries and settlements all recorded in
the same few minutes. ``stamp_story_times`` dates each entry afterwards from what it
records (a filing on its filing day, a recovery on the day the money came in, a freeze
on the day it started, an invoice on its issue day...); an entry that records no date
(a stage move, a hearing set, a cost) falls between the dated entries around it. Stage
moves keep their order, nothing is dated before the matter was escalated or after now,
and entries of one day follow each other in office hours (Asia/Shanghai). The matter's
``created_at`` is its escalation and ``stage_changed_at`` its latest move.

Only demo data is dated so: the services themselves never take a time from their caller.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from itertools import groupby

from django.conf import settings
from django.utils import timezone

from legalcase.models import Assignment, Matter, MatterEvent, Stage

# Entries that happen with the one before them (the deadline a filing closes, the fee terms
# of an assignment, the decision on an invoice): the same day, a little later.
WITH_PREVIOUS = frozenset({"fee_arrangement_set", "cost_recorded", "invoice_decided", "forum_set"})
# What happened in court or with the money: a matter is closed after the last of these.
FACT_KINDS = frozenset(
    {"proceeding_recorded", "service_recorded", "ruling_recorded", "ruling_confirmed", "enforcement_recorded",
     "enforcement_renewed", "asset_recorded", "recovery_recorded"}
)  # fmt: skip
# Escalations are spread over the two years before the seeding day when the debt allows it.
ESCALATION_SPAN_DAYS = 730


def _date(value) -> dt.date | None:
    if not value or not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def event_story_day(kind: str, new: dict | None, *, assignments: dict[int, dt.date]) -> dt.date | None:
    """The day an entry records, when it records one (None: it is placed between its neighbours)."""
    new = new if isinstance(new, dict) else {}
    if kind == "proceeding_recorded":
        return _date(new.get("filed_on"))
    if kind == "service_recorded":
        return _date(new.get("served_on")) or _date(new.get("published_on"))
    if kind == "ruling_recorded":
        return _date(new.get("served_on"))
    if kind == "ruling_confirmed":
        return _date((new.get("corrections") or {}).get("served_on"))
    if kind in ("enforcement_recorded", "enforcement_renewed"):
        return _date(new.get("started_on"))
    if kind == "asset_recorded":
        return _date(new.get("found_on"))
    if kind == "recovery_recorded":
        return _date(new.get("received_on"))
    if kind == "demand_recorded":
        return _date(new.get("date"))
    if kind == "demand_tracked":
        return _date(new.get("at"))
    if kind == "claim_transferred":
        return _date(new.get("effective_on"))
    if kind == "invoice_submitted":
        return _date(new.get("issued_on"))
    if kind == "invoice_paid":
        return _date(new.get("paid_on"))
    if kind == "contact_recorded":
        return _date(new.get("occurred_at"))
    if kind == "complaint_opened":
        return _date(new.get("received_on"))
    if kind == "settlement_recorded":
        return _date(new.get("agreed_on"))
    if kind == "settlement_changed":
        return _date(new.get("breached_on"))
    if kind == "fee_arrangement_set":
        return assignments.get(new.get("assignment"))
    if kind == "deadline_closed" and "proceeding" not in new:
        # A court step long past closed as handled in time: on its last day.
        return _date(new.get("due_on"))
    return None


def story_days(
    rows: list[tuple[int, str, dict | None]],
    *,
    escalated: dt.date,
    firm_days: list[dt.date],
    unassigned_on: dt.date | None,
    today: dt.date,
    assignments: dict[int, dt.date],
) -> list[dt.date]:
    """One day per entry of one matter (``rows``: id, kind, new in the order written)."""
    firm_days = list(firm_days)
    filed = {
        new.get("proceeding"): (new.get("kind"), _date(new.get("filed_on")))
        for _pk, kind, new in rows
        if kind == "proceeding_recorded" and isinstance(new, dict)
    }
    fixed: list[dt.date | None] = []
    for _pk, kind, new in rows:
        if kind == "deadline_closed" and "proceeding" in (new or {}):
            # Closed by a filing (limitation interrupted): on the filing day.
            day = filed.get(new["proceeding"], (None, None))[1]
        elif kind == "deadline_closed" and (new or {}).get("kind") == "enforcement_application":
            # Closed because enforcement was applied for: on the application day.
            day = max((on for k, on in filed.values() if k == "enforcement" and on), default=None)
        elif kind == "created":
            day = escalated
        elif kind == "firm_assigned":
            day = firm_days.pop(0) if firm_days else None
        elif kind == "firm_unassigned":
            day = unassigned_on
        else:
            day = event_story_day(kind, new, assignments=assignments)
        if day is not None:
            day = min(max(day, escalated), today)
        fixed.append(day)
    # The seeder makes a matter's moves before the steps that end them: a move to 终本,
    # to settled or to closed is dated by the step it records.
    terminated = [
        fixed[i] for i, (_pk, kind, new) in enumerate(rows)
        if kind == "enforcement_recorded" and (new or {}).get("kind") == "termination_current"
    ]  # fmt: skip
    agreed = [fixed[i] for i, (_pk, kind, _new) in enumerate(rows) if kind == "settlement_recorded"]
    facts = [fixed[i] for i, (_pk, kind, _new) in enumerate(rows) if kind in FACT_KINDS and fixed[i] is not None]
    move_day = {
        Stage.ENFORCEMENT_TERMINATED: max(filter(None, terminated), default=None),
        Stage.SETTLED: max(filter(None, agreed), default=None),
        Stage.CLOSED: max(facts, default=None),
    }
    days: list[dt.date] = []
    last_move = escalated
    for index, (_pk, kind, _new) in enumerate(rows):
        day = fixed[index]
        previous = days[-1] if days else escalated
        if day is None and kind not in WITH_PREVIOUS:
            # Between the entry before and the next dated one: a stage move before its filing.
            following = next((d for d in fixed[index + 1 :] if d is not None), None)
            if following is not None and following > previous:
                day = previous + (following - previous) * 2 // 3
        day = day or previous
        if kind == "stage_changed":
            ended_by = move_day.get((_new or {}).get("stage"))
            day = last_move = max(day, last_move, ended_by or day)
        days.append(min(day, today))
    return days


def office_times(pairs: list[tuple[int, dt.date]], *, now: dt.datetime) -> dict[int, dt.datetime]:
    """A time in office hours for each (id, day), entries of one day in their order; none after ``now``."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    times: dict[int, dt.datetime] = {}
    for day, same_day in groupby(sorted(pairs, key=lambda pair: (pair[1], pair[0])), key=lambda pair: pair[1]):
        ids = [pk for pk, _ in same_day]
        start = dt.datetime.combine(day, dt.time(9, 0), tzinfo=zone) + dt.timedelta(minutes=ids[0] * 7 % 50)
        step = min(dt.timedelta(minutes=17), dt.timedelta(hours=8) / len(ids))
        for offset, pk in enumerate(ids):
            times[pk] = start + step * offset
    late = sorted((pk for pk, at in times.items() if at > now), key=lambda pk: (times[pk], pk))
    for back, pk in enumerate(reversed(late), start=1):
        # Today's entries that office hours would put later than now: the minutes before now.
        times[pk] = now - dt.timedelta(minutes=back)
    return times


def stamp_story_times(matter_ids: list[int], *, now: dt.datetime | None = None) -> int:
    """Date the timelines of these demo matters as their stories happened; return the entries dated."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    first_assigned: dict[int, list[dt.date]] = {}
    last_ended: dict[int, dt.date] = {}
    assignment_days: dict[int, dt.date] = {}
    for pk, matter_id, started, ended in (
        Assignment.objects.filter(matter_id__in=matter_ids)
        .order_by("pk")
        .values_list("pk", "matter_id", "started_at", "ended_at")
    ):
        day = timezone.localdate(started)
        assignment_days[pk] = day
        first_assigned.setdefault(matter_id, []).append(day)
        if ended is not None:
            last_ended[matter_id] = timezone.localdate(ended)
    matters = {
        pk: (as_of, created)
        for pk, as_of, created in Matter.objects.filter(pk__in=matter_ids).values_list(
            "pk", "debt__amounts_as_of", "created_at"
        )
    }
    events = MatterEvent.objects.filter(matter_id__in=matter_ids).order_by("matter_id", "id")
    stamped: list[MatterEvent] = []
    matter_rows: list[Matter] = []
    for matter_id, group in groupby(events.values_list("id", "matter_id", "kind", "new"), key=lambda row: row[1]):
        rows = [(pk, kind, new) for pk, _matter, kind, new in group]
        escalated = _escalation_day(matter_id, matters[matter_id][0], rows, first_assigned, assignment_days, today)
        days = story_days(
            rows,
            escalated=escalated,
            firm_days=first_assigned.get(matter_id, []),
            unassigned_on=last_ended.get(matter_id),
            today=today,
            assignments=assignment_days,
        )
        times = office_times([(pk, day) for (pk, _kind, _new), day in zip(rows, days, strict=True)], now=now)
        stamped += [MatterEvent(pk=pk, at=times[pk]) for pk, _kind, _new in rows]
        created = times[rows[0][0]]
        moves = [times[pk] for pk, kind, _new in rows if kind == "stage_changed"]
        matter_rows.append(Matter(pk=matter_id, created_at=created, stage_changed_at=max(moves, default=created)))
    # A timeline entry is never edited by the application (MatterEvent.save refuses it):
    # this is the demo writing its own history once, inside the seeding transaction.
    MatterEvent.objects.bulk_update(stamped, ["at"], batch_size=500)
    Matter.objects.bulk_update(matter_rows, ["created_at", "stage_changed_at"], batch_size=500)
    return len(stamped)


def _escalation_day(
    matter_id: int,
    amounts_as_of: dt.date,
    rows: list[tuple[int, str, dict | None]],
    first_assigned: dict[int, list[dt.date]],
    assignment_days: dict[int, dt.date],
    today: dt.date,
) -> dt.date:
    """When the debt was escalated: a few days after its amounts were struck, before anything else happened.

    A matter with nothing dated after it (still at intake, closed without a step) is
    escalated within the last two years, as a live desk's files are.
    """
    day = amounts_as_of + dt.timedelta(days=1 + matter_id * 7 % 10)
    dated = [
        d
        for _pk, kind, new in rows
        if (d := event_story_day(kind, new, assignments=assignment_days)) is not None and kind != "deadline_closed"
    ]
    dated += first_assigned.get(matter_id, [])
    if dated:
        return min(day, min(dated) - dt.timedelta(days=1 + matter_id % 5))
    earliest = today - dt.timedelta(days=ESCALATION_SPAN_DAYS)
    if day < earliest:
        day = earliest + dt.timedelta(days=matter_id * 37 % (ESCALATION_SPAN_DAYS - 30))
    return min(day, today)
