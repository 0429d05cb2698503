"""The core of Fasu: creditors, parties, debts, matters, firms and their history.

Stages are a ``TextChoices`` field with the table of allowed moves right beside it
(API.md, "Stages and allowed moves"); ``services.matter_transition`` is the only
code that moves a matter. Every change to a matter is written to ``MatterEvent``,
an append-only log.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from legalcase.identity import (
    IdentityError,
    mask_account,
    mask_id_number,
    mask_phone,
    validate_resident_id,
    validate_uscc,
)
from legalcase.money import MONEY, RATE

if TYPE_CHECKING:
    from legalcase.models.deadlines import Deadline

ZERO_TOTAL = {"default": Decimal("0.00"), "db_default": Decimal("0.00"), **MONEY}


class Role(models.TextChoices):
    COUNSEL = "counsel", _("In-house counsel")
    LAWYER = "lawyer", _("Outside lawyer")
    MANAGER = "manager", _("Asset manager")
    ADMIN = "admin", _("Administrator")


class LawFirm(models.Model):
    """An outside law firm that counsel instruct; its lawyers see only its matters."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("law firm")
        verbose_name_plural = _("law firms")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in; ``role`` decides what they may do, ``firm`` scopes lawyers."""

    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.COUNSEL)
    firm = models.ForeignKey(
        LawFirm, verbose_name=_("law firm"), null=True, blank=True, on_delete=models.PROTECT, related_name="lawyers"
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="lawyer") | Q(firm__isnull=False), name="lawyer_has_firm"
            ),
        ]

    def clean(self) -> None:
        super().clean()
        if self.role == Role.LAWYER and self.firm_id is None:
            raise ValidationError({"firm": _("An outside lawyer must belong to a law firm.")})

    @property
    def display_name(self) -> str:
        # Chinese names read family name first, with no space: 王 + 敏 -> 王敏.
        if any("\u4e00" <= char <= "\u9fff" for char in self.last_name + self.first_name):
            return f"{self.last_name}{self.first_name}"
        return self.get_full_name() or self.username


class Creditor(models.Model):
    """A bank, card centre or asset-management company that owns debts."""

    name = models.CharField(_("name"), max_length=200)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    representative = models.CharField(_("legal representative"), max_length=100, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("creditor")
        verbose_name_plural = _("creditors")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        try:
            self.uscc = validate_uscc(self.uscc)
        except IdentityError as exc:
            raise ValidationError({"uscc": str(exc)}) from None


class Party(models.Model):
    """A debtor or guarantor: a natural person (identity number) or an organisation (USCC).

    One row per identity, so the debtor page can list every matter of the same person.
    """

    class Kind(models.TextChoices):
        PERSON = "person", _("Natural person")
        ORGANISATION = "organisation", _("Organisation")

    class Gender(models.TextChoices):
        MALE = "male", _("Male")
        FEMALE = "female", _("Female")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.PERSON)
    name = models.CharField(_("name"), max_length=200)
    id_number = models.CharField(_("identity number"), max_length=18, blank=True)
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [
            models.UniqueConstraint(fields=["id_number"], condition=~Q(id_number=""), name="party_unique_id_number"),
            models.UniqueConstraint(fields=["uscc"], condition=~Q(uscc=""), name="party_unique_uscc"),
            models.CheckConstraint(
                condition=(Q(kind="person") & ~Q(id_number="")) | (Q(kind="organisation") & ~Q(uscc="")),
                name="party_has_identity",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """Check the identity number (with gender and birth date) or the credit code."""
        super().clean()
        try:
            if self.kind == self.Kind.PERSON:
                self.id_number = validate_resident_id(
                    self.id_number, gender=self.gender or None, birth_date=self.birth_date
                )
            else:
                self.uscc = validate_uscc(self.uscc)
        except IdentityError as exc:
            raise ValidationError({"id_number" if self.kind == self.Kind.PERSON else "uscc": str(exc)}) from None

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number) if self.kind == self.Kind.PERSON else self.uscc

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class Product(models.TextChoices):
    CREDIT_CARD = "credit_card", _("Credit card")
    LOAN = "loan", _("Loan")


class Debt(models.Model):
    """The loan or card account behind a matter, with the claim by component as of a date.

    ``matured_on`` is when the whole debt fell due, the agreed maturity or an earlier
    acceleration (宣布提前到期), and limitation runs from it; ``term_ends_on`` is the
    agreed end of the term as the contract states it, which the complaint forms ask for
    separately (借款期限). The loan terms are optional: filings mark what is missing.
    """

    class RepaymentMethod(models.TextChoices):
        # The boxes of the official 金融借款合同纠纷 complaint form, in its order.
        EQUAL_INSTALLMENT = "equal_installment", _("Equal instalments of principal and interest")
        EQUAL_PRINCIPAL = "equal_principal", _("Equal instalments of principal")
        BULLET = "bullet", _("Principal and interest at maturity")
        MONTHLY_INTEREST = "monthly_interest", _("Interest monthly, principal at maturity")
        QUARTERLY_INTEREST = "quarterly_interest", _("Interest quarterly, principal at maturity")
        YEARLY_INTEREST = "yearly_interest", _("Interest yearly, principal at maturity")
        OTHER = "other", _("Other repayment method")

    creditor = models.ForeignKey(Creditor, verbose_name=_("creditor"), on_delete=models.PROTECT, related_name="debts")
    original_creditor = models.ForeignKey(
        Creditor,
        verbose_name=_("original creditor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transferred_debts",
    )
    portfolio = models.ForeignKey(
        "Portfolio", verbose_name=_("portfolio"), null=True, blank=True, on_delete=models.PROTECT, related_name="debts"
    )
    debtor = models.ForeignKey(Party, verbose_name=_("debtor"), on_delete=models.PROTECT, related_name="debts")
    product = models.CharField(_("product"), max_length=16, choices=Product.choices)
    account_number = models.CharField(_("account number"), max_length=40)
    contract_number = models.CharField(_("contract number"), max_length=60, blank=True, db_index=True)
    contract_date = models.DateField(_("contract date"), null=True, blank=True)
    amounts_as_of = models.DateField(_("amounts as of"))
    principal = models.DecimalField(_("principal"), **MONEY)
    interest = models.DecimalField(_("interest"), default=Decimal("0.00"), **MONEY)
    penalty_interest = models.DecimalField(_("penalty interest"), default=Decimal("0.00"), **MONEY)
    compound_interest = models.DecimalField(_("compound interest"), default=Decimal("0.00"), **MONEY)
    late_fees = models.DecimalField(_("late fees"), default=Decimal("0.00"), **MONEY)
    fees = models.DecimalField(_("fees"), default=Decimal("0.00"), **MONEY)
    annual_interest_rate = models.DecimalField(_("annual interest rate"), null=True, blank=True, **RATE)
    penalty_rate = models.DecimalField(_("penalty rate"), null=True, blank=True, **RATE)
    compound_rate = models.DecimalField(_("compound rate"), null=True, blank=True, **RATE)
    day_count = models.PositiveSmallIntegerField(_("day count"), default=360)
    overdue_since = models.DateField(_("overdue since"))
    matured_on = models.DateField(_("matured on"), null=True, blank=True)
    last_payment_date = models.DateField(_("last payment date"), null=True, blank=True)
    # For a card, the credit limit and the day the card was issued.
    loan_amount = models.DecimalField(_("loan amount or credit limit"), null=True, blank=True, **MONEY)
    disbursed_on = models.DateField(_("disbursed or card issued on"), null=True, blank=True)
    term_ends_on = models.DateField(_("agreed maturity"), null=True, blank=True)
    # db_default too: bench/matter_list.py COPYs debts without naming these columns.
    repayment_method = models.CharField(
        _("repayment method"), max_length=24, choices=RepaymentMethod.choices, blank=True, default="", db_default=""
    )
    branch = models.CharField(_("issuing or lending branch"), max_length=200, blank=True, default="", db_default="")

    AMOUNT_FIELDS = ("principal", "interest", "penalty_interest", "compound_interest", "late_fees", "fees")

    class Meta:
        verbose_name = _("debt")
        verbose_name_plural = _("debts")
        constraints = [
            models.UniqueConstraint(fields=["creditor", "account_number"], name="debt_unique_account"),
        ]
        indexes = [models.Index(fields=["account_number"], name="debt_account_number")]

    def __str__(self) -> str:
        return f"{self.get_product_display()} {self.masked_account_number}"

    @property
    def masked_account_number(self) -> str:
        return mask_account(self.account_number)

    @property
    def claim_total(self) -> Decimal:
        return sum((getattr(self, name) for name in self.AMOUNT_FIELDS), Decimal("0.00"))

    @property
    def non_principal_total(self) -> Decimal:
        return self.claim_total - self.principal


class Guarantee(models.Model):
    """A guarantor's undertaking for a debt (民法典 Arts. 686-693)."""

    class Type(models.TextChoices):
        JOINT = "joint", _("Joint and several (连带责任保证)")
        GENERAL = "general", _("General (一般保证)")

    debt = models.ForeignKey(Debt, verbose_name=_("debt"), on_delete=models.PROTECT, related_name="guarantees")
    guarantor = models.ForeignKey(Party, verbose_name=_("guarantor"), on_delete=models.PROTECT, related_name="guarantees")
    guarantee_type = models.CharField(_("guarantee type"), max_length=8, choices=Type.choices, default=Type.JOINT)
    guarantee_period_ends_on = models.DateField(_("guarantee period ends on"), null=True, blank=True)

    class Meta:
        verbose_name = _("guarantee")
        verbose_name_plural = _("guarantees")
        constraints = [models.UniqueConstraint(fields=["debt", "guarantor"], name="guarantee_unique_party")]


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
    name = models.CharField(_("name"), max_length=200, unique=True)
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
        """Debtor name exactly or by prefix; matter, contract and account numbers exactly.

        Every branch is an index on the matter table itself (the debtor's name is kept
        on the matter for this), so PostgreSQL combines them without joining debts
        and parties: an OR across joined tables would scan all three.
        """
        q = q.strip()
        if not q:
            return self
        debt_ids = list(
            Debt.objects.filter(Q(contract_number=q) | Q(account_number=q)).values_list("pk", flat=True)[:1000]
        )
        return self.filter(Q(debtor_name__startswith=q) | Q(number=q.upper()) | Q(debt_id__in=debt_ids))

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
    # Set when a settlement instalment was missed (legalcase.models.settlements): the
    # matter waits for enforcement to resume; cleared when it moves to enforcement.
    resumption_flagged_on = models.DateField(_("flagged for resumed enforcement on"), null=True, blank=True)

    objects = MatterQuerySet.as_manager()

    class Meta:
        verbose_name = _("matter")
        verbose_name_plural = _("matters")
        indexes = [
            models.Index(fields=["stage", "-id"], name="matter_stage_id"),
            models.Index(fields=["assigned_firm", "-id"], name="matter_firm_id"),
            models.Index(fields=["owner", "-id"], name="matter_owner_id"),
            # varchar_pattern_ops lets PostgreSQL use the index for LIKE 'prefix%'.
            models.Index(fields=["debtor_name"], name="matter_debtor_name_prefix", opclasses=["varchar_pattern_ops"]),
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
    def limitation_expires_on(self):
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

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("matter number counter")


class Assignment(models.Model):
    """A law firm instructed on a matter, from ``started_at`` until ``ended_at`` (history kept)."""

    matter = models.ForeignKey(Matter, verbose_name=_("matter"), on_delete=models.PROTECT, related_name="assignments")
    firm = models.ForeignKey(LawFirm, verbose_name=_("law firm"), on_delete=models.PROTECT, related_name="assignments")
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    started_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True, blank=True)

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
    DEADLINE_CLOSED = "deadline_closed", _("Deadline closed")
    DEADLINE_OVERRIDDEN = "deadline_overridden", _("Deadline date overridden")
    FORUM_SET = "forum_set", _("Court or arbitration commission set")
    DOCUMENT_REQUESTED = "document_requested", _("Document generated")
    DOCUMENT_DOWNLOADED = "document_downloaded", _("Document downloaded")
    PROCEEDING_RECORDED = "proceeding_recorded", _("Proceeding recorded")
    PROCEEDING_UPDATED = "proceeding_updated", _("Proceeding updated")
    SERVICE_RECORDED = "service_recorded", _("Service recorded")
    HEARING_ADDED = "hearing_added", _("Hearing scheduled")
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


class AppendOnlyError(Exception):
    """Raised on an attempt to edit or delete an entry of an append-only log."""


class AppendOnly(models.Model):
    """A row that is written once: ``save`` refuses an update and ``delete`` refuses outright.

    A mistake is put right by a new row (an event, a counter-entry), never by an edit.
    """

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only")


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


class AuditAction(models.TextChoices):
    EXPORT = "export", _("Export")
    CALENDAR_FEED_ISSUED = "calendar_feed_issued", _("Calendar feed issued")
    CALENDAR_FEED_REVOKED = "calendar_feed_revoked", _("Calendar feed revoked")
    PORTFOLIO_CHANGED = "portfolio_changed", _("Portfolio changed")


class AuditEvent(AppendOnly):
    """An audited act not tied to one matter (an export, a calendar feed key): who, when, what.

    Append-only, like the matters' timelines (个人信息保护法: logs of exports kept).
    """

    actor = models.ForeignKey(User, verbose_name=_("actor"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)
    action = models.CharField(_("action"), max_length=32, choices=AuditAction.choices)
    target = models.CharField(_("what"), max_length=200, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["actor", "-at"], name="audit_actor_at")]


class ApiToken(models.Model):
    """An API key; only its SHA-256 digest is stored, and it stops working at ``expires_at``."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")


class LoginFailure(models.Model):
    """A failed sign-in, counted per username to throttle password guessing."""

    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["username", "at"], name="loginfailure_user_at")]


class JobStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Job(models.Model):
    """A piece of background work and its state; the database row is the truth, not the queue.

    A service creates the row and enqueues its id after commit; a worker claims the
    row with a conditional UPDATE, so two workers never run it at once, and a row left
    ``running`` by a dead worker is claimed again once its lease has run out.
    """

    FINISHED = (JobStatus.DONE, JobStatus.FAILED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=64)
    status = models.CharField(_("status"), max_length=16, choices=JobStatus.choices, default=JobStatus.PENDING)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("total"), default=0)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claim = models.UUIDField(null=True, blank=True, editable=False)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        indexes = [models.Index(fields=["status", "lease_expires_at"], name="job_status_lease")]

    def __str__(self) -> str:
        return f"{self.kind} {self.id}"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def percent(self) -> int:
        if self.progress_total == 0:
            return 100 if self.status == JobStatus.DONE else 0
        return min(100, round(100 * self.progress_done / self.progress_total))


class Portfolio(models.Model):
    """A package of debts an asset-management company bought (资产包).

    ``holder`` is the creditor that holds the package now (set by its last transfer).
    """

    name = models.CharField(_("name"), max_length=200, unique=True)
    holder = models.ForeignKey(
        Creditor, verbose_name=_("holder"), null=True, blank=True, on_delete=models.PROTECT, related_name="portfolios"
    )
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("portfolio")
        verbose_name_plural = _("portfolios")

    def __str__(self) -> str:
        return self.name


class DemandChannel(models.TextChoices):
    PHONE = "phone", pgettext_lazy("demand channel", "Phone")
    SMS = "sms", pgettext_lazy("demand channel", "SMS")
    LETTER = "letter", pgettext_lazy("demand channel", "Letter")
    EMAIL = "email", pgettext_lazy("demand channel", "E-mail")
    VISIT = "visit", pgettext_lazy("demand channel", "Visit")
    PUBLIC_NOTICE = "public_notice", pgettext_lazy("demand channel", "Public notice")


class DemandRecord(models.Model):
    """A demand for payment made to the debtor (催收记录).

    ``delivered`` records that proof of delivery exists; only a delivered demand
    interrupts limitation (诉讼时效规定 Art. 8, 民法典 Art. 195).
    """

    debt = models.ForeignKey(Debt, verbose_name=_("debt"), on_delete=models.PROTECT, related_name="demands")
    date = models.DateField(_("date"))
    channel = models.CharField(_("channel"), max_length=16, choices=DemandChannel.choices)
    delivered = models.BooleanField(_("delivered"), default=False)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("demand record")
        verbose_name_plural = _("demand records")
        constraints = [
            models.UniqueConstraint(fields=["debt", "date", "channel"], name="demand_unique_date_channel"),
        ]
