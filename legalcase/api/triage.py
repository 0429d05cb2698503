"""The debtor review (API.md, "Triage, plans and tasks"): ``GET``, ``PATCH /api/v1/matters/{id}/review/``.

Every matter has a review to read: one never written answers its blank state with the
screening computed from the record (``reviewed_at`` null). ``PATCH`` changes the fields
given; ``legalcase.services.triage.review_update`` checks them all and stores nothing on
any error (400, keyed like the request, in Chinese).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from legalcase.access import access_matter
from legalcase.api.matters import ERRORS, ApiView, MoneyField
from legalcase.models import AbilityToPay, Recommendation, Willingness
from legalcase.services import REVIEW_FIELDS, review_answer, review_update

# Representations ----------------------------------------------------------------------


class ScreeningItemSerializer(serializers.Serializer):
    computed = serializers.BooleanField(allow_null=True, help_text="From the record; null where it cannot tell.")
    result = serializers.BooleanField(allow_null=True, help_text="The confirmed value if confirmed, else computed.")
    confirmed = serializers.BooleanField()
    detail = serializers.CharField(help_text="What the record shows, in a sentence.")
    reason = serializers.CharField(help_text="The reason given with a confirmation (required for an override).")
    confirmed_by = serializers.CharField(allow_null=True)
    confirmed_at = serializers.DateTimeField(allow_null=True)


class ScreeningSerializer(serializers.Serializer):
    identity_known = ScreeningItemSerializer()
    service_address_known = ScreeningItemSerializer()
    limitation_alive = ScreeningItemSerializer()
    amount_above_threshold = ScreeningItemSerializer(help_text="Outstanding total at least SCREENING_MIN_AMOUNT.")
    assets_found = ScreeningItemSerializer()
    evidence_complete = ScreeningItemSerializer()


class WillingnessComputedSerializer(serializers.Serializer):
    promises_broken = serializers.IntegerField()
    promises_kept = serializers.IntegerField()
    disputes_open = serializers.IntegerField()
    complaints_open = serializers.IntegerField()
    contacts_refused = serializers.IntegerField()
    contacts_hardship = serializers.IntegerField()
    facts = serializers.ListField(child=serializers.CharField(), help_text="The same, as sentences.")


class ReviewSerializer(serializers.Serializer):
    matter = serializers.IntegerField()
    ability_to_pay = serializers.ChoiceField(choices=AbilityToPay.choices)
    willingness = serializers.ChoiceField(choices=Willingness.choices)
    monthly_income = MoneyField(allow_null=True)
    employment = serializers.CharField()
    assets_known = serializers.CharField()
    willingness_facts = serializers.CharField()
    willingness_computed = WillingnessComputedSerializer(help_text="From the collection desk.")
    recommendation = serializers.ChoiceField(choices=[("", ""), *Recommendation.choices], allow_blank=True)
    recommendation_reason = serializers.CharField()
    screening = ScreeningSerializer()
    reviewed_by = serializers.CharField(allow_null=True)
    reviewed_at = serializers.DateTimeField(allow_null=True)


# Requests -----------------------------------------------------------------------------


class ScreeningChangeSerializer(serializers.Serializer):
    confirmed = serializers.BooleanField(help_text="true: confirm; false: leave the item to the record again.")
    result = serializers.BooleanField(
        required=False, allow_null=True, help_text="Omitted: the computed value. Another value needs a reason."
    )
    reason = serializers.CharField(required=False, allow_blank=True)


class ReviewPatchSerializer(serializers.Serializer):
    # Documents the body; the service checks every field (nothing stored on any error).
    ability_to_pay = serializers.ChoiceField(choices=AbilityToPay.choices, required=False)
    willingness = serializers.ChoiceField(choices=Willingness.choices, required=False)
    monthly_income = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, allow_null=True)
    employment = serializers.CharField(required=False, allow_blank=True)
    assets_known = serializers.CharField(required=False, allow_blank=True)
    willingness_facts = serializers.CharField(required=False, allow_blank=True)
    recommendation = serializers.ChoiceField(
        choices=Recommendation.choices, required=False, allow_blank=True, help_text="Needs recommendation_reason."
    )
    recommendation_reason = serializers.CharField(required=False, allow_blank=True)
    screening = serializers.DictField(
        child=ScreeningChangeSerializer(), required=False, help_text="Keyed by item: the items to confirm or release."
    )


# Views --------------------------------------------------------------------------------


class MatterReviewView(ApiView):
    """The matter's debtor review: ability and willingness to pay, the pre-suit screening, the recommendation."""

    @extend_schema(summary="Get a matter's debtor review", responses={200: ReviewSerializer, 404: ERRORS[404]})
    def get(self, request, matter_id: int):
        return Response(review_answer(access_matter(request.user, matter_id)))

    @extend_schema(
        summary="Change a matter's debtor review", request=ReviewPatchSerializer, responses={200: ReviewSerializer, **ERRORS}
    )
    def patch(self, request, matter_id: int):
        data = request.data
        if not hasattr(data, "items"):
            raise exceptions.ValidationError({"non_field_errors": [_("Give the changes as an object.")]})
        # Fields of the answer that are not the client's to write (a GET answer sent back) are ignored.
        changes = {key: value for key, value in data.items() if key in REVIEW_FIELDS}
        review = review_update(user=request.user, matter_id=matter_id, changes=changes)
        return Response(review_answer(review.matter, review))
