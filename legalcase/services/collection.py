"""The collection desk (API.md, "Collection desk"; LEGAL_RULES Part 2, B.2): contacts, conduct rules, promises, complaints.

A contact is checked against the binding conduct rules before anything is stored: a
breach is a ``ConductRefusal`` (409 with the rule's id and, where there is one, the next
time the contact would be allowed) unless counsel or an administrator overrides it with
a reason, which is kept on the contact, on the timeline and in the audit log. Guidance
rules only warn. Inbound contacts pass every rule: the debtor called.

Counting "a day" is Beijing's day (``Contact.occurred_on``). Two collectors dialling the
same number at once must not both pass the 6-a-day limit, so ``contact_record`` locks
the matter's row and then the contacted party's row before it counts, and holds both
until the contact is stored: concurrent writers for one person queue there.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from legalcase.access import access_child, access_matter, can
from legalcase.events import record_audit, record_event
from legalcase.models import (
    RULES_BY_ID,
    AuditAction,
    Complaint,
    ComplaintKind,
    ComplaintSource,
    Contact,
    ContactChannel,
    ContactDirection,
    ContactOutcome,
    EventKind,
    Matter,
    Party,
    PartyPhone,
    Promise,
    PromiseStatus,
    Recovery,
    ThirdPartyPurpose,
    User,
)
from legalcase.models.collection import (
    CALLS_PER_NUMBER_RULE,
    CALLS_PER_PARTY_RULE,
    CONTACT_HOURS_RULE,
    CONTACT_PAUSE_RULE,
    FAILED_OUTCOMES,
    NUMBER_BLOCKED_RULE,
    THIRD_PARTY_RULE,
    beijing_day,
)
from legalcase.money import money_input, money_text
from legalcase.services.search import party_keys_refresh

IDEMPOTENCY_KEY_MAX = Contact._meta.get_field("idempotency_key").max_length
HOURS_CHANNELS = (ContactChannel.PHONE, ContactChannel.SMS, ContactChannel.VISIT)
CALL_CHANNELS = (ContactChannel.PHONE,)
NUMBER_CHANNELS = (ContactChannel.PHONE, ContactChannel.SMS)
DEFAULT_WINDOW = (dt.time(8, 0), dt.time(22, 0))
TEXT_MAX = {"note": 4000, "contact_point": 300, "name": 100, "relation": 50}


# --- Verdicts ----------------------------------------------------------------------------


@dataclass
class Verdict:
    """What the conduct rules say of a contact: the first binding rule broken (if any), and the warnings."""

    rule: str | None = None
    detail: str = ""
    next_allowed_at: dt.datetime | None = None
    warnings: list[dict[str, Any]] = field(default_factory=list)
    # Every binding rule broken, the first one being ``rule``.
    broken: list[str] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return self.rule is None


class ConductRefusal(Exception):
    """A binding conduct rule refuses the contact (API.md: 409 with ``rule`` and ``next_allowed_at``)."""

    def __init__(self, verdict: Verdict, matter: Matter):
        super().__init__(verdict.detail)
        self.verdict = verdict
        self.rule = verdict.rule
        self.next_allowed_at = verdict.next_allowed_at
        self.stage = matter.stage


class ComplaintConflict(Exception):
    """The complaint is already resolved (409)."""

    def __init__(self, complaint: Complaint):
        super().__init__(_("This complaint was already resolved."))
        self.stage = complaint.matter.stage


class ContactConflict(Exception):
    """An Idempotency-Key already used on this matter with a different contact (409)."""

    def __init__(self, contact: Contact):
        super().__init__(
            _("This Idempotency-Key was already used on this matter for a different contact (%(id)s).")
            % {"id": contact.pk}
        )
        self.stage = contact.matter.stage


def rule_title(rule_id: str) -> str:
    """The rule's title in the user's language."""
    return _(RULES_BY_ID[rule_id].title)


def calls_per_party_limit() -> int:
    return settings.CALLS_PER_PARTY_DAY


def rule_params(rule_id: str) -> dict[str, Any]:
    """A rule's parameters as they apply here (the settings' figures where a setting names them)."""
    params = dict(RULES_BY_ID[rule_id].params)
    if rule_id == CALLS_PER_PARTY_RULE:
        params["max_per_day"] = calls_per_party_limit()
    return params


# --- Input -------------------------------------------------------------------------------


def _text(value: Any, name: str, limit: int) -> str:
    text = "" if value is None else str(value).strip()
    if len(text) > limit:
        raise ValidationError({name: _("At most %(max)s characters.") % {"max": limit}})
    return text


def contact_body_digest(body: dict[str, Any]) -> str:
    """SHA-256 of a contact request in canonical JSON, to tell a replay from a clash."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def matter_party_ids(matter: Matter) -> dict[int, str]:
    """The matter's parties a collector may contact as parties: the debtor and the guarantors, with their role."""
    debt = matter.debt
    parties = {debt.debtor_id: "debtor"}
    for guarantor_id in debt.guarantees.values_list("guarantor_id", flat=True):
        parties.setdefault(guarantor_id, "guarantor")
    return parties


def recording_belongs(matter: Matter, evidence_id: int) -> bool:
    """Whether ``evidence_id`` is an evidence item of the matter.

    Looked up through the app registry: ``legalcase`` imports no other app (DESIGN.md),
    and the recording is a plain id, as a ruling's file is.
    """
    try:
        model = apps.get_model("evidence", "EvidenceItem")
    except LookupError:
        return False
    return model.objects.filter(pk=evidence_id, matter_id=matter.pk).exists()


@dataclass
class ContactInput:
    channel: str
    direction: str
    party_id: int | None
    third_party: dict[str, str] | None
    contact_point: str
    occurred_at: dt.datetime
    occurred_on: dt.date
    duration_seconds: int | None
    outcome: str
    promise_amount: Decimal | None
    promise_due_on: dt.date | None
    recording_id: int | None
    note: str
    override_reason: str


def contact_input(
    matter: Matter,
    *,
    channel: str,
    direction: str,
    occurred_at: dt.datetime,
    outcome: str,
    party: int | None = None,
    third_party: dict | None = None,
    contact_point: str = "",
    duration_seconds: int | None = None,
    promise: dict | None = None,
    recording: int | None = None,
    note: str = "",
    override_reason: str = "",
    ahead: bool = False,
) -> ContactInput:
    """Check a contact's fields against the matter; raise a ValidationError naming the field (nothing echoed).

    ``ahead``: a check of a contact about to be made may lie in the future.
    """
    if channel not in ContactChannel.values:
        raise ValidationError({"channel": _("Not one of the allowed values.")})
    if direction not in ContactDirection.values:
        raise ValidationError({"direction": _("Not one of the allowed values.")})
    if outcome not in ContactOutcome.values:
        raise ValidationError({"outcome": _("Not one of the allowed values.")})
    if occurred_at is None or timezone.is_naive(occurred_at):
        raise ValidationError({"occurred_at": _("Give the time with its offset, e.g. 2026-04-01T10:15:00+08:00.")})
    if not ahead and occurred_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"occurred_at": _("A contact recorded cannot lie in the future.")})
    if (party is None) == (not third_party):
        raise ValidationError({"party": _("Name either a party of this matter or a third party, not both.")})
    party_id = None
    third = None
    if party is not None:
        try:
            party_id = int(party)
        except (TypeError, ValueError):
            party_id = None
        if party_id not in matter_party_ids(matter):
            raise ValidationError({"party": _("Not a party of this matter.")})
    else:
        if not isinstance(third_party, dict):
            raise ValidationError({"third_party": _("Give the third party's name, relation and purpose.")})
        name = _text(third_party.get("name"), "third_party", TEXT_MAX["name"])
        relation = _text(third_party.get("relation"), "third_party", TEXT_MAX["relation"])
        purpose = third_party.get("purpose") or ""
        if not name or not relation:
            raise ValidationError({"third_party": _("Give the third party's name and relation to the debtor.")})
        if purpose not in ThirdPartyPurpose.values:
            raise ValidationError({"third_party": _("The purpose is locate or collect.")})
        third = {"name": name, "relation": relation, "purpose": purpose}
    point = _text(contact_point, "contact_point", TEXT_MAX["contact_point"])
    if channel in NUMBER_CHANNELS:
        point = point.replace(" ", "").replace("-", "")
    if not point and channel != ContactChannel.OTHER:
        raise ValidationError({"contact_point": _("Give the number or address used.")})
    if duration_seconds is not None:
        try:
            duration_seconds = int(duration_seconds)
        except (TypeError, ValueError):
            raise ValidationError({"duration_seconds": _("A whole number of seconds.")}) from None
        if duration_seconds < 0 or duration_seconds > 24 * 3600:
            raise ValidationError({"duration_seconds": _("Between 0 and 86400 seconds.")})
    occurred_on = beijing_day(occurred_at)
    amount = due_on = None
    if outcome == ContactOutcome.PROMISE_TO_PAY:
        if not isinstance(promise, dict) or not promise.get("amount") or not promise.get("due_on"):
            raise ValidationError({"promise": _("A promise to pay needs its amount and due date.")})
        amount = money_input(promise["amount"], "promise")
        due_on = promise["due_on"]
        if isinstance(due_on, str):
            try:
                due_on = dt.date.fromisoformat(due_on)
            except ValueError:
                raise ValidationError({"promise": _("The due date is a date (YYYY-MM-DD).")}) from None
        if due_on < occurred_on:
            raise ValidationError({"promise": _("The promised day cannot be before the contact.")})
    elif promise:
        raise ValidationError({"promise": _("Only a promise to pay carries a promise.")})
    recording_id = None
    if recording not in (None, ""):
        try:
            recording_id = int(recording)
        except (TypeError, ValueError):
            recording_id = None
        if recording_id is None or not recording_belongs(matter, recording_id):
            raise ValidationError({"recording": _("Not an evidence item of this matter.")})
    return ContactInput(
        channel=channel,
        direction=direction,
        party_id=party_id,
        third_party=third,
        contact_point=point,
        occurred_at=occurred_at,
        occurred_on=occurred_on,
        duration_seconds=duration_seconds,
        outcome=outcome,
        promise_amount=amount,
        promise_due_on=due_on,
        recording_id=recording_id,
        note=_text(note, "note", TEXT_MAX["note"]),
        override_reason=_text(override_reason, "override_reason", 2000),
    )


# --- The conduct rules -------------------------------------------------------------------


def contact_window(matter: Matter) -> tuple[dt.time, dt.time]:
    """The hours contacts are allowed in, Beijing time: 08:00-22:00, narrowed by the creditor's own window."""
    start, end = DEFAULT_WINDOW
    creditor = matter.debt.creditor
    if creditor.contact_window_start and creditor.contact_window_start > start:
        start = creditor.contact_window_start
    if creditor.contact_window_end and creditor.contact_window_end < end:
        end = creditor.contact_window_end
    return start, end


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time), timezone.get_default_timezone())


def _next_day_start(matter: Matter, day: dt.date) -> dt.datetime:
    return _at(day + dt.timedelta(days=1), contact_window(matter)[0])


def conduct_verdict(matter: Matter, data: ContactInput, *, exclude_id: int | None = None) -> Verdict:
    """Apply LEGAL_RULES B.2's rules to a contact about to be made (or stored); nothing is written."""
    verdict = Verdict()

    def broken(rule: str, detail: str, next_allowed_at: dt.datetime | None = None) -> None:
        verdict.broken.append(rule)
        if verdict.rule is None:
            verdict.rule, verdict.detail, verdict.next_allowed_at = rule, detail, next_allowed_at
        else:
            verdict.warnings.append({"rule": rule, "detail": detail})

    if data.direction == ContactDirection.INBOUND:
        return verdict
    contacts = Contact.objects.all()
    if exclude_id is not None:
        contacts = contacts.exclude(pk=exclude_id)
    local = timezone.localtime(data.occurred_at, timezone.get_default_timezone())

    # contact_pause@2026: an open complaint or dispute on the matter.
    if Complaint.objects.filter(matter=matter, status=Complaint.Status.OPEN).exists():
        broken(
            CONTACT_PAUSE_RULE,
            _("A complaint or dispute is open on this matter: contacts are paused until it is resolved."),
        )
    # number_blocked@2026: the number is marked wrong or do-not-call for one of the matter's parties.
    if data.channel in NUMBER_CHANNELS and data.contact_point:
        blocked = PartyPhone.objects.filter(
            party_id__in=list(matter_party_ids(matter)),
            number=data.contact_point,
            status__in=[PartyPhone.Status.WRONG, PartyPhone.Status.DO_NOT_CALL],
        ).first()
        if blocked is not None:
            broken(
                NUMBER_BLOCKED_RULE,
                _("This number is marked “%(status)s”: it may not be contacted.") % {"status": blocked.get_status_display()},
            )
    # third_party@2026: only to locate, only once the debtor is unreachable.
    if data.third_party is not None:
        if data.third_party["purpose"] != ThirdPartyPurpose.LOCATE:
            broken(
                THIRD_PARTY_RULE,
                _("A third party may only be asked to locate the debtor or pass on a message, never to pay."),
            )
        elif not debtor_unreachable(matter, contacts=contacts):
            broken(
                THIRD_PARTY_RULE,
                _("A third party may be contacted only after 3 consecutive failed attempts to reach the debtor, or when the debtor has no valid number."),
            )
    # contact_hours@2026: outbound calls, messages and visits only inside the window.
    if data.channel in HOURS_CHANNELS:
        start, end = contact_window(matter)
        if not (start <= local.time() < end):
            day = local.date() if local.time() < start else local.date() + dt.timedelta(days=1)
            broken(
                CONTACT_HOURS_RULE,
                _("Collection contacts are allowed only from %(start)s to %(end)s Beijing time.")
                % {"start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")},
                _at(day, start),
            )
    # calls_per_number@2026: 6 attempts a day to one number, answered or not.
    if data.channel in CALL_CHANNELS and data.contact_point:
        limit = RULES_BY_ID[CALLS_PER_NUMBER_RULE].params["max_per_day"]
        made = contacts.filter(
            contact_point=data.contact_point,
            occurred_on=data.occurred_on,
            channel__in=CALL_CHANNELS,
            direction=ContactDirection.OUTBOUND,
        ).count()
        if made >= limit:
            broken(
                CALLS_PER_NUMBER_RULE,
                _("This number has already been called %(n)s times today (at most %(max)s).")
                % {"n": made, "max": limit},
                _next_day_start(matter, data.occurred_on),
            )
    # calls_per_party@2026 (guidance): a daily total across the party's numbers.
    if data.channel in CALL_CHANNELS and data.party_id is not None:
        limit = calls_per_party_limit()
        made = contacts.filter(
            party_id=data.party_id,
            occurred_on=data.occurred_on,
            channel__in=CALL_CHANNELS,
            direction=ContactDirection.OUTBOUND,
        ).count()
        if made >= limit:
            verdict.warnings.append(
                {
                    "rule": CALLS_PER_PARTY_RULE,
                    "detail": _("This party has already been called %(n)s times today (guidance: at most %(max)s).")
                    % {"n": made, "max": limit},
                }
            )
    return verdict


def debtor_unreachable(matter: Matter, *, contacts=None) -> bool:
    """The debtor is 失联 (``third_party@2026``): no valid number, or the last 3 attempts to reach them failed."""
    debtor_id = matter.debt.debtor_id
    phones = PartyPhone.objects.filter(party_id=debtor_id)
    has_valid = phones.filter(status=PartyPhone.Status.OK).exists() or (
        not phones.exists() and Party.objects.filter(pk=debtor_id).exclude(phone="").exists()
    )
    if not has_valid:
        return True
    needed = RULES_BY_ID[THIRD_PARTY_RULE].params["failed_attempts"]
    contacts = Contact.objects.all() if contacts is None else contacts
    last = list(
        contacts.filter(matter=matter, party_id=debtor_id, direction=ContactDirection.OUTBOUND)
        .order_by("-occurred_at", "-id")
        .values_list("outcome", flat=True)[:needed]
    )
    return len(last) == needed and all(outcome in FAILED_OUTCOMES for outcome in last)


# --- Contacts ----------------------------------------------------------------------------


def contact_check(*, user: User, matter_id: int, **body: Any) -> Verdict:
    """What the rules would say of this contact now (``POST …/contacts/check/``); ``occurred_at`` may be ahead."""
    matter = access_matter(user, matter_id, action="write_contacts")
    body.pop("override_reason", None)
    data = contact_input(matter, ahead=True, **body)
    return conduct_verdict(matter, data)


def _lock_party(data: ContactInput) -> None:
    # The second lock, after the matter's: the counts per number and per party are a
    # person's, and a person may be on several matters (a guarantor), so writers for
    # one person queue on the party's row before they count.
    if data.party_id is not None:
        list(Party.objects.select_for_update().filter(pk=data.party_id).values_list("pk"))


@transaction.atomic
def contact_record(
    *,
    user: User,
    matter_id: int,
    idempotency_key: str | None = None,
    body_digest: str = "",
    **body: Any,
) -> tuple[Contact, bool]:
    """Record a collection contact after the conduct rules let it through; return it and whether it is new.

    A binding rule broken raises ``ConductRefusal`` and stores nothing, unless
    ``override_reason`` is given by counsel or an administrator (anyone else: 403),
    which stores the contact with the override and writes it to the audit log.
    Guidance rules broken are stored as ``warnings``. The outcome acts: ``wrong_number``
    marks the party's number wrong, ``dispute`` opens a dispute (which pauses further
    contacts), ``promise_to_pay`` records the promise, ``paid`` records no money (a
    payment is a recovery, recorded by those who may). A contact never interrupts
    limitation.
    """
    matter = access_matter(user, matter_id, action="write_contacts", for_update=True)
    key = (idempotency_key or "").strip() or None
    if key and len(key) > IDEMPOTENCY_KEY_MAX:
        raise ValidationError({"Idempotency-Key": _("At most %(max)s characters.") % {"max": IDEMPOTENCY_KEY_MAX}})
    if key:
        existing = matter.contacts.filter(idempotency_key=key).first()
        if existing is not None:
            if existing.request_digest != body_digest:
                raise ContactConflict(existing)
            return existing, False
    data = contact_input(matter, **body)
    if data.override_reason and not can(user, "override_conduct"):
        raise PermissionDenied("your role may not override conduct rules")
    _lock_party(data)
    verdict = conduct_verdict(matter, data)
    override_rule = ""
    if not verdict.allowed:
        if not data.override_reason:
            raise ConductRefusal(verdict, matter)
        override_rule = verdict.rule
    warnings = list(verdict.warnings)
    if data.outcome == ContactOutcome.PAID:
        warnings.append(
            {
                "rule": None,
                "detail": _("No money was recorded: a payment the debtor reports is recorded as a recovery once it arrives."),
            }
        )
    contact = Contact.objects.create(
        matter=matter,
        channel=data.channel,
        direction=data.direction,
        party_id=data.party_id,
        third_party_name=(data.third_party or {}).get("name", ""),
        third_party_relation=(data.third_party or {}).get("relation", ""),
        third_party_purpose=(data.third_party or {}).get("purpose", ""),
        contact_point=data.contact_point,
        occurred_at=data.occurred_at,
        occurred_on=data.occurred_on,
        duration_seconds=data.duration_seconds,
        outcome=data.outcome,
        recording_id=data.recording_id,
        note=data.note,
        warnings=warnings,
        override_rule=override_rule,
        override_reason=data.override_reason if override_rule else "",
        override_by=user if override_rule else None,
        firm_id=user.firm_id,
        idempotency_key=key,
        request_digest=body_digest if key else "",
        created_by=user,
    )
    promise = None
    if data.outcome == ContactOutcome.PROMISE_TO_PAY:
        promise = Promise.objects.create(
            matter=matter,
            contact=contact,
            amount=data.promise_amount,
            promised_on=data.occurred_on,
            due_on=data.promise_due_on,
        )
    record_event(
        matter=matter,
        actor=user,
        kind=EventKind.CONTACT_RECORDED,
        new=_contact_json(contact, promise),
        note=data.note,
    )
    if override_rule:
        record_audit(
            actor=user,
            action=AuditAction.CONDUCT_OVERRIDDEN,
            target=f"{matter.number} contact {contact.pk}",
            detail={
                "matter": matter.pk,
                "contact": contact.pk,
                "rule": override_rule,
                "rules": verdict.broken,
                "reason": data.override_reason,
            },
        )
    if data.outcome == ContactOutcome.WRONG_NUMBER and data.party_id and data.contact_point:
        _mark_wrong(data.party_id, data.contact_point)
    if data.outcome == ContactOutcome.DISPUTE:
        _complaint_create(
            user=user,
            matter=matter,
            kind=ComplaintKind.DISPUTE,
            source=ComplaintSource.DEBTOR,
            received_on=data.occurred_on,
            summary=data.note or _("Disputed in a collection contact."),
            contact=contact,
        )
    if promise is not None:
        promises_evaluate(matter=matter, today=timezone.localdate(), actor=user)
    contact.promise_row = promise
    return contact, True


def _mark_wrong(party_id: int, number: str) -> None:
    """Mark the party's number wrong (it stays listed, never dialled again); ``Party.phone`` moves to the next good one."""
    party = Party.objects.get(pk=party_id)
    phone = party.phones.filter(number=number).first()
    if phone is None:
        phone = PartyPhone.objects.create(
            party=party, number=number, status=PartyPhone.Status.WRONG, position=party.phones.count() + 1
        )
    elif phone.status == PartyPhone.Status.OK:
        phone.status = PartyPhone.Status.WRONG
        phone.save(update_fields=["status"])
    first_ok = party.phones.filter(status=PartyPhone.Status.OK).order_by("position", "id").first()
    wanted = first_ok.number if first_ok else ""
    if party.phone == number or (party.phone and party.phone != wanted and not first_ok):
        party.phone = wanted
        party.save(update_fields=["phone"])
    party_keys_refresh(party_ids=[party.pk])


def _contact_json(contact: Contact, promise: Promise | None) -> dict[str, Any]:
    """The timeline's view of a contact: codes and masked values, as the API writes them."""
    new: dict[str, Any] = {
        "contact": contact.pk,
        "channel": contact.channel,
        "direction": contact.direction,
        "contact_point": contact.masked_contact_point,
        "occurred_at": timezone.localtime(contact.occurred_at).isoformat(),
        "outcome": contact.outcome,
    }
    if contact.party_id:
        new["party"] = contact.party_id
        new["name"] = contact.party.name
    else:
        new["third_party_name"] = contact.third_party_name
        new["third_party_relation"] = contact.third_party_relation
    if promise is not None:
        new["amount"] = money_text(promise.amount)
        new["due_on"] = promise.due_on.isoformat()
    if contact.override_rule:
        new["override_rule"] = contact.override_rule
        new["override_reason"] = contact.override_reason
    return new


def matter_contacts(matter: Matter):
    """The matter's contacts, newest first, with what the list and the API show."""
    return matter.contacts.select_related("party", "created_by", "override_by", "promise").order_by(
        "-occurred_at", "-id"
    )


# --- Complaints --------------------------------------------------------------------------


def _complaint_create(
    *, user: User, matter: Matter, kind: str, source: str, received_on: dt.date, summary: str, contact=None
) -> Complaint:
    complaint = Complaint.objects.create(
        matter=matter,
        kind=kind,
        source=source,
        received_on=received_on,
        summary=summary,
        contact=contact,
        created_by=user,
    )
    record_event(
        matter=matter,
        actor=user,
        kind=EventKind.COMPLAINT_OPENED,
        new={"complaint": complaint.pk, "kind": kind, "source": source, "received_on": received_on.isoformat()},
        note=summary,
    )
    return complaint


@transaction.atomic
def complaint_open(
    *, user: User, matter_id: int, kind: str, received_on: dt.date, source: str, summary: str
) -> Complaint:
    """Record a complaint about collection, or a dispute of the debt; contacts pause until it is resolved."""
    matter = access_matter(user, matter_id, action="write_contacts", for_update=True)
    if kind not in ComplaintKind.values:
        raise ValidationError({"kind": _("Not one of the allowed values.")})
    if source not in ComplaintSource.values:
        raise ValidationError({"source": _("Not one of the allowed values.")})
    summary = _text(summary, "summary", 4000)
    if not summary:
        raise ValidationError({"summary": _("Say what the complaint or dispute is about.")})
    if received_on is None:
        raise ValidationError({"received_on": _("This field is required.")})
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": _("The day received cannot be after today.")})
    return _complaint_create(
        user=user, matter=matter, kind=kind, source=source, received_on=received_on, summary=summary
    )


@transaction.atomic
def complaint_resolve(*, user: User, complaint_id: int, resolution: str) -> Complaint:
    """Resolve an open complaint or dispute (counsel, administrators); contacts may resume. 409 if already resolved."""
    complaint = access_child(user, Complaint, complaint_id, action="resolve_complaints", for_update=True)
    resolution = _text(resolution, "resolution", 4000)
    if not resolution:
        raise ValidationError({"resolution": _("Say how it was resolved.")})
    if complaint.status == Complaint.Status.RESOLVED:
        raise ComplaintConflict(complaint)
    complaint.status = Complaint.Status.RESOLVED
    complaint.resolution = resolution
    complaint.resolved_at = timezone.now()
    complaint.resolved_by = user
    complaint.save(update_fields=["status", "resolution", "resolved_at", "resolved_by"])
    record_event(
        matter=complaint.matter,
        actor=user,
        kind=EventKind.COMPLAINT_RESOLVED,
        old={"complaint": complaint.pk, "status": Complaint.Status.OPEN},
        new={"complaint": complaint.pk, "kind": complaint.kind, "status": complaint.status},
        note=resolution,
    )
    return complaint


# --- Promises ----------------------------------------------------------------------------


def promise_grace() -> dt.timedelta:
    return dt.timedelta(days=settings.PROMISE_GRACE_DAYS)


def promise_status(*, amount: Decimal, paid: Decimal, due_on: dt.date, today: dt.date) -> str:
    """Kept when paid reaches the amount; broken once due_on + grace has passed without; open before."""
    if paid >= amount:
        return PromiseStatus.KEPT
    if today > due_on + promise_grace():
        return PromiseStatus.BROKEN
    return PromiseStatus.OPEN


def promises_evaluate(*, matter: Matter, today: dt.date, actor: User | None = None) -> int:
    """Set each promise of the matter from its recoveries (net of reversals); return how many changed.

    The recoveries that count are those received from the promise's day up to its due
    day plus ``PROMISE_GRACE_DAYS``; a reversal carries the original's day, so it takes
    its money back from the same window. Called by every recovery and reversal, and daily.
    """
    changed = 0
    grace = promise_grace()
    open_due: list[dt.date] = []
    for promise in Promise.objects.filter(matter=matter).order_by("due_on", "id"):
        paid = Recovery.objects.filter(
            matter_id=matter.pk,
            received_on__gte=promise.promised_on,
            received_on__lte=promise.due_on + grace,
        ).aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
        paid = max(paid, Decimal("0.00"))
        status = promise_status(amount=promise.amount, paid=paid, due_on=promise.due_on, today=today)
        if status == PromiseStatus.OPEN:
            open_due.append(promise.due_on)
        if status == promise.status and paid == promise.paid_amount:
            continue
        old_status = promise.status
        promise.paid_amount = paid
        fields = ["paid_amount"]
        if status != old_status:
            promise.status = status
            promise.status_changed_at = timezone.now()
            fields += ["status", "status_changed_at"]
        promise.save(update_fields=fields)
        if status != old_status:
            changed += 1
            record_event(
                matter=matter,
                actor=actor,
                kind=EventKind.PROMISE_STATUS_CHANGED,
                old={"promise": promise.pk, "status": old_status},
                new={
                    "promise": promise.pk,
                    "status": status,
                    "amount": money_text(promise.amount),
                    "due_on": promise.due_on.isoformat(),
                    "paid_amount": money_text(paid),
                },
            )
    _promise_due_on_keep(matter, min(open_due, default=None))
    return changed


def _promise_due_on_keep(matter: Matter, due_on: dt.date | None) -> None:
    """Keep ``Matter.promise_due_on`` (the worklist's sort) at the earliest open promise's due date."""
    # The callers hold the matter's row lock, so the loaded value is the stored one.
    if matter.promise_due_on != due_on:
        Matter.objects.filter(pk=matter.pk).update(promise_due_on=due_on)
        matter.promise_due_on = due_on


def promises_daily(today: dt.date | None = None) -> dict:
    """The schedule's daily pass: open promises whose grace ran out yesterday or before become broken."""
    today = today or timezone.localdate()
    due = today - promise_grace()
    matter_ids = list(
        Promise.objects.filter(status=PromiseStatus.OPEN, due_on__lt=due)
        .order_by()
        .values_list("matter_id", flat=True)
        .distinct()
    )
    changed = 0
    for matter_id in matter_ids:
        with transaction.atomic():
            matter = Matter.objects.select_for_update().get(pk=matter_id)
            changed += promises_evaluate(matter=matter, today=today)
    return {"matters": len(matter_ids), "changed": changed}


def broken_promises(matters, *, limit: int | None = None):
    """The broken promises on these matters, the latest due first (the dashboard's list)."""
    rows = (
        Promise.objects.filter(status=PromiseStatus.BROKEN, matter__in=matters)
        .select_related("matter", "contact__party")
        .order_by("-due_on", "-id")
    )
    return rows[:limit] if limit else rows

