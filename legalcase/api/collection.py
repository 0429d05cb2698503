"""The collection desk API (API.md, "Collection desk"): contacts, the conduct rules, complaints, promises.

The demands and their courier tracking, in the same section of API.md, live with the
demands. Contact points are answered masked; a binding conduct rule refuses a contact
with 409 ``{"detail", "stage", "rule", "next_allowed_at"}`` and stores nothing.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from legalcase.access import access_matter
from legalcase.api.matters import ERRORS, ApiView, ConflictSerializer, InputChoiceField, MoneyField, validated
from legalcase.models import (
    CONDUCT_RULES,
    MONEY,
    ComplaintKind,
    ComplaintSource,
    Contact,
    ContactChannel,
    ContactDirection,
    ContactOutcome,
    Promise,
    ThirdPartyPurpose,
)
from legalcase.money import FEN
from legalcase.pagination import MatterPagination
from legalcase.services.collection import (
    IDEMPOTENCY_KEY_MAX,
    ComplaintConflict,
    ConductRefusal,
    ContactConflict,
    complaint_open,
    complaint_resolve,
    contact_body_digest,
    contact_check,
    contact_record,
    matter_contacts,
    rule_params,
)

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description="Optional, as for recoveries: the same key with the same body answers 200 with the contact it recorded.",
)


# Representations ----------------------------------------------------------------------


class ThirdPartySerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    relation = serializers.CharField(max_length=50)
    purpose = InputChoiceField(choices=ThirdPartyPurpose.choices)


class PromiseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    contact = serializers.IntegerField(source="contact_id")
    amount = MoneyField()
    due_on = serializers.DateField()
    status = serializers.CharField(help_text="open, kept or broken.")
    paid_amount = MoneyField(help_text="Recoveries from the promise's day to due_on + PROMISE_GRACE_DAYS.")


class ContactPromiseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    amount = MoneyField()
    due_on = serializers.DateField()
    status = serializers.CharField()
    paid_amount = MoneyField()


class OverrideSerializer(serializers.Serializer):
    rule = serializers.CharField()
    reason = serializers.CharField()
    by = serializers.CharField()


class WarningSerializer(serializers.Serializer):
    rule = serializers.CharField(allow_null=True)
    detail = serializers.CharField()


class ContactSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    channel = serializers.CharField()
    direction = serializers.CharField()
    party = serializers.IntegerField(source="party_id", allow_null=True)
    third_party = serializers.SerializerMethodField()
    contact_point = serializers.CharField(source="masked_contact_point", help_text="Masked.")
    occurred_at = serializers.DateTimeField()
    duration_seconds = serializers.IntegerField(allow_null=True)
    outcome = serializers.CharField()
    promise = serializers.SerializerMethodField()
    recording = serializers.IntegerField(source="recording_id", allow_null=True)
    note = serializers.CharField()
    warnings = WarningSerializer(many=True)
    override = serializers.SerializerMethodField()
    recorded_by = serializers.CharField(source="created_by.username")
    created_at = serializers.DateTimeField()

    def get_third_party(self, contact: Contact) -> ThirdPartySerializer(allow_null=True):  # type: ignore[valid-type]
        if contact.party_id:
            return None
        return {
            "name": contact.third_party_name,
            "relation": contact.third_party_relation,
            "purpose": contact.third_party_purpose,
        }

    def get_promise(self, contact: Contact) -> ContactPromiseSerializer(allow_null=True):  # type: ignore[valid-type]
        promise = getattr(contact, "promise_row", None)
        if promise is None:
            try:
                promise = contact.promise
            except Promise.DoesNotExist:
                return None
        return ContactPromiseSerializer(promise).data

    def get_override(self, contact: Contact) -> OverrideSerializer(allow_null=True):  # type: ignore[valid-type]
        if not contact.override_rule:
            return None
        return {"rule": contact.override_rule, "reason": contact.override_reason, "by": contact.override_by.username}


class ConductRuleSerializer(serializers.Serializer):
    id = serializers.CharField()
    level = serializers.CharField(help_text="binding or guidance.")
    params = serializers.DictField()
    source = serializers.CharField()
    version = serializers.CharField()
    title = serializers.CharField()


class CheckAnswerSerializer(serializers.Serializer):
    allowed = serializers.BooleanField()
    rule = serializers.CharField(allow_null=True)
    next_allowed_at = serializers.DateTimeField(allow_null=True)
    warnings = WarningSerializer(many=True)
    detail = serializers.CharField()


class RefusalSerializer(ConflictSerializer):
    rule = serializers.CharField()
    next_allowed_at = serializers.DateTimeField(allow_null=True)


class ComplaintSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    source = serializers.CharField()
    received_on = serializers.DateField()
    summary = serializers.CharField()
    status = serializers.CharField()
    resolution = serializers.CharField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    contact = serializers.IntegerField(source="contact_id", allow_null=True)
    created_at = serializers.DateTimeField()


# Requests -----------------------------------------------------------------------------


class OffsetDateTimeField(serializers.DateTimeField):
    """A moment with its offset (API.md: datetimes need one); a naive one is refused, not guessed."""

    default_error_messages = {"naive": _("Give the time with its offset, e.g. 2026-04-01T10:15:00+08:00.")}

    def to_internal_value(self, value):
        parsed = parse_datetime(value) if isinstance(value, str) else None
        if isinstance(value, str) and parsed is not None and timezone.is_naive(parsed):
            self.fail("naive")
        return super().to_internal_value(value)


class PromiseRequestSerializer(serializers.Serializer):
    amount = serializers.DecimalField(**MONEY, min_value=FEN)
    due_on = serializers.DateField()


class ContactRequestSerializer(serializers.Serializer):
    channel = InputChoiceField(choices=ContactChannel.choices)
    direction = InputChoiceField(choices=ContactDirection.choices)
    party = serializers.IntegerField(required=False, allow_null=True, default=None)
    third_party = ThirdPartySerializer(required=False, allow_null=True, default=None)
    contact_point = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    occurred_at = OffsetDateTimeField()
    duration_seconds = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0)
    outcome = InputChoiceField(choices=ContactOutcome.choices)
    promise = PromiseRequestSerializer(required=False, allow_null=True, default=None)
    recording = serializers.IntegerField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    override_reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ComplaintRequestSerializer(serializers.Serializer):
    kind = InputChoiceField(choices=ComplaintKind.choices)
    received_on = serializers.DateField()
    source = InputChoiceField(choices=ComplaintSource.choices)
    summary = serializers.CharField(max_length=4000)


class ResolveRequestSerializer(serializers.Serializer):
    resolution = serializers.CharField(max_length=4000)


class ContactFilterSerializer(serializers.Serializer):
    party = serializers.IntegerField(required=False)
    outcome = InputChoiceField(choices=ContactOutcome.choices, required=False)
    since = serializers.DateField(required=False, help_text="Contacts on or after this Beijing day.")


# Views --------------------------------------------------------------------------------


def _body(data: dict) -> dict:
    body = dict(data)
    if body.get("third_party") is not None:
        body["third_party"] = dict(body["third_party"])
    if body.get("promise") is not None:
        body["promise"] = dict(body["promise"])
    return body


def refusal_response(exc: ConductRefusal) -> Response:
    return Response(
        {
            "detail": str(exc),
            "stage": exc.stage,
            "rule": exc.rule,
            "next_allowed_at": exc.next_allowed_at.isoformat() if exc.next_allowed_at else None,
        },
        status=status.HTTP_409_CONFLICT,
    )


@extend_schema_view(
    get=extend_schema(
        summary="List a matter's collection contacts",
        parameters=[ContactFilterSerializer],
        responses={200: ContactSerializer(many=True), 404: ERRORS[404]},
    )
)
class MatterContactsView(ApiView, generics.ListAPIView):
    """A matter's collection contacts, newest first; record one with POST."""

    serializer_class = ContactSerializer
    pagination_class = MatterPagination

    def get_queryset(self):
        matter = access_matter(self.request.user, self.kwargs["matter_id"])
        filters = validated(ContactFilterSerializer, self.request.query_params)
        rows = matter_contacts(matter)
        if "party" in filters:
            rows = rows.filter(party_id=filters["party"])
        if filters.get("outcome"):
            rows = rows.filter(outcome=filters["outcome"])
        if "since" in filters:
            rows = rows.filter(occurred_on__gte=filters["since"])
        return rows

    @extend_schema(
        summary="Record a collection contact",
        parameters=[IDEMPOTENCY_KEY],
        request=ContactRequestSerializer,
        responses={
            201: ContactSerializer,
            200: OpenApiResponse(ContactSerializer, description="A replay: the contact this key recorded."),
            409: OpenApiResponse(RefusalSerializer, description="A binding conduct rule refuses it; nothing stored."),
            **ERRORS,
        },
    )
    def post(self, request, matter_id: int):
        key = request.headers.get("Idempotency-Key", "").strip()
        if len(key) > IDEMPOTENCY_KEY_MAX:
            raise exceptions.ValidationError(
                {"Idempotency-Key": [_("At most %(max)s characters.") % {"max": IDEMPOTENCY_KEY_MAX}]}
            )
        body = _body(validated(ContactRequestSerializer, request.data))
        try:
            contact, created = contact_record(
                user=request.user,
                matter_id=matter_id,
                idempotency_key=key or None,
                body_digest=contact_body_digest(body) if key else "",
                **body,
            )
        except ConductRefusal as exc:
            return refusal_response(exc)
        except ContactConflict as exc:
            return Response({"detail": str(exc), "stage": exc.stage}, status=status.HTTP_409_CONFLICT)
        return Response(
            ContactSerializer(contact).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class ContactCheckView(ApiView):
    """Ask the conduct rules about a contact before making it; nothing is stored."""

    @extend_schema(
        summary="Check a contact against the conduct rules",
        request=ContactRequestSerializer,
        responses={200: CheckAnswerSerializer, **ERRORS},
    )
    def post(self, request, matter_id: int):
        body = _body(validated(ContactRequestSerializer, request.data))
        verdict = contact_check(user=request.user, matter_id=matter_id, **body)
        return Response(
            {
                "allowed": verdict.allowed,
                "rule": verdict.rule,
                "next_allowed_at": verdict.next_allowed_at.isoformat() if verdict.next_allowed_at else None,
                "warnings": verdict.warnings,
                "detail": verdict.detail,
            }
        )


class ConductRulesView(ApiView):
    """The conduct rules of LEGAL_RULES Part 2, B.2, with their level, figures and source."""

    permission_classes = [IsAuthenticated]

    @extend_schema(summary="List the conduct rules", responses={200: ConductRuleSerializer(many=True)})
    def get(self, request):
        rows = [
            {
                "id": rule.id,
                "level": rule.level,
                "params": rule_params(rule.id),
                "source": rule.source,
                "version": rule.version,
                "title": str(_(rule.title)),
            }
            for rule in CONDUCT_RULES
        ]
        return Response(ConductRuleSerializer(rows, many=True).data)


@extend_schema_view(
    get=extend_schema(
        summary="List a matter's complaints and disputes",
        responses={200: ComplaintSerializer(many=True), 404: ERRORS[404]},
    )
)
class MatterComplaintsView(ApiView, generics.ListAPIView):
    """A matter's complaints and disputes, latest received first; record one with POST."""

    serializer_class = ComplaintSerializer
    pagination_class = MatterPagination

    def get_queryset(self):
        return access_matter(self.request.user, self.kwargs["matter_id"]).complaints.order_by("-received_on", "-id")

    @extend_schema(
        summary="Record a complaint or dispute",
        request=ComplaintRequestSerializer,
        responses={201: ComplaintSerializer, **ERRORS},
    )
    def post(self, request, matter_id: int):
        data = validated(ComplaintRequestSerializer, request.data)
        complaint = complaint_open(user=request.user, matter_id=matter_id, **data)
        return Response(ComplaintSerializer(complaint).data, status=status.HTTP_201_CREATED)


class ComplaintResolveView(ApiView):
    """Resolve a complaint or dispute (counsel, administrators); contacts may resume."""

    @extend_schema(
        summary="Resolve a complaint",
        request=ResolveRequestSerializer,
        responses={200: ComplaintSerializer, 409: ConflictSerializer, **ERRORS},
    )
    def post(self, request, complaint_id: int):
        data = validated(ResolveRequestSerializer, request.data)
        try:
            complaint = complaint_resolve(user=request.user, complaint_id=complaint_id, **data)
        except ComplaintConflict as exc:
            return Response({"detail": str(exc), "stage": exc.stage}, status=status.HTTP_409_CONFLICT)
        return Response(ComplaintSerializer(complaint).data)


@extend_schema_view(
    get=extend_schema(
        summary="List a matter's promises to pay",
        responses={200: PromiseSerializer(many=True), 404: ERRORS[404]},
    )
)
class MatterPromisesView(ApiView, generics.ListAPIView):
    """A matter's promises to pay, earliest due first, each open, kept or broken."""

    serializer_class = PromiseSerializer
    pagination_class = MatterPagination

    def get_queryset(self):
        return access_matter(self.request.user, self.kwargs["matter_id"]).promises.order_by("due_on", "id")

