"""Worklists (API.md, "Triage, plans and tasks": ``GET /api/v1/worklists/``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import generics, serializers

from legalcase.api.matters import (
    ERRORS,
    ApiView,
    InputChoiceField,
    MatterFilterSerializer,
    MatterScoreSerializer,
    MatterSerializer,
    LIST_COLUMNS,
    matter_rows,
    validated,
)
from legalcase.models import Matter, Recommendation, Stage
from legalcase.pagination import MatterPagination
from legalcase.services.worklists import (
    DEFAULT_ORDERING,
    NO_RECOMMENDATION,
    WORKLIST_ORDERINGS,
    Worklist,
    open_task_counts,
    page_recommendations,
    page_scores,
    worklist_matters,
    worklist_ordering,
    worklist_score_hints,
)


class WorklistRowSerializer(MatterSerializer):
    """A worklist row: the matter list's row plus why it is there."""

    recommendation = serializers.SerializerMethodField()
    promise_due_on = serializers.DateField(allow_null=True, help_text="The earliest open promise to pay's due date.")
    open_tasks = serializers.SerializerMethodField()
    score = serializers.SerializerMethodField()

    # The page's facts come in the context (one query each for the page): ``recommendations``,
    # ``open_tasks``, ``scores``, by matter id.
    @extend_schema_field(serializers.ChoiceField(choices=Recommendation.choices, allow_null=True))
    def get_recommendation(self, matter: Matter):
        return self.context["recommendations"].get(matter.pk)

    @extend_schema_field(serializers.IntegerField())
    def get_open_tasks(self, matter: Matter) -> int:
        return self.context["open_tasks"].get(matter.pk, 0)

    @extend_schema_field(MatterScoreSerializer(allow_null=True))
    def get_score(self, matter: Matter):
        return self.context["scores"].get(matter.pk)


def worklist_rows_json(page: list[tuple], facts: dict) -> list[dict]:
    """``WorklistRowSerializer``'s representation of a page read as ``worklist_rows`` tuples, by hand for speed."""
    promises = {values[0]: values[-1] for values in page}
    return [
        {
            **row,
            "recommendation": facts["recommendations"].get(row["id"]),
            "promise_due_on": promises[row["id"]].isoformat() if promises[row["id"]] else None,
            "open_tasks": facts["open_tasks"].get(row["id"], 0),
            "score": facts["scores"].get(row["id"]),
        }
        for row in matter_rows(values[:-1] for values in page)
    ]


class WorklistQuerySerializer(MatterFilterSerializer):
    stage = InputChoiceField(
        choices=[choice for choice in Stage.choices if choice[0] != Stage.CLOSED],
        required=False,
        allow_blank=True,
        help_text="Any stage but `closed`: a worklist holds no closed matter.",
    )
    recommendation = InputChoiceField(
        choices=[*Recommendation.choices, (NO_RECOMMENDATION, _("No recommendation yet"))],
        required=False,
        allow_blank=True,
        help_text="The reviewer's recommendation, or `none` for matters without one.",
    )
    ordering = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=40,
        help_text="One key, `-` descending: "
        + ", ".join(f"`{key}`" for key in WORKLIST_ORDERINGS)
        + f". Matters without the value come last either way; ties newest first. Default `{DEFAULT_ORDERING}`.",
    )

    def validate_ordering(self, value: str) -> str:
        try:
            return worklist_ordering(value)
        except ValueError as exc:
            raise serializers.ValidationError(
                _("Unknown or repeated sort key “%(key)s”; use one of: %(keys)s.")
                % {"key": str(exc)[:40], "keys": ", ".join(WORKLIST_ORDERINGS)}
            ) from None


def worklist_rows(matters):
    """What a page of API rows reads: the list's columns and the promise date, as tuples."""
    return matters.values_list(*LIST_COLUMNS, "promise_due_on")


@extend_schema_view(
    get=extend_schema(
        summary="Worklist",
        parameters=[WorklistQuerySerializer],
        responses={200: WorklistRowSerializer(many=True), 400: ERRORS[400]},
    )
)
class WorklistView(ApiView, generics.ListAPIView):
    """The open matters you may see, most worth pursuing first (by `score` unless `ordering` says otherwise).

    An outside firm's lawyer gets only the matters assigned to their firm. An invalid
    filter or sort key answers 400 naming it.
    """

    serializer_class = WorklistRowSerializer
    pagination_class = MatterPagination

    def get_queryset(self):
        params = dict(validated(WorklistQuerySerializer, self.request.query_params))
        ordering = params.pop("ordering", "") or DEFAULT_ORDERING
        filters = {key: value for key, value in params.items() if value not in ("", None)}
        matters = worklist_matters(self.request.user, **filters)
        hints = worklist_score_hints(self.request.user, **filters)
        return Worklist(matters, ordering=ordering, filtered=bool(filters), rows=worklist_rows, score_hints=hints)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        ids = [values[0] for values in page]
        facts = {
            "open_tasks": open_task_counts(ids),
            "recommendations": page_recommendations(ids),
            "scores": page_scores(ids),
        }
        return self.get_paginated_response(worklist_rows_json(page, facts))
