"""The settlements API (和解 / 减免方案): record, list, read and cancel a matter's settlements."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from legalcase.access import access_child, access_matter
from legalcase.api.matters import (
    ERRORS,
    ApiView,
    ConflictSerializer,
    InputChoiceField,
    MoneyField,
    validated,
)
from legalcase.models import DEFAULT_GRACE_DAYS, MONEY, Instalment, Settlement, Stage
from legalcase.pagination import MatterPagination
from legalcase.services.settlements import (
    MAX_GRACE_DAYS,
    MAX_INSTALMENTS,
    SettlementConflict,
    settlement_cancel,
    settlement_record,
)
from legalcase.settlements import days_late

# Representations ----------------------------------------------------------------------


class InstalmentSerializer(serializers.Serializer):
    sequence = serializers.IntegerField()
    due_on = serializers.DateField()
    amount = MoneyField()
    # A plain string with its values listed: an enum named "status" would collide in the schema.
    status = serializers.CharField(
        help_text="One of: "
        + ", ".join(Instalment.Status.values)
        + ". `late`: unpaid after its due date, within the grace period; `missed`: unpaid after it."
    )
    paid_amount = MoneyField(help_text="What the recoveries since the agreement have paid towards it.")
    paid_on = serializers.DateField(allow_null=True, help_text="The day of the payment that completed it.")
    days_late = serializers.SerializerMethodField(
        help_text="Paid: days after the due date it was paid (0 on time). Unpaid: days overdue today (0 before due)."
    )
    paid_late = serializers.SerializerMethodField(help_text="Paid, but after its due date.")

    def get_days_late(self, instalment: Instalment) -> int:
        return days_late(due_on=instalment.due_on, paid_on=instalment.paid_on, today=timezone.localdate())

    def get_paid_late(self, instalment: Instalment) -> bool:
        return instalment.status == Instalment.Status.PAID and instalment.paid_on > instalment.due_on


class SettlementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    matter = serializers.IntegerField(source="matter_id")
    status = serializers.CharField(help_text="One of: " + ", ".join(Settlement.Status.values) + ".")
    agreed_on = serializers.DateField()
    monthly_income = MoneyField(allow_null=True, help_text="The debtor's monthly income as assessed.")
    assets_assessed = serializers.CharField()
    hardship = serializers.CharField()
    outstanding_at_agreement = MoneyField(help_text="What was outstanding when agreed.")
    reduction = MoneyField(help_text="What the creditor waives on condition of full performance (减免).")
    amount = MoneyField(source="settlement_amount", help_text="What the debtor is to pay: the instalments' total.")
    grace_days = serializers.IntegerField(
        help_text="Days an instalment may be unpaid after its due date before missed."
    )
    breached_on = serializers.DateField(allow_null=True)
    completed_on = serializers.DateField(allow_null=True)
    allocation = serializers.CharField(
        help_text="The order payments under it are applied in, e.g. `costs,interest,principal` (民法典 Art. 561)."
    )
    lodged_with_court = serializers.BooleanField(help_text="An enforcement settlement (执行和解) lodged with the court.")
    note = serializers.CharField()
    created_at = serializers.DateTimeField()
    instalments = InstalmentSerializer(many=True)
    resumption_flagged_on = serializers.DateField(
        source="matter.resumption_flagged_on",
        allow_null=True,
        help_text="The matter's flag: since when it waits for enforcement to resume after a missed instalment.",
    )


class SettlementAnswerSerializer(SettlementSerializer):
    """A settlement just recorded, with the stage move it makes possible."""

    proposed_stage = serializers.ChoiceField(
        choices=Stage.choices,
        allow_null=True,
        help_text="`settled` when the matter may move there now (or `enforcement` after a breach); nothing moves by itself.",
    )


# Requests -----------------------------------------------------------------------------


class InstalmentRequestSerializer(serializers.Serializer):
    due_on = serializers.DateField()
    amount = serializers.DecimalField(**MONEY)


class SettlementRequestSerializer(serializers.Serializer):
    agreed_on = serializers.DateField()
    reduction = serializers.DecimalField(
        **MONEY,
        required=False,
        default=Decimal("0.00"),
        help_text="What is waived (减免); less than what is outstanding.",
    )
    instalments = InstalmentRequestSerializer(
        many=True,
        required=False,
        help_text="The schedule, in order; they add up to what is outstanding less the reduction. "
        "Or give `count` and `first_due_on` for equal monthly instalments.",
    )
    count = serializers.IntegerField(required=False, min_value=1, max_value=MAX_INSTALMENTS)
    first_due_on = serializers.DateField(required=False)
    monthly_income = serializers.DecimalField(**MONEY, required=False, allow_null=True, default=None)
    assets_assessed = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    hardship = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    grace_days = serializers.IntegerField(
        required=False, min_value=0, max_value=MAX_GRACE_DAYS, default=DEFAULT_GRACE_DAYS
    )
    allocation = InputChoiceField(
        choices=Settlement.Allocation.choices,
        required=False,
        default=Settlement.Allocation.STATUTORY,
        help_text="The agreed order of applying payments; by default costs, interest, principal (民法典 Art. 561).",
    )
    lodged_with_court = serializers.BooleanField(
        required=False,
        default=False,
        help_text="An enforcement settlement (执行和解) lodged with the court: after a breach the 2 years to "
        "resume run from its last instalment (执行和解规定 Art. 10).",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class CancelRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


# Views --------------------------------------------------------------------------------


def _conflict(exc: SettlementConflict) -> Response:
    return Response({"detail": str(exc), "stage": exc.stage}, status=status.HTTP_409_CONFLICT)


@extend_schema_view(
    get=extend_schema(
        summary="List a matter's settlements",
        responses={200: SettlementSerializer(many=True), 404: ERRORS[404]},
    )
)
class MatterSettlementsView(ApiView, generics.ListAPIView):
    """A matter's settlements, latest first, each with its instalments; record one with POST."""

    serializer_class = SettlementSerializer
    pagination_class = MatterPagination

    def get_queryset(self):
        matter = access_matter(self.request.user, self.kwargs["matter_id"])
        return matter.settlements.select_related("matter").prefetch_related("instalments")

    @extend_schema(
        summary="Record a settlement",
        request=SettlementRequestSerializer,
        responses={
            201: SettlementAnswerSerializer,
            409: OpenApiResponse(
                ConflictSerializer, description="The matter already has a settlement being performed."
            ),
            **ERRORS,
        },
    )
    def post(self, request, matter_id: int):
        # Access first: another firm's matter answers 404 whatever the body says.
        access_matter(request.user, matter_id, action="write_settlements")
        data = validated(SettlementRequestSerializer, request.data)
        try:
            settlement = settlement_record(user=request.user, matter_id=matter_id, **data)
        except SettlementConflict as exc:
            return _conflict(exc)
        return Response(SettlementAnswerSerializer(settlement).data, status=status.HTTP_201_CREATED)


class SettlementDetailView(ApiView):
    """One settlement with its instalments."""

    @extend_schema(summary="Read a settlement", responses={200: SettlementSerializer, 404: ERRORS[404]})
    def get(self, request, settlement_id: int):
        rows = Settlement.objects.prefetch_related("instalments")
        return Response(SettlementSerializer(access_child(request.user, Settlement, settlement_id, rows=rows)).data)


class SettlementCancelView(ApiView):
    """Cancel a settlement; the reason is required and kept in the matter's timeline."""

    @extend_schema(
        summary="Cancel a settlement",
        request=CancelRequestSerializer,
        responses={
            200: SettlementSerializer,
            409: OpenApiResponse(ConflictSerializer, description="The settlement is already cancelled."),
            **ERRORS,
        },
    )
    def post(self, request, settlement_id: int):
        access_child(request.user, Settlement, settlement_id, action="write_settlements")
        data = validated(CancelRequestSerializer, request.data)
        try:
            settlement = settlement_cancel(user=request.user, settlement_id=settlement_id, reason=data["reason"])
        except SettlementConflict as exc:
            return _conflict(exc)
        return Response(SettlementSerializer(settlement).data)
