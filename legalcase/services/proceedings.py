"""Proceedings, service, hearings and rulings (API.md, "Proceedings and rulings")."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from legalcase.access import access_child, access_matter
from legalcase.dates import DATE_LABELS, must_be_past, must_be_past_all, must_not_precede
from legalcase.events import record_event
from legalcase.models import (
    LIMITATION_INTERRUPTING_KINDS,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    EventKind,
    Forum,
    Hearing,
    Party,
    Proceeding,
    Ruling,
    ServiceMethod,
    ServiceRecord,
    User,
)
from legalcase.rulings import normalise_case_number, read_ruling
from legalcase.services.bound_parties import bound_parties_corrected, bound_parties_from_reading, bound_parties_json
from legalcase.services.deadlines import matter_deadlines_recompute

# --- Proceedings (API.md, "Proceedings and rulings") ----------------------------------


def case_number_normalised(case_number: str) -> str:
    """The case number in the official form, or a ValidationError if it is not one.

    The whole input must be the case number: text around one is refused rather
    than silently dropped.
    """
    case_number = (case_number or "").strip()
    if not case_number:
        return ""
    normalised = normalise_case_number(case_number)
    # Normalising only swaps brackets and digits one for one and drops spaces, so any
    # other difference in length is text the reader would have thrown away.
    if normalised is None or len(normalised) != len(re.sub(r"\s", "", case_number)):
        raise ValidationError({"case_number": _("This is not a case number, e.g. （2026）京0105民初1234号.")})
    return normalised


@transaction.atomic
def proceeding_record(
    *,
    user: User,
    matter_id: int,
    kind: str,
    forum_id: int | None = None,
    case_number: str = "",
    filed_on: dt.date | None = None,
    accepted_on: dt.date | None = None,
    judge: str = "",
    clerk: str = "",
    contact_phone: str = "",
    fee_notice_received_on: dt.date | None = None,
    measures_taken_on: dt.date | None = None,
) -> Proceeding:
    """Record a proceeding of the matter, whatever its stage; return it.

    Filing suit or arbitration, or applying for a payment order, interrupts limitation
    (民法典 Art. 195): when filed while the period still runs, the matter's open
    limitation deadline is closed as done, with the reason, and a recomputation leaves
    it closed; filed within 30 days of a pre-suit preservation, it closes that lapse
    deadline the same way. A fee notice's date gives the fee deadline, a pre-suit
    preservation's measures the lapse deadline (LEGAL_RULES section 2). The stage is
    not moved: ``stages.stage_proposal`` offers the move.
    """
    matter = access_matter(user, matter_id, action="write_proceedings", for_update=True)
    if kind not in Proceeding.Kind.values:
        raise ValidationError({"kind": _("Unknown kind of proceeding.")})
    forum = None
    if forum_id is not None:
        try:
            forum = Forum.objects.get(pk=int(forum_id), active=True)
        except (Forum.DoesNotExist, ValueError, TypeError):
            raise ValidationError({"forum": _("No such court or arbitration commission.")}) from None
        if (kind == Proceeding.Kind.ARBITRATION) != (forum.kind == Forum.Kind.ARBITRATION):
            raise ValidationError(
                {"forum": _("Arbitration is heard by an arbitration commission, every other proceeding by a court.")}
            )
    _dates_checked(
        kind=kind,
        filed_on=filed_on,
        accepted_on=accepted_on,
        measures_taken_on=measures_taken_on,
        fee_notice_received_on=fee_notice_received_on,
    )
    proceeding = Proceeding.objects.create(
        matter=matter,
        kind=kind,
        forum=forum,
        case_number=case_number_normalised(case_number),
        filed_on=filed_on,
        accepted_on=accepted_on,
        judge=judge.strip(),
        clerk=clerk.strip(),
        contact_phone=contact_phone.strip(),
        fee_notice_received_on=fee_notice_received_on,
        measures_taken_on=measures_taken_on,
        created_by=user,
    )
    matter_deadlines_recompute(matter_id=matter.pk)
    interrupted = _limitation_interrupt(user=user, proceeding=proceeding)
    _preservation_followed(user=user, proceeding=proceeding)
    record_event(
        matter=matter,
        actor=user,
        kind=EventKind.PROCEEDING_RECORDED,
        new={
            "proceeding": proceeding.pk,
            "kind": kind,
            "case_number": proceeding.case_number,
            "forum": forum.name if forum else None,
            "filed_on": filed_on.isoformat() if filed_on else None,
            "limitation_interrupted": interrupted,
        },
    )
    return proceeding


# How the closing reason names the filing; suit (起诉) otherwise.
INTERRUPTING_FILING_VERBS = {Proceeding.Kind.ARBITRATION: "申请仲裁", Proceeding.Kind.PAYMENT_ORDER: "申请支付令"}


# What a filing in time closes, and how the closing reason says it (the verb is filled in).
FILING_CLOSES = {
    DeadlineKind.LIMITATION: "已于{on}{verb}，诉讼时效中断",
    DeadlineKind.PRE_SUIT_PRESERVATION_LAPSE: "已于{on}{verb}，诉前保全不因逾期解除",
}


def _limitation_interrupt(*, user: User, proceeding: Proceeding) -> bool:
    """Close the open limitation deadline if this filing interrupted a running period."""
    return _closed_by_filing(user=user, proceeding=proceeding, kind=DeadlineKind.LIMITATION)


def _preservation_followed(*, user: User, proceeding: Proceeding) -> bool:
    """Close the open pre-suit preservation lapse deadline if this filing came in time."""
    return _closed_by_filing(user=user, proceeding=proceeding, kind=DeadlineKind.PRE_SUIT_PRESERVATION_LAPSE)


def _closed_by_filing(*, user: User, proceeding: Proceeding, kind: str) -> bool:
    if proceeding.kind not in LIMITATION_INTERRUPTING_KINDS or proceeding.filed_on is None:
        return False
    deadline = (
        Deadline.objects.select_for_update()
        .filter(matter=proceeding.matter, kind=kind, party=None, superseded_at__isnull=True, status=DeadlineStatus.OPEN)
        .first()
    )
    # A filing after the last day does not revive a barred claim or a lapsed measure (LEGAL_RULES section 2).
    if deadline is None or proceeding.filed_on > deadline.due_on:
        return False
    verb = INTERRUPTING_FILING_VERBS.get(proceeding.kind, "起诉")
    deadline.status = DeadlineStatus.DONE
    deadline.status_reason = FILING_CLOSES[kind].format(on=proceeding.filed_on.isoformat(), verb=verb)
    deadline.save(update_fields=["status", "status_reason"])
    record_event(
        matter=proceeding.matter,
        actor=user,
        kind=EventKind.DEADLINE_CLOSED,
        old={"deadline": deadline.pk, "kind": deadline.kind, "status": DeadlineStatus.OPEN},
        new={
            "deadline": deadline.pk,
            "kind": deadline.kind,
            "status": DeadlineStatus.DONE,
            "due_on": deadline.due_on.isoformat(),
            "proceeding": proceeding.pk,
        },
        note=deadline.status_reason,
    )
    return True


def _dates_checked(
    *,
    kind: str,
    filed_on: dt.date | None,
    accepted_on: dt.date | None,
    measures_taken_on: dt.date | None,
    closed_on: dt.date | None = None,
    fee_notice_received_on: dt.date | None = None,
    given: frozenset[str] | None = None,
) -> None:
    """Every date of a proceeding given has happened, and none comes before the filing (``legalcase.dates``).

    A filing dated in the future would close the limitation deadline as interrupted
    (``_closed_by_filing``) on a filing that has not happened. ``given``: the fields an
    update changes (None: all), so a date stored long ago is not judged again.
    """
    dates = {
        "filed_on": filed_on,
        "accepted_on": accepted_on,
        "closed_on": closed_on,
        "fee_notice_received_on": fee_notice_received_on,
        "measures_taken_on": measures_taken_on,
    }
    must_be_past_all({name: day for name, day in dates.items() if given is None or name in given})
    filing = DATE_LABELS["filed_on"]
    must_not_precede("accepted_on", accepted_on, filing, filed_on)
    must_not_precede("closed_on", closed_on, filing, filed_on)
    must_not_precede("fee_notice_received_on", fee_notice_received_on, filing, filed_on)
    if measures_taken_on and kind != Proceeding.Kind.PRE_SUIT_PRESERVATION:
        raise ValidationError(
            {"measures_taken_on": _("Only a pre-suit preservation records when its measures were taken.")}
        )


# What a proceeding's update may change; the kind and the matter stay as recorded.
PROCEEDING_UPDATE_FIELDS = (
    "case_number",
    "filed_on",
    "accepted_on",
    "judge",
    "clerk",
    "contact_phone",
    "outcome",
    "closed_on",
    "fee_notice_received_on",
    "measures_taken_on",
)


@transaction.atomic
def proceeding_update(*, user: User, proceeding_id: int, **changes: Any) -> Proceeding:
    """Change what is known of a proceeding (the case number once accepted, the judge, the fee notice...).

    Only the fields named in ``PROCEEDING_UPDATE_FIELDS``; each change is on the
    timeline with its old and new value (the contact phone only as "changed"). The
    deadlines are recomputed, and a filing date given now closes limitation and a
    preservation lapse as recording the proceeding with it would have.
    """
    proceeding = access_child(user, Proceeding, proceeding_id, action="write_proceedings", for_update=True)
    unknown = set(changes) - set(PROCEEDING_UPDATE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field of a proceeding cannot be changed.") for name in sorted(unknown)})
    if "case_number" in changes:
        changes["case_number"] = case_number_normalised(changes["case_number"])
    for name in ("judge", "clerk", "contact_phone", "outcome"):
        if name in changes:
            changes[name] = (changes[name] or "").strip()
    after = {name: changes.get(name, getattr(proceeding, name)) for name in PROCEEDING_UPDATE_FIELDS}
    _dates_checked(
        kind=proceeding.kind,
        filed_on=after["filed_on"],
        accepted_on=after["accepted_on"],
        measures_taken_on=after["measures_taken_on"],
        closed_on=after["closed_on"],
        fee_notice_received_on=after["fee_notice_received_on"],
        given=frozenset(changes),
    )
    changed = {name: value for name, value in changes.items() if getattr(proceeding, name) != value}
    if not changed:
        return proceeding
    shown = [name for name in changed if name != "contact_phone"]  # a phone number stays off the log
    old = {name: _json_value(getattr(proceeding, name)) for name in shown}
    for name, value in changed.items():
        setattr(proceeding, name, value)
    proceeding.save(update_fields=list(changed))
    record_event(
        matter=proceeding.matter,
        actor=user,
        kind=EventKind.PROCEEDING_UPDATED,
        old={"proceeding": proceeding.pk, **old},
        new={"proceeding": proceeding.pk, **{name: _json_value(changed[name]) for name in shown}},
        note=_("Contact phone changed.") if "contact_phone" in changed else "",
    )
    matter_deadlines_recompute(matter_id=proceeding.matter_id)
    if "filed_on" in changed:
        _limitation_interrupt(user=user, proceeding=proceeding)
        _preservation_followed(user=user, proceeding=proceeding)
    return proceeding


@transaction.atomic
def service_record_add(
    *,
    user: User,
    proceeding_id: int,
    method: str,
    served_on: dt.date | None = None,
    published_on: dt.date | None = None,
    published_dates: list[dt.date] | None = None,
    party_id: int | None = None,
    note: str = "",
) -> Proceeding:
    """Record service of the proceeding's documents on the debtor or a guarantor; return the proceeding.

    A public notice needs its publication date and is deemed served 30 days later
    (民事诉讼法 Art. 95). A notice posted or published in several places and on several
    days (the court's board, the domicile, a newspaper) counts from the last of them
    (民诉法解释 Art. 138): ``published_dates`` gives them all, ``published_on`` the one
    (or also one) of them, and the last is kept. Every other method needs the day it was
    served. Without a party the service is on the creditor's side. No date may be after
    today or before the proceeding was filed.
    """
    proceeding = access_child(user, Proceeding, proceeding_id, action="write_proceedings", for_update=True)
    if method not in ServiceMethod.values:
        raise ValidationError({"method": _("Unknown method of service.")})
    publications = sorted({day for day in (*(published_dates or ()), published_on) if day is not None})
    published_on = publications[-1] if publications else None
    if method == ServiceMethod.PUBLIC_NOTICE and published_on is None:
        raise ValidationError({"published_on": _("A public notice needs its publication date.")})
    if method != ServiceMethod.PUBLIC_NOTICE and served_on is None:
        raise ValidationError({"served_on": _("Give the day the documents were served.")})
    must_be_past("served_on", served_on)
    must_be_past("published_on", published_on)
    filing = DATE_LABELS["filed_on"]
    must_not_precede("served_on", served_on, filing, proceeding.filed_on)
    must_not_precede("published_on", publications[0] if publications else None, filing, proceeding.filed_on)
    party = None
    if party_id is not None:
        debt = proceeding.matter.debt
        party = Party.objects.filter(Q(pk=debt.debtor_id) | Q(guarantees__debt=debt), pk=_int_or_none(party_id)).first()
        if party is None:
            raise ValidationError({"party": _("Not the debtor or a guarantor of this matter.")})
    record = ServiceRecord.objects.create(
        proceeding=proceeding,
        party=party,
        method=method,
        served_on=served_on if method != ServiceMethod.PUBLIC_NOTICE else None,
        published_on=published_on if method == ServiceMethod.PUBLIC_NOTICE else None,
        note=note.strip(),
    )
    record_event(
        matter=proceeding.matter,
        actor=user,
        kind=EventKind.SERVICE_RECORDED,
        new={
            "proceeding": proceeding.pk,
            "method": method,
            "party": party.name if party else None,
            "served_on": record.effective_served_on.isoformat(),
            **({"published": [day.isoformat() for day in publications]} if record.published_on else {}),
        },
        note=record.note,
    )
    return proceeding


@transaction.atomic
def hearing_add(*, user: User, proceeding_id: int, at: dt.datetime, place: str = "", note: str = "") -> Hearing:
    """Schedule a hearing of the proceeding; return it."""
    proceeding = access_child(user, Proceeding, proceeding_id, action="write_proceedings", for_update=True)
    if at is None or timezone.is_naive(at):
        raise ValidationError({"at": _("Give the date and time with its time zone.")})
    hearing = Hearing.objects.create(proceeding=proceeding, at=at, place=place.strip(), note=note.strip())
    record_event(
        matter=proceeding.matter,
        actor=user,
        kind=EventKind.HEARING_ADDED,
        new={"proceeding": proceeding.pk, "hearing": hearing.pk, "at": at.isoformat(), "place": hearing.place},
        note=hearing.note,
    )
    return hearing


# "Leave as it is" for ``proceeding_court_dates_set`` (None clears a date).
KEEP: Any = object()


@transaction.atomic
def proceeding_court_dates_set(
    *,
    user: User,
    proceeding: Proceeding | int,
    evidence_due_on: dt.date | None = KEEP,
    defence_due_on: dt.date | None = KEEP,
) -> Proceeding:
    """Set the last days of the evidence period (举证期限) and the defence period (答辩期) a court gave.

    Each date as the notice states it (None clears it, leaving it out keeps it); the
    deadline engine moves a last day on a rest day forward (LEGAL_RULES Part 2 B.4).
    A date before the proceeding was filed is refused and nothing is stored. The change
    is on the timeline with old and new, and the matter's deadlines are recomputed.
    """
    proceeding_id = proceeding.pk if isinstance(proceeding, Proceeding) else proceeding
    proceeding = access_child(user, Proceeding, proceeding_id, action="write_proceedings", for_update=True)
    given = {
        name: value
        for name, value in (("evidence_due_on", evidence_due_on), ("defence_due_on", defence_due_on))
        if value is not KEEP
    }
    errors = {}
    for name, value in given.items():
        if value is not None and not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            errors[name] = _("Give a date (YYYY-MM-DD).")
    if errors:
        raise ValidationError(errors)
    filing = DATE_LABELS["filed_on"]
    for name, value in given.items():
        must_not_precede(name, value, filing, proceeding.filed_on)
    changed = {name: value for name, value in given.items() if getattr(proceeding, name) != value}
    if not changed:
        return proceeding
    old = {name: _json_value(getattr(proceeding, name)) for name in changed}
    for name, value in changed.items():
        setattr(proceeding, name, value)
    proceeding.save(update_fields=list(changed))
    record_event(
        matter=proceeding.matter,
        actor=user,
        kind=EventKind.COURT_DATES_SET,
        old={"proceeding": proceeding.pk, **old},
        new={"proceeding": proceeding.pk, **{name: _json_value(value) for name, value in changed.items()}},
    )
    matter_deadlines_recompute(matter_id=proceeding.matter_id)
    return proceeding


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (ValueError, TypeError):
        return None


# Rulings (API.md, "Proceedings and rulings") ------------------------------------------

# The facts of a ruling a person may correct at confirmation (the reading's fields and
# the day of service).
RULING_FIELDS = (
    "kind",
    "case_number",
    "court",
    "decided_on",
    "served_on",
    "principal_awarded",
    "interest_awarded",
    "acceptance_fee",
    "acceptance_fee_charged",
    "appealable",
    "performance_days",
    "text_excerpt",
)
# The deadlines a confirmed ruling drives, in the order of the chain.
RULING_DEADLINE_KINDS = (
    DeadlineKind.APPEAL,
    DeadlineKind.JUDGMENT_EFFECTIVE,
    DeadlineKind.PERFORMANCE_END,
    DeadlineKind.ENFORCEMENT_APPLICATION,
)


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


@transaction.atomic
def ruling_record(
    *,
    user: User,
    matter_id: int,
    text: str,
    evidence_id: int | None,
    served_on: dt.date | None = None,
    text_source: str | None = None,
) -> Ruling:
    """Read a ruling document's text and record what it says; drives no deadline until confirmed.

    ``served_on`` is the day of the last service when the caller knows it; otherwise the
    last service recorded on the matter's proceeding with the same case number, if any.
    A text the reader does not recognise (a scan without a text layer) gives a ruling
    with every field empty, for a person to fill in at confirmation. ``text_source``
    (one of ``RULING_TEXT_SOURCES``; by default "text", or "none" for no text) is kept
    in the reading, so a client knows whether the fields must be typed in.
    """
    matter = access_matter(user, matter_id, action="write_proceedings", for_update=True)
    must_be_past("served_on", served_on)
    reading = read_ruling(text or "")
    proceeding = None
    if reading.case_number:
        proceeding = (
            matter.proceedings.filter(case_number=reading.case_number)
            .prefetch_related("service_records")
            .order_by("-created_at", "-id")
            .first()
        )
    if served_on is None and proceeding is not None:
        served_on = proceeding.served_on
    facts = {name: getattr(reading, name) for name in RULING_FIELDS if name != "served_on"}
    ruling = Ruling.objects.create(
        matter=matter,
        proceeding=proceeding,
        evidence_id=evidence_id,
        reading=_ruling_reading_json(reading, text_source or ("text" if (text or "").strip() else "none")),
        served_on=served_on,
        created_by=user,
        **facts,
    )
    bound_parties_from_reading(ruling=ruling, read=reading.bound_parties)
    record_event(
        matter=matter,
        actor=user,
        kind=EventKind.RULING_RECORDED,
        new={
            "ruling": ruling.pk,
            "evidence": evidence_id,
            "kind": ruling.kind,
            "case_number": ruling.case_number,
            "served_on": _json_value(served_on),
            "bound_parties": [p["party"] for p in bound_parties_json(ruling)],
        },
    )
    return ruling


@transaction.atomic
def ruling_confirm(*, user: User, ruling_id: int, corrections: dict[str, Any]) -> Ruling:
    """Apply a person's corrections to a ruling, confirm it and compute the deadlines it drives.

    Both the reading and the corrections are kept. The deadlines (appeal, effective day,
    end of performance, application for enforcement) follow from the matter's latest
    confirmed ruling by ``matter_deadlines_recompute`` (``ruling_deadlines_computed``
    gives the chain), so a confirmation that moves a date supersedes the old row and one
    that takes a date out of the chain supersedes it without a successor.
    """
    ruling = access_child(user, Ruling, ruling_id, action="write_proceedings", for_update=True)
    matter = ruling.matter
    corrections = dict(corrections)
    bound = corrections.pop("bound_parties", None)
    unknown = set(corrections) - set(RULING_FIELDS)
    if unknown:
        raise ValidationError({name: _("Not a field of a ruling.") for name in sorted(unknown)})
    # A blank text is "not known", as in the reading.
    corrections = {name: None if isinstance(v, str) and not v.strip() else v for name, v in corrections.items()}
    if corrections.get("case_number"):
        corrections["case_number"] = case_number_normalised(corrections["case_number"]) or None
    if "kind" in corrections and corrections["kind"] not in (None, *Ruling.Kind.values):
        raise ValidationError({"kind": _("Unknown kind of ruling.")})
    old = {name: _json_value(getattr(ruling, name)) for name in corrections}
    for name, value in corrections.items():
        setattr(ruling, name, value)
    _ruling_dates_checked(ruling)
    ruling.corrections = {**ruling.corrections, **{name: _json_value(v) for name, v in corrections.items()}}
    if bound is not None:
        # Who the instrument binds, as a person says (API.md v1.1): replaces the reading's list.
        old["bound_parties"], corrections["bound_parties"] = bound_parties_corrected(ruling=ruling, items=bound)
        ruling.corrections["bound_parties"] = corrections["bound_parties"]
    ruling.confirmed = True
    ruling.confirmed_by = user
    ruling.confirmed_at = timezone.now()
    ruling.save()
    current = matter_deadlines_recompute(matter_id=matter.pk)
    deadlines = {row.kind: row for row in current if row.kind in RULING_DEADLINE_KINDS}
    record_event(
        matter=matter,
        actor=user,
        kind=EventKind.RULING_CONFIRMED,
        old=old or None,
        new={
            "ruling": ruling.pk,
            "corrections": {name: _json_value(v) for name, v in corrections.items()},
            "deadlines": {kind: deadline.due_on.isoformat() for kind, deadline in deadlines.items()},
        },
    )
    return ruling


def _ruling_dates_checked(ruling: Ruling) -> None:
    """A ruling confirmed is decided and served by today, decided after its proceeding was filed, served after decided.

    Checked on the facts as confirmed (the reading with the corrections): a date read
    wrong by the reader is refused like one typed wrong, and the person corrects it.
    """
    must_be_past_all({"decided_on": ruling.decided_on, "served_on": ruling.served_on})
    filed_on = ruling.proceeding.filed_on if ruling.proceeding_id else None
    must_not_precede("decided_on", ruling.decided_on, DATE_LABELS["filed_on"], filed_on)
    must_not_precede("served_on", ruling.served_on, DATE_LABELS["decided_on"], ruling.decided_on)
    must_not_precede("served_on", ruling.served_on, DATE_LABELS["filed_on"], filed_on)


# Rulings read again (a scan's OCR) ----------------------------------------------------

# How a ruling's text was obtained: a text layer or DOCX, OCR of a scan, or none at all
# (a scan before or without OCR: a person types the fields in at confirmation).
RULING_TEXT_SOURCES = ("text", "ocr", "none")


def _ruling_reading_json(reading: Any, text_source: str) -> dict[str, Any]:
    if text_source not in RULING_TEXT_SOURCES:
        raise ValueError(f"unknown text source {text_source!r}")
    facts = dataclasses.asdict(reading)
    read = facts.pop("bound_parties", None)
    bound = None if read is None else [{**item, "limit": _json_value(item["limit"])} for item in read]
    return {
        **{name: _json_value(value) for name, value in facts.items()},
        "bound_parties": bound,
        "text_source": text_source,
    }


@transaction.atomic
def ruling_reread(*, evidence_id: int, text: str, source: str) -> Ruling | None:
    """Read an unconfirmed ruling again from a new text of its file (a scan's OCR), in place.

    The reading and the current fields become the new reading (the day of service, which
    no document states, stays); the timeline says the text was recognised by OCR. A
    confirmed ruling is a person's word and is left alone, and so is a file that holds no
    ruling: both answer ``None``. Safe to run twice.
    """
    ruling = (
        Ruling.objects.select_for_update()
        .filter(evidence_id=evidence_id, confirmed=False)
        .order_by("-created_at", "-id")
        .first()
    )
    if ruling is None:
        return None
    reading = read_ruling(text or "")
    facts = {name: getattr(reading, name) for name in RULING_FIELDS if name != "served_on"}
    old = {name: _json_value(getattr(ruling, name)) for name in facts}
    for name, value in facts.items():
        setattr(ruling, name, value)
    ruling.reading = _ruling_reading_json(reading, source)
    bound_parties_from_reading(ruling=ruling, read=reading.bound_parties)
    update_fields = [*facts, "reading"]
    if ruling.proceeding_id is None and reading.case_number:
        # As at upload: the proceeding with the case number now read, and its service day.
        ruling.proceeding = (
            ruling.matter.proceedings.filter(case_number=reading.case_number).order_by("-created_at", "-id").first()
        )
        if ruling.proceeding is not None:
            update_fields.append("proceeding")
            if ruling.served_on is None and ruling.proceeding.served_on is not None:
                ruling.served_on = ruling.proceeding.served_on
                update_fields.append("served_on")
    ruling.save(update_fields=update_fields)
    record_event(
        matter=ruling.matter,
        actor=None,
        kind=EventKind.RULING_RECORDED,
        old=old,
        new={
            "ruling": ruling.pk,
            "evidence": evidence_id,
            "kind": ruling.kind,
            "case_number": ruling.case_number,
            "text_source": source,
        },
        note="OCR识别" if source == "ocr" else "",
    )
    return ruling
