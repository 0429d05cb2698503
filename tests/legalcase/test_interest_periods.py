"""The period engine (``calculators``) and the LPR table it reads, against LEGAL_RULES B.5 and B.6 by hand."""

import datetime as dt
from decimal import Decimal

import pytest

from legalcase.calculators import (
    LprFixing,
    LprUnavailable,
    allocate_enforcement_payment,
    delay_interest_computed,
    delay_periods,
    lpr_fixing_on,
    simple_interest,
)
from legalcase.models import LprRate, holiday_calendar
from legalcase.periods import WEEKENDS_ONLY, lpr_publication_day

D = dt.date
M = Decimal

# The change points of LEGAL_RULES B.5 around 2025, as fractions.
TABLE = (
    LprFixing(D(2024, 10, 21), M("0.031"), M("0.036")),
    LprFixing(D(2025, 4, 21), M("0.031"), M("0.036")),
    LprFixing(D(2025, 5, 20), M("0.030"), M("0.035")),
    LprFixing(D(2025, 6, 20), M("0.030"), M("0.035")),
)


def periods_of(result):
    return [(p.start, p.end, p.days, p.rate, p.amount) for p in result.periods]


def test_the_api_example_splits_on_the_day_the_may_2025_fixing_was_published():
    result = simple_interest(
        principal=M("100000.00"),
        start=D(2025, 5, 1),
        end=D(2025, 6, 30),
        rate_basis="lpr_1y",
        multiplier=M("1.5"),
        lpr_table=TABLE,
    )
    # 05-02..05-19, 18 days at 1.5 x 3.10% = 4.65%: 100,000 x 0.0465 x 18 / 360 = 232.50.
    # 05-20..06-30, 42 days at 1.5 x 3.00% = 4.50%: 100,000 x 0.045 x 42 / 360 = 525.00.
    # The 2025-06-20 fixing is the same rate and does not split.
    assert periods_of(result) == [
        (D(2025, 5, 1), D(2025, 5, 19), 18, M("0.0465"), M("232.50")),
        (D(2025, 5, 19), D(2025, 6, 30), 42, M("0.0450"), M("525.00")),
    ]
    assert (result.days, result.amount, result.rule) == (60, M("757.50"), "interest@2019")


def test_a_fixing_applies_from_its_publication_day_until_the_next():
    assert lpr_fixing_on(TABLE, D(2025, 5, 19)).lpr_1y == M("0.031")
    assert lpr_fixing_on(TABLE, D(2025, 5, 20)).lpr_1y == M("0.030")
    with pytest.raises(LprUnavailable):
        lpr_fixing_on(TABLE, D(2024, 10, 20))


def test_a_contract_rate_is_one_period_and_the_day_count_divides_the_year():
    common = {"principal": M("100000.00"), "start": D(2025, 1, 1), "end": D(2025, 12, 31), "rate": M("0.0435")}
    # 364 days. 100,000 x 0.0435 x 364 / 360 = 4,398.333... -> 4,398.33
    assert simple_interest(**common).amount == M("4398.33")
    # / 365 = 4,338.0821... -> 4,338.08
    assert simple_interest(**common, day_count=365).amount == M("4338.08")
    assert periods_of(simple_interest(**common)) == [(D(2025, 1, 1), D(2025, 12, 31), 364, M("0.0435"), M("4398.33"))]


def test_no_day_counted_is_no_period_and_nothing_owed():
    result = simple_interest(principal=M("1000.00"), start=D(2025, 3, 1), end=D(2025, 3, 1), rate=M("0.05"))
    assert (result.days, result.periods, result.amount) == (0, (), M("0.00"))


def test_delay_interest_counts_both_ends():
    # API.md: 100,000.00 from 2026-03-06 to 2026-04-04 is 30 days: 100,000 x 0.000175 x 30 = 525.00.
    result = delay_interest_computed(principal=M("100000.00"), start=D(2026, 3, 6), end=D(2026, 4, 4))
    assert (result.days, result.amount, result.rule, result.daily_rate) == (30, M("525.00"), "delay_interest@2014", M("0.000175"))
    one_day = delay_interest_computed(principal=M("100000.00"), start=D(2026, 3, 6), end=D(2026, 3, 6))
    assert (one_day.days, one_day.amount) == (1, M("17.50"))


def test_delay_periods_are_left_unrounded_for_the_caller_to_round_once():
    # LEGAL_RULES B.6 worked example: 103,000.00 for 2025-10-21..2026-01-19 (91 days), then
    # 88,000.00 for 2026-01-20..2026-03-02 (42 days).
    periods = delay_periods(
        [(D(2025, 10, 21), D(2026, 1, 19), M("103000.00")), (D(2026, 1, 20), D(2026, 3, 2), M("88000.00"))]
    )
    assert [(p.days, p.exact) for p in periods] == [(91, M("1640.275")), (42, M("646.80"))]
    # 1,640.275 + 646.80 = 2,287.075 -> 2,287.08
    total = sum(p.exact for p in periods)
    assert total.quantize(M("0.01"), rounding="ROUND_HALF_UP") == M("2287.08")
    # With the 受理费 1,275.00 included, the first segment: 104,275.00 x 0.000175 x 91 = 1,660.579375.
    assert delay_periods([(D(2025, 10, 21), D(2026, 1, 19), M("104275.00"))])[0].exact == M("1660.579375")


def test_the_b6_payment_goes_to_the_instruments_debt_and_none_to_the_doubled_part():
    # LEGAL_RULES B.6: 20,000.00 paid on 2026-01-19 when 1,640.275 of the doubled part has
    # accrued: 3,000.00 lawyer fee, 5,000.00 interest, 12,000.00 principal, nothing doubled.
    allocation = allocate_enforcement_payment(
        amount=M("20000.00"),
        costs=M("3000.00"),
        interest=M("5000.00"),
        principal=M("100000.00"),
        delay_interest=M("1640.28"),
    )
    assert (allocation.costs, allocation.interest, allocation.principal, allocation.delay_interest) == (
        M("3000.00"),
        M("5000.00"),
        M("12000.00"),
        M("0.00"),
    )
    assert allocation.surplus == M("0.00") and allocation.rule == "interest.delay_double@2014"


def test_the_doubled_part_takes_only_what_is_left_after_the_whole_debt():
    allocation = allocate_enforcement_payment(
        amount=M("1000.00"), costs=M("100.00"), interest=M("200.00"), principal=M("500.00"), delay_interest=M("150.00")
    )
    assert (allocation.costs, allocation.interest, allocation.principal, allocation.delay_interest) == (
        M("100.00"),
        M("200.00"),
        M("500.00"),
        M("150.00"),
    )
    assert allocation.surplus == M("50.00")


# The table as installed ---------------------------------------------------------------

needs_db = pytest.mark.django_db


@needs_db
def test_the_migration_installs_every_fixing_of_legal_rules_b5():
    rows = list(LprRate.objects.order_by("effective_from"))
    assert len(rows) == 85
    assert (rows[0].effective_from, rows[0].lpr_1y, rows[0].lpr_5y) == (D(2019, 8, 20), M("0.0425"), M("0.0485"))
    assert (rows[-1].effective_from, rows[-1].lpr_1y, rows[-1].lpr_5y) == (D(2026, 8, 20), M("0.03"), M("0.035"))
    # The scraped seed's two rows that are not fixings are not there.
    assert not LprRate.objects.filter(effective_from__in=[D(2020, 1, 1), D(2023, 1, 1)]).exists()
    # B.5's change points, and only they, change a rate.
    changes, previous = [], None
    for row in rows:
        if (row.lpr_1y, row.lpr_5y) != previous:
            changes.append(row.effective_from)
            previous = (row.lpr_1y, row.lpr_5y)
    assert changes == [
        D(2019, 8, 20), D(2019, 9, 20), D(2019, 11, 20), D(2020, 2, 20), D(2020, 4, 20), D(2021, 12, 20),
        D(2022, 1, 20), D(2022, 5, 20), D(2022, 8, 22), D(2023, 6, 20), D(2023, 8, 21), D(2024, 2, 20),
        D(2024, 7, 22), D(2024, 10, 21), D(2025, 5, 20),
    ]  # fmt: skip


@needs_db
def test_every_installed_fixing_falls_on_its_months_publication_day():
    calendar = holiday_calendar()
    for row in LprRate.objects.all():
        expected, verified = lpr_publication_day(row.effective_from.year, row.effective_from.month, calendar)
        assert (row.effective_from, verified) == (expected, True)


def test_publication_skips_weekends_holidays_and_working_saturdays():
    # 2021-02-20 was a 调休 working Saturday: publication came on Monday 2021-02-22.
    from legalcase.periods import HolidayCalendar

    calendar = HolidayCalendar(
        holidays=frozenset({D(2026, 2, 20), D(2026, 2, 21), D(2026, 2, 22), D(2026, 2, 23)}),
        working_weekend_days=frozenset({D(2021, 2, 20)}),
        verified_years=frozenset({2021, 2026}),
    )
    assert lpr_publication_day(2021, 2, calendar) == (D(2021, 2, 22), True)
    # 2026-02-20 inside the Spring Festival rest: 2026-02-24.
    assert lpr_publication_day(2026, 2, calendar) == (D(2026, 2, 24), True)
    # Without the year's schedule, weekends only, and said so.
    assert lpr_publication_day(2027, 3, WEEKENDS_ONLY) == (D(2027, 3, 22), False)
