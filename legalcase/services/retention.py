"""Retention of personal data after a matter closes (LEGAL_RULES Part 2 B.9), and the legal hold.

A matter closed more than ``settings.RETENTION_DAYS`` ago (``retention.matter_file@2025``,
a proposal marked (U): 1096 days, never shorter than three calendar years) has its
personal data anonymised by the daily schedule (``retention_run``), unless counsel put it
under a legal hold (``retention.legal_hold``, with reason, approver and date); lifting
the hold restarts the clock. Anonymised means replaced so that nobody can be identified
and nothing can be restored (PIPL Arts. 4, 47, 73(4)): names, identity numbers, phones,
addresses, birth dates, account and contract numbers, asset identifiers and the notes
that may hold them. The figures (amounts, recoveries, costs), the dates, the stages and
outcomes stay, so the statistics and the scorecards keep them. A party named by another
matter that is not anonymised yet keeps its data until that matter's turn.

The timeline keeps an ``anonymised`` entry per matter, and its earlier entries, which
hold masked values only (B.9: processing records are kept at least 3 years).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from legalcase.access import access_matter
from legalcase.events import record_event
from legalcase.models import (
    Asset,
    Complaint,
    Contact,
    DebtorReview,
    Debt,
    DemandRecord,
    EventKind,
    Guarantee,
    LegalHold,
    Matter,
    Party,
    PartyPhone,
    SearchKey,
    ServiceRecord,
    Settlement,
    Stage,
    User,
)

RETENTION_RULE = "retention.matter_file@2025"
ANONYMISED = "（已匿名化）"
RETENTION_BATCH = 200


@transaction.atomic
def matter_legal_hold_set(*, user: User, matter_id: int, reason: str) -> Matter:
    """Suspend the anonymisation of the matter's personal data (B.9 ``retention.legal_hold``).

    The reason (the litigation, complaint, inquiry or preservation request pending or
    expected) is required; the approver and date are the user and now.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the matter's data must be kept: the litigation, complaint, inquiry or request pending or expected.")})
    if len(reason) > 500:
        raise ValidationError({"reason": _("Keep the reason under 500 characters.")})
    matter = access_matter(user, matter_id, action="set_legal_hold", for_update=True)
    if matter.anonymised_at is not None:
        raise ValidationError({"reason": _("This matter's personal data was already anonymised: there is nothing left to hold.")})
    if matter.legal_hold is not None:
        raise ValidationError({"reason": _("This matter is already under a legal hold.")})
    matter.legal_hold = LegalHold.objects.create(matter=matter, reason=reason, set_by=user)
    record_event(
        matter=matter, actor=user, kind=EventKind.LEGAL_HOLD_SET, new={"legal_hold_reason": reason}, note=reason
    )
    return matter


@transaction.atomic
def matter_legal_hold_lift(*, user: User, matter_id: int, reason: str = "") -> Matter:
    """End the matter's legal hold; the retention period then runs again from now (B.9)."""
    matter = access_matter(user, matter_id, action="set_legal_hold", for_update=True)
    hold = matter.legal_hold
    if hold is None:
        raise ValidationError({"reason": _("This matter is not under a legal hold.")})
    reason = (reason or "").strip()
    if len(reason) > 500:
        raise ValidationError({"reason": _("Keep the reason under 500 characters.")})
    hold.lifted_at, hold.lifted_by, hold.lift_reason = timezone.now(), user, reason
    hold.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    matter.legal_hold = None
    record_event(
        matter=matter, actor=user, kind=EventKind.LEGAL_HOLD_LIFTED, old={"legal_hold_reason": hold.reason}, note=reason
    )
    return matter


def retention_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) - dt.timedelta(days=settings.RETENTION_DAYS)


def matters_due(now: dt.datetime | None = None) -> QuerySet[Matter]:
    """Closed longer than the period (from closure or the last lifted hold), not held, not yet anonymised."""
    cutoff = retention_cutoff(now)
    held = LegalHold.objects.filter(Q(lifted_at__isnull=True) | Q(lifted_at__gt=cutoff)).values("matter_id")
    return Matter.objects.filter(stage=Stage.CLOSED, anonymised_at__isnull=True, stage_changed_at__lte=cutoff).exclude(
        pk__in=held
    )


def _party_anonymise(party: Party) -> None:
    if party.kind == Party.Kind.PERSON:
        party.name = ANONYMISED
        # Unique and never a real number: the party's own id, which says nothing of the person.
        party.id_number = f"ANON{party.pk}"
        party.gender = ""
        party.birth_date = None
    party.representative = ""
    for name in ("phone", "address", "ethnicity", "workplace", "position", "habitual_residence", "service_address"):
        setattr(party, name, "")
    party.save(
        update_fields=[
            "name", "id_number", "gender", "birth_date", "representative", "phone", "address", "ethnicity",
            "workplace", "position", "habitual_residence", "service_address",
        ]
    )
    PartyPhone.objects.filter(party=party).delete()
    SearchKey.objects.filter(party=party).delete()
    Guarantee.objects.filter(guarantor=party).update(guarantor_name=party.name)


@transaction.atomic
def matter_anonymise(*, matter_id: int, now: dt.datetime | None = None) -> dict | None:
    """Anonymise one matter's personal data if it is still due (rechecked under its row lock)."""
    matter = matters_due(now).select_for_update().filter(pk=matter_id).first()
    if matter is None:
        return None
    debt = Debt.objects.select_for_update().get(pk=matter.debt_id)
    party_ids = {debt.debtor_id, *debt.guarantees.values_list("guarantor_id", flat=True)}
    anonymised, kept = 0, 0
    for party in Party.objects.select_for_update().filter(pk__in=party_ids).order_by("pk"):
        others = (
            Matter.objects.filter(Q(debt__debtor_id=party.pk) | Q(debt__guarantees__guarantor_id=party.pk))
            .exclude(pk=matter.pk)
            .filter(anonymised_at__isnull=True)
        )
        if others.exists():
            kept += 1
            continue
        _party_anonymise(party)
        anonymised += 1
    debt.account_number = f"ANON{debt.pk}"
    debt.contract_number = ""
    debt.save(update_fields=["account_number", "contract_number"])
    DemandRecord.objects.filter(debt=debt).exclude(note="").update(note="")
    Asset.objects.filter(matter=matter).update(identifier="", note="", description=ANONYMISED)
    ServiceRecord.objects.filter(proceeding__matter=matter).exclude(note="").update(note="")
    Settlement.objects.filter(matter=matter).exclude(hardship="").update(hardship="")
    DebtorReview.objects.filter(matter=matter).update(employment="", assets_known="", willingness_facts="")
    # The collection log keeps its dates, channels and outcomes (the desk's figures) but not
    # the numbers used, the notes, nor the names of third parties reached while tracing.
    Contact.objects.filter(matter=matter).update(
        contact_point="", contact_point_digest="", note="", override_reason="",
        third_party_name=Case(When(third_party_name="", then=Value("")), default=Value(ANONYMISED)),
    )
    Complaint.objects.filter(matter=matter).update(summary=ANONYMISED, resolution="")
    matter.debtor_name = ANONYMISED
    matter.anonymised_at = now or timezone.now()
    matter.save(update_fields=["debtor_name", "anonymised_at"])
    summary = {"rule": RETENTION_RULE, "retention_days": settings.RETENTION_DAYS, "parties": anonymised, "parties_kept": kept}
    record_event(matter=matter, actor=None, kind=EventKind.ANONYMISED, new=summary)
    return summary


def retention_run(
    *, dry_run: bool = False, now: dt.datetime | None = None, report: Callable | None = None
) -> dict:
    """Anonymise every matter due (the daily schedule, ``manage.py retention_run``); a transaction per matter.

    ``dry_run`` only lists them. Returns the counts and, for a dry run, the matter numbers.
    """
    due = matters_due(now).order_by("pk")
    ids = list(due.values_list("pk", flat=True))
    if dry_run:
        return {"due": len(ids), "matters": list(due.values_list("number", flat=True)), "retention_days": settings.RETENTION_DAYS}
    done = parties = kept = 0
    for n, matter_id in enumerate(ids, start=1):
        summary = matter_anonymise(matter_id=matter_id, now=now)
        if summary is not None:
            done += 1
            parties += summary["parties"]
            kept += summary["parties_kept"]
        if report and n % RETENTION_BATCH == 0:
            report(done=n, total=len(ids))
    return {"due": len(ids), "anonymised": done, "parties": parties, "parties_kept": kept, "retention_days": settings.RETENTION_DAYS}


def retention_daily(report=None) -> dict:
    """The schedule's entry (``legalcase.schedule``)."""
    return retention_run(report=report)
