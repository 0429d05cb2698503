"""Amounts as people type them: thousands separators and full-width digits, ambiguity refused."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from legalcase.models import Recovery, Role, Settlement, Stage
from legalcase.money import amount_digits, money_input
from tests.factories import make_matter, make_user

HTMX = {"HTTP_HX_REQUEST": "true"}
GROUPING = "无法识别“{}”：千位分隔符须每三位数字一个，如 12,000.00。"
SMALL = {
    "principal": Decimal("20000.00"),
    "interest": Decimal("500.00"),
    "penalty_interest": Decimal("0"),
    "compound_interest": Decimal("0"),
    "late_fees": Decimal("0"),
    "fees": Decimal("0"),
}


@pytest.mark.parametrize(
    "typed, plain",
    [
        ("12000.00", "12000.00"),
        ("12,000.00", "12000.00"),
        ("1,234,567.89", "1234567.89"),
        ("12,000", "12000"),
        (" 12,000.5 ", "12000.5"),
        ("１２，０００．００", "12000.00"),  # a Chinese input method's full-width digits
        ("12，000", "12000"),
        ("１２０００", "12000"),
    ],
)
def test_thousands_separators_and_full_width_digits_are_read(typed, plain):
    assert amount_digits(typed) == plain
    assert money_input(typed, "amount") == Decimal(plain).quantize(Decimal("0.01"))


@pytest.mark.parametrize("typed", ["12,00", "1,2345.00", "12.000,00", ",120", "1,,000", "12,000,0"])
def test_an_ambiguous_grouping_is_refused_with_a_chinese_reason(typed):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        money_input(typed, "amount")
    assert error.value.message_dict == {"amount": [GROUPING.format(typed)]}


def test_the_other_refusals_are_unchanged():
    with translation.override("zh-hans"):
        for typed in ("abc", "12.345", "0", "-1,000.00"):
            with pytest.raises(ValidationError):
                money_input(typed, "amount")


# --- Through the pages -----------------------------------------------------------------


@pytest.fixture
def manager(client):
    user = make_user(Role.MANAGER)
    client.force_login(user)
    return user


def recovery_form(client, matter) -> str:
    return client.get(reverse("recoveries_section", args=[matter.pk]), **HTMX).content.decode()


def record_recovery(client, matter, amount: str):
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', recovery_form(client, matter)).group(1)
    data = {"amount": amount, "received_on": "2026-04-01", "source": "enforcement", "idempotency_key": key}
    return client.post(reverse("recovery_record", args=[matter.pk]), data, **HTMX)


@pytest.mark.django_db
def test_the_amount_box_takes_text_so_browsers_let_separators_through(client, manager):
    matter = make_matter(stage=Stage.ENFORCEMENT, **SMALL)
    box = re.search(r'<input[^>]*name="amount"[^>]*>', recovery_form(client, matter)).group(0)
    assert 'type="text"' in box and 'inputmode="decimal"' in box


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["12,000.00", "１２，０００．００", "12，000"])
def test_a_recovery_typed_with_separators_is_recorded(client, manager, typed):
    matter = make_matter(stage=Stage.ENFORCEMENT, **SMALL)
    html = record_recovery(client, matter, typed).content.decode()
    assert "回款已登记。" in html
    assert Recovery.objects.get(matter=matter).amount == Decimal("12000.00")


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["12,00", "1,2345.00"])
def test_an_ambiguous_recovery_amount_is_refused_at_its_field_and_nothing_is_stored(client, manager, typed):
    matter = make_matter(stage=Stage.ENFORCEMENT, **SMALL)
    html = record_recovery(client, matter, typed).content.decode()
    assert re.findall(r'pf-field invalid">\s*<label for="([^"]+)"', html) == ["recovery-new-amount"]
    assert GROUPING.format(typed) in html
    assert not Recovery.objects.exists()


@pytest.mark.django_db
def test_settlement_rows_take_separated_amounts_and_refuse_ambiguous_ones(client, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: dt.date(2026, 4, 5))
    client.force_login(make_user(Role.COUNSEL))
    matter = make_matter(stage=Stage.JUDGMENT, **SMALL)
    form = {
        "agreed_on": "2026-03-01",
        "reduction": "1,000.00",
        "schedule": "rows",
        "grace_days": "15",
        "monthly_income": "６，０００",
    }
    url = reverse("settlement_record", args=[matter.pk])

    html = client.post(url, {**form, "rows": "2026-03-20 4,000.00\n2026-04-20 15,00"}, **HTMX).content.decode()
    assert "第 2 行" in html
    assert not Settlement.objects.exists()

    client.post(url, {**form, "rows": "2026-03-20 4,000.00\n2026-04-20，１５，５００．００"}, **HTMX)
    settlement = Settlement.objects.get(matter=matter)
    assert settlement.reduction == Decimal("1000.00")
    assert settlement.monthly_income == Decimal("6000.00")
    assert [(row.due_on, row.amount) for row in settlement.instalments.order_by("due_on")] == [
        (dt.date(2026, 3, 20), Decimal("4000.00")),
        (dt.date(2026, 4, 20), Decimal("15500.00")),
    ]
