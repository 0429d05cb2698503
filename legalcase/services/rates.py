"""The LPR table's writes (LEGAL_RULES Part 2, B.5; API.md "Interest calculator"): add, correct, remove a fixing.

Administrators only; each change is written to the audit log (``record_audit``) with the
old and new rates, since every LPR computation after it reads the table.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from legalcase.access import require
from legalcase.calculators import LPR_FIRST_DAY
from legalcase.events import record_audit
from legalcase.models import AuditAction, LprRate, User, holiday_calendar
from legalcase.money import RATE, percent_text
from legalcase.periods import lpr_publication_day

RATE_PLACES = Decimal(1).scaleb(-RATE["decimal_places"])


def _rate(value, field: str) -> Decimal:
    # A fraction, as every rate Fasu takes: 3.10 % is 0.031. "3.10" is refused with that hint,
    # not read as 310 % a year.
    try:
        rate = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Give the rate as a number.")}) from None
    if not rate.is_finite() or rate <= 0:
        raise ValidationError({field: _("The rate must be more than zero.")})
    if rate >= 1:
        raise ValidationError(
            {field: _("Give the rate as a fraction of one: 3.10%% a year is 0.031, not %(value)s.") % {"value": value}}
        )
    if rate != rate.quantize(RATE_PLACES):
        raise ValidationError({field: _("At most six decimal places.")})
    return rate.quantize(RATE_PLACES)


def _publication_checked(effective_from: dt.date) -> None:
    """Refuse a date that is not an LPR publication day (B.5: "reject any row whose date is not one")."""
    if effective_from < LPR_FIRST_DAY:
        raise ValidationError({"effective_from": _("The LPR is published from 2019-08-20.")})
    if effective_from > timezone.localdate():
        raise ValidationError({"effective_from": _("A fixing cannot be published in the future.")})
    expected, verified = lpr_publication_day(effective_from.year, effective_from.month, holiday_calendar())
    # Without the year's holiday schedule a holiday is not known: any weekday from the
    # 20th up to the next known publication day may be right, and is taken.
    if effective_from == expected or (not verified and effective_from > expected and effective_from.weekday() < 5):
        return
    raise ValidationError(
        {
            "effective_from": _(
                "%(date)s is not an LPR publication day: the month's LPR was published on %(expected)s "
                "(the 20th, or the next working weekday)."
            )
            % {"date": effective_from.isoformat(), "expected": expected.isoformat()}
        }
    )


def _fixing_json(row: LprRate | None) -> dict | None:
    if row is None:
        return None
    return {"effective_from": row.effective_from.isoformat(), "lpr_1y": str(row.lpr_1y), "lpr_5y": str(row.lpr_5y)}


def _target(row: LprRate) -> str:
    return f"LPR {row.effective_from.isoformat()} {percent_text(row.lpr_1y)} / {percent_text(row.lpr_5y)}"


@transaction.atomic
def lpr_rate_add(*, user: User, effective_from: dt.date, lpr_1y, lpr_5y) -> LprRate:
    """Add a published fixing; a date already in the table, or one that is not a publication day, is refused.

    Nothing is stored on a refusal. The audit entry names the fixing and its rates.
    """
    require(user, "write_lpr")
    lpr_1y, lpr_5y = _rate(lpr_1y, "lpr_1y"), _rate(lpr_5y, "lpr_5y")
    if LprRate.objects.filter(effective_from=effective_from).exists():
        raise ValidationError(
            {"effective_from": _("The fixing of %(date)s is already in the table.") % {"date": effective_from.isoformat()}}
        )
    _publication_checked(effective_from)
    try:
        with transaction.atomic():
            row = LprRate.objects.create(effective_from=effective_from, lpr_1y=lpr_1y, lpr_5y=lpr_5y, created_by=user)
    except IntegrityError:
        # Another administrator added the same day between the check and the insert.
        raise ValidationError(
            {"effective_from": _("The fixing of %(date)s is already in the table.") % {"date": effective_from.isoformat()}}
        ) from None
    record_audit(actor=user, action=AuditAction.LPR_CHANGED, target=_target(row), detail={"old": None, "new": _fixing_json(row)})
    return row


@transaction.atomic
def lpr_rate_change(*, user: User, lpr_id: int, lpr_1y, lpr_5y) -> LprRate:
    """Correct a fixing's rates (its date stays: a wrong date is removed and added again), audited."""
    require(user, "write_lpr")
    row = LprRate.objects.select_for_update().get(pk=lpr_id)
    old = _fixing_json(row)
    row.lpr_1y, row.lpr_5y = _rate(lpr_1y, "lpr_1y"), _rate(lpr_5y, "lpr_5y")
    row.save(update_fields=["lpr_1y", "lpr_5y"])
    record_audit(actor=user, action=AuditAction.LPR_CHANGED, target=_target(row), detail={"old": old, "new": _fixing_json(row)})
    return row


@transaction.atomic
def lpr_rate_remove(*, user: User, lpr_id: int) -> None:
    """Remove a fixing entered by mistake, audited with what it held."""
    require(user, "write_lpr")
    row = LprRate.objects.select_for_update().get(pk=lpr_id)
    old = _fixing_json(row)
    target = _target(row)
    row.delete()
    record_audit(actor=user, action=AuditAction.LPR_CHANGED, target=target, detail={"old": old, "new": None})
