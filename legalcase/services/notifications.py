"""Who is told about which deadline: the deadline lists' scopes, the daily job and the calendar feed.

A user's own deadlines ("mine") are those of the matters they own or have handled (they
are the actor of an event on the matter); an outside lawyer's are their firm's. The
daily job (``deadlines_daily``, run at 07:00 by the schedule, ``legalcase/schedule.py``)
turns the ones overdue or due within 7 days into in-app notifications and e-mails one
digest a day; the calendar feed serves the same deadlines as an iCalendar file at a
secret address.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from legalcase.access import LAWYER, visible_matters
from legalcase.events import record_audit
from legalcase.models import (
    AuditAction,
    CalendarFeed,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    DigestDelivery,
    Matter,
    MatterEvent,
    Notification,
    NotificationKind,
    User,
)
from legalcase.services.deadlines import deadlines_recompute_matters
from legalcase.services.settlements import settlements_refresh_due
from legalcase.services.tasks import tasks_digest_lines, tasks_from_deadlines, tasks_ics_events

logger = logging.getLogger(__name__)

SCOPES = ("mine", "firm", "all")
DUE_SOON_DAYS = 7
RENEWAL_REMINDER_DAYS = 30  # a freeze renewal's first reminder
DIGEST_DAYS = 30
# A feed is polled every few minutes by calendar apps; recording each poll would be a
# write per poll, so ``last_used_at`` moves at most this often.
FEED_TOUCH = dt.timedelta(minutes=5)


# --- Scopes -----------------------------------------------------------------------------


def scope_matters(user: User, scope: str) -> QuerySet[Matter]:
    """The visible matters in one of the deadline lists' scopes ("mine", "firm", "all").

    "mine": owned by the user or handled by them (any event they are the actor of);
    "firm": a lawyer's firm's current matters (nothing for other roles); "all": every
    visible matter. Subqueries only, so it stays one query on a big matter table.
    """
    matters = visible_matters(user)
    if scope == "mine":
        handled = MatterEvent.objects.filter(actor_id=user.pk).values("matter_id")
        return matters.filter(Q(owner_id=user.pk) | Q(pk__in=handled))
    if scope == "firm":
        # For a lawyer, the visible matters are exactly the firm's current ones.
        return matters if user.role == LAWYER else matters.none()
    if scope == "all":
        return matters
    raise ValueError(f"unknown deadline scope {scope!r}")


def notify_scope(user: User) -> str:
    """The scope a user is notified about: a lawyer's whole firm, anyone else their own matters."""
    return "firm" if user.role == LAWYER else "mine"


def deadlines_for(user: User, scope: str, *, today: dt.date, within_days: int | None = None) -> QuerySet[Deadline]:
    """The current deadlines of the user's matters in ``scope``.

    With ``within_days``, only the open ones due on or before ``today + within_days``
    (the overdue ones included).
    """
    deadlines = Deadline.objects.filter(superseded_at__isnull=True, matter__in=scope_matters(user, scope))
    if within_days is not None:
        deadlines = deadlines.filter(status=DeadlineStatus.OPEN, due_on__lte=today + dt.timedelta(days=within_days))
    return deadlines


def deadline_buckets(deadlines: QuerySet[Deadline], *, today: dt.date) -> dict[str, QuerySet[Deadline]]:
    """Open deadlines split into overdue, due within 7 days (today included) and within 30 days."""
    open_ = deadlines.filter(status=DeadlineStatus.OPEN)
    soon_end = today + dt.timedelta(days=DUE_SOON_DAYS)
    return {
        # A hearing that has taken place is no deadline missed (the daily job drops its row).
        "overdue": open_.filter(due_on__lt=today).exclude(kind=DeadlineKind.HEARING).order_by("-due_on", "-id"),
        "week": open_.filter(due_on__gte=today, due_on__lte=soon_end).order_by("due_on", "id"),
        "month": open_.filter(due_on__gt=soon_end, due_on__lte=today + dt.timedelta(days=DIGEST_DAYS)).order_by(
            "due_on", "id"
        ),
    }


# --- Notifications ----------------------------------------------------------------------


def visible_notifications(user: User) -> QuerySet[Notification]:
    """The user's notifications about matters they still see (a lawyer's old firm matters drop out)."""
    notifications = Notification.objects.filter(user=user)
    matters = visible_matters(user)
    # Who sees every matter needs no condition: building and planning ``IN (every matter)``
    # cost a tenth of the matter list page's time, on every page (the bell's count).
    return notifications.filter(matter__in=matters) if matters.query.where else notifications


def unread_notification_count(user: User) -> int:
    """The bell's count, on every page. For who sees every matter, one count on the unread
    rows' index, written out: through the ORM it cost 0.35-0.42 ms of Python a page, this 0.07-0.11."""
    if visible_matters(user).query.where:
        return visible_notifications(user).filter(read_at__isnull=True).count()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {Notification._meta.db_table} WHERE user_id = %s AND read_at IS NULL", [user.pk]
        )
        return cursor.fetchone()[0]


def notification_read(*, user: User, notification_id: int | None = None) -> int:
    """Mark one of the user's notifications read, or all of them; return how many changed."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=timezone.now())


def _notifications_create(*, user: User, today: dt.date) -> int:
    """In-app notices for the user's open deadlines overdue or due within 7 days, and for
    freeze renewals a first reminder 30 days ahead (LEGAL_RULES section 3); only new ones."""
    due = deadlines_for(user, notify_scope(user), today=today, within_days=DUE_SOON_DAYS)
    renewals = deadlines_for(user, notify_scope(user), today=today, within_days=RENEWAL_REMINDER_DAYS).filter(
        kind=DeadlineKind.FREEZE_RENEWAL, due_on__gt=today + dt.timedelta(days=DUE_SOON_DAYS)
    )
    created = 0
    for kind, deadlines in (
        (NotificationKind.OVERDUE, due.filter(due_on__lt=today).exclude(kind=DeadlineKind.HEARING)),
        (NotificationKind.DUE_SOON, due.filter(due_on__gte=today)),
        (NotificationKind.RENEWAL_MONTH, renewals),
    ):
        already = Notification.objects.filter(user=user, deadline=OuterRef("pk"), kind=kind)
        rows = [
            Notification(user=user, matter_id=matter_id, deadline_id=deadline_id, kind=kind)
            for deadline_id, matter_id in deadlines.filter(~Exists(already)).values_list("id", "matter_id").iterator()
        ]
        # The unique (user, deadline, kind) constraint settles a race with a second run.
        Notification.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
        created += len(rows)
    return created


def notifications_refresh(*, today: dt.date | None = None) -> int:
    """The in-app notifications of every active user for what is due today; no e-mail. Return how many are new.

    What ``deadlines_daily`` does first, for a start that should not wait for 07:00
    (``seed_demo``, the in-process worker): safe to run any number of times, since
    only notifications not already there are created, and the digest is left to the
    daily job, which sends it once a day.
    """
    today = today or timezone.localdate()
    return sum(
        _notifications_create(user=user, today=today) for user in User.objects.filter(is_active=True).order_by("id")
    )


def _link(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def digest_text(*, user: User, today: dt.date) -> tuple[str, str, int] | None:
    """The digest e-mail's subject and body and its deadline count; None when nothing is due.

    Matter number, deadline kind, date and a link only: no debtor names, identity or
    phone numbers, since e-mail leaves Fasu's network.
    """
    buckets = deadline_buckets(deadlines_for(user, notify_scope(user), today=today), today=today)
    sections = [
        (_("Overdue"), buckets["overdue"]),
        (_("Due within 7 days"), buckets["week"]),
        (_("Due within 30 days"), buckets["month"]),
    ]
    lines, total = [], 0
    for title, deadlines in sections:
        rows = list(
            deadlines.select_related("matter").only("id", "kind", "due_on", "computed_from", "matter__number")[:200]
        )
        count = deadlines.count() if len(rows) == 200 else len(rows)
        total += count
        if not rows:
            continue
        lines += ["", f"{title} ({count})", ""]
        for deadline in rows:
            line = f"- {deadline.due_on:%Y-%m-%d}  {deadline.get_kind_display()}  {deadline.matter.number}"
            # A court date says when and where: the hearing's time, place and court.
            lines.append(f"{line}  {detail}" if (detail := deadline.court_detail) else line)
            lines.append(f"  {_link(reverse('matter_detail', args=[deadline.matter_id]))}")
        if count > len(rows):
            lines.append(_("… and %(count)d more.") % {"count": count - len(rows)})
    task_lines, task_count = tasks_digest_lines(user=user, today=today, link=_link)
    lines, total = lines + task_lines, total + task_count
    if total == 0:
        return None
    subject = _("Fasu deadlines for %(date)s: %(count)d to watch") % {"date": f"{today:%Y-%m-%d}", "count": total}
    intro = _("Deadlines of your matters as of %(date)s. Every date is a proposal: check it against the file.") % {
        "date": f"{today:%Y-%m-%d}"
    }
    outro = _("All deadlines: %(url)s") % {"url": _link(reverse("deadline_list"))}
    return subject, "\n".join([intro, *lines, "", outro, ""]), total


def _digest_send(*, user: User, today: dt.date) -> bool:
    """E-mail the user's digest for ``today`` unless it went out already; True when sent now.

    The delivery row is created and locked in the transaction that sends, so a second
    run, even one running at the same moment, waits for the first and then finds the
    row sent. If sending fails the transaction rolls back, the row goes with it and the
    next run tries again. One row lock around one message is the price of never
    sending the same digest twice.
    """
    with translation.override(settings.LANGUAGE_CODE):
        content = digest_text(user=user, today=today)
    if content is None:
        return False
    subject, body, count = content
    with transaction.atomic():
        DigestDelivery.objects.get_or_create(user=user, day=today, defaults={"deadline_count": count})
        delivery = DigestDelivery.objects.select_for_update().get(user=user, day=today)
        if delivery.sent_at is not None:
            return False
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        delivery.deadline_count, delivery.sent_at = count, timezone.now()
        delivery.save(update_fields=["deadline_count", "sent_at"])
    return True


def hearings_passed_refresh(today: dt.date) -> int:
    """Recompute the matters whose current hearing deadline has passed, so its row drops out; return how many."""
    passed = Deadline.objects.filter(
        kind=DeadlineKind.HEARING, status=DeadlineStatus.OPEN, superseded_at__isnull=True, due_on__lt=today
    )
    matter_ids = set(passed.values_list("matter_id", flat=True))
    if matter_ids:
        deadlines_recompute_matters(matter_ids)
    return len(matter_ids)


def deadlines_daily(*, today: dt.date | None = None) -> dict:
    """The daily deadline job: notify every active user in the app and e-mail their digest.

    Safe to run twice on a day: notifications are unique per user, deadline and kind,
    and a day's digest is sent once per user. A failed e-mail is logged, counted and
    retried by the next run. It first brings settlement instalments up to the day
    (``settlements_refresh_due``), counted as settlements_checked and _breached.
    Returns the counts.
    """
    today = today or timezone.localdate()
    counts = {"users": 0, "notifications": 0, "emails": 0, "email_failures": 0}
    # Settlement instalments fall late and missed with the days, not only with recoveries.
    counts.update(settlements_refresh_due(today))
    counts["hearings_passed"] = hearings_passed_refresh(today)
    # A deadline due soon becomes its owner's task, once (issue 19).
    counts.update(tasks_from_deadlines(today=today))
    for user in list(User.objects.filter(is_active=True).order_by("id")):
        counts["users"] += 1
        counts["notifications"] += _notifications_create(user=user, today=today)
        if not user.email:
            continue
        try:
            sent = _digest_send(user=user, today=today)
        except Exception:
            logger.exception("deadline digest for user %s on %s failed", user.pk, today)
            counts["email_failures"] += 1
        else:
            counts["emails"] += int(sent)
    return counts


# --- Calendar feed ----------------------------------------------------------------------


def _feed_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def calendar_feed_issue(*, user: User) -> str:
    """Give the user a new secret calendar key (replacing any old one, whose address stops at once).

    Only the key's digest is stored, so the address can be shown once only. The address
    lets its holder read the user's deadlines, so issuing and revoking it are audited.
    """
    key = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(
        user=user, defaults={"digest": _feed_digest(key), "created_at": timezone.now(), "last_used_at": None}
    )
    record_audit(actor=user, action=AuditAction.CALENDAR_FEED_ISSUED, target=f"user:{user.pk}")
    return key


@transaction.atomic
def calendar_feed_revoke(*, user: User) -> None:
    if CalendarFeed.objects.filter(user=user).delete()[0]:
        record_audit(actor=user, action=AuditAction.CALENDAR_FEED_REVOKED, target=f"user:{user.pk}")


def calendar_feed_user(key: str) -> User | None:
    """The active user a calendar key belongs to, or None; records when the feed was last read."""
    feed = CalendarFeed.objects.select_related("user").filter(digest=_feed_digest(key), user__is_active=True).first()
    if feed is None:
        return None
    now = timezone.now()
    if feed.last_used_at is None or now - feed.last_used_at > FEED_TOUCH:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    return feed.user


def _ics_text(value: str) -> str:
    """RFC 5545 3.3.11: escape backslash, semicolon, comma and newlines in a TEXT value."""
    return (
        value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")
    )


def _ics_fold(line: str) -> bytes:
    """RFC 5545 3.1: lines of at most 75 octets, continued after CRLF + space, never inside a character."""
    out, current, size = [], [], 0
    for char in line:
        width = len(char.encode())
        if size + width > 75:
            out.append("".join(current))
            current, size = [" "], 1
        current.append(char)
        size += width
    out.append("".join(current))
    return "\r\n".join(out).encode() + b"\r\n"


def deadline_uid(deadline: Deadline, host: str) -> str:
    """The calendar UID of a deadline: the same for every row of its key, so a move updates one event.

    A recomputation that moves a date supersedes the row and adds another; the key
    (the matter, the kind, the party, the enforcement action or hearing, the sequence)
    stays, and so does the UID. A hearing is its own event whatever its date.
    """
    if deadline.kind == DeadlineKind.HEARING and deadline.hearing_id:
        return f"hearing-{deadline.hearing_id}@{host}"
    parts = [f"deadline-{deadline.matter_id}-{deadline.kind}"]
    if deadline.party_id:
        parts.append(f"p{deadline.party_id}")
    if deadline.enforcement_action_id:
        parts.append(f"a{deadline.enforcement_action_id}")
    if deadline.sequence:
        parts.append(f"s{deadline.sequence}")
    return "-".join(parts) + f"@{host}"


def _revisions(deadlines: QuerySet[Deadline]) -> dict[tuple, int]:
    """How many superseded rows each key of these deadlines' matters has (the events' SEQUENCE), in one query."""
    superseded = Deadline.objects.filter(
        matter__in=deadlines.values("matter_id"), superseded_at__isnull=False
    ).exclude(kind=DeadlineKind.HEARING)
    keys = ("matter_id", "kind", "party_id", "enforcement_action_id", "sequence")
    return {tuple(row[:-1]): row[-1] for row in superseded.values_list(*keys).annotate(n=Count("id")).order_by()}


def _ics_moment(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


# The hearings' times are Beijing's, named by TZID; the zone has had no daylight saving since 1991.
ICS_TZID = "Asia/Shanghai"
VTIMEZONE = [
    "BEGIN:VTIMEZONE",
    f"TZID:{ICS_TZID}",
    "BEGIN:STANDARD",
    "DTSTART:19910915T000000",
    "TZOFFSETFROM:+0800",
    "TZOFFSETTO:+0800",
    "TZNAME:CST",
    "END:STANDARD",
    "END:VTIMEZONE",
]
HEARING_LENGTH = dt.timedelta(hours=2)  # the calendar block of a hearing (the court gives only its start)


def deadlines_ics(user: User, *, today: dt.date) -> bytes:
    """The user's open deadlines (a lawyer's: the firm's) as an iCalendar file, one event each.

    Each event carries the deadline's kind, the matter number, the rule and the
    matter's address, and an alarm; no names or other personal data. A hearing is a
    timed event (DTSTART with TZID Asia/Shanghai, LOCATION its place and court), every
    other deadline an all-day one (an evidence or defence period with its court as
    LOCATION). The UID is stable per deadline key (``deadline_uid``) and SEQUENCE
    counts its revisions, so calendar apps update the one event when a date moves.
    """
    host = urlsplit(settings.SITE_URL).hostname or "fasu"
    stamp = _ics_moment(timezone.now())
    deadlines = (
        deadlines_for(user, notify_scope(user), today=today)
        .filter(status=DeadlineStatus.OPEN)
        .select_related("matter")
        .only(
            "id", "kind", "due_on", "rule", "verified_calendar", "overridden_at", "matter__number", "computed_from",
            "party_id", "enforcement_action_id", "hearing_id", "sequence", "created_at",
        )  # fmt: skip
        .order_by("due_on", "id")
    )
    revisions = _revisions(deadlines)
    with translation.override(settings.LANGUAGE_CODE):
        lines = [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//Fasu//Deadlines//ZH",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
            f"X-WR-CALNAME:{_ics_text(_('Fasu deadlines'))}",
            f"X-WR-TIMEZONE:{ICS_TZID}",
            *VTIMEZONE,
        ]
        for deadline in deadlines.iterator(chunk_size=1000):
            lines += _ics_event(deadline, host=host, stamp=stamp, revisions=revisions)
        lines += tasks_ics_events(user=user, today=today, host=host, stamp=stamp, link=_link, text=_ics_text)
        lines.append("END:VCALENDAR")
    return b"".join(_ics_fold(line) for line in lines)


def _ics_event(deadline: Deadline, *, host: str, stamp: str, revisions: dict) -> list[str]:
    kind = deadline.get_kind_display()
    number = deadline.matter.number
    url = _link(reverse("matter_detail", args=[deadline.matter_id]))
    description = [_("Rule: %(rule)s") % {"rule": deadline.rule}]
    if not deadline.verified_calendar:
        description.append(_("Counted on an unverified holiday calendar."))
    if deadline.overridden:
        description.append(_("Date set by a lawyer."))
    description.append(url)
    modified = max(filter(None, (deadline.created_at, deadline.overridden_at)))
    at = deadline.at
    if at is not None:
        summary = _("Hearing · %(number)s") % {"number": number}
        sequence = int(deadline.computed_from.get("revision") or 0)
        if updated := deadline.computed_from.get("updated_at"):
            modified = max(modified, dt.datetime.fromisoformat(updated))
        local = timezone.localtime(at)
        when = [
            f"DTSTART;TZID={ICS_TZID}:{local:%Y%m%dT%H%M%S}",
            f"DTEND;TZID={ICS_TZID}:{local + HEARING_LENGTH:%Y%m%dT%H%M%S}",
            "TRANSP:OPAQUE",
        ]
        trigger = "-P1D"
    else:
        summary = _("Deadline: %(kind)s · %(number)s") % {"kind": kind, "number": number}
        key = (deadline.matter_id, deadline.kind, deadline.party_id, deadline.enforcement_action_id, deadline.sequence)
        sequence = revisions.get(key, 0)
        when = [
            f"DTSTART;VALUE=DATE:{deadline.due_on:%Y%m%d}",
            f"DTEND;VALUE=DATE:{deadline.due_on + dt.timedelta(days=1):%Y%m%d}",
            "TRANSP:TRANSPARENT",
        ]
        trigger = "-P3D"
    location = deadline.location
    return [
        "BEGIN:VEVENT",
        f"UID:{deadline_uid(deadline, host)}",
        f"DTSTAMP:{stamp}",
        f"LAST-MODIFIED:{_ics_moment(modified)}",
        f"SEQUENCE:{sequence}",
        *when,
        f"SUMMARY:{_ics_text(summary)}",
        *([f"LOCATION:{_ics_text(location)}"] if location else []),
        f"DESCRIPTION:{_ics_text(chr(10).join(description))}",
        f"URL:{url}",
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        f"DESCRIPTION:{_ics_text(summary)}",
        f"TRIGGER:{trigger}",
        "END:VALARM",
        "END:VEVENT",
    ]
