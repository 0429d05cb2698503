"""The legal hold of a matter (LEGAL_RULES Part 2 B.9, ``retention.legal_hold``): read, set, lift."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from legalcase.access import access_matter
from legalcase.api.matters import ERRORS, ApiView, validated
from legalcase.models import Matter
from legalcase.services.retention import matter_legal_hold_lift, matter_legal_hold_set


class LegalHoldSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")


class LegalHoldStateSerializer(serializers.Serializer):
    under_legal_hold = serializers.SerializerMethodField()
    reason = serializers.CharField(source="legal_hold.reason", default="")
    set_at = serializers.DateTimeField(source="legal_hold.set_at", default=None)
    set_by = serializers.CharField(source="legal_hold.set_by.username", default=None)
    anonymised_at = serializers.DateTimeField(allow_null=True)
    retention_days = serializers.SerializerMethodField()
    anonymise_after = serializers.SerializerMethodField(help_text="When the data becomes due; null while open or held.")

    def get_under_legal_hold(self, matter: Matter) -> bool:
        return matter.legal_hold is not None

    def get_retention_days(self, matter: Matter) -> int:
        return settings.RETENTION_DAYS

    def get_anonymise_after(self, matter: Matter) -> str | None:
        start = matter.retention_clock_from
        if start is None or matter.legal_hold is not None or matter.anonymised_at:
            return None
        return serializers.DateTimeField().to_representation(start + dt.timedelta(days=settings.RETENTION_DAYS))


class MatterLegalHoldView(ApiView):
    """A legal hold suspends the anonymisation of a closed matter's personal data; set and lifted by counsel, audited."""

    @extend_schema(summary="Read the legal hold", responses={200: LegalHoldStateSerializer, **ERRORS})
    def get(self, request, matter_id: int):
        return Response(LegalHoldStateSerializer(access_matter(request.user, matter_id)).data)

    @extend_schema(summary="Set a legal hold", request=LegalHoldSerializer, responses={200: LegalHoldStateSerializer, **ERRORS})
    def post(self, request, matter_id: int):
        reason = validated(LegalHoldSerializer, request.data)["reason"]
        matter = matter_legal_hold_set(user=request.user, matter_id=matter_id, reason=reason)
        return Response(LegalHoldStateSerializer(matter).data)

    @extend_schema(summary="Lift the legal hold", request=LegalHoldSerializer, responses={200: LegalHoldStateSerializer, **ERRORS})
    def delete(self, request, matter_id: int):
        reason = validated(LegalHoldSerializer, request.data)["reason"]
        matter = matter_legal_hold_lift(user=request.user, matter_id=matter_id, reason=reason)
        return Response(LegalHoldStateSerializer(matter).data)
