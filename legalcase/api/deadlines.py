"""The deadlines API (API.md, "Deadlines and calculators"): list, complete, override."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from legalcase.access import visible_matters
from legalcase.api.matters import (
    ERRORS,
    ApiView,
    InputChoiceField,
    MatterRefSerializer,
    validated,
)
from legalcase.models import (
    Deadline,
    DeadlineKind,
    DeadlineStatus,
)
from legalcase.pagination import MatterPagination
from legalcase.services import calendar_feed_issue, calendar_feed_revoke, deadline_complete, deadline_override


class DeadlineListSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    matter = MatterRefSerializer()
    kind = serializers.ChoiceField(choices=DeadlineKind.choices)
    due_on = serializers.DateField()
    rule = serializers.CharField()
    status = serializers.ChoiceField(choices=DeadlineStatus.choices)
    verified_calendar = serializers.BooleanField()
    status_reason = serializers.CharField(help_text="Why it was closed (done or waived).")
    computed_on = serializers.DateField(
        allow_null=True, help_text="The rule's date when a person overrode `due_on`, else null."
    )
    override_reason = serializers.CharField(help_text="Why `due_on` was overridden; empty when it was not.")
    at = serializers.DateTimeField(allow_null=True, help_text="A hearing's date and time; null for other kinds.")
    place = serializers.CharField(allow_null=True, help_text="A hearing's place; null for other kinds.")
    court = serializers.CharField(
        allow_null=True, help_text="The court of a hearing, evidence or defence period; null for other kinds."
    )



class DeadlineFilterSerializer(serializers.Serializer):
    due_before = serializers.DateField(required=False, help_text="Inclusive.")
    kind = InputChoiceField(choices=DeadlineKind.choices, required=False, allow_blank=True)
    status = InputChoiceField(choices=DeadlineStatus.choices, required=False, allow_blank=True)


class DeadlineCompleteSerializer(serializers.Serializer):
    status = InputChoiceField(choices=[("done", "Done"), ("waived", "Waived")])
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)



@extend_schema_view(
    get=extend_schema(
        summary="List deadlines",
        parameters=[DeadlineFilterSerializer],
        responses={200: DeadlineListSerializer(many=True), 400: ERRORS[400]},
    )
)
class DeadlineListView(ApiView, generics.ListAPIView):
    """Current deadlines of the matters you may see, soonest first; `due_before` is inclusive."""

    serializer_class = DeadlineListSerializer
    pagination_class = MatterPagination

    def get_queryset(self):
        filters = validated(DeadlineFilterSerializer, self.request.query_params)
        deadlines = Deadline.objects.filter(
            superseded_at__isnull=True, matter__in=visible_matters(self.request.user)
        ).select_related("matter")
        if filters.get("due_before"):
            deadlines = deadlines.filter(due_on__lte=filters["due_before"])
        if filters.get("kind"):
            deadlines = deadlines.filter(kind=filters["kind"])
        if filters.get("status"):
            deadlines = deadlines.filter(status=filters["status"])
        return deadlines.order_by("due_on", "id")


class DeadlineCompleteView(ApiView):
    """Mark a deadline done or waived, with a reason (required to waive); written to the timeline."""

    @extend_schema(
        summary="Complete a deadline",
        request=DeadlineCompleteSerializer,
        responses={200: DeadlineListSerializer, **ERRORS},
    )
    def post(self, request, deadline_id: int):
        data = validated(DeadlineCompleteSerializer, request.data)
        deadline = deadline_complete(user=request.user, deadline_id=deadline_id, **data)
        return Response(DeadlineListSerializer(deadline).data)


# Proceedings (API.md, "Proceedings and rulings") --------------------------------------


class DeadlineOverrideSerializer(serializers.Serializer):
    due_on = serializers.DateField()
    reason = serializers.CharField(max_length=2000)


class DeadlineOverrideView(ApiView):
    """Set a deadline to another date with the reason; the rule's date is kept as `computed_on`."""

    @extend_schema(
        summary="Override a deadline's date",
        request=DeadlineOverrideSerializer,
        responses={200: DeadlineListSerializer, **ERRORS},
    )
    def post(self, request, deadline_id: int):
        data = validated(DeadlineOverrideSerializer, request.data)
        deadline = deadline_override(user=request.user, deadline_id=deadline_id, **data)
        return Response(DeadlineListSerializer(deadline).data)


# The calendar feed (API.md, "Court notices and evidence search") ---------------------------


class CalendarFeedSerializer(serializers.Serializer):
    url = serializers.CharField(help_text="The secret address of your deadlines' calendar; shown this once.")


class CalendarFeedRevokedSerializer(serializers.Serializer):
    revoked = serializers.BooleanField()


class CalendarFeedView(ApiView):
    """Your deadline calendar (ICS) address: a new one revokes the old at once; both acts are audited."""

    @extend_schema(summary="Get a new calendar feed address", request=None, responses={201: CalendarFeedSerializer})
    def post(self, request):
        key = calendar_feed_issue(user=request.user)
        url = request.build_absolute_uri(reverse("calendar_feed", args=[key]))
        return Response({"url": url}, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Revoke the calendar feed address", request=None, responses={200: CalendarFeedRevokedSerializer})
    def delete(self, request):
        calendar_feed_revoke(user=request.user)
        return Response({"revoked": True})
