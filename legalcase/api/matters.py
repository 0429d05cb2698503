"""The REST API of the core (API.md): tokens, matters, assignments, owners, firms, jobs.

Views are thin: a serializer validates the request, ``legalcase.access`` authorises,
a service in ``legalcase.services`` acts. Every view derives from ``ApiView``, whose
exception handler is the one place where the services' Django ``ValidationError``
becomes DRF's usual 400 body and a ``StageConflict`` becomes API.md's 409. Personal
data is masked in every representation here except the audited debtor reveal.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, generics, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from legalcase.access import access_job, access_matter, visible_matters
from legalcase.exports import XLSX_CONTENT_TYPE, matter_export, matter_export_filename
from legalcase.authentication import LoginLocked, login_attempt, token_issue
from legalcase.escalation_input import InputChoiceField
from legalcase.models import (
    MONEY,
    ClosingReason,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    Debt,
    Forum,
    Guarantee,
    MATTER_ORDERINGS,
    PendingOrdering,
    LawFirm,
    Matter,
    Party,
    PartyPhone,
    Product,
    ScoreKind,
    Stage,
    list_names,
    matter_ordering,
)
from legalcase.models.matters import ALLOWED_MOVES
from legalcase.identity import mask_account, mask_address, mask_id_number, mask_phone
from legalcase.money import RATE, money_text
from legalcase.pagination import MatterListPagination, MatterPagination, MatterPaginator
from legalcase.safetext import validate_name
from legalcase.services import (
    EscalationConflict,
    RecordConflict,
    StageConflict,
    forum_add,
    forum_update,
    matter_assign_firm,
    matter_reveal_debtor,
    matter_set_forum,
    matter_set_owner,
    matter_transition,
    matter_unassign_firm,
    review_summary,
)
from legalcase.services.scoring import score_payload

# Errors -------------------------------------------------------------------------------


def exception_handler(exc, context):
    """DRF's handler, plus the services' own exceptions (API.md, "Errors")."""
    if isinstance(exc, (StageConflict, EscalationConflict, RecordConflict)):
        return Response({"detail": str(exc), "stage": exc.stage}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {
                (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): messages
                for field, messages in exc.message_dict.items()
            }
        else:
            detail = {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
        exc = exceptions.ValidationError(detail)
    return drf_exception_handler(exc, context)


class ApiView(APIView):
    # The base of every API view (a comment, not a docstring: the schema would show it).
    def get_exception_handler(self):
        return exception_handler


class ExpiringTokenScheme(OpenApiAuthenticationExtension):
    target_class = "legalcase.authentication.ExpiringTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`, from POST /api/v1/auth/token/",
        }


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ConflictSerializer(DetailSerializer):
    stage = serializers.ChoiceField(choices=Stage.choices)


ERRORS = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="Invalid input, keyed like the request."),
    403: OpenApiResponse(DetailSerializer, description="Your role may not take this action."),
    404: OpenApiResponse(DetailSerializer, description="Not found, or not yours to see."),
}


# Representations ----------------------------------------------------------------------


class MoneyField(serializers.DecimalField):
    """Money as API.md writes it: a decimal string with two places, CNY."""

    def __init__(self, **kwargs):
        super().__init__(**MONEY, read_only=True, **kwargs)


class FirmSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class FirmDetailSerializer(FirmSerializer):
    address = serializers.CharField(help_text="As filings print it; empty until recorded.")
    phone = serializers.CharField()


class CreditorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    uscc = serializers.CharField()


class CreditorDetailSerializer(CreditorSerializer):
    """The creditor with its filing details (API.md, "Correcting and completing the record")."""

    address = serializers.CharField()
    representative = serializers.CharField(help_text="法定代表人 or 负责人.")
    representative_title = serializers.CharField(help_text="Which of the two, as the filing prints it.")
    service_phone = serializers.CharField()


class MaskedPartySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    id_number = serializers.CharField(source="masked_id_number", help_text="Masked; a USCC for an organisation.")
    phone = serializers.CharField(source="masked_phone", help_text="Masked: the first `ok` number of `phones`.")


class MaskedPhoneSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(source="masked_number", help_text="Masked.")
    status = serializers.ChoiceField(choices=PartyPhone.Status.choices)


class MaskedAddressField(serializers.CharField):
    """An address, masked (its first 6 characters kept)."""

    def to_representation(self, value):
        return mask_address(value or "")


class MaskedPartyDetailSerializer(MaskedPartySerializer):
    """A party with every detail the record keeps, personal data masked (no birth date: reveal only)."""

    kind = serializers.ChoiceField(choices=Party.Kind.choices)
    gender = serializers.CharField(help_text="`male`, `female` or empty.")
    phones = MaskedPhoneSerializer(many=True, read_only=True)
    ethnicity = serializers.CharField()
    workplace = serializers.CharField()
    position = serializers.CharField()
    address = MaskedAddressField(help_text="住所地, masked.")
    habitual_residence = MaskedAddressField(help_text="经常居住地, masked.")
    service_address = MaskedAddressField(help_text="The agreed address for service, masked.")
    representative = serializers.CharField(help_text="An organisation's legal representative.")
    representative_title = serializers.CharField()


class PhoneSerializer(serializers.Serializer):
    """Unmasked: only for the audited debtor reveal."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=PartyPhone.Status.choices)


class PartySerializer(serializers.Serializer):
    """Unmasked: only for the audited debtor reveal."""

    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Party.Kind.choices)
    id_number = serializers.CharField()
    uscc = serializers.CharField()
    gender = serializers.CharField()
    birth_date = serializers.DateField(allow_null=True)
    phone = serializers.CharField()
    address = serializers.CharField()
    id = serializers.IntegerField()
    phones = PhoneSerializer(many=True, read_only=True)
    ethnicity = serializers.CharField()
    workplace = serializers.CharField()
    position = serializers.CharField()
    habitual_residence = serializers.CharField()
    service_address = serializers.CharField()
    representative = serializers.CharField()
    representative_title = serializers.CharField()


class GuaranteeFields(serializers.Serializer):
    # Read from a Party annotated by ``guarantors_of``.
    guarantee_type = serializers.ChoiceField(choices=Guarantee.Type.choices)
    guarantee_type_presumed = serializers.BooleanField(
        help_text="The type was not agreed or unclear: general by 民法典 Art. 686 para 2."
    )
    guarantee_period_ends_on = serializers.DateField(allow_null=True)
    guarantee_signed_on = serializers.DateField(allow_null=True)
    guarantee_agreed_period = serializers.CharField(help_text="The period as the contract words it.")


class MaskedGuarantorSerializer(MaskedPartyDetailSerializer, GuaranteeFields):
    pass


class GuarantorSerializer(PartySerializer, GuaranteeFields):
    pass


def guarantors_of(matter: Matter) -> QuerySet[Party]:
    """The matter's guarantors, each carrying its guarantee's type and period."""
    return (
        Party.objects.filter(guarantees__debt_id=matter.debt_id)
        .annotate(
            guarantee_type=F("guarantees__guarantee_type"),
            guarantee_type_presumed=F("guarantees__type_presumed"),
            guarantee_period_ends_on=F("guarantees__guarantee_period_ends_on"),
            guarantee_signed_on=F("guarantees__guarantee_signed_on"),
            guarantee_agreed_period=F("guarantees__guarantee_agreed_period"),
        )
        .prefetch_related("phones")
        .order_by("guarantees__id")
    )


class AmountsSerializer(serializers.Serializer):
    """The claim as escalated (a Debt)."""

    as_of = serializers.DateField(source="amounts_as_of")
    principal = MoneyField()
    interest = MoneyField()
    penalty_interest = MoneyField()
    compound_interest = MoneyField()
    late_fees = MoneyField()
    fees = MoneyField()
    total = MoneyField(source="claim_total")
    repaid_principal = MoneyField(help_text="Repaid before this statement (v1.1).")
    repaid_interest = MoneyField(help_text="Repaid before this statement (v1.1).")
    interest_paid_to = serializers.DateField(allow_null=True, help_text="The day interest is paid up to (v1.1).")


class OutstandingSerializer(serializers.Serializer):
    costs = MoneyField()
    interest = MoneyField()
    principal = MoneyField()
    total = MoneyField()


class DeadlineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=DeadlineKind.choices)
    due_on = serializers.DateField()
    rule = serializers.CharField(help_text="The rule and its version, e.g. `limitation@2021`.")
    status = serializers.ChoiceField(choices=DeadlineStatus.choices)
    verified_calendar = serializers.BooleanField(help_text="False when a year without holiday data was counted.")
    at = serializers.DateTimeField(allow_null=True, help_text="A hearing's date and time; null for other kinds.")
    place = serializers.CharField(allow_null=True, help_text="A hearing's place; null for other kinds.")
    court = serializers.CharField(
        allow_null=True, help_text="The court of a hearing, evidence or defence period; null for other kinds."
    )


class MatterRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()



class MatterSerializer(serializers.Serializer):
    """A matter as API.md's "Matters" shows it, personal data masked; the list's rows."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    stage = serializers.ChoiceField(choices=Stage.choices)
    closing_reason = serializers.CharField(help_text="Set when the stage is `closed`, else empty.")
    allowed_moves = serializers.ListField(child=serializers.CharField(), help_text="Stages the table allows next.")
    product = serializers.ChoiceField(choices=Product.choices, source="debt.product")
    creditor = CreditorSerializer(source="debt.creditor")
    debtor = MaskedPartySerializer(source="debt.debtor")
    account_number = serializers.CharField(source="debt.masked_account_number", help_text="Masked.")
    amounts = AmountsSerializer(source="debt")
    outstanding = OutstandingSerializer()
    overdue_since = serializers.DateField(source="debt.overdue_since")
    limitation_expires_on = serializers.SerializerMethodField()
    time_barred = serializers.SerializerMethodField()
    owner = serializers.CharField(source="owner.username", allow_null=True, help_text="The owner's username.")
    assigned_firm = FirmSerializer(allow_null=True)
    recovered_total = MoneyField()
    deadlines = serializers.SerializerMethodField()

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_limitation_expires_on(self, matter: Matter):
        return matter.current_limitation_on

    @extend_schema_field(serializers.BooleanField())
    def get_time_barred(self, matter: Matter) -> bool:
        return matter.time_barred

    @extend_schema_field(DeadlineSerializer(many=True))
    def get_deadlines(self, matter: Matter) -> list:
        return DeadlineSerializer(matter.current_deadlines, many=True).data

    def to_representation(self, matter: Matter) -> dict:
        # The fields above document the shape (the schema); ``matter_row`` builds the
        # same dict about five times faster, which a list of 500 rows feels. A test
        # holds the two equal.
        return matter_row(matter)


def _date(value) -> str | None:
    return value.isoformat() if value else None


# What a list row reads, as one tuple per matter (``matter_rows``); ``matter_row`` reads
# the same names from one matter's instances. Building the rows' six model instances each
# and their prefetch cost more than all the rest of the API's list (bench/matter_list_cpu.py).
ROW_COLUMNS = (
    "pk", "number", "stage", "closing_reason", "costs_recoverable", "recovered_costs", "recovered_interest",
    "recovered_principal", "owner_id", "owner__username", "assigned_firm_id", "assigned_firm__name",
    "debt__product", "debt__account_number", "debt__amounts_as_of", *(f"debt__{name}" for name in Debt.AMOUNT_FIELDS),
    "debt__repaid_principal", "debt__repaid_interest", "debt__interest_paid_to", "debt__overdue_since",
    "debt__creditor_id", "debt__creditor__name", "debt__creditor__uscc", "debt__debtor_id", "debt__debtor__name",
    "debt__debtor__kind", "debt__debtor__id_number", "debt__debtor__uscc", "debt__debtor__phone",
)  # fmt: skip


def _columns_of(matter: Matter) -> dict:
    """``ROW_COLUMNS`` of one matter, from it and its related instances."""
    values = {}
    for column in ROW_COLUMNS:
        *path, name = column.split("__")
        target = matter
        for step in path:
            target = getattr(target, step)
            if target is None:
                break
        values[column] = None if target is None else getattr(target, name)
    return values


def current_deadlines_by_matter(matter_ids: list[int]) -> dict[int, list[Deadline]]:
    """The current deadlines of these matters (``Matter.current_deadlines``), by matter id, in one query."""
    deadlines: dict[int, list[Deadline]] = {}
    current = Deadline.objects.filter(matter_id__in=matter_ids, superseded_at__isnull=True).order_by("due_on", "id")
    for deadline in current:
        deadlines.setdefault(deadline.matter_id, []).append(deadline)
    return deadlines


# What a page of the list reads: ``ROW_COLUMNS`` but the names behind the owner, the firm and
# the creditor, which ``matter_rows`` reads by id (``list_names``: fewer joins to plan).
NAMED_COLUMNS = ("owner__username", "assigned_firm__name", "debt__creditor__name", "debt__creditor__uscc")
LIST_COLUMNS = tuple(column for column in ROW_COLUMNS if column not in NAMED_COLUMNS)


def matter_rows(values: Iterable[tuple]) -> list[dict]:
    """``matter_row`` of each matter read as ``values_list(*LIST_COLUMNS)``, in their order, and its current deadlines."""
    rows = [dict(zip(LIST_COLUMNS, row)) for row in values]
    if not rows:
        return []
    users, firms, creditors = list_names(
        users={row["owner_id"] for row in rows},
        firms={row["assigned_firm_id"] for row in rows},
        creditors={row["debt__creditor_id"] for row in rows},
    )
    for row in rows:
        row["owner__username"] = users[row["owner_id"]][0] if row["owner_id"] else None
        row["assigned_firm__name"] = firms.get(row["assigned_firm_id"])
        row["debt__creditor__name"], row["debt__creditor__uscc"] = creditors[row["debt__creditor_id"]]
    deadlines = current_deadlines_by_matter([row["pk"] for row in rows])
    today = timezone.localdate()
    return [_row_json(row, deadlines.get(row["pk"], []), today) for row in rows]


def matter_row(matter: Matter) -> dict:
    """``MatterSerializer``'s representation, written out by hand for speed."""
    return _row_json(_columns_of(matter), matter.current_deadlines, timezone.localdate())


def _row_json(row: dict, deadlines: list[Deadline], today) -> dict:
    """A list row from ``ROW_COLUMNS`` and the current deadlines (``Matter.outstanding``, ``time_barred``)."""
    amounts = {name: row[f"debt__{name}"] for name in Debt.AMOUNT_FIELDS}
    claim_total = sum(amounts.values(), Decimal("0.00"))
    costs = row["costs_recoverable"] - row["recovered_costs"]
    interest = claim_total - amounts["principal"] - row["recovered_interest"]
    principal = amounts["principal"] - row["recovered_principal"]
    limitation = next((deadline for deadline in deadlines if deadline.kind == DeadlineKind.LIMITATION), None)
    person = row["debt__debtor__kind"] == Party.Kind.PERSON
    return {
        "id": row["pk"],
        "number": row["number"],
        "stage": row["stage"],
        "closing_reason": row["closing_reason"],
        "allowed_moves": [str(stage) for stage in ALLOWED_MOVES[row["stage"]]],
        "product": row["debt__product"],
        "creditor": {"id": row["debt__creditor_id"], "name": row["debt__creditor__name"], "uscc": row["debt__creditor__uscc"]},
        "debtor": {
            "id": row["debt__debtor_id"],
            "name": row["debt__debtor__name"],
            "id_number": mask_id_number(row["debt__debtor__id_number"]) if person else row["debt__debtor__uscc"],
            "phone": mask_phone(row["debt__debtor__phone"]),
        },
        "account_number": mask_account(row["debt__account_number"]),
        "amounts": {
            "as_of": _date(row["debt__amounts_as_of"]),
            **{name: money_text(amount) for name, amount in amounts.items()},
            "total": money_text(claim_total),
            "repaid_principal": money_text(row["debt__repaid_principal"]),
            "repaid_interest": money_text(row["debt__repaid_interest"]),
            "interest_paid_to": _date(row["debt__interest_paid_to"]),
        },
        "outstanding": {
            "costs": money_text(costs),
            "interest": money_text(interest),
            "principal": money_text(principal),
            "total": money_text(costs + interest + principal),
        },
        "overdue_since": _date(row["debt__overdue_since"]),
        "limitation_expires_on": _date(limitation.due_on) if limitation else None,
        "time_barred": limitation is not None and not limitation.is_done and limitation.due_on < today,
        "owner": row["owner__username"] if row["owner_id"] else None,
        "assigned_firm": {"id": row["assigned_firm_id"], "name": row["assigned_firm__name"]}
        if row["assigned_firm_id"]
        else None,
        "recovered_total": money_text(row["recovered_costs"] + row["recovered_interest"] + row["recovered_principal"]),
        "deadlines": [
            {
                "id": deadline.pk,
                "kind": deadline.kind,
                "due_on": _date(deadline.due_on),
                "rule": deadline.rule,
                "status": deadline.status,
                "verified_calendar": deadline.verified_calendar,
                "at": deadline.at.isoformat() if deadline.at else None,
                "place": deadline.place,
                "court": deadline.court,
            }
            for deadline in deadlines
        ],
    }


class ForumRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class RateField(serializers.DecimalField):
    """A rate as API.md writes it: an annual fraction without trailing zeros (``"0.1825"``)."""

    def __init__(self, **kwargs):
        super().__init__(**RATE, read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value):
        return None if value is None else rate_text(value)


def rate_text(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class DebtRatesSerializer(serializers.Serializer):
    annual_interest_rate = RateField()
    penalty_rate = RateField()
    compound_rate = RateField()
    day_count = serializers.IntegerField()


class DebtTermsSerializer(serializers.Serializer):
    """The debt's terms (v1.1); for a card, ``loan_amount`` is the credit limit and ``disbursed_on`` the issue day."""

    contract_number = serializers.CharField()
    contract_date = serializers.DateField(allow_null=True)
    loan_amount = MoneyField(allow_null=True)
    disbursed_on = serializers.DateField(allow_null=True)
    term_ends_on = serializers.DateField(allow_null=True)
    repayment_method = serializers.ChoiceField(choices=[("", "")] + list(Debt.RepaymentMethod.choices))
    branch = serializers.CharField()
    rates = DebtRatesSerializer(source="*")
    matured_on = serializers.DateField(allow_null=True)
    last_payment_date = serializers.DateField(allow_null=True)


class AssignmentLawyerSerializer(serializers.Serializer):
    name = serializers.CharField()
    licence_number = serializers.CharField(help_text="律师执业证号, 17 digits.")
    phone = serializers.CharField(source="masked_phone", help_text="Masked.")


class CurrentAssignmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    firm = FirmDetailSerializer()
    started_at = serializers.DateTimeField()
    lawyers = AssignmentLawyerSerializer(many=True, read_only=True)


class ReviewSummarySerializer(serializers.Serializer):
    recommendation = serializers.CharField(help_text="A recommendation's code, or empty when none is made yet.")
    reviewed_at = serializers.DateTimeField()


class ScoreReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    text = serializers.CharField()
    effect = serializers.ChoiceField(choices=["+", "-"])


class MatterScoreSerializer(serializers.Serializer):
    value = serializers.CharField(help_text="0 to 1, four decimals: the estimated chance of a recovery within the horizon.")
    model = serializers.IntegerField(allow_null=True, help_text="The model's version; null for the rules without a model.")
    kind = serializers.ChoiceField(choices=ScoreKind.choices)
    computed_at = serializers.DateTimeField()
    reasons = ScoreReasonSerializer(many=True)


class MatterDetailSerializer(MatterSerializer):
    """One matter: the list's representation plus its parties' and creditor's details, masked, its
    guarantors, forum, debt terms and current assignment."""

    creditor = CreditorDetailSerializer(source="debt.creditor")
    debtor = MaskedPartyDetailSerializer(source="debt.debtor")
    guarantors = serializers.SerializerMethodField()
    forum = ForumRefSerializer(allow_null=True, help_text="The court or arbitration commission, once chosen.")
    debt = DebtTermsSerializer()
    assignment = serializers.SerializerMethodField(help_text="The current assignment, or null.")
    score = serializers.SerializerMethodField(
        help_text="The recovery likelihood and its main reasons, or null before the matter is scored. "
        "Nothing automatic reads it."
    )
    review = serializers.SerializerMethodField(help_text="The debtor review's outcome, or null before a review.")

    @extend_schema_field(MaskedGuarantorSerializer(many=True))
    def get_guarantors(self, matter: Matter) -> list:
        return MaskedGuarantorSerializer(guarantors_of(matter), many=True).data

    @extend_schema_field(CurrentAssignmentSerializer(allow_null=True))
    def get_assignment(self, matter: Matter):
        assignment = (
            matter.assignments.filter(ended_at__isnull=True).select_related("firm").prefetch_related("lawyers").first()
        )
        return CurrentAssignmentSerializer(assignment).data if assignment else None

    @extend_schema_field(MatterScoreSerializer(allow_null=True))
    def get_score(self, matter: Matter):
        score = score_payload(matter)
        return MatterScoreSerializer(score).data if score else None

    @extend_schema_field(ReviewSummarySerializer(allow_null=True))
    def get_review(self, matter: Matter):
        return review_summary(matter)

    def to_representation(self, matter: Matter) -> dict:
        row = matter_row(matter)
        row["creditor"] = CreditorDetailSerializer(matter.debt.creditor).data
        row["debtor"] = MaskedPartyDetailSerializer(matter.debt.debtor).data
        forum = {"id": matter.forum_id, "name": matter.forum.name} if matter.forum_id else None
        return {
            **row,
            "guarantors": self.get_guarantors(matter),
            "forum": forum,
            "debt": DebtTermsSerializer(matter.debt).data,
            "assignment": self.get_assignment(matter),
            "score": self.get_score(matter),
            "review": self.get_review(matter),
        }


class DebtorRevealSerializer(serializers.Serializer):
    debtor = PartySerializer(source="debt.debtor")
    guarantors = serializers.SerializerMethodField()

    @extend_schema_field(GuarantorSerializer(many=True))
    def get_guarantors(self, matter: Matter) -> list:
        return GuarantorSerializer(guarantors_of(matter), many=True).data


class ProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField(source="progress_done")
    total = serializers.IntegerField(source="progress_total")


class JobSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.CharField()
    status = serializers.CharField()
    progress = ProgressSerializer(source="*")
    error = serializers.CharField()
    result = serializers.JSONField()


# Requests -----------------------------------------------------------------------------


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


class IdOrNoneField(serializers.CharField):
    """A query filter naming an object by id, or ``none`` for matters without one."""

    default_error_messages = {"invalid": _("Give an id (a whole number) or “none”.")}

    def __init__(self, **kwargs):
        super().__init__(required=False, allow_blank=True, **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value in ("", "none"):
            return value
        if not (value.isascii() and value.isdigit()):
            self.fail("invalid")
        return int(value)


class MatterFilterSerializer(serializers.Serializer):
    stage = InputChoiceField(choices=Stage.choices, required=False, allow_blank=True)
    product = InputChoiceField(choices=Product.choices, required=False, allow_blank=True)
    firm = IdOrNoneField(help_text="A law firm's id, or `none` for unassigned matters.")
    owner = IdOrNoneField(help_text="The owner's user id, or `none` for matters without one.")
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="Debtor or guarantor name (exact or prefix); matter number (exact, or 4+ characters of it); "
        "contract or account number (exact) or the account's last 4 digits; a party's full identity number "
        "or phone (`+86`, spaces, dashes ignored); a case number of a proceeding or enforcement action.",
    )


class MatterListQuerySerializer(MatterFilterSerializer):
    ordering = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Sort keys, comma-separated, `-` descending; ties newest first. Keys: "
        + ", ".join(f"`{key}`" for key in MATTER_ORDERINGS)
        + ". Without it: newest first. `score`: unscored matters last either way.",
    )

    def validate_ordering(self, value: str) -> list[str]:
        try:
            return matter_ordering(value)
        except PendingOrdering as exc:
            raise serializers.ValidationError(str(exc)) from None
        except ValueError as exc:
            raise serializers.ValidationError(
                _("Unknown or repeated sort key “%(key)s”; use one of: %(keys)s.")
                % {"key": str(exc)[:40], "keys": ", ".join(MATTER_ORDERINGS)}
            ) from None


def listed_matters(request) -> tuple[QuerySet[Matter], dict]:
    """The visible matters the list's query parameters choose, in their order, and the query as given."""
    params = validated(MatterListQuerySerializer, request.query_params)
    ordering = params.pop("ordering", [])
    matters = visible_matters(request.user).filter_by(**params).for_list().sorted_by(ordering)
    query = {key: str(value) for key, value in params.items() if value not in ("", None)}
    if ordering:
        query["ordering"] = ",".join(ordering)
    return matters, query


class TransitionSerializer(serializers.Serializer):
    to = InputChoiceField(choices=Stage.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    reason = InputChoiceField(
        choices=ClosingReason.choices, required=False, allow_blank=True, default="", help_text="Required to close."
    )


class AssignmentSerializer(serializers.Serializer):
    firm = serializers.IntegerField(help_text="The law firm's id.")


class OwnerSerializer(serializers.Serializer):
    owner = serializers.IntegerField(allow_null=True, help_text="An active in-house counsel's user id, or null.")


class RevealQuerySerializer(serializers.Serializer):
    purpose = serializers.CharField(required=False, allow_blank=True, default="", help_text="Why, for the audit log.")



def validated(serializer_class: type[serializers.Serializer], data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# Views --------------------------------------------------------------------------------


class TokenView(ApiView):
    """Exchange a username and password for an API key (API.md, "Conventions").

    Wrong credentials answer 400 with `non_field_errors`, like DRF's own token view:
    the request was wrong, there is no key to challenge yet. After LOGIN_MAX_FAILURES
    failures within LOGIN_LOCKOUT_MINUTES the username is locked and every attempt
    answers 429, the right password included; the web login counts the same failures.
    """

    # No session here: a browser's cookie must not turn this into a CSRF-checked call.
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Get an API key",
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: ERRORS[400],
            429: OpenApiResponse(DetailSerializer, description="Too many failed sign-ins."),
        },
        auth=[],
    )
    def post(self, request):
        credentials = validated(TokenRequestSerializer, request.data)
        try:
            user = login_attempt(request=request, **credentials)
        except LoginLocked as exc:
            raise exceptions.Throttled(detail=str(exc)) from None
        if user is None:
            raise exceptions.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [_("Wrong username or password.")]})
        key, expires_at = token_issue(user=user)
        return Response(TokenSerializer({"token": key, "expires_at": expires_at}).data)


class MatterRowsPagination(MatterListPagination):
    """The matter list's pages (``MatterListPagination``), each read as ``LIST_COLUMNS`` tuples."""

    django_paginator_class = functools.partial(MatterPaginator, rows=lambda matters: matters.values_list(*LIST_COLUMNS))


@extend_schema_view(
    get=extend_schema(
        summary="List matters",
        parameters=[MatterListQuerySerializer],
        responses={200: MatterSerializer(many=True), 400: ERRORS[400]},
    )
)
class MatterListView(ApiView, generics.ListAPIView):
    """The matters you may see, newest first or by `ordering`; an invalid filter or sort key answers 400 naming it."""

    serializer_class = MatterSerializer
    pagination_class = MatterRowsPagination

    def get_queryset(self):
        matters, _query = listed_matters(self.request)
        return matters

    def list(self, request, *args, **kwargs):
        # A page comes as ``LIST_COLUMNS`` tuples (``MatterRowsPagination``), built into rows
        # by ``matter_rows``, not from model instances.
        return self.get_paginated_response(matter_rows(self.paginate_queryset(self.get_queryset())))


class MatterExportView(ApiView):
    """The list as .xlsx: the same filters and `ordering`, identity numbers and phones masked.

    At most 100,000 matters (else 400); each export is written to the audit log.
    """

    @extend_schema(
        summary="Export matters (.xlsx)",
        parameters=[MatterListQuerySerializer],
        responses={
            (200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY,
            400: ERRORS[400],
        },
    )
    def get(self, request):
        matters, query = listed_matters(request)
        try:
            content, _rows = matter_export(user=request.user, matters=matters, query=query)
        except DjangoValidationError as exc:
            raise exceptions.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: exc.messages}) from None
        response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=matter_export_filename()
        )
        return response


class MatterDetailView(ApiView):
    """One matter, personal data masked."""

    @extend_schema(summary="Get a matter", responses={200: MatterDetailSerializer, 404: ERRORS[404]})
    def get(self, request, matter_id: int):
        matter = access_matter(request.user, matter_id)
        return Response(MatterDetailSerializer(matter).data)


class MatterTransitionView(ApiView):
    """Move a matter to another stage, if API.md's table of allowed moves permits it.

    Closing needs `reason`; a move the table forbids answers 409 with the current stage.
    """

    @extend_schema(
        summary="Move a matter",
        request=TransitionSerializer,
        responses={
            200: MatterDetailSerializer,
            **ERRORS,
            409: OpenApiResponse(ConflictSerializer, description="The table of allowed moves forbids it."),
        },
    )
    def post(self, request, matter_id: int):
        move = validated(TransitionSerializer, request.data)
        matter = matter_transition(user=request.user, matter_id=matter_id, **move)
        return Response(MatterDetailSerializer(matter).data)


class MatterAssignmentView(ApiView):
    """Instruct a law firm on a matter, or end the current assignment.

    The firm that loses the matter loses access on its lawyers' very next request.
    """

    @extend_schema(
        summary="Assign a firm", request=AssignmentSerializer, responses={200: MatterDetailSerializer, **ERRORS}
    )
    def post(self, request, matter_id: int):
        firm_id = validated(AssignmentSerializer, request.data)["firm"]
        matter = matter_assign_firm(user=request.user, matter_id=matter_id, firm_id=firm_id)
        return Response(MatterDetailSerializer(matter).data)

    @extend_schema(summary="End the assignment", responses={200: MatterDetailSerializer, **ERRORS})
    def delete(self, request, matter_id: int):
        matter = matter_unassign_firm(user=request.user, matter_id=matter_id)
        return Response(MatterDetailSerializer(matter).data)


class MatterOwnerView(ApiView):
    """Make an active in-house counsel (or administrator) the matter's owner, or clear it."""

    @extend_schema(summary="Set the owner", request=OwnerSerializer, responses={200: MatterDetailSerializer, **ERRORS})
    def post(self, request, matter_id: int):
        owner_id = validated(OwnerSerializer, request.data)["owner"]
        matter = matter_set_owner(user=request.user, matter_id=matter_id, owner_id=owner_id)
        return Response(MatterDetailSerializer(matter).data)


class MatterDebtorView(ApiView):
    """The unmasked debtor and guarantors; every call is written to the audit log with its purpose."""

    @extend_schema(
        summary="Reveal the debtor",
        parameters=[RevealQuerySerializer],
        responses={200: DebtorRevealSerializer, **ERRORS},
    )
    def get(self, request, matter_id: int):
        purpose = validated(RevealQuerySerializer, request.query_params)["purpose"]
        matter = matter_reveal_debtor(user=request.user, matter_id=matter_id, purpose=purpose)
        response = Response(DebtorRevealSerializer(matter).data)
        add_never_cache_headers(response)
        return response


@extend_schema_view(get=extend_schema(summary="List law firms"))
class FirmListView(ApiView, generics.ListAPIView):
    """Every law firm; open to every signed-in user."""

    serializer_class = FirmDetailSerializer
    pagination_class = MatterPagination
    queryset = LawFirm.objects.order_by("name", "id")


class CourtFeesQuerySerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("10000000000000"),
        help_text="The claim amount in CNY, more than 0 and at most 10^13, two decimal places at most.",
        error_messages={
            "min_value": _("The claim amount must be more than zero."),
            "max_value": _("The claim amount must be at most 10,000,000,000,000."),
        },
    )


class CourtFeesSerializer(serializers.Serializer):
    amount = MoneyField()
    acceptance_fee = MoneyField(source="acceptance", help_text="案件受理费, Art. 13.")
    acceptance_fee_simplified = MoneyField(
        source="acceptance_simplified", help_text="Halved: simplified procedure, mediation or withdrawal (Arts. 15-16)."
    )
    enforcement_fee = MoneyField(source="enforcement", help_text="申请执行费, Art. 14(1).")
    preservation_fee = MoneyField(source="preservation", help_text="保全费, Art. 14(2), at most 5,000.")


class CourtFeesView(ApiView):
    """Court fees for a property claim (诉讼费用交纳办法 Arts. 13-14); open to every signed-in user.

    Bands added unrounded, halved where halving applies, rounded once to the fen, half-up.
    """

    @extend_schema(
        summary="Compute court fees",
        parameters=[CourtFeesQuerySerializer],
        responses={200: CourtFeesSerializer, 400: ERRORS[400]},
    )
    def get(self, request):
        # Imported here so this block stays self-contained; it may join the imports above.
        from legalcase.calculators import court_fees

        amount = validated(CourtFeesQuerySerializer, request.query_params)["amount"]
        return Response(CourtFeesSerializer(court_fees(amount)).data)


class JobView(ApiView):
    """A background job and its progress; only the user who started it sees it."""

    @extend_schema(summary="Get a job", responses={200: JobSerializer, 404: ERRORS[404]})
    def get(self, request, job_id):
        return Response(JobSerializer(access_job(request.user, job_id)).data)


class ForumSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Forum.Kind.choices)
    name = serializers.CharField(help_text="The official name, as filings print it.")
    level = serializers.CharField(
        help_text="A court's level: `supreme`, `high`, `intermediate`, `basic` or `special`; empty for arbitration."
    )
    region = serializers.CharField()
    address = serializers.CharField(help_text="Empty until someone has checked it.")


class ForumFilterSerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="Part of the name or the region, any case."
    )


class ForumAddSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Forum.Kind.choices)
    name = serializers.CharField(
        max_length=200, validators=[validate_name], help_text="The official name, as filings print it."
    )
    level = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Courts only: `supreme` … `special`."
    )
    region = serializers.CharField(max_length=100, help_text="Province and city, e.g. 浙江省杭州市萧山区.")
    address = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class ForumUpdateSerializer(serializers.Serializer):
    address = serializers.CharField(required=False, allow_blank=True, max_length=300)
    region = serializers.CharField(required=False, max_length=100)
    level = serializers.CharField(required=False, allow_blank=True)
    active = serializers.BooleanField(required=False)


@extend_schema_view(
    get=extend_schema(
        summary="List courts and arbitration commissions",
        parameters=[ForumFilterSerializer],
        responses={200: ForumSerializer(many=True), 400: ERRORS[400]},
    )
)
class ForumListView(ApiView, generics.ListAPIView):
    """Active courts and arbitration commissions, courts first; open to every signed-in user."""

    serializer_class = ForumSerializer
    pagination_class = MatterPagination

    def get_queryset(self):
        q = validated(ForumFilterSerializer, self.request.query_params).get("q", "")
        return Forum.objects.filter(active=True).search(q).courts_first()

    @extend_schema(
        summary="Add a court or arbitration commission",
        request=ForumAddSerializer,
        responses={201: ForumSerializer, **ERRORS},
    )
    def post(self, request):
        data = validated(ForumAddSerializer, request.data)
        forum = forum_add(user=request.user, **data)
        return Response(ForumSerializer(forum).data, status=status.HTTP_201_CREATED)


class ForumDetailView(ApiView):
    """Correct a court's or commission's address, region, level, or retire it (counsel, administrators)."""

    @extend_schema(
        summary="Correct a court or arbitration commission",
        request=ForumUpdateSerializer,
        responses={200: ForumSerializer, **ERRORS},
    )
    def patch(self, request, forum_id: int):
        changes = validated(ForumUpdateSerializer, request.data)
        forum = forum_update(user=request.user, forum_id=forum_id, **changes)
        return Response(ForumSerializer(forum).data)


class MatterForumSerializer(serializers.Serializer):
    forum = serializers.IntegerField(allow_null=True, help_text="An active forum's id from /api/v1/forums/, or null.")


class MatterForumView(ApiView):
    """Choose the court or arbitration commission that hears the matter, or clear it (null)."""

    @extend_schema(
        summary="Set the forum", request=MatterForumSerializer, responses={200: MatterDetailSerializer, **ERRORS}
    )
    def post(self, request, matter_id: int):
        forum_id = validated(MatterForumSerializer, request.data)["forum"]
        matter = matter_set_forum(user=request.user, matter_id=matter_id, forum_id=forum_id)
        return Response(MatterDetailSerializer(matter).data)
