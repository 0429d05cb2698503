"""The escalation intake of the API (API.md, "Escalations"): a batch of one through ``escalations_apply``."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from legalcase.api.matters import ERRORS, ApiView, ConflictSerializer, MatterDetailSerializer
from legalcase.escalation_input import (  # noqa: F401  (the API's names for the request's parts)
    EscalationAmountsSerializer,
    EscalationCreditorSerializer,
    EscalationDemandSerializer,
    EscalationGuarantorSerializer,
    EscalationMoneyField,
    EscalationPersonSerializer,
    EscalationRatesSerializer,
    EscalationSerializer,
)
from legalcase.models import Matter
from legalcase.services import CREATED, INVALID, escalations_apply


class EscalationView(ApiView):
    """Turn an overdue debt into a matter (API.md, "Escalations"); counsel and administrators only.

    Idempotent on (`creditor.uscc`, `account_number`): 201 with a new matter, 200 with
    the same matter on a repeat (amounts replaced, new demands added), 409 when the
    repeat names a different debtor identity number.
    """

    @extend_schema(
        summary="Escalate a debt",
        request=EscalationSerializer,
        responses={
            201: MatterDetailSerializer,
            200: MatterDetailSerializer,
            400: ERRORS[400],
            403: ERRORS[403],
            409: OpenApiResponse(ConflictSerializer, description="The account is held with another debtor."),
        },
    )
    def post(self, request):
        (outcome,) = escalations_apply(user=request.user, rows=[request.data])
        if outcome.status == INVALID:
            raise serializers.ValidationError(outcome.errors)
        if outcome.error is not None:
            raise outcome.error  # a conflict answers 409 (``exception_handler``)
        matter = Matter.objects.for_list().get(pk=outcome.matter_id)
        return Response(
            MatterDetailSerializer(matter).data,
            status=status.HTTP_201_CREATED if outcome.status == CREATED else status.HTTP_200_OK,
        )
