"""The pure settlement rules: instalments paid, late and missed from the payments; equal monthly schedules."""

import datetime as dt
from decimal import Decimal

import pytest

from legalcase.settlements import (
    LATE,
    MISSED,
    PAID,
    PENDING,
    add_months,
    days_late,
    equal_instalments,
    instalment_statuses,
)

D = dt.date
M = Decimal
# Two instalments of 1,000.00, due 31 March and 30 April 2026.
SCHEDULE = [(D(2026, 3, 31), M("1000.00")), (D(2026, 4, 30), M("1000.00"))]


def statuses(payments, today, grace_days=15, schedule=SCHEDULE):
    return instalment_statuses(schedule, payments, today=today, grace_days=grace_days)


def test_nothing_paid_before_the_due_date_is_pending():
    first, second = statuses([], D(2026, 3, 31))
    assert (first.status, first.paid_amount, first.paid_on, first.days_late) == (PENDING, M("0.00"), None, 0)
    assert second.status == PENDING


@pytest.mark.parametrize(
    "today, status, late",
    [
        (D(2026, 3, 31), PENDING, 0),  # the due day itself
        (D(2026, 4, 1), LATE, 1),  # the day after
        (D(2026, 4, 15), LATE, 15),  # due + 15: the last day of grace
        (D(2026, 4, 16), MISSED, 16),  # due + 16
    ],
)
def test_an_unpaid_instalment_is_late_through_the_grace_period_and_missed_after(today, status, late):
    first = statuses([], today)[0]
    assert (first.status, first.days_late) == (status, late)


def test_with_no_grace_the_day_after_the_due_date_is_missed():
    assert statuses([], D(2026, 4, 1), grace_days=0)[0].status == MISSED


def test_a_payment_on_the_due_date_pays_it_on_time():
    first, second = statuses([(D(2026, 3, 31), M("1000.00"))], D(2026, 5, 1))
    assert (first.status, first.paid_on, first.days_late, first.paid_late) == (PAID, D(2026, 3, 31), 0, False)
    assert (second.status, second.days_late) == (LATE, 1)


def test_a_payment_after_the_due_date_still_pays_it_but_late():
    first = statuses([(D(2026, 4, 20), M("1000.00"))], D(2026, 4, 25))[0]
    assert (first.status, first.paid_on, first.days_late, first.paid_late) == (PAID, D(2026, 4, 20), 20, True)


def test_part_payments_add_up_and_the_one_that_completes_it_gives_the_day():
    payments = [(D(2026, 3, 20), M("400.00")), (D(2026, 4, 5), M("600.00"))]
    first = statuses(payments, D(2026, 4, 10))[0]
    assert (first.status, first.paid_amount, first.paid_on, first.days_late) == (PAID, M("1000.00"), D(2026, 4, 5), 5)


def test_a_partial_payment_shows_what_was_paid_and_the_instalment_is_still_late():
    first = statuses([(D(2026, 3, 30), M("250.50"))], D(2026, 4, 2))[0]
    assert (first.status, first.paid_amount, first.paid_on) == (LATE, M("250.50"), None)


def test_one_large_payment_covers_instalments_in_order_and_the_rest_goes_to_the_next():
    first, second = statuses([(D(2026, 3, 25), M("1500.00"))], D(2026, 5, 20))
    assert (first.status, first.paid_on) == (PAID, D(2026, 3, 25))
    # 500.00 toward the second, due 30 April; on 20 May it is 20 days overdue: missed.
    assert (second.status, second.paid_amount, second.days_late) == (MISSED, M("500.00"), 20)


def test_payments_apply_oldest_first_whatever_order_they_come_in():
    payments = [(D(2026, 4, 28), M("1000.00")), (D(2026, 3, 30), M("1000.00"))]
    first, second = statuses(payments, D(2026, 5, 1))
    assert (first.paid_on, second.paid_on) == (D(2026, 3, 30), D(2026, 4, 28))
    assert not first.paid_late and not second.paid_late


def test_a_payment_after_today_is_not_counted_yet():
    first = statuses([(D(2026, 4, 2), M("1000.00"))], D(2026, 4, 1))[0]
    assert (first.status, first.paid_amount) == (LATE, M("0.00"))


def test_an_overpayment_is_left_over_and_changes_nothing():
    first, second = statuses([(D(2026, 3, 1), M("2500.00"))], D(2026, 3, 2))
    assert first.status == second.status == PAID
    assert second.paid_amount == M("1000.00") and second.paid_on == D(2026, 3, 1)


def test_days_late_of_a_stored_instalment():
    assert days_late(due_on=D(2026, 3, 31), paid_on=None, today=D(2026, 4, 10)) == 10
    assert days_late(due_on=D(2026, 3, 31), paid_on=D(2026, 4, 3), today=D(2026, 6, 1)) == 3
    assert days_late(due_on=D(2026, 3, 31), paid_on=None, today=D(2026, 3, 1)) == 0


# Equal monthly instalments ------------------------------------------------------------


def test_equal_instalments_put_the_fen_left_over_on_the_last():
    assert equal_instalments(M("1000.00"), 3, D(2026, 1, 15)) == [
        (D(2026, 1, 15), M("333.33")),
        (D(2026, 2, 15), M("333.33")),
        (D(2026, 3, 15), M("333.34")),
    ]


def test_equal_instalments_from_the_31st_clamp_to_each_month_end_and_come_back():
    days = [day for day, _amount in equal_instalments(M("50000.00"), 5, D(2026, 1, 31))]
    assert days == [D(2026, 1, 31), D(2026, 2, 28), D(2026, 3, 31), D(2026, 4, 30), D(2026, 5, 31)]


def test_equal_instalments_cross_the_year_and_reach_a_leap_february():
    days = [day for day, _amount in equal_instalments(M("300.00"), 3, D(2027, 12, 29))]
    assert days == [D(2027, 12, 29), D(2028, 1, 29), D(2028, 2, 29)]
    assert add_months(D(2028, 1, 31), 1) == D(2028, 2, 29)


def test_equal_instalments_add_up_exactly():
    schedule = equal_instalments(M("57961.19"), 12, D(2026, 3, 31))
    assert sum(amount for _day, amount in schedule) == M("57961.19")
    assert schedule[0][1] == M("4830.09") and schedule[-1][1] == M("4830.20")


def test_equal_instalments_need_at_least_one():
    with pytest.raises(ValueError):
        equal_instalments(M("100.00"), 0, D(2026, 1, 1))
