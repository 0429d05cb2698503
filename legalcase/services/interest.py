"""The interest calculator and the LPR table it reads (API.md "Interest calculator", LEGAL_RULES 5, B.5, B.6).

``interest_computed`` is what the API and the calculators page both call: it checks the
request as a whole (each refusal names its field, as API.md's 400s do), reads the LPR
table and hands the figures to ``calculators``. The table's writes are administrators'
alone; each change is written to the audit log (``record_audit``) with the old and new
rates, since every LPR computation after it reads the table.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from legalcase.access import require
from legalcase.calculators import (
    DAY_COUNTS,
    LPR_BASES,
    LPR_FIRST_DAY,
    InterestResult,
    LprUnavailable,
    delay_interest_computed,
    simple_interest,
)
from legalcase.events import record_audit
from legalcase.models import AuditAction, LprRate, User, holiday_calendar
from legalcase.money import RATE, percent_text
from legalcase.periods import lpr_publication_day

RATE_PLACES = Decimal(1).scaleb(-RATE["decimal_places"])
KINDS = ("simple", "delay")
DEFAULT_DAY_COUNT = 360


def interest_computed(
    *,
    principal: Decimal,
    start: dt.date,
    end: dt.date,
    kind: str = "simple",
    rate: Decimal | None = None,
    rate_basis: str | None = None,
    multiplier: Decimal | None = None,
    lpr_on: dt.date | None = None,
    day_count: int | None = None,
) -> InterestResult:
    """Interest as API.md's calculator answers it; a request it refuses raises ``ValidationError`` by field.

    ``kind="simple"``: at ``rate``, or ``multiplier`` (default 1) times the ``rate_basis``
    LPR, each day's or the one in effect on ``lpr_on``; ``day_count`` 360 (default) or
    365; ``start`` not counted, ``end`` counted. ``kind="delay"``: 迟延履行 interest at
    1.75‱ a day, both ends counted, so rate, LPR and day count are refused. Also refused:
    ``end`` before ``start``, a principal not above zero, an LPR day before 2019-08-20.
    The field names are the API's (``from``, ``to``).
    """
    errors: dict[str, str] = {}
    if kind not in KINDS:
        errors["kind"] = _("Not one of the allowed values.")
    if principal is None or principal <= 0:
        errors["principal"] = _("The principal must be more than zero.")
    if end < start:
        errors["to"] = _("The end date is before the start date.")
    if kind == "delay":
        given = {"rate": rate, "rate_basis": rate_basis, "multiplier": multiplier, "lpr_on": lpr_on, "day_count": day_count}
        for name, value in given.items():
            if value is not None:
                errors[name] = _("Not used for interest for delayed performance: its rate is 1.75‱ a day, both ends counted.")
    elif kind == "simple":
        if rate is None and rate_basis is None:
            errors["rate"] = _("Give a rate, or an LPR basis (rate_basis) with a multiplier.")
        elif rate is not None and rate_basis is not None:
            errors["rate_basis"] = _("Give a rate or an LPR basis, not both.")
        elif rate is not None:
            if rate <= 0:
                errors["rate"] = _("The rate must be more than zero.")
            for name, value in (("multiplier", multiplier), ("lpr_on", lpr_on)):
                if value is not None:
                    errors[name] = _("Only with an LPR basis (rate_basis).")
        else:
            if rate_basis not in LPR_BASES:
                errors["rate_basis"] = _("Not one of the allowed values.")
            if multiplier is not None and multiplier <= 0:
                errors["multiplier"] = _("The multiplier must be more than zero.")
            if lpr_on is not None and lpr_on < LPR_FIRST_DAY:
                errors["lpr_on"] = _("There is no LPR before 2019-08-20, when it was first published.")
            elif lpr_on is None and start + dt.timedelta(days=1) < LPR_FIRST_DAY:
                errors["from"] = _("There is no LPR before 2019-08-20, when it was first published: start from 2019-08-19 or later, or give a rate.")
        if day_count is not None and day_count not in DAY_COUNTS:
            errors["day_count"] = _("The day count is 360 or 365.")
    if errors:
        raise ValidationError(errors)
    if kind == "delay":
        return delay_interest_computed(principal=principal, start=start, end=end)
    try:
        return simple_interest(
            principal=principal,
            start=start,
            end=end,
            day_count=day_count or DEFAULT_DAY_COUNT,
            rate=rate,
            rate_basis=rate_basis,
            multiplier=Decimal(1) if multiplier is None else multiplier,
            lpr_on=lpr_on,
            lpr_table=LprRate.table() if rate_basis else (),
        )
    except LprUnavailable:
        # The table starts later than 2019-08-20 (an administrator removed its first rows).
        field = "lpr_on" if lpr_on is not None else "from"
        raise ValidationError({field: _("The LPR table holds no fixing for this day.")}) from None


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


def lpr_rate_checked(*, effective_from: dt.date | None, lpr_1y, lpr_5y) -> None:
    """The checks ``lpr_rate_add`` makes before storing (a form shows them by field): rates, and a new date's."""
    errors = {}
    for field, value in (("lpr_1y", lpr_1y), ("lpr_5y", lpr_5y)):
        try:
            _rate(value, field)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if effective_from is not None:
        if LprRate.objects.filter(effective_from=effective_from).exists():
            errors["effective_from"] = [_already(effective_from)]
        else:
            try:
                _publication_checked(effective_from)
            except ValidationError as exc:
                errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)


def _already(day: dt.date) -> str:
    return _("The fixing of %(date)s is already in the table.") % {"date": day.isoformat()}


@transaction.atomic
def lpr_rate_add(*, user: User, effective_from: dt.date, lpr_1y, lpr_5y) -> LprRate:
    """Add a published fixing; a date already in the table, or one that is not a publication day, is refused.

    Nothing is stored on a refusal. The audit entry names the fixing and its rates.
    """
    require(user, "write_lpr")
    lpr_rate_checked(effective_from=effective_from, lpr_1y=lpr_1y, lpr_5y=lpr_5y)
    lpr_1y, lpr_5y = _rate(lpr_1y, "lpr_1y"), _rate(lpr_5y, "lpr_5y")
    try:
        with transaction.atomic():
            row = LprRate.objects.create(effective_from=effective_from, lpr_1y=lpr_1y, lpr_5y=lpr_5y, created_by=user)
    except IntegrityError:
        # Another administrator added the same day between the check and the insert.
        raise ValidationError({"effective_from": _already(effective_from)}) from None
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
