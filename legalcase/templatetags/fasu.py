"""Template helpers for Fasu's pages: money, rates, stage badges and timeline entries."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from legalcase.access import can as role_can
from legalcase.models import (
    ClosingReason,
    DeadlineKind,
    DeadlineStatus,
    EventKind,
    MatterEvent,
    Proceeding,
    Ruling,
    ServiceMethod,
    Stage,
)
from legalcase.money import percent_text

register = template.Library()


@register.filter
def can(user, action: str) -> bool:
    """``{% if user|can:"escalate" %}``: the roles table of ``legalcase.access``, in templates."""
    return role_can(user, action)


@register.filter
def money(value) -> str:
    """48230.55 -> "48,230.55": thousands separators, two places, whatever the language."""
    if value is None or value == "":
        return "—"
    try:
        return f"{Decimal(value):,.2f}"
    except (InvalidOperation, TypeError, ValueError):
        return str(value)


@register.filter
def rate(value, places: int | None = None) -> str:
    """A rate held as a fraction, as a percentage (``money.percent_text``, the one format).

    ``{{ debt.annual_interest_rate|rate }}``: an agreed rate, exactly (0.1825 -> "18.25%");
    ``{{ portfolio.rate|rate:1 }}``: a computed ratio to one place (0.0095 -> "1.0%"), as
    the dashboard and its Excel exports show recovery rates.
    """
    return percent_text(value, places)


@register.filter
def money_exact(value) -> str:
    """An unrounded amount as a worked example writes it: 1640.275 -> "1,640.275", 87.5 -> "87.50".

    For the periods of a computation that is rounded once at the end (LEGAL_RULES B.6):
    each period shows what was added, not a rounded figure that would not sum to the total.
    """
    if value is None or value == "":
        return "—"
    value = Decimal(value).normalize()
    places = max(2, -value.as_tuple().exponent)
    return f"{value:,.{places}f}"


# A company's legal form inside a creditor's name; what follows it names the branch or
# centre (北京朝阳支行, 信用卡中心), which is what tells two creditors of one bank apart.
LEGAL_FORMS = ("股份有限公司", "有限责任公司", "有限公司")


@register.filter
def creditor_short(name: str) -> str:
    """A creditor's name for a narrow column, keeping what tells creditors apart.

    "华信银行股份有限公司北京朝阳支行" -> "华信银行…北京朝阳支行": the legal form in the middle
    gives way, not the tail, as an ellipsis at the end would. The cell carries the full name
    in its ``title``. A name with nothing after its legal form is left whole.
    """
    for form in LEGAL_FORMS:
        head, found, tail = str(name).partition(form)
        if found and head and tail:
            return f"{head}…{tail}"
    return name


def stage_label(stage: str) -> str:
    return Stage(stage).label if stage in Stage.values else stage


@register.simple_tag
def stage_badge(stage: str) -> str:
    label = stage_label(stage)
    return format_html('<span class="badge stage-{}" title="{}">{}</span>', stage, label, label)


def _describe(data) -> str:
    """A readable rendering of an event's old or new value."""
    if data in (None, "", {}):
        return ""
    if not isinstance(data, dict):
        return str(data)
    parts = []
    if "stage" in data:
        label = stage_label(data["stage"])
        reason = data.get("reason")
        if reason:
            reason_label = ClosingReason(reason).label if reason in ClosingReason.values else reason
            label = _("%(stage)s (%(reason)s)") % {"stage": label, "reason": reason_label}
        parts.append(label)
    if "owner" in data:
        parts.append(data["owner"] or _("no owner"))
    if "firm" in data:
        parts.append(data["firm"] or "—")
    if "forum" in data:
        parts.append(data["forum"] or "—")
    if "title" in data:
        parts.append(data["title"])
    if "sha256" in data:
        parts.append(f"SHA-256 {str(data['sha256'])[:12]}…")
    # Ids are for machines; the title names the thing for a person.
    shown = {"stage", "reason", "owner", "firm", "firm_id", "forum", "number", "title", "sha256", *HIDDEN_KEYS}
    parts.extend(
        f"{_label(key)}: {_value(key, value)}"
        for key, value in data.items()
        if key not in shown and not key.endswith("_id") and value not in (None, "", [], {})
    )
    return _("; ").join(str(part) for part in parts)


# Keys of an event's values that are ids of the rows it concerns, not facts to show.
HIDDEN_KEYS = {
    "evidence", "bundle", "proceeding", "deadline", "ruling", "hearing", "document", "service_record",
    "action", "recovery", "cost",
}  # fmt: skip
# Choices whose values an event stores: a value is shown by its label where one knows it.
VALUE_CHOICES = (DeadlineKind, DeadlineStatus, Proceeding.Kind, Ruling.Kind, ServiceMethod)
FIELD_LABELS = {
    "kind": gettext_lazy("kind"),
    "status": gettext_lazy("status"),
    "due_on": gettext_lazy("due on"),
    "computed_on": gettext_lazy("computed date"),
    "case_number": gettext_lazy("case number"),
    "filed_on": gettext_lazy("filed on"),
    "accepted_on": gettext_lazy("accepted on"),
    "closed_on": gettext_lazy("closed on"),
    "judge": gettext_lazy("judge or arbitrator"),
    "clerk": gettext_lazy("clerk"),
    "outcome": gettext_lazy("outcome"),
    "fee_notice_received_on": gettext_lazy("fee notice received on"),
    "measures_taken_on": gettext_lazy("preservation measures taken on"),
    "limitation_interrupted": gettext_lazy("limitation interrupted"),
    "method": gettext_lazy("method"),
    "served_on": gettext_lazy("served on"),
    "published_on": gettext_lazy("published on"),
    "party": gettext_lazy("party"),
    "at": gettext_lazy("at"),
    "place": gettext_lazy("place"),
    "decided_on": gettext_lazy("decided on"),
    "court": gettext_lazy("court or arbitration commission"),
    "corrections": gettext_lazy("corrections"),
    "deadlines": gettext_lazy("deadlines"),
    "principal_awarded": gettext_lazy("principal awarded"),
    "interest_awarded": gettext_lazy("interest awarded"),
    "acceptance_fee": gettext_lazy("acceptance fee"),
    "acceptance_fee_charged": gettext_lazy("acceptance fee charged"),
    "appealable": gettext_lazy("appealable"),
    "performance_days": gettext_lazy("performance days"),
    "effective_on": gettext_lazy("creditor from"),
    "agreement": gettext_lazy("assignment agreement"),
    "newspaper": gettext_lazy("newspaper"),
    "announced_on": gettext_lazy("announced on"),
    "original_creditor": gettext_lazy("original creditor"),
    "demand_recorded": gettext_lazy("announcement recorded as a demand"),
    "delay_base_includes_fee": gettext_lazy("delayed-performance interest base includes the acceptance fee"),
}


def _label(key: str) -> str:
    return str(FIELD_LABELS.get(key, key))


def _value(key: str, value) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dict):
        # {"appeal": "2026-03-17", ...} of a confirmation, or a ruling's corrections.
        return _("; ").join(
            f"{_value('kind', name) if key == 'deadlines' else _label(name)} {_value(name, v)}"
            for name, v in value.items()
        )
    if isinstance(value, str):
        for choices in VALUE_CHOICES:
            if value in choices.values:
                return str(choices(value).label)
    return str(value)


@register.simple_tag
def event_change(event: MatterEvent) -> dict[str, str]:
    """The old and new values of a timeline entry, as text."""
    old, new = _describe(event.old), _describe(event.new)
    if event.kind == EventKind.CREATED:
        old = ""
    return {"old": old, "new": new}
