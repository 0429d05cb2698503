"""The assets and enforcement actions API (API.md, "Enforcement, recoveries and costs")."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from legalcase.access import access_matter
from legalcase.api.matters import (
    ERRORS,
    ApiView,
    ConflictSerializer,
    InputChoiceField,
    MoneyField,
    exception_handler,
    validated,
)
from legalcase.models import MONEY, Asset, EnforcementAction, Matter
from legalcase.pagination import MatterPagination
from legalcase.services.enforcement import (
    EnforcementConflict,
    asset_record,
    enforcement_action_record,
    enforcement_action_renew,
)

CONFLICT = {409: OpenApiResponse(ConflictSerializer, description="The action is not the one in force.")}


def enforcement_exception_handler(exc, context):
    """The API's handler, plus a renewal of an action no longer in force: 409 (API.md, "Errors")."""
    if isinstance(exc, EnforcementConflict):
        return Response({"detail": str(exc), "stage": exc.stage}, status=status.HTTP_409_CONFLICT)
    return exception_handler(exc, context)


class EnforcementApiView(ApiView):
    def get_exception_handler(self):
        return enforcement_exception_handler


# Representations ----------------------------------------------------------------------


class AssetOwnerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class AssetSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    owner = AssetOwnerSerializer()
    kind = serializers.CharField(help_text="One of: " + ", ".join(Asset.Kind.values) + ".")
    description = serializers.CharField()
    identifier = serializers.CharField(
        source="masked_identifier", help_text="Account, certificate or plate number, masked (first 4 and last 4)."
    )
    estimated_value = MoneyField(allow_null=True)
    source = serializers.CharField(help_text="Where the lead came from: " + ", ".join(Asset.Source.values) + ".")
    found_on = serializers.DateField()
    note = serializers.CharField()


class EnforcementAssetRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    description = serializers.CharField()
    identifier = serializers.CharField(source="masked_identifier", help_text="Masked.")


class EnforcementActionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="One of: " + ", ".join(EnforcementAction.Kind.values) + ".")
    court = serializers.CharField()
    case_number = serializers.CharField(help_text="The official form with full-width brackets.")
    started_on = serializers.DateField()
    expires_on = serializers.DateField(
        allow_null=True,
        help_text="The court's date when given, else the default by property type (LEGAL_RULES section 3); "
        "null for kinds that do not lapse.",
    )
    expiry_stated = serializers.BooleanField(help_text="Whether `expires_on` is the court's stated date.")
    renewal_due_on = serializers.DateField(
        allow_null=True, help_text="Apply to renew by this day (7 days before expiry, earlier on a rest day)."
    )
    rank = serializers.CharField(help_text="first (首封), waiting (轮候) or empty.")
    amount = MoneyField(allow_null=True)
    listing_ground = serializers.IntegerField(allow_null=True, help_text="失信 only: the ground, 1-6.")
    ends_on = serializers.DateField(
        allow_null=True, help_text="失信, 限高 or exit restriction: the end; null for 失信 ground 1 (no fixed term)."
    )
    status = serializers.ChoiceField(choices=EnforcementAction.Status.choices)
    renews = serializers.IntegerField(source="renews_id", allow_null=True, help_text="The action this one renews.")
    renewed_by = serializers.SerializerMethodField(help_text="The renewal continuing this action, if any.")
    asset = EnforcementAssetRefSerializer(allow_null=True)
    note = serializers.CharField()

    def get_renewed_by(self, action: EnforcementAction) -> int | None:
        renewal = getattr(action, "renewal", None)
        return renewal.pk if renewal is not None else None


# Requests -----------------------------------------------------------------------------


class AssetRequestSerializer(serializers.Serializer):
    """An asset of the debtor's or a guarantor's; given inline with an action, ``found_on`` defaults to its start."""

    owner = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="The debtor's or a guarantor's id; the debtor if null."
    )
    kind = InputChoiceField(choices=Asset.Kind.choices)
    description = serializers.CharField(max_length=300)
    identifier = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=100, help_text="Kept whole; answered masked."
    )
    estimated_value = serializers.DecimalField(**MONEY, min_value=0, required=False, allow_null=True, default=None)
    source = InputChoiceField(
        choices=Asset.Source.choices,
        required=False,
        default=Asset.Source.COURT_SEARCH,
        help_text="Where the lead came from; court_search if omitted.",
    )
    found_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Required when the asset is posted alone; the action's `started_on` if omitted inline.",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class EnforcementActionRequestSerializer(serializers.Serializer):
    kind = InputChoiceField(choices=EnforcementAction.Kind.choices)
    court = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    case_number = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=60, help_text="Half-width brackets are accepted."
    )
    started_on = serializers.DateField()
    expires_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="The court's stated expiry; null to compute it."
    )
    amount = serializers.DecimalField(**MONEY, min_value=0, required=False, allow_null=True, default=None)
    asset = AssetRequestSerializer(
        required=False, allow_null=True, default=None, help_text="A new asset recorded with the action."
    )
    asset_id = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="An asset of this matter (instead of `asset`)."
    )
    rank = InputChoiceField(choices=EnforcementAction.Rank.choices, required=False, allow_blank=True, default="")
    listing_ground = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=6, help_text="失信 only."
    )
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class RenewalRequestSerializer(serializers.Serializer):
    started_on = serializers.DateField()
    expires_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="The court's stated expiry; null to compute it."
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


# Views --------------------------------------------------------------------------------


def _actions_of(matter: Matter) -> QuerySet[EnforcementAction]:
    return matter.enforcement_actions.select_related("asset", "renewal").order_by("-started_on", "-id")


def _assets_of(matter: Matter) -> QuerySet[Asset]:
    return matter.assets.select_related("owner").order_by("-found_on", "-id")


@extend_schema_view(
    get=extend_schema(
        summary="List a matter's assets",
        responses={200: AssetSerializer(many=True), 404: ERRORS[404]},
    )
)
class MatterAssetsView(EnforcementApiView, generics.ListAPIView):
    """The debtor's and guarantors' assets known on a matter, latest lead first; record one with POST.

    Identifiers are masked in every answer.
    """

    serializer_class = AssetSerializer
    pagination_class = MatterPagination

    def get_queryset(self):
        return _assets_of(access_matter(self.request.user, self.kwargs["matter_id"]))

    @extend_schema(
        summary="Record an asset", request=AssetRequestSerializer, responses={201: AssetSerializer, **ERRORS}
    )
    def post(self, request, matter_id: int):
        data = validated(AssetRequestSerializer, request.data)
        matter = access_matter(request.user, matter_id)
        data["owner_id"] = data.pop("owner") or matter.debt.debtor_id
        asset = asset_record(user=request.user, matter_id=matter_id, **data)
        return Response(AssetSerializer(asset).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(
        summary="List a matter's enforcement actions",
        responses={200: EnforcementActionSerializer(many=True), 404: ERRORS[404]},
    )
)
class MatterEnforcementActionsView(EnforcementApiView, generics.ListAPIView):
    """A matter's enforcement actions (freezes, seizures, 终本, 失信 ...), latest first; record one with POST.

    A freeze or seizure answers with `expires_on` (the court's date when given, else
    computed from the kind) and `renewal_due_on`; other kinds with null for both. The
    asset is an existing one (`asset_id`) or recorded with the action (`asset`).
    """

    serializer_class = EnforcementActionSerializer
    pagination_class = MatterPagination

    def get_queryset(self):
        return _actions_of(access_matter(self.request.user, self.kwargs["matter_id"]))

    @extend_schema(
        summary="Record an enforcement action",
        request=EnforcementActionRequestSerializer,
        responses={201: EnforcementActionSerializer, **ERRORS},
    )
    def post(self, request, matter_id: int):
        data = validated(EnforcementActionRequestSerializer, request.data)
        new_asset = data.pop("asset")
        if new_asset is not None:
            new_asset = dict(new_asset)
            new_asset["owner_id"] = new_asset.pop("owner")
        action = enforcement_action_record(user=request.user, matter_id=matter_id, new_asset=new_asset, **data)
        action = _actions_of(action.matter).get(pk=action.pk)
        return Response(EnforcementActionSerializer(action).data, status=status.HTTP_201_CREATED)


class EnforcementActionRenewView(EnforcementApiView):
    """Renew a freeze or seizure: a new action linked to the old one, which becomes `renewed`.

    Only the latest action of a chain, still in force, can be renewed; any other answers 409.
    """

    @extend_schema(
        summary="Renew a freeze or seizure",
        request=RenewalRequestSerializer,
        responses={201: EnforcementActionSerializer, **ERRORS, **CONFLICT},
    )
    def post(self, request, action_id: int):
        data = validated(RenewalRequestSerializer, request.data)
        renewal = enforcement_action_renew(user=request.user, action_id=action_id, **data)
        renewal = _actions_of(renewal.matter).get(pk=renewal.pk)
        return Response(EnforcementActionSerializer(renewal).data, status=status.HTTP_201_CREATED)
