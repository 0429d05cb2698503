"""The court notice API (API.md, "Court notices and evidence search").

Here rather than in ``legalcase.api`` because an upload is stored and validated like
evidence and a confirmed upload becomes evidence: the evidence app may import legalcase,
not the other way round. Reading, matching and deciding are ``legalcase.services.court_notices``.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from evidence.court_notices import court_notice_confirm_all, court_notice_upload
from legalcase.access import access_child, require, visible_matters
from legalcase.api import ERRORS, ApiView, ConflictSerializer, validated
from legalcase.court_notices import masked_text
from legalcase.models import CourtNotice, CourtNoticeChannel, CourtNoticeStatus
from legalcase.pagination import MatterPagination
from legalcase.services.court_notices import (
    GatewayRefused,
    court_notice_candidates,
    court_notice_dismiss,
    court_notice_post,
    court_notices_visible,
    gateway_authenticated,
)

CONFLICT = {409: OpenApiResponse(ConflictSerializer, description="The notice was already confirmed or dismissed.")}
IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description="Optional; the same key again answers the first notice (200).",
)  # fmt: skip


class MatterBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()


class CourtNoticeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    channel = serializers.CharField()
    status = serializers.CharField(help_text="matched, candidates, unmatched, confirmed or dismissed")
    received_at = serializers.DateTimeField()
    parsed = serializers.JSONField(help_text="The reading with the corrections: court, case_number, kind, ...")
    reading = serializers.JSONField(help_text="What was read, kept as read")
    corrections = serializers.JSONField()
    matter = serializers.SerializerMethodField()
    proceeding = serializers.IntegerField(source="proceeding_id", allow_null=True)
    candidates = serializers.SerializerMethodField()
    text = serializers.SerializerMethodField()
    file = serializers.SerializerMethodField()
    hearing = serializers.IntegerField(source="hearing_id", allow_null=True)
    evidence = serializers.IntegerField(source="evidence_id", allow_null=True)
    gateway = serializers.CharField(source="gateway.name", allow_null=True, default=None)
    decided_at = serializers.DateTimeField(allow_null=True)
    dismissed_reason = serializers.CharField()

    def _shown(self, notice: CourtNotice) -> list[dict]:
        # The proposed (or confirmed) matters the caller may see: never another firm's.
        known = self.context.get("visible_matters")
        if known is None:
            return [
                {"id": matter.pk, "number": matter.number}
                for matter in court_notice_candidates(self.context["request"].user, notice)
            ]
        ids = [notice.matter_id] if notice.matter_id else list(notice.candidates or [])
        return [{"id": pk, "number": known[pk]} for pk in sorted(ids) if pk in known]

    @extend_schema_field(MatterBriefSerializer(allow_null=True))
    def get_matter(self, notice: CourtNotice) -> dict | None:
        if notice.matter_id is None:
            return None
        shown = self._shown(notice)
        return shown[0] if shown else None

    @extend_schema_field(MatterBriefSerializer(many=True))
    def get_candidates(self, notice: CourtNotice) -> list[dict]:
        if notice.status != CourtNoticeStatus.CANDIDATES:
            return []
        return self._shown(notice)

    def get_text(self, notice: CourtNotice) -> str:
        return masked_text(notice.text)

    def get_file(self, notice: CourtNotice) -> dict | None:
        if not notice.file_id:
            return None
        return {"filename": notice.original_filename, "content_type": notice.content_type, "size": notice.size}


class CourtNoticePostSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=CourtNoticeChannel.choices)
    text = serializers.CharField(required=False, allow_blank=True, trim_whitespace=True, default="")
    # Read by the service, which refuses a time without its offset (DRF would assume one).
    received_at = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="With its offset, e.g. 2026-05-06T10:00:00+08:00"
    )
    file = serializers.FileField(required=False, allow_empty_file=True, use_url=False)


class CourtNoticeFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=CourtNoticeStatus.choices, required=False)
    matter = serializers.IntegerField(required=False, min_value=1)


class CourtNoticeConfirmSerializer(serializers.Serializer):
    matter = serializers.IntegerField(required=False, allow_null=True, default=None)
    proceeding = serializers.IntegerField(required=False, allow_null=True, default=None)
    corrections = serializers.DictField(required=False, default=dict)


class CourtNoticeConfirmedSerializer(CourtNoticeSerializer):
    created = serializers.DictField(help_text='{"hearing": id|null, "deadlines": [...], "evidence": id|null}')


class CourtNoticeDismissSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


def _answer(request, notice: CourtNotice, *, code: int = status.HTTP_200_OK, **extra) -> Response:
    data = CourtNoticeSerializer(notice, context={"request": request}).data
    return Response({**data, **extra}, status=code)


@extend_schema_view(
    get=extend_schema(
        summary="List court notices",
        parameters=[CourtNoticeFilterSerializer],
        responses={200: CourtNoticeSerializer(many=True), **ERRORS},
    )
)
class CourtNoticesView(ApiView, generics.ListAPIView):
    """Court notices the caller may see, newest first; POST records one (text, or multipart with ``file``)."""

    serializer_class = CourtNoticeSerializer
    pagination_class = MatterPagination
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        ids = {pk for notice in page for pk in ([notice.matter_id] if notice.matter_id else notice.candidates or [])}
        # One query for the page's matters the caller may see, not one per row.
        known = dict(visible_matters(request.user).filter(pk__in=ids).values_list("pk", "number"))
        rows = CourtNoticeSerializer(page, many=True, context={"request": request, "visible_matters": known}).data
        return self.get_paginated_response(rows)

    def get_queryset(self):
        filters = validated(CourtNoticeFilterSerializer, self.request.query_params)
        return court_notices_visible(
            self.request.user, status=filters.get("status"), matter_id=filters.get("matter")
        ).order_by("-received_at", "-id")

    @extend_schema(
        summary="Record a court notice",
        parameters=[IDEMPOTENCY],
        request={"application/json": CourtNoticePostSerializer, "multipart/form-data": CourtNoticePostSerializer},
        responses={201: CourtNoticeSerializer, 200: CourtNoticeSerializer, **ERRORS, **CONFLICT},
    )
    def post(self, request):
        require(request.user, "write_court_notices")
        data = validated(CourtNoticePostSerializer, request.data)
        received_at = data["received_at"] or timezone.now()
        key = request.headers.get("Idempotency-Key", "")
        if data["channel"] == CourtNoticeChannel.UPLOAD:
            if not data.get("file"):
                raise exceptions.ValidationError({"file": [_("Attach the notice's PDF or DOCX file.")]})
            notice, created = court_notice_upload(
                user=request.user, uploaded_file=data["file"], received_at=received_at, idempotency_key=key
            )
        else:
            if data.get("file"):
                raise exceptions.ValidationError({"file": [_("A file is posted with the channel upload, and only with it.")]})
            notice, created = court_notice_post(
                user=request.user,
                channel=data["channel"],
                text=data["text"],
                received_at=received_at,
                idempotency_key=key,
            )
        return _answer(request, notice, code=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class CourtNoticeDetailView(ApiView):
    @extend_schema(summary="A court notice", responses={200: CourtNoticeSerializer, **ERRORS})
    def get(self, request, notice_id: int):
        notice = access_child(request.user, CourtNotice, notice_id)
        return _answer(request, notice)


class CourtNoticeConfirmView(ApiView):
    @extend_schema(
        summary="Confirm a court notice on a matter",
        request=CourtNoticeConfirmSerializer,
        responses={200: CourtNoticeConfirmedSerializer, **ERRORS, **CONFLICT},
    )
    def post(self, request, notice_id: int):
        # Access first, so a notice the caller cannot see answers 404, never 400.
        access_child(request.user, CourtNotice, notice_id, action="write_court_notices")
        data = validated(CourtNoticeConfirmSerializer, request.data)
        notice, created = court_notice_confirm_all(
            user=request.user,
            notice_id=notice_id,
            matter_id=data["matter"],
            proceeding_id=data["proceeding"],
            corrections=data["corrections"],
        )
        return _answer(request, notice, created=created)


class CourtNoticeDismissView(ApiView):
    @extend_schema(
        summary="Dismiss a court notice",
        request=CourtNoticeDismissSerializer,
        responses={200: CourtNoticeSerializer, **ERRORS, **CONFLICT},
    )
    def post(self, request, notice_id: int):
        access_child(request.user, CourtNotice, notice_id, action="write_court_notices")
        data = validated(CourtNoticeDismissSerializer, request.data)
        notice = court_notice_dismiss(user=request.user, notice_id=notice_id, reason=data["reason"])
        return _answer(request, notice)


class GatewayNoticeSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=20_000)
    received_at = serializers.CharField(required=False, allow_blank=True, default="")


class GatewayAcceptedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()


class CourtNoticeWebhookView(ApiView):
    """An SMS gateway forwards a court message; ``Authorization: Bearer <the gateway's token>``."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        summary="SMS gateway webhook",
        request=GatewayNoticeSerializer,
        responses={201: GatewayAcceptedSerializer, 200: GatewayAcceptedSerializer, **ERRORS},
        auth=[],
    )
    def post(self, request, gateway: str):
        header = request.headers.get("Authorization", "")
        token = header[7:].strip() if header[:7].lower() == "bearer " else request.headers.get("X-Gateway-Token", "")
        try:
            found = gateway_authenticated(name=gateway, token=token.strip())
        except GatewayRefused as exc:
            return Response({"detail": str(exc)}, status=exc.status)
        data = validated(GatewayNoticeSerializer, request.data)
        notice, created = court_notice_post(
            channel=CourtNoticeChannel.SMS,
            text=data["text"],
            received_at=data["received_at"] or timezone.now(),
            gateway=found,
            idempotency_key=request.headers.get("Idempotency-Key", ""),
        )
        # The gateway learns only that the message was taken, not what Fasu made of it.
        return Response(
            {"id": notice.pk, "status": "received"}, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )
