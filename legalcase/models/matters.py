"""Matters: the stage table, courts and commissions, matters, their assignments and timeline.

Stages are a ``TextChoices`` field with the table of allowed moves right beside it
(API.md, "Stages and allowed moves"); ``services.matter_transition`` is the only
code that moves a matter. Every change to a matter is written to ``MatterEvent``,
an append-only log.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import connections, models
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from legalcase import search as search_keys
from legalcase.identity import mask_phone
from legalcase.models.accounts import LawFirm, Role, User
from legalcase.models.base import AppendOnly
from legalcase.models.debts import Creditor, Debt, Guarantee, claim_total_expression
from legalcase.models.search import SearchKey, case_number_key
from legalcase.money import MONEY
from legalcase.safetext import validate_name

if TYPE_CHECKING:
    from legalcase.models.deadlines import Deadline

ZERO_TOTAL = {"default": Decimal("0.00"), "db_default": Decimal("0.00"), **MONEY}


class Stage(models.TextChoices):
    INTAKE = "intake", _("Intake")
    PRE_LITIGATION = "pre_litigation", _("Pre-litigation")
    PRESERVATION = "preservation", _("Preservation")
    ARBITRATION = "arbitration", _("Arbitration")
    LITIGATION = "litigation", _("Litigation")
    JUDGMENT = "judgment", _("Judgment")
    ENFORCEMENT = "enforcement", _("Enforcement")
    ENFORCEMENT_TERMINATED = "enforcement_terminated", _("Enforcement terminated (终本)")
    SETTLED = "settled", _("Settled")
    CLOSED = "closed", _("Closed")


# API.md, "Stages and allowed moves". Only transitions are gated by the stage.
ALLOWED_MOVES: dict[str, tuple[str, ...]] = {
    Stage.INTAKE: (Stage.PRE_LITIGATION, Stage.PRESERVATION, Stage.ARBITRATION, Stage.LITIGATION, Stage.SETTLED, Stage.CLOSED),
    Stage.PRE_LITIGATION: (Stage.PRESERVATION, Stage.ARBITRATION, Stage.LITIGATION, Stage.SETTLED, Stage.CLOSED),
    Stage.PRESERVATION: (Stage.ARBITRATION, Stage.LITIGATION, Stage.SETTLED, Stage.CLOSED),
    Stage.ARBITRATION: (Stage.JUDGMENT, Stage.SETTLED, Stage.CLOSED),
    Stage.LITIGATION: (Stage.JUDGMENT, Stage.SETTLED, Stage.CLOSED),
    Stage.JUDGMENT: (Stage.LITIGATION, Stage.ENFORCEMENT, Stage.SETTLED, Stage.CLOSED),
    Stage.ENFORCEMENT: (Stage.ENFORCEMENT_TERMINATED, Stage.SETTLED, Stage.CLOSED),
    Stage.ENFORCEMENT_TERMINATED: (Stage.ENFORCEMENT, Stage.SETTLED, Stage.CLOSED),
    Stage.SETTLED: (Stage.ENFORCEMENT, Stage.CLOSED),
    Stage.CLOSED: (),
}


class ClosingReason(models.TextChoices):
    RECOVERED = "recovered", _("Recovered in full")
    SETTLED = "settled", _("Settled")
    WRITTEN_OFF = "written_off", _("Written off")
    TIME_BARRED = "time_barred", _("Time-barred")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    TRANSFERRED = "transferred", _("Transferred")
    OTHER = "other", _("Other")


class ForumQuerySet(models.QuerySet):
    """Search and order shared by the forum list (API) and the matter page's picker."""

    def search(self, q: str) -> "ForumQuerySet":
        """Forums whose name or region contains ``q``, in any case."""
        q = q.strip()
        return self.filter(Q(name__icontains=q) | Q(region__icontains=q)) if q else self

    def courts_first(self) -> "ForumQuerySet":
        courts = models.Case(models.When(kind="court", then=models.Value(0)), default=models.Value(1))
        return self.order_by(courts, "name", "id")


class Forum(models.Model):
    """A court or arbitration commission where matters are heard (管辖法院/仲裁机构).

    A starting set of courts and commissions is installed by a migration; administrators
    add the others and correct addresses. ``name`` is the official name, as filings
    print it; a forum no longer used is made inactive rather than deleted, since
    matters keep pointing at it. ``address`` stays blank until someone has checked it:
    filings mark a blank address for the lawyer to complete.
    """

    class Kind(models.TextChoices):
        COURT = "court", _("Court")
        ARBITRATION = "arbitration", _("Arbitration commission")

    class Level(models.TextChoices):
        SUPREME = "supreme", _("Supreme People's Court")
        HIGH = "high", _("High people's court")
        INTERMEDIATE = "intermediate", _("Intermediate people's court")
        BASIC = "basic", _("Basic people's court")
        SPECIAL = "special", _("Special people's court")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200, unique=True, validators=[validate_name])
    level = models.CharField(
        _("level"), max_length=16, choices=Level.choices, blank=True, help_text=_("Courts only.")
    )
    region = models.CharField(_("region"), max_length=100, help_text=_("Province and city, e.g. 上海市浦东新区."))
    address = models.CharField(_("address"), max_length=300, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ForumQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("court or arbitration commission")
        verbose_name_plural = _("courts and arbitration commissions")
        indexes = [
            # Prefix search on PostgreSQL (LIKE 'name%'); a substring search over a few
            # hundred rows is a scan that costs nothing.
            models.Index(fields=["name"], name="forum_name_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["active", "kind", "name"], name="forum_active_kind_name"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind="court") | Q(level=""), name="forum_level_only_for_courts"),
        ]

    def __str__(self) -> str:
        return self.name


# What a matter number looks like (``matter_number_allocate``: FS-2026-000123, the serial
# may grow): only a part of this shape is searched inside the numbers. Anything else (an
# identity number, a contract number) would only make PostgreSQL misjudge the LIKE and scan.
MATTER_NUMBER_SHAPE = "FS-dddd-dddddddddd"
# The most ids one search branch (a common guarantor name, four digits) hands to the matter filter.
SEARCH_LIMIT = 1000
# Digits with the separators people type in numbers (and an identity number's X): never a name.
NOT_A_NAME = re.compile(r"[\dXx+\-\s()（）]+")


def recovered_total_expression():
    """What a matter recovered, as a database expression (``Matter.recovered_total``)."""
    return models.F("recovered_costs") + models.F("recovered_interest") + models.F("recovered_principal")


# The keys the matter list (page and API) sorts by, each an indexed column or
# expression (migration 0020), so a sorted page of a million matters stays an index
# scan. Anything else is refused: a sort on an unindexed column is a full sort.
MATTER_ORDERINGS = {
    "number": lambda: models.F("number"),
    "debtor_name": lambda: models.F("debtor_name"),
    "stage": lambda: models.F("stage"),
    "overdue_since": lambda: models.F("debt__overdue_since"),
    "claim_total": lambda: claim_total_expression("debt__"),
    "recovered_total": recovered_total_expression,
    "created_at": lambda: models.F("created_at"),
    # Stored on the matter (``Matter.claim_total``, ``Matter.limitation_expires_on``), each
    # with an index per direction: no sort across the matter and its debt or deadlines.
    "outstanding_total": lambda: models.F("outstanding_total"),
    # The current limitation deadline's date; none sorts last (``MatterQuerySet.sorted_by``).
    "limitation_expires_on": lambda: models.F("limitation_expires_on"),
    # The recovery likelihood (``MatterScore.value``, indexed per direction); unscored matters last.
    "score": lambda: models.F("score_row__value"),
    # The earliest open promise to pay's due date (``Matter.promise_due_on``); none sorts last.
    "promise_due_on": lambda: models.F("promise_due_on"),
}
# The keys whose matters may have no value: those come last in either direction.
NULLS_LAST_ORDERINGS = frozenset({"limitation_expires_on", "score", "promise_due_on"})
# Keys API.md names whose values do not exist yet: asked for, they are refused with this reason.
MATTER_ORDERINGS_PENDING: dict[str, str] = {}


class PendingOrdering(ValueError):
    """A sort key of API.md that has nothing to sort by yet (``MATTER_ORDERINGS_PENDING``)."""


def matter_ordering(value: str | None) -> list[str]:
    """``"-claim_total,number"`` as a list of keys; an unknown key raises ``ValueError`` naming it."""
    keys = [part.strip() for part in (value or "").split(",") if part.strip()]
    for key in keys:
        if key.removeprefix("-") in MATTER_ORDERINGS_PENDING:
            raise PendingOrdering(str(MATTER_ORDERINGS_PENDING[key.removeprefix("-")]))
        if key.removeprefix("-") not in MATTER_ORDERINGS:
            raise ValueError(key)
    if len({key.removeprefix("-") for key in keys}) != len(keys):
        raise ValueError(value)
    return keys


def list_names(*, users=(), firms=(), creditors=()) -> tuple[dict, dict, dict]:
    """What a page of matters names by id, read in one query: each user's
    ``(username, first_name, last_name)``, each firm's name, each creditor's ``(name, uscc)``.

    Joined into the page's own query, these three tables made PostgreSQL plan six
    relations: 1.8 ms of planning for 0.3 ms of execution, against 0.3 ms of planning for
    the matter, its debt and its debtor alone (bench/matter_list.py). Read here by their
    ids they cost a round trip of a few rows.
    """
    parts, params = [], []
    for tag, model, columns, ids in (
        ("u", User, ("username", "first_name", "last_name"), users),
        ("f", LawFirm, ("name", None, None), firms),
        ("c", Creditor, ("name", "uscc", None), creditors),
    ):
        ids = sorted({pk for pk in ids if pk is not None})
        if not ids:
            continue
        names = ", ".join(f'"{column}"' if column else "''" for column in columns)
        placeholders = ", ".join(["%s"] * len(ids))
        parts.append(f"SELECT '{tag}', id, {names} FROM {model._meta.db_table} WHERE id IN ({placeholders})")
        params.extend(ids)
    found = {"u": {}, "f": {}, "c": {}}
    if parts:
        with connections[Matter.objects.db].cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            for tag, pk, first, second, third in cursor.fetchall():
                found[tag][pk] = (first, second, third) if tag == "u" else first if tag == "f" else (first, second)
    return found["u"], found["f"], found["c"]


def _first_rows(querysets: list[models.QuerySet], limit: int) -> list[tuple]:
    """The first ``limit`` rows of each queryset (rows of the same shape), in one query
    (UNION ALL) where the database takes a LIMIT in each part of one; else one each."""
    parts = [queryset.order_by()[:limit] for queryset in querysets]
    if connections[parts[0].db].features.supports_slicing_ordering_in_compound:
        return list(parts[0].union(*parts[1:], all=True)) if len(parts) > 1 else list(parts[0])
    return [row for part in parts for row in part]


class MatterQuerySet(models.QuerySet):
    """Filters shared by the matter list page, the API and bulk actions."""

    def filter_by(
        self,
        *,
        stage: str = "",
        product: str = "",
        firm: int | str | None = None,
        owner: int | str | None = None,
        q: str = "",
    ) -> "MatterQuerySet":
        matters = self
        if stage:
            matters = matters.filter(stage=stage)
        if product:
            matters = matters.filter(debt__product=product)
        if firm == "none":
            matters = matters.filter(assigned_firm__isnull=True)
        elif firm:
            matters = matters.filter(assigned_firm_id=firm)
        if owner == "none":
            matters = matters.filter(owner__isnull=True)
        elif owner:
            matters = matters.filter(owner_id=owner)
        if q:
            matters = matters.search(q)
        return matters

    def search(self, q: str) -> "MatterQuerySet":
        """What users know of a matter (API.md, ``q``): each identifier that ``q`` could be.

        - the debtor's name, exactly or by prefix; a guarantor's name likewise (no digit in ``q``);
        - the matter number exactly, or 4+ characters of it (a trigram index on PostgreSQL);
        - a contract or account number exactly, or the account's last four digits;
        - a party's full identity number or phone (``+86``, spaces, dashes ignored), by
          its keyed digest (``SearchKey``): the clear value is never compared or copied;
        - a case number of a proceeding or an enforcement action, brackets normalised.

        Each branch but the matter's own columns is first resolved to at most
        ``SEARCH_LIMIT`` debt or matter ids through its own index (all in one query where
        the database allows), so the final filter is
        an OR of indexed columns of the matter table: PostgreSQL combines them without
        joining debts and parties (an OR across joined tables would scan all three).
        """
        q = " ".join(q.split())
        if not q:
            return self
        condition = Q(number=q.upper())
        # A name has letters or characters: an identity number, phone, account digits, a
        # matter or a case number is no name's start. Leaving the branch out also keeps
        # PostgreSQL from walking the matters in id order looking for one (bench/matter_list.py).
        if not NOT_A_NAME.fullmatch(q) and not search_keys.looks_like_case_number(q):
            condition |= Q(debtor_name__startswith=q)
        debts = Q(contract_number=q) | Q(account_number=q)
        if re.fullmatch(r"\d{4}", q):
            debts |= Q(account_last4=q)
        # Each identifier through its own index, all in one round trip: ("d", a debt's id) or
        # ("m", a matter's id), at most SEARCH_LIMIT of each kind of match. Five queries
        # for an identity number cost more than the page of its one matter (bench/matter_list.py).
        debt, matter = models.Value("d"), models.Value("m")
        branches = [Debt.objects.filter(debts).values_list(debt, "pk")]
        if len(q) >= 4 and re.sub(r"\d", "d", q.upper()) in MATTER_NUMBER_SHAPE:
            condition |= Q(number__contains=q.upper())
        if not any(char.isdigit() for char in q):
            # Their matters straight from the index (``Guarantee.matter``), not each debt's looked up.
            guarantors = Guarantee.objects.filter(guarantor_name__startswith=q, matter__isnull=False)
            branches.append(guarantors.values_list(matter, "matter_id"))
        keys = Q()
        for kind in search_keys.KINDS:
            if digests := search_keys.query_digests(kind, q):
                keys |= Q(kind=kind, digest__in=digests)
        if keys:
            parties = SearchKey.objects.filter(keys).values("party_id")[:SEARCH_LIMIT]
            branches.append(Debt.objects.filter(debtor_id__in=parties).values_list(debt, "pk"))
            guarantees = Guarantee.objects.filter(guarantor_id__in=parties, matter__isnull=False)
            branches.append(guarantees.values_list(matter, "matter_id"))
        if search_keys.looks_like_case_number(q):
            number = search_keys.normal_case_number(q)
            for relation in ("proceedings", "enforcement_actions"):
                # Reached through the relation: those modules import this one.
                model = self.model._meta.get_field(relation).related_model
                cases = model.objects.annotate(case_key=case_number_key()).filter(case_key=number)
                branches.append(cases.values_list(matter, "matter_id"))
        found = _first_rows(branches, SEARCH_LIMIT)
        debt_ids = {pk for tag, pk in found if tag == "d"}
        matter_ids = {pk for tag, pk in found if tag == "m"}
        if debt_ids:
            condition |= Q(debt_id__any_of=frozenset(debt_ids))
        if matter_ids:
            condition |= Q(pk__any_of=frozenset(matter_ids))
        return self.filter(condition)

    def sorted_by(self, keys: list[str]) -> "MatterQuerySet":
        """Order by ``matter_ordering`` keys (``-`` descends), ties newest first; none: newest first.

        A matter without the value (no limitation deadline) comes last either way.
        """
        order = []
        for key in keys:
            nulls = {}
            if key.removeprefix("-") in NULLS_LAST_ORDERINGS:
                nulls = {"nulls_last": True}  # only here: on the other keys it would not match their indexes
            expression = MATTER_ORDERINGS[key.removeprefix("-")]()
            order.append(expression.desc(**nulls) if key.startswith("-") else expression.asc(**nulls))
        return self.order_by(*order, "-id")

    def score_order(self) -> bool | None:
        """True (descending) or False when sorted by the recovery score alone (``sorted_by(["-score"])``), else None."""
        order = self.query.order_by
        if len(order) != 2 or order[1] != "-id" or not isinstance(order[0], models.OrderBy):
            return None
        expression = order[0].expression
        if not isinstance(expression, models.F) or expression.name != "score_row__value":
            return None
        return order[0].descending

    def ids_by_score(self, offset: int, limit: int, *, descending: bool = True) -> list[int]:
        """The ids of ``limit`` matters from ``offset`` by recovery score, ties and unscored matters newest first.

        Sorted in one query with the score's outer join (unscored last), PostgreSQL cannot
        walk the score's index and sorts every matter: about 2 s a page at 1,000,000. The
        scored matters come through that index (an inner join), then the unscored ones, the
        few escalated since the last nightly scoring.
        """
        value = models.F("score_row__value")
        scored = self.filter(score_row__isnull=False).order_by(value.desc() if descending else value.asc(), "-id")
        ids = list(scored.values_list("pk", flat=True)[offset : offset + limit])
        if len(ids) == limit:
            return ids
        scored_count = offset + len(ids) if ids else scored.count()
        start = max(0, offset - scored_count)
        unscored = self.filter(score_row__isnull=True).order_by("-id")
        return ids + list(unscored.values_list("pk", flat=True)[start : start + limit - len(ids)])

    def in_order_of(self, ids: list[int]) -> "MatterQuerySet":
        """These matters among ``ids``, in the ids' order.

        On PostgreSQL by ``array_position`` of one array parameter: a ``CASE`` of fifty
        ``WHEN``s cost Django 4-5 ms of CPU to build and compile for each page (bench/worklist.py).
        """
        if self.db and connections[self.db].vendor == "postgresql":
            position = RawSQL(f'array_position(%s::bigint[], "{self.model._meta.db_table}"."id")', (list(ids),))
        else:
            position = models.Case(*(models.When(pk=pk, then=models.Value(i)) for i, pk in enumerate(ids)), default=None)
        return self.filter(pk__any_of=ids).order_by(position)

    def _sort_column_sources(self) -> dict:
        """What ``claim_total`` and ``limitation_expires_on`` copy, as subqueries of each matter."""
        deadline_model = self.model._meta.get_field("deadlines").related_model
        claim = Debt.objects.filter(pk=models.OuterRef("debt_id")).values(
            total=models.ExpressionWrapper(claim_total_expression(), output_field=models.DecimalField(**MONEY))
        )
        limitation = deadline_model.objects.filter(
            matter_id=models.OuterRef("pk"), kind="limitation", superseded_at__isnull=True
        ).order_by("-id")
        return {
            "claim_total": models.Subquery(claim[:1]),
            "limitation_expires_on": models.Subquery(limitation.values("due_on")[:1]),
        }

    def sort_columns_refresh(self) -> int:
        """Bring ``claim_total`` and ``limitation_expires_on`` of these matters in step; return how many.

        Called by every write that changes a debt's amounts or a matter's current
        limitation deadline (escalations, statements of amounts, the deadline engine).
        """
        return self.update(**self._sort_column_sources())

    def sort_columns_out_of_step(self):
        """``(id, claim_total, its source, limitation_expires_on, its source)`` of the matters whose copies differ."""
        sources = {f"source_{name}": value for name, value in self._sort_column_sources().items()}
        rows = self.annotate(**sources).values_list(
            "pk", "claim_total", "source_claim_total", "limitation_expires_on", "source_limitation_expires_on"
        )
        for row in rows.order_by("pk").iterator(chunk_size=5000):
            if row[1] != row[2] or row[3] != row[4]:
                yield row

    def for_list(self) -> "MatterQuerySet":
        # Loading only the shown columns was measured (bench/matter_list.py): what it
        # saves in building instances, Django spends computing the column mask.
        return self.select_related("debt__debtor", "debt__creditor", "owner", "assigned_firm")

    def with_current_deadlines(self) -> "MatterQuerySet":
        """One query for the current deadlines of all these matters (``Matter.current_deadlines``)."""
        # Reached through the relation: the deadlines module imports this one.
        deadline_model = self.model._meta.get_field("deadlines").related_model
        current = deadline_model.objects.filter(superseded_at__isnull=True).order_by("due_on", "id")
        return self.prefetch_related(
            models.Prefetch("deadlines", queryset=current, to_attr="prefetched_current_deadlines")
        )


class Matter(models.Model):
    """A legal matter: one escalated debt on its way through proceedings to recovery.

    ``assigned_firm`` mirrors the current ``Assignment`` so that the access rule for
    outside lawyers is one indexed column; the assignments keep the history.
    """

    number = models.CharField(_("matter number"), max_length=20, unique=True)
    debt = models.OneToOneField(Debt, verbose_name=_("debt"), on_delete=models.PROTECT, related_name="matter")
    # The debtor's name, copied from the debt's party so that name search stays on one table.
    debtor_name = models.CharField(_("debtor"), max_length=200, default="")
    stage = models.CharField(_("stage"), max_length=24, choices=Stage.choices, default=Stage.INTAKE)
    closing_reason = models.CharField(_("closing reason"), max_length=16, choices=ClosingReason.choices, blank=True)
    owner = models.ForeignKey(
        User, verbose_name=_("owner"), null=True, blank=True, on_delete=models.PROTECT, related_name="owned_matters"
    )
    assigned_firm = models.ForeignKey(
        LawFirm, verbose_name=_("assigned firm"), null=True, blank=True, on_delete=models.PROTECT, related_name="matters"
    )
    forum = models.ForeignKey(
        Forum,
        verbose_name=_("court or arbitration commission"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="matters",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    stage_changed_at = models.DateTimeField(_("stage changed at"), default=timezone.now)
    # Running totals kept by the recovery and cost services under the matter's row lock,
    # so ``outstanding`` needs no query (the matter list shows it for a page of matters).
    # Zero in the database too, for rows written by COPY (bench/matter_list.py).
    costs_recoverable = models.DecimalField(_("recoverable costs"), **ZERO_TOTAL)
    recovered_costs = models.DecimalField(_("recovered to costs"), **ZERO_TOTAL)
    recovered_interest = models.DecimalField(_("recovered to interest"), **ZERO_TOTAL)
    recovered_principal = models.DecimalField(_("recovered to principal"), **ZERO_TOTAL)
    # Copies for the list's sorts (MATTER_ORDERINGS), kept by ``MatterQuerySet.sort_columns_refresh``:
    # the debt's claim total and the current limitation deadline's date (none: no deadline).
    claim_total = models.DecimalField(_("claim total"), **ZERO_TOTAL)
    limitation_expires_on = models.DateField(_("limitation expires on"), null=True, blank=True)
    # The earliest due date of the matter's open promises to pay (none: no open promise),
    # kept by ``promises_evaluate`` on every promise, recovery, reversal and day: the
    # worklist sorts a million matters by it through its indexes.
    promise_due_on = models.DateField(_("promise due on"), null=True, blank=True)
    # The debtor review's recommendation ("" before one is given), kept by ``DebtorReview.save``:
    # a worklist filtered by it and by a firm or owner is then one index of this table.
    recommendation = models.CharField(_("recommendation"), max_length=32, blank=True, default="")
    # What ``outstanding["total"]`` is, in the database.
    outstanding_total = models.GeneratedField(
        expression=models.F("claim_total") + models.F("costs_recoverable") - models.F("recovered_costs")
        - models.F("recovered_interest") - models.F("recovered_principal"),
        output_field=models.DecimalField(**MONEY),
        db_persist=True,
        verbose_name=_("outstanding total"),
    )
    # Set when a settlement instalment was missed (legalcase.models.settlements): the
    # matter waits for enforcement to resume; cleared when it moves to enforcement.
    resumption_flagged_on = models.DateField(_("flagged for resumed enforcement on"), null=True, blank=True)
    # LEGAL_RULES B.6: whether the 受理费 the debtor bears is in the base of the doubled
    # part of 迟延履行 interest is unsettled; excluded unless counsel includes it for the
    # matter (the judgment orders the fee paid straight to the creditor), with a reason.
    delay_base_includes_fee = models.BooleanField(
        _("delayed-performance interest base includes the acceptance fee"), default=False, db_default=False
    )
    # When the retention job anonymised the matter's personal data (LEGAL_RULES B.9; figures
    # are kept). Legal holds are ``LegalHold`` rows. Nullable without a default: SQLite adds
    # the column in place (a remade table would need the PostgreSQL-only index of 0026).
    anonymised_at = models.DateTimeField(_("personal data anonymised at"), null=True, blank=True)

    objects = MatterQuerySet.as_manager()

    class Meta:
        verbose_name = _("matter")
        verbose_name_plural = _("matters")
        indexes = [
            models.Index(fields=["stage", "-id"], name="matter_stage_id"),
            models.Index(fields=["assigned_firm", "-id"], name="matter_firm_id"),
            models.Index(fields=["owner", "-id"], name="matter_owner_id"),
            # varchar_pattern_ops lets PostgreSQL use the index for LIKE 'prefix%'.
            # With the id, a name's matches are counted and paged from the index alone
            # (``legalcase.pagination.matter_ids``), not from a heap page per match.
            models.Index(
                fields=["debtor_name", "id"], name="matter_debtor_name_prefix", opclasses=["varchar_pattern_ops", "int8_ops"]
            ),
            # The list's sort keys (MATTER_ORDERINGS); (stage, id) serves "-stage" newest first.
            models.Index(fields=["debtor_name", "-id"], name="matter_debtor_name_id"),
            models.Index(fields=["stage", "id"], name="matter_stage_id_up"),
            models.Index(fields=["created_at"], name="matter_created_at"),
            # Most matters have recovered nothing, so the tie-break (newest first) is in the
            # index, one per direction: a scan backwards of (total, id) is "-recovered_total".
            models.Index(recovered_total_expression(), models.F("id").desc(), name="matter_recovered_total"),
            models.Index(recovered_total_expression(), "id", name="matter_recovered_total_up"),
            models.Index(fields=["outstanding_total", "-id"], name="matter_outstanding_total"),
            models.Index(fields=["outstanding_total", "id"], name="matter_outstanding_total_up"),
            # Ascending, none last, is PostgreSQL's default; descending with none last needs its own.
            models.Index(fields=["limitation_expires_on", "-id"], name="matter_limitation"),
            models.Index(
                models.F("limitation_expires_on").desc(nulls_last=True), models.F("id").desc(), name="matter_limitation_down"
            ),
            models.Index(fields=["promise_due_on", "-id"], name="matter_promise_due"),
            models.Index(
                models.F("promise_due_on").desc(nulls_last=True), models.F("id").desc(), name="matter_promise_due_down"
            ),
            # The open matters (a worklist's, ``legalcase.services.worklists``), counted from the
            # index alone: by a reviewer's recommendation (joined by id), by owner, by firm. At a
            # million matters the counts read every not-closed row's heap (140-200 ms) without them.
            models.Index(fields=["id"], condition=~Q(stage="closed"), name="matter_open_id"),
            models.Index(fields=["owner", "id"], condition=~Q(stage="closed"), name="matter_open_owner"),
            models.Index(fields=["assigned_firm", "id"], condition=~Q(stage="closed"), name="matter_open_firm"),
            # A worklist filtered by the recommendation, alone or with a firm or an owner
            # (``Matter.recommendation``): the matches from the index, not a join of the reviews.
            models.Index(fields=["recommendation", "id"], condition=~Q(stage="closed"), name="matter_open_reco"),
            models.Index(
                fields=["assigned_firm", "recommendation", "id"], condition=~Q(stage="closed"), name="matter_open_firm_reco"
            ),
            models.Index(fields=["owner", "recommendation", "id"], condition=~Q(stage="closed"), name="matter_open_owner_reco"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def allowed_moves(self) -> tuple[str, ...]:
        return ALLOWED_MOVES[self.stage]

    def can_move_to(self, stage: str) -> bool:
        return stage in ALLOWED_MOVES[self.stage]

    @property
    def recovered_total(self) -> Decimal:
        return self.recovered_costs + self.recovered_interest + self.recovered_principal

    @property
    def recoverable_costs(self) -> Decimal:
        return self.costs_recoverable

    @property
    def current_deadlines(self) -> list["Deadline"]:
        """Deadlines not superseded by a recomputation (open, done or waived), soonest first.

        Lists prefetch them into ``prefetched_current_deadlines`` (one query per page).
        """
        cached = getattr(self, "prefetched_current_deadlines", None)
        if cached is None:
            cached = list(self.deadlines.filter(superseded_at__isnull=True).order_by("due_on", "id"))
            self.prefetched_current_deadlines = cached
        return cached

    @property
    def limitation_deadline(self) -> "Deadline | None":
        return next((d for d in self.current_deadlines if d.kind == "limitation"), None)

    @property
    def current_limitation_on(self):
        """The current limitation deadline's date, read from the deadlines (``limitation_expires_on`` is its copy)."""
        deadline = self.limitation_deadline
        return deadline.due_on if deadline else None

    @property
    def time_barred(self) -> bool:
        """The limitation period ran out before today (LEGAL_RULES section 2).

        A limitation deadline closed as done (suit or arbitration filed in time, which
        interrupts it) no longer bars the claim.
        """
        deadline = self.limitation_deadline
        if deadline is None or deadline.is_done:
            return False
        return deadline.due_on < timezone.localdate()

    @cached_property
    def legal_hold(self):
        """The legal hold in force (``LegalHold``), or None."""
        return self.legal_holds.filter(lifted_at__isnull=True).select_related("set_by").first()

    @property
    def retention_clock_from(self):
        """When the retention period (B.9) runs from: closure, or the later lifting of a legal hold; None while open."""
        if self.stage != Stage.CLOSED:
            return None
        lifted = self.legal_holds.exclude(lifted_at__isnull=True).aggregate(last=models.Max("lifted_at"))["last"]
        return max(filter(None, (self.stage_changed_at, lifted)))

    @property
    def outstanding(self) -> dict[str, Decimal]:
        """What is still owed: the claim plus recoverable costs, by API.md's three heads."""
        debt = self.debt
        costs = self.costs_recoverable - self.recovered_costs
        interest = debt.non_principal_total - self.recovered_interest
        principal = debt.principal - self.recovered_principal
        return {"costs": costs, "interest": interest, "principal": principal, "total": costs + interest + principal}


class MatterNumberCounter(models.Model):
    """The last matter number handed out in a year (numbers read ``FS-YYYY-NNNNNN``)."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("matter number counter")


class MatterCount(models.Model):
    """How many matters are in a stage, with a firm and an owner: the sum of the key's rows.

    Kept by statement triggers on the matter table (PostgreSQL, migration 0046): each
    insert, update or delete adds a row per key it changed, +n or -n; a truncate empties
    the table. ``matter_counts_compact`` (the schedule) sums each key's rows into one.
    An exact count of a list filtered by these columns alone is then a sum over a few
    hundred rows (``legalcase.counts``), not a count of 200,000 matters. Empty on SQLite,
    where lists count their matters.
    """

    stage = models.CharField(_("stage"), max_length=32)
    firm_id = models.BigIntegerField(_("firm"), null=True)
    owner_id = models.BigIntegerField(_("owner"), null=True)
    matters = models.BigIntegerField(_("matters"))

    class Meta:
        verbose_name = _("matter count")
        indexes = [models.Index(fields=["stage", "firm_id", "owner_id"], name="matter_count_key")]


class Assignment(models.Model):
    """A law firm instructed on a matter, from ``started_at`` until ``ended_at`` (history kept)."""

    # Reached through its matter (legalcase.access.access_child), but by its own rule:
    matter_path = "matter"

    @staticmethod
    def visible_to(rows: models.QuerySet, *, user: User, matters: models.QuerySet) -> models.QuerySet:
        """A lawyer sees their own firm's assignments, also after they ended (a firm invoices
        its work afterwards); anyone else, those of the matters they see."""
        if not user.is_authenticated or not user.is_active:
            return rows.none()
        if user.role == Role.LAWYER:
            return rows.filter(firm_id=user.firm_id) if user.firm_id else rows.none()
        # Every matter (counsel): no subquery over them.
        return rows.filter(matter__in=matters) if matters.query.has_filters() else rows

    matter = models.ForeignKey(Matter, verbose_name=_("matter"), on_delete=models.PROTECT, related_name="assignments")
    firm = models.ForeignKey(LawFirm, verbose_name=_("law firm"), on_delete=models.PROTECT, related_name="assignments")
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    started_by = models.ForeignKey(
        User, verbose_name=_("started by"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        User, verbose_name=_("ended by"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["matter"], condition=Q(ended_at__isnull=True), name="assignment_one_current_per_matter"
            ),
        ]

    @property
    def is_current(self) -> bool:
        return self.ended_at is None


# A lawyer's practising certificate number (律师执业证号) is 17 digits.
LICENCE_NUMBER_LENGTH = 17
# A party may be represented by at most two agents (民事诉讼法 Art. 61).
MAX_ASSIGNMENT_LAWYERS = 2


class AssignmentLawyer(models.Model):
    """A lawyer of the assigned firm who acts on the matter (委托诉讼代理人), as filings name them.

    Not a user: the firm's signing lawyer need not have a login. At most two per
    assignment (``position`` 1 or 2), replaced together.
    """

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), on_delete=models.CASCADE, related_name="lawyers"
    )
    name = models.CharField(_("name"), max_length=100)
    licence_number = models.CharField(_("licence number"), max_length=LICENCE_NUMBER_LENGTH)
    phone = models.CharField(_("phone"), max_length=20, blank=True, default="", db_default="")
    position = models.PositiveSmallIntegerField(_("position"), default=1)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("assigned lawyer")
        verbose_name_plural = _("assigned lawyers")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "position"], name="assignmentlawyer_unique_position"),
            models.CheckConstraint(
                condition=Q(position__gte=1) & Q(position__lte=MAX_ASSIGNMENT_LAWYERS),
                name="assignmentlawyer_at_most_two",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class EventKind(models.TextChoices):
    CREATED = "created", _("Matter opened")
    STAGE_CHANGED = "stage_changed", _("Stage changed")
    OWNER_CHANGED = "owner_changed", _("Owner changed")
    FIRM_ASSIGNED = "firm_assigned", _("Firm assigned")
    FIRM_UNASSIGNED = "firm_unassigned", _("Assignment ended")
    DEBTOR_REVEALED = "debtor_revealed", _("Personal data revealed")
    UPDATED = "updated", _("Matter updated")
    EVIDENCE_ADDED = "evidence_added", _("Evidence added")
    EVIDENCE_DOWNLOADED = "evidence_downloaded", _("Evidence downloaded")
    EVIDENCE_TAMPERED = "evidence_tampered", _("Evidence file changed or missing")
    EVIDENCE_EDITED = "evidence_edited", _("Evidence corrected")
    EVIDENCE_WITHDRAWN = "evidence_withdrawn", _("Evidence withdrawn")
    EVIDENCE_REINSTATED = "evidence_reinstated", _("Evidence reinstated")
    EVIDENCE_CROSS_EXAMINED = "evidence_cross_examined", _("Cross-examination recorded")
    DEADLINE_CLOSED = "deadline_closed", _("Deadline closed")
    DEADLINE_OVERRIDDEN = "deadline_overridden", _("Deadline date overridden")
    FORUM_SET = "forum_set", _("Court or arbitration commission set")
    DOCUMENT_REQUESTED = "document_requested", _("Document generated")
    DOCUMENT_DOWNLOADED = "document_downloaded", _("Document downloaded")
    PROCEEDING_RECORDED = "proceeding_recorded", _("Proceeding recorded")
    PROCEEDING_UPDATED = "proceeding_updated", _("Proceeding updated")
    SERVICE_RECORDED = "service_recorded", _("Service recorded")
    HEARING_ADDED = "hearing_added", _("Hearing scheduled")
    HEARING_MOVED = "hearing_moved", _("Hearing moved")
    COURT_DATES_SET = "court_dates_set", _("Court dates set")
    RULING_RECORDED = "ruling_recorded", _("Ruling recorded")
    RULING_CONFIRMED = "ruling_confirmed", _("Ruling confirmed")
    ASSET_RECORDED = "asset_recorded", _("Asset recorded")
    ENFORCEMENT_RECORDED = "enforcement_recorded", _("Enforcement action recorded")
    ENFORCEMENT_RENEWED = "enforcement_renewed", _("Enforcement action renewed")
    ENFORCEMENT_STATUS_CHANGED = "enforcement_status_changed", _("Enforcement action closed")
    RECOVERY_RECORDED = "recovery_recorded", _("Recovery recorded")
    RECOVERY_REVERSED = "recovery_reversed", _("Recovery reversed")
    COST_RECORDED = "cost_recorded", _("Cost recorded")
    SETTLEMENT_RECORDED = "settlement_recorded", _("Settlement recorded")
    SETTLEMENT_CHANGED = "settlement_changed", _("Settlement status changed")
    CLAIM_TRANSFERRED = "claim_transferred", _("Claim transferred")
    FEE_ARRANGEMENT_SET = "fee_arrangement_set", _("Fee arrangement set")
    INVOICE_SUBMITTED = "invoice_submitted", _("Invoice submitted")
    INVOICE_DECIDED = "invoice_decided", _("Invoice approved or rejected")
    INVOICE_PAID = "invoice_paid", _("Invoice payment recorded")
    PARTY_CORRECTED = "party_corrected", _("Party details corrected")
    DEBT_CORRECTED = "debt_corrected", _("Debt terms corrected")
    AMOUNTS_RESTATED = "amounts_restated", _("Amounts restated")
    GUARANTEE_CORRECTED = "guarantee_corrected", _("Guarantee corrected")
    LAWYERS_SET = "lawyers_set", _("Assigned lawyers set")
    DELAY_BASE_SET = "delay_base_set", _("Base of the interest for delayed performance changed")
    DEMAND_RECORDED = "demand_recorded", _("Demand recorded")
    DEMAND_UPDATED = "demand_updated", _("Demand updated")
    DEMAND_TRACKED = "demand_tracked", _("Courier event recorded")
    LEGAL_HOLD_SET = "legal_hold_set", _("Legal hold set")
    LEGAL_HOLD_LIFTED = "legal_hold_lifted", _("Legal hold lifted")
    ANONYMISED = "anonymised", _("Personal data anonymised")
    COURT_NOTICE_CONFIRMED = "court_notice_confirmed", _("Court notice confirmed")
    CONTACT_RECORDED = "contact_recorded", _("Collection contact recorded")
    PROMISE_STATUS_CHANGED = "promise_status_changed", _("Promise to pay kept or broken")
    COMPLAINT_OPENED = "complaint_opened", _("Complaint or dispute recorded")
    COMPLAINT_RESOLVED = "complaint_resolved", _("Complaint or dispute resolved")
    PLAN_STARTED = "plan_started", _("Playbook started")
    PLAN_ENDED = "plan_ended", _("Playbook stopped")
    TASK_ADDED = "task_added", _("Task added")
    TASK_CLOSED = "task_closed", _("Task closed")
    REVIEW_UPDATED = "review_updated", _("Debtor review updated")


class MatterEvent(AppendOnly):
    """One entry of a matter's timeline and audit trail: who did what, when, old and new values.

    Append-only: an entry is never edited or deleted (``save`` refuses updates).
    """

    matter = models.ForeignKey(Matter, verbose_name=_("matter"), on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(User, verbose_name=_("actor"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)
    kind = models.CharField(_("kind"), max_length=32, choices=EventKind.choices)
    old = models.JSONField(_("old value"), null=True, blank=True)
    new = models.JSONField(_("new value"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("matter event")
        verbose_name_plural = _("matter events")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["matter", "-at"], name="event_matter_at"),
            # A firm's activity and a user's handled matters read the log by actor.
            models.Index(fields=["actor", "-at"], name="event_actor_at"),
        ]
