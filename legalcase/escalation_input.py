"""What a valid escalation is (API.md, "Escalations"): the one validation of an escalation body.

``EscalationSerializer`` is the contract: its rules and its error messages are what
``POST /api/v1/escalations/`` answers and what the bulk import writes to its errors
file. ``escalation_validated`` is the one entrance both take (through
``services.escalations_apply``): a plainly valid body is accepted by
``escalation_fast_validate``, which returns exactly the serializer's ``validated_data``
at a fraction of its cost; any other body goes through the serializer, which decides
and names what is wrong. This module reads no database and imports no service, so the
services and the API can both depend on it.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from legalcase.dates import past_date_error
from legalcase.identity import IdentityError, parse_resident_id, validate_uscc
from legalcase.money import FEN, MONEY, RATE
from legalcase.models import Debt, DemandChannel, Guarantee, Party, PartyPhone, Product
from legalcase.safetext import validate_name

# A phone number as stored: digits only, without +86 (spaces, dashes and brackets dropped).
PHONE_DIGITS = re.compile(r"\d{5,20}")
_PHONE_NOISE = re.compile(r"[\s\-()（）]")


def phone_digits(number: str) -> str:
    """``"+86 138-1234-5678"`` -> ``"13812345678"``; whatever else is left is for the caller to refuse."""
    digits = _PHONE_NOISE.sub("", number or "")
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            return digits[len(prefix):]
    return digits


class InputChoiceField(serializers.ChoiceField):
    # DRF's message repeats the input, which could be anything, an identity number included.
    default_error_messages = {"invalid_choice": _("Not one of the allowed values.")}


def _past(field: str, value: dt.date | None) -> dt.date | None:
    """``value`` when it is not after today (Beijing); else the refusal (``legalcase.dates``), named by the field."""
    message = past_date_error(field, value)
    if message:
        raise serializers.ValidationError(message)
    return value


def _identity_error(exc: IdentityError) -> serializers.ValidationError:
    # IdentityError messages never contain the number itself.
    return serializers.ValidationError(str(exc))


class EscalationCreditorSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, validators=[validate_name])
    uscc = serializers.CharField(max_length=18, help_text="统一社会信用代码, check character verified.")
    address = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    representative = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    representative_title = serializers.CharField(
        required=False, allow_blank=True, max_length=50, default="", help_text="v1.1: 法定代表人 or 负责人."
    )
    service_phone = serializers.CharField(required=False, allow_blank=True, max_length=30, default="", help_text="v1.1.")

    def validate_uscc(self, value: str) -> str:
        try:
            return validate_uscc(value)
        except IdentityError as exc:
            raise _identity_error(exc) from None


class EscalationPhoneSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=30)
    status = InputChoiceField(choices=PartyPhone.Status.choices, required=False, default=PartyPhone.Status.OK)

    def validate_number(self, value: str) -> str:
        digits = phone_digits(value)
        if not PHONE_DIGITS.fullmatch(digits):
            # Never repeat the number (API.md, "Errors").
            raise serializers.ValidationError(_("Not a phone number."))
        return digits


# v1.1: what the complaint forms ask of a party besides its name and identity.
PERSON_TEXT_FIELDS = {
    "ethnicity": 20,
    "workplace": 200,
    "position": 100,
    "habitual_residence": 300,
    "service_address": 300,
    "representative": 100,
    "representative_title": 50,
}


class EscalationPersonSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, validators=[validate_name])
    id_number = serializers.CharField(max_length=18, help_text="18-character resident identity number.")
    gender = InputChoiceField(choices=Party.Gender.choices, required=False, allow_blank=True)
    birth_date = serializers.DateField(required=False, allow_null=True)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=20, default="")
    address = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    phones = EscalationPhoneSerializer(many=True, required=False, help_text="v1.1: every number, with its status.")
    ethnicity = serializers.CharField(required=False, allow_blank=True, max_length=20, help_text="v1.1.")
    workplace = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text="v1.1: 工作单位.")
    position = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text="v1.1.")
    habitual_residence = serializers.CharField(
        required=False, allow_blank=True, max_length=300, help_text="v1.1: 经常居住地."
    )
    service_address = serializers.CharField(
        required=False, allow_blank=True, max_length=300, help_text="v1.1: the agreed 送达地址."
    )
    representative = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text="v1.1.")
    representative_title = serializers.CharField(required=False, allow_blank=True, max_length=50, help_text="v1.1.")

    def validate_id_number(self, value: str) -> str:
        try:
            parse_resident_id(value)
        except IdentityError as exc:
            raise _identity_error(exc) from None
        return value.strip().upper()

    def validate_birth_date(self, value: dt.date | None) -> dt.date | None:
        return _past("birth_date", value)

    def validate(self, attrs: dict) -> dict:
        # Gender and birth date, when given, must agree with the number (GB 11643-1999).
        birth, gender = parse_resident_id(attrs["id_number"])
        errors = {}
        if attrs.get("gender") and attrs["gender"] != gender:
            errors["gender"] = [_("The gender does not agree with the identity number.")]
        if attrs.get("birth_date") and attrs["birth_date"] != birth:
            errors["birth_date"] = [_("The birth date does not agree with the identity number.")]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class EscalationGuarantorSerializer(EscalationPersonSerializer):
    guarantee_type = InputChoiceField(
        choices=Guarantee.Type.choices,
        required=False,
        allow_blank=True,
        allow_null=True,
        default=None,
        help_text="Not given or blank: a general guarantee, recorded as presumed (民法典 Art. 686 para 2).",
    )
    guarantee_period_ends_on = serializers.DateField(required=False, allow_null=True, default=None)
    guarantee_signed_on = serializers.DateField(required=False, allow_null=True, help_text="v1.1.")
    guarantee_agreed_period = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="v1.1: the period as the contract words it."
    )

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        signed, ends = attrs.get("guarantee_signed_on"), attrs.get("guarantee_period_ends_on")
        if signed and ends and ends < signed:
            raise serializers.ValidationError(
                {"guarantee_period_ends_on": [_("The guarantee period cannot end before it was signed.")]}
            )
        return attrs


class EscalationMoneyField(serializers.DecimalField):
    def __init__(self, **kwargs):
        super().__init__(**MONEY, min_value=0, **kwargs)


class EscalationAmountsSerializer(serializers.Serializer):
    as_of = serializers.DateField(help_text="Not after today.")
    principal = EscalationMoneyField()
    interest = EscalationMoneyField(required=False, default=Decimal("0.00"))
    penalty_interest = EscalationMoneyField(required=False, default=Decimal("0.00"))
    compound_interest = EscalationMoneyField(required=False, default=Decimal("0.00"))
    late_fees = EscalationMoneyField(required=False, default=Decimal("0.00"))
    fees = EscalationMoneyField(required=False, default=Decimal("0.00"))
    repaid_principal = EscalationMoneyField(required=False, default=Decimal("0.00"), help_text="v1.1.")
    repaid_interest = EscalationMoneyField(required=False, default=Decimal("0.00"), help_text="v1.1.")
    interest_paid_to = serializers.DateField(required=False, allow_null=True, default=None, help_text="v1.1.")

    def validate_as_of(self, value: dt.date) -> dt.date:
        return _past("as_of", value)

    def validate(self, attrs: dict) -> dict:
        if attrs.get("interest_paid_to") and attrs["interest_paid_to"] > attrs["as_of"]:
            raise serializers.ValidationError(
                {"interest_paid_to": [_("Interest cannot be paid up to a day after the statement.")]}
            )
        return attrs


class EscalationDebtSerializer(serializers.Serializer):
    """v1.1: the debt's terms, as ``PATCH /api/v1/matters/{id}/debt/`` names them."""

    loan_amount = EscalationMoneyField(required=False, allow_null=True, help_text="A card's credit limit.")
    disbursed_on = serializers.DateField(required=False, allow_null=True, help_text="A card's issue day.")
    term_ends_on = serializers.DateField(required=False, allow_null=True)
    repayment_method = InputChoiceField(choices=Debt.RepaymentMethod.choices, required=False, allow_blank=True)
    branch = serializers.CharField(required=False, allow_blank=True, max_length=200)

    def validate(self, attrs: dict) -> dict:
        start, end = attrs.get("disbursed_on"), attrs.get("term_ends_on")
        if start and end and end < start:
            raise serializers.ValidationError(
                {"term_ends_on": [_("The term cannot end before the contract or the disbursement.")]}
            )
        return attrs


class EscalationRatesSerializer(serializers.Serializer):
    annual_interest_rate = serializers.DecimalField(**RATE, min_value=0, required=False, allow_null=True)
    penalty_rate = serializers.DecimalField(**RATE, min_value=0, required=False, allow_null=True)
    compound_rate = serializers.DecimalField(**RATE, min_value=0, required=False, allow_null=True)
    day_count = InputChoiceField(choices=[360, 365], required=False)


class EscalationDemandSerializer(serializers.Serializer):
    date = serializers.DateField()
    channel = InputChoiceField(choices=DemandChannel.choices)
    delivered = serializers.BooleanField(required=False, default=False, help_text="Proof of delivery exists.")
    outlet = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=100,
        help_text=(
            "`public_notice`: the newspaper that published it. It interrupts limitation only in a national "
            "outlet or one of the debtor's province (诉讼时效规定 Art. 8)."
        ),
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)

    def validate_date(self, value: dt.date) -> dt.date:
        return _past("date", value)


class EscalationSerializer(serializers.Serializer):
    """An escalation as API.md's "Escalations" defines it; errors keyed like the request."""

    creditor = EscalationCreditorSerializer()
    original_creditor = EscalationCreditorSerializer(required=False, allow_null=True)
    portfolio = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=200)
    product = InputChoiceField(choices=Product.choices)
    account_number = serializers.CharField(max_length=40)
    contract_number = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=60)
    contract_date = serializers.DateField(required=False, allow_null=True)
    debtor = EscalationPersonSerializer()
    guarantors = EscalationGuarantorSerializer(many=True, required=False)
    amounts = EscalationAmountsSerializer()
    rates = EscalationRatesSerializer(required=False, allow_null=True)
    overdue_since = serializers.DateField()
    matured_on = serializers.DateField(required=False, allow_null=True)
    last_payment_date = serializers.DateField(required=False, allow_null=True)
    demands = EscalationDemandSerializer(many=True, required=False)
    debt = EscalationDebtSerializer(required=False, help_text="v1.1: the debt's terms.")

    # The dates of what has happened: a demand, a payment, a default, a contract, the
    # statement of amounts. One in the future is a typo that would move limitation.
    def validate_contract_date(self, value: dt.date | None) -> dt.date | None:
        return _past("contract_date", value)

    def validate_overdue_since(self, value: dt.date) -> dt.date:
        return _past("overdue_since", value)

    def validate_last_payment_date(self, value: dt.date | None) -> dt.date | None:
        return _past("last_payment_date", value)

    def validate(self, attrs: dict) -> dict:
        if "contract_number" in attrs and attrs["contract_number"] is None:
            attrs["contract_number"] = ""
        return attrs


def escalation_validated(body: Any) -> tuple[dict | None, Any]:
    """``(validated_data, {})`` for a valid escalation body, else ``(None, errors)`` keyed like the body.

    The errors are the serializer's own (``serializer.errors``), so the API answers them
    as its 400 body and the import maps them onto the file's columns.
    """
    data = escalation_fast_validate(body) if type(body) is dict else None  # a QueryDict goes to the serializer
    if data is not None:
        return data, {}
    serializer = EscalationSerializer(data=body)
    if serializer.is_valid():
        return serializer.validated_data, {}
    return None, serializer.errors


# --- Fast acceptance -------------------------------------------------------------------
#
# ``EscalationSerializer`` costs about 0.75 ms a row, more than the whole import may
# spend. ``escalation_fast_validate`` accepts the plainly valid body of an import row
# and returns exactly the ``validated_data`` the serializer would (same keys, defaults,
# types, quantized amounts); for anything else it answers None and the serializer
# decides, so every error message still comes from the serializer alone.
# tests/legalcase/test_import_bulk.py proves the agreement row by row.

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONEY = re.compile(r"\d{1,14}(?:\.\d{1,2})?")
# NUL, lone surrogates, and what names refuse (legalcase.safetext): the serializer says why.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_PRODUCT_VALUES = frozenset(Product.values)
_GENDER_VALUES = frozenset(Party.Gender.values)
_CHANNEL_VALUES = frozenset(DemandChannel.values)
_TOP_KEYS = frozenset(
    {"creditor", "product", "account_number", "debtor", "amounts", "demands", "contract_number", "contract_date",
     "overdue_since", "matured_on", "last_payment_date", "portfolio", "debt"}
)
REPAID_FIELDS = ("repaid_principal", "repaid_interest")
_METHOD_VALUES = frozenset(Debt.RepaymentMethod.values)


class _Defer(Exception):
    pass


def _fast_text(value: Any, max_length: int) -> str:
    if not isinstance(value, str) or not value or value != value.strip() or len(value) > max_length:
        raise _Defer
    if _UNSAFE.search(value):
        raise _Defer
    return value


# A file repeats its dates and credit codes: each distinct text is parsed once.
@functools.lru_cache(maxsize=8192)
def _iso_date(value: str) -> dt.date | None:
    if not _ISO_DATE.fullmatch(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


@functools.lru_cache(maxsize=256)
def _checked_uscc(value: str) -> str | None:
    try:
        return validate_uscc(value)
    except IdentityError:
        return None


def _fast_date(value: Any) -> dt.date:
    day = _iso_date(value) if isinstance(value, str) else None
    if day is None:
        raise _Defer
    return day


def _fast_money(value: Any) -> Decimal:
    if not isinstance(value, str) or not _MONEY.fullmatch(value):
        raise _Defer
    return Decimal(value).quantize(FEN)


def _fast_debt(debt: Any) -> dict[str, Any]:
    if not isinstance(debt, dict) or not set(debt) <= {
        "loan_amount", "disbursed_on", "term_ends_on", "repayment_method", "branch"
    }:  # fmt: skip
        raise _Defer
    terms: dict[str, Any] = {}
    if "loan_amount" in debt:
        terms["loan_amount"] = _fast_money(debt["loan_amount"])
    for name in ("disbursed_on", "term_ends_on"):
        if name in debt:
            terms[name] = _fast_date(debt[name])
    if terms.get("disbursed_on") and terms.get("term_ends_on") and terms["term_ends_on"] < terms["disbursed_on"]:
        raise _Defer
    if "repayment_method" in debt:
        if debt["repayment_method"] not in _METHOD_VALUES:
            raise _Defer
        terms["repayment_method"] = debt["repayment_method"]
    if "branch" in debt:
        terms["branch"] = _fast_text(debt["branch"], 200)
    return terms


def escalation_fast_validate(body: dict) -> dict | None:
    """``EscalationSerializer(data=body).validated_data`` for a plainly valid import body, else None."""
    today = timezone.localdate()

    def past(value: Any) -> dt.date:
        day = _fast_date(value)
        if day > today:
            raise _Defer  # the serializer says why
        return day

    try:
        if not _TOP_KEYS.issuperset(body):
            raise _Defer
        creditor, debtor, amounts = body["creditor"], body["debtor"], body["amounts"]
        if set(creditor) != {"name", "uscc"}:
            raise _Defer
        uscc = _fast_text(creditor["uscc"], 18)
        uscc = _checked_uscc(uscc)
        if uscc is None:
            raise _Defer
        data: dict[str, Any] = {
            "creditor": {
                "name": _fast_text(creditor["name"], 200),
                "uscc": uscc,
                "address": "",
                "representative": "",
                "representative_title": "",
                "service_phone": "",
            }
        }
        if body["product"] not in _PRODUCT_VALUES:
            raise _Defer
        data["product"] = body["product"]
        data["account_number"] = _fast_text(body["account_number"], 40)
        if not {"name", "id_number"} <= set(debtor):
            raise _Defer
        id_number = _fast_text(debtor["id_number"], 18)
        try:
            birth, gender = parse_resident_id(id_number)
        except IdentityError:
            raise _Defer from None
        person: dict[str, Any] = {"name": _fast_text(debtor["name"], 200), "id_number": id_number.upper()}
        if "gender" in debtor:
            if debtor["gender"] not in _GENDER_VALUES or debtor["gender"] != gender:
                raise _Defer
            person["gender"] = debtor["gender"]
        if "birth_date" in debtor:
            if _fast_date(debtor["birth_date"]) != birth:
                raise _Defer
            person["birth_date"] = birth
        person["phone"] = _fast_text(debtor["phone"], 20) if "phone" in debtor else ""
        person["address"] = _fast_text(debtor["address"], 300) if "address" in debtor else ""
        if "phones" in debtor:
            raise _Defer
        for name, length in PERSON_TEXT_FIELDS.items():
            if name in debtor:
                person[name] = _fast_text(debtor[name], length)
        data["debtor"] = person
        if "as_of" not in amounts or "principal" not in amounts:
            raise _Defer
        data["amounts"] = {
            "as_of": past(amounts["as_of"]),
            **{name: _fast_money(amounts[name]) if name in amounts else Decimal("0.00") for name in Debt.AMOUNT_FIELDS},
            **{name: _fast_money(amounts[name]) if name in amounts else Decimal("0.00") for name in REPAID_FIELDS},
            "interest_paid_to": _fast_date(amounts["interest_paid_to"]) if "interest_paid_to" in amounts else None,
        }
        if data["amounts"]["interest_paid_to"] and data["amounts"]["interest_paid_to"] > data["amounts"]["as_of"]:
            raise _Defer
        if "debt" in body:
            data["debt"] = _fast_debt(body["debt"])
        if "contract_number" in body:
            data["contract_number"] = _fast_text(body["contract_number"], 60)
        if "portfolio" in body:
            data["portfolio"] = _fast_text(body["portfolio"], 200)
        if "overdue_since" not in body:
            raise _Defer
        for name in ("contract_date", "overdue_since", "last_payment_date"):
            if name in body:
                data[name] = past(body[name])
        if "matured_on" in body:  # a maturity may still be ahead
            data["matured_on"] = _fast_date(body["matured_on"])
        if "demands" in body:
            demands = body["demands"]
            if not isinstance(demands, list) or len(demands) != 1:
                raise _Defer
            (demand,) = demands
            if not {"date", "channel"} <= set(demand) <= {"date", "channel", "delivered", "outlet"}:
                raise _Defer
            if demand["channel"] not in _CHANNEL_VALUES or not isinstance(demand.get("delivered", False), bool):
                raise _Defer
            data["demands"] = [
                {
                    "date": past(demand["date"]),
                    "channel": demand["channel"],
                    "delivered": demand.get("delivered", False),
                    "outlet": _fast_text(demand["outlet"], 100) if "outlet" in demand else "",
                    "note": "",
                }
            ]
    except (_Defer, LookupError, TypeError, AttributeError):
        # Not plainly valid (a key missing, a list where an object belongs...): the serializer says why.
        return None
    return data


