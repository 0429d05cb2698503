"""Timelines, the audit log and the users list (API.md Conventions; "Correcting and completing the record").

``text`` is the sentence ``legalcase.timeline`` writes for the pages, in the request's
language (``Accept-Language: en``: English). A lawyer reads a matter's timeline without
other firms' fee entries (``access.visible_events``), and the users of their own firm only.
"""

from __future__ import annotations

from django.utils import translation
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers

from legalcase.access import access_matter, require, visible_events
from legalcase.api.matters import ApiView, validated
from legalcase.models import AuditAction, AuditEvent, EventKind, LawFirm, Role, User
from legalcase.pagination import MatterPagination
from legalcase.timeline import event_text


class UserFirmSerializer(serializers.ModelSerializer):
    class Meta:
        model = LawFirm
        fields = ["id", "name"]


class MatterEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    actor = serializers.SerializerMethodField(help_text="The username; null for the system.")
    actor_name = serializers.SerializerMethodField(help_text="The actor's name as the pages show it.")
    kind = serializers.CharField()
    kind_label = serializers.SerializerMethodField()
    text = serializers.SerializerMethodField(help_text="The entry as a sentence, in the request's language.")
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)
    note = serializers.CharField()

    def get_actor(self, event) -> str | None:
        return event.actor.username if event.actor_id else None

    def get_actor_name(self, event) -> str | None:
        return event.actor.display_name if event.actor_id else None

    def get_kind_label(self, event) -> str:
        return str(event.get_kind_display())

    def get_text(self, event) -> str:
        return event_text(event)


class EventFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EventKind.choices, required=False)


@extend_schema_view(get=extend_schema(summary="A matter's timeline", parameters=[EventFilterSerializer]))
class MatterEventsView(ApiView, generics.ListAPIView):
    """The matter's timeline, newest first; each entry told as a sentence (``text``)."""

    serializer_class = MatterEventSerializer
    pagination_class = MatterPagination

    def list(self, request, *args, **kwargs):
        # API.md: ``Accept-Language: en`` gives English sentences (the pages follow the
        # language cookie only; an API client says what it wants with the header).
        language = translation.get_language()
        if request.META.get("HTTP_ACCEPT_LANGUAGE"):
            language = translation.get_language_from_request(request)
        with translation.override(language):
            return super().list(request, *args, **kwargs)

    def get_queryset(self):
        matter = access_matter(self.request.user, self.kwargs["matter_id"])
        kind = validated(EventFilterSerializer, self.request.query_params).get("kind")
        events = visible_events(self.request.user, matter).select_related("actor", "matter")
        if kind:
            events = events.filter(kind=kind)
        return events.order_by("-at", "-id")


class AuditEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    actor = serializers.SerializerMethodField(help_text="The username; null for the system.")
    action = serializers.CharField()
    action_label = serializers.SerializerMethodField()
    target = serializers.CharField()
    detail = serializers.JSONField()

    def get_actor(self, event) -> str | None:
        return event.actor.username if event.actor_id else None

    def get_action_label(self, event) -> str:
        return str(event.get_action_display())


class AuditFilterSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=AuditAction.choices, required=False)
    since = serializers.DateTimeField(required=False, help_text="With its offset; entries at or after it.")


@extend_schema_view(get=extend_schema(summary="The audit log", parameters=[AuditFilterSerializer]))
class AuditEventsView(ApiView, generics.ListAPIView):
    """Audited acts tied to no single matter (exports, calendar keys, portfolios), newest first; administrators."""

    serializer_class = AuditEventSerializer
    pagination_class = MatterPagination

    def get_queryset(self):
        require(self.request.user, "view_audit_log")
        filters = validated(AuditFilterSerializer, self.request.query_params)
        events = AuditEvent.objects.select_related("actor")
        if filters.get("action"):
            events = events.filter(action=filters["action"])
        if filters.get("since"):
            events = events.filter(at__gte=filters["since"])
        return events.order_by("-at", "-id")


class UserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(source="display_name")
    role = serializers.CharField()
    firm = UserFirmSerializer(allow_null=True)


class UserFilterSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    firm = serializers.IntegerField(required=False, min_value=1)


@extend_schema_view(get=extend_schema(summary="List users", parameters=[UserFilterSerializer]))
class UserListView(ApiView, generics.ListAPIView):
    """Active users, for choosing owners and task assignees; a lawyer sees their own firm's only."""

    serializer_class = UserSerializer
    pagination_class = MatterPagination

    def get_queryset(self):
        user = self.request.user
        filters = validated(UserFilterSerializer, self.request.query_params)
        users = User.objects.filter(is_active=True).select_related("firm")
        if user.role == Role.LAWYER:
            users = users.filter(firm_id=user.firm_id) if user.firm_id else users.none()
        if filters.get("role"):
            users = users.filter(role=filters["role"])
        if filters.get("firm"):
            users = users.filter(firm_id=filters["firm"])
        return users.order_by("username", "id")
