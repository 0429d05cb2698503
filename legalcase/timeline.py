"""A timeline entry told as a sentence a lawyer would write: the one renderer of ``MatterEvent``.

``event_text(event)`` is what the matter page, the firm's activity page, the lawyers'
landing page and the events API show, in the active language (Chinese by default, English
when chosen). Values are labelled and formatted: amounts "1,234.56元", dates "2026年6月30日",
times in Beijing time, choices by their labels, ids resolved to names or left out. No field
key, enum code or ISO timestamp reaches the reader.

Each ``EventKind`` has a sentence (``SENTENCES``). A correction event, or a kind this module
does not know yet, is told generically from its flat ``old``/``new`` dicts as
"将<label>由「old」改为「new」", each key labelled by ``FIELD_LABELS`` (else the model field's
verbose name, else "其他信息"). Values stored masked stay masked: this module never reads a
clear value.

Apps above ``legalcase`` (templates_docx, evidence) name their rows through
``register_resolver`` (e.g. a document template's name by its code), called from their
``AppConfig.ready``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from legalcase.models import (
    CourtNoticeKind,
    RULES_BY_ID,
    Asset,
    ComplaintKind,
    ComplaintSource,
    ContactChannel,
    ContactDirection,
    ContactOutcome,
    PromiseStatus,
    ClosingReason,
    Cost,
    Debt,
    DeadlineKind,
    DeadlineStatus,
    DemandAddressKind,
    DemandChannel,
    DemandCourier,
    EnforcementAction,
    EventKind,
    FeeInvoice,
    Guarantee,
    MatterEvent,
    Party,
    Proceeding,
    Product,
    RecoverySource,
    Ruling,
    ServiceMethod,
    Settlement,
    Stage,
    TrackingStatus,
    TaskStatus,
    User,
)
from legalcase.models.triage import SCREENING_LABELS, AbilityToPay, Recommendation, Willingness
from legalcase.money import percent_text

BEIJING = ZoneInfo("Asia/Shanghai")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")

# --- Values -------------------------------------------------------------------------------


def date_text(value) -> str:
    """A date as the reader writes it: "2026年6月30日" / "June 30, 2026"; "—" for none."""
    if value in (None, ""):
        return "—"
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        return when_text(value)
    return formats.date_format(value, "DATE_FORMAT")


def when_text(value) -> str:
    """A moment in Beijing time: "2026年6月30日 10:15" / "June 30, 2026, 10:15"."""
    if value in (None, ""):
        return "—"
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if value.tzinfo is not None:
        value = value.astimezone(BEIJING)
    return _("%(date)s %(time)s") % {
        "date": formats.date_format(value.date(), "DATE_FORMAT"),
        "time": value.strftime("%H:%M"),
    }


def money_text(value) -> str:
    """An amount in yuan: "1,234.56元" / "CNY 1,234.56"."""
    if value in (None, ""):
        return "—"
    try:
        amount = f"{Decimal(str(value)):,.2f}"
    except (InvalidOperation, ValueError):
        return str(value)
    return _("CNY %(amount)s") % {"amount": amount}


def _choices_registry() -> dict[str, list[type[models.TextChoices]]]:
    """Every TextChoices of Fasu's apps (legalcase, evidence, templates_docx), by value."""
    found: dict[str, list[type[models.TextChoices]]] = {}
    pending = list(models.TextChoices.__subclasses__())
    while pending:
        choices = pending.pop()
        pending.extend(choices.__subclasses__())
        if not choices.__module__.split(".")[0] in ("legalcase", "evidence", "templates_docx"):
            continue
        if choices is EventKind:
            continue
        for value in choices.values:
            found.setdefault(value, []).append(choices)
    return found


_REGISTRY: dict[str, list[type[models.TextChoices]]] | None = None


def all_choice_values() -> set[str]:
    """The values (codes) of every TextChoices of Fasu's apps: none of them may reach a reader."""
    return set(_registry()) | set(EventKind.values)


def _registry() -> dict[str, list[type[models.TextChoices]]]:
    global _REGISTRY
    if _REGISTRY is None:
        _REGISTRY = _choices_registry()
    return _REGISTRY


def choice_text(value, choices: type[models.TextChoices] | None = None) -> str:
    """A stored code by its label: the given choices first, then any of Fasu's choices holding it."""
    if value in (None, ""):
        return "—"
    value = str(value)
    if choices is not None and value in choices.values:
        return str(choices(value).label)
    for found in _registry().get(value, []):
        return str(found(value).label)
    # A code no choices know (a kind added since): not shown as a code.
    return _("other") if re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)+", value) else value


# The choices a key's values come from, where the key alone tells (else the registry decides).
KEY_CHOICES: dict[str, type[models.TextChoices]] = {
    "stage": Stage,
    "reason": ClosingReason,
    "product": Product,
    "gender": Party.Gender,
    "repayment_method": Debt.RepaymentMethod,
    "guarantee_type": Guarantee.Type,
    "method": ServiceMethod,
    "channel": DemandChannel,
    "courier": DemandCourier,
    "address_kind": DemandAddressKind,
    "tracking_status": TrackingStatus,
}

# A phone's status (API.md ``phones``), until the choices that hold it are known here.
PHONE_STATUS = {
    "ok": gettext_lazy("valid"),
    "wrong": gettext_lazy("wrong number"),
    "do_not_call": gettext_lazy("do not call"),
}

MONEY_KEYS = {
    "amount", "principal", "interest", "penalty_interest", "compound_interest", "late_fees", "fees", "costs",
    "total", "repaid_principal", "repaid_interest", "loan_amount", "credit_limit", "estimated_value", "fixed_fee",
    "cap", "paid", "paid_amount", "outstanding", "reduction", "costs_recoverable", "computed_amount",
    "principal_awarded", "interest_awarded", "acceptance_fee", "acceptance_fee_charged", "claim_total",
}  # fmt: skip
RATE_KEYS = {"annual_interest_rate", "penalty_rate", "compound_rate", "contingency_rate", "rate"}

FIELD_LABELS: dict[str, Any] = {
    # Parties
    "name": pgettext_lazy("field", "name"),
    "id_number": gettext_lazy("identity number"),
    "gender": gettext_lazy("gender"),
    "birth_date": gettext_lazy("date of birth"),
    "phones": gettext_lazy("phone numbers"),
    "phone": pgettext_lazy("field", "phone"),
    "ethnicity": gettext_lazy("ethnicity"),
    "workplace": gettext_lazy("work unit"),
    "position": pgettext_lazy("field", "position"),
    "address": gettext_lazy("domicile"),
    "habitual_residence": gettext_lazy("habitual residence"),
    "service_address": gettext_lazy("agreed service address"),
    "representative": gettext_lazy("legal representative"),
    "representative_title": gettext_lazy("legal representative's title"),
    "service_phone": gettext_lazy("service phone"),
    # Debt terms
    "contract_number": gettext_lazy("contract number"),
    "contract_date": gettext_lazy("contract date"),
    "loan_amount": gettext_lazy("loan amount"),
    "credit_limit": gettext_lazy("credit limit"),
    "disbursed_on": gettext_lazy("disbursement date"),
    "issued_on": gettext_lazy("issue date"),
    "term_ends_on": gettext_lazy("term end"),
    "repayment_method": gettext_lazy("repayment method"),
    "branch": gettext_lazy("branch"),
    "annual_interest_rate": gettext_lazy("annual interest rate"),
    "penalty_rate": gettext_lazy("penalty interest rate"),
    "compound_rate": gettext_lazy("compound interest rate"),
    "day_count": gettext_lazy("day count"),
    "product": gettext_lazy("product"),
    # Amounts
    "as_of": gettext_lazy("amounts as of"),
    "amounts": gettext_lazy("amounts"),
    "principal": gettext_lazy("principal"),
    "interest": gettext_lazy("interest"),
    "penalty_interest": gettext_lazy("penalty interest"),
    "compound_interest": gettext_lazy("compound interest"),
    "late_fees": gettext_lazy("late fees"),
    "fees": gettext_lazy("fees"),
    "costs": gettext_lazy("costs"),
    "total": pgettext_lazy("field", "total"),
    "repaid_principal": gettext_lazy("principal repaid"),
    "repaid_interest": gettext_lazy("interest repaid"),
    "interest_paid_to": gettext_lazy("interest paid up to"),
    "demands_added": gettext_lazy("demands added"),
    "portfolio": gettext_lazy("portfolio"),
    # Guarantees
    "guarantee_signed_on": gettext_lazy("guarantee contract signed on"),
    "guarantee_type": gettext_lazy("guarantee type"),
    "guarantee_agreed_period": gettext_lazy("agreed guarantee period"),
    "guarantee_period_ends_on": gettext_lazy("guarantee period ends on"),
    # Assignment and firm
    "lawyers": gettext_lazy("lawyers"),
    "licence_number": gettext_lazy("licence number"),
    "firm": gettext_lazy("law firm"),
    "owner": gettext_lazy("owner"),
    "forum": gettext_lazy("court or arbitration commission"),
    # Evidence
    "title": gettext_lazy("title"),
    "kind": gettext_lazy("kind"),
    "purpose": gettext_lazy("purpose of proof"),
    "document_date": gettext_lazy("document date"),
    "source": gettext_lazy("source"),
    "group": gettext_lazy("group"),
    "withdrawn_reason": gettext_lazy("reason for withdrawal"),
    "type_presumed": gettext_lazy("guarantee type presumed (the contract does not state it)"),
    "delay_base_includes_fee": gettext_lazy("delayed-performance interest base includes the acceptance fee"),
    # Proceedings, rulings, deadlines
    "status": gettext_lazy("status"),
    "due_on": gettext_lazy("due on"),
    "computed_on": gettext_lazy("computed date"),
    "case_number": gettext_lazy("case number"),
    "filed_on": gettext_lazy("filed on"),
    "accepted_on": gettext_lazy("accepted on"),
    "closed_on": gettext_lazy("closed on"),
    "judge": gettext_lazy("judge or arbitrator"),
    "clerk": gettext_lazy("clerk"),
    "contact_phone": gettext_lazy("contact phone"),
    "outcome": gettext_lazy("outcome"),
    "fee_notice_received_on": gettext_lazy("fee notice received on"),
    "measures_taken_on": gettext_lazy("preservation measures taken on"),
    "method": gettext_lazy("method"),
    "served_on": gettext_lazy("served on"),
    "published_on": gettext_lazy("published on"),
    "party": gettext_lazy("party"),
    "at": gettext_lazy("at"),
    "place": gettext_lazy("place"),
    "decided_on": gettext_lazy("decided on"),
    "court": gettext_lazy("court or arbitration commission"),
    "principal_awarded": gettext_lazy("principal awarded"),
    "interest_awarded": gettext_lazy("interest awarded"),
    "acceptance_fee": gettext_lazy("acceptance fee"),
    "acceptance_fee_charged": gettext_lazy("acceptance fee charged"),
    "appealable": gettext_lazy("appealable"),
    "performance_days": gettext_lazy("performance days"),
    "description": gettext_lazy("description"),
    "identifier": gettext_lazy("identifier"),
    "note": gettext_lazy("note"),
    "started_on": gettext_lazy("start date"),
    "expires_on": gettext_lazy("expiry date"),
    "ends_on": gettext_lazy("end date"),
    "fixed_fee": gettext_lazy("fixed fee"),
    "stage_fees": gettext_lazy("stage fees"),
    "contingency_rate": gettext_lazy("contingency fee rate"),
    "cap": gettext_lazy("fee cap"),
    "number": pgettext_lazy("field", "number"),
    # Demands and their courier tracking
    "delivered": gettext_lazy("delivered"),
    "delivered_on": gettext_lazy("delivered on"),
    "delivery_rule": gettext_lazy("delivery rule"),
    "tracking_status": gettext_lazy("courier status"),
    "proof_title": gettext_lazy("proof of delivery"),
    "waybill": gettext_lazy("waybill number"),
}

# An evidence item's ``position`` is its place in the list, not a party's job.
EVIDENCE_LABELS = {"position": pgettext_lazy("field", "order in the list")}

# Keys that are ids of rows (shown by name elsewhere in the sentence, or not at all).
ID_KEYS = {
    "evidence", "bundle", "proceeding", "deadline", "ruling", "hearing", "document", "service_record", "action",
    "recovery", "cost", "asset", "settlement", "invoice", "assignment", "payment", "batch", "renews", "reverses",
    "portfolio_transfer_id", "sha256", "version", "text_source", "id", "demand", "proof",
}  # fmt: skip
# Models whose fields may name an unknown key (their verbose name is its label).
LABEL_MODELS = (
    ("legalcase", "Party"), ("legalcase", "Debt"), ("legalcase", "Guarantee"), ("legalcase", "Matter"),
    ("legalcase", "Assignment"), ("legalcase", "LawFirm"), ("legalcase", "Creditor"), ("legalcase", "Proceeding"),
    ("legalcase", "Ruling"), ("evidence", "EvidenceItem"),
)  # fmt: skip


def field_label(key: str, labels: dict | None = None) -> str:
    """A stored key as the reader calls it; never the key itself."""
    if labels and key in labels:
        return str(labels[key])
    if key in FIELD_LABELS:
        return str(FIELD_LABELS[key])
    for app_label, model_name in LABEL_MODELS:
        try:
            field = apps.get_model(app_label, model_name)._meta.get_field(key)
        except (LookupError, FieldDoesNotExist):
            continue
        verbose = getattr(field, "verbose_name", None)
        if verbose:
            return str(verbose)
    return _("other details")


def value_text(key: str, value, choices: type[models.TextChoices] | None = None) -> str:
    """A stored value of ``key`` as the reader writes it (masked values stay masked)."""
    if value is None or value == "" or value == [] or value == {}:
        return _("(none)")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dict):
        if "number" in value and "status" in value:  # one phone: {"number", "status"}
            status = value["status"]
            label = PHONE_STATUS[status] if status in PHONE_STATUS and status not in _registry() else None
            return _("%(number)s (%(status)s)") % {"number": value["number"], "status": label or choice_text(status)}
        if "name" in value and ("licence_number" in value or "phone" in value):  # one lawyer
            details = [
                f"{field_label(k)} {value_text(k, value[k])}" for k in ("licence_number", "phone") if value.get(k)
            ]
            return value["name"] + (_(" (%(details)s)") % {"details": _list(details)} if details else "")
        return _list(
            f"{field_label(k)} {value_text(k, v)}" for k, v in value.items() if k not in ID_KEYS and not k.endswith("_id")
        )
    if isinstance(value, list):
        return pgettext("list", ", ").join(value_text(key, item, choices) for item in value)
    if key in RATE_KEYS:
        return percent_text(value)
    if key in MONEY_KEYS and not isinstance(value, str | int | float | Decimal):
        return str(value)
    if key in MONEY_KEYS:
        return money_text(value)
    if isinstance(value, str):
        if ISO_DATE.match(value):
            return date_text(value)
        if ISO_DATETIME.match(value):
            return when_text(value)
        if choices is not None or key in KEY_CHOICES or value in _registry() or "_" in value:
            return choice_text(value, choices or KEY_CHOICES.get(key))
    if isinstance(value, dt.datetime):
        return when_text(value)
    if isinstance(value, dt.date):
        return date_text(value)
    return str(value)


def _list(parts: Iterable[str]) -> str:
    return pgettext("clauses", "; ").join(str(part) for part in parts if part)


def _q(value: str) -> str:
    """A value quoted: 「value」 / “value”."""
    return _("“%(value)s”") % {"value": value}


def field_changes(
    old: dict | None, new: dict | None, *, skip: Iterable[str] = (), labels: dict | None = None
) -> list[str]:
    """Each changed field as a clause: "将<label>由「old」改为「new」" (or set / cleared)."""
    old, new = old if isinstance(old, dict) else {}, new if isinstance(new, dict) else {}
    skipped = set(skip) | ID_KEYS
    clauses = []
    for key in [*new, *(k for k in old if k not in new)]:
        if key in skipped or key.endswith("_id"):
            continue
        before, after = old.get(key), new.get(key)
        if before == after and key in old:
            continue
        label = field_label(key, labels)
        if key not in old or before in (None, "", [], {}):
            clauses.append(_("set %(label)s to %(new)s") % {"label": label, "new": _q(value_text(key, after))})
        elif after in (None, "", [], {}):
            clauses.append(
                _("cleared %(label)s (was %(old)s)") % {"label": label, "old": _q(value_text(key, before))}
            )
        else:
            clauses.append(
                _("changed %(label)s from %(old)s to %(new)s")
                % {"label": label, "old": _q(value_text(key, before)), "new": _q(value_text(key, after))}
            )
    return clauses


# --- Names resolved from ids ------------------------------------------------------------

# ``register_resolver("template", fn)``: fn(values) -> name or None. Set by apps above legalcase.
RESOLVERS: dict[str, Callable[[dict], str | None]] = {}


def register_resolver(name: str, resolver: Callable[[dict], str | None]) -> None:
    RESOLVERS[name] = resolver


def _resolved(name: str, values: dict) -> str | None:
    resolver = RESOLVERS.get(name)
    try:
        return resolver(values) if resolver else None
    except Exception:  # a name is a courtesy: never fail a page over it
        return None


def _user_name(value) -> str:
    """An owner stored as a username (older entries) or a name, as the reader knows them."""
    if not value:
        return ""
    user = User.objects.filter(username=value).only("first_name", "last_name", "username").first()
    return user.display_name if user else str(value)


def _row_kind(model, pk, choices) -> str:
    if pk is None:
        return ""
    kind = model.objects.filter(pk=pk).values_list("kind", flat=True).first()
    return choice_text(kind, choices) if kind else ""


# --- Sentences ---------------------------------------------------------------------------


def _d(data) -> dict:
    return data if isinstance(data, dict) else {}


def _sentence(*parts: str) -> str:
    """Clauses joined into one sentence with its full stop."""
    text = pgettext("clauses", ", ").join(str(part) for part in parts if part)
    return _("%(text)s.") % {"text": text} if text else ""


def _created(e: MatterEvent, old: dict, new: dict) -> str:
    return _sentence(
        _("Opened matter %(number)s at the stage %(stage)s")
        % {"number": new.get("number") or e.matter.number, "stage": _q(choice_text(new.get("stage"), Stage))}
    )


def _stage_changed(e, old, new) -> str:
    parts = [
        _("Moved the matter from %(old)s to %(new)s")
        % {"old": _q(choice_text(old.get("stage"), Stage)), "new": _q(choice_text(new.get("stage"), Stage))}
    ]
    if new.get("reason"):
        parts.append(_("reason for closing: %(reason)s") % {"reason": choice_text(new["reason"], ClosingReason)})
    return _sentence(*parts)


def _owner_changed(e, old, new) -> str:
    before = old.get("owner_name") or _user_name(old.get("owner"))
    after = new.get("owner_name") or _user_name(new.get("owner"))
    if before and after:
        return _sentence(_("Changed the owner from %(old)s to %(new)s") % {"old": before, "new": after})
    if after:
        return _sentence(_("Made %(new)s the matter's owner") % {"new": after})
    if before:
        return _sentence(_("Removed %(old)s as the matter's owner") % {"old": before})
    return _sentence(_("Cleared the matter's owner"))


def _firm_assigned(e, old, new) -> str:
    if old.get("firm"):
        return _sentence(
            _("Instructed %(firm)s on the matter in place of %(old)s") % {"firm": new.get("firm"), "old": old["firm"]}
        )
    return _sentence(_("Instructed %(firm)s on the matter") % {"firm": new.get("firm") or "—"})


def _firm_unassigned(e, old, new) -> str:
    return _sentence(_("Ended the instruction of %(firm)s") % {"firm": old.get("firm") or "—"})


def _revealed(e, old, new) -> str:
    return _sentence(_("Viewed the full personal data of the debtor and guarantors"))


def _updated(e, old, new) -> str:
    parts = []
    if "portfolio" in new:
        if old.get("portfolio"):
            parts.append(
                _("Moved the matter from portfolio %(old)s to %(new)s")
                % {"old": _q(old["portfolio"]), "new": _q(new["portfolio"] or "—")}
            )
        else:
            parts.append(_("Added the matter to portfolio %(new)s") % {"new": _q(new["portfolio"] or "—")})
    if "amounts" in new:
        amounts_old, amounts_new = _d(old.get("amounts")), _d(new.get("amounts"))
        changes = field_changes(amounts_old, amounts_new)
        parts.append(
            _("Updated the amounts claimed: %(changes)s") % {"changes": _list(changes)}
            if changes
            else _("Confirmed the amounts claimed")
        )
    if new.get("demands_added"):
        parts.append(_("added %(count)s demand record(s)") % {"count": new["demands_added"]})
    rest_old = {k: v for k, v in old.items() if k not in ("portfolio", "amounts")}
    rest_new = {k: v for k, v in new.items() if k not in ("portfolio", "amounts", "demands_added")}
    changes = field_changes(rest_old, rest_new)
    if changes:
        parts.append(_list(changes))
    return _sentence(*parts) or _sentence(_("Updated the matter"))


def _evidence_added(e, old, new) -> str:
    return _sentence(_("Added evidence %(title)s") % {"title": _q(new.get("title") or "—")})


def _evidence_downloaded(e, old, new) -> str:
    title = _q(new.get("title") or "—")
    if "bundle" in new:
        if new.get("index"):
            return _sentence(
                _("Downloaded the evidence index (Word) of bundle %(title)s, version %(version)s")
                % {"title": title, "version": new.get("version") or 1}
            )
        return _sentence(
            _("Downloaded evidence bundle %(title)s, version %(version)s")
            % {"title": title, "version": new.get("version") or 1}
        )
    return _sentence(_("Downloaded evidence %(title)s") % {"title": title})


def _evidence_tampered(e, old, new) -> str:
    title = _q(new.get("title") or "—")
    if not new.get("sha256"):
        return _sentence(_("The stored file of evidence %(title)s is missing") % {"title": title})
    return _sentence(_("The stored file of evidence %(title)s no longer matches the file uploaded") % {"title": title})


# The four points of a cross-examination (质证), in the order the court weighs them.
CROSS_EXAMINATION_POINTS = {
    "authenticity": gettext_lazy("authenticity"),
    "legality": gettext_lazy("legality"),
    "relevance": gettext_lazy("relevance"),
    "purpose": gettext_lazy("purpose of proof"),
}


def _admission_text(value) -> str:
    if value is True:
        return _("admitted")
    if value is False:
        return _("disputed")
    return _("no position taken")


def _short(value: str, length: int = 40) -> str:
    value = " ".join(str(value or "").split())
    return value if len(value) <= length else value[: length - 1] + "…"


def _evidence_cross_examined(e, old, new) -> str:
    """"记录了对方对证据“借款合同”的质证意见（2026年3月10日）：真实性：不认可（…）；我方回应：“…”"."""
    title = _q(new.get("title") or e.note or "—")
    head = _("Recorded the other side's cross-examination of evidence %(title)s") % {"title": title}
    if new.get("examined_on"):
        head += _(" (examined on %(date)s)") % {"date": date_text(new["examined_on"])}
    if new.get("case_number"):
        head += _(" in case %(number)s") % {"number": new["case_number"]}
    parts = []
    for point, label in CROSS_EXAMINATION_POINTS.items():
        admitted, opinion = f"{point}_admitted", f"{point}_opinion"
        if admitted not in new and opinion not in new:
            continue
        text = f"{label}：{_admission_text(new.get(admitted))}"
        if new.get(opinion):
            text += f"（{_short(new[opinion])}）"
        parts.append(text)
    if "reply" in new:
        parts.append(
            _("our reply: %(reply)s") % {"reply": _q(_short(new["reply"]))} if new["reply"] else _("our reply cleared")
        )
    return _sentence(head + ("：" + "；".join(parts) if parts else ""))


def _deadline_closed(e, old, new) -> str:
    return _sentence(
        _("Marked the deadline %(kind)s (due %(due)s) as %(status)s")
        % {
            "kind": _q(choice_text(new.get("kind"), DeadlineKind)),
            "due": date_text(new.get("due_on")),
            "status": _q(choice_text(new.get("status"), DeadlineStatus)),
        }
    )


def _deadline_overridden(e, old, new) -> str:
    parts = [
        _("Changed the due date of the deadline %(kind)s from %(old)s to %(new)s")
        % {
            "kind": _q(choice_text(new.get("kind") or old.get("kind"), DeadlineKind)),
            "old": date_text(old.get("due_on")),
            "new": date_text(new.get("due_on")),
        }
    ]
    if new.get("computed_on"):
        parts.append(_("the date computed by the rules is %(date)s") % {"date": date_text(new["computed_on"])})
    return _sentence(*parts)


def _forum_set(e, old, new) -> str:
    if new.get("forum") and old.get("forum"):
        return _sentence(
            _("Changed the court or arbitration commission from %(old)s to %(new)s")
            % {"old": old["forum"], "new": new["forum"]}
        )
    if new.get("forum"):
        return _sentence(_("Set the court or arbitration commission to %(new)s") % {"new": new["forum"]})
    return _sentence(_("Cleared the court or arbitration commission (was %(old)s)") % {"old": old.get("forum") or "—"})


def _template_name(new: dict) -> str:
    return (
        new.get("template_name")
        or _resolved("template", new)
        or (_("a filing") if new.get("template") else _("a document"))
    )


def _document_requested(e, old, new) -> str:
    name = _("“%(name)s”") % {"name": _template_name(new)}
    if new.get("batch"):
        return _sentence(_("Generated %(name)s in a batch") % {"name": name})
    return _sentence(_("Generated %(name)s") % {"name": name})


FORMATS = {"pdf": "PDF", "docx": "Word"}


def _document_downloaded(e, old, new) -> str:
    name = _("“%(name)s”") % {"name": _template_name(new)}
    fmt = FORMATS.get(str(new.get("format") or "").lower())
    if new.get("batch") and str(new.get("format")).lower() == "zip":
        return _sentence(_("Downloaded %(name)s with its batch (ZIP file)") % {"name": name})
    if fmt:
        return _sentence(_("Downloaded %(name)s (%(format)s)") % {"name": name, "format": fmt})
    return _sentence(_("Downloaded %(name)s") % {"name": name})


def _proceeding_recorded(e, old, new) -> str:
    parts = [_("Recorded a proceeding: %(kind)s") % {"kind": _q(choice_text(new.get("kind"), Proceeding.Kind))}]
    if new.get("case_number"):
        parts.append(_("case number %(number)s") % {"number": new["case_number"]})
    if new.get("forum"):
        parts.append(_("before %(forum)s") % {"forum": new["forum"]})
    if new.get("filed_on"):
        parts.append(_("filed on %(date)s") % {"date": date_text(new["filed_on"])})
    if new.get("limitation_interrupted"):
        parts.append(_("the limitation period is interrupted"))
    return _sentence(*parts)


def _proceeding_updated(e, old, new) -> str:
    changes = field_changes(old, new)
    kind = _row_kind(Proceeding, new.get("proceeding"), Proceeding.Kind)
    head = _("Updated the proceeding %(kind)s") % {"kind": _q(kind)} if kind else _("Updated the proceeding")
    if not changes and e.note:
        return _sentence(head)
    return _sentence(head, *changes)


def _service_recorded(e, old, new) -> str:
    parts = [
        _("Recorded service by %(method)s") % {"method": _q(choice_text(new.get("method"), ServiceMethod))},
    ]
    if new.get("party"):
        parts.append(_("on %(party)s") % {"party": new["party"]})
    if new.get("served_on"):
        parts.append(_("effective %(date)s") % {"date": date_text(new["served_on"])})
    return _sentence(*parts)


def _hearing_added(e, old, new) -> str:
    parts = [_("Scheduled a hearing for %(at)s") % {"at": when_text(new.get("at"))}]
    if new.get("place"):
        parts.append(_("at %(place)s") % {"place": new["place"]})
    if new.get("summons_served_on"):
        parts.append(_("summons served on %(date)s") % {"date": date_text(new["summons_served_on"])})
    return _sentence(*parts)


# The labels of a hearing's fields (Hearing is not among LABEL_MODELS: its "at" would read 时间 anyway).
HEARING_LABELS = {
    "place": gettext_lazy("hearing place"),
    "note": gettext_lazy("hearing note"),
    "summons_served_on": gettext_lazy("summons served on"),
}


def _hearing_moved(e, old, new) -> str:
    parts = []
    if old.get("at") != new.get("at") and new.get("at"):
        parts.append(
            _("Moved the hearing from %(old)s to %(new)s") % {"old": when_text(old.get("at")), "new": when_text(new["at"])}
        )
    else:
        parts.append(_("Changed the hearing of %(at)s") % {"at": when_text(new.get("at") or old.get("at"))})
    parts += field_changes(old, new, skip=("at",), labels=HEARING_LABELS)
    return _sentence(*parts)


def _court_dates_set(e, old, new) -> str:
    kind = _row_kind(Proceeding, new.get("proceeding"), Proceeding.Kind)
    head = _("Set the court dates of the proceeding %(kind)s") % {"kind": _q(kind)} if kind else _(
        "Set the court dates of the proceeding"
    )
    return _sentence(head, *field_changes(old, new))


def _ruling_recorded(e, old, new) -> str:
    kind = _q(choice_text(new.get("kind"), Ruling.Kind)) if new.get("kind") else _("a ruling")
    if new.get("text_source"):
        parts = [_("Read the text of %(kind)s again") % {"kind": kind}]
        parts += field_changes({k: v for k, v in old.items()}, {k: v for k, v in new.items() if k in old})
        return _sentence(*parts)
    parts = [_("Recorded %(kind)s") % {"kind": kind}]
    if new.get("case_number"):
        parts.append(_("case number %(number)s") % {"number": new["case_number"]})
    if new.get("served_on"):
        parts.append(_("served on %(date)s") % {"date": date_text(new["served_on"])})
    return _sentence(*parts)


def _ruling_confirmed(e, old, new) -> str:
    kind = _row_kind(Ruling, new.get("ruling"), Ruling.Kind)
    parts = [_("Confirmed the facts of %(kind)s") % {"kind": _q(kind) if kind else _("the ruling")}]
    corrections = _d(new.get("corrections"))
    parts += field_changes({k: v for k, v in old.items() if k in corrections}, corrections)
    deadlines = _d(new.get("deadlines"))
    if deadlines:
        parts.append(
            _("deadlines: %(deadlines)s")
            % {
                "deadlines": _list(
                    _("%(kind)s due %(date)s") % {"kind": choice_text(kind_code, DeadlineKind), "date": date_text(on)}
                    for kind_code, on in deadlines.items()
                )
            }
        )
    return _sentence(*parts)


def _asset_recorded(e, old, new) -> str:
    parts = [
        _("Recorded an asset of %(owner)s: %(kind)s")
        % {"owner": new.get("owner") or "—", "kind": _q(choice_text(new.get("kind"), Asset.Kind))}
    ]
    if new.get("description"):
        parts.append(new["description"])
    if new.get("identifier"):
        parts.append(_("number %(identifier)s") % {"identifier": new["identifier"]})
    if new.get("estimated_value"):
        parts.append(_("estimated at %(amount)s") % {"amount": money_text(new["estimated_value"])})
    if new.get("source"):
        parts.append(_("found through %(source)s") % {"source": _q(choice_text(new["source"], Asset.Source))})
    if new.get("found_on"):
        parts.append(_("on %(date)s") % {"date": date_text(new["found_on"])})
    return _sentence(*parts)


def _action_clauses(new: dict) -> list[str]:
    parts = []
    if new.get("court"):
        parts.append(_("by %(court)s") % {"court": new["court"]})
    if new.get("case_number"):
        parts.append(_("case number %(number)s") % {"number": new["case_number"]})
    if new.get("started_on"):
        parts.append(_("from %(date)s") % {"date": date_text(new["started_on"])})
    if new.get("expires_on"):
        parts.append(_("expiring %(date)s") % {"date": date_text(new["expires_on"])})
    if new.get("renewal_due_on"):
        parts.append(_("renewal to be applied for by %(date)s") % {"date": date_text(new["renewal_due_on"])})
    if new.get("ends_on"):
        parts.append(_("until %(date)s") % {"date": date_text(new["ends_on"])})
    if new.get("amount"):
        parts.append(_("amount %(amount)s") % {"amount": money_text(new["amount"])})
    return parts


def _action_kind(data: dict) -> str:
    if data.get("kind"):
        return choice_text(data["kind"], EnforcementAction.Kind)
    return _row_kind(EnforcementAction, data.get("action"), EnforcementAction.Kind) or _("enforcement action")


def _enforcement_recorded(e, old, new) -> str:
    return _sentence(
        _("Recorded the enforcement action %(kind)s") % {"kind": _q(_action_kind(new))}, *_action_clauses(new)
    )


def _enforcement_renewed(e, old, new) -> str:
    parts = [_("Renewed %(kind)s") % {"kind": _q(_action_kind(new))}]
    if old.get("expires_on"):
        parts.append(_("which was to expire %(date)s") % {"date": date_text(old["expires_on"])})
    return _sentence(*parts, *_action_clauses(new))


def _enforcement_status(e, old, new) -> str:
    return _sentence(
        _("Changed %(kind)s from %(old)s to %(new)s")
        % {
            "kind": _q(_action_kind(new)),
            "old": _q(choice_text(old.get("status"), EnforcementAction.Status)),
            "new": _q(choice_text(new.get("status"), EnforcementAction.Status)),
        }
    )


def _allocation(data: dict) -> str:
    """The heads a payment went to, those it left untouched left out: "利息1,234.56元"."""
    parts = []
    for head in ("costs", "interest", "principal"):
        if head in data and Decimal(str(data[head] or 0)) != 0:
            parts.append(
                pgettext("allocation", "%(head)s %(amount)s")
                % {"head": field_label(head), "amount": money_text(data[head])}
            )
    return pgettext("list", ", ").join(parts)


def _outstanding(data: dict) -> str:
    if not data:
        return ""
    return _("outstanding now %(total)s") % {"total": money_text(data.get("total"))} if "total" in data else ""


def _recovery_recorded(e, old, new) -> str:
    parts = [
        _("Recorded a recovery of %(amount)s received on %(date)s")
        % {"amount": money_text(new.get("amount")), "date": date_text(new.get("received_on"))}
    ]
    if new.get("source"):
        parts.append(_("source: %(source)s") % {"source": choice_text(new["source"], RecoverySource)})
    allocation = _allocation(_d(new.get("allocation")))
    if allocation:
        parts.append(_("applied to %(allocation)s") % {"allocation": allocation})
    parts.append(_outstanding(_d(new.get("outstanding"))))
    return _sentence(*parts)


def _recovery_reversed(e, old, new) -> str:
    parts = [_("Reversed the recovery of %(amount)s") % {"amount": money_text(old.get("amount"))}]
    parts.append(_outstanding(_d(new.get("outstanding"))))
    return _sentence(*parts)


def _cost_recorded(e, old, new) -> str:
    parts = [
        _("Recorded the cost %(kind)s of %(amount)s")
        % {"kind": _q(choice_text(new.get("kind"), Cost.Kind)), "amount": money_text(new.get("amount"))}
    ]
    if new.get("computed_amount") and new.get("computed_amount") != new.get("amount"):
        parts.append(_("computed at %(amount)s") % {"amount": money_text(new["computed_amount"])})
    parts.append(
        _("recoverable from the debtor") if new.get("recoverable") else _("not recoverable from the debtor")
    )
    if new.get("notice_received_on"):
        parts.append(_("notice received on %(date)s") % {"date": date_text(new["notice_received_on"])})
    return _sentence(*parts)


def _settlement_recorded(e, old, new) -> str:
    parts = [
        _("Recorded a settlement agreed on %(date)s: %(amount)s in %(count)s instalment(s) from %(first)s to %(last)s")
        % {
            "date": date_text(new.get("agreed_on")),
            "amount": money_text(new.get("amount")),
            "count": new.get("instalments") or 1,
            "first": date_text(new.get("first_due_on")),
            "last": date_text(new.get("last_due_on")),
        }
    ]
    if new.get("reduction") and Decimal(str(new["reduction"])) != 0:
        parts.append(_("reduction %(amount)s") % {"amount": money_text(new["reduction"])})
    if new.get("grace_days"):
        parts.append(_("grace period %(days)s days") % {"days": new["grace_days"]})
    if new.get("signed_after_limitation"):
        parts.append(
            _("signed after the limitation period ended on %(date)s")
            % {"date": date_text(new["signed_after_limitation"])}
        )
    return _sentence(*parts)


def _settlement_changed(e, old, new) -> str:
    parts = [
        _("The settlement's status changed from %(old)s to %(new)s")
        % {
            "old": _q(choice_text(old.get("status"), Settlement.Status)),
            "new": _q(choice_text(new.get("status"), Settlement.Status)),
        }
    ]
    if new.get("breached_on"):
        parts.append(pgettext("settlement", "breached on %(date)s") % {"date": date_text(new["breached_on"])})
    if new.get("missed"):
        parts.append(
            _("instalment(s) missed: %(list)s")
            % {"list": pgettext("list", ", ").join(str(n) for n in new["missed"])}
        )
    if new.get("resumption_flagged_on"):
        parts.append(_("enforcement may be resumed"))
    elif old.get("resumption_flagged_on"):
        parts.append(_("the resumption flag was cleared"))
    if new.get("completed_on"):
        parts.append(pgettext("settlement", "performed in full on %(date)s") % {"date": date_text(new["completed_on"])})
    return _sentence(*parts)


def _claim_transferred(e, old, new) -> str:
    parts = [
        _("The claim passed from %(old)s to %(new)s with effect from %(date)s")
        % {"old": old.get("creditor") or "—", "new": new.get("creditor") or "—", "date": date_text(new.get("effective_on"))}
    ]
    if new.get("agreement"):
        agreement = new["agreement"]
        parts.append(
            _("under the agreement %(agreement)s")
            % {"agreement": agreement if agreement.startswith("《") else _q(agreement)}
        )
    if new.get("announced_on"):
        parts.append(
            _("announced in %(newspaper)s on %(date)s")
            % {"newspaper": new.get("newspaper") or "—", "date": date_text(new["announced_on"])}
        )
    if new.get("demand_recorded"):
        parts.append(_("the announcement counts as a demand"))
    return _sentence(*parts)


def _fee_terms(data: dict) -> list[str]:
    parts = []
    if data.get("fixed_fee") and Decimal(str(data["fixed_fee"])) != 0:
        parts.append(_("fixed fee %(amount)s") % {"amount": money_text(data["fixed_fee"])})
    for stage, amount in _d(data.get("stage_fees")).items():
        parts.append(_("%(stage)s %(amount)s") % {"stage": choice_text(stage, Stage), "amount": money_text(amount)})
    if data.get("contingency_rate") and Decimal(str(data["contingency_rate"])) != 0:
        parts.append(_("contingency fee %(rate)s of recoveries") % {"rate": percent_text(data["contingency_rate"])})
    if data.get("cap"):
        parts.append(_("capped at %(amount)s") % {"amount": money_text(data["cap"])})
    return parts


def _fee_arrangement(e, old, new) -> str:
    firm = new.get("firm") or "—"
    terms = _fee_terms(new) or [_("no fee")]
    if old:
        return _sentence(_("Changed the fee arrangement with %(firm)s to: %(terms)s") % {"firm": firm, "terms": _list(terms)})
    return _sentence(_("Agreed fees with %(firm)s: %(terms)s") % {"firm": firm, "terms": _list(terms)})


def _invoice_submitted(e, old, new) -> str:
    parts = [
        _("%(firm)s submitted invoice No. %(number)s for %(amount)s")
        % {"firm": new.get("firm") or "—", "number": new.get("number") or "—", "amount": money_text(new.get("amount"))}
    ]
    if new.get("issued_on"):
        parts.append(_("issued on %(date)s") % {"date": date_text(new["issued_on"])})
    return _sentence(*parts)


def _invoice_decided(e, old, new) -> str:
    values = {"firm": new.get("firm") or "—", "number": new.get("number") or "—", "amount": money_text(new.get("amount"))}
    if new.get("status") == FeeInvoice.Status.REJECTED:
        return _sentence(_("Rejected invoice No. %(number)s of %(firm)s for %(amount)s") % values)
    return _sentence(_("Approved invoice No. %(number)s of %(firm)s for %(amount)s") % values)


def _invoice_paid(e, old, new) -> str:
    parts = [
        _("Recorded a payment of %(paid)s on %(date)s against invoice No. %(number)s of %(firm)s")
        % {
            "paid": money_text(new.get("paid")),
            "date": date_text(new.get("paid_on")),
            "number": new.get("number") or "—",
            "firm": new.get("firm") or "—",
        }
    ]
    if new.get("paid_amount"):
        parts.append(_("paid so far %(amount)s") % {"amount": money_text(new["paid_amount"])})
    if new.get("status") == FeeInvoice.Status.PAID:
        parts.append(_("the invoice is paid in full"))
    return _sentence(*parts)


# Which rule delivered a demand (``notices.demand_delivery``), as the reader says it.
DELIVERY_RULE_TEXT = {
    "demand.delivery.signed@2021": gettext_lazy("signed for: delivered that day"),
    "demand.delivery.refused@2021": gettext_lazy("refused at the agreed service address: deemed delivered"),
    "demand.delivery.returned@2021": gettext_lazy("returned from the agreed service address: deemed delivered"),
    "demand.delivery.recorded@2021": gettext_lazy("delivery recorded by hand on the proof held"),
}


def _delivery(new: dict) -> str:
    if new.get("delivered"):
        rule = DELIVERY_RULE_TEXT.get(new.get("delivery_rule", ""), "")
        text = _("delivered on %(date)s") % {"date": date_text(new.get("delivered_on"))}
        return f"{text}（{rule}）" if rule else text
    return _("not delivered")


def _demand_recorded(e, old, new) -> str:
    parts = [
        _("Recorded a demand by %(channel)s on %(date)s")
        % {"channel": _q(choice_text(new.get("channel"), DemandChannel)), "date": date_text(new.get("date"))}
    ]
    if new.get("party_name"):
        parts.append(_("to %(party)s") % {"party": new["party_name"]})
    if new.get("courier"):
        parts.append(
            _("sent by %(courier)s, waybill %(waybill)s")
            % {"courier": choice_text(new["courier"], DemandCourier), "waybill": new.get("waybill", "")}
        )
    if new.get("address_kind"):
        parts.append(
            _("to the %(kind)s %(address)s")
            % {"kind": choice_text(new["address_kind"], DemandAddressKind), "address": new.get("address", "")}
        )
    if new.get("document_title"):
        parts.append(_("document %(title)s") % {"title": _q(new["document_title"])})
    return _sentence(*parts)


def _demand_updated(e, old, new) -> str:
    changes = field_changes(
        {k: v for k, v in old.items() if k != "delivery_rule"}, {k: v for k, v in new.items() if k != "delivery_rule"}
    )
    head = _("Updated the demand")
    if "delivered" in new:
        changes.append(_delivery(new))
    return _("%(kind)s: %(changes)s.") % {"kind": head, "changes": _list(changes)} if changes else _sentence(head)


def _demand_tracked(e, old, new) -> str:
    return _sentence(
        _("Courier event for waybill %(waybill)s: %(status)s at %(at)s")
        % {
            "waybill": new.get("waybill", ""),
            "status": _q(choice_text(new.get("status"), TrackingStatus)),
            "at": when_text(new.get("at")),
        },
        _delivery(new),
    )


def _legal_hold_set(e, old, new) -> str:
    return _sentence(
        _("Put the matter under a legal hold: its personal data is kept past the retention period (%(reason)s)")
        % {"reason": new.get("legal_hold_reason") or "—"}
    )


def _legal_hold_lifted(e, old, new) -> str:
    return _sentence(
        _("Lifted the legal hold (%(reason)s); the retention period runs again from today")
        % {"reason": old.get("legal_hold_reason") or "—"}
    )


def _anonymised(e, old, new) -> str:
    parts = [
        _("Anonymised the matter's personal data, %(days)s days after it closed; amounts, dates and outcomes kept")
        % {"days": new.get("retention_days") or "—"}
    ]
    if new.get("parties_kept"):
        parts.append(
            _("%(count)s parties kept for their other matters") % {"count": new["parties_kept"]}
        )
    return _sentence(*parts)


# A confirmed court notice's corrections: the reading's fields, told in words.
COURT_NOTICE_LABELS = {
    "court": gettext_lazy("court"),
    "case_number": gettext_lazy("case number"),
    "kind": gettext_lazy("kind of notice"),
    "hearing_at": gettext_lazy("hearing time"),
    "place": gettext_lazy("place"),
    "parties": gettext_lazy("parties"),
    "deadlines": gettext_lazy("deadlines"),
    "link": gettext_lazy("link"),
}
COURT_NOTICE_DEADLINES = {
    "fee_payment": gettext_lazy("Court fee due"),
    "evidence_period": gettext_lazy("Evidence period ends"),
    "defence_period": gettext_lazy("Answer period ends"),
    "property_report": gettext_lazy("Property report due"),
    "appeal": gettext_lazy("Appeal period ends"),
}


def _court_notice_value(key: str, value) -> str:
    if key == "kind":
        return choice_text(value, CourtNoticeKind)
    if key == "hearing_at":
        return when_text(value)
    if key == "parties" and isinstance(value, list):
        return pgettext("names", ", ").join(str(name) for name in value)
    if key == "deadlines" and isinstance(value, list):
        return _list(
            _("%(kind)s due %(date)s")
            % {
                "kind": COURT_NOTICE_DEADLINES.get(row.get("kind"), _("other")),
                "date": date_text(row.get("due_on")) if row.get("due_on") else "—",
            }
            for row in value
            if isinstance(row, dict)
        )
    return str(value)


def _court_notice_confirmed(e, old, new) -> str:
    kind = choice_text(new.get("kind"), CourtNoticeKind) if new.get("kind") else _("a court notice")
    parts = [
        _("Confirmed the court notice %(kind)s received on %(date)s")
        % {"kind": _q(kind), "date": date_text(new.get("received_on"))}
    ]
    if new.get("case_number"):
        parts.append(_("case number %(number)s") % {"number": new["case_number"]})
    for key, after in _d(new.get("corrections")).items():
        label = COURT_NOTICE_LABELS.get(key, _("other"))
        before = old.get(key)
        if before in (None, "", [], {}):
            parts.append(_("set %(label)s to %(new)s") % {"label": label, "new": _q(_court_notice_value(key, after))})
        elif after in (None, "", [], {}):
            parts.append(
                _("cleared %(label)s (was %(old)s)") % {"label": label, "old": _q(_court_notice_value(key, before))}
            )
        else:
            parts.append(
                _("changed %(label)s from %(old)s to %(new)s")
                % {
                    "label": label,
                    "old": _q(_court_notice_value(key, before)),
                    "new": _q(_court_notice_value(key, after)),
                }
            )
    return _sentence(*parts)


def _contact_recorded(e, old, new) -> str:
    who = new.get("name") or new.get("third_party_name") or "—"
    if new.get("third_party_relation"):
        who = _("%(name)s (%(relation)s)") % {"name": who, "relation": new["third_party_relation"]}
    parts = [
        _("Recorded a collection contact: %(direction)s %(channel)s with %(who)s at %(when)s")
        % {
            "direction": choice_text(new.get("direction"), ContactDirection),
            "channel": choice_text(new.get("channel"), ContactChannel),
            "who": who,
            "when": when_text(new.get("occurred_at")),
        }
    ]
    if new.get("contact_point"):
        parts.append(_("using %(point)s") % {"point": new["contact_point"]})
    parts.append(_("outcome: %(outcome)s") % {"outcome": choice_text(new.get("outcome"), ContactOutcome)})
    if new.get("amount"):
        parts.append(
            _("promised %(amount)s by %(date)s")
            % {"amount": money_text(new["amount"]), "date": date_text(new.get("due_on"))}
        )
    rule = RULES_BY_ID.get(new.get("override_rule") or "")
    if rule is not None:
        parts.append(
            _("the conduct rule “%(rule)s” was overridden: %(reason)s")
            % {"rule": _(rule.title), "reason": new.get("override_reason") or "—"}
        )
    return _sentence(*parts)


def _promise_status_changed(e, old, new) -> str:
    return _sentence(
        _("The promise to pay %(amount)s by %(date)s is now %(status)s (paid %(paid)s)")
        % {
            "amount": money_text(new.get("amount")),
            "date": date_text(new.get("due_on")),
            "status": _q(choice_text(new.get("status"), PromiseStatus)),
            "paid": money_text(new.get("paid_amount")),
        }
    )


def _complaint_opened(e, old, new) -> str:
    return _sentence(
        _("Recorded a %(kind)s received on %(date)s from %(source)s; collection contacts are paused")
        % {
            "kind": choice_text(new.get("kind"), ComplaintKind),
            "date": date_text(new.get("received_on")),
            "source": choice_text(new.get("source"), ComplaintSource),
        }
    )


def _complaint_resolved(e, old, new) -> str:
    return _sentence(
        _("Resolved the %(kind)s; collection contacts may resume")
        % {"kind": choice_text(new.get("kind"), ComplaintKind)}
    )


def _plan_started(e, old, new) -> str:
    parts = [
        _("Started the playbook %(name)s (version %(version)s) from %(date)s, with %(count)s tasks")
        % {
            "name": _q(new.get("name") or "—"),
            "version": new.get("version") or "—",
            "date": date_text(new.get("start_on")),
            "count": new.get("tasks", 0),
        }
    ]
    if new.get("trigger") == "review":
        parts.append(_("by itself at the debtor review"))
    elif new.get("trigger") == "escalation":
        parts.append(_("by itself at escalation"))
    return _sentence(*parts)


def _plan_ended(e, old, new) -> str:
    return _sentence(
        _("Stopped the playbook %(name)s; %(count)s open tasks skipped")
        % {"name": _q(old.get("name") or "—"), "count": new.get("skipped", 0)}
    )


def _task_added(e, old, new) -> str:
    if old:
        parts = [_("Changed the task %(title)s") % {"title": _q(new.get("title") or "—")}]
        if new.get("due_on"):
            parts.append(_("now due %(date)s") % {"date": date_text(new["due_on"])})
        if "assignee" in new:
            parts.append(_("assigned to %(user)s") % {"user": _user_name(new["assignee"]) or _("nobody")})
        return _sentence(*parts)
    parts = [
        _("Gave the task %(title)s, due %(date)s")
        % {"title": _q(new.get("title") or "—"), "date": date_text(new.get("due_on"))}
    ]
    if new.get("assignee"):
        parts.append(_("assigned to %(user)s") % {"user": _user_name(new["assignee"])})
    return _sentence(*parts)


def _task_closed(e, old, new) -> str:
    parts = [
        _("Marked the task %(title)s as %(status)s")
        % {"title": _q(new.get("title") or "—"), "status": _q(choice_text(new.get("status"), TaskStatus))}
    ]
    if new.get("note"):
        parts.append(_("note: %(note)s") % {"note": new["note"]})
    return _sentence(*parts)


REVIEW_TEXT_LABELS = {
    "employment": gettext_lazy("employment"),
    "assets_known": gettext_lazy("assets known"),
    "willingness_facts": gettext_lazy("facts on willingness"),
}


def _screening_change_text(item: str, change: dict) -> str:
    label = _q(str(SCREENING_LABELS.get(item, _("Record updated"))))
    if not change.get("confirmed"):
        return _("left %(item)s to the record again") % {"item": label}
    value = change.get("result")
    result = _("yes") if value is True else _("no") if value is False else _("unknown")
    text = _("confirmed %(item)s as %(result)s") % {"item": label, "result": result}
    if change.get("reason"):
        text += _(" (reason: %(reason)s)") % {"reason": change["reason"]}
    return text


def _review_updated(e, old, new) -> str:
    parts = [_("Updated the debtor review")]
    if "ability_to_pay" in new:
        parts.append(_("ability to pay %(value)s") % {"value": _q(choice_text(new["ability_to_pay"], AbilityToPay))})
    if "willingness" in new:
        parts.append(_("willingness %(value)s") % {"value": _q(choice_text(new["willingness"], Willingness))})
    if "monthly_income" in new:
        parts.append(_("monthly income %(amount)s") % {"amount": money_text(new["monthly_income"])})
    if "recommendation" in new:
        if new["recommendation"]:
            parts.append(
                _("recommended %(value)s") % {"value": _q(choice_text(new["recommendation"], Recommendation))}
            )
        else:
            parts.append(_("withdrew the recommendation"))
    if new.get("recommendation_reason"):
        parts.append(_("reason: %(reason)s") % {"reason": new["recommendation_reason"]})
    if new.get("texts_changed"):
        names = [str(REVIEW_TEXT_LABELS.get(name, _("Record updated"))) for name in new["texts_changed"]]
        parts.append(_("changed the %(fields)s") % {"fields": _list(names)})
    for item, change in (new.get("screening") or {}).items():
        parts.append(_screening_change_text(item, change))
    return _sentence(*parts)


SENTENCES: dict[str, Callable[[MatterEvent, dict, dict], str]] = {
    EventKind.CREATED: _created,
    EventKind.STAGE_CHANGED: _stage_changed,
    EventKind.OWNER_CHANGED: _owner_changed,
    EventKind.FIRM_ASSIGNED: _firm_assigned,
    EventKind.FIRM_UNASSIGNED: _firm_unassigned,
    EventKind.DEBTOR_REVEALED: _revealed,
    EventKind.UPDATED: _updated,
    EventKind.EVIDENCE_ADDED: _evidence_added,
    EventKind.EVIDENCE_DOWNLOADED: _evidence_downloaded,
    EventKind.EVIDENCE_TAMPERED: _evidence_tampered,
    EventKind.EVIDENCE_CROSS_EXAMINED: _evidence_cross_examined,
    EventKind.DEADLINE_CLOSED: _deadline_closed,
    EventKind.DEADLINE_OVERRIDDEN: _deadline_overridden,
    EventKind.FORUM_SET: _forum_set,
    EventKind.DOCUMENT_REQUESTED: _document_requested,
    EventKind.DOCUMENT_DOWNLOADED: _document_downloaded,
    EventKind.PROCEEDING_RECORDED: _proceeding_recorded,
    EventKind.PROCEEDING_UPDATED: _proceeding_updated,
    EventKind.SERVICE_RECORDED: _service_recorded,
    EventKind.HEARING_ADDED: _hearing_added,
    EventKind.HEARING_MOVED: _hearing_moved,
    EventKind.COURT_DATES_SET: _court_dates_set,
    EventKind.RULING_RECORDED: _ruling_recorded,
    EventKind.RULING_CONFIRMED: _ruling_confirmed,
    EventKind.ASSET_RECORDED: _asset_recorded,
    EventKind.ENFORCEMENT_RECORDED: _enforcement_recorded,
    EventKind.ENFORCEMENT_RENEWED: _enforcement_renewed,
    EventKind.ENFORCEMENT_STATUS_CHANGED: _enforcement_status,
    EventKind.RECOVERY_RECORDED: _recovery_recorded,
    EventKind.RECOVERY_REVERSED: _recovery_reversed,
    EventKind.COST_RECORDED: _cost_recorded,
    EventKind.SETTLEMENT_RECORDED: _settlement_recorded,
    EventKind.SETTLEMENT_CHANGED: _settlement_changed,
    EventKind.CLAIM_TRANSFERRED: _claim_transferred,
    EventKind.FEE_ARRANGEMENT_SET: _fee_arrangement,
    EventKind.INVOICE_SUBMITTED: _invoice_submitted,
    EventKind.INVOICE_DECIDED: _invoice_decided,
    EventKind.INVOICE_PAID: _invoice_paid,
    EventKind.DEMAND_RECORDED: _demand_recorded,
    EventKind.DEMAND_UPDATED: _demand_updated,
    EventKind.DEMAND_TRACKED: _demand_tracked,
    EventKind.LEGAL_HOLD_SET: _legal_hold_set,
    EventKind.LEGAL_HOLD_LIFTED: _legal_hold_lifted,
    EventKind.ANONYMISED: _anonymised,
    EventKind.COURT_NOTICE_CONFIRMED: _court_notice_confirmed,
    EventKind.CONTACT_RECORDED: _contact_recorded,
    EventKind.PROMISE_STATUS_CHANGED: _promise_status_changed,
    EventKind.COMPLAINT_OPENED: _complaint_opened,
    EventKind.COMPLAINT_RESOLVED: _complaint_resolved,
    EventKind.PLAN_STARTED: _plan_started,
    EventKind.PLAN_ENDED: _plan_ended,
    EventKind.TASK_ADDED: _task_added,
    EventKind.TASK_CLOSED: _task_closed,
    EventKind.REVIEW_UPDATED: _review_updated,
}


def kind_text(kind: str) -> str:
    """An event kind's label; a kind added since (not in ``EventKind`` here) reads "其他信息"."""
    return str(EventKind(kind).label) if kind in EventKind.values else _("Record updated")


def _generic(e: MatterEvent, old: dict, new: dict) -> str:
    """A correction (or a kind without a sentence): "<kind>：将A由「x」改为「y」；…"."""
    changes = field_changes(old, new, labels=EVIDENCE_LABELS if "evidence" in e.kind else None)
    head = kind_text(e.kind)
    if not changes:
        return _sentence(head)
    return _("%(kind)s: %(changes)s.") % {"kind": head, "changes": _list(changes)}


def event_text(event: MatterEvent) -> str:
    """The event as one sentence in the active language (see the module's docstring)."""
    old, new = _d(event.old), _d(event.new)
    sentence = SENTENCES.get(event.kind, _generic)
    try:
        return sentence(event, old, new)
    except Exception:  # an entry written in a shape this version does not know: still told, never a 500
        return _generic(event, old, new)
