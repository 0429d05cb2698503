"""The debtor review (债务人评估) and the pre-suit screening (issue 19, item 1; API.md "Triage, plans and tasks").

``screening_computed`` works the six screening items out of the record as it is now;
``willingness_facts_computed`` gathers what the collection desk says about willingness
(promises broken, disputes and complaints open, contacts where the debtor refused).
Neither stores anything: a review keeps only what people decided, so every reading
shows the record's current state beside them. ``review_update`` is the one service
that changes a review (the API's PATCH and the matter page's form both call it):
choices checked, a recommendation only with its reason, an override of a computed
item only with its reason; on any error nothing is stored. Each change is one
``review_updated`` timeline entry naming what changed (the personal free texts by
name only: they are encrypted at rest and stay out of the timeline).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from legalcase.access import access_matter
from legalcase.events import record_event
from legalcase.identity import IdentityError, parse_resident_id, validate_uscc
from legalcase.models import (
    LAPSING_KINDS,
    SCREENING_ITEMS,
    SCREENING_LABELS,
    AbilityToPay,
    Complaint,
    ComplaintKind,
    ContactOutcome,
    DebtorReview,
    EnforcementAction,
    EventKind,
    Matter,
    Party,
    PromiseStatus,
    Recommendation,
    User,
    Willingness,
)
from legalcase.money import FEN, money_input
from legalcase.money import money_text as amount_text
from legalcase.services.tasks import plan_for_review
from legalcase.timeline import date_text, money_text

# The free texts that may hold personal data (encrypted; named, never quoted, in the timeline).
PERSONAL_TEXTS = ("employment", "assets_known", "willingness_facts")
TEXT_MAX = 4000
# Enforcement measures that show the debtor has something to take: freezes, seizures, deductions.
ASSET_ACTION_KINDS = (*LAPSING_KINDS, EnforcementAction.Kind.DEDUCT)

# Fasu kept no evidence checklist before the review: the least a suit on each product
# needs, by evidence kind (LEGAL_RULES section 7: the card agreement or loan contract,
# what is owed, the debtor's identity). Withdrawn items do not count.
EVIDENCE_NEEDED = {
    "credit_card": ("contract", "statement", "identity"),
    "loan": ("contract", "repayment_record", "identity"),
}


def screening_min_amount() -> Decimal:
    return Decimal(settings.SCREENING_MIN_AMOUNT).quantize(FEN)


# --- The six items ------------------------------------------------------------------------


def _item(computed: bool | None, detail: str) -> dict:
    return {"computed": computed, "detail": detail}


def _identity_known(debtor: Party) -> dict:
    if debtor.kind == Party.Kind.ORGANISATION:
        if not debtor.uscc:
            return _item(False, _("No unified social credit code is recorded for the debtor."))
        try:
            validate_uscc(debtor.uscc)
        except IdentityError as exc:
            return _item(False, _("The debtor's credit code fails its check: %(reason)s") % {"reason": exc})
        return _item(True, _("The debtor's unified social credit code is recorded and passes its check."))
    if not debtor.id_number:
        return _item(False, _("No identity number is recorded for the debtor."))
    try:
        parse_resident_id(debtor.id_number)
    except IdentityError as exc:
        return _item(False, _("The debtor's identity number fails its check: %(reason)s") % {"reason": exc})
    return _item(True, _("The debtor's identity number is recorded and passes its check."))


def _service_address_known(debtor: Party) -> dict:
    if debtor.service_address.strip():
        return _item(True, _("An agreed service address (约定送达地址) is recorded."))
    if debtor.address.strip():
        return _item(True, _("No agreed service address, but the domicile address is recorded."))
    return _item(False, _("Neither an agreed service address nor a domicile address is recorded."))


def _limitation_alive(matter: Matter, today: dt.date) -> dict:
    deadline = matter.limitation_deadline
    if deadline is None:
        return _item(None, _("No limitation date has been computed for this matter."))
    if deadline.is_done:
        return _item(True, _("Limitation was interrupted by a suit or arbitration filed in time."))
    if deadline.due_on < today:
        return _item(False, _("Limitation expired on %(date)s.") % {"date": date_text(deadline.due_on)})
    return _item(True, _("Limitation runs until %(date)s.") % {"date": date_text(deadline.due_on)})


def _amount_above_threshold(matter: Matter) -> dict:
    outstanding = matter.outstanding["total"]
    threshold = screening_min_amount()
    values = {"amount": money_text(outstanding), "threshold": money_text(threshold)}
    if outstanding >= threshold:
        return _item(True, _("Outstanding %(amount)s, at least the threshold of %(threshold)s.") % values)
    return _item(False, _("Outstanding %(amount)s, below the threshold of %(threshold)s.") % values)


def _assets_found(matter: Matter, assets_known: str) -> dict:
    assets = matter.assets.count()
    measures = matter.enforcement_actions.filter(kind__in=ASSET_ACTION_KINDS).count()
    parts = []
    if assets:
        parts.append(_("%(count)s asset leads recorded") % {"count": assets})
    if measures:
        parts.append(_("%(count)s freezes, seizures or deductions recorded") % {"count": measures})
    if assets_known.strip():
        parts.append(_("assets noted in this review"))
    if not parts:
        return _item(False, _("No asset lead, freeze or seizure is recorded, and the review notes no assets."))
    return _item(True, _("%(text)s.") % {"text": pgettext("clauses", "; ").join(parts)})


def _evidence_complete(matter: Matter) -> dict:
    try:
        model = apps.get_model("evidence", "EvidenceItem")
    except LookupError:
        return _item(None, _("The evidence of this installation cannot be checked."))
    needed = EVIDENCE_NEEDED.get(matter.debt.product)
    if not needed:
        return _item(None, _("No evidence checklist is defined for this product."))
    present = set(
        model.objects.filter(matter_id=matter.pk, withdrawn_at__isnull=True, kind__in=needed).values_list(
            "kind", flat=True
        )
    )
    labels = dict(model._meta.get_field("kind").choices)
    missing = [str(labels.get(kind, kind)) for kind in needed if kind not in present]
    if missing:
        return _item(False, _("Missing evidence: %(kinds)s.") % {"kinds": pgettext("list", ", ").join(missing)})
    kinds = pgettext("list", ", ").join(str(labels.get(kind, kind)) for kind in needed)
    return _item(True, _("The evidence a suit needs is uploaded: %(kinds)s.") % {"kinds": kinds})


def screening_computed(matter: Matter, today: dt.date | None = None, *, assets_known: str = "") -> dict[str, dict]:
    """The six screening items as the record has them now: ``{item: {"computed", "detail"}}``.

    ``computed`` is None where the record cannot tell (no limitation date computed, no
    evidence checklist for the product); ``assets_known`` is the review's own text.
    """
    today = today or timezone.localdate()
    debtor = matter.debt.debtor
    return {
        "identity_known": _identity_known(debtor),
        "service_address_known": _service_address_known(debtor),
        "limitation_alive": _limitation_alive(matter, today),
        "amount_above_threshold": _amount_above_threshold(matter),
        "assets_found": _assets_found(matter, assets_known),
        "evidence_complete": _evidence_complete(matter),
    }


def willingness_facts_computed(matter: Matter) -> dict[str, Any]:
    """What the collection desk says about willingness: broken promises, open disputes and complaints, refusals."""
    broken = matter.promises.filter(status=PromiseStatus.BROKEN).count()
    kept = matter.promises.filter(status=PromiseStatus.KEPT).count()
    open_complaints = matter.complaints.filter(status=Complaint.Status.OPEN)
    disputes = open_complaints.filter(kind=ComplaintKind.DISPUTE).count()
    complaints = open_complaints.filter(kind=ComplaintKind.COMPLAINT).count()
    refused = matter.contacts.filter(outcome=ContactOutcome.REFUSED).count()
    hardship = matter.contacts.filter(outcome=ContactOutcome.HARDSHIP).count()
    facts = []
    if broken:
        facts.append(_("%(count)s promises to pay broken") % {"count": broken})
    if kept:
        facts.append(_("%(count)s promises to pay kept") % {"count": kept})
    if disputes:
        facts.append(_("%(count)s disputes of the debt open") % {"count": disputes})
    if complaints:
        facts.append(_("%(count)s complaints open") % {"count": complaints})
    if refused:
        facts.append(_("%(count)s contacts where the debtor refused to pay") % {"count": refused})
    if hardship:
        facts.append(_("%(count)s contacts where hardship was stated") % {"count": hardship})
    return {
        "promises_broken": broken,
        "promises_kept": kept,
        "disputes_open": disputes,
        "complaints_open": complaints,
        "contacts_refused": refused,
        "contacts_hardship": hardship,
        "facts": facts,
    }


# --- Reading a review ---------------------------------------------------------------------


def review_of(matter: Matter) -> DebtorReview:
    """The matter's review, or an unsaved blank one (every matter has a review to show and fill)."""
    review = DebtorReview.objects.filter(matter=matter).select_related("reviewed_by").first()
    return review or DebtorReview(matter=matter)


def screening_answer(matter: Matter, review: DebtorReview, today: dt.date | None = None) -> dict[str, dict]:
    """Each item ``{"computed", "result", "confirmed", "detail", "reason", "confirmed_by", "confirmed_at"}``.

    ``result`` is the confirmed value when a person confirmed the item, else the computed one.
    """
    computed = screening_computed(matter, today, assets_known=review.assets_known)
    users = _users({entry.get("by") for entry in (review.screening or {}).values() if isinstance(entry, dict)})
    answer = {}
    for item in SCREENING_ITEMS:
        entry = (review.screening or {}).get(item) or {}
        confirmed = bool(entry.get("confirmed"))
        by = users.get(entry.get("by")) if confirmed else None
        answer[item] = {
            "computed": computed[item]["computed"],
            "result": entry.get("value") if confirmed else computed[item]["computed"],
            "confirmed": confirmed,
            "detail": computed[item]["detail"],
            "reason": entry.get("reason", "") if confirmed else "",
            "confirmed_by": by.username if by else None,
            "confirmed_at": entry.get("at") if confirmed else None,
        }
    return answer


def _users(ids) -> dict[int, User]:
    ids = {pk for pk in ids if isinstance(pk, int)}
    return {user.pk: user for user in User.objects.filter(pk__in=ids)} if ids else {}


def review_answer(matter: Matter, review: DebtorReview | None = None, today: dt.date | None = None) -> dict:
    """The review as API.md answers it (and the matter page shows it)."""
    review = review if review is not None else review_of(matter)
    return {
        "matter": matter.pk,
        "ability_to_pay": review.ability_to_pay,
        "willingness": review.willingness,
        "monthly_income": amount_text(review.monthly_income) if review.monthly_income is not None else None,
        "employment": review.employment,
        "assets_known": review.assets_known,
        "willingness_facts": review.willingness_facts,
        "willingness_computed": willingness_facts_computed(matter),
        "recommendation": review.recommendation,
        "recommendation_reason": review.recommendation_reason,
        "screening": screening_answer(matter, review, today),
        "reviewed_by": review.reviewed_by.username if review.reviewed_by_id else None,
        "reviewed_at": review.reviewed_at.isoformat() if review.reviewed_at else None,
    }


def review_summary(matter: Matter) -> dict | None:
    """``{"recommendation", "reviewed_at"}`` of a reviewed matter, for the matter's own answer; else None."""
    row = DebtorReview.objects.filter(matter=matter).values("recommendation", "reviewed_at").first()
    if row is None or row["reviewed_at"] is None:
        return None
    return {"recommendation": row["recommendation"], "reviewed_at": row["reviewed_at"].isoformat()}


# --- Changing a review ----------------------------------------------------------------------


def _choice(errors: dict, field: str, value, choices, *, blank: bool = False):
    if value is None and not blank:
        errors[field] = [_("This field may not be empty.")]
        return None
    value = "" if value is None else value
    if not isinstance(value, str) or (value not in choices and not (blank and value == "")):
        errors[field] = [_("Not one of the allowed values.")]
        return None
    return value


def _text(errors: dict, field: str, value) -> str | None:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[field] = [_("Give text.")]
        return None
    value = value.strip()
    if len(value) > TEXT_MAX:
        errors[field] = [_("At most %(max)s characters.") % {"max": TEXT_MAX}]
        return None
    return value


def _money(errors: dict, field: str, value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return money_input(value, field, allow_zero=True)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        return None


def _screening_changes(
    errors: dict, given, review: DebtorReview, computed: dict[str, dict], user: User, now: dt.datetime
) -> dict[str, dict]:
    """The confirmations as they will be stored, checking each item given; errors keyed ``screening``."""
    stored = dict(review.screening or {})
    if not isinstance(given, dict):
        errors["screening"] = [_("Give the items to confirm as an object keyed by item.")]
        return stored
    problems = []
    for key, change in given.items():
        if key not in SCREENING_ITEMS:
            problems.append(_("%(item)s is not a screening item.") % {"item": str(key)[:40]})
            continue
        item, name = key, str(SCREENING_LABELS[key])
        if not isinstance(change, dict) or not isinstance(change.get("confirmed"), bool):
            problems.append(_("%(item)s: say whether it is confirmed (true or false).") % {"item": name})
            continue
        if not change["confirmed"]:
            stored.pop(item, None)
            continue
        value = change.get("result")
        if value is None:  # omitted or null: as the record shows
            value = computed[item]["computed"]
        if value is not None and not isinstance(value, bool):
            problems.append(_("%(item)s: the result is true, false or null.") % {"item": name})
            continue
        if value is None:
            problems.append(
                _("%(item)s: the record cannot tell; give the result (true or false) to confirm it.") % {"item": name}
            )
            continue
        reason = change.get("reason") or ""
        if not isinstance(reason, str) or len(reason) > TEXT_MAX:
            problems.append(_("%(item)s: the reason is text of at most %(max)s characters.") % {"item": name, "max": TEXT_MAX})
            continue
        reason = reason.strip()
        overrides = computed[item]["computed"] is not None and value != computed[item]["computed"]
        if overrides and not reason:
            problems.append(
                _("%(item)s: the result differs from what the record shows; give the reason for the override.")
                % {"item": name}
            )
            continue
        before = stored.get(item) or {}
        if before.get("confirmed") and before.get("value") == value and before.get("reason", "") == reason:
            continue  # confirmed as it stands: who confirmed it and when stay
        stored[item] = {"confirmed": True, "value": value, "reason": reason, "by": user.pk, "at": now.isoformat()}
    if problems:
        errors["screening"] = problems
    return stored


def _screening_event(old: dict, new: dict) -> tuple[dict, dict]:
    before, after = {}, {}
    for item in SCREENING_ITEMS:
        a, b = old.get(item), new.get(item)
        a_key = (a or {}).get("value") if a else None
        b_key = (b or {}).get("value") if b else None
        if bool(a) != bool(b) or a_key != b_key or (a or {}).get("reason") != (b or {}).get("reason"):
            before[item] = {"confirmed": bool(a), "result": a_key}
            after[item] = {"confirmed": bool(b), "result": b_key, **({"reason": b["reason"]} if b and b.get("reason") else {})}
    return before, after


REVIEW_FIELDS = (
    "ability_to_pay",
    "willingness",
    "monthly_income",
    "employment",
    "assets_known",
    "willingness_facts",
    "recommendation",
    "recommendation_reason",
    "screening",
)


@transaction.atomic
def review_update(*, user: User, matter_id: int, changes: dict[str, Any], today: dt.date | None = None) -> DebtorReview:
    """Change the matter's review by ``changes`` (the fields given; absent ones stay); nothing stored on any error.

    A recommendation needs its reason in the same change; clearing the reason of a
    standing recommendation is refused. A screening item is confirmed as the record
    shows it (``{"confirmed": true}``), confirmed with another result and a reason
    (an override), or left to the record again (``{"confirmed": false}``).
    """
    matter = access_matter(user, matter_id, action="write_reviews", for_update=True)
    unknown = sorted(set(changes) - set(REVIEW_FIELDS))
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed here.")] for name in unknown})
    review = DebtorReview.objects.select_for_update().filter(matter=matter).first() or DebtorReview(matter=matter)
    now = timezone.now()
    errors: dict[str, list] = {}
    new: dict[str, Any] = {}
    if "ability_to_pay" in changes:
        new["ability_to_pay"] = _choice(errors, "ability_to_pay", changes["ability_to_pay"], AbilityToPay.values)
    if "willingness" in changes:
        new["willingness"] = _choice(errors, "willingness", changes["willingness"], Willingness.values)
    if "recommendation" in changes:
        new["recommendation"] = _choice(
            errors, "recommendation", changes["recommendation"], Recommendation.values, blank=True
        )
    if "monthly_income" in changes:
        new["monthly_income"] = _money(errors, "monthly_income", changes["monthly_income"])
    for field in (*PERSONAL_TEXTS, "recommendation_reason"):
        if field in changes:
            new[field] = _text(errors, field, changes[field])
    recommendation = new.get("recommendation", review.recommendation)
    reason = new.get("recommendation_reason", review.recommendation_reason)
    if "recommendation" not in errors and recommendation:
        changed = recommendation != review.recommendation
        if (changed and not (new.get("recommendation_reason") or "")) or not reason:
            errors["recommendation_reason"] = [_("Give the reason for the recommendation.")]
    if "screening" in changes:
        assets_known = new.get("assets_known", review.assets_known) or ""
        computed = screening_computed(matter, today, assets_known=assets_known)
        new["screening"] = _screening_changes(errors, changes["screening"], review, computed, user, now)
    if errors:
        raise ValidationError(errors)

    old_values = {field: getattr(review, field) for field in new}
    changed = [field for field, value in new.items() if value != old_values[field]]
    if not changed:
        return review
    for field in changed:
        setattr(review, field, new[field])
    review.reviewed_by, review.reviewed_at, review.updated_at = user, now, now
    if review.pk is None:
        review.created_at = now
        review.save()
    else:
        review.save(update_fields=[*changed, "reviewed_by", "reviewed_at", "updated_at"])
    old_event, new_event = {}, {}
    for field in changed:
        if field in PERSONAL_TEXTS:
            new_event.setdefault("texts_changed", []).append(field)
        elif field == "screening":
            before, after = _screening_event(old_values[field] or {}, new[field])
            if after:
                old_event["screening"], new_event["screening"] = before, after
        elif field == "monthly_income":
            old_event[field] = amount_text(old_values[field]) if old_values[field] is not None else None
            new_event[field] = amount_text(new[field]) if new[field] is not None else None
        else:
            old_event[field], new_event[field] = old_values[field], new[field]
    record_event(matter=matter, actor=user, kind=EventKind.REVIEW_UPDATED, old=old_event or None, new=new_event)
    if "recommendation" in changed:
        # A review that recommends pursuing the debt may start its playbook (issue 19 item 4).
        plan_for_review(actor=user, matter=matter, review=review, today=today)
    return review
