"""Use cases that change matters. Each is atomic, keyword-only and records an event.

The web views, the API, management commands and the workers all call these.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.http import Http404
from django.utils.translation import gettext as _

from legalcase.access import access_matter, can, require, visible_matters
from legalcase.events import record_event
from legalcase.jobs import JobReporter, job_create
from legalcase.models import (
    ALLOWED_MOVES,
    LIMITATION_INTERRUPTING_KINDS,
    Assignment,
    ClosingReason,
    Creditor,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    Debt,
    DemandRecord,
    EventKind,
    Forum,
    Guarantee,
    Hearing,
    Job,
    LawFirm,
    Matter,
    MatterNumberCounter,
    Party,
    Portfolio,
    Proceeding,
    Role,
    Ruling,
    ServiceMethod,
    ServiceRecord,
    Stage,
    User,
    holiday_calendar,
)
from legalcase.periods import (
    ComputedDate,
    HolidayCalendar,
    LimitationEvent,
    appeal_deadline,
    enforcement_application_deadline,
    judgment_effective,
    limitation_expiry,
    performance_end,
    period_end,
)
from legalcase.rulings import normalise_case_number, read_ruling


class StageConflict(Exception):
    """A move that the table of allowed moves does not permit from the current stage."""

    def __init__(self, matter: Matter, to: str):
        super().__init__(
            _("A matter in stage “%(current)s” cannot move to “%(to)s”.")
            % {"current": matter.get_stage_display(), "to": Stage(to).label if to in Stage.values else to}
        )
        self.stage = matter.stage


def matter_number_allocate(*, year: int, count: int = 1) -> list[str]:
    """Hand out ``count`` consecutive matter numbers of ``year``; safe under concurrent callers."""
    with transaction.atomic():
        MatterNumberCounter.objects.get_or_create(year=year)
        # The UPDATE takes the row lock, so concurrent callers queue here.
        MatterNumberCounter.objects.filter(year=year).update(last=F("last") + count)
        last = MatterNumberCounter.objects.get(year=year).last
    return [f"FS-{year}-{n:06d}" for n in range(last - count + 1, last + 1)]


@transaction.atomic
def matter_open(*, debt: Debt, actor: User | None, owner: User | None = None, stage: str = Stage.INTAKE) -> Matter:
    """Open a matter for a debt, with the next number of the year."""
    now = timezone.now()
    (number,) = matter_number_allocate(year=timezone.localdate(now).year)
    matter = Matter.objects.create(
        number=number,
        debt=debt,
        debtor_name=debt.debtor.name,
        owner=owner,
        stage=stage,
        created_at=now,
        stage_changed_at=now,
    )
    record_event(matter=matter, actor=actor, kind=EventKind.CREATED, new={"number": number, "stage": stage})
    return matter


@transaction.atomic
def matter_transition(*, user: User, matter_id: int, to: str, note: str = "", reason: str = "") -> Matter:
    """Move a matter to another stage if API.md's table allows it.

    Raises ValidationError for an unknown stage or a missing closing reason, and
    StageConflict when the move is not in the table.
    """
    # Access first: a matter the user may not see answers 404 whatever the request says.
    matter = access_matter(user, matter_id, action="move_stage", for_update=True)
    if to not in Stage.values:
        raise ValidationError({"to": _("Unknown stage.")})
    if to not in ALLOWED_MOVES[matter.stage]:
        raise StageConflict(matter, to)
    if to == Stage.CLOSED:
        if not reason:
            raise ValidationError({"reason": _("Closing a matter needs a reason.")})
        if reason not in ClosingReason.values:
            raise ValidationError({"reason": _("Unknown closing reason “%(reason)s”.") % {"reason": reason}})
    elif reason:
        raise ValidationError({"reason": _("A reason is given only when closing a matter.")})
    old = matter.stage
    matter.stage = to
    matter.closing_reason = reason if to == Stage.CLOSED else ""
    matter.stage_changed_at = timezone.now()
    matter.save(update_fields=["stage", "closing_reason", "stage_changed_at"])
    record_event(
        matter=matter,
        actor=user,
        kind=EventKind.STAGE_CHANGED,
        old={"stage": old},
        new={"stage": to, **({"reason": reason} if reason else {})},
        note=note,
    )
    return matter


@transaction.atomic
def matter_assign_firm(*, user: User, matter_id: int, firm_id: int) -> Matter:
    """Instruct a firm on the matter; the previously assigned firm loses access at once."""
    matter = access_matter(user, matter_id, action="assign", for_update=True)
    try:
        firm = LawFirm.objects.get(pk=firm_id)
    except (LawFirm.DoesNotExist, ValueError, TypeError):
        raise ValidationError({"firm": _("No such law firm.")}) from None
    if matter.assigned_firm_id == firm.pk:
        return matter
    previous = _end_current_assignment(matter=matter, user=user)
    Assignment.objects.create(matter=matter, firm=firm, started_by=user)
    matter.assigned_firm = firm
    matter.save(update_fields=["assigned_firm"])
    record_event(
        matter=matter,
        actor=user,
        kind=EventKind.FIRM_ASSIGNED,
        old={"firm": previous.name} if previous else None,
        new={"firm": firm.name, "firm_id": firm.pk},
    )
    return matter


@transaction.atomic
def matter_unassign_firm(*, user: User, matter_id: int) -> Matter:
    """End the current assignment; the firm's lawyers lose access on their next request."""
    matter = access_matter(user, matter_id, action="assign", for_update=True)
    previous = _end_current_assignment(matter=matter, user=user)
    if previous is None:
        return matter
    matter.assigned_firm = None
    matter.save(update_fields=["assigned_firm"])
    record_event(matter=matter, actor=user, kind=EventKind.FIRM_UNASSIGNED, old={"firm": previous.name})
    return matter


def _end_current_assignment(*, matter: Matter, user: User) -> LawFirm | None:
    current = matter.assignments.filter(ended_at__isnull=True).select_related("firm").first()
    if current is None:
        return None
    current.ended_at = timezone.now()
    current.ended_by = user
    current.save(update_fields=["ended_at", "ended_by"])
    return current.firm


@transaction.atomic
def matter_set_owner(*, user: User, matter_id: int, owner_id: int | None) -> Matter:
    """Make an in-house counsel (or administrator) the matter's owner, or clear the owner."""
    matter = access_matter(user, matter_id, action="set_owner", for_update=True)
    owner = None
    if owner_id is not None:
        owner = User.objects.filter(pk=owner_id, is_active=True, role__in=[Role.COUNSEL, Role.ADMIN]).first()
        if owner is None:
            raise ValidationError({"owner": _("The owner must be an active in-house counsel.")})
    if matter.owner_id == (owner.pk if owner else None):
        return matter
    old = matter.owner.username if matter.owner_id else None
    matter.owner = owner
    matter.save(update_fields=["owner"])
    record_event(
        matter=matter,
        actor=user,
        kind=EventKind.OWNER_CHANGED,
        old={"owner": old},
        new={"owner": owner.username if owner else None},
    )
    return matter


@transaction.atomic
def matter_reveal_debtor(*, user: User, matter_id: int, purpose: str = "") -> Matter:
    """Record that the user saw the matter's unmasked personal data, and why; return the matter."""
    matter = access_matter(user, matter_id, action="reveal")
    record_event(matter=matter, actor=user, kind=EventKind.DEBTOR_REVEALED, note=purpose.strip()[:500])
    return matter


def matters_bulk_apply(*, job: Job, report: JobReporter) -> dict:
    """Apply one action to many matters (a job handler); each matter succeeds or fails alone.

    The actor's access is checked again for every matter when the job runs. A job
    resumed after a crash starts at its recorded progress; the one matter that may
    run twice is harmless, since every action here is a no-op when already applied.
    """
    payload = job.payload
    user = User.objects.get(pk=payload["user_id"])
    action = payload["action"]
    ids = payload["matter_ids"]
    errors: list[dict] = list(job.result.get("errors", []))
    for index in range(job.progress_done, len(ids)):
        matter_id = ids[index]
        try:
            _bulk_apply_one(user=user, action=action, matter_id=matter_id, payload=payload)
        except StageConflict as exc:
            errors.append({"matter": matter_id, "error": str(exc)})
        except ValidationError as exc:
            errors.append({"matter": matter_id, "error": "; ".join(exc.messages)})
        except (Http404, PermissionDenied):
            errors.append({"matter": matter_id, "error": _("Not permitted on this matter.")})
        report(done=index + 1, total=len(ids), result={"errors": errors[-200:]})
    return {"total": len(ids), "failed": len(errors), "errors": errors[-200:]}


def _bulk_apply_one(*, user: User, action: str, matter_id: int, payload: dict) -> None:
    if action == "assign_firm":
        matter_assign_firm(user=user, matter_id=matter_id, firm_id=payload["firm_id"])
    elif action == "unassign_firm":
        matter_unassign_firm(user=user, matter_id=matter_id)
    elif action == "set_owner":
        matter_set_owner(user=user, matter_id=matter_id, owner_id=payload["owner_id"])
    elif action == "move_stage":
        if access_matter(user, matter_id).stage != payload["to"]:
            matter_transition(user=user, matter_id=matter_id, to=payload["to"], reason=payload.get("reason", ""))
    else:
        raise ValueError(f"unknown bulk action {action!r}")


# The permission each bulk action needs.
BULK_ACTIONS = {"assign_firm": "assign", "unassign_firm": "assign", "set_owner": "set_owner", "move_stage": "move_stage"}


def matters_bulk_start(*, user: User, action: str, matter_ids: list[int], **params: Any) -> Job:
    """Check the request and start a bulk job over those of the matters the user can see."""
    if action not in BULK_ACTIONS:
        raise ValidationError({"action": _("Unknown bulk action.")})
    if not can(user, BULK_ACTIONS[action]):
        raise PermissionDenied(_("Your role may not take this action."))
    visible = set(visible_matters(user).filter(pk__in=matter_ids).values_list("pk", flat=True))
    if not visible:
        raise ValidationError({"matters": _("Select at least one matter.")})
    if action == "assign_firm" and not LawFirm.objects.filter(pk=params.get("firm_id")).exists():
        raise ValidationError({"firm": _("No such law firm.")})
    if action == "move_stage":
        if params.get("to") not in Stage.values:
            raise ValidationError({"to": _("Unknown stage.")})
        if params["to"] == Stage.CLOSED and params.get("reason") not in ClosingReason.values:
            raise ValidationError({"reason": _("Closing a matter needs a reason.")})
    ordered = [pk for pk in dict.fromkeys(matter_ids) if pk in visible]
    return job_create(
        kind="matters_bulk",
        user=user,
        payload={"user_id": user.pk, "action": action, "matter_ids": ordered, **params},
        total=len(ordered),
    )


# --- Escalation intake (API.md, "Escalations") ---------------------------------------


class EscalationConflict(Exception):
    """A repeat escalation of an account whose debtor identity number differs (answers 409)."""

    def __init__(self, matter: Matter):
        # The message names neither number (API.md: errors never echo identity numbers).
        super().__init__(
            _("Matter %(number)s already holds this account with a different debtor identity number.")
            % {"number": matter.number}
        )
        self.stage = matter.stage


OPTIONAL_DEBT_FIELDS = ("contract_number", "contract_date", "overdue_since", "matured_on", "last_payment_date")
RATE_FIELDS = ("annual_interest_rate", "penalty_rate", "compound_rate", "day_count")


def _amounts_of(debt: Debt) -> dict[str, str]:
    return {"as_of": debt.amounts_as_of.isoformat(), **{name: str(getattr(debt, name)) for name in Debt.AMOUNT_FIELDS}}


def _creditor_get_or_create(data: dict) -> Creditor:
    creditor, _created = Creditor.objects.get_or_create(
        uscc=data["uscc"],
        defaults={
            "name": data["name"],
            "address": data.get("address", ""),
            "representative": data.get("representative", ""),
        },
    )
    return creditor


def _person_get_or_create(data: dict) -> Party:
    # One party per identity number: a person who owes on two cards is one debtor.
    party, _created = Party.objects.get_or_create(
        id_number=data["id_number"],
        defaults={
            "kind": Party.Kind.PERSON,
            "name": data["name"],
            "gender": data.get("gender") or "",
            "birth_date": data.get("birth_date"),
            "phone": data.get("phone", ""),
            "address": data.get("address", ""),
        },
    )
    return party


def _debt_values(data: dict) -> dict[str, Any]:
    amounts, rates = data["amounts"], data.get("rates") or {}
    # Amounts are replaced whole (a missing component is 0); other optional facts are
    # changed only when the request gives them, so a short repeat does not erase them.
    return {
        "product": data["product"],
        "amounts_as_of": amounts["as_of"],
        **{name: amounts.get(name, Decimal("0.00")) for name in Debt.AMOUNT_FIELDS},
        **{name: rates[name] for name in RATE_FIELDS if rates.get(name) is not None},
        **{name: data[name] for name in OPTIONAL_DEBT_FIELDS if name in data},
    }


def escalation_unchanged(*, data: dict) -> bool:
    """Whether ``matter_escalate`` would change nothing for this validated escalation.

    True only for a repeat of a stored account with the same debtor whose amounts,
    dates, rates, original creditor, portfolio, guarantees and demands (by date and
    channel) all equal what is stored; a bulk import counts such a row as unchanged
    and skips it, so importing the same file twice writes nothing the second time.
    """
    debt = (
        Debt.objects.select_related("debtor", "original_creditor", "portfolio")
        .filter(creditor__uscc=data["creditor"]["uscc"], account_number=data["account_number"])
        .first()
    )
    if debt is None or debt.debtor.id_number != data["debtor"]["id_number"]:
        return False
    if any(getattr(debt, name) != value for name, value in _debt_values(data).items()):
        return False
    if "original_creditor" in data:
        wanted = data["original_creditor"]["uscc"] if data["original_creditor"] else None
        if (debt.original_creditor.uscc if debt.original_creditor_id else None) != wanted:
            return False
    if "portfolio" in data and (debt.portfolio.name if debt.portfolio_id else None) != (data["portfolio"] or None):
        return False
    for guarantor in data.get("guarantors") or []:
        if not debt.guarantees.filter(
            guarantor__id_number=guarantor["id_number"],
            guarantee_type=guarantor.get("guarantee_type") or Guarantee.Type.JOINT,
            guarantee_period_ends_on=guarantor.get("guarantee_period_ends_on"),
        ).exists():
            return False
    stored = set(debt.demands.values_list("date", "channel"))
    return all((demand["date"], demand["channel"]) in stored for demand in data.get("demands") or [])


@transaction.atomic
def matter_escalate(*, user: User, data: dict, calendar: HolidayCalendar | None = None) -> tuple[Matter, bool]:
    """Turn an overdue debt into a matter, or update the matter already holding the account.

    ``data`` is an escalation as validated by ``legalcase.api.EscalationSerializer``
    (identity numbers and credit codes checked, dates parsed, amounts as Decimals).
    Idempotent on (creditor's credit code, account number): the first call opens a
    matter (``created`` True); a repeat replaces the amounts and adds demands not yet
    recorded (same date and channel); a repeat naming another debtor raises
    ``EscalationConflict``. Deadlines are recomputed either way; a bulk caller may pass
    the holiday ``calendar`` once instead of having it read for every row.
    """
    require(user, "escalate")
    creditor = _creditor_get_or_create(data["creditor"])
    original_creditor = _creditor_get_or_create(data["original_creditor"]) if data.get("original_creditor") else None
    portfolio = Portfolio.objects.get_or_create(name=data["portfolio"])[0] if data.get("portfolio") else None
    fields = _debt_values(data)
    if "original_creditor" in data:
        fields["original_creditor"] = original_creditor
    if "portfolio" in data:
        fields["portfolio"] = portfolio
    account = Debt.objects.select_for_update().select_related("debtor").filter(
        creditor=creditor, account_number=data["account_number"]
    )
    debt = account.first()
    created = False
    if debt is None:
        debtor = _person_get_or_create(data["debtor"])
        try:
            with transaction.atomic():
                debt = Debt.objects.create(
                    creditor=creditor, debtor=debtor, account_number=data["account_number"], **fields
                )
                matter = matter_open(debt=debt, actor=user)
            created = True
        except IntegrityError:
            # A concurrent escalation of the same account committed first (the unique
            # constraint waited for it): this call is its repeat.
            debt = account.get()
    if not created:
        matter = Matter.objects.select_for_update().get(debt=debt)
        if debt.debtor.id_number != data["debtor"]["id_number"]:
            raise EscalationConflict(matter)
        old = _amounts_of(debt)
        changed = [name for name, value in fields.items() if getattr(debt, name) != value]
        for name in changed:
            setattr(debt, name, fields[name])
        if changed:
            debt.save(update_fields=changed)
    for guarantor in data.get("guarantors") or []:
        party = _person_get_or_create(guarantor)
        Guarantee.objects.update_or_create(
            debt=debt,
            guarantor=party,
            defaults={
                "guarantee_type": guarantor.get("guarantee_type") or Guarantee.Type.JOINT,
                "guarantee_period_ends_on": guarantor.get("guarantee_period_ends_on"),
            },
        )
    added = 0
    for demand in data.get("demands") or []:
        _record, was_added = DemandRecord.objects.get_or_create(
            debt=debt,
            date=demand["date"],
            channel=demand["channel"],
            defaults={"delivered": demand.get("delivered", False), "note": demand.get("note", "")},
        )
        added += was_added
    if not created and (changed or added):
        record_event(
            matter=matter,
            actor=user,
            kind=EventKind.UPDATED,
            old={"amounts": old},
            new={"amounts": _amounts_of(debt), "demands_added": added},
        )
    matter_deadlines_recompute(matter_id=matter.pk, calendar=calendar)
    return matter, created


# --- Deadlines ------------------------------------------------------------------------

GUARANTEE_PERIOD_RULE = "guarantee_period@2021"


@transaction.atomic
def matter_deadlines_recompute(*, matter_id: int, calendar: HolidayCalendar | None = None) -> list[Deadline]:
    """Compute the limitation date and each guarantor's guarantee period; return the current rows.

    Limitation runs from maturity or acceleration when known, else from default, and
    restarts on each delivered demand and on a part payment after the start (民法典
    Arts. 188, 195; LEGAL_RULES section 2). A guarantee period is the agreed one, else 6
    months from the principal debt's due date (民法典 Art. 692). An open deadline whose
    date changed is superseded by a new row; a done or waived one is left as decided.
    """
    matter = Matter.objects.select_related("debt").get(pk=matter_id)
    debt = matter.debt
    if calendar is None:
        calendar = holiday_calendar()
    delivered = debt.demands.filter(delivered=True).values_list("date", flat=True)
    limitation = limitation_computed(debt=debt, delivered_demand_dates=delivered, calendar=calendar)
    _deadline_put(matter=matter, kind=DeadlineKind.LIMITATION, party=None, computed=limitation)
    for guarantee in debt.guarantees.select_related("guarantor").order_by("id"):
        computed = guarantee_period_computed(debt=debt, guarantee=guarantee, calendar=calendar)
        _deadline_put(matter=matter, kind=DeadlineKind.GUARANTEE_PERIOD, party=guarantee.guarantor, computed=computed)
    return list(matter.deadlines.filter(superseded_at__isnull=True).order_by("due_on", "id"))


def limitation_computed(*, debt: Debt, delivered_demand_dates, calendar: HolidayCalendar) -> ComputedDate:
    """The debt's limitation date (pure: no queries), given the dates of its delivered demands."""
    start = debt.matured_on or debt.overdue_since
    events = [LimitationEvent(on=day, kind="demand") for day in delivered_demand_dates]
    if debt.last_payment_date and debt.last_payment_date > start:
        events.append(LimitationEvent(on=debt.last_payment_date, kind="part_payment"))
    return limitation_expiry(start=start, events=events, calendar=calendar)


def guarantee_period_computed(*, debt: Debt, guarantee: Guarantee, calendar: HolidayCalendar) -> ComputedDate:
    """A guarantor's guarantee period (pure): the agreed end, else 6 months from the due date."""
    if guarantee.guarantee_period_ends_on:
        return ComputedDate(
            on=guarantee.guarantee_period_ends_on,
            rule=GUARANTEE_PERIOD_RULE,
            verified_calendar=True,
            computed_from={"agreed": guarantee.guarantee_period_ends_on.isoformat()},
        )
    start = debt.matured_on or debt.overdue_since
    computed = period_end(start, months=6, calendar=calendar, rule=GUARANTEE_PERIOD_RULE)
    computed.computed_from["default"] = "6 months"
    return computed


def _deadline_put(*, matter: Matter, kind: str, party: Party | None, computed: ComputedDate) -> Deadline:
    current = matter.deadlines.filter(kind=kind, party=party, superseded_at__isnull=True).first()
    if current is not None:
        if current.status != DeadlineStatus.OPEN:
            return current
        if (current.due_on, current.rule, current.verified_calendar) == (
            computed.on,
            computed.rule,
            computed.verified_calendar,
        ):
            if current.computed_from != computed.computed_from:
                current.computed_from = computed.computed_from
                current.save(update_fields=["computed_from"])
            return current
        current.superseded_at = timezone.now()
        current.save(update_fields=["superseded_at"])
    return Deadline.objects.create(
        matter=matter,
        kind=kind,
        party=party,
        due_on=computed.on,
        rule=computed.rule,
        verified_calendar=computed.verified_calendar,
        computed_from=computed.computed_from,
    )


@transaction.atomic
def deadline_complete(*, user: User, deadline_id: int, status: str, reason: str = "") -> Deadline:
    """Mark a current deadline done or waived, with the reason; recorded on the matter's timeline.

    A deadline of a matter the user may not see answers 404; completing needs the
    role that moves stages (counsel, the assigned firm's lawyers, administrators).
    """
    try:
        deadline = Deadline.objects.select_for_update().get(pk=int(deadline_id), superseded_at__isnull=True)
    except (Deadline.DoesNotExist, ValueError, TypeError):
        raise Http404("deadline not found") from None
    matter = access_matter(user, deadline.matter_id, action="move_stage")
    if status not in (DeadlineStatus.DONE, DeadlineStatus.WAIVED):
        raise ValidationError({"status": _("Give “done” or “waived”.")})
    if status == DeadlineStatus.WAIVED and not reason.strip():
        raise ValidationError({"reason": _("Waiving a deadline needs a reason.")})
    if deadline.status != DeadlineStatus.OPEN:
        raise ValidationError({"status": _("This deadline is already closed.")})
    deadline.status = status
    deadline.status_reason = reason.strip()
    deadline.save(update_fields=["status", "status_reason"])
    record_event(
        matter=matter,
        actor=user,
        kind=EventKind.DEADLINE_CLOSED,
        old={"deadline": deadline.pk, "kind": deadline.kind, "status": DeadlineStatus.OPEN},
        new={"deadline": deadline.pk, "kind": deadline.kind, "status": status, "due_on": deadline.due_on.isoformat()},
        note=deadline.status_reason,
    )
    return deadline


# --- Forum ----------------------------------------------------------------------------


@transaction.atomic
def matter_set_forum(*, user: User, matter_id: int, forum_id: int | None) -> Matter:
    """Choose the court or arbitration commission that will hear the matter, or clear it.

    Needs the role that records proceedings (counsel, the assigned firm's lawyers,
    administrators). Only an active forum can be chosen; choosing the current one
    again changes nothing and records nothing.
    """
    matter = access_matter(user, matter_id, action="set_forum", for_update=True)
    forum = None
    if forum_id is not None:
        try:
            forum = Forum.objects.get(pk=int(forum_id), active=True)
        except (Forum.DoesNotExist, ValueError, TypeError):
            raise ValidationError({"forum": _("No such court or arbitration commission.")}) from None
    if matter.forum_id == (forum.pk if forum else None):
        return matter
    old = matter.forum
    matter.forum = forum
    matter.save(update_fields=["forum"])
    record_event(
        matter=matter,
        actor=user,
        kind=EventKind.FORUM_SET,
        old={"forum": old.name, "forum_id": old.pk} if old else None,
        new={"forum": forum.name, "forum_id": forum.pk} if forum else None,
    )
    return matter


# --- Proceedings (API.md, "Proceedings and rulings") ----------------------------------


def _case_number_normalised(case_number: str) -> str:
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
) -> Proceeding:
    """Record a proceeding of the matter, whatever its stage; return it.

    Filing suit or arbitration, or applying for a payment order, interrupts limitation
    (民法典 Art. 195): when filed while the period still runs, the matter's open
    limitation deadline is closed as done, with the reason, and a recomputation leaves
    it closed. The stage is not moved: ``Proceeding.proposed_stage`` offers the move.
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
    if filed_on and accepted_on and accepted_on < filed_on:
        raise ValidationError({"accepted_on": _("A case cannot be accepted before it was filed.")})
    proceeding = Proceeding.objects.create(
        matter=matter,
        kind=kind,
        forum=forum,
        case_number=_case_number_normalised(case_number),
        filed_on=filed_on,
        accepted_on=accepted_on,
        judge=judge.strip(),
        clerk=clerk.strip(),
        contact_phone=contact_phone.strip(),
        created_by=user,
    )
    interrupted = _limitation_interrupt(user=user, proceeding=proceeding)
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


def _limitation_interrupt(*, user: User, proceeding: Proceeding) -> bool:
    """Close the open limitation deadline if this filing interrupted a running period."""
    if proceeding.kind not in LIMITATION_INTERRUPTING_KINDS or proceeding.filed_on is None:
        return False
    deadline = (
        Deadline.objects.select_for_update()
        .filter(
            matter=proceeding.matter,
            kind=DeadlineKind.LIMITATION,
            party=None,
            superseded_at__isnull=True,
            status=DeadlineStatus.OPEN,
        )
        .first()
    )
    # A filing after expiry does not revive the claim (LEGAL_RULES section 2).
    if deadline is None or proceeding.filed_on > deadline.due_on:
        return False
    verb = INTERRUPTING_FILING_VERBS.get(proceeding.kind, "起诉")
    deadline.status = DeadlineStatus.DONE
    deadline.status_reason = f"已于{proceeding.filed_on.isoformat()}{verb}，诉讼时效中断"
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


def _proceeding_for(user: User, proceeding_id: int, *, action: str) -> Proceeding:
    """The proceeding, if the user may take ``action`` on its matter (404 when unseen, as matters)."""
    try:
        proceeding = Proceeding.objects.select_for_update().get(pk=int(proceeding_id))
    except (Proceeding.DoesNotExist, ValueError, TypeError):
        raise Http404("proceeding not found") from None
    proceeding.matter = access_matter(user, proceeding.matter_id, action=action)
    return proceeding


@transaction.atomic
def service_record_add(
    *,
    user: User,
    proceeding_id: int,
    method: str,
    served_on: dt.date | None = None,
    published_on: dt.date | None = None,
    party_id: int | None = None,
    note: str = "",
) -> Proceeding:
    """Record service of the proceeding's documents on the debtor or a guarantor; return the proceeding.

    A public notice needs its publication date and is deemed served 30 days later
    (民事诉讼法 Art. 95); every other method needs the day it was served. Without a
    party the service is on the creditor's side.
    """
    proceeding = _proceeding_for(user, proceeding_id, action="write_proceedings")
    if method not in ServiceMethod.values:
        raise ValidationError({"method": _("Unknown method of service.")})
    if method == ServiceMethod.PUBLIC_NOTICE and published_on is None:
        raise ValidationError({"published_on": _("A public notice needs its publication date.")})
    if method != ServiceMethod.PUBLIC_NOTICE and served_on is None:
        raise ValidationError({"served_on": _("Give the day the documents were served.")})
    party = None
    if party_id is not None:
        debt = proceeding.matter.debt
        party = Party.objects.filter(
            Q(pk=debt.debtor_id) | Q(guarantees__debt=debt), pk=_int_or_none(party_id)
        ).first()
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
        },
        note=record.note,
    )
    return proceeding


@transaction.atomic
def hearing_add(
    *, user: User, proceeding_id: int, at: dt.datetime, place: str = "", note: str = ""
) -> Hearing:
    """Schedule a hearing of the proceeding; return it."""
    proceeding = _proceeding_for(user, proceeding_id, action="write_proceedings")
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
# A document no party can appeal takes effect on service (a final judgment or ruling, a
# mediation statement once signed and served) or, for an arbitral award, on the day it
# is made (LEGAL_RULES section 2).
EFFECTIVE_ON_SERVICE_RULE = "ruling.effective_on_service@2023"
AWARD_EFFECTIVE_RULE = "award.effective_on_decision@2017"


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


@transaction.atomic
def ruling_record(
    *, user: User, matter_id: int, text: str, evidence_id: int | None, served_on: dt.date | None = None
) -> Ruling:
    """Read a ruling document's text and record what it says; drives no deadline until confirmed.

    ``served_on`` is the day of the last service when the caller knows it; otherwise the
    last service recorded on the matter's proceeding with the same case number, if any.
    A text the reader does not recognise (a scan without a text layer) gives a ruling
    with every field empty, for a person to fill in at confirmation.
    """
    matter = access_matter(user, matter_id, action="write_proceedings", for_update=True)
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
        reading={name: _json_value(value) for name, value in dataclasses.asdict(reading).items()},
        served_on=served_on,
        created_by=user,
        **facts,
    )
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
        },
    )
    return ruling


@transaction.atomic
def ruling_confirm(*, user: User, ruling_id: int, corrections: dict[str, Any]) -> Ruling:
    """Apply a person's corrections to a ruling, confirm it and compute the deadlines it drives.

    Both the reading and the corrections are kept. The deadlines (appeal, effective day,
    end of performance, application for enforcement) go through ``_deadline_put``, so a
    confirmation that moves a date supersedes the old row. An appealable judgment or
    ruling takes effect the day after the appeal period; a document no party can appeal
    takes effect on service, an arbitral award on the day it is made. A payment order's
    effect depends on an objection period these rules do not cover: none is computed.
    """
    try:
        ruling = Ruling.objects.select_for_update().get(pk=int(ruling_id))
    except (Ruling.DoesNotExist, ValueError, TypeError):
        raise Http404("ruling not found") from None
    matter = access_matter(user, ruling.matter_id, action="write_proceedings", for_update=True)
    ruling.matter = matter
    unknown = set(corrections) - set(RULING_FIELDS)
    if unknown:
        raise ValidationError({name: _("Not a field of a ruling.") for name in sorted(unknown)})
    # A blank text is "not known", as in the reading.
    corrections = {name: None if isinstance(v, str) and not v.strip() else v for name, v in corrections.items()}
    if corrections.get("case_number"):
        corrections["case_number"] = _case_number_normalised(corrections["case_number"]) or None
    if "kind" in corrections and corrections["kind"] not in (None, *Ruling.Kind.values):
        raise ValidationError({"kind": _("Unknown kind of ruling.")})
    was_confirmed = ruling.confirmed
    old = {name: _json_value(getattr(ruling, name)) for name in corrections}
    for name, value in corrections.items():
        setattr(ruling, name, value)
    ruling.corrections = {**ruling.corrections, **{name: _json_value(v) for name, v in corrections.items()}}
    ruling.confirmed = True
    ruling.confirmed_by = user
    ruling.confirmed_at = timezone.now()
    ruling.save()
    computed = _ruling_deadlines(ruling, holiday_calendar())
    deadlines = {kind: _deadline_put(matter=matter, kind=kind, party=None, computed=date) for kind, date in computed}
    if was_confirmed:
        # A correction that takes a date out of the chain (no longer appealable, no
        # service day) must not leave the earlier confirmation's date current.
        now = timezone.now()
        matter.deadlines.filter(
            kind__in=[kind for kind in RULING_DEADLINE_KINDS if kind not in deadlines],
            party=None,
            superseded_at__isnull=True,
            status=DeadlineStatus.OPEN,
        ).update(superseded_at=now)
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


def _ruling_deadlines(ruling: Ruling, calendar: HolidayCalendar) -> list[tuple[str, ComputedDate]]:
    """The chain of dates a confirmed ruling sets (LEGAL_RULES section 2), as far as its facts go."""
    effective = None
    dates: list[tuple[str, ComputedDate]] = []
    if ruling.appealable and ruling.kind in (Ruling.Kind.JUDGMENT, Ruling.Kind.RULING):
        if ruling.served_on is None:
            return []
        appeal = appeal_deadline(served_on=ruling.served_on, kind=ruling.kind, calendar=calendar)
        effective = judgment_effective(appeal_deadline_on=appeal.on)
        dates += [(DeadlineKind.APPEAL, appeal), (DeadlineKind.JUDGMENT_EFFECTIVE, effective)]
    elif ruling.appealable is False and ruling.kind == Ruling.Kind.ARBITRAL_AWARD:
        if ruling.decided_on is None:
            return []
        effective = ComputedDate(
            on=ruling.decided_on,
            rule=AWARD_EFFECTIVE_RULE,
            verified_calendar=True,
            computed_from={"decided_on": ruling.decided_on.isoformat(), "kind": ruling.kind},
        )
        dates.append((DeadlineKind.JUDGMENT_EFFECTIVE, effective))
    elif ruling.appealable is False and ruling.kind in (
        Ruling.Kind.JUDGMENT,
        Ruling.Kind.RULING,
        Ruling.Kind.MEDIATION,
    ):
        if ruling.served_on is None:
            return []
        effective = ComputedDate(
            on=ruling.served_on,
            rule=EFFECTIVE_ON_SERVICE_RULE,
            verified_calendar=True,
            computed_from={"served_on": ruling.served_on.isoformat(), "kind": ruling.kind},
        )
        dates.append((DeadlineKind.JUDGMENT_EFFECTIVE, effective))
    if effective is None or ruling.performance_days is None:
        return dates
    if ruling.performance_days > 0:
        performance = performance_end(effective_on=effective.on, days=ruling.performance_days, calendar=calendar)
        dates.append((DeadlineKind.PERFORMANCE_END, performance))
        start = performance.on
    else:
        # No period set: the two years run from the day the instrument takes effect (Art. 250).
        start = effective.on
    dates.append(
        (DeadlineKind.ENFORCEMENT_APPLICATION, enforcement_application_deadline(performance_end_on=start, calendar=calendar))
    )
    return dates
