"""Court notices: received, read, matched to a matter, then confirmed or dismissed by a person.

API.md, "Court notices and evidence search". Posting reads the notice
(``court_notices.read_court_notice``) and matches it among the caller's visible matters
(a gateway's or the mailbox's notice among all of them): by the case number on a
proceeding, then by the court and the parties' names. Nothing changes a matter until
``court_notice_confirm``: it records the hearing, the fee notice's day of receipt and the
periods the notice starts on the proceeding, and writes the timeline; both the reading
and the corrections are kept, as for rulings. The file of an upload is stored and made
evidence by the evidence app (``evidence.court_notices``), which legalcase cannot import.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from legalcase.access import access_child, access_matter, require, visible_children, visible_matters
from legalcase.court_notices import DEADLINE_KINDS, KINDS, read_court_notice
from legalcase.events import record_audit, record_event
from legalcase.models import (
    INHOUSE_SCOPE,
    AuditAction,
    CourtNotice,
    CourtNoticeChannel,
    CourtNoticeStatus,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    EventKind,
    Matter,
    Proceeding,
    Role,
    ServiceMethod,
    SmsGateway,
    User,
    holiday_calendar,
)
from legalcase.services.deadlines import matter_deadlines_recompute
from legalcase.services.proceedings import (
    case_number_normalised,
    hearing_add,
    proceeding_court_dates_set,
    proceeding_update,
    service_record_add,
)
from legalcase.services.record import RecordConflict

TEXT_MAX = 20_000
REASON_MAX = 2_000
IDEMPOTENCY_KEY_MAX = 100
# A received_at up to this far ahead of the server's clock is the sender's clock drifting.
CLOCK_SLACK = dt.timedelta(minutes=10)
PARSED_FIELDS = ("court", "case_number", "kind", "hearing_at", "place", "parties", "deadlines", "link")
# The periods a confirmation records on the proceeding, by deadline kind: the last days the
# deadline engine reads (``proceeding_court_dates_set``).
PROCEEDING_PERIOD_FIELDS = {"evidence_period": "evidence_due_on", "defence_period": "defence_due_on"}


# Reading ------------------------------------------------------------------------------


def reading_json(reading: Any) -> dict[str, Any]:
    """A ``NoticeReading`` as the API writes it: ISO dates and datetimes, lists."""
    facts = dataclasses.asdict(reading)
    return {
        "court": facts["court"],
        "case_number": facts["case_number"],
        "kind": facts["kind"],
        "hearing_at": facts["hearing_at"].isoformat() if facts["hearing_at"] else None,
        "place": facts["place"],
        "parties": list(facts["parties"]),
        "deadlines": [
            {"kind": row["kind"], "due_on": row["due_on"].isoformat() if row["due_on"] else None, "days": row["days"]}
            for row in facts["deadlines"]
        ],
        "link": facts["link"],
    }


def notice_digest(*, text: str = "", data: bytes | None = None) -> str:
    """The SHA-256 of a file's bytes, or of the text with its surrounding blanks and line ends evened."""
    if data is not None:
        return hashlib.sha256(data).hexdigest()
    even = "\n".join(line.strip() for line in (text or "").strip().splitlines())
    return hashlib.sha256(even.encode()).hexdigest()


def notice_scope(*, user: User | None = None, gateway: SmsGateway | None = None, mailbox: str = "") -> str:
    """Whose pool a notice belongs to, for idempotency: in-house users share one."""
    if user is not None:
        return f"user:{user.pk}" if user.role == Role.LAWYER else INHOUSE_SCOPE
    if gateway is not None:
        return f"gateway:{gateway.pk}"
    return f"mail:{mailbox}"[:60]


# Matching -----------------------------------------------------------------------------


def _same_court(a: str | None, b: str | None) -> bool:
    """Two names of one court: the same, or one the other without its province or city."""
    if not a or not b:
        return False
    return a == b or a.endswith(b) or b.endswith(a)


def court_notice_match(parsed: dict[str, Any], matters: QuerySet[Matter]) -> tuple[list[int], Proceeding | None]:
    """The matters a reading fits, and the proceeding when one case number names one matter.

    By the case number on a proceeding first; failing that, by the parties' names (the
    debtor or a guarantor), narrowed to the court when the notice names one (the
    matter's court or a proceeding's).
    """
    case_number = parsed.get("case_number")
    if case_number:
        proceedings = Proceeding.objects.filter(matter__in=matters, case_number=case_number).order_by("-created_at", "-id")
        ids = sorted(set(proceedings.values_list("matter_id", flat=True)))
        if ids:
            return ids, (proceedings.first() if len(ids) == 1 else None)
    names = [name for name in parsed.get("parties") or [] if name]
    if not names:
        return [], None
    found = matters.filter(Q(debt__debtor__name__in=names) | Q(debt__guarantees__guarantor__name__in=names))
    ids = sorted(set(found.values_list("pk", flat=True)))
    court = parsed.get("court")
    if court and ids:
        courts: dict[int, set[str]] = {pk: set() for pk in ids}
        for pk, name in Matter.objects.filter(pk__in=ids, forum__isnull=False).values_list("pk", "forum__name"):
            courts[pk].add(name)
        for pk, name in Proceeding.objects.filter(matter_id__in=ids, forum__isnull=False).values_list(
            "matter_id", "forum__name"
        ):
            courts[pk].add(name)
        ids = [pk for pk in ids if any(_same_court(court, name) for name in courts[pk])]
    return ids, None


def _matched(notice: CourtNotice, matters: QuerySet[Matter]) -> None:
    ids, proceeding = court_notice_match(notice.parsed, matters)
    notice.candidates = ids if len(ids) > 1 else []
    notice.matter_id = ids[0] if len(ids) == 1 else None
    notice.proceeding = proceeding if len(ids) == 1 else None
    if len(ids) == 1:
        notice.status = CourtNoticeStatus.MATCHED
    elif ids:
        notice.status = CourtNoticeStatus.CANDIDATES
    else:
        notice.status = CourtNoticeStatus.UNMATCHED


# Posting ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class StoredFile:
    """An upload's file, validated and stored by the evidence app, with the text it holds."""

    filer_file: Any
    filename: str
    content_type: str
    size: int
    page_count: int | None
    sha256: str


def _received_at_checked(received_at: Any) -> dt.datetime:
    if isinstance(received_at, str):
        try:
            received_at = parse_datetime(received_at.strip())
        except ValueError:
            received_at = None
    if not isinstance(received_at, dt.datetime) or timezone.is_naive(received_at):
        raise ValidationError({"received_at": _("Give the date and time with its time zone.")})
    if received_at > timezone.now() + CLOCK_SLACK:
        raise ValidationError({"received_at": _("A notice cannot be received in the future.")})
    return received_at


def court_notice_post(
    *,
    channel: str,
    text: str,
    received_at: Any,
    user: User | None = None,
    gateway: SmsGateway | None = None,
    mailbox: str = "",
    mail_source: str = "",
    idempotency_key: str = "",
    stored: StoredFile | None = None,
) -> tuple[CourtNotice, bool]:
    """Record a notice received by ``user`` (or a gateway, or the mailbox), read and matched.

    Returns the notice and whether it is new: the same text (or file) in the same pool is
    the first notice again, and so is a repeated ``Idempotency-Key``. Nothing is stored
    when anything is refused.
    """
    if user is not None:
        require(user, "write_court_notices")
    if channel not in CourtNoticeChannel.values:
        raise ValidationError({"channel": _("Unknown channel.")})
    if channel == CourtNoticeChannel.UPLOAD and stored is None:
        raise ValidationError({"file": _("Attach the notice's PDF or DOCX file.")})
    if channel == CourtNoticeChannel.SMS and stored is not None:
        raise ValidationError({"channel": _("An SMS carries no file.")})
    text = (text or "").strip()
    if stored is not None:
        text = text[:TEXT_MAX]  # a file's text, however long the document
    if stored is None and not text:
        raise ValidationError({"text": _("Paste the text of the notice.")})
    if len(text) > TEXT_MAX:
        raise ValidationError({"text": _("At most %(max)s characters.") % {"max": TEXT_MAX}})
    received_at = _received_at_checked(received_at)
    idempotency_key = (idempotency_key or "").strip()
    if len(idempotency_key) > IDEMPOTENCY_KEY_MAX:
        raise ValidationError({"Idempotency-Key": [_("At most %(max)s characters.") % {"max": IDEMPOTENCY_KEY_MAX}]})
    scope = notice_scope(user=user, gateway=gateway, mailbox=mailbox)
    digest = stored.sha256 if stored is not None else notice_digest(text=text)
    if idempotency_key:
        earlier = CourtNotice.objects.filter(scope=scope, idempotency_key=idempotency_key).first()
        if earlier is not None:
            if earlier.digest != digest:
                raise RecordConflict(_("This Idempotency-Key was already used for another court notice."))
            return earlier, False
    earlier = CourtNotice.objects.filter(scope=scope, digest=digest).first()
    if earlier is not None:
        return earlier, False
    received_on = timezone.localtime(received_at).date()
    reading = reading_json(read_court_notice(text, received_on=received_on, calendar=holiday_calendar()))
    notice = CourtNotice(
        channel=channel,
        text=text,
        received_at=received_at,
        digest=digest,
        scope=scope,
        idempotency_key=idempotency_key,
        reading=reading,
        parsed=dict(reading),
        posted_by=user,
        gateway=gateway,
        mail_source=mail_source[:300],
    )
    if stored is not None:
        notice.file = stored.filer_file
        notice.original_filename = stored.filename[:255]
        notice.content_type = stored.content_type
        notice.size = stored.size
        notice.page_count = stored.page_count
    _matched(notice, visible_matters(user) if user is not None else Matter.objects.all())
    try:
        with transaction.atomic():
            notice.save()
            record_audit(
                actor=user,
                action=AuditAction.COURT_NOTICE_RECEIVED,
                target=f"court_notice:{notice.pk}",
                detail={"channel": channel, "status": notice.status, "gateway": gateway.name if gateway else None},
            )
    except IntegrityError:
        # The same notice posted twice at once: the other request stored it first.
        earlier = CourtNotice.objects.filter(scope=scope, digest=digest).first()
        if earlier is None:
            raise
        return earlier, False
    return notice, True


# Listing ------------------------------------------------------------------------------


def court_notices_visible(user: User, *, status: str | None = None, matter_id: int | None = None) -> QuerySet:
    rows = visible_children(user, CourtNotice).select_related("matter", "posted_by", "gateway")
    if status:
        rows = rows.filter(status=status)
    if matter_id is not None:
        if connection.features.supports_json_field_contains:
            among = Q(candidates__contains=[matter_id])
        else:  # SQLite has no JSON containment: a first-run installation's few notices, read here
            among = Q(pk__in=[pk for pk, ids in rows.values_list("pk", "candidates") if matter_id in (ids or [])])
        rows = rows.filter(Q(matter_id=matter_id) | among)
    return rows


def court_notice_candidates(user: User, notice: CourtNotice) -> list[Matter]:
    """The matters proposed for a notice that the user may see (the matched one, or the candidates)."""
    ids = [notice.matter_id] if notice.matter_id else list(notice.candidates or [])
    return list(visible_matters(user).filter(pk__in=ids).select_related("debt__debtor").order_by("pk"))


# Confirming and dismissing ------------------------------------------------------------


def _decided_conflict(notice: CourtNotice) -> RecordConflict:
    if notice.status == CourtNoticeStatus.CONFIRMED:
        return RecordConflict(_("This court notice was already confirmed."))
    return RecordConflict(_("This court notice was already dismissed."))


def _corrections_checked(corrections: Any) -> dict[str, Any]:
    """A person's corrections of the reading, in the reading's JSON shape; 400 naming the field."""
    if corrections in (None, ""):
        return {}
    if not isinstance(corrections, dict):
        raise ValidationError({"corrections": _("Give the corrected fields as an object.")})
    unknown = sorted(set(corrections) - set(PARSED_FIELDS))
    if unknown:
        raise ValidationError({name: _("Not a field of a court notice.") for name in unknown})
    checked: dict[str, Any] = {}
    for name, value in corrections.items():
        if isinstance(value, str):
            value = value.strip() or None
        if name == "case_number" and value is not None:
            try:
                value = case_number_normalised(str(value)) or None
            except ValidationError:
                raise ValidationError(
                    {"case_number": _("This is not a case number, e.g. （2026）京0105民初1234号.")}
                ) from None
        elif name == "kind":
            if value not in KINDS:
                raise ValidationError({"kind": _("Unknown kind of court notice.")})
        elif name == "hearing_at" and value is not None:
            try:
                at = parse_datetime(str(value))
            except ValueError:
                at = None
            if at is None or timezone.is_naive(at):
                raise ValidationError({"hearing_at": _("Give the date and time with its time zone.")})
            value = at.isoformat()
        elif name in ("court", "place", "link") and value is not None:
            if not isinstance(value, str) or len(value) > 500:
                raise ValidationError({name: _("At most %(max)s characters.") % {"max": 500}})
        elif name == "parties":
            if value is None:
                value = []
            if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
                raise ValidationError({"parties": _("Give the parties' names as a list.")})
            value = [item.strip()[:200] for item in value][:20]
        elif name == "deadlines":
            value = _deadlines_checked(value)
        checked[name] = value
    return checked


def _deadlines_checked(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    rows = []
    if not isinstance(value, list):
        raise ValidationError({"deadlines": _('Give the deadlines as a list of {"kind", "due_on"}.')})
    for row in value:
        if not isinstance(row, dict) or row.get("kind") not in DEADLINE_KINDS:
            raise ValidationError({"deadlines": _("Unknown kind of deadline.")})
        due_on = parse_date(str(row.get("due_on") or "")) if row.get("due_on") else None
        if row.get("due_on") and due_on is None:
            raise ValidationError({"deadlines": _("Give each date as YYYY-MM-DD.")})
        rows.append({"kind": row["kind"], "due_on": due_on.isoformat() if due_on else None, "days": None})
    return rows


def _proceeding_for(
    *, user: User, matter: Matter, proceeding_id: Any, case_number: str | None, needed: bool
) -> Proceeding | None:
    if proceeding_id not in (None, ""):
        proceeding = Proceeding.objects.filter(matter=matter, pk=_int(proceeding_id)).first()
        if proceeding is None:
            raise ValidationError({"proceeding": _("Not a proceeding of this matter.")})
        return proceeding
    if case_number:
        proceeding = matter.proceedings.filter(case_number=case_number).order_by("-created_at", "-id").first()
        if proceeding is not None:
            return proceeding
    if needed:
        raise ValidationError(
            {"proceeding": _("No proceeding of this matter has this case number: choose the proceeding.")}
        )
    return None


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@transaction.atomic
def court_notice_confirm(
    *,
    user: User,
    notice_id: int,
    matter_id: Any = None,
    proceeding_id: Any = None,
    corrections: Any = None,
) -> tuple[CourtNotice, dict[str, Any]]:
    """Confirm a notice on a matter, with any corrections; return it and what was created.

    The matter is the one given, else the one matched; the proceeding the one given, else
    the matter's with the notice's case number (400 when the notice has something to
    record on a proceeding and none is found). A summons records its hearing; a judgment
    or ruling served records its electronic service on our side that day; a fee
    notice sets the proceeding's ``fee_notice_received_on``; the evidence and answer
    periods become the proceeding's ``evidence_due_on``/``defence_due_on``; the deadline
    engine then sets the dates. A notice already confirmed or dismissed answers 409.
    """
    notice = access_child(user, CourtNotice, notice_id, action="write_court_notices", for_update=True)
    if notice.is_decided:
        raise _decided_conflict(notice)
    corrections = _corrections_checked(corrections)
    chosen = matter_id if matter_id not in (None, "") else notice.matter_id
    if chosen in (None, ""):
        raise ValidationError({"matter": _("Choose the matter this notice belongs to.")})
    try:
        matter = access_matter(user, chosen, action="write_proceedings", for_update=True)
    except Http404:
        # A body naming a matter the caller cannot see answers 400 naming it (API.md, "Roles").
        raise ValidationError({"matter": _("No such matter among yours.")}) from None
    parsed = {**notice.parsed, **corrections}
    received_on = timezone.localtime(notice.received_at).date()
    periods = {
        row["kind"]: row["due_on"]
        for row in parsed.get("deadlines") or []
        if row.get("kind") in PROCEEDING_PERIOD_FIELDS and row.get("due_on")
    }
    is_fee = parsed.get("kind") == "fee_payment"
    # A judgment or ruling served electronically is served on the day it reached us (民诉法 Art. 90).
    is_service = parsed.get("kind") == "judgment_service"
    needed = bool(parsed.get("hearing_at") or is_fee or is_service or periods)
    proceeding = _proceeding_for(
        user=user, matter=matter, proceeding_id=proceeding_id, case_number=parsed.get("case_number"), needed=needed
    )
    created: dict[str, Any] = {"hearing": None, "deadlines": [], "evidence": None}
    if parsed.get("hearing_at"):
        hearing = hearing_add(
            user=user,
            proceeding_id=proceeding.pk,
            at=parse_datetime(parsed["hearing_at"]),
            place=parsed.get("place") or "",
            note=_("From the court notice of %(date)s.") % {"date": received_on.isoformat()},
        )
        if parsed.get("kind") == "summons":
            # The day the summons reached us: the hearing is flagged when it came late (B.4).
            hearing.summons_served_on = received_on
            hearing.save(update_fields=["summons_served_on"])
        notice.hearing = hearing
        created["hearing"] = hearing.pk
    if is_service:
        service_record_add(
            user=user,
            proceeding_id=proceeding.pk,
            method=ServiceMethod.ELECTRONIC,
            served_on=received_on,
            note=_("From the court notice of %(date)s.") % {"date": received_on.isoformat()},
        )
        created["service"] = proceeding.service_records.order_by("-id").values_list("pk", flat=True).first()
    if is_fee and proceeding.fee_notice_received_on != received_on:
        proceeding_update(user=user, proceeding_id=proceeding.pk, fee_notice_received_on=received_on)
    if periods:
        proceeding_court_dates_set(
            user=user,
            proceeding=proceeding.pk,
            **{PROCEEDING_PERIOD_FIELDS[kind]: dt.date.fromisoformat(due_on) for kind, due_on in periods.items()},
        )
    if created["hearing"] or is_fee or periods or is_service:
        # The engine sets the dates: the fee, the periods and the hearing's own row.
        matter_deadlines_recompute(matter_id=matter.pk)
        kinds = ["fee_payment"] * is_fee + list(periods)
        rows = Deadline.objects.filter(matter=matter, status=DeadlineStatus.OPEN, superseded_at__isnull=True).filter(
            Q(kind__in=kinds) | Q(kind=DeadlineKind.HEARING, hearing_id=created["hearing"])
        )
        created["deadlines"] = [
            {"id": row.pk, "kind": row.kind, "due_on": row.due_on.isoformat()} for row in rows.order_by("due_on", "pk")
        ]
    old = {name: notice.parsed.get(name) for name in corrections}
    notice.corrections = {**notice.corrections, **corrections}
    notice.parsed = parsed
    notice.matter = matter
    notice.proceeding = proceeding
    notice.candidates = []
    notice.status = CourtNoticeStatus.CONFIRMED
    notice.confirmed_by = user
    notice.decided_at = timezone.now()
    notice.save(
        update_fields=[
            "corrections", "parsed", "matter", "proceeding", "candidates", "status", "confirmed_by", "decided_at",
            "hearing",
        ]
    )  # fmt: skip
    record_event(
        matter=matter,
        actor=user,
        kind=EventKind.COURT_NOTICE_CONFIRMED,
        old=old or None,
        new={
            "court_notice": notice.pk,
            "kind": parsed.get("kind"),
            "case_number": parsed.get("case_number"),
            "received_on": received_on.isoformat(),
            "proceeding": proceeding.pk if proceeding else None,
            "hearing": created["hearing"],
            "corrections": corrections,
        },
    )
    return notice, created


@transaction.atomic
def court_notice_evidence_attached(*, notice: CourtNotice, evidence_id: int) -> None:
    """Remember the evidence item an upload became at confirmation (called by the evidence app)."""
    notice.evidence_id = evidence_id
    notice.save(update_fields=["evidence_id"])


@transaction.atomic
def court_notice_dismiss(*, user: User, notice_id: int, reason: str) -> CourtNotice:
    """Dismiss a notice (not ours, a duplicate, spam) with the reason; 409 once decided."""
    notice = access_child(user, CourtNotice, notice_id, action="write_court_notices", for_update=True)
    if notice.is_decided:
        raise _decided_conflict(notice)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the notice is dismissed.")})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("At most %(max)s characters.") % {"max": REASON_MAX}})
    notice.status = CourtNoticeStatus.DISMISSED
    notice.dismissed_reason = reason
    notice.confirmed_by = user
    notice.decided_at = timezone.now()
    notice.save(update_fields=["status", "dismissed_reason", "confirmed_by", "decided_at"])
    record_audit(
        actor=user,
        action=AuditAction.COURT_NOTICE_DISMISSED,
        target=f"court_notice:{notice.pk}",
        detail={"reason": reason},
    )
    return notice


# Gateways -----------------------------------------------------------------------------


class GatewayRefused(Exception):
    """A webhook call without a token (401) or with a wrong one, or to an unknown gateway (403)."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


def gateway_authenticated(*, name: str, token: str) -> SmsGateway:
    """The active gateway ``name`` if ``token`` is its token; else ``GatewayRefused`` (401 or 403)."""
    if not token:
        raise GatewayRefused(_("The gateway's token is missing."), 401)
    gateway = SmsGateway.objects.filter(name=name, active=True).first()
    # Compared even for an unknown name, so the answer's timing does not tell names apart.
    matches = gateway.token_matches(token) if gateway else SmsGateway(token_digest="0" * 64).token_matches(token)
    if gateway is None or not matches:
        raise GatewayRefused(_("The gateway's token is not valid."), 403)
    return gateway


@transaction.atomic
def sms_gateway_issue(*, name: str) -> tuple[SmsGateway, str]:
    """Create the gateway ``name`` or give it a new token; return it and the token (shown once)."""
    gateway = SmsGateway.objects.select_for_update().filter(name=name).first() or SmsGateway(name=name)
    token = gateway.issue_token()
    gateway.active = True
    gateway.full_clean(exclude=["token_digest"])
    gateway.save()
    return gateway, token
