"""The rules of LEGAL_RULES.md sections 1-3 against its worked examples."""

import datetime as dt

import chinese_calendar
import pytest

from legalcase.periods import (
    FREEZE_PERIODS,
    HolidayCalendar,
    appeal_deadline,
    dishonest_listing_end,
    enforcement_application_deadline,
    fee_payment_deadline,
    freeze_expiry,
    freeze_renewal_due,
    judgment_effective,
    performance_end,
    pre_suit_preservation_lapse,
    public_notice_served_on,
    termination_follow_ups,
)

D = dt.date
CALENDAR = HolidayCalendar(
    holidays=frozenset(chinese_calendar.holidays),
    working_weekend_days=frozenset(chinese_calendar.workdays),
    verified_years=frozenset(range(2004, 2027)),
)


# --- Appeal ----------------------------------------------------------------------------


def test_an_appeal_against_a_judgment_served_before_the_spring_festival_ends_after_it():
    result = appeal_deadline(served_on=D(2026, 2, 1), kind="judgment", calendar=CALENDAR)
    assert result.on == D(2026, 2, 24)  # day 15 is 02-16, inside 02-15..02-23
    assert result.rule == "appeal.judgment@2023" and result.verified_calendar
    assert result.computed_from == {"served_on": "2026-02-01", "kind": "judgment", "foreign_domicile": False}


def test_an_appeal_against_a_ruling_runs_ten_days():
    result = appeal_deadline(served_on=D(2026, 3, 2), kind="ruling", calendar=CALENDAR)
    assert (result.on, result.rule) == (D(2026, 3, 12), "appeal.ruling@2023")


@pytest.mark.parametrize("kind", ["judgment", "ruling"])
def test_a_party_with_no_prc_domicile_has_thirty_days_to_appeal(kind):
    result = appeal_deadline(served_on=D(2026, 3, 2), kind=kind, foreign_domicile=True, calendar=CALENDAR)
    assert (result.on, result.rule) == (D(2026, 4, 1), "appeal.no_prc_domicile@2023")


def test_an_appeal_period_ending_on_a_saturday_moves_to_monday():
    assert appeal_deadline(served_on=D(2026, 3, 4), kind="ruling", calendar=CALENDAR).on == D(2026, 3, 16)


def test_an_appeal_period_ending_on_a_working_saturday_ends_that_saturday():
    working_saturday = D(2026, 2, 28)  # 调休 after the 2026 Spring Festival
    assert working_saturday.weekday() == 5 and chinese_calendar.is_workday(working_saturday)
    assert appeal_deadline(served_on=D(2026, 2, 18), kind="ruling", calendar=CALENDAR).on == working_saturday


@pytest.mark.parametrize("kind", ["mediation", "arbitral_award", "Judgment", ""])
def test_an_appeal_deadline_for_a_document_that_is_not_a_judgment_or_ruling_is_refused(kind):
    with pytest.raises(ValueError):
        appeal_deadline(served_on=D(2026, 3, 2), kind=kind, calendar=CALENDAR)


# --- From service to enforcement -------------------------------------------------------


def test_the_worked_chain_runs_from_service_to_the_enforcement_application_deadline():
    appeal = appeal_deadline(served_on=D(2025, 9, 20), kind="judgment", calendar=CALENDAR)
    effective = judgment_effective(appeal_deadline_on=appeal.on)
    performance = performance_end(effective_on=effective.on, days=10, calendar=CALENDAR)
    application = enforcement_application_deadline(performance_end_on=performance.on, calendar=CALENDAR)

    assert appeal.on == D(2025, 10, 9)  # day 15 is 10-05, inside National Day 10-01..10-08
    assert effective.on == D(2025, 10, 10)
    assert performance.on == D(2025, 10, 20)
    assert application.on == D(2027, 10, 20)
    assert [appeal.verified_calendar, effective.verified_calendar, performance.verified_calendar] == [True] * 3
    assert not application.verified_calendar  # 2027 is past the package's data
    assert [appeal.rule, effective.rule, performance.rule, application.rule] == [
        "appeal.judgment@2023",
        "judgment.effective@2023",
        "performance.end@2023",
        "enforcement.application@2023",
    ]
    assert effective.computed_from == {"appeal_deadline_on": "2025-10-09"}
    assert performance.computed_from == {"effective_on": "2025-10-10", "days": 10}
    assert application.computed_from == {"performance_end_on": "2025-10-20"}


def test_a_performance_period_ending_in_a_holiday_moves_after_it():
    assert performance_end(effective_on=D(2026, 2, 5), days=10, calendar=CALENDAR).on == D(2026, 2, 24)


@pytest.mark.parametrize("days", [0, -10])
def test_a_performance_period_without_a_positive_number_of_days_is_refused(days):
    with pytest.raises(ValueError):
        performance_end(effective_on=D(2025, 10, 10), days=days, calendar=CALENDAR)


def test_an_enforcement_application_from_29_february_ends_on_28_february_a_working_saturday():
    result = enforcement_application_deadline(performance_end_on=D(2024, 2, 29), calendar=CALENDAR)
    assert result.on == D(2026, 2, 28) and result.verified_calendar


def test_a_public_notice_is_deemed_served_thirty_days_after_publication_even_on_a_saturday():
    result = public_notice_served_on(published_on=D(2026, 1, 1))
    assert result.on == D(2026, 1, 31) and result.on.weekday() == 5
    assert result.rule == "service.public_notice@2023" and result.verified_calendar
    assert result.computed_from == {"published_on": "2026-01-01", "days": 30}


def test_a_court_fee_due_on_national_day_is_due_on_the_first_working_day_after_the_holiday():
    result = fee_payment_deadline(notice_received_on=D(2026, 9, 24), calendar=CALENDAR)
    assert (result.on, result.rule) == (D(2026, 10, 8), "fee.payment@2007")
    assert result.computed_from == {"notice_received_on": "2026-09-24"}


def test_suit_after_pre_suit_preservation_is_due_within_thirty_days_moved_past_labour_day():
    result = pre_suit_preservation_lapse(measure_on=D(2026, 4, 1), calendar=CALENDAR)
    assert (result.on, result.rule) == (D(2026, 5, 6), "preservation.pre_suit@2023")  # day 30 is 05-01


# --- Freezes and seizures --------------------------------------------------------------


@pytest.mark.parametrize(
    "started_on, property_kind, expected, rule",
    [
        (D(2026, 3, 2), "deposit", D(2027, 3, 1), "freeze.deposit@2022"),
        (D(2028, 2, 29), "deposit", D(2029, 2, 28), "freeze.deposit@2022"),
        (D(2026, 3, 2), "movable", D(2028, 3, 1), "freeze.movable@2022"),
        (D(2026, 3, 2), "real_estate", D(2029, 3, 1), "freeze.real_estate@2022"),
        (D(2026, 3, 2), "property_right", D(2029, 3, 1), "freeze.property_right@2022"),
    ],
)
def test_a_freeze_without_a_stated_date_runs_to_the_day_before_the_start_plus_its_period(
    started_on, property_kind, expected, rule
):
    result = freeze_expiry(started_on=started_on, property_kind=property_kind)
    assert (result.on, result.rule, result.verified_calendar) == (expected, rule, True)


def test_a_freeze_expiry_on_a_holiday_does_not_move():
    assert freeze_expiry(started_on=D(2025, 10, 2), property_kind="deposit").on == D(2026, 10, 1)


def test_the_courts_stated_expiry_wins_over_the_computed_one():
    result = freeze_expiry(started_on=D(2026, 3, 2), property_kind="deposit", stated_expiry=D(2026, 12, 31))
    assert result.on == D(2026, 12, 31)
    assert result.computed_from == {
        "started_on": "2026-03-02",
        "property_kind": "deposit",
        "stated_expiry": "2026-12-31",
    }


def test_a_freeze_of_an_unknown_kind_of_property_is_refused():
    assert set(FREEZE_PERIODS) == {"deposit", "movable", "real_estate", "property_right"}
    with pytest.raises(ValueError):
        freeze_expiry(started_on=D(2026, 3, 2), property_kind="bank_account")


def test_a_stated_expiry_before_the_start_is_refused():
    with pytest.raises(ValueError):
        freeze_expiry(started_on=D(2026, 3, 2), property_kind="deposit", stated_expiry=D(2026, 3, 1))


def test_a_freeze_renewal_is_due_seven_days_before_expiry():
    result = freeze_renewal_due(expires_on=D(2026, 6, 30), calendar=CALENDAR)
    assert (result.on, result.rule, result.verified_calendar) == (D(2026, 6, 23), "freeze.renewal@2016", True)
    assert result.computed_from == {"expires_on": "2026-06-30", "days_before": 7}


def test_a_freeze_renewal_due_on_a_sunday_moves_to_the_friday_before():
    sunday = D(2026, 3, 8)
    assert sunday.weekday() == 6
    assert freeze_renewal_due(expires_on=D(2026, 3, 15), calendar=CALENDAR).on == D(2026, 3, 6)


def test_a_freeze_renewal_due_in_the_national_day_holiday_moves_before_it():
    # Seven days before is 10-05; 10-01..10-07 are the holiday, so the last day is 09-30.
    assert freeze_renewal_due(expires_on=D(2026, 10, 12), calendar=CALENDAR).on == D(2026, 9, 30)


def test_a_freeze_renewal_moving_earlier_stops_at_a_working_saturday():
    # Seven days before is Sunday 03-01; the Saturday before is a 调休 working day.
    assert freeze_renewal_due(expires_on=D(2026, 3, 8), calendar=CALENDAR).on == D(2026, 2, 28)


def test_a_freeze_renewal_in_a_year_beyond_the_calendar_data_is_unverified():
    expiry = freeze_expiry(started_on=D(2026, 3, 2), property_kind="deposit")
    renewal = freeze_renewal_due(expires_on=expiry.on, calendar=CALENDAR)
    assert renewal.on == D(2027, 2, 22) and not renewal.verified_calendar


# --- After enforcement: 终本 and 失信 ---------------------------------------------------


def test_a_termination_ruling_brings_ten_six_monthly_follow_ups_over_five_years():
    follow_ups = termination_follow_ups(terminated_on=D(2026, 1, 15), calendar=CALENDAR)
    assert [f.on for f in follow_ups] == [
        D(2026, 7, 15),
        D(2027, 1, 15),
        D(2027, 7, 15),
        D(2028, 1, 17),  # 01-15 is a Saturday
        D(2028, 7, 17),  # 07-15 is a Saturday
        D(2029, 1, 15),
        D(2029, 7, 16),  # 07-15 is a Sunday
        D(2030, 1, 15),
        D(2030, 7, 15),
        D(2031, 1, 15),
    ]
    assert {f.rule for f in follow_ups} == {"termination.follow_up@2016"}
    assert [f.verified_calendar for f in follow_ups] == [True] + [False] * 9
    assert follow_ups[-1].computed_from == {"terminated_on": "2026-01-15", "months": 60}


@pytest.mark.parametrize("ground", [2, 3, 4, 5, 6])
def test_a_dishonest_listing_on_grounds_two_to_six_lasts_two_years(ground):
    result = dishonest_listing_end(listed_on=D(2026, 3, 2), ground=ground)
    assert (result.on, result.rule) == (D(2028, 3, 2), "dishonest_listing.term@2017")
    assert result.computed_from == {"listed_on": "2026-03-02", "ground": ground, "years": 2}


def test_a_dishonest_listing_from_29_february_ends_on_28_february():
    assert dishonest_listing_end(listed_on=D(2028, 2, 29), ground=2).on == D(2030, 2, 28)


def test_a_dishonest_listing_for_refusing_to_perform_has_no_fixed_end():
    assert dishonest_listing_end(listed_on=D(2026, 3, 2), ground=1) is None


@pytest.mark.parametrize("ground", [0, 7, -1])
def test_a_dishonest_listing_on_an_unknown_ground_is_refused(ground):
    with pytest.raises(ValueError):
        dishonest_listing_end(listed_on=D(2026, 3, 2), ground=ground)
