"""Assets and enforcement actions (API.md, "Enforcement, recoveries and costs").

The dates an action carries are the court's or the rules' (LEGAL_RULES sections 2 and
3, through ``legalcase.periods``); the deadlines they drive are made by the deadline
engine, which each service here asks to recompute the matter.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from legalcase.access import access_child, access_matter, visible_matters
from legalcase.dates import must_be_past
from legalcase.events import record_event
from legalcase.models import (
    LAPSING_KINDS,
    Asset,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    EnforcementAction,
    EventKind,
    Matter,
    Party,
    User,
    holiday_calendar,
)
from legalcase.periods import (
    dishonest_listing_end,
    freeze_expiry,
    freeze_renewal_due,
    termination_follow_ups,
)
from legalcase.services.deadlines import matter_deadlines_recompute
from legalcase.services.proceedings import case_number_normalised

Kind = EnforcementAction.Kind
Status = EnforcementAction.Status

# The measures on a thing that can be seized twice over, and so have a rank (首封 / 轮候).
RANKED_KINDS = frozenset(
    {Kind.FREEZE_DEPOSIT, Kind.SEIZE_MOVABLE, Kind.SEIZE_REAL_ESTATE, Kind.FREEZE_EQUITY, Kind.FREEZE_RECEIVABLE}
)
# The measures with an end the court states (失信 also has one by rule).
ENDING_KINDS = frozenset({Kind.DISHONEST_LISTING, Kind.CONSUMPTION_RESTRICTION, Kind.EXIT_RESTRICTION})
# What an action in force may become by hand; "renewed" comes only from a renewal.
SETTABLE_STATUSES = (Status.LIFTED, Status.EXPIRED, Status.DONE)
# A run of digits this long in a description is an account or certificate number, which
# belongs in the identifier, where it is masked.
LONG_NUMBER = re.compile(r"\d{12,}")


class EnforcementConflict(Exception):
    """An action that is not in force cannot be renewed or closed again (API.md's 409)."""

    def __init__(self, message: str, *, matter: Matter):
        super().__init__(message)
        self.stage = matter.stage


def _iso(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


# --- Assets ---------------------------------------------------------------------------


def _owner_of(matter: Matter, owner_id: Any) -> Party:
    debt = matter.debt
    try:
        owner_id = int(owner_id)
    except (TypeError, ValueError):
        owner_id = None
    owner = (
        Party.objects.filter(Q(pk=debt.debtor_id) | Q(guarantees__debt=debt), pk=owner_id).distinct().first()
        if owner_id is not None
        else None
    )
    if owner is None:
        raise ValidationError({"owner": _("Not the debtor or a guarantor of this matter.")})
    return owner


@transaction.atomic
def asset_record(
    *,
    user: User,
    matter_id: int,
    owner_id: int,
    kind: str,
    description: str,
    identifier: str = "",
    estimated_value: Decimal | None = None,
    source: str,
    found_on: dt.date,
    note: str = "",
) -> Asset:
    """Record an asset of the matter's debtor or of one of its guarantors, and where the lead came from.

    The identifier (account, certificate or plate number) is kept whole for the court
    filings and shown masked everywhere else, the timeline included.
    """
    matter = access_matter(user, matter_id, action="write_enforcement", for_update=True)
    must_be_past("found_on", found_on)
    return _asset_create(
        user=user,
        matter=matter,
        owner=_owner_of(matter, owner_id),
        kind=kind,
        description=description,
        identifier=identifier,
        estimated_value=estimated_value,
        source=source,
        found_on=found_on,
        note=note,
    )


def _asset_create(*, user: User, matter: Matter, owner: Party, **fields: Any) -> Asset:
    errors = {}
    if fields["kind"] not in Asset.Kind.values:
        errors["kind"] = _("Unknown kind of asset.")
    if fields["source"] not in Asset.Source.values:
        errors["source"] = _("Unknown source of the lead.")
    description = (fields["description"] or "").strip()
    if not description:
        errors["description"] = _("Describe the asset, e.g. 招商银行 尾号1234.")
    elif LONG_NUMBER.search(description):
        errors["description"] = _("Put the account or certificate number in the identifier, where it is masked.")
    if fields["found_on"] is None:
        errors["found_on"] = _("Give the day the lead was found.")
    if fields["estimated_value"] is not None and fields["estimated_value"] < 0:
        errors["estimated_value"] = _("A value cannot be negative.")
    if errors:
        raise ValidationError(errors)
    asset = Asset.objects.create(
        matter=matter,
        owner=owner,
        kind=fields["kind"],
        description=description,
        identifier=re.sub(r"\s", "", fields["identifier"] or ""),
        estimated_value=fields["estimated_value"],
        source=fields["source"],
        found_on=fields["found_on"],
        note=(fields["note"] or "").strip(),
        created_by=user,
    )
    record_event(
        matter=matter,
        actor=user,
        kind=EventKind.ASSET_RECORDED,
        new={
            "asset": asset.pk,
            "owner": owner.name,
            "kind": asset.kind,
            "description": asset.description,
            "identifier": asset.masked_identifier,
            "estimated_value": _iso(asset.estimated_value),
            "source": asset.source,
            "found_on": _iso(asset.found_on),
        },
        note=asset.note,
    )
    return asset


# --- Enforcement actions --------------------------------------------------------------


def _lapsing_dates(*, kind: str, started_on: dt.date, expires_on: dt.date | None) -> dict[str, Any]:
    """``expires_on``, ``expiry_stated`` and ``renewal_due_on`` of an action (LEGAL_RULES section 3)."""
    if kind not in LAPSING_KINDS:
        if expires_on is not None:
            raise ValidationError({"expires_on": _("Only a freeze or seizure lapses; this kind has no expiry.")})
        return {"expires_on": None, "expiry_stated": False, "renewal_due_on": None}
    if expires_on is not None and expires_on < started_on:
        raise ValidationError({"expires_on": _("The court's expiry cannot be before the start.")})
    expiry = freeze_expiry(started_on=started_on, property_kind=LAPSING_KINDS[kind], stated_expiry=expires_on)
    due = freeze_renewal_due(expires_on=expiry.on, calendar=holiday_calendar())
    return {"expires_on": expiry.on, "expiry_stated": expires_on is not None, "renewal_due_on": due.on}


def _action_event(action: EnforcementAction) -> dict[str, Any]:
    return {
        "action": action.pk,
        "kind": action.kind,
        "court": action.court,
        "case_number": action.case_number,
        "started_on": _iso(action.started_on),
        "expires_on": _iso(action.expires_on),
        "expiry_stated": action.expiry_stated,
        "renewal_due_on": _iso(action.renewal_due_on),
        "ends_on": _iso(action.ends_on),
        "asset": action.asset_id,
        "amount": _iso(action.amount),
    }


@transaction.atomic
def enforcement_action_record(
    *,
    user: User,
    matter_id: int,
    kind: str,
    court: str = "",
    case_number: str = "",
    started_on: dt.date,
    expires_on: dt.date | None = None,
    amount: Decimal | None = None,
    asset_id: int | None = None,
    new_asset: dict[str, Any] | None = None,
    rank: str = "",
    listing_ground: int | None = None,
    ends_on: dt.date | None = None,
    note: str = "",
) -> EnforcementAction:
    """Record a court's enforcement measure on the matter; return it.

    A freeze or seizure expires on the court's stated date when given, else on the day
    before the start plus 1, 2 or 3 years by property type (民诉法解释 Art. 485), and its
    renewal is due 7 days before, earlier on a rest day; other kinds have neither. A
    失信 listing needs its ground (1-6) and ends 2 years later for grounds 2-6 unless the
    court says otherwise; ground 1 has no end. ``new_asset`` (kind, description and
    optionally identifier, estimated_value, source, found_on, owner_id) records the
    asset with the action, for the debtor unless told. Recording a resumption (恢复执行)
    closes the matter's 终本 actions in force as done.
    """
    matter = access_matter(user, matter_id, action="write_enforcement", for_update=True)
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Unknown kind of enforcement action.")})
    if started_on is None:
        raise ValidationError({"started_on": _("Give the day the measure took effect.")})
    must_be_past("started_on", started_on)
    if asset_id is not None and new_asset is not None:
        raise ValidationError({"asset": _("Give an existing asset or a new one, not both.")})
    dates = _lapsing_dates(kind=kind, started_on=started_on, expires_on=expires_on)
    errors = {}
    if rank and kind not in RANKED_KINDS:
        errors["rank"] = _("Only a freeze or seizure has a rank.")
    elif rank and rank not in EnforcementAction.Rank.values:
        errors["rank"] = _("Unknown rank.")
    if amount is not None and amount < 0:
        errors["amount"] = _("An amount cannot be negative.")
    if kind == Kind.DISHONEST_LISTING:
        if listing_ground not in range(1, 7):
            errors["listing_ground"] = _("Give the ground of the listing, 1 to 6.")
    elif listing_ground is not None:
        errors["listing_ground"] = _("Only a dishonest-debtor listing has a ground.")
    if ends_on is not None and kind not in ENDING_KINDS:
        errors["ends_on"] = _("Only a listing or a restriction has an end date.")
    elif ends_on is not None and ends_on < started_on:
        errors["ends_on"] = _("The end cannot be before the start.")
    if errors:
        raise ValidationError(errors)
    if kind == Kind.DISHONEST_LISTING and ends_on is None:
        end = dishonest_listing_end(listed_on=started_on, ground=listing_ground)
        ends_on = end.on if end else None
    case_number = case_number_normalised(case_number)
    asset = None
    if asset_id is not None:
        asset = matter.assets.filter(pk=_int_or_none(asset_id)).first()
        if asset is None:
            raise ValidationError({"asset_id": _("Not an asset of this matter.")})
    elif new_asset is not None:
        asset = _inline_asset(user=user, matter=matter, started_on=started_on, fields=new_asset)
    action = EnforcementAction.objects.create(
        matter=matter,
        asset=asset,
        kind=kind,
        court=(court or "").strip(),
        case_number=case_number,
        started_on=started_on,
        rank=rank or "",
        amount=amount,
        listing_ground=listing_ground,
        ends_on=ends_on,
        note=(note or "").strip(),
        created_by=user,
        **dates,
    )
    record_event(
        matter=matter, actor=user, kind=EventKind.ENFORCEMENT_RECORDED, new=_action_event(action), note=action.note
    )
    if kind == Kind.RESUMPTION:
        for terminated in matter.enforcement_actions.select_for_update().filter(
            kind=Kind.TERMINATION_CURRENT, status=Status.ACTIVE, started_on__lte=started_on
        ):
            _status_set(user=user, action=terminated, status=Status.DONE, note=_("Enforcement resumed."))
    matter_deadlines_recompute(matter_id=matter.pk)
    return action


def _inline_asset(*, user: User, matter: Matter, started_on: dt.date, fields: dict[str, Any]) -> Asset:
    """The asset given with the action; its errors are the request's ``asset`` errors."""
    try:
        owner = _owner_of(matter, fields.get("owner_id") or matter.debt.debtor_id)
        return _asset_create(
            user=user,
            matter=matter,
            owner=owner,
            kind=fields.get("kind", ""),
            description=fields.get("description", ""),
            identifier=fields.get("identifier") or "",
            estimated_value=fields.get("estimated_value"),
            source=fields.get("source") or Asset.Source.COURT_SEARCH,
            found_on=fields.get("found_on") or started_on,
            note=fields.get("note") or "",
        )
    except ValidationError as exc:
        raise ValidationError({"asset": exc.messages}) from None


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@transaction.atomic
def enforcement_action_renew(
    *, user: User, action_id: int, started_on: dt.date, expires_on: dt.date | None = None, note: str = ""
) -> EnforcementAction:
    """Renew a freeze or seizure (续封、续冻): a new action continuing it; return the new one.

    The renewal keeps the kind, asset, court, case number, rank and amount, and runs
    from ``started_on`` to the court's date or the default by property type. Only the
    latest action of a chain, still in force, can be renewed: renewing one already
    renewed, lifted or expired is a conflict (409), so a chain never forks.
    """
    old = access_child(user, EnforcementAction, action_id, action="write_enforcement", for_update=True)
    if old.kind not in LAPSING_KINDS:
        raise ValidationError({"kind": _("Only a freeze or seizure is renewed.")})
    if old.status != Status.ACTIVE:
        if old.status == Status.RENEWED:
            message = _("This measure has already been renewed; renew the latest one of its chain.")
        else:
            message = _("This measure is no longer in force (%(status)s).") % {"status": old.get_status_display()}
        raise EnforcementConflict(message, matter=old.matter)
    if started_on is None:
        raise ValidationError({"started_on": _("Give the day the renewal took effect.")})
    if started_on <= old.started_on:
        raise ValidationError({"started_on": _("A renewal starts after the measure it renews.")})
    # The court renews before the measure lapses, and the renewal's period often runs from
    # the day after: that day may still be ahead. Any later start is a typo.
    latest = old.expires_on + dt.timedelta(days=1) if old.expires_on else None
    if latest is not None and latest > timezone.localdate():
        if started_on > latest:
            raise ValidationError(
                {
                    "started_on": _(
                        "A renewal starts at the latest the day after the measure it renews expires (%(day)s)."
                    )
                    % {"day": latest.isoformat()}
                }
            )
    else:
        must_be_past("started_on", started_on)
    dates = _lapsing_dates(kind=old.kind, started_on=started_on, expires_on=expires_on)
    renewal = EnforcementAction.objects.create(
        matter=old.matter,
        asset=old.asset,
        kind=old.kind,
        court=old.court,
        case_number=old.case_number,
        started_on=started_on,
        rank=old.rank,
        amount=old.amount,
        renews=old,
        note=(note or "").strip(),
        created_by=user,
        **dates,
    )
    old.status = Status.RENEWED
    old.save(update_fields=["status"])
    record_event(
        matter=old.matter,
        actor=user,
        kind=EventKind.ENFORCEMENT_RENEWED,
        old={"action": old.pk, "expires_on": _iso(old.expires_on), "status": Status.ACTIVE},
        new={**_action_event(renewal), "renews": old.pk},
        note=renewal.note,
    )
    matter_deadlines_recompute(matter_id=old.matter_id)
    return renewal


@transaction.atomic
def enforcement_action_set_status(*, user: User, action_id: int, status: str, note: str = "") -> EnforcementAction:
    """Close an action in force as lifted (解除), expired or done; return it.

    Only an action in force changes; one already closed or renewed is a conflict (409).
    Its open deadlines are dropped by the recomputation.
    """
    action = access_child(user, EnforcementAction, action_id, action="write_enforcement", for_update=True)
    if status not in SETTABLE_STATUSES:
        raise ValidationError({"status": _("Choose lifted, expired or done.")})
    if action.status != Status.ACTIVE:
        raise EnforcementConflict(
            _("This measure is no longer in force (%(status)s).") % {"status": action.get_status_display()},
            matter=action.matter,
        )
    _status_set(user=user, action=action, status=status, note=(note or "").strip())
    matter_deadlines_recompute(matter_id=action.matter_id)
    return action


def _status_set(*, user: User, action: EnforcementAction, status: str, note: str) -> None:
    old = action.status
    action.status = status
    action.save(update_fields=["status"])
    record_event(
        matter=action.matter,
        actor=user,
        kind=EventKind.ENFORCEMENT_STATUS_CHANGED,
        old={"action": action.pk, "kind": action.kind, "status": old},
        new={"action": action.pk, "kind": action.kind, "status": status},
        note=note,
    )


# --- Selectors ------------------------------------------------------------------------


def lapsing_actions(
    user: User, *, within_days: int, today: dt.date | None = None, kind: str = ""
) -> QuerySet[EnforcementAction]:
    """Freezes and seizures in force on the user's visible matters expiring within ``within_days``, soonest first.

    Those whose expiry has already passed while still marked in force come first: the
    measure has lapsed unless the court renewed it, and someone must say which.
    """
    today = today or timezone.localdate()
    kinds = [kind] if kind in LAPSING_KINDS else list(LAPSING_KINDS)
    return (
        EnforcementAction.objects.filter(
            matter__in=visible_matters(user),
            status=Status.ACTIVE,
            kind__in=kinds,
            expires_on__lte=today + dt.timedelta(days=within_days),
        )
        .select_related("matter", "asset")
        .order_by("expires_on", "id")
    )


@dataclasses.dataclass
class TerminatedMatter:
    """A matter whose enforcement was terminated for now (终本), with its six-monthly checks."""

    matter: Matter
    action: EnforcementAction
    terminated_on: dt.date
    checks: list[dt.date]
    checks_past: int
    next_check: dt.date | None


def terminated_matters(user: User, *, today: dt.date | None = None) -> list[TerminatedMatter]:
    """The visible matters with a 终本 in force, the longest-terminated first.

    The ten re-checks (every 6 months for 5 years, 终本规定 Art. 9) come from the
    action's deadlines when the engine has made them, else from the rule; a check
    already marked done is not the next one.
    """
    today = today or timezone.localdate()
    actions = (
        EnforcementAction.objects.filter(
            matter__in=visible_matters(user), kind=Kind.TERMINATION_CURRENT, status=Status.ACTIVE
        )
        .select_related("matter")
        .order_by("matter_id", "-started_on", "-id")
    )
    latest: dict[int, EnforcementAction] = {}
    for action in actions:
        latest.setdefault(action.matter_id, action)
    rows = []
    calendar = None
    follow_ups: dict[int, list] = {}
    if latest:
        for deadline in Deadline.objects.filter(
            enforcement_action_id__in=[a.pk for a in latest.values()],
            kind=DeadlineKind.TERMINATION_FOLLOW_UP,
            superseded_at__isnull=True,
        ).order_by("sequence", "due_on"):
            follow_ups.setdefault(deadline.enforcement_action_id, []).append(deadline)
    for action in latest.values():
        deadlines = follow_ups.get(action.pk)
        if deadlines:
            checks = [d.due_on for d in deadlines]
            upcoming = [d.due_on for d in deadlines if d.due_on >= today and d.status == DeadlineStatus.OPEN]
        else:
            calendar = calendar or holiday_calendar()
            checks = [c.on for c in termination_follow_ups(terminated_on=action.started_on, calendar=calendar)]
            upcoming = [on for on in checks if on >= today]
        rows.append(
            TerminatedMatter(
                matter=action.matter,
                action=action,
                terminated_on=action.started_on,
                checks=checks,
                checks_past=sum(1 for on in checks if on < today),
                next_check=min(upcoming) if upcoming else None,
            )
        )
    rows.sort(key=lambda row: (row.terminated_on, row.matter.number))
    return rows
