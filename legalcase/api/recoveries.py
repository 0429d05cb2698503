"""The recoveries and costs API (API.md, "Enforcement, recoveries and costs")."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, generics, serializers, status
from rest_framework.response import Response

from legalcase.access import access_matter
from legalcase.api.matters import (
    ERRORS,
    ApiView,
    ConflictSerializer,
    InputChoiceField,
    MoneyField,
    OutstandingSerializer,
    validated,
)
from legalcase.models import MONEY, Cost, Matter, Recovery, RecoverySource, Stage
from legalcase.money import FEN
from legalcase.pagination import MatterPagination
from legalcase.services.recoveries import (
    IDEMPOTENCY_KEY_MAX,
    RecoveryConflict,
    cost_record,
    recovery_body_digest,
    recovery_record,
    recovery_reverse,
)
from legalcase.stages import stage_proposal

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=True,
    description=(
        "Required. Unique per matter and kept forever: the same key with the same body answers 200 "
        "with the recovery it recorded; with a different body, 409."
    ),
)


# Representations ----------------------------------------------------------------------


class RecoveryAllocationSerializer(serializers.Serializer):
    costs = MoneyField(source="allocated_costs")
    interest = MoneyField(source="allocated_interest")
    principal = MoneyField(source="allocated_principal")


class RecoverySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    amount = MoneyField(help_text="Negative on a counter-entry (a reversal).")
    allocation = RecoveryAllocationSerializer(
        source="*", help_text="Costs first, then interest, then principal (民法典 Art. 561)."
    )
    received_on = serializers.DateField()
    # A plain string: the request's enum documents the values.
    source = serializers.CharField(help_text="One of: " + ", ".join(RecoverySource.values) + ".")
    reference = serializers.CharField()
    reverses = serializers.IntegerField(
        source="reverses_id", allow_null=True, help_text="On a counter-entry: the recovery it reverses."
    )
    reversed_by = serializers.SerializerMethodField(help_text="The counter-entry that reversed this recovery, if any.")
    reason = serializers.CharField(help_text="Why a counter-entry was made; empty on a recovery.")
    created_at = serializers.DateTimeField()

    def get_reversed_by(self, recovery: Recovery) -> int | None:
        reversal = getattr(recovery, "reversal", None)
        return reversal.pk if reversal else None


class RecoveryAnswerSerializer(RecoverySerializer):
    """A recovery (or counter-entry) just recorded, with what the matter owes after it."""

    outstanding = OutstandingSerializer(source="matter.outstanding")
    proposed_stage = serializers.ChoiceField(
        choices=Stage.choices,
        allow_null=True,
        source="proposed",
        help_text="`settled` when nothing is outstanding and the matter may move there now; nothing moves by itself.",
    )


class CostSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="One of: " + ", ".join(Cost.Kind.values) + ".")
    amount = MoneyField(help_text="The figure on the court's notice or the invoice; this is what counts.")
    computed_amount = MoneyField(
        allow_null=True,
        help_text="The fee calculators' figure on the claim (acceptance, preservation, enforcement fees); else null.",
    )
    incurred_on = serializers.DateField()
    recoverable = serializers.BooleanField(help_text="Recoverable from the debtor; false: borne by the creditor.")
    notice_received_on = serializers.DateField(allow_null=True)
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


class CostAnswerSerializer(CostSerializer):
    outstanding = OutstandingSerializer(source="matter.outstanding")


# Requests -----------------------------------------------------------------------------


class RecoveryRequestSerializer(serializers.Serializer):
    amount = serializers.DecimalField(**MONEY, min_value=FEN)
    received_on = serializers.DateField()
    source = InputChoiceField(choices=RecoverySource.choices)
    reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class ReversalRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class CostRequestSerializer(serializers.Serializer):
    kind = InputChoiceField(choices=Cost.Kind.choices)
    amount = serializers.DecimalField(
        **MONEY, min_value=FEN, help_text="The figure on the court's notice or the invoice."
    )
    incurred_on = serializers.DateField()
    recoverable = serializers.BooleanField(required=False, default=True)
    notice_received_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="A court fee: the day the fee notice arrived."
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


# Views --------------------------------------------------------------------------------


def _recoveries_of(matter: Matter) -> QuerySet[Recovery]:
    return matter.recoveries.select_related("reversal").order_by("received_on", "id")


def _answer(recovery: Recovery, code: int) -> Response:
    recovery.proposed = stage_proposal(recovery.matter, recovered=True)
    return Response(RecoveryAnswerSerializer(recovery).data, status=code)


@extend_schema_view(
    get=extend_schema(
        summary="List a matter's recoveries",
        responses={200: RecoverySerializer(many=True), 404: ERRORS[404]},
    )
)
class MatterRecoveriesView(ApiView, generics.ListAPIView):
    """A matter's recoveries, counter-entries included, by the day received; record one with POST."""

    serializer_class = RecoverySerializer
    pagination_class = MatterPagination

    def get_queryset(self):
        return _recoveries_of(access_matter(self.request.user, self.kwargs["matter_id"]))

    @extend_schema(
        summary="Record a recovery",
        parameters=[IDEMPOTENCY_KEY],
        request=RecoveryRequestSerializer,
        responses={
            201: RecoveryAnswerSerializer,
            200: OpenApiResponse(RecoveryAnswerSerializer, description="A replay: the recovery this key recorded."),
            409: OpenApiResponse(ConflictSerializer, description="The key was used with a different body."),
            **ERRORS,
        },
    )
    def post(self, request, matter_id: int):
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key:
            raise exceptions.ValidationError({"Idempotency-Key": [_("This header is required.")]})
        if len(key) > IDEMPOTENCY_KEY_MAX:
            raise exceptions.ValidationError(
                {"Idempotency-Key": [_("At most %(max)s characters.") % {"max": IDEMPOTENCY_KEY_MAX}]}
            )
        data = validated(RecoveryRequestSerializer, request.data)
        try:
            recovery, created = recovery_record(
                user=request.user,
                matter_id=matter_id,
                idempotency_key=key,
                body_digest=recovery_body_digest(**data),
                **data,
            )
        except RecoveryConflict as exc:
            return Response({"detail": str(exc), "stage": exc.stage}, status=status.HTTP_409_CONFLICT)
        return _answer(recovery, status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class RecoveryReverseView(ApiView):
    """Reverse a recovery by a counter-entry; nothing is ever edited or deleted."""

    @extend_schema(
        summary="Reverse a recovery",
        request=ReversalRequestSerializer,
        responses={201: RecoveryAnswerSerializer, **ERRORS},
    )
    def post(self, request, recovery_id: int):
        data = validated(ReversalRequestSerializer, request.data)
        counter = recovery_reverse(user=request.user, recovery_id=recovery_id, reason=data["reason"])
        return _answer(counter, status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(
        summary="List a matter's costs",
        responses={200: CostSerializer(many=True), 404: ERRORS[404]},
    )
)
class MatterCostsView(ApiView, generics.ListAPIView):
    """A matter's costs of realising the claim, by the day incurred; record one with POST."""

    serializer_class = CostSerializer
    pagination_class = MatterPagination

    def get_queryset(self):
        return access_matter(self.request.user, self.kwargs["matter_id"]).costs.order_by("incurred_on", "id")

    @extend_schema(
        summary="Record a cost",
        request=CostRequestSerializer,
        responses={201: CostAnswerSerializer, **ERRORS},
    )
    def post(self, request, matter_id: int):
        data = validated(CostRequestSerializer, request.data)
        cost = cost_record(user=request.user, matter_id=matter_id, **data)
        return Response(CostAnswerSerializer(cost).data, status=status.HTTP_201_CREATED)
