"""What a matter is about: creditors, parties, the debt with its guarantees, demands and portfolio."""

from __future__ import annotations

import datetime as dt
import functools
import operator
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from legalcase.identity import (
    IdentityError,
    mask_account,
    mask_address,
    mask_id_number,
    mask_phone,
    validate_resident_id,
    validate_uscc,
)
from legalcase.fields import DerivedCharField, DerivedFieldsMixin, EncryptedCharField, EncryptedTextField
from legalcase.models.base import AppendOnly
from legalcase.money import MONEY, RATE
from legalcase.notices import domicile_province, newspaper_notice_counts
from legalcase.safetext import validate_name

ZERO_MONEY = {"default": Decimal("0.00"), "db_default": Decimal("0.00"), **MONEY}


class Creditor(models.Model):
    """A bank, card centre or asset-management company that owns debts."""

    name = models.CharField(_("name"), max_length=200, validators=[validate_name])
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    representative = models.CharField(_("legal representative"), max_length=100, blank=True)
    # 法定代表人/负责人 and the card centre's phone for service, as the complaint forms print them.
    representative_title = models.CharField(
        _("representative's title"), max_length=50, blank=True, default="", db_default=""
    )
    service_phone = models.CharField(_("service phone"), max_length=30, blank=True, default="", db_default="")
    # A narrower window for collection contacts than LEGAL_RULES B.2's 08:00-22:00
    # (``contact_hours@2026``: "a creditor may set a narrower window"); empty: the rule's own.
    contact_window_start = models.TimeField(_("collection contacts from"), null=True, blank=True)
    contact_window_end = models.TimeField(_("collection contacts until"), null=True, blank=True)

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


class Party(DerivedFieldsMixin, models.Model):
    """A debtor or guarantor: a natural person (identity number) or an organisation (USCC).

    One row per identity, so the debtor page can list every matter of the same person.
    The identity number, phone and addresses are encrypted at rest (``legalcase.fields``);
    ``id_number_digest`` keeps one row per identity and finds it.
    """

    class Kind(models.TextChoices):
        PERSON = "person", _("Natural person")
        ORGANISATION = "organisation", _("Organisation")

    class Gender(models.TextChoices):
        MALE = "male", _("Male")
        FEMALE = "female", _("Female")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.PERSON)
    name = models.CharField(_("name"), max_length=200, validators=[validate_name])
    id_number = EncryptedCharField(_("identity number"), max_length=18, blank=True)
    id_number_digest = DerivedCharField(
        _("identity number digest"), source="id_number", derive="digest:id_number", max_length=64,
        blank=True, default="", db_default="",
    )
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    # The first ``ok`` number of ``phones``, kept in sync by the services that change them.
    phone = EncryptedCharField(_("phone"), max_length=20, blank=True)
    # 住所地: the domicile (a person's registered residence, an organisation's seat).
    address = EncryptedCharField(_("address"), max_length=300, blank=True)
    # What the 要素式 complaint forms ask of a party besides; db_default for rows written by COPY.
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True, default="", db_default="")
    workplace = models.CharField(_("work unit"), max_length=200, blank=True, default="", db_default="")
    position = models.CharField(_("position"), max_length=100, blank=True, default="", db_default="")
    habitual_residence = EncryptedCharField(
        _("habitual residence"), max_length=300, blank=True, default="", db_default=""
    )
    service_address = EncryptedCharField(
        _("agreed service address"), max_length=300, blank=True, default="", db_default=""
    )
    # An organisation's legal representative (法定代表人) or principal (负责人), and which.
    representative = models.CharField(_("legal representative"), max_length=100, blank=True, default="", db_default="")
    representative_title = models.CharField(
        _("representative's title"), max_length=50, blank=True, default="", db_default=""
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        # The matter list finds guarantors by name, exactly or by prefix (LIKE 'name%').
        indexes = [models.Index(fields=["name"], name="party_name_prefix", opclasses=["varchar_pattern_ops"])]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_digest"], condition=~Q(id_number_digest=""), name="party_unique_id_number_digest"
            ),
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


class PartyPhone(DerivedFieldsMixin, models.Model):
    """One of a party's phone numbers, in the order given, with what calling it taught.

    ``Party.phone`` is the first ``ok`` number; ``wrong`` and ``do_not_call`` numbers are
    kept (a collector must not dial them again) but never become the party's phone.
    """

    class Status(models.TextChoices):
        OK = "ok", _("In use")
        WRONG = "wrong", _("Wrong number")
        DO_NOT_CALL = "do_not_call", _("Do not call")

    party = models.ForeignKey(Party, verbose_name=_("party"), on_delete=models.CASCADE, related_name="phones")
    number = EncryptedCharField(_("number"), max_length=20)
    number_digest = DerivedCharField(
        _("number digest"), source="number", derive="digest:phone", max_length=64, blank=True, default="", db_default=""
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OK)
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("phone number")
        verbose_name_plural = _("phone numbers")
        constraints = [models.UniqueConstraint(fields=["party", "number_digest"], name="partyphone_unique_number_digest")]

    def __str__(self) -> str:
        return mask_phone(self.number)

    @property
    def masked_number(self) -> str:
        return mask_phone(self.number)


class Product(models.TextChoices):
    CREDIT_CARD = "credit_card", _("Credit card")
    LOAN = "loan", _("Loan")


# The heads of a claim, in the order the claim total adds them.
AMOUNT_FIELDS = ("principal", "interest", "penalty_interest", "compound_interest", "late_fees", "fees")


def claim_total_expression(prefix: str = ""):
    """The claim total as a database expression: the sum of ``Debt.AMOUNT_FIELDS``.

    ``prefix`` reaches the debt through a relation (``"debt__"`` from a matter).
    """
    return functools.reduce(operator.add, (models.F(prefix + name) for name in AMOUNT_FIELDS))


class Debt(DerivedFieldsMixin, models.Model):
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
    # Encrypted at rest; found by its digest (exact) or its last four characters.
    account_number = EncryptedCharField(_("account number"), max_length=40)
    account_digest = DerivedCharField(
        _("account number digest"), source="account_number", derive="digest:account", max_length=64,
        blank=True, default="", db_default="",
    )
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
    # Repayments the debtor made before escalation, as the current statement of amounts
    # gives them (the complaint forms' 已还款金额); ``AmountStatement`` keeps every statement.
    repaid_principal = models.DecimalField(_("principal repaid"), **ZERO_MONEY)
    repaid_interest = models.DecimalField(_("interest repaid"), **ZERO_MONEY)
    interest_paid_to = models.DateField(_("interest paid up to"), null=True, blank=True)
    # The last four characters of the account or card number (shown by every mask anyway),
    # set on save and by ``legalcase.bulk.rows_insert``: the matter list finds a matter by them.
    account_last4 = DerivedCharField(
        _("last four digits"), source="account_number", derive="last4", max_length=4,
        blank=True, default="", db_default="",
    )

    AMOUNT_FIELDS = AMOUNT_FIELDS

    class Meta:
        verbose_name = _("debt")
        verbose_name_plural = _("debts")
        constraints = [
            models.UniqueConstraint(fields=["creditor", "account_digest"], name="debt_unique_account_digest"),
        ]
        indexes = [
            models.Index(fields=["account_digest"], name="debt_account_digest"),
            models.Index(fields=["account_last4"], name="debt_account_last4"),
            # The matter list sorts by these (MATTER_ORDERINGS); the claim total is the
            # same sum, in the same order, as ``claim_total_expression`` so the planner
            # matches the expression index.
            models.Index(fields=["overdue_since"], name="debt_overdue_since"),
            models.Index(claim_total_expression(), name="debt_claim_total"),
        ]

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

    def statement_values(self) -> dict:
        """The current statement of amounts as ``AmountStatement`` fields (``as_of`` for ``amounts_as_of``)."""
        return {
            "as_of": self.amounts_as_of,
            **{name: getattr(self, name) for name in self.AMOUNT_FIELDS},
            "repaid_principal": self.repaid_principal,
            "repaid_interest": self.repaid_interest,
            "interest_paid_to": self.interest_paid_to,
        }


class Guarantee(models.Model):
    """A guarantor's undertaking for a debt (民法典 Arts. 686-693).

    A guarantee whose type was not agreed, or not clearly, is a general guarantee
    (民法典 Art. 686 para 2): it is recorded as ``general`` with ``type_presumed`` set,
    and the pages say the type was presumed.
    """

    class Type(models.TextChoices):
        JOINT = "joint", _("Joint and several (连带责任保证)")
        GENERAL = "general", _("General (一般保证)")

    debt = models.ForeignKey(Debt, verbose_name=_("debt"), on_delete=models.PROTECT, related_name="guarantees")
    guarantor = models.ForeignKey(Party, verbose_name=_("guarantor"), on_delete=models.PROTECT, related_name="guarantees")
    guarantee_type = models.CharField(_("guarantee type"), max_length=8, choices=Type.choices, default=Type.GENERAL)
    type_presumed = models.BooleanField(
        _("type presumed"),
        default=False,
        db_default=False,
        help_text=_("The type was not agreed or unclear: a general guarantee (民法典 Art. 686 para 2)."),
    )
    guarantee_period_ends_on = models.DateField(_("guarantee period ends on"), null=True, blank=True)
    guarantee_signed_on = models.DateField(_("guarantee signed on"), null=True, blank=True)
    # The period as the contract words it (保证期间约定), e.g. 主债务履行期限届满之日起三年.
    guarantee_agreed_period = models.CharField(
        _("agreed guarantee period"), max_length=200, blank=True, default="", db_default=""
    )
    # The guarantor's name, copied from the party (as ``Matter.debtor_name``) so that a search
    # by a guarantor's name reads this table's index alone: through the parties it walked every
    # person of that name, debtors too, to find the few who guarantee (bench/matter_list.py).
    # Kept by ``save`` for a new guarantee, by the bulk escalation, a party's correction and
    # the retention job's anonymisation.
    guarantor_name = models.CharField(_("guarantor's name"), max_length=200, blank=True, default="", db_default="")
    # The matter of the guarantee's debt (a debt has at most one), copied so that a search by
    # a guarantor's name finds the matters in this table's index alone: through the debts,
    # PostgreSQL looked up each debt's matter (928 for 张伟 in a million: 1.7 of the search's
    # 3.4 ms, bench/matter_list.py). Set by ``save`` for a new guarantee of a debt that has
    # its matter, by ``matter_open`` for the guarantees recorded before it, and by the bulk
    # escalation; a debt's matter never changes.
    matter = models.ForeignKey(
        "legalcase.Matter",
        verbose_name=_("matter"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = _("guarantee")
        verbose_name_plural = _("guarantees")
        constraints = [models.UniqueConstraint(fields=["debt", "guarantor"], name="guarantee_unique_party")]
        indexes = [
            # varchar_pattern_ops lets PostgreSQL use the index for LIKE 'prefix%'; with the
            # matter, a search reads the guarantees' matters from the index alone.
            models.Index(
                fields=["guarantor_name", "matter"],
                name="guarantee_guarantor_matter",
                opclasses=["varchar_pattern_ops", "int8_ops"],
            ),
        ]

    def save(self, *args, **kwargs) -> None:
        if self._state.adding and not self.guarantor_name and self.guarantor_id:
            self.guarantor_name = self.guarantor.name
        if self._state.adding and self.matter_id is None and self.debt_id:
            matters = self._meta.get_field("matter").related_model.objects  # matters.py imports this module
            self.matter_id = matters.filter(debt_id=self.debt_id).values_list("pk", flat=True).first()
        super().save(*args, **kwargs)


class AmountStatement(AppendOnly):
    """A statement of the claim by component as of a date, with the repayments made by then.

    Append-only: a new statement supersedes the last one and both are kept. The latest
    is copied onto the ``Debt`` (its amount columns are the current statement), so
    everything that reads a debt's amounts reads the current one without a join.
    """

    debt = models.ForeignKey(Debt, verbose_name=_("debt"), on_delete=models.PROTECT, related_name="amount_statements")
    as_of = models.DateField(_("amounts as of"))
    principal = models.DecimalField(_("principal"), **MONEY)
    interest = models.DecimalField(_("interest"), **ZERO_MONEY)
    penalty_interest = models.DecimalField(_("penalty interest"), **ZERO_MONEY)
    compound_interest = models.DecimalField(_("compound interest"), **ZERO_MONEY)
    late_fees = models.DecimalField(_("late fees"), **ZERO_MONEY)
    fees = models.DecimalField(_("fees"), **ZERO_MONEY)
    repaid_principal = models.DecimalField(_("principal repaid"), **ZERO_MONEY)
    repaid_interest = models.DecimalField(_("interest repaid"), **ZERO_MONEY)
    interest_paid_to = models.DateField(_("interest paid up to"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        "legalcase.User", verbose_name=_("created by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    AMOUNT_FIELDS = AMOUNT_FIELDS

    class Meta:
        ordering = ["-as_of", "-id"]
        verbose_name = _("statement of amounts")
        verbose_name_plural = _("statements of amounts")
        indexes = [models.Index(fields=["debt", "-as_of", "-id"], name="amountstatement_debt_as_of")]

    @property
    def claim_total(self) -> Decimal:
        return sum((getattr(self, name) for name in self.AMOUNT_FIELDS), Decimal("0.00"))

    @property
    def non_principal_total(self) -> Decimal:
        return self.claim_total - self.principal


class Portfolio(models.Model):
    """A package of debts an asset-management company bought (资产包).

    ``holder`` is the creditor that holds the package now (set by its last transfer).
    """

    name = models.CharField(_("name"), max_length=200, unique=True, validators=[validate_name])
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


class DemandCourier(models.TextChoices):
    EMS = "ems", _("EMS")
    SF = "sf", _("SF Express")
    OTHER = "other", pgettext_lazy("courier", "Other")


class DemandAddressKind(models.TextChoices):
    """Which of the party's addresses a letter went to (LEGAL_RULES Part 2, B.3)."""

    SERVICE_ADDRESS = "service_address", _("Agreed service address")
    DOMICILE = "domicile", _("Domicile")
    HABITUAL_RESIDENCE = "habitual_residence", _("Habitual residence")
    WORKPLACE = "workplace", _("Workplace")
    OTHER = "other", pgettext_lazy("address kind", "Other")


class TrackingStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted by the courier")
    IN_TRANSIT = "in_transit", _("In transit")
    SIGNED = "signed", _("Signed for")
    REFUSED = "refused", _("Refused")
    RETURNED = "returned", _("Returned")


class DemandRecord(models.Model):
    """A demand for payment made to the debtor or a guarantor (催收记录).

    ``delivered`` records that proof of delivery exists; only a delivered demand
    interrupts limitation (诉讼时效规定 Art. 8, 民法典 Art. 195), from ``delivered_on``
    (else ``date``). A letter sent by courier carries its ``waybill`` and its tracking
    events (``DemandTracking``); the event that delivers it names the rule in
    ``delivery_rule`` (``notices.demand_delivery``). A public notice
    (``public_notice``) interrupts limitation only when published in a national outlet or
    a provincial-level one of the debtor's domicile (Art. 8 para 1 (4)): ``outlet`` names
    it and ``interrupts_limitation`` says whether it does (``legalcase.notices``).
    ``document`` (the 律师函 Fasu generated) and ``proof`` (the signed receipt, as
    evidence) are rows of the apps above ``legalcase``, named by string so that
    ``legalcase`` imports neither.
    """

    # Reached through its matter (legalcase.access.access_child).
    matter_path = "debt__matter"

    debt = models.ForeignKey(Debt, verbose_name=_("debt"), on_delete=models.PROTECT, related_name="demands")
    date = models.DateField(_("date"))
    channel = models.CharField(_("channel"), max_length=16, choices=DemandChannel.choices)
    delivered = models.BooleanField(_("delivered"), default=False)
    outlet = models.CharField(
        _("outlet"),
        max_length=100,
        blank=True,
        default="",
        db_default="",
        help_text=_("The newspaper or other outlet that published a public notice."),
    )
    # Collection notes name numbers and addresses: encrypted at rest.
    note = EncryptedTextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Whom the demand went to: the debtor when empty (as every demand before issue 18).
    party = models.ForeignKey(
        Party, verbose_name=_("party"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    address_kind = models.CharField(
        _("address kind"), max_length=24, choices=DemandAddressKind.choices, blank=True, default="", db_default=""
    )
    address = EncryptedCharField(_("address"), max_length=300, blank=True, default="", db_default="")
    courier = models.CharField(
        _("courier"), max_length=8, choices=DemandCourier.choices, blank=True, default="", db_default=""
    )
    waybill = models.CharField(_("waybill number"), max_length=40, blank=True, default="", db_default="")
    document = models.ForeignKey(
        "templates_docx.GeneratedDocument",
        verbose_name=_("document"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    proof = models.ForeignKey(
        "evidence.EvidenceItem",
        verbose_name=_("proof of delivery"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    delivery_rule = models.CharField(_("delivery rule"), max_length=48, blank=True, default="", db_default="")
    tracking_status = models.CharField(
        _("tracking status"), max_length=12, choices=TrackingStatus.choices, blank=True, default="", db_default=""
    )
    created_by = models.ForeignKey(
        "legalcase.User", verbose_name=_("created by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The optional Idempotency-Key of the POST that recorded it (API.md "Conventions"), with
    # the SHA-256 of the body: the same key and body again answer the same demand.
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, blank=True, default="", db_default="")
    request_digest = models.CharField(_("request digest"), max_length=64, blank=True, default="", db_default="")

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("demand record")
        verbose_name_plural = _("demand records")
        constraints = [
            # Escalations add "the demands not yet recorded" by date and channel, so that
            # pair stays unique among them; a letter with a waybill is its own record (two
            # letters on one day, to the debtor and to a guarantor, are two demands).
            models.UniqueConstraint(
                fields=["debt", "date", "channel"], condition=Q(waybill=""), name="demand_unique_date_channel"
            ),
            # The courier's export names a letter by its waybill alone.
            models.UniqueConstraint(fields=["courier", "waybill"], condition=~Q(waybill=""), name="demand_unique_waybill"),
            models.UniqueConstraint(
                fields=["debt", "idempotency_key"], condition=~Q(idempotency_key=""), name="demand_unique_idempotency_key"
            ),
        ]
        indexes = [models.Index(fields=["waybill"], condition=~Q(waybill=""), name="demand_waybill")]

    @property
    def interrupts_limitation(self) -> bool:
        """Delivered, and for a public notice in an outlet of national or the debtor's province's standing."""
        if not self.delivered:
            return False
        if self.party_id is not None and self.party_id != self.debt.debtor_id:
            return False  # a demand on a guarantor alone is not one on the debtor
        if self.channel != DemandChannel.PUBLIC_NOTICE:
            return True
        debtor = self.debt.debtor
        return newspaper_notice_counts(
            self.outlet, domicile_province(address=debtor.address, id_number=debtor.id_number)
        )

    @property
    def masked_address(self) -> str:
        return mask_address(self.address)

    @property
    def effective_on(self) -> dt.date:
        """The day the demand interrupts limitation from, when delivered: ``delivered_on``, else ``date``."""
        return self.delivered_on or self.date


class DemandTracking(AppendOnly):
    """One courier event of a demand letter: by hand, through the API or from a courier's export.

    Append-only; the same status at the same time is one event (a repeat adds nothing).
    """

    class Source(models.TextChoices):
        HAND = "hand", _("Entered by hand")
        API = "api", _("API")
        IMPORT = "import", _("Courier export")

    matter_path = "demand__debt__matter"

    demand = models.ForeignKey(DemandRecord, verbose_name=_("demand"), on_delete=models.PROTECT, related_name="tracking")
    status = models.CharField(_("status"), max_length=12, choices=TrackingStatus.choices)
    at = models.DateTimeField(_("at"))
    note = models.CharField(_("note"), max_length=300, blank=True, default="")
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.HAND)
    created_by = models.ForeignKey(
        "legalcase.User", verbose_name=_("created by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("tracking event")
        verbose_name_plural = _("tracking events")
        constraints = [models.UniqueConstraint(fields=["demand", "status", "at"], name="tracking_unique_event")]
