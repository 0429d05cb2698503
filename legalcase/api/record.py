"""Correcting and completing the record (API.md, v1.1): debt terms, amounts, parties, guarantees,
the creditor, the assignment's lawyers and a firm's address.

Each view validates the shape (an unknown field is refused, naming it), the service in
``legalcase.services.record`` applies the rules, checks access and writes the event.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from legalcase.access import access_matter
from legalcase.api.matters import (
    ERRORS,
    ApiView,
    ConflictSerializer,
    CreditorDetailSerializer,
    FirmDetailSerializer,
    InputChoiceField,
    MaskedGuarantorSerializer,
    MaskedPartyDetailSerializer,
    MatterAssignmentView,
    MatterDetailSerializer,
    MoneyField,
    guarantors_of,
    validated,
)
from legalcase.escalation_input import EscalationAmountsSerializer, EscalationMoneyField, EscalationRatesSerializer
from legalcase.models import AmountStatement, Debt, Guarantee, Matter, Party, PartyPhone
from legalcase.pagination import MatterPagination
from legalcase.safetext import validate_name
from legalcase.services import (
    amounts_restate,
    assignment_lawyers_set,
    creditor_update,
    debt_terms_update,
    firm_update,
    guarantee_update,
    party_update,
)

CONFLICT = OpenApiResponse(ConflictSerializer, description="A conflict with another record or the matter's state.")


class StrictSerializer(serializers.Serializer):
    """A request body whose unknown fields answer 400, each named (API.md, "Conventions")."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [_("Not a field of this request.")] for name in unknown})
        return super().to_internal_value(data)


class StrictRatesSerializer(StrictSerializer, EscalationRatesSerializer):
    pass


class DebtTermsRequestSerializer(StrictSerializer):
    contract_number = serializers.CharField(required=False, allow_blank=True, max_length=60)
    contract_date = serializers.DateField(required=False, allow_null=True)
    loan_amount = EscalationMoneyField(required=False, allow_null=True, help_text="A card's credit limit.")
    disbursed_on = serializers.DateField(required=False, allow_null=True, help_text="A card's issue day.")
    term_ends_on = serializers.DateField(required=False, allow_null=True)
    repayment_method = InputChoiceField(choices=Debt.RepaymentMethod.choices, required=False, allow_blank=True)
    branch = serializers.CharField(required=False, allow_blank=True, max_length=200)
    rates = StrictRatesSerializer(required=False)


class AmountStatementRequestSerializer(StrictSerializer, EscalationAmountsSerializer):
    """The escalation's ``amounts`` with the repayments made (missing components are 0)."""


class AmountStatementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    as_of = serializers.DateField()
    principal = MoneyField()
    interest = MoneyField()
    penalty_interest = MoneyField()
    compound_interest = MoneyField()
    late_fees = MoneyField()
    fees = MoneyField()
    total = MoneyField(source="claim_total")
    repaid_principal = MoneyField()
    repaid_interest = MoneyField()
    interest_paid_to = serializers.DateField(allow_null=True)
    created_at = serializers.DateTimeField()
    created_by = serializers.CharField(source="created_by.username", allow_null=True, default=None)


class PhoneRequestSerializer(StrictSerializer):
    id = serializers.IntegerField(required=False, help_text="Keeps a stored number (answers give it masked).")
    number = serializers.CharField(required=False, max_length=30, help_text="A new number.")
    status = InputChoiceField(choices=PartyPhone.Status.choices, required=False, default=PartyPhone.Status.OK)


class PartyRequestSerializer(StrictSerializer):
    name = serializers.CharField(required=False, max_length=200, validators=[validate_name])
    id_number = serializers.CharField(required=False, max_length=18, help_text="Counsel and administrators only.")
    gender = InputChoiceField(choices=Party.Gender.choices, required=False, allow_blank=True)
    birth_date = serializers.DateField(required=False, allow_null=True)
    phones = PhoneRequestSerializer(many=True, required=False, help_text="Replaces the list, in order.")
    ethnicity = serializers.CharField(required=False, allow_blank=True, max_length=20)
    workplace = serializers.CharField(required=False, allow_blank=True, max_length=200)
    position = serializers.CharField(required=False, allow_blank=True, max_length=100)
    address = serializers.CharField(required=False, allow_blank=True, max_length=300, help_text="住所地.")
    habitual_residence = serializers.CharField(required=False, allow_blank=True, max_length=300)
    service_address = serializers.CharField(required=False, allow_blank=True, max_length=300)
    representative = serializers.CharField(required=False, allow_blank=True, max_length=100)
    representative_title = serializers.CharField(required=False, allow_blank=True, max_length=50)


class GuaranteeRequestSerializer(StrictSerializer):
    guarantee_signed_on = serializers.DateField(required=False, allow_null=True)
    guarantee_type = InputChoiceField(choices=Guarantee.Type.choices, required=False)
    guarantee_agreed_period = serializers.CharField(required=False, allow_blank=True, max_length=200)
    guarantee_period_ends_on = serializers.DateField(required=False, allow_null=True)


class CreditorRequestSerializer(StrictSerializer):
    address = serializers.CharField(required=False, allow_blank=True, max_length=300)
    representative = serializers.CharField(required=False, allow_blank=True, max_length=100)
    representative_title = serializers.CharField(required=False, allow_blank=True, max_length=50)
    service_phone = serializers.CharField(required=False, allow_blank=True, max_length=30)


class LawyerRequestSerializer(StrictSerializer):
    name = serializers.CharField(max_length=100, validators=[validate_name])
    licence_number = serializers.CharField(max_length=40, help_text="17 digits.")
    phone = serializers.CharField(required=False, allow_blank=True, max_length=30, default="")


class LawyersRequestSerializer(StrictSerializer):
    lawyers = LawyerRequestSerializer(many=True, max_length=2, help_text="At most two; replaces the list.")


class FirmRequestSerializer(StrictSerializer):
    address = serializers.CharField(required=False, allow_blank=True, max_length=300)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=30)


def _detail(matter_id: int) -> Response:
    return Response(MatterDetailSerializer(Matter.objects.for_list().get(pk=matter_id)).data)


class MatterDebtView(ApiView):
    """Correct or complete the debt's terms; for a card, `loan_amount` is the limit and `disbursed_on` the issue day."""

    @extend_schema(
        summary="Correct the debt's terms",
        request=DebtTermsRequestSerializer,
        responses={200: MatterDetailSerializer, **ERRORS},
    )
    def patch(self, request, matter_id: int):
        data = validated(DebtTermsRequestSerializer, request.data)
        matter = debt_terms_update(user=request.user, matter_id=matter_id, **data)
        return _detail(matter.pk)


class MatterAmountsView(ApiView):
    """The statements of amounts, newest first; a new one becomes the matter's `amounts` (older ones kept)."""

    @extend_schema(summary="List statements of amounts", responses={200: AmountStatementSerializer(many=True), **ERRORS})
    def get(self, request, matter_id: int):
        matter = access_matter(request.user, matter_id)
        statements = (
            AmountStatement.objects.filter(debt_id=matter.debt_id).select_related("created_by").order_by("-as_of", "-id")
        )
        paginator = MatterPagination()
        page = paginator.paginate_queryset(statements, request, view=self)
        return paginator.get_paginated_response(AmountStatementSerializer(page, many=True).data)

    @extend_schema(
        summary="Restate the amounts",
        request=AmountStatementRequestSerializer,
        responses={201: AmountStatementSerializer, **ERRORS},
    )
    def post(self, request, matter_id: int):
        data = validated(AmountStatementRequestSerializer, request.data)
        statement = amounts_restate(user=request.user, matter_id=matter_id, **data)
        return Response(AmountStatementSerializer(statement).data, status=status.HTTP_201_CREATED)


class MatterPartyView(ApiView):
    """Correct or complete the debtor or a guarantor (one person, every matter of theirs); answers it masked.

    Only counsel and administrators change `id_number`; one another party holds answers 409.
    """

    @extend_schema(
        summary="Correct a party",
        request=PartyRequestSerializer,
        responses={200: MaskedPartyDetailSerializer, **ERRORS, 409: CONFLICT},
    )
    def patch(self, request, matter_id: int, party_id: int):
        data = validated(PartyRequestSerializer, request.data)
        if "phones" in data:
            data["phones"] = [{key: value for key, value in entry.items()} for entry in data["phones"]]
        party = party_update(user=request.user, matter_id=matter_id, party_id=party_id, **data)
        return Response(MaskedPartyDetailSerializer(party).data)


class MatterGuaranteeView(ApiView):
    """Correct or complete a guarantee (signing date, type, agreed period, end); the deadlines recompute."""

    @extend_schema(
        summary="Correct a guarantee",
        request=GuaranteeRequestSerializer,
        responses={200: MaskedGuarantorSerializer, **ERRORS},
    )
    def patch(self, request, matter_id: int, party_id: int):
        data = validated(GuaranteeRequestSerializer, request.data)
        guarantee = guarantee_update(user=request.user, matter_id=matter_id, party_id=party_id, **data)
        guarantor = guarantors_of(guarantee.debt.matter).get(pk=guarantee.guarantor_id)
        return Response(MaskedGuarantorSerializer(guarantor).data)


class CreditorDetailView(ApiView):
    """Correct or complete the creditor's filing details; counsel and administrators; audited."""

    @extend_schema(
        summary="Correct a creditor",
        request=CreditorRequestSerializer,
        responses={200: CreditorDetailSerializer, **ERRORS},
    )
    def patch(self, request, creditor_id: int):
        data = validated(CreditorRequestSerializer, request.data)
        creditor = creditor_update(user=request.user, creditor_id=creditor_id, **data)
        return Response(CreditorDetailSerializer(creditor).data)


class MatterAssignmentLawyersView(MatterAssignmentView):
    """Instruct a law firm, end the assignment, or name its lawyers on the matter (PATCH).

    The firm that loses the matter loses access on its lawyers' very next request. PATCH
    names at most two lawyers (licence numbers of 17 digits); without an assignment, 409.
    """

    @extend_schema(
        summary="Set the assignment's lawyers",
        request=LawyersRequestSerializer,
        responses={200: MatterDetailSerializer, **ERRORS, 409: CONFLICT},
    )
    def patch(self, request, matter_id: int):
        lawyers = validated(LawyersRequestSerializer, request.data)["lawyers"]
        assignment_lawyers_set(user=request.user, matter_id=matter_id, lawyers=[dict(each) for each in lawyers])
        return _detail(matter_id)


class FirmDetailView(ApiView):
    """Correct or complete a law firm's address and phone; a lawyer, their own firm's; audited."""

    @extend_schema(summary="Correct a firm", request=FirmRequestSerializer, responses={200: FirmDetailSerializer, **ERRORS})
    def patch(self, request, firm_id: int):
        data = validated(FirmRequestSerializer, request.data)
        firm = firm_update(user=request.user, firm_id=firm_id, **data)
        return Response(FirmDetailSerializer(firm).data)
