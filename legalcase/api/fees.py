"""The outside-firm fees API: fee arrangements per assignment, the fee earned, invoices and their payment."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from legalcase.access import LAWYER, access_child, access_matter
from legalcase.api.matters import (
    ERRORS,
    ApiView,
    DetailSerializer,
    FirmSerializer,
    InputChoiceField,
    MatterRefSerializer,
    MoneyField,
    validated,
)
from legalcase.models import MONEY, RATE, Assignment, FeeInvoice, Stage
from legalcase.money import FEN
from legalcase.pagination import MatterPagination
from legalcase.services.fees import (
    NUMBER_MAX,
    AssignmentFees,
    InvoiceConflict,
    assignments_fees,
    awaiting_first,
    fee_arrangement_set,
    invoice_decide,
    invoice_pay,
    invoice_submit,
    visible_invoices,
)

CONFLICT = OpenApiResponse(DetailSerializer, description="The invoice is not in a status that allows this.")


# Representations ----------------------------------------------------------------------


class ArrangementSerializer(serializers.Serializer):
    fixed_fee = MoneyField()
    stage_fees = serializers.DictField(
        child=MoneyField(), help_text="Stage → fee earned once the matter is in that stage during the assignment."
    )
    contingency_rate = serializers.DecimalField(
        **RATE, read_only=True, help_text="A fraction of the net recoveries received during the assignment."
    )
    cap = MoneyField(allow_null=True)
    note = serializers.CharField()
    updated_at = serializers.DateTimeField()


class BreakdownSerializer(serializers.Serializer):
    fixed = MoneyField()
    staged = serializers.DictField(child=MoneyField(), help_text="The stage fees earned, by stage.")
    staged_total = MoneyField()
    recovered = MoneyField(help_text="Net recoveries received during the assignment (reversals deducted).")
    contingency = MoneyField(help_text="Rate × net recoveries, rounded half-up to the fen.")
    uncapped = MoneyField()
    cap = MoneyField(allow_null=True)
    total = MoneyField(help_text="What the arrangement has earned, after the cap.")


class PaymentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    amount = MoneyField()
    paid_on = serializers.DateField()
    reference = serializers.CharField()
    created_at = serializers.DateTimeField()


class InvoiceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    matter = MatterRefSerializer(source="assignment.matter")
    assignment = serializers.IntegerField(source="assignment_id")
    firm = FirmSerializer()
    number = serializers.CharField()
    amount = MoneyField()
    issued_on = serializers.DateField()
    description = serializers.CharField()
    status = serializers.CharField(help_text="One of: " + ", ".join(FeeInvoice.Status.values) + ".")
    submitted_by = serializers.CharField(source="submitted_by.username", default=None)
    submitted_at = serializers.DateTimeField()
    decided_by = serializers.CharField(source="decided_by.username", default=None)
    decided_at = serializers.DateTimeField(allow_null=True)
    rejection_reason = serializers.CharField()
    paid_amount = MoneyField()
    unpaid = serializers.SerializerMethodField()
    payments = PaymentSerializer(many=True)

    def get_unpaid(self, invoice: FeeInvoice) -> str:
        if invoice.status == FeeInvoice.Status.REJECTED:
            return "0.00"
        return f"{invoice.amount - invoice.paid_amount:.2f}"


class AssignmentFeesSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="assignment.pk")
    firm = FirmSerializer(source="assignment.firm")
    started_at = serializers.DateTimeField(source="assignment.started_at")
    ended_at = serializers.DateTimeField(source="assignment.ended_at", allow_null=True)
    current = serializers.BooleanField(source="assignment.is_current")
    arrangement = ArrangementSerializer(allow_null=True)
    stages_reached = serializers.SerializerMethodField()
    breakdown = BreakdownSerializer()
    earned = MoneyField()
    invoiced = MoneyField(help_text="Invoices not rejected.")
    approved = MoneyField(help_text="Invoices approved (paid ones included).")
    paid = MoneyField()
    owed = MoneyField(help_text="Earned less paid.")
    invoiceable = MoneyField(help_text="Earned less invoiced (not rejected), not below zero.")
    invoices = InvoiceSerializer(many=True)

    def get_stages_reached(self, fees: AssignmentFees) -> list[str]:
        return [stage for stage in Stage.values if stage in fees.stages_reached]


class MatterFeesSerializer(serializers.Serializer):
    matter = MatterRefSerializer()
    assignments = AssignmentFeesSerializer(many=True)


class PaymentAnswerSerializer(PaymentSerializer):
    invoice = InvoiceSerializer()


# Requests -----------------------------------------------------------------------------


class ArrangementRequestSerializer(serializers.Serializer):
    fixed_fee = serializers.DecimalField(**MONEY, min_value=Decimal("0"), required=False, default=Decimal("0.00"))
    stage_fees = serializers.DictField(
        child=serializers.DecimalField(**MONEY, min_value=Decimal("0")), required=False, default=dict
    )
    contingency_rate = serializers.DecimalField(
        **RATE, min_value=Decimal("0"), max_value=Decimal("1"), required=False, default=Decimal("0")
    )
    cap = serializers.DecimalField(**MONEY, min_value=FEN, required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class InvoiceRequestSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=NUMBER_MAX)
    amount = serializers.DecimalField(**MONEY, min_value=FEN)
    issued_on = serializers.DateField()
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class DecisionRequestSerializer(serializers.Serializer):
    decision = InputChoiceField(choices=[("approve", "approve"), ("reject", "reject")])
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class PaymentRequestSerializer(serializers.Serializer):
    amount = serializers.DecimalField(**MONEY, min_value=FEN)
    paid_on = serializers.DateField()
    reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class InvoiceFilterSerializer(serializers.Serializer):
    def validate_status(self, value: str) -> str:
        if value and value not in FeeInvoice.Status.values:
            raise serializers.ValidationError(_("Not one of the allowed values."))
        return value

    # A plain string, not an enum: "status" names other choice sets in the schema already.
    status = serializers.CharField(
        required=False, allow_blank=True, help_text="One of: " + ", ".join(FeeInvoice.Status.values) + "."
    )
    firm = serializers.IntegerField(required=False, help_text="A law firm's id.")


# Views --------------------------------------------------------------------------------


def _fees_answer(assignment: Assignment) -> dict:
    fees = assignments_fees([assignment], today=timezone.localdate())[0]
    return AssignmentFeesSerializer(fees).data


def _conflict(exc: InvoiceConflict) -> Response:
    return Response({"detail": str(exc), "status": exc.status, "stage": exc.stage}, status=status.HTTP_409_CONFLICT)


class AssignmentFeeArrangementView(ApiView):
    """An assignment's fee arrangement with what it has earned; counsel set or replace it with PUT."""

    @extend_schema(summary="Get an assignment's fees", responses={200: AssignmentFeesSerializer, 404: ERRORS[404]})
    def get(self, request, assignment_id: int):
        return Response(_fees_answer(access_child(request.user, Assignment, assignment_id, action="view_fees")))

    @extend_schema(
        summary="Set an assignment's fee arrangement",
        request=ArrangementRequestSerializer,
        responses={200: AssignmentFeesSerializer, **ERRORS},
    )
    def put(self, request, assignment_id: int):
        access_child(request.user, Assignment, assignment_id, action="set_fees")
        data = validated(ArrangementRequestSerializer, request.data)
        arrangement = fee_arrangement_set(user=request.user, assignment_id=assignment_id, **data)
        return Response(_fees_answer(arrangement.assignment))


class MatterFeesView(ApiView):
    """Each assignment of the matter (a lawyer: their firm's) with its arrangement, fee earned and invoices."""

    @extend_schema(summary="Get a matter's outside-firm fees", responses={200: MatterFeesSerializer, 404: ERRORS[404]})
    def get(self, request, matter_id: int):
        matter = access_matter(request.user, matter_id, action="view_fees")
        assignments = matter.assignments.select_related("firm", "matter").order_by("-started_at", "-id")
        if request.user.role == LAWYER:
            assignments = assignments.filter(firm_id=request.user.firm_id)
        fees = assignments_fees(assignments, today=timezone.localdate())
        return Response(MatterFeesSerializer({"matter": matter, "assignments": fees}).data)


def _invoice_rows(invoices):
    return invoices.prefetch_related("payments")


@extend_schema_view(
    get=extend_schema(summary="List an assignment's invoices", responses={200: InvoiceSerializer(many=True), **ERRORS})
)
class AssignmentInvoicesView(ApiView, generics.ListAPIView):
    """The invoices of one assignment; the firm's lawyer submits one with POST, also after the assignment ended."""

    serializer_class = InvoiceSerializer
    pagination_class = MatterPagination

    def get_queryset(self):
        assignment = access_child(self.request.user, Assignment, self.kwargs["assignment_id"], action="view_fees")
        return _invoice_rows(visible_invoices(self.request.user).filter(assignment=assignment)).order_by(
            "issued_on", "id"
        )

    @extend_schema(
        summary="Submit an invoice", request=InvoiceRequestSerializer, responses={201: InvoiceSerializer, **ERRORS}
    )
    def post(self, request, assignment_id: int):
        access_child(request.user, Assignment, assignment_id, action="submit_invoices")
        data = validated(InvoiceRequestSerializer, request.data)
        invoice = invoice_submit(user=request.user, assignment_id=assignment_id, **data)
        invoice = _invoice_rows(visible_invoices(request.user)).get(pk=invoice.pk)
        return Response(InvoiceSerializer(invoice).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(
        summary="List invoices",
        parameters=[InvoiceFilterSerializer],
        responses={200: InvoiceSerializer(many=True), 400: ERRORS[400]},
    )
)
class InvoiceListView(ApiView, generics.ListAPIView):
    """Invoices you may see (a lawyer: their firm's), awaiting approval first, then approved, then the rest."""

    serializer_class = InvoiceSerializer
    pagination_class = MatterPagination

    def get_queryset(self):
        filters = validated(InvoiceFilterSerializer, self.request.query_params)
        invoices = visible_invoices(self.request.user)
        if filters.get("status"):
            invoices = invoices.filter(status=filters["status"])
        if filters.get("firm") is not None:
            invoices = invoices.filter(firm_id=filters["firm"])
        return awaiting_first(_invoice_rows(invoices))


class InvoiceDecisionView(ApiView):
    """Approve or reject a submitted invoice; a rejection needs a reason."""

    @extend_schema(
        summary="Decide an invoice",
        request=DecisionRequestSerializer,
        responses={200: InvoiceSerializer, **ERRORS, 409: CONFLICT},
    )
    def post(self, request, invoice_id: int):
        access_child(request.user, FeeInvoice, invoice_id, action="decide_invoices")  # 404, 403 before the body is read
        data = validated(DecisionRequestSerializer, request.data)
        try:
            invoice = invoice_decide(
                user=request.user, invoice_id=invoice_id, approve=data["decision"] == "approve", reason=data["reason"]
            )
        except InvoiceConflict as exc:
            return _conflict(exc)
        invoice = _invoice_rows(visible_invoices(request.user)).get(pk=invoice.pk)
        return Response(InvoiceSerializer(invoice).data)


class InvoicePaymentsView(ApiView):
    """Record a payment against an approved invoice; the invoice is paid when the payments reach its amount."""

    @extend_schema(
        summary="Pay an invoice",
        request=PaymentRequestSerializer,
        responses={201: PaymentAnswerSerializer, **ERRORS, 409: CONFLICT},
    )
    def post(self, request, invoice_id: int):
        access_child(request.user, FeeInvoice, invoice_id, action="pay_invoices")
        data = validated(PaymentRequestSerializer, request.data)
        try:
            payment = invoice_pay(user=request.user, invoice_id=invoice_id, **data)
        except InvoiceConflict as exc:
            return _conflict(exc)
        payment.invoice = _invoice_rows(visible_invoices(request.user)).get(pk=payment.invoice_id)
        return Response(PaymentAnswerSerializer(payment).data, status=status.HTTP_201_CREATED)
