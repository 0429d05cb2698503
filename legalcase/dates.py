"""Dates that cannot lie: the one check that a date has already happened, and that two come in order.

API.md ("Conventions"; "Proceedings and rulings", v1.1): a date that must be in the past
(a filing, an acceptance, a ruling, a service, a payment, a demand, a delivery, the start
of an enforcement measure) is refused when it is after today, and dates out of order (a
ruling decided before its proceeding was filed, service before the ruling, a renewal
before the measure it continues, acceptance before filing) are refused naming the field,
with the reason in Chinese. A typo such as a filing dated 2030 would otherwise close the
limitation deadline as interrupted and silence its alarm.

Services call ``must_be_past`` and ``must_not_precede`` before they store anything: the
page, the API, the import and the commands all go through a service, so the refusal is
the same everywhere and nothing is stored. Validators that collect messages rather than
raise (a serializer) use ``past_date_error`` and ``order_error``. "Today" is Beijing's
(``TIME_ZONE``), read through ``django.utils.timezone.localdate`` at each call, so tests
freeze it the way the rest of Fasu does (``time_machine`` or patching ``localdate``).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# What each date field is called in a refusal, by the name services and the API give it.
# A caller with a field not listed passes ``label``.
DATE_LABELS = {
    "filed_on": gettext_lazy("The filing date"),
    "accepted_on": gettext_lazy("The acceptance date"),
    "closed_on": gettext_lazy("The closing date"),
    "decided_on": gettext_lazy("The date of the ruling"),
    "served_on": gettext_lazy("The date of service"),
    "published_on": gettext_lazy("The publication date"),
    "fee_notice_received_on": gettext_lazy("The date the fee notice was received"),
    "notice_received_on": gettext_lazy("The date the fee notice was received"),
    "measures_taken_on": gettext_lazy("The date the preservation measures were taken"),
    "started_on": gettext_lazy("The start of the measure"),
    "found_on": gettext_lazy("The date the asset was found"),
    "received_on": gettext_lazy("The date received"),
    "incurred_on": gettext_lazy("The date the cost was incurred"),
    "agreed_on": gettext_lazy("The date of the agreement"),
    "paid_on": gettext_lazy("The payment date"),
    "issued_on": gettext_lazy("The invoice date"),
    "date": gettext_lazy("The date of the demand"),
    "sent_on": gettext_lazy("The date the demand was sent"),
    "delivered_on": gettext_lazy("The delivery date"),
    "document_date": gettext_lazy("The date of the document"),
    "contract_date": gettext_lazy("The contract date"),
    "overdue_since": gettext_lazy("The date the debt fell overdue"),
    "last_payment_date": gettext_lazy("The last payment date"),
    "as_of": gettext_lazy("The date the amounts are stated as of"),
    "amounts_as_of": gettext_lazy("The date the amounts are stated as of"),
    "birth_date": gettext_lazy("The birth date"),
    "disbursed_on": gettext_lazy("The disbursement or card issue date"),
    "interest_paid_to": gettext_lazy("The date interest is paid up to"),
    "guarantee_signed_on": gettext_lazy("The date the guarantee was signed"),
    "effective_on": gettext_lazy("The date the transfer takes effect"),
    "announced_on": gettext_lazy("The date the announcement was published"),
    "evidence_due_on": gettext_lazy("The end of the evidence period"),
    "defence_due_on": gettext_lazy("The end of the defence period"),
    "summons_served_on": gettext_lazy("The date the summons was served"),
}


def today() -> dt.date:
    """Today in Beijing (``TIME_ZONE``), looked up at each call so that a frozen clock is obeyed."""
    return timezone.localdate()


def _label(field: str, label) -> str:
    if label is not None:
        return str(label)
    known = DATE_LABELS.get(field)
    return str(known) if known is not None else _("The date")


def _mid_sentence(label: str) -> str:
    # "The filing date" inside an English sentence; Chinese has no case to change.
    return label[:1].lower() + label[1:]


def past_date_error(field: str, value: dt.date | None, *, label=None, on: dt.date | None = None) -> str | None:
    """Why ``value`` cannot be a date that has happened (it is after today), or None when it can (or is None)."""
    if value is None:
        return None
    on = on or today()
    if value <= on:
        return None
    return _("%(label)s cannot be after today (%(today)s).") % {
        "label": _label(field, label),
        "today": on.isoformat(),
    }


def order_error(field: str, value: dt.date | None, other_label, other: dt.date | None, *, label=None) -> str | None:
    """Why ``value`` cannot come before ``other`` (the date called ``other_label``), or None when in order or unknown."""
    if value is None or other is None or value >= other:
        return None
    return _("%(label)s cannot be before %(other_label)s (%(other)s).") % {
        "label": _label(field, label),
        "other_label": _mid_sentence(str(other_label)),
        "other": other.isoformat(),
    }


def must_be_past(field: str, value: dt.date | None, *, label=None, on: dt.date | None = None) -> None:
    """Refuse ``value`` (a ValidationError naming ``field``) when it is after today; None passes.

    ``label`` names the date in the message when ``field`` is not in ``DATE_LABELS``;
    ``on`` is "today" for a caller that has already read the clock once.
    """
    message = past_date_error(field, value, label=label, on=on)
    if message:
        raise ValidationError({field: message})


def must_not_precede(field: str, value: dt.date | None, other_label, other: dt.date | None, *, label=None) -> None:
    """Refuse ``value`` (a ValidationError naming ``field``) when it is before ``other``; either None passes.

    ``other_label`` names the other date in the message ("the filing date"); the same
    day is in order (a case accepted the day it was filed).
    """
    message = order_error(field, value, other_label, other, label=label)
    if message:
        raise ValidationError({field: message})


def must_be_past_all(dates: dict[str, dt.date | None], *, on: dt.date | None = None) -> None:
    """``must_be_past`` for several fields at once, every refusal named in one ValidationError."""
    on = on or today()
    errors = {field: message for field, value in dates.items() if (message := past_date_error(field, value, on=on))}
    if errors:
        raise ValidationError(errors)
