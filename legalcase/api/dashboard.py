"""The dashboard API: the asset managers' figures as JSON (``GET /api/v1/dashboard/``).

The same figures as the page (``services.dashboard``; definitions in its docstring):
money as strings with two places, rates as strings with four (``"0.1234"`` = 12.34%),
days with one. Counsel, managers and admins get every table, with the flow tables over
``?from=&to=`` (default: this month; a bad date or an end before the start: 400) and
``staff`` per in-house user; an outside lawyer gets only their own firm's scorecard, and
no key of any other table.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from django.utils import timezone

from legalcase.api.matters import ERRORS, ApiView, MoneyField
from legalcase.services.dashboard import (
    dashboard_figures,
    dashboard_tables,
    filters_parse,
)
from legalcase.services.kpi import period_parse


class RateField(serializers.DecimalField):
    def __init__(self, **kwargs):
        super().__init__(max_digits=12, decimal_places=4, read_only=True, allow_null=True, **kwargs)


class DaysField(serializers.DecimalField):
    def __init__(self, **kwargs):
        super().__init__(max_digits=12, decimal_places=1, read_only=True, allow_null=True, **kwargs)


class MonthSerializer(serializers.Serializer):
    month = serializers.DateField(format="%Y-%m", help_text="YYYY-MM.")
    amount = MoneyField(help_text="Net of reversals; may be negative.")


class RateRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="Null for the bucket without a portfolio or firm.")
    name = serializers.CharField()
    matters = serializers.IntegerField()
    claim_total = MoneyField()
    recovered = MoneyField()
    rate = RateField(help_text="recovered / claim_total; null without a claim.")


class StageRowSerializer(serializers.Serializer):
    stage = serializers.CharField()
    matters = serializers.IntegerField()
    claim_total = MoneyField()
    recovered = MoneyField()


class LapsingRowSerializer(serializers.Serializer):
    matter = serializers.IntegerField(source="matter_id")
    number = serializers.CharField(source="matter_number")
    debtor_name = serializers.CharField()
    kind = serializers.CharField()
    asset = serializers.CharField()
    expires_on = serializers.DateField()
    days_left = serializers.IntegerField()


class LapsingBandSerializer(serializers.Serializer):
    days = serializers.IntegerField(help_text="30, 60 or 90: expires_on in (today + days - 30, today + days].")
    count = serializers.IntegerField()
    rows = LapsingRowSerializer(many=True, help_text="The first 20, soonest first; the export has them all.")


class DaysSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    median = DaysField()
    mean = DaysField()


class FirmRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="firm_id")
    name = serializers.CharField(source="firm_name")


class ScorecardSerializer(serializers.Serializer):
    firm = FirmRefSerializer(source="*")
    matters_ever = serializers.IntegerField()
    matters_current = serializers.IntegerField()
    filing_days = serializers.SerializerMethodField()
    judgment_days = serializers.SerializerMethodField()
    claim_total = MoneyField()
    recovered = MoneyField(help_text="Received during the firm's assignments, net of reversals.")
    rate = RateField()
    asset_investigations = serializers.IntegerField()
    preservation_actions = serializers.IntegerField()
    enforcement_actions = serializers.IntegerField()
    dishonest_listings = serializers.IntegerField()
    consumption_restrictions = serializers.IntegerField()
    auctions = serializers.IntegerField()
    contacts = serializers.IntegerField(help_text="Collection contacts recorded by the firm's lawyers.")
    promises_kept = serializers.IntegerField()
    promises_broken = serializers.IntegerField()
    recovered_after_contact = MoneyField(help_text="Recovered on or after the firm's first contact on each matter.")

    @extend_schema_field(DaysSerializer)
    def get_filing_days(self, card) -> dict:
        return DaysSerializer(
            {"count": card.filings, "median": card.filing_days_median, "mean": card.filing_days_mean}
        ).data

    @extend_schema_field(DaysSerializer)
    def get_judgment_days(self, card) -> dict:
        return DaysSerializer(
            {"count": card.judgments, "median": card.judgment_days_median, "mean": card.judgment_days_mean}
        ).data


class FiltersSerializer(serializers.Serializer):
    portfolio = serializers.JSONField(help_text='A portfolio id, "none" or null.')
    creditor = serializers.IntegerField(allow_null=True)


class LapsingSerializer(serializers.Serializer):
    counts = serializers.DictField(child=serializers.IntegerField(), help_text='{"30": n, "60": n, "90": n}')
    bands = LapsingBandSerializer(many=True)


class BrokenPromiseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    matter = serializers.IntegerField(source="matter_id")
    contact = serializers.IntegerField(source="contact_id")
    amount = MoneyField()
    due_on = serializers.DateField()
    paid_amount = MoneyField()


class BrokenPromisesSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    rows = BrokenPromiseSerializer(many=True)


class StaffUserSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="user_id")
    username = serializers.CharField()
    name = serializers.CharField()
    role = serializers.CharField()


class StaffSerializer(serializers.Serializer):
    user = StaffUserSerializer(source="*")
    matters_owned = serializers.IntegerField(help_text="Matters they own today (a stock, not in the range).")
    tasks_done = serializers.IntegerField(help_text="Tasks assigned to them done in the range.")
    tasks_done_on_time = serializers.IntegerField(source="tasks_on_time", help_text="Of those, done by the due day.")
    tasks_done_late = serializers.IntegerField(source="tasks_late")
    tasks_overdue = serializers.IntegerField(help_text="Open tasks assigned to them, past due today.")
    contacts = serializers.IntegerField(help_text="Collection contacts they recorded in the range.")
    promises_kept = serializers.IntegerField(help_text="Promises on their contacts, due in the range, kept.")
    promises_broken = serializers.IntegerField(help_text="Promises on their contacts, due in the range, broken.")
    recovered = MoneyField(help_text="Received in the range on the matters they own, net of reversals.")
    complaints = serializers.IntegerField(help_text="Complaints received in the range on the matters they own.")
    disputes = serializers.IntegerField(help_text="Disputes received in the range on the matters they own.")
    conduct_overrides = serializers.IntegerField(
        source="overrides", help_text="Their contacts in the range stored over a binding conduct rule (override)."
    )
    conduct_warnings = serializers.IntegerField(
        source="warnings", help_text="Their contacts in the range stored with a guidance rule's warning."
    )


class ShareRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text='A channel, "enforcement" or "none"; a playbook id or "none".')
    label = serializers.CharField(help_text="The channel's or playbook's name.")
    recoveries = serializers.IntegerField()
    recovered = MoneyField(help_text="Received in the range, net of reversals.")
    share = RateField(help_text="Of everything received in the range.")


class CostRowSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text='"all", "firm" or "in_house".')
    firm = serializers.IntegerField(source="firm_id", allow_null=True)
    name = serializers.CharField()
    recovered = MoneyField()
    costs = MoneyField()
    fees = MoneyField()
    net = MoneyField(help_text="recovered - costs - fees.")
    ratio = RateField(help_text="(costs + fees) / recovered; null when nothing was recovered.")


class DashboardSerializer(serializers.Serializer):
    as_of = serializers.DateField(source="today")
    filters = FiltersSerializer(source="filters.as_dict")
    recoveries_by_month = MonthSerializer(many=True, required=False)
    rates_by_portfolio = RateRowSerializer(many=True, required=False)
    rates_by_creditor = RateRowSerializer(many=True, required=False)
    rates_by_firm = RateRowSerializer(many=True, required=False)
    matters_by_stage = StageRowSerializer(many=True, required=False)
    lapsing = LapsingSerializer(required=False)
    scorecards = ScorecardSerializer(many=True)
    broken_promises = BrokenPromisesSerializer(required=False)
    period = serializers.DictField(
        child=serializers.DateField(), required=False, help_text='The range: {"from": "YYYY-MM-DD", "to": "YYYY-MM-DD"}.'
    )
    staff = StaffSerializer(many=True, required=False)
    recovery_by_channel = ShareRowSerializer(many=True, required=False)
    recovery_by_strategy = ShareRowSerializer(many=True, required=False)
    cost_to_collect = CostRowSerializer(many=True, required=False)


FILTERS = [
    OpenApiParameter("portfolio", OpenApiTypes.STR, description="A portfolio id, or `none` for debts in none."),
    OpenApiParameter("creditor", OpenApiTypes.INT, description="A creditor id (the debt's current creditor)."),
    OpenApiParameter(
        "from", OpenApiTypes.DATE, description="The range's first day (default: the 1st of this month)."
    ),
    OpenApiParameter("to", OpenApiTypes.DATE, description="The range's last day, counted (default: today)."),
]


class DashboardView(ApiView):
    """The dashboard's figures for the caller's scope: every table for counsel, managers and admins,
    only their own firm's scorecard for an outside lawyer (other roles: 403)."""

    @extend_schema(
        summary="The asset managers' dashboard",
        parameters=FILTERS,
        responses={200: DashboardSerializer, 400: ERRORS[400], 403: ERRORS[403]},
    )
    def get(self, request):
        tables = dashboard_tables(request.user)
        today = timezone.localdate()
        errors = {}
        try:
            filters = filters_parse(
                portfolio=request.query_params.get("portfolio"), creditor=request.query_params.get("creditor")
            )
        except DjangoValidationError as exc:
            errors.update(exc.message_dict)
        try:
            period = period_parse(
                start=request.query_params.get("from"), end=request.query_params.get("to"), today=today
            )
        except DjangoValidationError as exc:
            errors.update(exc.message_dict)
        if errors:
            raise exceptions.ValidationError(errors)
        board = dashboard_figures(user=request.user, filters=filters, today=today, period=period)
        data = {
            "as_of": board.today.isoformat(),
            "filters": filters.as_dict(),
            "scorecards": ScorecardSerializer(board.scorecards, many=True).data,
        }
        if "recoveries_by_month" in tables:
            data["recoveries_by_month"] = MonthSerializer(board.recoveries_by_month, many=True).data
            for table in ("rates_by_portfolio", "rates_by_creditor", "rates_by_firm"):
                data[table] = RateRowSerializer(getattr(board, table), many=True).data
            data["matters_by_stage"] = StageRowSerializer(board.matters_by_stage, many=True).data
            data["broken_promises"] = BrokenPromisesSerializer(board.broken_promises).data
            data["lapsing"] = {
                "counts": {str(band.days): band.count for band in board.lapsing},
                "bands": LapsingBandSerializer(board.lapsing, many=True).data,
            }
            data["period"] = period.as_dict()
            data["staff"] = StaffSerializer(board.staff, many=True).data
            data["recovery_by_channel"] = ShareRowSerializer(board.recovery_by_channel, many=True).data
            data["recovery_by_strategy"] = ShareRowSerializer(board.recovery_by_strategy, many=True).data
            data["cost_to_collect"] = CostRowSerializer(board.cost_to_collect, many=True).data
        return Response(data)
