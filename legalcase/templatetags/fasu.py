"""Template helpers for Fasu's pages: money, rates, stage badges and timeline entries."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from legalcase.access import can as role_can
from legalcase.models import ClosingReason, EventKind, MatterEvent, Stage

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
def rate(value) -> str:
    """An annual fraction as a percentage: 0.1825 -> "18.25%"."""
    if value is None or value == "":
        return "—"
    percent = (Decimal(value) * 100).normalize()
    return f"{percent:f}%"


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
    shown = {"stage", "reason", "owner", "firm", "firm_id", "forum", "number", "title", "sha256", "evidence", "bundle"}
    parts.extend(f"{key}: {value}" for key, value in data.items() if key not in shown and not key.endswith("_id"))
    return _("; ").join(str(part) for part in parts)


@register.simple_tag
def event_change(event: MatterEvent) -> dict[str, str]:
    """The old and new values of a timeline entry, as text."""
    old, new = _describe(event.old), _describe(event.new)
    if event.kind == EventKind.CREATED:
        old = ""
    return {"old": old, "new": new}
