"""Template helpers for Fasu's pages: money, rates, stage badges and timeline entries."""

from __future__ import annotations

import functools
from decimal import Decimal, InvalidOperation

from django import template
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from legalcase.access import can as role_can
from legalcase.identity import mask_address as identity_mask_address
from legalcase.models import (
    MatterEvent,
    Stage,
    User,
)
from legalcase.money import percent_text
from legalcase.timeline import event_text, when_text

register = template.Library()


@register.simple_tag(takes_context=True)
def main_nav(context, nav: str | None) -> str:
    """The main navigation (``legalcase/_nav.html``) of the signed-in user, marking ``nav`` active.

    It depends on nothing but ``nav``, the user's role and staff flag, the language and the
    URLs, so each combination is rendered once per process: rendered on every request, its
    thirty links and labels were about a tenth of the matter list page's time.
    """
    user = context["user"]
    return _main_nav(nav or "", user.role, user.is_staff, get_language(), get_script_prefix())


@functools.lru_cache(maxsize=512)
def _main_nav(nav: str, role: str, is_staff: bool, language: str, prefix: str) -> str:
    # A stand-in user: the template asks only its role (``can``) and staff flag.
    stand_in = User(role=role, is_staff=is_staff, is_active=True)
    return mark_safe(render_to_string("legalcase/_nav.html", {"nav": nav, "user": stand_in}).strip())


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
def mask_address(value) -> str:
    """An address as pages show it: its first 6 characters, the rest starred (API.md, "Conventions")."""
    return identity_mask_address(value or "")


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


@register.filter
def event_sentence(event: MatterEvent) -> str:
    """A timeline entry as a sentence (``legalcase.timeline``, the one renderer)."""
    return event_text(event)


@register.filter
def beijing_time(value) -> str:
    """A moment in Beijing time as the reader writes it ("2026年6月30日 10:15")."""
    return when_text(value)
