"""The filters filings use: 人民币大写, amounts, Chinese dates, rates, boxes, masking."""

from datetime import date
from decimal import Decimal

import pytest

from templates_docx.filters import amount, box, cn_date, mask, percent, rmb_upper
from templates_docx.sample import missing


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", "人民币零元整"),
        ("0.05", "人民币伍分"),
        ("0.5", "人民币伍角整"),
        ("10", "人民币壹拾元整"),
        ("10.05", "人民币壹拾元零伍分"),
        ("1005.00", "人民币壹仟零伍元整"),
        ("1010.10", "人民币壹仟零壹拾元壹角整"),
        ("12345.60", "人民币壹万贰仟叁佰肆拾伍元陆角整"),
        ("56719.65", "人民币伍万陆仟柒佰壹拾玖元陆角伍分"),
        ("100010", "人民币壹拾万零壹拾元整"),
        ("1000000", "人民币壹佰万元整"),
        ("20000000", "人民币贰仟万元整"),
        ("100000000.01", "人民币壹亿元零壹分"),
        ("150000001", "人民币壹亿伍仟万零壹元整"),
    ],
)
def test_rmb_upper_writes_amounts_as_banks_do(value, expected):
    assert rmb_upper(Decimal(value)) == expected


def test_rmb_upper_rounds_half_up_to_the_fen():
    assert rmb_upper(Decimal("1.005")) == "人民币壹元零壹分"
    assert rmb_upper(Decimal("1.004")) == "人民币壹元整"


def test_amount_has_thousands_separators_and_two_places():
    assert amount(Decimal("1234567.8")) == "1,234,567.80"
    assert amount(Decimal("0.005")) == "0.01"


def test_dates_are_written_without_leading_zeros():
    assert cn_date(date(2026, 3, 2)) == "2026年3月2日"


def test_rates_are_fractions_shown_as_percent():
    assert percent(Decimal("0.1825")) == "18.25%"
    assert percent(Decimal("0.24")) == "24%"


def test_boxes_tick_only_for_true():
    assert box(True) == "☑"
    assert box(False) == "☐"
    assert box("是") == "☐"


def test_masking_of_identity_numbers_phones_and_cards():
    assert mask("310104198506153216") == "310104********3216"
    assert mask("13812345678", "phone") != "13812345678"
    assert "5678" in mask("6225880012345678", "account")


def test_a_missing_marker_passes_through_every_filter():
    marker = missing("出生日期")
    for apply in (rmb_upper, amount, cn_date, percent, mask):
        assert apply(marker) == marker
