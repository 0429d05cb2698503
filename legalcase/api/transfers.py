"""The portfolios and transfers API: 资产包, the sale of their claims, each debt's chain of creditors.

Portfolios are the creditor's business: counsel, asset managers and administrators
(``transfer_claims``); an outside lawyer gets 403, but may read the chain of a matter
assigned to their firm.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, generics, serializers, status
from rest_framework.response import Response

from legalcase.access import access_matter, require
from legalcase.api.matters import ERRORS, ApiView, MoneyField, validated
from legalcase.identity import IdentityError, validate_uscc
from legalcase.models import Portfolio
from legalcase.pagination import MatterPagination
from legalcase.safetext import validate_name
from legalcase.services.transfers import (
    claim_chain,
    portfolio_add_matters,
    portfolio_create,
    portfolio_get,
    portfolio_transfer,
    portfolios_with_totals,
    recovery_rate,
)

# Representations ----------------------------------------------------------------------


class CreditorBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    uscc = serializers.CharField()


class PortfolioTransferSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    portfolio = serializers.IntegerField(source="portfolio_id")
    from_creditor = CreditorBriefSerializer(help_text="The assignor.")
    to_creditor = CreditorBriefSerializer(help_text="The assignee, the creditor from effective_on.")
    effective_on = serializers.DateField()
    agreement = serializers.CharField()
    newspaper = serializers.CharField(help_text="Where the announcement was published; empty when none.")
    announced_on = serializers.DateField(allow_null=True)
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


class PortfolioSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    holder = CreditorBriefSerializer(allow_null=True, help_text="The creditor holding the portfolio now.")
    matter_count = serializers.IntegerField()
    claim_total = MoneyField(help_text="The debts' claims as of their amounts dates.")
    recovered_total = MoneyField()
    recovery_rate = serializers.SerializerMethodField(
        help_text="recovered_total / claim_total, 4 places; null if empty."
    )

    def get_recovery_rate(self, portfolio) -> str | None:
        rate = recovery_rate(portfolio)
        return None if rate is None else str(rate)


class PortfolioDetailSerializer(PortfolioSerializer):
    transfers = PortfolioTransferSerializer(many=True, source="transfer_rows")


class ClaimStepSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    from_creditor = CreditorBriefSerializer()
    to_creditor = CreditorBriefSerializer()
    effective_on = serializers.DateField()
    agreement = serializers.CharField()
    notified_on = serializers.DateField(allow_null=True, help_text="When the debtor was notified (the announcement).")
    notice = serializers.CharField(help_text="How the debtor was notified.")
    portfolio_transfer = serializers.IntegerField(source="transfer_id", allow_null=True)


class ChainSerializer(serializers.Serializer):
    portfolio = serializers.CharField(allow_null=True)
    original_creditor = CreditorBriefSerializer(allow_null=True, help_text="The first lender; null if never assigned.")
    creditor = CreditorBriefSerializer(help_text="The current creditor.")
    steps = ClaimStepSerializer(many=True, help_text="Oldest first.")


class TransferAnswerSerializer(serializers.Serializer):
    transfer = PortfolioTransferSerializer()
    matter_count = serializers.IntegerField()
    matter_ids = serializers.ListField(child=serializers.IntegerField())
    change_of_applicant_matter_ids = serializers.ListField(
        child=serializers.IntegerField(),
        source="change_of_applicant_ids",
        help_text="Matters in enforcement: a change-of-applicant application (变更申请执行人) is offered for them.",
    )


# Requests -----------------------------------------------------------------------------


class PortfolioRequestSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, validators=[validate_name])
    holder_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class MatterIdsRequestSerializer(serializers.Serializer):
    matter_ids = serializers.ListField(child=serializers.IntegerField(), allow_empty=False, max_length=50000)


class CreditorRequestSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, validators=[validate_name])
    uscc = serializers.CharField(max_length=18)
    address = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    representative = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)

    def validate_uscc(self, value: str) -> str:
        try:
            return validate_uscc(value)
        except IdentityError as exc:
            raise serializers.ValidationError(str(exc)) from None


class TransferRequestSerializer(serializers.Serializer):
    to_creditor = CreditorRequestSerializer(help_text="The assignee; found by its credit code, else created.")
    effective_on = serializers.DateField(help_text="The assignee is the creditor from this day; not in the future.")
    agreement = serializers.CharField(max_length=200, help_text="The assignment agreement's name and number.")
    newspaper = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    announced_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="The announcement's date; requires newspaper."
    )
    matter_ids = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        allow_empty=False,
        default=None,
        help_text="Default: every matter of the portfolio.",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


# Views --------------------------------------------------------------------------------


def _nested(exc: DjangoValidationError) -> exceptions.ValidationError:
    """The service's ``to_creditor_<field>`` keys, nested like the request (API.md, "Errors")."""
    detail: dict = {}
    for key, messages in exc.message_dict.items():
        if key.startswith("to_creditor_"):
            detail.setdefault("to_creditor", {})[key.removeprefix("to_creditor_")] = messages
        else:
            detail[key] = messages
    return exceptions.ValidationError(detail)


def _detail(portfolio_id) -> Portfolio:
    portfolio = portfolio_get(portfolio_id)
    portfolio = portfolios_with_totals().get(pk=portfolio.pk)
    portfolio.transfer_rows = list(
        portfolio.transfers.select_related("from_creditor", "to_creditor").order_by("-effective_on", "-id")
    )
    return portfolio


@extend_schema_view(
    get=extend_schema(summary="List portfolios", responses={200: PortfolioSerializer(many=True), 403: ERRORS[403]})
)
class PortfolioListView(ApiView, generics.ListAPIView):
    """Portfolios (资产包) with their holder, matter count, claim and recovered totals; create one with POST."""

    serializer_class = PortfolioSerializer
    pagination_class = MatterPagination

    def get_queryset(self):
        require(self.request.user, "transfer_claims")
        return portfolios_with_totals().order_by("name")

    @extend_schema(
        summary="Create a portfolio",
        request=PortfolioRequestSerializer,
        responses={201: PortfolioDetailSerializer, **ERRORS},
    )
    def post(self, request):
        data = validated(PortfolioRequestSerializer, request.data)
        portfolio = portfolio_create(user=request.user, **data)
        return Response(PortfolioDetailSerializer(_detail(portfolio.pk)).data, status=status.HTTP_201_CREATED)


class PortfolioDetailView(ApiView):
    """A portfolio with its totals and its transfers, newest first."""

    @extend_schema(summary="Read a portfolio", responses={200: PortfolioDetailSerializer, **ERRORS})
    def get(self, request, portfolio_id: int):
        require(request.user, "transfer_claims")
        return Response(PortfolioDetailSerializer(_detail(portfolio_id)).data)


class PortfolioMattersView(ApiView):
    """Put matters into the portfolio; a matter the caller cannot see refuses the request, naming it."""

    @extend_schema(
        summary="Add matters to a portfolio",
        request=MatterIdsRequestSerializer,
        responses={200: PortfolioDetailSerializer, **ERRORS},
    )
    def post(self, request, portfolio_id: int):
        data = validated(MatterIdsRequestSerializer, request.data)
        portfolio_add_matters(user=request.user, portfolio_id=portfolio_id, matter_ids=data["matter_ids"])
        return Response(PortfolioDetailSerializer(_detail(portfolio_id)).data)


class PortfolioTransfersView(ApiView):
    """Transfer the portfolio's claims (all, or the matters named) to a new creditor."""

    @extend_schema(
        summary="Transfer a portfolio's claims",
        request=TransferRequestSerializer,
        responses={201: TransferAnswerSerializer, **ERRORS},
    )
    def post(self, request, portfolio_id: int):
        data = validated(TransferRequestSerializer, request.data)
        try:
            result = portfolio_transfer(user=request.user, portfolio_id=portfolio_id, **data)
        except DjangoValidationError as exc:
            if hasattr(exc, "error_dict"):
                raise _nested(exc) from None
            raise
        result.matter_count = len(result.matter_ids)
        return Response(TransferAnswerSerializer(result).data, status=status.HTTP_201_CREATED)


class MatterTransfersView(ApiView):
    """A matter's chain of creditors: the first lender, each transfer, the creditor now."""

    @extend_schema(summary="Read a matter's chain of creditors", responses={200: ChainSerializer, 404: ERRORS[404]})
    def get(self, request, matter_id: int):
        matter = access_matter(request.user, matter_id)
        debt = matter.debt
        chain = {
            "portfolio": debt.portfolio.name if debt.portfolio_id else None,
            "original_creditor": debt.original_creditor,
            "creditor": debt.creditor,
            "steps": claim_chain(debt),
        }
        return Response(ChainSerializer(chain).data)
