"""Correcting and completing the record (API.md, "Correcting and completing the record").

One service per change: a party's details and phones (``party_update``), the debt's
terms (``debt_terms_update``), a new statement of amounts (``amounts_restate``), a
guarantee (``guarantee_update``), the creditor's filing details (``creditor_update``),
the assignment's lawyers (``assignment_lawyers_set``) and a law firm's address
(``firm_update``). Each is atomic, checks access through ``legalcase.access``, and
writes the changed fields only, old and new, as flat dicts keyed by the model's field
names (dates ISO, money ``"1234.56"``, choices as codes, personal data masked): on the
timeline of every matter concerned, or, for the creditor and the firm, which belong to
no single matter, in the audit log.

The page views and the API views validate the shape of what they receive; the rules
(dates in order, an identity number's check character, who may change what) are here,
so both answer the same refusal, keyed by the field.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from legalcase.access import access_matter, require
from legalcase.escalation_input import PHONE_DIGITS, phone_digits
from legalcase.events import record_audit, record_event
from legalcase.identity import (
    IdentityError,
    mask_address,
    mask_id_number,
    mask_phone,
    parse_resident_id,
)
from legalcase.models import (
    LICENCE_NUMBER_LENGTH,
    MAX_ASSIGNMENT_LAWYERS,
    AmountStatement,
    Assignment,
    AssignmentLawyer,
    AuditAction,
    Creditor,
    Debt,
    EventKind,
    Guarantee,
    LawFirm,
    Matter,
    Party,
    PartyPhone,
    Role,
    User,
)
from legalcase.money import money_input, money_text
from legalcase.services.deadlines import matter_deadlines_recompute
from legalcase.services.search import party_keys_refresh


class RecordConflict(Exception):
    """A correction that clashes with another record (answers 409 with the matter's stage, or null)."""

    def __init__(self, message: str, stage: str | None = None):
        super().__init__(message)
        self.stage = stage


# --- How values are written on the timeline -----------------------------------------

ADDRESS_FIELDS = ("address", "habitual_residence", "service_address")
MASKED_BIRTH_DATE = "****-**-**"


def event_value(value: Any) -> Any:
    """A value as the timeline keeps it: dates ISO, money with two places, codes as they are."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return money_text(value) if value.as_tuple().exponent == -2 else str(value)
    return value


def _party_event_value(name: str, value: Any) -> Any:
    """A party's field for the timeline, personal data masked (API.md, "Conventions")."""
    if name == "id_number":
        return mask_id_number(value)
    if name == "phone":
        return mask_phone(value)
    if name in ADDRESS_FIELDS:
        return mask_address(value)
    if name == "birth_date":
        return MASKED_BIRTH_DATE if value else None
    if name == "phones":
        return [{"number": mask_phone(number), "status": status} for number, status in value]
    return event_value(value)


def _text(value: Any, field: str, max_length: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError({field: _("Give a text.")})
    value = value.strip()
    if len(value) > max_length:
        raise ValidationError({field: _("At most %(count)d characters.") % {"count": max_length}})
    return value


def _date(value: Any, field: str, *, past: bool = False) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime) or not isinstance(value, (dt.date, str)):
        raise ValidationError({field: _("Give a date (YYYY-MM-DD).")})
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise ValidationError({field: _("Give a date (YYYY-MM-DD).")}) from None
    if past and value > timezone.localdate():
        raise ValidationError({field: _("This date cannot be in the future.")})
    return value


def _unknown_refused(changes: dict, allowed: tuple[str, ...], subject: str) -> None:
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise ValidationError({name: _("%(subject)s has no such field.") % {"subject": subject} for name in unknown})


def _changes_applied(instance, values: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Set the values that differ on ``instance``; ``{field: (old, new)}`` of those changed."""
    changed = {}
    for name, value in values.items():
        old = getattr(instance, name)
        if old != value:
            changed[name] = (old, value)
            setattr(instance, name, value)
    return changed


def _save_audited(instance, values: dict[str, Any], *, user: User, action: str, key: str) -> None:
    """Apply ``values`` to a record that belongs to no one matter and audit what changed (old and new)."""
    changed = _changes_applied(instance, values)
    if changed:
        instance.save(update_fields=list(changed))
        record_audit(
            actor=user,
            action=action,
            target=instance.name,
            detail={
                key: instance.pk,
                "old": {name: before for name, (before, _after) in changed.items()},
                "new": {name: after for name, (_before, after) in changed.items()},
            },
        )


def _party_matters(party: Party) -> list[tuple[Matter, str]]:
    """Every matter naming the party, as debtor or guarantor, with its role there (for the note)."""
    matters = Matter.objects.filter(Q(debt__debtor=party) | Q(debt__guarantees__guarantor=party)).distinct()
    roles = []
    for matter in matters.select_related("debt").order_by("pk"):
        role = _("Debtor") if matter.debt.debtor_id == party.pk else _("Guarantor")
        roles.append((matter, role))
    return roles


def _matter_party(matter: Matter, party_id: Any) -> Party:
    """The matter's debtor or one of its guarantors; any other party is not found (404 in a view)."""
    try:
        party_id = int(party_id)
    except (TypeError, ValueError):
        party_id = None
    debt = matter.debt
    party = (
        Party.objects.select_for_update(of=("self",))
        .filter(Q(pk=debt.debtor_id) | Q(guarantees__debt=debt), pk=party_id)
        .first()
        if party_id is not None
        else None
    )
    if party is None:
        raise Http404("party not found")
    return party


# --- Parties ----------------------------------------------------------------------------

PARTY_FIELDS = (
    "name",
    "id_number",
    "gender",
    "birth_date",
    "phones",
    "ethnicity",
    "workplace",
    "position",
    "address",
    "habitual_residence",
    "service_address",
    "representative",
    "representative_title",
)
PARTY_TEXT_LENGTHS = {
    "name": 200,
    "ethnicity": 20,
    "workplace": 200,
    "position": 100,
    "address": 300,
    "habitual_residence": 300,
    "service_address": 300,
    "representative": 100,
    "representative_title": 50,
}
def _phones_validated(party: Party, phones: Any) -> list[tuple[int | None, str, str]]:
    """``phones`` as given (API.md) -> ``[(stored id or None, number, status)]``, in order."""
    if not isinstance(phones, list):
        raise ValidationError({"phones": _("Give a list of phone numbers.")})
    stored = {phone.pk: phone for phone in party.phones.all()}
    wanted, seen = [], set()
    for index, entry in enumerate(phones, start=1):
        if not isinstance(entry, dict):
            raise ValidationError({"phones": _("Entry %(n)d: give a number or an id, and a status.") % {"n": index}})
        status = entry.get("status") or PartyPhone.Status.OK
        if status not in PartyPhone.Status.values:
            raise ValidationError({"phones": _("Entry %(n)d: unknown status.") % {"n": index}})
        unknown = set(entry) - {"id", "number", "status"}
        if unknown:
            raise ValidationError({"phones": _("Entry %(n)d: no such field.") % {"n": index}})
        if entry.get("id") not in (None, ""):
            try:
                phone = stored.get(int(entry["id"]))
            except (TypeError, ValueError):
                phone = None
            if phone is None:
                raise ValidationError({"phones": _("Entry %(n)d: not one of this party's numbers.") % {"n": index}})
            pk, number = phone.pk, phone.number
        else:
            number = phone_digits(entry.get("number") if isinstance(entry.get("number"), str) else "")
            if not PHONE_DIGITS.fullmatch(number):
                # The message never repeats the number (API.md, "Errors").
                raise ValidationError({"phones": _("Entry %(n)d: not a phone number.") % {"n": index}})
            pk = next((phone.pk for phone in stored.values() if phone.number == number), None)
        if number in seen:
            raise ValidationError({"phones": _("Entry %(n)d: the same number twice.") % {"n": index}})
        seen.add(number)
        wanted.append((pk, number, status))
    return wanted


def party_phones_replace(party: Party, wanted: list[tuple[int | None, str, str]]) -> None:
    """Make the party's phone list ``wanted`` (in order) and ``Party.phone`` its first ``ok`` number."""
    keep = {pk for pk, _number, _status in wanted if pk is not None}
    party.phones.exclude(pk__in=keep).delete()
    for position, (pk, number, status) in enumerate(wanted, start=1):
        if pk is None:
            PartyPhone.objects.create(party=party, number=number, status=status, position=position)
        else:
            PartyPhone.objects.filter(pk=pk).update(status=status, position=position)
    first_ok = next((number for _pk, number, status in wanted if status == PartyPhone.Status.OK), "")
    if party.phone != first_ok:
        party.phone = first_ok
        party.save(update_fields=["phone"])


@transaction.atomic
def party_update(*, user: User, matter_id: int, party_id: int, **changes: Any) -> Party:
    """Correct or complete the matter's debtor or one of its guarantors; return the party.

    A person is one row shared by all their matters, so each of those matters gets the
    event (its note says whether the party is the debtor or a guarantor there). Only
    counsel and administrators change an identity number (403 for others); a number
    another party holds is a conflict (409). Gender and birth date must agree with the
    number. ``phones`` replaces the list; ``Party.phone`` is its first ``ok`` number.
    """
    matter = access_matter(user, matter_id, action="write_record", for_update=True)
    party = _matter_party(matter, party_id)
    _unknown_refused(changes, PARTY_FIELDS, _("A party"))
    values: dict[str, Any] = {}
    for name, length in PARTY_TEXT_LENGTHS.items():
        if name in changes:
            values[name] = _text(changes[name], name, length)
    if "name" in values and not values["name"]:
        raise ValidationError({"name": _("A party needs a name.")})
    if "gender" in changes:
        gender = changes["gender"] or ""
        if gender not in ("", *Party.Gender.values):
            raise ValidationError({"gender": _("Not one of the allowed values.")})
        values["gender"] = gender
    if "birth_date" in changes:
        values["birth_date"] = _date(changes["birth_date"], "birth_date", past=True)
    if "id_number" in changes:
        if party.kind != Party.Kind.PERSON:
            raise ValidationError({"id_number": _("An organisation is identified by its credit code.")})
        number = _text(changes["id_number"], "id_number", 18).upper()
        if number != party.id_number:
            if user.role not in (Role.COUNSEL, Role.ADMIN):
                raise PermissionDenied(_("Only in-house counsel and administrators correct an identity number."))
            try:
                parse_resident_id(number)
            except IdentityError as exc:
                raise ValidationError({"id_number": str(exc)}) from None
        values["id_number"] = number
    if party.kind == Party.Kind.PERSON and {"id_number", "gender", "birth_date"} & set(values):
        birth, gender = parse_resident_id(values.get("id_number", party.id_number))
        wanted_gender = values.get("gender", party.gender)
        wanted_birth = values.get("birth_date", party.birth_date)
        if wanted_gender and wanted_gender != gender:
            raise ValidationError({"gender": _("The gender does not agree with the identity number.")})
        if wanted_birth and wanted_birth != birth:
            raise ValidationError({"birth_date": _("The birth date does not agree with the identity number.")})
    phones_old = list(party.phones.values_list("number", "status"))
    wanted_phones = _phones_validated(party, changes["phones"]) if "phones" in changes else None
    if values.get("id_number") and values["id_number"] != party.id_number:
        if Party.objects.filter(id_number=values["id_number"]).exclude(pk=party.pk).exists():
            raise RecordConflict(
                _("Another party already holds this identity number: correct that party's record instead."),
                stage=matter.stage,
            )
    changed = _changes_applied(party, values)
    if changed:
        party.save(update_fields=list(changed))
    old = {name: _party_event_value(name, before) for name, (before, _after) in changed.items()}
    new = {name: _party_event_value(name, after) for name, (_before, after) in changed.items()}
    if wanted_phones is not None:
        phone_before = party.phone
        party_phones_replace(party, wanted_phones)
        phones_new = list(party.phones.values_list("number", "status"))
        if phones_new != phones_old:
            old["phones"] = _party_event_value("phones", phones_old)
            new["phones"] = _party_event_value("phones", phones_new)
        if party.phone != phone_before:
            old["phone"], new["phone"] = mask_phone(phone_before), mask_phone(party.phone)
    if {"id_number", "phones", "phone"} & set(new):
        party_keys_refresh(party_ids=[party.pk])
    if not new:
        return party
    matters = _party_matters(party)
    if "name" in changed:
        Matter.objects.filter(debt__debtor=party).update(debtor_name=party.name)
        Guarantee.objects.filter(guarantor=party).update(guarantor_name=party.name)
    for each, role in matters:
        record_event(
            matter=each,
            actor=user,
            kind=EventKind.PARTY_CORRECTED,
            old=old,
            new=new,
            note=f"{role} {party.name}",
        )
    return party


# --- Debt terms ---------------------------------------------------------------------------

DEBT_TERM_FIELDS = (
    "contract_number",
    "contract_date",
    "loan_amount",
    "disbursed_on",
    "term_ends_on",
    "repayment_method",
    "branch",
    "rates",
)
RATE_FIELDS = ("annual_interest_rate", "penalty_rate", "compound_rate", "day_count")
RATE_LIMIT = Decimal("1000")


def _rate(value: Any, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, str)):
        raise ValidationError({field: _("Give the rate as a number.")})
    try:
        rate = Decimal(str(value).strip())
    except ArithmeticError:
        raise ValidationError({field: _("Give the rate as a number.")}) from None
    if not rate.is_finite() or rate < 0 or rate >= RATE_LIMIT:
        raise ValidationError({field: _("Give a rate of zero or more, as an annual fraction (0.1825 is 18.25%).")})
    if rate.as_tuple().exponent < -6 and rate != rate.quantize(Decimal("0.000001")):
        raise ValidationError({field: _("At most 6 decimal places.")})
    return rate.quantize(Decimal("0.000001"))


def _debt_event_value(name: str, value: Any) -> Any:
    # A rate as API.md writes it: the annual fraction without trailing zeros ("0.1825").
    if name in RATE_FIELDS[:3] and value is not None:
        text = format(Decimal(value), "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return event_value(value)


@transaction.atomic
def debt_terms_update(*, user: User, matter_id: int, **changes: Any) -> Matter:
    """Correct or complete the debt's terms (contract, limit or loan amount, dates, method, branch, rates).

    For a card, ``loan_amount`` is the credit limit and ``disbursed_on`` the day the
    card was issued. ``rates`` is a dict like the escalation's. Past-only dates in the
    future and a term ending before it began are refused.
    """
    matter = access_matter(user, matter_id, action="write_record", for_update=True)
    debt = Debt.objects.select_for_update().get(pk=matter.debt_id)
    _unknown_refused(changes, DEBT_TERM_FIELDS, _("The debt"))
    values: dict[str, Any] = {}
    if "contract_number" in changes:
        values["contract_number"] = _text(changes["contract_number"], "contract_number", 60)
    if "branch" in changes:
        values["branch"] = _text(changes["branch"], "branch", 200)
    for name in ("contract_date", "disbursed_on"):
        if name in changes:
            values[name] = _date(changes[name], name, past=True)
    if "term_ends_on" in changes:
        values["term_ends_on"] = _date(changes["term_ends_on"], "term_ends_on")
    if "loan_amount" in changes:
        values["loan_amount"] = (
            None if changes["loan_amount"] in (None, "") else money_input(changes["loan_amount"], "loan_amount")
        )
    if "repayment_method" in changes:
        method = changes["repayment_method"] or ""
        if method not in ("", *Debt.RepaymentMethod.values):
            raise ValidationError({"repayment_method": _("Not one of the allowed values.")})
        values["repayment_method"] = method
    if "rates" in changes:
        rates = changes["rates"] or {}
        if not isinstance(rates, dict):
            raise ValidationError({"rates": _("Give the rates as an object.")})
        unknown = sorted(set(rates) - set(RATE_FIELDS))
        if unknown:
            raise ValidationError({"rates": {name: [_("No such rate.")] for name in unknown}})
        for name in RATE_FIELDS[:3]:
            if name in rates:
                try:
                    values[name] = _rate(rates[name], name)
                except ValidationError as exc:
                    raise ValidationError({"rates": exc.message_dict}) from None
        if "day_count" in rates:
            if rates["day_count"] not in (360, 365, "360", "365"):
                raise ValidationError({"rates": {"day_count": [_("Either 360 or 365.")]}})
            values["day_count"] = int(rates["day_count"])
    after = {name: values.get(name, getattr(debt, name)) for name in ("contract_date", "disbursed_on", "term_ends_on")}
    start = after["disbursed_on"] or after["contract_date"]
    if after["term_ends_on"] and start and after["term_ends_on"] < start:
        raise ValidationError({"term_ends_on": _("The term cannot end before the contract or the disbursement.")})
    changed = _changes_applied(debt, values)
    if changed:
        debt.save(update_fields=list(changed))
        record_event(
            matter=matter,
            actor=user,
            kind=EventKind.DEBT_CORRECTED,
            old={name: _debt_event_value(name, before) for name, (before, _after) in changed.items()},
            new={name: _debt_event_value(name, after) for name, (_before, after) in changed.items()},
            note=str(debt),
        )
    matter.debt = debt
    return matter


# --- Statements of amounts ------------------------------------------------------------------

STATEMENT_FIELDS = ("as_of", *Debt.AMOUNT_FIELDS, "repaid_principal", "repaid_interest", "interest_paid_to")
# A statement's field -> the debt's column holding the current statement.
DEBT_COLUMN = {"as_of": "amounts_as_of"}


def statement_create(*, debt: Debt, values: dict[str, Any], user: User | None) -> AmountStatement:
    """Append a statement and make it the debt's current amounts (callers hold the debt's row lock)."""
    statement = AmountStatement.objects.create(debt=debt, created_by=user, **values)
    fields = []
    for name in STATEMENT_FIELDS:
        setattr(debt, DEBT_COLUMN.get(name, name), values[name])
        fields.append(DEBT_COLUMN.get(name, name))
    debt.save(update_fields=fields)
    Matter.objects.filter(debt_id=debt.pk).sort_columns_refresh()
    return statement


@transaction.atomic
def amounts_restate(*, user: User, matter_id: int, **given: Any) -> AmountStatement:
    """A new statement of the claim by component as of a date; it becomes the matter's ``amounts``.

    The earlier statements are kept. A statement earlier than the current one, or one
    whose claim plus recoverable costs falls below what was already recovered, is
    refused. Missing components are zero, as in an escalation.
    """
    matter = access_matter(user, matter_id, action="write_record", for_update=True)
    debt = Debt.objects.select_for_update().get(pk=matter.debt_id)
    _unknown_refused(given, STATEMENT_FIELDS, _("A statement of amounts"))
    as_of = _date(given.get("as_of"), "as_of", past=True)
    if as_of is None:
        raise ValidationError({"as_of": _("Give the date the amounts are stated as of.")})
    if as_of < debt.amounts_as_of:
        raise ValidationError(
            {"as_of": _("The current statement is as of %(date)s: a new one cannot be earlier.")
             % {"date": debt.amounts_as_of.isoformat()}}
        )  # fmt: skip
    if "principal" not in given or given["principal"] in (None, ""):
        raise ValidationError({"principal": _("Give the principal.")})
    values: dict[str, Any] = {"as_of": as_of}
    for name in (*Debt.AMOUNT_FIELDS, "repaid_principal", "repaid_interest"):
        value = given.get(name)
        values[name] = Decimal("0.00") if value in (None, "") else money_input(value, name, allow_zero=True)
    values["interest_paid_to"] = _date(given.get("interest_paid_to"), "interest_paid_to", past=True)
    if values["interest_paid_to"] and values["interest_paid_to"] > as_of:
        raise ValidationError({"interest_paid_to": _("Interest cannot be paid up to a day after the statement.")})
    claim = sum((values[name] for name in Debt.AMOUNT_FIELDS), Decimal("0.00"))
    if claim + matter.costs_recoverable < matter.recovered_total:
        raise ValidationError(
            {"principal": _("The claim plus recoverable costs (%(claim)s) cannot be less than what was already "
                            "recovered (%(recovered)s).")
             % {"claim": money_text(claim + matter.costs_recoverable), "recovered": money_text(matter.recovered_total)}}
        )  # fmt: skip
    before = {name: getattr(debt, DEBT_COLUMN.get(name, name)) for name in STATEMENT_FIELDS}
    changed = [name for name in STATEMENT_FIELDS if before[name] != values[name]]
    if not changed:
        return debt.amount_statements.order_by("-as_of", "-id").first() or statement_create(
            debt=debt, values=values, user=user
        )
    statement = statement_create(debt=debt, values=values, user=user)
    record_event(
        matter=matter,
        actor=user,
        kind=EventKind.AMOUNTS_RESTATED,
        old={name: event_value(before[name]) for name in changed},
        new={name: event_value(values[name]) for name in changed},
        note=str(debt),
    )
    return statement


# --- Guarantees -----------------------------------------------------------------------------

GUARANTEE_FIELDS = ("guarantee_signed_on", "guarantee_type", "guarantee_agreed_period", "guarantee_period_ends_on")


@transaction.atomic
def guarantee_update(*, user: User, matter_id: int, party_id: int, **changes: Any) -> Guarantee:
    """Correct or complete a guarantor's undertaking (signing date, type, agreed period); deadlines recompute.

    The guarantee period deadline follows the agreed end when given (民法典 Art. 692).
    """
    matter = access_matter(user, matter_id, action="write_record", for_update=True)
    guarantee = (
        Guarantee.objects.select_for_update(of=("self",))
        .select_related("guarantor")
        .filter(debt_id=matter.debt_id, guarantor_id=_int_or_none(party_id))
        .first()
    )
    if guarantee is None:
        raise Http404("guarantee not found")
    _unknown_refused(changes, GUARANTEE_FIELDS, _("A guarantee"))
    values: dict[str, Any] = {}
    if "guarantee_signed_on" in changes:
        values["guarantee_signed_on"] = _date(changes["guarantee_signed_on"], "guarantee_signed_on", past=True)
    if "guarantee_period_ends_on" in changes:
        values["guarantee_period_ends_on"] = _date(changes["guarantee_period_ends_on"], "guarantee_period_ends_on")
    if "guarantee_type" in changes:
        if changes["guarantee_type"] not in Guarantee.Type.values:
            raise ValidationError({"guarantee_type": _("Not one of the allowed values.")})
        values["guarantee_type"] = changes["guarantee_type"]
        # A type a person states is no longer the Art. 686 presumption.
        values["type_presumed"] = False
    if "guarantee_agreed_period" in changes:
        values["guarantee_agreed_period"] = _text(changes["guarantee_agreed_period"], "guarantee_agreed_period", 200)
    signed = values.get("guarantee_signed_on", guarantee.guarantee_signed_on)
    ends = values.get("guarantee_period_ends_on", guarantee.guarantee_period_ends_on)
    if signed and ends and ends < signed:
        raise ValidationError({"guarantee_period_ends_on": _("The guarantee period cannot end before it was signed.")})
    changed = _changes_applied(guarantee, values)
    if changed:
        guarantee.save(update_fields=list(changed))
        record_event(
            matter=matter,
            actor=user,
            kind=EventKind.GUARANTEE_CORRECTED,
            old={name: event_value(before) for name, (before, _after) in changed.items()},
            new={name: event_value(after) for name, (_before, after) in changed.items()},
            note=f"{_('Guarantor')} {guarantee.guarantor.name}",
        )
        matter_deadlines_recompute(matter_id=matter.pk)
    return guarantee


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- The creditor and the firm (audited, not on matters' timelines) ---------------------------

CREDITOR_FIELDS = {"address": 300, "representative": 100, "representative_title": 50, "service_phone": 30}
FIRM_FIELDS = {"address": 300, "phone": 30}


@transaction.atomic
def creditor_update(*, user: User, creditor_id: int, **changes: Any) -> Creditor:
    """Correct or complete the creditor's filing details (address, representative and title, service phone).

    A creditor may hold a million matters: the change goes to the audit log, not to their timelines.
    """
    require(user, "correct_creditor")
    creditor = Creditor.objects.select_for_update().filter(pk=_int_or_none(creditor_id)).first()
    if creditor is None:
        raise Http404("creditor not found")
    _unknown_refused(changes, tuple(CREDITOR_FIELDS), _("A creditor"))
    values = {name: _text(changes[name], name, length) for name, length in CREDITOR_FIELDS.items() if name in changes}
    _save_audited(creditor, values, user=user, action=AuditAction.CREDITOR_CORRECTED, key="creditor")
    return creditor


@transaction.atomic
def firm_update(*, user: User, firm_id: int, **changes: Any) -> LawFirm:
    """Correct or complete a law firm's address and phone (filings print them); a lawyer, their own firm's only."""
    require(user, "correct_firm")
    firm = LawFirm.objects.select_for_update().filter(pk=_int_or_none(firm_id)).first()
    if firm is None:
        raise Http404("firm not found")
    if user.role == Role.LAWYER and user.firm_id != firm.pk:
        raise PermissionDenied(_("A lawyer changes only their own firm's details."))
    _unknown_refused(changes, tuple(FIRM_FIELDS), _("A law firm"))
    values = {name: _text(changes[name], name, length) for name, length in FIRM_FIELDS.items() if name in changes}
    _save_audited(firm, values, user=user, action=AuditAction.FIRM_CORRECTED, key="firm")
    return firm


# --- The assignment's lawyers -------------------------------------------------------------

LICENCE_NUMBER = re.compile(rf"\d{{{LICENCE_NUMBER_LENGTH}}}")


def _lawyers_validated(lawyers: Any) -> list[dict[str, str]]:
    if not isinstance(lawyers, list):
        raise ValidationError({"lawyers": _("Give a list of lawyers.")})
    if len(lawyers) > MAX_ASSIGNMENT_LAWYERS:
        raise ValidationError({"lawyers": _("At most two lawyers act for a party.")})
    cleaned = []
    for index, lawyer in enumerate(lawyers, start=1):
        if not isinstance(lawyer, dict) or set(lawyer) - {"name", "licence_number", "phone"}:
            raise ValidationError({"lawyers": _("Lawyer %(n)d: give a name, licence number and phone.") % {"n": index}})
        name = _text(lawyer.get("name"), "lawyers", 100)
        licence = _text(lawyer.get("licence_number"), "lawyers", 40)
        phone = phone_digits(_text(lawyer.get("phone"), "lawyers", 30))
        if not name:
            raise ValidationError({"lawyers": _("Lawyer %(n)d: give the name.") % {"n": index}})
        if not LICENCE_NUMBER.fullmatch(licence):
            raise ValidationError({"lawyers": _("Lawyer %(n)d: a licence number has 17 digits.") % {"n": index}})
        if phone and not PHONE_DIGITS.fullmatch(phone):
            raise ValidationError({"lawyers": _("Lawyer %(n)d: not a phone number.") % {"n": index}})
        cleaned.append({"name": name, "licence_number": licence, "phone": phone})
    if len({lawyer["licence_number"] for lawyer in cleaned}) != len(cleaned):
        raise ValidationError({"lawyers": _("The same lawyer twice.")})
    return cleaned


def _lawyers_event(lawyers: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{**lawyer, "phone": mask_phone(lawyer["phone"])} for lawyer in lawyers]


@transaction.atomic
def assignment_lawyers_set(*, user: User, matter_id: int, lawyers: Any) -> Assignment:
    """Name the assigned firm's lawyers who act on the matter (at most two); replaces the list.

    Without a current assignment there is no firm to name lawyers of: a conflict (409).
    A lawyer reaches only their firm's matters, so names only their own firm's lawyers.
    """
    matter = access_matter(user, matter_id, action="set_lawyers", for_update=True)
    assignment = Assignment.objects.select_for_update().filter(matter=matter, ended_at__isnull=True).first()
    if assignment is None:
        raise RecordConflict(_("No firm is assigned to this matter: assign one first."), stage=matter.stage)
    wanted = _lawyers_validated(lawyers)
    before = list(assignment.lawyers.order_by("position").values("name", "licence_number", "phone"))
    if before == wanted:
        return assignment
    assignment.lawyers.all().delete()
    AssignmentLawyer.objects.bulk_create(
        [AssignmentLawyer(assignment=assignment, position=n, **lawyer) for n, lawyer in enumerate(wanted, start=1)]
    )
    record_event(
        matter=matter,
        actor=user,
        kind=EventKind.LAWYERS_SET,
        old={"lawyers": _lawyers_event(before)},
        new={"lawyers": _lawyers_event(wanted)},
        note=assignment.firm.name,
    )
    return assignment
