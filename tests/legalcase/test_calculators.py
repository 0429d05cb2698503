"""The money calculators against LEGAL_RULES.md sections 4-6 and their worked examples."""

import datetime as dt
from decimal import Decimal

import pytest

from legalcase.calculators import (
    Allocation,
    allocate_payment,
    allocate_within,
    annual_charge_rate,
    claim_interest,
    court_fees,
    delay_interest,
    interest_accrued,
)

D = dt.date
M = Decimal


# Court fees ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "amount, acceptance, simplified, enforcement, preservation",
    [
        ("50000", "1050.00", "525.00", "650.00", "520.00"),
        ("300000", "5800.00", "2900.00", "4400.00", "2020.00"),
        ("1500000", "18300.00", "9150.00", "17400.00", "5000.00"),
    ],
)
def test_court_fees_follow_the_worked_examples(amount, acceptance, simplified, enforcement, preservation):
    fees = court_fees(M(amount))

    assert (fees.acceptance, fees.acceptance_simplified, fees.enforcement, fees.preservation) == (
        M(acceptance),
        M(simplified),
        M(enforcement),
        M(preservation),
    )
    assert fees.amount == M(amount) and fees.rule == "court_fees@2007"


@pytest.mark.parametrize(
    "amount, acceptance, simplified, enforcement, preservation",
    [
        # Inside the flat bands.
        ("0.01", "50.00", "25.00", "50.00", "30.00"),
        ("1000", "50.00", "25.00", "50.00", "30.00"),
        # 30 + 0.01 x 1% = 30.0001.
        ("1000.01", "50.00", "25.00", "50.00", "30.00"),
        # 30 + 9,000 x 1% = 120.
        ("10000", "50.00", "25.00", "50.00", "120.00"),
        # 50 + 0.01 x 2.5% = 50.00025; halved 25.000125.
        ("10000.01", "50.00", "25.00", "50.00", "120.00"),
        # 50 + 2,345.67 x 2.5% = 108.64175; halved 54.320875; 50 + 2,345.67 x 1.5% =
        # 85.18505; 30 + 11,345.67 x 1% = 143.4567.
        ("12345.67", "108.64", "54.32", "85.19", "143.46"),
        # Preservation reaches its 5,000 cap at 896,000: 30 + 990 + 796,000 x 0.5%.
        ("895000", "12750.00", "6375.00", "11350.00", "4995.00"),
        ("896000", "12760.00", "6380.00", "11360.00", "5000.00"),
        # Every band: 50 + 2,250 + 2,000 + 4,500 + 5,000 + 9,000 + 24,000 + 35,000 +
        # 60,000 + 10,000,000 x 0.5% = 191,800; enforcement 50 + 7,350 + 45,000 +
        # 25,000 + 20,000,000 x 0.1% = 97,400.
        ("30000000", "191800.00", "95900.00", "97400.00", "5000.00"),
    ],
)
def test_court_fees_at_the_band_edges_and_on_fractional_amounts(
    amount, acceptance, simplified, enforcement, preservation
):
    fees = court_fees(M(amount))

    assert (fees.acceptance, fees.acceptance_simplified, fees.enforcement, fees.preservation) == (
        M(acceptance),
        M(simplified),
        M(enforcement),
        M(preservation),
    )


def test_the_simplified_fee_halves_the_unrounded_fee_and_rounds_once_half_up():
    # 50 + 2,000.20 x 2.5% = 100.005: half-up gives 100.01 (half-even would give
    # 100.00). Halved unrounded, 50.0025 gives 50.00; halving the rounded 100.01 would
    # give 50.005 and then 50.01.
    fees = court_fees(M("12000.20"))

    assert fees.acceptance == M("100.01")
    assert fees.acceptance_simplified == M("50.00")


@pytest.mark.parametrize("amount", [M("0"), M("0.00"), M("-1"), M("-50000")])
def test_court_fees_refuse_an_amount_that_is_not_more_than_zero(amount):
    with pytest.raises(ValueError, match="claim amount must be more than zero"):
        court_fees(amount)


@pytest.mark.parametrize("amount", [M("NaN"), M("Infinity")])
def test_court_fees_refuse_an_amount_that_is_not_a_finite_number(amount):
    with pytest.raises(ValueError, match="finite"):
        court_fees(amount)


def test_court_fees_refuse_a_float():
    with pytest.raises(TypeError, match="Decimal"):
        court_fees(50000.0)


# Interest -----------------------------------------------------------------------------


def test_interest_runs_from_the_as_of_date_exclusive_to_the_end_date_inclusive():
    # 30 June to 31 July is 31 days: 10,000 x 0.18 x 31 / 360 = 155.00.
    assert interest_accrued(principal=M("10000"), annual_rate=M("0.18"), start=D(2025, 6, 30), end=D(2025, 7, 31)) == (
        M("155.00")
    )


def test_interest_on_the_as_of_date_itself_is_nothing():
    assert interest_accrued(principal=M("10000"), annual_rate=M("0.18"), start=D(2025, 6, 30), end=D(2025, 6, 30)) == (
        M("0.00")
    )


def test_interest_follows_the_contract_s_day_count():
    # 10,000 x 0.1825 x 1 / 365 = 5.00 exactly; over 360 days it is 5.069444... -> 5.07.
    start, end = D(2025, 6, 30), D(2025, 7, 1)
    assert interest_accrued(principal=M("10000"), annual_rate=M("0.1825"), start=start, end=end, day_count=365) == (
        M("5.00")
    )
    assert interest_accrued(principal=M("10000"), annual_rate=M("0.1825"), start=start, end=end) == M("5.07")


def test_interest_rounds_once_half_up():
    # 1,000 x 0.009 x 1 / 360 = 0.025 -> 0.03 (half-even would give 0.02).
    assert interest_accrued(principal=M("1000"), annual_rate=M("0.009"), start=D(2025, 1, 1), end=D(2025, 1, 2)) == (
        M("0.03")
    )


def test_interest_refuses_an_end_before_the_start():
    with pytest.raises(ValueError, match="before the start date"):
        interest_accrued(principal=M("10000"), annual_rate=M("0.18"), start=D(2025, 7, 1), end=D(2025, 6, 30))


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"principal": M("-1")}, "principal must not be negative"),
        ({"annual_rate": M("-0.01")}, "annual rate must not be negative"),
        ({"day_count": 0}, "day count"),
    ],
)
def test_interest_refuses_negative_inputs_and_a_day_count_of_nothing(overrides, message):
    arguments = {"principal": M("10000"), "annual_rate": M("0.18"), "start": D(2025, 1, 1), "end": D(2025, 2, 1)}
    with pytest.raises(ValueError, match=message):
        interest_accrued(**{**arguments, **overrides})


def claim(**overrides):
    arguments = {
        "principal": M("100000.00"),
        "interest_unpaid": M("0.00"),
        "penalty_rate": M("0.24"),
        "compound_rate": M("0.24"),
        "start": D(2025, 6, 30),
        "end": D(2025, 12, 31),
    }
    return claim_interest(**{**arguments, **overrides})


def test_a_claim_splits_penalty_interest_on_principal_and_compound_interest_on_unpaid_interest():
    # 184 days. Penalty 100,000 x 0.18 x 184 / 360 = 9,200.00; compound 5,000 x 0.27 x
    # 184 / 360 = 690.00.
    result = claim(interest_unpaid=M("5000.00"), penalty_rate=M("0.18"), compound_rate=M("0.27"))

    assert (result.days, result.day_count) == (184, 360)
    assert (result.penalty_interest, result.compound_interest, result.total) == (M("9200.00"), M("690.00"), M("9890.00"))
    # (9,200 + 690) x 360 / 184 / 100,000.
    assert result.annualised_rate == M("0.193500")
    assert not result.exceeds_24_percent


def test_a_claim_exactly_at_24_percent_a_year_raises_no_warning():
    result = claim()

    assert result.penalty_interest == M("12266.67")
    assert result.annualised_rate == M("0.240000")
    assert not result.exceeds_24_percent


def test_a_claim_above_24_percent_a_year_warns_and_keeps_every_yuan():
    # 24% on principal plus 24% on 10,000 of unpaid interest: 26.4% of the principal.
    result = claim(interest_unpaid=M("10000.00"))

    assert result.annualised_rate == M("0.264000")
    assert result.exceeds_24_percent
    assert (result.penalty_interest, result.compound_interest) == (M("12266.67"), M("1226.67"))
    assert result.total == M("13493.34")


def test_other_charges_for_the_period_count_towards_the_24_percent():
    # 18% a year plus 5,000 of fees over 184 days: 0.18 + 5,000 x 360 / 184 / 100,000.
    result = claim(penalty_rate=M("0.18"), charges=M("5000.00"))

    assert result.total == M("9200.00")
    assert result.annualised_rate == M("0.277826")
    assert result.exceeds_24_percent


def test_a_claim_with_no_days_or_no_principal_has_no_annualised_rate():
    assert claim(end=D(2025, 6, 30)).annualised_rate is None
    result = claim(principal=M("0.00"), interest_unpaid=M("1000.00"))
    assert result.annualised_rate is None and not result.exceeds_24_percent
    assert result.compound_interest == M("122.67")


def test_a_claim_refuses_an_end_before_the_start():
    with pytest.raises(ValueError, match="before the start date"):
        claim(end=D(2025, 6, 29))


def test_the_annual_charge_rate_annualises_charges_on_the_principal():
    # 1,200 over 90 days on 10,000: 1,200 x 360 / 90 / 10,000 = 0.48.
    assert annual_charge_rate(principal=M("10000"), charges=M("1200"), days=90) == M("0.48")
    with pytest.raises(ValueError, match="at least one day"):
        annual_charge_rate(principal=M("10000"), charges=M("1200"), days=0)


# Delay interest -----------------------------------------------------------------------


def test_delay_interest_counts_the_first_and_the_last_day_of_delay():
    # Performance period ends 30 June; the delay runs 1 July to 30 July, 30 days:
    # 100,000.00 x 0.000175 x 30 = 525.00.
    assert delay_interest(debt=M("100000.00"), start=D(2025, 7, 1), end=D(2025, 7, 30)) == M("525.00")


def test_delay_interest_for_a_single_day():
    # 100,000.00 x 0.000175 x 1 = 17.50.
    assert delay_interest(debt=M("100000.00"), start=D(2025, 7, 1), end=D(2025, 7, 1)) == M("17.50")


def test_delay_interest_rounds_once_half_up():
    # 10.00 x 0.000175 x 2 = 0.0035 -> 0.00; 30.00 x 0.000175 x 1 = 0.00525 -> 0.01.
    assert delay_interest(debt=M("10.00"), start=D(2025, 7, 1), end=D(2025, 7, 2)) == M("0.00")
    assert delay_interest(debt=M("30.00"), start=D(2025, 7, 1), end=D(2025, 7, 1)) == M("0.01")
    # 48,230.55 x 0.000175 x 365 = 3,080.7263... -> 3,080.73.
    assert delay_interest(debt=M("48230.55"), start=D(2025, 1, 1), end=D(2025, 12, 31)) == M("3080.73")


def test_delay_interest_refuses_an_end_before_the_start_and_a_negative_debt():
    with pytest.raises(ValueError, match="before the start date"):
        delay_interest(debt=M("100000.00"), start=D(2025, 7, 1), end=D(2025, 6, 30))
    with pytest.raises(ValueError, match="debt must not be negative"):
        delay_interest(debt=M("-1.00"), start=D(2025, 7, 1), end=D(2025, 7, 30))


# Allocation of payments ---------------------------------------------------------------


def test_a_payment_goes_to_costs_then_interest_then_principal():
    result = allocate_payment(amount=M("1000.00"), costs=M("200.00"), interest=M("500.00"), principal=M("10000.00"))

    assert result == Allocation(costs=M("200.00"), interest=M("500.00"), principal=M("300.00"), surplus=M("0.00"))


def test_a_small_payment_covers_only_part_of_the_costs():
    result = allocate_payment(amount=M("150.00"), costs=M("200.00"), interest=M("500.00"), principal=M("10000.00"))

    assert (result.costs, result.interest, result.principal, result.surplus) == (M("150.00"), M("0.00"), M("0.00"), M("0.00"))


def test_a_payment_beyond_the_total_reports_the_surplus():
    result = allocate_payment(amount=M("11000.00"), costs=M("200.00"), interest=M("500.00"), principal=M("10000.00"))

    assert (result.costs, result.interest, result.principal) == (M("200.00"), M("500.00"), M("10000.00"))
    assert result.surplus == M("300.00")


@pytest.mark.parametrize("head", ["amount", "costs", "interest", "principal"])
def test_an_allocation_refuses_negative_inputs(head):
    arguments = {"amount": M("1000.00"), "costs": M("200.00"), "interest": M("500.00"), "principal": M("10000.00")}
    with pytest.raises(ValueError, match="must not be negative"):
        allocate_payment(**{**arguments, head: M("-0.01")})


def test_within_interest_a_payment_follows_the_order_given():
    heads = [
        ("interest", M("300.00")),
        ("penalty_interest", M("200.00")),
        ("compound_interest", M("50.00")),
        ("late_fees", M("100.00")),
        ("fees", M("20.00")),
    ]

    assert allocate_within(amount=M("520.00"), heads=heads) == {
        "interest": M("300.00"),
        "penalty_interest": M("200.00"),
        "compound_interest": M("20.00"),
        "late_fees": M("0.00"),
        "fees": M("0.00"),
    }
