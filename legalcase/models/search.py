"""The search table of personal identifiers (legalcase.search) and the case-number key."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Replace
from django.utils.translation import gettext_lazy as _

from legalcase.models.debts import Party
from legalcase.search import CASE_BRACKETS, ID_NUMBER, PHONE


class SearchKey(models.Model):
    """A keyed digest of one of a party's identifiers: the party is found by it, the value is not kept.

    Written by ``legalcase.services.party_keys_refresh`` whenever a party's identity
    number or phones change; one row per party, kind and value.
    """

    class Kind(models.TextChoices):
        ID_NUMBER = ID_NUMBER, _("identity number")
        PHONE = PHONE, _("phone")

    party = models.ForeignKey(Party, verbose_name=_("party"), on_delete=models.CASCADE, related_name="search_keys")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    digest = models.CharField(_("digest"), max_length=64)

    class Meta:
        verbose_name = _("search key")
        verbose_name_plural = _("search keys")
        indexes = [models.Index(fields=["digest"], name="searchkey_digest")]
        constraints = [models.UniqueConstraint(fields=["party", "kind", "digest"], name="searchkey_unique")]


def case_number_key(field: str = "case_number"):
    """A case number with its brackets full-width and no spaces, as a database expression.

    The same as ``legalcase.search.normal_case_number``; the proceedings and the
    enforcement actions index it, so an exact search is one index lookup however it
    was typed (（2024）, (2024), 〔2024〕).
    """
    expression = models.F(field)
    for old, new in CASE_BRACKETS.items():
        expression = Replace(expression, models.Value(old), models.Value(new))
    return expression
