"""The period engine against LEGAL_RULES.md's worked examples."""

import datetime as dt

import chinese_calendar
import pytest

from legalcase.periods import (
    WEEKENDS_ONLY,
    HolidayCalendar,
    LimitationEvent,
    add_months,
    limitation_expiry,
    period_end,
    shift_backward,
)

D = dt.date
CALENDAR = HolidayCalendar(
    holidays=frozenset(chinese_calendar.holidays),
    working_weekend_days=frozenset(chinese_calendar.workdays),
    verified_years=frozenset(range(2004, 2027)),
)


def test_an_appeal_period_ending_in_the_spring_festival_moves_to_the_first_working_day():
    result = period_end(D(2026, 2, 1), days=15, calendar=CALENDAR, rule="appeal@2023")
    assert result.on == D(2026, 2, 24) and result.verified_calendar


def test_an_appeal_period_ending_in_the_national_day_holiday_moves_after_it():
    assert period_end(D(2025, 9, 20), days=15, calendar=CALENDAR, rule="appeal@2023").on == D(2025, 10, 9)


def test_a_date_beyond_the_calendar_data_falls_back_to_weekends_and_is_unverified():
    result = period_end(D(2025, 10, 20), years=2, calendar=CALENDAR, rule="enforcement_application@2023")
    assert result.on == D(2027, 10, 20) and not result.verified_calendar


def test_a_working_weekend_day_counts_as_a_working_day():
    working_sunday = D(2025, 9, 28)  # 调休 before the 2025 National Day holiday
    assert chinese_calendar.is_workday(working_sunday)
    assert period_end(D(2025, 9, 18), days=10, calendar=CALENDAR, rule="t@1").on == working_sunday


@pytest.mark.parametrize(
    "start, months, expected",
    [(D(2026, 1, 31), 1, D(2026, 2, 28)), (D(2028, 2, 29), 12, D(2029, 2, 28)), (D(2026, 3, 2), 12, D(2027, 3, 2))],
)
def test_a_period_in_months_ends_on_the_corresponding_day_or_the_month_end(start, months, expected):
    assert add_months(start, months) == expected


def test_a_renewal_deadline_on_a_rest_day_moves_earlier():
    sunday = D(2026, 3, 1)
    assert shift_backward(sunday, WEEKENDS_ONLY) == (D(2026, 2, 27), False)


def test_limitation_runs_three_years_from_default():
    assert limitation_expiry(start=D(2024, 11, 5), events=[], calendar=CALENDAR).on == D(2027, 11, 5)


def test_a_delivered_demand_restarts_limitation_and_an_earlier_one_does_not_count():
    events = [LimitationEvent(D(2024, 10, 1), "demand"), LimitationEvent(D(2025, 1, 15), "demand")]
    result = limitation_expiry(start=D(2024, 11, 5), events=events, calendar=CALENDAR)
    assert result.on == D(2028, 1, 17)  # 2028-01-15 is a Saturday
    assert result.computed_from["interruptions"] == [{"on": "2025-01-15", "kind": "demand"}]


def test_a_demand_after_expiry_does_not_revive_the_claim():
    events = [LimitationEvent(D(2024, 1, 10), "demand")]
    result = limitation_expiry(start=D(2020, 6, 1), events=events, calendar=CALENDAR)
    assert result.on == D(2023, 6, 1)


def test_a_claim_barred_under_the_old_two_year_rule_stays_barred():
    assert limitation_expiry(start=D(2015, 3, 2), events=[], calendar=CALENDAR).on == D(2017, 3, 2)


def test_a_claim_alive_on_1_october_2017_gets_three_years():
    assert limitation_expiry(start=D(2016, 3, 2), events=[], calendar=CALENDAR).on == D(2019, 3, 4)
