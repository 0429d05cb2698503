"""The interest calculator and the LPR table (API.md "Interest calculator")."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from legalcase.access import require
from legalcase.api.matters import ERRORS, ApiView, validated
from legalcase.calculators import DAY_COUNTS, LPR_BASES, InterestResult
from legalcase.escalation_input import InputChoiceField
from legalcase.models import MONEY, RATE, LprRate
from legalcase.money import money_text
from legalcase.pagination import MatterPagination
from legalcase.services.interest import KINDS, interest_computed, lpr_rate_add

# "from" cannot be a Python name: the serializer declares ``start``/``end`` and answers to the API's names.
API_NAMES = {"start": "from", "end": "to"}


class InterestQuerySerializer(serializers.Serializer):
    kind = InputChoiceField(choices=KINDS, default="simple", help_text="`simple` (default) or `delay` (迟延履行).")
    principal = serializers.DecimalField(**MONEY, help_text="CNY, more than 0, two decimal places at most.")
    start = serializers.DateField(help_text="`from`: not counted for `simple`, counted for `delay`.")
    end = serializers.DateField(help_text="`to`: counted; not before `from`.")
    rate = serializers.DecimalField(**RATE, required=False, help_text="An annual fraction (0.0435 is 4.35 %).")
    rate_basis = InputChoiceField(choices=LPR_BASES, required=False, help_text="Instead of `rate`: the 1-year or 5-year LPR.")
    multiplier = serializers.DecimalField(
        max_digits=6, decimal_places=2, required=False, help_text="Times the LPR; default 1, at most two decimal places."
    )
    lpr_on = serializers.DateField(required=False, help_text="One LPR throughout, the fixing in effect that day; else each day's.")
    day_count = InputChoiceField(choices=DAY_COUNTS, required=False, help_text="Days in the year's rate: 360 (default) or 365.")

    def get_fields(self):
        return {API_NAMES.get(name, name): field for name, field in super().get_fields().items()}


class InterestPeriodSerializer(serializers.Serializer):
    # The schema of a period; the view writes the answer itself, with only the keys that apply.
    start = serializers.DateField(help_text="`from`.")
    end = serializers.DateField(help_text="`to`.")
    days = serializers.IntegerField()
    rate = serializers.CharField(required=False, help_text="`simple`: the annual rate, six places.")
    daily_rate = serializers.CharField(required=False, help_text="`delay`: the daily rate, 0.000175.")
    amount = serializers.CharField(help_text="Rounded to the fen, half-up.")


class InterestResultSerializer(serializers.Serializer):
    kind = serializers.CharField()
    principal = serializers.CharField()
    start = serializers.DateField(help_text="`from`.")
    end = serializers.DateField(help_text="`to`.")
    rate = serializers.CharField(required=False)
    rate_basis = serializers.CharField(required=False)
    multiplier = serializers.CharField(required=False)
    lpr_on = serializers.DateField(required=False)
    day_count = serializers.IntegerField(required=False)
    daily_rate = serializers.CharField(required=False)
    days = serializers.IntegerField()
    amount = serializers.CharField(help_text="The sum of the periods' amounts.")
    periods = InterestPeriodSerializer(many=True)
    rule = serializers.CharField(help_text="`interest@2019` or `delay_interest@2014`.")


def _rate_text(rate: Decimal) -> str:
    return f"{rate:.6f}"


def _plain(value: Decimal) -> str:
    # 1.50 -> "1.5", 2 -> "2": the multiplier as a person writes it.
    return f"{value.normalize():f}"


def interest_answer(result: InterestResult) -> dict:
    """API.md's answer: the keys of the example, and ``rate`` or ``lpr_on`` when they were used."""
    answer: dict = {
        "kind": result.kind,
        "principal": money_text(result.principal),
        "from": result.start.isoformat(),
        "to": result.end.isoformat(),
    }
    if result.kind == "delay":
        answer["daily_rate"] = _rate_text(result.daily_rate)
    elif result.rate is not None:
        answer["rate"] = _rate_text(result.rate)
    else:
        answer["rate_basis"] = result.rate_basis
        answer["multiplier"] = _plain(result.multiplier)
        if result.lpr_on is not None:
            answer["lpr_on"] = result.lpr_on.isoformat()
    if result.day_count is not None:
        answer["day_count"] = result.day_count
    rate_key = "daily_rate" if result.kind == "delay" else "rate"
    answer.update(
        days=result.days,
        amount=money_text(result.amount),
        periods=[
            {
                "from": period.start.isoformat(),
                "to": period.end.isoformat(),
                "days": period.days,
                rate_key: _rate_text(period.rate),
                "amount": money_text(period.amount),
            }
            for period in result.periods
        ],
        rule=result.rule,
    )
    return answer


class InterestView(ApiView):
    """Interest on a principal between two dates, with the day count and the periods used; open to every signed-in user.

    `simple`: a contract `rate`, or `multiplier` × the `rate_basis` LPR (each day's
    fixing, or the one in effect on `lpr_on`), `day_count` 360 or 365, `from` not
    counted and `to` counted. `delay` (迟延履行, 法释〔2014〕8号): 1.75‱ a day, both
    ends counted. Each period is rounded to the fen, half-up; `amount` is their sum.
    """

    @extend_schema(
        summary="Compute interest",
        parameters=[InterestQuerySerializer],
        responses={200: InterestResultSerializer, 400: ERRORS[400]},
    )
    def get(self, request):
        data = validated(InterestQuerySerializer, request.query_params)
        result = interest_computed(
            kind=data["kind"],
            principal=data["principal"],
            start=data["from"],
            end=data["to"],
            rate=data.get("rate"),
            rate_basis=data.get("rate_basis"),
            multiplier=data.get("multiplier"),
            lpr_on=data.get("lpr_on"),
            day_count=data.get("day_count"),
        )
        return Response(interest_answer(result))


class LprSerializer(serializers.ModelSerializer):
    class Meta:
        model = LprRate
        fields = ["effective_from", "lpr_1y", "lpr_5y"]
        extra_kwargs = {
            "effective_from": {"help_text": "The publication day; the fixing applies from it until the next."},
            "lpr_1y": {"help_text": "The 1-year LPR, an annual fraction (0.030000 is 3.00 %)."},
            "lpr_5y": {"help_text": "The 5-year+ LPR, an annual fraction."},
        }


class LprRequestSerializer(serializers.Serializer):
    effective_from = serializers.DateField()
    lpr_1y = serializers.DecimalField(**RATE, help_text="An annual fraction: 3.00 % is 0.03.")
    lpr_5y = serializers.DecimalField(**RATE, help_text="An annual fraction: 3.50 % is 0.035.")


@extend_schema_view(
    get=extend_schema(summary="List the LPR fixings", responses={200: LprSerializer(many=True)}),
)
class LprListView(ApiView, generics.ListAPIView):
    """The published LPR fixings (LEGAL_RULES B.5, `lpr.table@2019`), newest first, from 2019-08-20.

    Open to every signed-in user; administrators add a fixing with POST (a date already
    in the table, or one that is not a publication day, answers 400; each addition is
    audited).
    """

    serializer_class = LprSerializer
    pagination_class = MatterPagination
    queryset = LprRate.objects.order_by("-effective_from")

    @extend_schema(
        summary="Add an LPR fixing (administrators)",
        request=LprRequestSerializer,
        responses={201: LprSerializer, 400: ERRORS[400], 403: ERRORS[403]},
    )
    def post(self, request):
        # The role first: a manager's body is not worth reading.
        require(request.user, "write_lpr")
        data = validated(LprRequestSerializer, request.data)
        row = lpr_rate_add(user=request.user, **data)
        return Response(LprSerializer(row).data, status=status.HTTP_201_CREATED)
