"""The proceedings and rulings API (API.md, "Proceedings and rulings")."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from legalcase.access import access_matter

# Errors -------------------------------------------------------------------------------
from legalcase.api.matters import (
    ERRORS,
    ApiView,
    ForumRefSerializer,
    InputChoiceField,
    MoneyField,
    validated,
)
from legalcase.api.record import StrictSerializer
from legalcase.identity import mask_phone
from legalcase.models import (
    MONEY,
    Matter,
    Proceeding,
    Ruling,
    ServiceMethod,
    Stage,
)
from legalcase.pagination import MatterPagination
from legalcase.services.bound_parties import bound_parties_json
from legalcase.services import (
    hearing_add,
    hearing_move,
    proceeding_record,
    proceeding_update,
    ruling_confirm,
    service_record_add,
)
from legalcase.stages import stage_proposal


class OffsetDateTimeField(serializers.DateTimeField):
    """A date and time that carries its offset (API.md, "Conventions": datetimes need an offset)."""

    def to_internal_value(self, value):
        if isinstance(value, str) and (parsed := parse_datetime(value.strip())) is not None and parsed.tzinfo is None:
            raise serializers.ValidationError(_("Give the date and time with its time zone."))
        return super().to_internal_value(value)


class HearingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    place = serializers.CharField()
    note = serializers.CharField()
    summons_served_on = serializers.DateField(allow_null=True, help_text="The day the summons (开庭传票) reached us.")
    summons_late = serializers.BooleanField(
        help_text="The summons was served fewer than 3 clear days before the hearing (LEGAL_RULES Part 2 B.4)."
    )
    revision = serializers.IntegerField(help_text="How many times the hearing was moved or changed.")


class HearingAnswerSerializer(HearingSerializer):
    proceeding = serializers.IntegerField(source="proceeding_id")
    court = serializers.SerializerMethodField()

    def get_court(self, hearing) -> str | None:
        forum = hearing.proceeding.forum
        return forum.name if forum else None


class HearingMoveSerializer(StrictSerializer):
    """Every field optional: only those given change."""

    at = OffsetDateTimeField(required=False, help_text="With its time zone, e.g. 2026-05-12T09:30:00+08:00.")
    place = serializers.CharField(required=False, allow_blank=True, max_length=200)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    summons_served_on = serializers.DateField(required=False, allow_null=True)


class ProposedStageField(serializers.ChoiceField):
    """The stage move a proceeding proposes for its matter (``legalcase.stages.stage_proposal``)."""

    def get_attribute(self, instance: Proceeding) -> str | None:
        return stage_proposal(instance.matter, proceeding=instance)


class ProceedingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    # A plain string here: the request's enum documents the values, and a second
    # component with the same enum would need a settings override to be named.
    kind = serializers.CharField(help_text="One of the kinds a proceeding is recorded with.")
    forum = ForumRefSerializer(allow_null=True)
    case_number = serializers.CharField(
        help_text="The official form with full-width brackets, e.g. （2026）京0105民初1234号; empty before acceptance."
    )
    filed_on = serializers.DateField(allow_null=True)
    accepted_on = serializers.DateField(allow_null=True)
    served_on = serializers.DateField(
        allow_null=True, help_text="The last service on any party; a public notice counts 30 days after publication."
    )
    judge = serializers.CharField()
    clerk = serializers.CharField()
    contact_phone = serializers.SerializerMethodField(help_text="Masked, like every phone number in answers.")
    outcome = serializers.CharField()
    closed_on = serializers.DateField(allow_null=True)
    fee_notice_received_on = serializers.DateField(
        allow_null=True, help_text="The day the court's fee notice arrived; the fee is due 7 days later."
    )
    measures_taken_on = serializers.DateField(
        allow_null=True, help_text="Pre-suit preservation only: suit or arbitration must follow within 30 days."
    )
    hearings = HearingSerializer(many=True, source="hearings.all")
    proposed_stage = ProposedStageField(
        choices=Stage.choices,
        allow_null=True,
        help_text="The stage this proceeding leads to, when the matter may move there now; nothing moves by itself.",
    )


    def get_contact_phone(self, proceeding: Proceeding) -> str:
        return mask_phone(proceeding.contact_phone) if proceeding.contact_phone else ""


class ProceedingRequestSerializer(serializers.Serializer):
    kind = InputChoiceField(choices=Proceeding.Kind.choices)
    forum = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="An active forum's id from /api/v1/forums/."
    )
    case_number = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=60, help_text="Half-width brackets are accepted."
    )
    filed_on = serializers.DateField(required=False, allow_null=True, default=None)
    accepted_on = serializers.DateField(required=False, allow_null=True, default=None)
    judge = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    clerk = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    contact_phone = serializers.CharField(required=False, allow_blank=True, default="", max_length=30)
    fee_notice_received_on = serializers.DateField(required=False, allow_null=True, default=None)
    measures_taken_on = serializers.DateField(required=False, allow_null=True, default=None)


class ProceedingUpdateSerializer(serializers.Serializer):
    """Every field optional: only those given change."""

    case_number = serializers.CharField(required=False, allow_blank=True, max_length=60)
    filed_on = serializers.DateField(required=False, allow_null=True)
    accepted_on = serializers.DateField(required=False, allow_null=True)
    judge = serializers.CharField(required=False, allow_blank=True, max_length=100)
    clerk = serializers.CharField(required=False, allow_blank=True, max_length=100)
    contact_phone = serializers.CharField(required=False, allow_blank=True, max_length=30)
    outcome = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    closed_on = serializers.DateField(required=False, allow_null=True)
    fee_notice_received_on = serializers.DateField(required=False, allow_null=True)
    measures_taken_on = serializers.DateField(required=False, allow_null=True)


class HearingRequestSerializer(serializers.Serializer):
    at = OffsetDateTimeField(help_text="With its time zone, e.g. 2026-05-12T09:30:00+08:00.")
    place = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    summons_served_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="The day the summons (开庭传票) reached us."
    )


class ServiceRecordRequestSerializer(serializers.Serializer):
    method = InputChoiceField(choices=ServiceMethod.choices)
    served_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Required unless `method` is `public_notice`."
    )
    published_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Required for `public_notice` (or `published_dates`): the last posting or publication.",
    )
    published_dates = serializers.ListField(
        child=serializers.DateField(),
        required=False,
        default=list,
        max_length=20,
        help_text=(
            "`public_notice` posted or published in several places: every date; service is deemed "
            "30 days after the last (民诉法解释 Art. 138)."
        ),
    )
    party = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The debtor's or a guarantor's id; null for service on the creditor's side.",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


def _proceedings_of(matter: Matter) -> QuerySet[Proceeding]:
    return (
        matter.proceedings.select_related("forum", "matter")
        .prefetch_related("service_records", "hearings")
        .order_by("-created_at", "-id")
    )


def _proceeding_answer(proceeding: Proceeding, code: int = status.HTTP_200_OK) -> Response:
    """The proceeding as the list shows it (forum, service records and hearings loaded)."""
    proceeding = _proceedings_of(proceeding.matter).get(pk=proceeding.pk)
    return Response(ProceedingSerializer(proceeding).data, status=code)


@extend_schema_view(
    get=extend_schema(
        summary="List a matter's proceedings",
        responses={200: ProceedingSerializer(many=True), 404: ERRORS[404]},
    )
)
class MatterProceedingsView(ApiView, generics.ListAPIView):
    """A matter's proceedings, newest first; record one with POST.

    Recorded whatever the stage. Filing suit or arbitration closes the open limitation
    deadline (interrupted); `proposed_stage` names the move to make, which is not made.
    """

    serializer_class = ProceedingSerializer
    pagination_class = MatterPagination

    def get_queryset(self):
        return _proceedings_of(access_matter(self.request.user, self.kwargs["matter_id"]))

    @extend_schema(
        summary="Record a proceeding",
        request=ProceedingRequestSerializer,
        responses={201: ProceedingSerializer, **ERRORS},
    )
    def post(self, request, matter_id: int):
        data = validated(ProceedingRequestSerializer, request.data)
        data["forum_id"] = data.pop("forum")
        proceeding = proceeding_record(user=request.user, matter_id=matter_id, **data)
        return _proceeding_answer(proceeding, status.HTTP_201_CREATED)


class ProceedingServiceView(ApiView):
    """Record service of a proceeding's documents on the debtor, a guarantor or the creditor's side."""

    @extend_schema(
        summary="Record service",
        request=ServiceRecordRequestSerializer,
        responses={201: ProceedingSerializer, **ERRORS},
    )
    def post(self, request, proceeding_id: int):
        data = validated(ServiceRecordRequestSerializer, request.data)
        data["party_id"] = data.pop("party")
        proceeding = service_record_add(user=request.user, proceeding_id=proceeding_id, **data)
        return _proceeding_answer(proceeding, status.HTTP_201_CREATED)


class ProceedingDetailView(ApiView):
    """Change what is known of a proceeding: case number once accepted, judge, fee notice, outcome."""

    @extend_schema(
        summary="Update a proceeding",
        request=ProceedingUpdateSerializer,
        responses={200: ProceedingSerializer, **ERRORS},
    )
    def patch(self, request, proceeding_id: int):
        data = validated(ProceedingUpdateSerializer, request.data)
        proceeding = proceeding_update(user=request.user, proceeding_id=proceeding_id, **data)
        return _proceeding_answer(proceeding)


class ProceedingHearingsView(ApiView):
    """Schedule a hearing of a proceeding (开庭); it shows on the proceeding and the timeline."""

    @extend_schema(
        summary="Schedule a hearing",
        request=HearingRequestSerializer,
        responses={201: ProceedingSerializer, **ERRORS},
    )
    def post(self, request, proceeding_id: int):
        data = validated(HearingRequestSerializer, request.data)
        hearing = hearing_add(user=request.user, proceeding_id=proceeding_id, **data)
        return _proceeding_answer(hearing.proceeding, status.HTTP_201_CREATED)


class HearingDetailView(ApiView):
    """Move a hearing (time, place, note, summons date): its deadline and its calendar event (same UID) follow."""

    @extend_schema(
        summary="Move or change a hearing",
        request=HearingMoveSerializer,
        responses={200: HearingAnswerSerializer, **ERRORS},
    )
    def patch(self, request, hearing_id: int):
        data = validated(HearingMoveSerializer, request.data)
        hearing = hearing_move(user=request.user, hearing_id=hearing_id, **data)
        return Response(HearingAnswerSerializer(hearing).data)


# Rulings (API.md, "Proceedings and rulings") ------------------------------------------


class RulingProposedStageField(serializers.ChoiceField):
    """The stage move a confirmed ruling proposes for its matter (``legalcase.stages.stage_proposal``)."""

    def get_attribute(self, instance: Ruling) -> str | None:
        return stage_proposal(instance.matter, ruling=instance) if instance.confirmed else None


class RulingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    # A plain string, as for proceedings: the enum is documented once, on the confirmation.
    kind = serializers.CharField(
        allow_null=True, help_text="One of: " + ", ".join(Ruling.Kind.values) + "; null when not read."
    )
    case_number = serializers.CharField(
        allow_null=True, help_text="The official form with full-width brackets, e.g. （2025）沪0115民初48213号."
    )
    court = serializers.CharField(allow_null=True)
    decided_on = serializers.DateField(allow_null=True)
    served_on = serializers.DateField(allow_null=True, help_text="The last service on any party.")
    principal_awarded = MoneyField(allow_null=True)
    interest_awarded = MoneyField(allow_null=True)
    acceptance_fee = MoneyField(allow_null=True, help_text="The fee as assessed.")
    acceptance_fee_charged = MoneyField(allow_null=True, help_text="The fee charged, after 减半收取.")
    appealable = serializers.BooleanField(allow_null=True)
    performance_days = serializers.IntegerField(allow_null=True)
    confirmed = serializers.BooleanField(help_text="Only a confirmed ruling drives the matter's deadlines.")
    text_excerpt = serializers.CharField(allow_null=True)
    text_source = serializers.CharField(
        source="reading.text_source",
        allow_null=True,
        help_text=(
            "How the document's text was obtained: text (a DOCX or a PDF's text layer), ocr (a scan "
            "read by OCR; check the fields closely) or none (a scan not read, because OCR is not "
            "installed or has not finished: type the fields in at confirmation). Null for rulings "
            "recorded before this was kept."
        ),
    )
    bound_parties = serializers.SerializerMethodField(
        help_text=(
            "Who the instrument orders to pay (API.md v1.1): [{party, name, role (debtor/guarantor), liability "
            "(principal/joint/supplementary/several/limited), limit (an amount for limited, else null)}]; read "
            "from the text where it says it, replaced by the list given at confirmation."
        )
    )

    def get_bound_parties(self, ruling) -> list[dict]:
        return bound_parties_json(ruling)
    proposed_stage = RulingProposedStageField(
        choices=Stage.choices,
        allow_null=True,
        help_text=(
            "Confirmed only: `judgment` from litigation or arbitration; at judgment, `enforcement` once the "
            "time to perform has passed with money outstanding and no appeal pending; nothing moves by itself."
        ),
    )


class RulingConfirmSerializer(serializers.Serializer):
    """Corrections to the reading: any subset of the fields; none to accept the reading as it is."""

    kind = InputChoiceField(choices=Ruling.Kind.choices, required=False, allow_null=True)
    case_number = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=60)
    court = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=200)
    decided_on = serializers.DateField(required=False, allow_null=True)
    served_on = serializers.DateField(required=False, allow_null=True)
    principal_awarded = serializers.DecimalField(**MONEY, min_value=0, required=False, allow_null=True)
    interest_awarded = serializers.DecimalField(**MONEY, min_value=0, required=False, allow_null=True)
    acceptance_fee = serializers.DecimalField(**MONEY, min_value=0, required=False, allow_null=True)
    acceptance_fee_charged = serializers.DecimalField(**MONEY, min_value=0, required=False, allow_null=True)
    appealable = serializers.BooleanField(required=False, allow_null=True)
    performance_days = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=3650)
    text_excerpt = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=2000)
    bound_parties = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        max_length=50,
        help_text=(
            'The parties the instrument binds, replacing what was read: [{"party": id of the matter\'s debtor or a '
            'guarantor, "liability": principal/joint/supplementary/several/limited, "limit": amount, for limited only}].'
        ),
    )

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            unknown = sorted(set(data.keys()) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [_("Not a field of a ruling.")] for name in unknown})
        return super().to_internal_value(data)


class RulingConfirmView(ApiView):
    """Confirm what was read from a ruling, with any corrections; from then on it drives the deadlines."""

    @extend_schema(
        summary="Confirm a ruling",
        request=RulingConfirmSerializer,
        responses={200: RulingSerializer, **ERRORS},
    )
    def post(self, request, ruling_id: int):
        corrections = validated(RulingConfirmSerializer, request.data)
        ruling = ruling_confirm(user=request.user, ruling_id=ruling_id, corrections=corrections)
        return Response(RulingSerializer(ruling).data)
