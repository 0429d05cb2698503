"""The demands API: demands after escalation, courier tracking and its imports (API.md, "Collection desk")."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from legalcase.access import access_matter
from legalcase.api.matters import ERRORS, ApiView, ConflictSerializer, InputChoiceField, validated
from legalcase.api.record import StrictSerializer
from legalcase.identity import mask_address
from legalcase.services.demands import tracking_import_start
from legalcase.models import (
    DemandAddressKind,
    DemandChannel,
    DemandCourier,
    DemandRecord,
    TrackingStatus,
)
from legalcase.pagination import MatterPagination
from legalcase.services.demands import (
    DemandConflict,
    demand_body_digest,
    demand_flag,
    demand_record,
    demand_track,
    demand_update,
)

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description="Optional. The same key with the same body answers 200 with the demand it recorded; another body, 409.",
)

# Representations ----------------------------------------------------------------------


class TrackingEventSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="One of: " + ", ".join(TrackingStatus.values) + ".")
    at = serializers.DateTimeField()
    note = serializers.CharField()


class DemandSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    date = serializers.DateField(help_text="The day the demand was made or sent.")
    channel = serializers.CharField(help_text="One of: " + ", ".join(DemandChannel.values) + ".")
    party = serializers.IntegerField(source="party_id", allow_null=True, help_text="Null: the debtor.")
    address_kind = serializers.CharField()
    address = serializers.SerializerMethodField(help_text="Masked: the first 6 characters kept.")
    courier = serializers.CharField()
    waybill = serializers.CharField()
    document = serializers.IntegerField(source="document_id", allow_null=True)
    proof = serializers.IntegerField(source="proof_id", allow_null=True)
    note = serializers.CharField()
    outlet = serializers.CharField()
    delivered = serializers.BooleanField()
    delivered_on = serializers.DateField(allow_null=True)
    delivery_rule = serializers.CharField(help_text="The rule that decided the delivery; empty while not delivered.")
    tracking_status = serializers.CharField(help_text="The latest courier event's status; empty before any.")
    tracking = TrackingEventSerializer(many=True)
    flag = serializers.SerializerMethodField(help_text="Why counsel should review it (a refusal not at the agreed address).")

    def get_address(self, demand: DemandRecord) -> str:
        return mask_address(demand.address)

    def get_flag(self, demand: DemandRecord) -> str:
        return demand_flag(demand)


# Requests -----------------------------------------------------------------------------


class DemandRequestSerializer(StrictSerializer):
    date = serializers.DateField()
    channel = InputChoiceField(choices=[c for c in DemandChannel.choices if c[0] != DemandChannel.PUBLIC_NOTICE])
    party = serializers.IntegerField(required=False, allow_null=True, default=None)
    address_kind = InputChoiceField(choices=DemandAddressKind.choices, required=False, allow_blank=True, default="")
    address = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    courier = InputChoiceField(choices=DemandCourier.choices, required=False, allow_blank=True, default="")
    waybill = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)
    document = serializers.IntegerField(required=False, allow_null=True, default=None)
    proof = serializers.IntegerField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class DemandPatchSerializer(StrictSerializer):
    proof = serializers.IntegerField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    delivered = serializers.BooleanField(required=False)
    delivered_on = serializers.DateField(required=False, allow_null=True)


class OffsetDateTimeField(serializers.DateTimeField):
    """A datetime that must carry its offset (API.md: "Datetimes need an offset")."""

    default_error_messages = {"naive": _("Give the time with its offset, e.g. 2026-04-01T10:15:00+08:00.")}

    def to_internal_value(self, value):
        if isinstance(value, str):
            try:
                parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            except ValueError:
                parsed = None
            if parsed is not None and parsed.tzinfo is None:
                self.fail("naive")
        return super().to_internal_value(value)


class TrackingRequestSerializer(StrictSerializer):
    status = InputChoiceField(choices=TrackingStatus.choices)
    at = OffsetDateTimeField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class TrackingImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField()


def _demands_of(matter):
    return matter.debt.demands.prefetch_related("tracking").order_by("date", "id")


def _answer(demand: DemandRecord, code: int) -> Response:
    demand = DemandRecord.objects.prefetch_related("tracking").get(pk=demand.pk)
    return Response(DemandSerializer(demand).data, status=code)


# Views --------------------------------------------------------------------------------


class MatterDemandsView(ApiView, generics.ListAPIView):
    """A matter's demands, oldest first, with their courier events; record one with POST."""

    serializer_class = DemandSerializer
    pagination_class = MatterPagination

    def get_queryset(self):
        return _demands_of(access_matter(self.request.user, self.kwargs["matter_id"]))

    @extend_schema(
        summary="Record a demand",
        request=DemandRequestSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: DemandSerializer,
            200: OpenApiResponse(DemandSerializer, description="A replay: the demand this key recorded."),
            409: OpenApiResponse(ConflictSerializer, description="The key was used with a different body."),
            **ERRORS,
        },
    )
    def post(self, request, matter_id: int):
        data = validated(DemandRequestSerializer, request.data)
        key = request.headers.get("Idempotency-Key", "").strip()
        try:
            demand, created = demand_record(
                user=request.user,
                matter_id=matter_id,
                date=data["date"],
                channel=data["channel"],
                party_id=data["party"],
                address_kind=data["address_kind"],
                address=data["address"],
                courier=data["courier"],
                waybill=data["waybill"],
                document_id=data["document"],
                proof_id=data["proof"],
                note=data["note"],
                idempotency_key=key,
                body_digest=demand_body_digest(dict(data)) if key else "",
            )
        except DemandConflict as exc:
            return Response({"detail": str(exc), "stage": exc.stage}, status=status.HTTP_409_CONFLICT)
        return _answer(demand, status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class DemandDetailView(ApiView):
    """Attach the proof of a demand, correct its note, or record its delivery by hand."""

    @extend_schema(summary="Change a demand", request=DemandPatchSerializer, responses={200: DemandSerializer, **ERRORS})
    def patch(self, request, demand_id: int):
        data = validated(DemandPatchSerializer, request.data)
        demand = demand_update(user=request.user, demand_id=demand_id, changes=dict(data))
        return _answer(demand, status.HTTP_200_OK)


class DemandTrackingView(ApiView):
    """Record a courier event of a demand letter; the same event again adds nothing (200)."""

    @extend_schema(
        summary="Record a courier event",
        request=TrackingRequestSerializer,
        responses={
            201: DemandSerializer,
            200: OpenApiResponse(DemandSerializer, description="A repeat: nothing added."),
            **ERRORS,
        },
    )
    def post(self, request, demand_id: int):
        data = validated(TrackingRequestSerializer, request.data)
        demand, created = demand_track(user=request.user, demand_id=demand_id, source="api", **data)
        return _answer(demand, status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class TrackingImportView(ApiView):
    """Import a courier's export of tracking events (CSV or XLSX) as a job; answers 202 with its id."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Import courier tracking",
        request={"multipart/form-data": TrackingImportRequestSerializer},
        responses={202: inline_serializer("TrackingImportJob", {"job": serializers.UUIDField()}), **ERRORS},
    )
    def post(self, request):
        data = validated(TrackingImportRequestSerializer, request.data)
        try:
            job = tracking_import_start(user=request.user, upload=data["file"])
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(exc.message_dict) from None
        return Response(
            {"job": str(job.pk), "url": reverse("api:job-detail", args=[job.pk])}, status=status.HTTP_202_ACCEPTED
        )
