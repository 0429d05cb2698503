"""Playbooks, plans and tasks (API.md, "Triage, plans and tasks")."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from legalcase.access import require
from legalcase.api.matters import (
    ERRORS,
    ApiView,
    ConflictSerializer,
    InputChoiceField,
    MatterRefSerializer,
    exception_handler,
    validated,
)
from legalcase.models import Playbook, Product, StepAction, Task, TaskStatus
from legalcase.pagination import MatterPagination
from legalcase.services import (
    PlanConflict,
    plan_start,
    plan_stop,
    playbook_create,
    playbook_update,
    task_create,
    task_update,
    visible_tasks,
)


def tasks_exception_handler(exc, context):
    if isinstance(exc, PlanConflict):
        return Response({"detail": str(exc), "stage": exc.stage}, status=status.HTTP_409_CONFLICT)
    return exception_handler(exc, context)


class TasksApiView(ApiView):
    def get_exception_handler(self):
        return tasks_exception_handler


# Playbooks ---------------------------------------------------------------------------------


class StepSerializer(serializers.Serializer):
    day = serializers.IntegerField(min_value=0)
    working_days = serializers.BooleanField()
    action = serializers.ChoiceField(choices=StepAction.choices)
    title = serializers.CharField()
    owner_role = serializers.CharField()


class PlaybookSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    product = serializers.ChoiceField(choices=Product.choices)
    version = serializers.IntegerField()
    auto_start = serializers.BooleanField(help_text="Started by itself on the product's newly escalated matters.")
    segment = serializers.CharField(
        help_text="The debtors it is for: a review's willingness (`hardship`, `wilful`, `unknown`), or empty for any."
    )
    start_on_review = serializers.BooleanField(
        help_text="Started by itself when a debtor review of the product's matters in its segment recommends pursuing the debt and no plan runs."
    )
    steps = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField()

    def get_steps(self, playbook) -> list[dict]:
        return StepSerializer(playbook.current.steps, many=True).data


class PlaybookInputSerializer(serializers.Serializer):
    # Checked by the service (one message per step, nothing stored on any error).
    name = serializers.CharField(required=False, allow_blank=True)
    product = serializers.CharField(required=False, allow_blank=True)
    auto_start = serializers.BooleanField(required=False)
    segment = serializers.CharField(required=False, allow_blank=True)
    start_on_review = serializers.BooleanField(required=False)
    steps = serializers.JSONField(required=False)


@extend_schema_view(
    get=extend_schema(summary="List playbooks", responses={200: PlaybookSerializer(many=True)}),
    post=extend_schema(
        summary="Create a playbook", request=PlaybookInputSerializer, responses={201: PlaybookSerializer, **ERRORS}
    ),
)
class PlaybookListView(TasksApiView):
    """Every playbook, current version; counsel and admins create them."""

    def get(self, request):
        require(request.user, "view")
        return Response(PlaybookSerializer(Playbook.objects.order_by("product", "name"), many=True).data)

    def post(self, request):
        playbook = playbook_create(user=request.user, data=dict(request.data))
        return Response(PlaybookSerializer(playbook).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(summary="A playbook", responses={200: PlaybookSerializer, **ERRORS}),
    patch=extend_schema(
        summary="Change a playbook (new steps: a new version)",
        request=PlaybookInputSerializer,
        responses={200: PlaybookSerializer, **ERRORS},
    ),
)
class PlaybookDetailView(TasksApiView):
    """One playbook; `PATCH` with new steps adds a version, and running plans keep theirs."""

    def get(self, request, playbook_id: int):
        require(request.user, "view")
        playbook = Playbook.objects.filter(pk=playbook_id).first()
        if playbook is None:
            raise Http404("playbook not found")
        return Response(PlaybookSerializer(playbook).data)

    def patch(self, request, playbook_id: int):
        playbook = playbook_update(user=request.user, playbook_id=playbook_id, data=dict(request.data))
        return Response(PlaybookSerializer(playbook).data)


# Tasks -------------------------------------------------------------------------------------


class TaskSourceSerializer(serializers.Serializer):
    playbook = serializers.IntegerField()
    version = serializers.IntegerField()
    step = serializers.IntegerField(help_text="The step's position in the version, from 0.")


class TaskSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    matter = MatterRefSerializer()
    title = serializers.CharField(source="masked_title", help_text="Identity, phone and account numbers masked.")
    action = serializers.CharField(help_text="The step's action; empty for a task given by hand or for a deadline.")
    due_on = serializers.DateField()
    assignee = serializers.IntegerField(source="assignee_id", allow_null=True, help_text="The assignee's user id.")
    assignee_name = serializers.SerializerMethodField(help_text="The assignee's name (or username); null when nobody.")
    owner_role = serializers.CharField()
    status = serializers.ChoiceField(choices=TaskStatus.choices)
    source = serializers.SerializerMethodField()
    origin = serializers.ChoiceField(
        choices=["playbook", "stage", "deadline", "manual"],
        help_text="Where the task came from: a playbook step, a stage entered, a deadline due soon, or given by hand.",
    )
    stage = serializers.SerializerMethodField(help_text="The stage whose entry made the task; null for other tasks.")
    deadline = serializers.IntegerField(source="deadline_id", allow_null=True, help_text="The deadline it handles.")
    done_at = serializers.DateTimeField(allow_null=True)
    note = serializers.CharField(source="masked_note", help_text="Numbers masked as in `title`.")

    def get_assignee_name(self, task) -> str | None:
        if task.assignee is None:
            return None
        return task.assignee.get_full_name() or task.assignee.username

    def get_stage(self, task) -> str | None:
        return task.stage or None

    def get_source(self, task) -> dict | None:
        if task.plan_id is None:
            return None
        version = task.plan.playbook_version
        return {"playbook": version.playbook_id, "version": version.version, "step": task.step}


def tasks_loaded(tasks):
    return tasks.select_related("matter", "assignee", "plan__playbook_version")


class TaskFilterSerializer(serializers.Serializer):
    assignee = serializers.CharField(required=False, allow_blank=True, help_text="`me`, `none` or a user id.")
    status = InputChoiceField(choices=TaskStatus.choices, required=False, allow_blank=True)
    due_before = serializers.DateField(required=False, help_text="Inclusive.")
    matter = serializers.IntegerField(required=False)

    def validate_assignee(self, value):
        if value not in ("", "me", "none") and not value.isdigit():
            raise serializers.ValidationError(_("Must be me, none or a user id."))
        return value


class TaskCreateSerializer(serializers.Serializer):
    matter = serializers.IntegerField()
    title = serializers.CharField(max_length=200)
    due_on = serializers.DateField()
    assignee = serializers.IntegerField(required=False, allow_null=True)


class TaskUpdateSerializer(serializers.Serializer):
    status = InputChoiceField(choices=TaskStatus.choices, required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    title = serializers.CharField(required=False, max_length=200)
    due_on = serializers.DateField(required=False)
    assignee = serializers.IntegerField(required=False, allow_null=True)


@extend_schema_view(
    get=extend_schema(
        summary="List tasks", parameters=[TaskFilterSerializer], responses={200: TaskSerializer(many=True), 400: ERRORS[400]}
    ),
    post=extend_schema(summary="Give a task", request=TaskCreateSerializer, responses={201: TaskSerializer, **ERRORS}),
)
class TaskListView(TasksApiView, generics.ListAPIView):
    """Tasks of the matters you may see, soonest first; `due_before` is inclusive."""

    serializer_class = TaskSerializer
    pagination_class = MatterPagination

    def get_queryset(self):
        filters = validated(TaskFilterSerializer, self.request.query_params)
        tasks = visible_tasks(self.request.user)
        assignee = filters.get("assignee")
        if assignee == "me":
            tasks = tasks.filter(assignee=self.request.user)
        elif assignee == "none":
            tasks = tasks.filter(assignee__isnull=True)
        elif assignee:
            tasks = tasks.filter(assignee_id=int(assignee))
        if filters.get("status"):
            tasks = tasks.filter(status=filters["status"])
        if filters.get("due_before"):
            tasks = tasks.filter(due_on__lte=filters["due_before"])
        if filters.get("matter"):
            tasks = tasks.filter(matter_id=filters["matter"])
        return tasks_loaded(tasks).order_by("due_on", "id")

    def post(self, request):
        data = validated(TaskCreateSerializer, request.data)
        task = task_create(
            user=request.user,
            matter_id=data["matter"],
            title=data["title"],
            due_on=data["due_on"],
            assignee_id=data.get("assignee"),
        )
        return Response(TaskSerializer(task).data, status=status.HTTP_201_CREATED)


class TaskDetailView(TasksApiView):
    """Close a task: `done`, or `skipped` with a `note`; or reassign it, move its date."""

    @extend_schema(summary="Change a task", request=TaskUpdateSerializer, responses={200: TaskSerializer, **ERRORS})
    def patch(self, request, task_id: int):
        data = validated(TaskUpdateSerializer, request.data)
        task = task_update(user=request.user, task_id=task_id, data=data)
        return Response(TaskSerializer(tasks_loaded(Task.objects.filter(pk=task.pk)).get()).data)


# Plans -------------------------------------------------------------------------------------


class PlanStartSerializer(serializers.Serializer):
    playbook = serializers.IntegerField()
    start_on = serializers.DateField()


class PlanSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    playbook = serializers.IntegerField(source="playbook_version.playbook_id")
    name = serializers.CharField(source="playbook_version.playbook.name")
    version = serializers.IntegerField(source="playbook_version.version")
    start_on = serializers.DateField()
    ended_at = serializers.DateTimeField(allow_null=True)
    end_reason = serializers.CharField()
    tasks = serializers.SerializerMethodField()

    def get_tasks(self, plan) -> list[dict]:
        return TaskSerializer(tasks_loaded(plan.tasks.all()).order_by("due_on", "step"), many=True).data


class MatterPlaybookView(TasksApiView):
    """Start a playbook on the matter (its steps become tasks), or stop the running one."""

    @extend_schema(
        summary="Start a playbook on a matter",
        request=PlanStartSerializer,
        responses={
            201: PlanSerializer,
            409: OpenApiResponse(ConflictSerializer, description="A playbook already runs on the matter."),
            **ERRORS,
        },
    )
    def post(self, request, matter_id: int):
        data = validated(PlanStartSerializer, request.data)
        plan = plan_start(user=request.user, matter_id=matter_id, playbook_id=data["playbook"], start_on=data["start_on"])
        return Response(PlanSerializer(plan).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Stop the matter's playbook", responses={200: PlanSerializer, **ERRORS})
    def delete(self, request, matter_id: int):
        plan = plan_stop(user=request.user, matter_id=matter_id)
        if plan is None:
            raise Http404("no playbook is running on this matter")
        return Response(PlanSerializer(plan).data)
