"""Escalation intake (API.md, "Escalations"): overdue debts become legal matters, a batch at a time.

``escalations_apply`` is the one way in: ``POST /api/v1/escalations/`` calls it with a
batch of one, the bulk import (``legalcase.importing``) with each chunk of its file. A
batch is validated row by row (``legalcase.escalation_input``: the API serializer's
rules and messages), then written set-based: the new accounts' parties, debts, matters,
``created`` events, guarantees, demand records and deadlines go in with one statement
per table (``legalcase.bulk.rows_insert``: COPY on PostgreSQL), the deadlines computed
in memory by the engine's pure ``deadlines_computed``; the stored accounts (repeats) are
updated one by one, as they are few. Each row gets an ``EscalationOutcome``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import DataError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from legalcase.access import require
from legalcase.bulk import rows_insert
from legalcase.escalation_input import PERSON_TEXT_FIELDS, escalation_validated
from legalcase.events import record_event
from legalcase.models import (
    AmountStatement,
    ClaimTransfer,
    Creditor,
    Deadline,
    Debt,
    DemandChannel,
    DemandRecord,
    EventKind,
    Guarantee,
    Matter,
    MatterEvent,
    Party,
    PartyPhone,
    Portfolio,
    Stage,
    User,
    holiday_calendar,
)
from legalcase.notices import domicile_province, newspaper_notice_counts
from legalcase.periods import HolidayCalendar
from legalcase.services.deadlines import (
    MatterFacts,
    deadlines_computed,
    matter_deadlines_recompute,
)
from legalcase.services.matters import matter_number_allocate
from legalcase.services.search import party_keys_refresh
from legalcase.services.tasks import plans_auto_start

log = logging.getLogger(__name__)


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


CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
CONFLICT, INVALID, FAILED = "conflict", "invalid", "failed"


@dataclass(slots=True)
class EscalationOutcome:
    """What became of one escalation of a batch.

    ``created`` (a new matter), ``updated`` (a stored account changed), ``unchanged``
    (a repeat equal to what is stored: nothing written), ``conflict`` (409: another
    debtor, or an account the creditor transferred away; ``error`` is the
    ``EscalationConflict``), ``invalid`` (400: ``errors`` as the serializer keys them;
    nothing stored) or ``failed`` (the database refused the row; ``error`` says why).
    """

    status: str
    matter_id: int | None = None
    errors: Any = None
    error: Exception | None = None

    @property
    def stored(self) -> bool:
        return self.status in (CREATED, UPDATED, UNCHANGED)

    @property
    def reason(self) -> str:
        """A conflict's or failure's message, in Chinese (the import's errors file)."""
        if self.status == FAILED:
            return _("The row could not be stored.")
        return str(self.error) if self.error is not None else ""


def escalations_apply(
    *, user: User, rows: list[Any], calendar: HolidayCalendar | None = None
) -> list[EscalationOutcome]:
    """Validate and store a batch of escalation bodies (API.md's shape); one outcome per row, in order.

    Idempotent on (creditor's credit code, account number): a new account opens a matter;
    a repeat replaces the amounts and adds the demands not yet recorded (same date and
    channel); a repeat naming another debtor, or an account the creditor has transferred
    away, is a conflict and changes nothing. An invalid row stores nothing. A bulk caller
    may pass the holiday ``calendar`` once instead of having it read for every batch.
    """
    require(user, "escalate")
    outcomes: list[EscalationOutcome | None] = [None] * len(rows)
    valid: list[tuple[int, dict]] = []
    for index, body in enumerate(rows):
        data, errors = escalation_validated(body)
        if data is None:
            outcomes[index] = EscalationOutcome(INVALID, errors=errors)
        else:
            valid.append((index, data))
    if valid:
        stored = escalations_store(user=user, rows=[data for _index, data in valid], calendar=calendar)
        for (index, _data), outcome in zip(valid, stored, strict=True):
            outcomes[index] = outcome
    return outcomes  # type: ignore[return-value]


def matter_escalate(*, user: User, data: dict, calendar: HolidayCalendar | None = None) -> tuple[Matter, bool]:
    """One validated escalation (``EscalationSerializer``'s ``validated_data``): ``(matter, created)``.

    A batch of one through ``escalations_store``; raises ``EscalationConflict`` (409).
    """
    (outcome,) = escalations_store(user=user, rows=[data], calendar=calendar)
    if outcome.error is not None:
        raise outcome.error
    return Matter.objects.get(pk=outcome.matter_id), outcome.status == CREATED


@transaction.atomic
def escalations_store(
    *, user: User, rows: list[dict], calendar: HolidayCalendar | None = None
) -> list[EscalationOutcome]:
    """Store validated escalations (``escalation_validated``'s data) in one transaction; one outcome per row.

    Rows are written in rounds of distinct accounts (an account twice in a batch is
    stored, then repeated). A round the database refuses as a whole (a concurrent
    writer took an account or an identity number first) is stored again row by row,
    each then finding what the other writer committed, as a repeat.
    """
    require(user, "escalate")
    calendar = calendar or holiday_calendar()
    memo: dict = {}
    outcomes: list[EscalationOutcome | None] = [None] * len(rows)
    pending = list(range(len(rows)))
    while pending:
        seen: set[tuple[str, str]] = set()
        this_round, later = [], []
        for index in pending:
            key = (rows[index]["creditor"]["uscc"], rows[index]["account_number"])
            (later if key in seen else this_round).append(index)
            seen.add(key)
        _round_store(user, rows, this_round, calendar, memo, outcomes)
        pending = later
    # A product's auto-start playbook begins on the matters this batch opened (issue 19).
    plans_auto_start(matter_ids=[outcome.matter_id for outcome in outcomes if outcome.status == CREATED])
    return outcomes  # type: ignore[return-value]


def _round_store(user, rows, indices, calendar, memo, outcomes, *, attempts: int = 2) -> None:
    try:
        with transaction.atomic():
            results = _rows_write(user=user, rows=[rows[i] for i in indices], calendar=calendar, memo=memo)
    except (IntegrityError, DataError) as exc:
        if len(indices) > 1:
            log.info("a batch of escalations could not be stored at once; storing its rows one by one")
            for index in indices:
                _round_store(user, rows, [index], calendar, memo, outcomes)
        elif attempts > 1:
            # A concurrent escalation of the same account (or debtor) committed first:
            # the unique constraint waited for it, and this row is now its repeat.
            _round_store(user, rows, indices, calendar, memo, outcomes, attempts=attempts - 1)
        else:
            log.exception("an escalation could not be stored")
            outcomes[indices[0]] = EscalationOutcome(FAILED, error=exc)
        return
    for index, outcome in zip(indices, results, strict=True):
        outcomes[index] = outcome


# --- The set-based write ----------------------------------------------------------------

OPTIONAL_DEBT_FIELDS = ("contract_number", "contract_date", "overdue_since", "matured_on", "last_payment_date")
RATE_FIELDS = ("annual_interest_rate", "penalty_rate", "compound_rate", "day_count")
# v1.1: the debt's terms (``debt``) and the repayments a statement of amounts carries.
DEBT_TERM_COLUMNS = ("loan_amount", "disbursed_on", "term_ends_on", "repayment_method", "branch")
REPAYMENT_FIELDS = ("repaid_principal", "repaid_interest", "interest_paid_to")
# Every column an escalation sets on a new debt, the foreign keys by attname.
DEBT_COLUMNS = (
    "creditor_id", "debtor_id", "original_creditor_id", "portfolio_id", "account_number", "product",
    "amounts_as_of", *Debt.AMOUNT_FIELDS, *RATE_FIELDS, *OPTIONAL_DEBT_FIELDS, *DEBT_TERM_COLUMNS, *REPAYMENT_FIELDS,
)  # fmt: skip
PARTY_COLUMNS = ("kind", "name", "id_number", "gender", "birth_date", "phone", "address", *PERSON_TEXT_FIELDS)
STATEMENT_COLUMNS = (
    "debt_id", "as_of", *Debt.AMOUNT_FIELDS, "repaid_principal", "repaid_interest", "interest_paid_to",
    "created_at", "created_by_id",
)  # fmt: skip


def _amounts_of(debt: Debt) -> dict[str, str]:
    return {"as_of": debt.amounts_as_of.isoformat(), **{name: str(getattr(debt, name)) for name in Debt.AMOUNT_FIELDS}}


def _debt_values(data: dict) -> dict[str, Any]:
    amounts, rates = data["amounts"], data.get("rates") or {}
    # Amounts are replaced whole (a missing component is 0); other optional facts are
    # changed only when the request gives them, so a short repeat does not erase them.
    terms = data.get("debt") or {}
    return {
        "product": data["product"],
        "amounts_as_of": amounts["as_of"],
        **{name: amounts.get(name, Decimal("0.00")) for name in Debt.AMOUNT_FIELDS},
        "repaid_principal": amounts.get("repaid_principal", Decimal("0.00")),
        "repaid_interest": amounts.get("repaid_interest", Decimal("0.00")),
        "interest_paid_to": amounts.get("interest_paid_to"),
        **{name: rates[name] for name in RATE_FIELDS if rates.get(name) is not None},
        **{name: data[name] for name in OPTIONAL_DEBT_FIELDS if name in data},
        **{name: terms[name] for name in DEBT_TERM_COLUMNS if name in terms},
    }


def _statement_row(debt_id: int, values: dict, user: User, now) -> tuple:
    """The ``AmountStatement`` of a debt's amounts as ``_debt_values`` gives them (``STATEMENT_COLUMNS``)."""
    return (
        debt_id, values["amounts_as_of"], *(values[name] for name in Debt.AMOUNT_FIELDS),
        values["repaid_principal"], values["repaid_interest"], values["interest_paid_to"], now, user.pk,
    )  # fmt: skip


def _debt_defaults() -> dict[str, Any]:
    fields = {field.attname: field for field in Debt._meta.concrete_fields}
    return {name: fields[name].get_default() for name in DEBT_COLUMNS}


def _creditors_of(rows: list[dict], creditors: dict[str, Creditor]) -> dict[str, Creditor]:
    """Add the rows' creditors and original creditors missing from ``creditors``; a new one from its first row."""
    for data in rows:
        for given in (data["creditor"], data.get("original_creditor")):
            if given and given["uscc"] not in creditors:
                creditors[given["uscc"]] = Creditor.objects.get_or_create(
                    uscc=given["uscc"],
                    defaults={
                        "name": given["name"],
                        "address": given.get("address", ""),
                        "representative": given.get("representative", ""),
                        "representative_title": given.get("representative_title", ""),
                        "service_phone": given.get("service_phone", ""),
                    },
                )[0]
    return creditors


def _portfolios_of(rows: list[dict]) -> dict[str, Portfolio]:
    names = {data["portfolio"] for data in rows if data.get("portfolio")}
    portfolios = {portfolio.name: portfolio for portfolio in Portfolio.objects.filter(name__in=names)}
    for name in names - set(portfolios):
        portfolios[name] = Portfolio.objects.get_or_create(name=name)[0]
    return portfolios


def _parties_of(persons: list[dict]) -> dict[str, tuple[int, str]]:
    """``id_number -> (party id, name)`` for these people; one party per number, a new one from its first mention."""
    numbers = {person["id_number"] for person in persons}
    parties = {number: (pk, name) for number, pk, name in Party.objects.filter(id_number__in=numbers).values_list(
        "id_number", "pk", "name"
    )}  # fmt: skip
    missing: dict[str, tuple] = {}
    phones: dict[str, list[tuple[str, str]]] = {}
    for person in persons:
        number = person["id_number"]
        if number not in parties and number not in missing:
            phones[number] = _phones_of(person)
            first_ok = next((phone for phone, status in phones[number] if status == PartyPhone.Status.OK), "")
            missing[number] = (
                Party.Kind.PERSON.value,
                person["name"],
                number,
                person.get("gender") or "",
                person.get("birth_date"),
                first_ok,
                person.get("address", ""),
                *(person.get(name, "") for name in PERSON_TEXT_FIELDS),
            )
    ids = rows_insert(Party, PARTY_COLUMNS, list(missing.values()))
    phone_rows = []
    now = timezone.now()
    for pk, (_kind, name, number, *_rest) in zip(ids, missing.values(), strict=True):
        parties[number] = (pk, name)
        phone_rows += [(pk, phone, status, n, now) for n, (phone, status) in enumerate(phones[number], start=1)]
    rows_insert(PartyPhone, ("party_id", "number", "status", "position", "created_at"), phone_rows)
    party_keys_refresh(party_ids=ids)
    return parties


def _phones_of(person: dict) -> list[tuple[str, str]]:
    """A new party's numbers: ``phone`` first (in use), then ``phones`` (v1.1), each number once."""
    numbers: dict[str, str] = {}
    if person.get("phone"):
        numbers[person["phone"]] = PartyPhone.Status.OK.value
    for phone in person.get("phones") or []:
        numbers.setdefault(phone["number"], phone.get("status") or PartyPhone.Status.OK.value)
    if person.get("phone") and numbers[person["phone"]] == PartyPhone.Status.OK.value:
        # ``phones`` may say a given ``phone`` is wrong: the list's status stands.
        for phone in person.get("phones") or []:
            if phone["number"] == person["phone"]:
                numbers[person["phone"]] = phone.get("status") or PartyPhone.Status.OK.value
    return list(numbers.items())


def _transfers_away(creditor_ids: set[int], accounts: set[str]) -> dict[tuple[int, str], ClaimTransfer]:
    """The latest transfer by which each of these creditors gave up each of these accounts."""
    latest: dict[tuple[int, str], ClaimTransfer] = {}
    steps = (
        ClaimTransfer.objects.filter(from_creditor_id__in=creditor_ids, debt__account_number__in=accounts)
        .select_related("debt__matter", "to_creditor")
        .order_by("-effective_on", "-id")
    )
    for step in steps:
        latest.setdefault((step.from_creditor_id, step.debt.account_number), step)
    return latest


def _transferred_conflict(step: ClaimTransfer) -> EscalationConflict:
    matter = step.debt.matter
    return EscalationConflict(
        matter,
        _(
            "Matter %(number)s holds this account: the claim was transferred to %(to)s on %(date)s, "
            "so only the current creditor may escalate it."
        )
        % {"number": matter.number, "to": step.to_creditor.name, "date": step.effective_on.isoformat()},
    )


def _guarantees_of(data: dict) -> dict[str, dict]:
    # The same guarantor twice in a request: the last terms given stand (as an update would leave them).
    return {guarantor["id_number"]: guarantor for guarantor in data.get("guarantors") or []}


GUARANTEE_COLUMNS = (
    "guarantee_type", "guarantee_period_ends_on", "type_presumed", "guarantee_signed_on", "guarantee_agreed_period",
)  # fmt: skip


def _guarantee_terms(guarantor: dict, stored: tuple | None = None) -> tuple[str, Any, bool, Any, str]:
    """The terms as ``GUARANTEE_COLUMNS``: a type not given is a general guarantee (民法典 Art. 686
    para 2, ``type_presumed``); the v1.1 ones not given keep what is ``stored``."""
    kept = stored or (None, None, False, None, "")
    kind = guarantor.get("guarantee_type") or None
    return (
        kind or Guarantee.Type.GENERAL,
        guarantor.get("guarantee_period_ends_on"),
        kind is None,
        guarantor["guarantee_signed_on"] if "guarantee_signed_on" in guarantor else kept[3],
        guarantor["guarantee_agreed_period"] if "guarantee_agreed_period" in guarantor else kept[4],
    )


def _interrupts(data: dict, channel: str, outlet: str) -> bool:
    """Whether a delivered demand of the escalation interrupts limitation: a public notice only in
    a national outlet or one of the debtor's province (as ``DemandRecord.interrupts_limitation``)."""
    if channel != DemandChannel.PUBLIC_NOTICE:
        return True
    debtor = data["debtor"]
    home = domicile_province(address=debtor.get("address", ""), id_number=debtor["id_number"])
    return newspaper_notice_counts(outlet, home)


def _demands_of(data: dict) -> dict[tuple, dict]:
    recorded: dict[tuple, dict] = {}
    for demand in data.get("demands") or []:
        recorded.setdefault((demand["date"], demand["channel"]), demand)  # the first of a repeat wins
    return recorded


def _rows_write(*, user: User, rows: list[dict], calendar: HolidayCalendar, memo: dict) -> list[EscalationOutcome]:
    """Write one round of validated escalations with distinct accounts (see ``escalations_store``)."""
    # Only a known creditor can hold a stored account or have transferred one away; the
    # creditors and portfolios a batch introduces are created for the rows stored only.
    usccs = {given["uscc"] for data in rows for given in (data["creditor"], data.get("original_creditor")) if given}
    creditors = {creditor.uscc: creditor for creditor in Creditor.objects.filter(uscc__in=usccs)}
    keys = [(getattr(creditors.get(data["creditor"]["uscc"]), "pk", None), data["account_number"]) for data in rows]
    known = [key for key in keys if key[0] is not None]
    stored = {}
    if known:
        stored = {
            (debt.creditor_id, debt.account_number): debt
            for debt in Debt.objects.select_for_update(of=("self",))
            .select_related("debtor")
            .filter(creditor_id__in={key[0] for key in known}, account_number__in={key[1] for key in known})
        }
    outcomes: list[EscalationOutcome | None] = [None] * len(rows)
    matters: dict[int, Matter] = {}
    if stored:
        matters = {m.debt_id: m for m in Matter.objects.select_for_update().filter(debt__in=stored.values())}
    fresh = [i for i, key in enumerate(keys) if key not in stored]
    known = [i for i in fresh if keys[i][0] is not None]
    transfers = _transfers_away({keys[i][0] for i in known}, {keys[i][1] for i in known}) if known else {}
    for i in fresh:
        if keys[i] in transfers:
            outcomes[i] = EscalationOutcome(CONFLICT, error=_transferred_conflict(transfers[keys[i]]))
    repeats = []
    for i, key in enumerate(keys):
        if key in stored:
            debt = stored[key]
            if debt.debtor.id_number != rows[i]["debtor"]["id_number"]:
                matter = matters[debt.pk]
                outcomes[i] = EscalationOutcome(CONFLICT, matter_id=matter.pk, error=EscalationConflict(matter))
            else:
                repeats.append(i)
    fresh = [i for i in fresh if outcomes[i] is None]
    opening = set(fresh)
    kept = [data for i, data in enumerate(rows) if outcomes[i] is None]
    creditors = _creditors_of(kept, creditors)
    portfolios = _portfolios_of(kept)
    # Parties in the order the rows name them, so the first mention of a new person wins.
    persons = []
    for i, data in enumerate(rows):
        if outcomes[i] is None:
            if i in opening:
                persons.append(data["debtor"])
            persons += list(_guarantees_of(data).values())
    parties = _parties_of(persons)
    if fresh:
        for i, matter_id in zip(fresh, _fresh_write(user, [rows[i] for i in fresh], creditors, portfolios, parties,
                                                    calendar, memo), strict=True):  # fmt: skip
            outcomes[i] = EscalationOutcome(CREATED, matter_id=matter_id)
    for i in repeats:
        debt = stored[keys[i]]
        outcomes[i] = _repeat_write(user, rows[i], debt, matters[debt.pk], creditors, portfolios, parties, calendar)
    return outcomes  # type: ignore[return-value]


def _fresh_write(user, rows, creditors, portfolios, parties, calendar, memo) -> list[int]:
    """Open a matter for each new account: every table written with one statement; return the matters' ids."""
    now = timezone.now()
    defaults = _debt_defaults()
    debt_rows = []
    for data in rows:
        values = {**defaults, **_debt_values(data)}
        values["creditor_id"] = creditors[data["creditor"]["uscc"]].pk
        values["debtor_id"] = parties[data["debtor"]["id_number"]][0]
        if data.get("original_creditor"):
            values["original_creditor_id"] = creditors[data["original_creditor"]["uscc"]].pk
        if data.get("portfolio"):
            values["portfolio_id"] = portfolios[data["portfolio"]].pk
        values["account_number"] = data["account_number"]
        debt_rows.append(tuple(values[name] for name in DEBT_COLUMNS))
    debt_ids = rows_insert(Debt, DEBT_COLUMNS, debt_rows)
    rows_insert(
        AmountStatement,
        STATEMENT_COLUMNS,
        [_statement_row(debt_id, dict(zip(DEBT_COLUMNS, row)), user, now) for debt_id, row in zip(debt_ids, debt_rows)],
    )
    numbers = matter_number_allocate(year=timezone.localdate(now).year, count=len(rows))
    matter_ids = rows_insert(
        Matter,
        ("number", "debt_id", "debtor_name", "owner_id", "stage", "created_at", "stage_changed_at"),
        [
            (number, debt_id, parties[data["debtor"]["id_number"]][1], None, Stage.INTAKE.value, now, now)
            for number, debt_id, data in zip(numbers, debt_ids, rows, strict=True)
        ],
    )
    rows_insert(
        MatterEvent,
        ("matter_id", "actor_id", "kind", "new", "at"),
        [
            (matter_id, user.pk, EventKind.CREATED.value, {"number": number, "stage": Stage.INTAKE.value}, now)
            for matter_id, number in zip(matter_ids, numbers, strict=True)
        ],
    )
    guarantees, demands, deadlines = [], [], []
    for data, debt_id, matter_id, debt_row in zip(rows, debt_ids, matter_ids, debt_rows, strict=True):
        facts = MatterFacts(matter_id, data.get("matured_on") or data["overdue_since"], data.get("last_payment_date"))
        for number, guarantor in _guarantees_of(data).items():
            party_id = parties[number][0]
            guarantees.append((debt_id, party_id, *_guarantee_terms(guarantor), parties[number][1], matter_id))
            facts.guarantees.append((party_id, guarantees[-1][3]))  # (guarantor, agreed end)
        for (day, channel), demand in _demands_of(data).items():
            delivered = demand.get("delivered", False)
            outlet = demand.get("outlet", "")
            demands.append((debt_id, day, channel, delivered, outlet, demand.get("note", "")))
            if delivered and _interrupts(data, channel, outlet):
                facts.delivered_demands.append(day)
        for (kind, party_id, action_id, sequence), computed in deadlines_computed(facts, calendar, memo).items():
            deadlines.append(
                (matter_id, kind, party_id, action_id, sequence, computed.on, computed.rule,
                 computed.verified_calendar, computed.computed_from, computed.basis_digest, now)
            )  # fmt: skip
    rows_insert(Guarantee, ("debt_id", "guarantor_id", *GUARANTEE_COLUMNS, "guarantor_name", "matter_id"), guarantees)
    rows_insert(DemandRecord, ("debt_id", "date", "channel", "delivered", "outlet", "note"), demands)
    rows_insert(
        Deadline,
        ("matter_id", "kind", "party_id", "enforcement_action_id", "sequence", "due_on", "rule", "verified_calendar",
         "computed_from", "basis_digest", "created_at"),
        deadlines,
    )  # fmt: skip
    Matter.objects.filter(pk__in=matter_ids).sort_columns_refresh()
    return matter_ids


def _repeat_write(user, data, debt, matter, creditors, portfolios, parties, calendar) -> EscalationOutcome:
    """A stored account escalated again by its creditor, for the same debtor: update what changed."""
    fields = _debt_values(data)
    # Given, they replace what is recorded; null or absent leaves it (an AMC's feed after
    # it bought the debt must not wipe the lender or the portfolio the transfer recorded).
    if data.get("original_creditor"):
        fields["original_creditor_id"] = creditors[data["original_creditor"]["uscc"]].pk
    if data.get("portfolio"):
        fields["portfolio_id"] = portfolios[data["portfolio"]].pk
    old = _amounts_of(debt)
    statement_before = debt.statement_values()
    changed = [name for name, value in fields.items() if getattr(debt, name) != value]
    for name in changed:
        setattr(debt, name, fields[name])
    if changed:
        debt.save(update_fields=changed)
        Matter.objects.filter(pk=matter.pk).sort_columns_refresh()
    if debt.statement_values() != statement_before:
        AmountStatement.objects.create(debt=debt, created_by=user, **debt.statement_values())
    terms = {row[0]: row[1:] for row in debt.guarantees.values_list("guarantor_id", *GUARANTEE_COLUMNS)}
    guarantees_changed = False
    for number, guarantor in _guarantees_of(data).items():
        party_id = parties[number][0]
        wanted = _guarantee_terms(guarantor, terms.get(party_id))
        if terms.get(party_id) != wanted:
            Guarantee.objects.update_or_create(
                debt=debt, guarantor_id=party_id, defaults=dict(zip(GUARANTEE_COLUMNS, wanted, strict=True))
            )
            guarantees_changed = True
    recorded = set(debt.demands.values_list("date", "channel"))
    new_demands = [
        DemandRecord(
            debt=debt,
            date=day,
            channel=channel,
            delivered=demand.get("delivered", False),
            outlet=demand.get("outlet", ""),
            note=demand.get("note", ""),
        )
        for (day, channel), demand in _demands_of(data).items()
        if (day, channel) not in recorded
    ]
    DemandRecord.objects.bulk_create(new_demands)
    added = len(new_demands)
    if changed or added:
        record_event(
            matter=matter,
            actor=user,
            kind=EventKind.UPDATED,
            old={"amounts": old},
            new={"amounts": _amounts_of(debt), "demands_added": added},
        )
    if not (changed or added or guarantees_changed):
        return EscalationOutcome(UNCHANGED, matter_id=matter.pk)
    matter_deadlines_recompute(matter_id=matter.pk, calendar=calendar)
    return EscalationOutcome(UPDATED, matter_id=matter.pk)
