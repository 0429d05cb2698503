"""Escalation intake (API.md, "Escalations"): an overdue debt becomes a legal matter."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from legalcase.access import require
from legalcase.events import record_event
from legalcase.models import (
    ClaimTransfer,
    Creditor,
    Debt,
    DemandRecord,
    EventKind,
    Guarantee,
    Matter,
    Party,
    Portfolio,
    User,
)
from legalcase.periods import (
    HolidayCalendar,
)
from legalcase.services.deadlines import matter_deadlines_recompute
from legalcase.services.matters import matter_open

# --- Escalation intake (API.md, "Escalations") ---------------------------------------


class EscalationConflict(Exception):
    """A repeat escalation that cannot update the matter (answers 409).

    Either the debtor identity number differs, or the creditor escalating the account
    has since transferred the claim (the new creditor escalates it now).
    """

    def __init__(self, matter: Matter, message: str = ""):
        # The message names neither number (API.md: errors never echo identity numbers).
        super().__init__(
            message
            or _("Matter %(number)s already holds this account with a different debtor identity number.")
            % {"number": matter.number}
        )
        self.stage = matter.stage


def _transferred_away(creditor: Creditor, account_number: str) -> None:
    """Refuse an escalation by a creditor that has transferred this account's claim (it is no longer theirs)."""
    step = (
        ClaimTransfer.objects.filter(from_creditor=creditor, debt__account_number=account_number)
        .select_related("debt__matter", "to_creditor")
        .order_by("-effective_on", "-id")
        .first()
    )
    if step is not None:
        matter = step.debt.matter
        raise EscalationConflict(
            matter,
            _(
                "Matter %(number)s holds this account: the claim was transferred to %(to)s on %(date)s, "
                "so only the current creditor may escalate it."
            )
            % {"number": matter.number, "to": step.to_creditor.name, "date": step.effective_on.isoformat()},
        )


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
    # Given, they replace what is recorded; null or absent leaves it (an AMC's feed after
    # it bought the debt must not wipe the lender or the portfolio the transfer recorded).
    if original_creditor is not None:
        fields["original_creditor"] = original_creditor
    if portfolio is not None:
        fields["portfolio"] = portfolio
    account = (
        Debt.objects.select_for_update()
        .select_related("debtor")
        .filter(creditor=creditor, account_number=data["account_number"])
    )
    debt = account.first()
    created = False
    if debt is None:
        _transferred_away(creditor, data["account_number"])
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
