"""The deadline engine's dates from enforcement actions, recoveries and court fee notices (issues 7 and 8).

The rows are made directly here: recording them through the enforcement, recovery and
cost services is tested with those services; this file tests what the engine makes of them.
"""

import datetime as dt
from decimal import Decimal

import pytest

from legalcase.models import Cost, Deadline, EnforcementAction, Recovery
from legalcase.services import matter_deadlines_recompute
from tests.factories import make_matter

pytestmark = pytest.mark.django_db
D = dt.date


def action(matter, kind, started_on, **fields) -> EnforcementAction:
    return EnforcementAction.objects.create(matter=matter, kind=kind, started_on=started_on, **fields)


def current(matter, kind) -> list[Deadline]:
    rows = Deadline.objects.filter(matter=matter, kind=kind, superseded_at__isnull=True)
    return list(rows.order_by("sequence", "id"))


def test_a_deposit_freeze_expires_after_a_year_and_its_renewal_is_due_a_week_before():
    matter = make_matter()
    freeze = action(matter, "freeze_deposit", D(2026, 3, 2))
    matter_deadlines_recompute(matter_id=matter.pk)
    [expiry] = current(matter, "freeze_expiry")
    [renewal] = current(matter, "freeze_renewal")
    assert (expiry.due_on, expiry.rule, expiry.enforcement_action) == (D(2027, 3, 1), "freeze.deposit@2022", freeze)
    # 2027-02-22 is a Monday: no shift.
    assert renewal.due_on == D(2027, 2, 22) and renewal.enforcement_action == freeze


@pytest.mark.parametrize(
    ("kind", "expires"),
    [
        ("seize_movable", D(2028, 3, 1)),
        ("seize_real_estate", D(2029, 3, 1)),
        ("freeze_equity", D(2029, 3, 1)),
        ("freeze_receivable", D(2029, 3, 1)),
    ],
)
def test_each_property_type_has_its_period(kind, expires):
    matter = make_matter()
    action(matter, kind, D(2026, 3, 2))
    matter_deadlines_recompute(matter_id=matter.pk)
    assert current(matter, "freeze_expiry")[0].due_on == expires


def test_the_courts_stated_expiry_wins_and_a_renewal_on_a_rest_day_moves_earlier():
    matter = make_matter()
    # Stated expiry Sat 2026-10-10: 7 days before is Sat 10-03 (National Day holiday) -> Wed 09-30.
    action(matter, "freeze_deposit", D(2026, 3, 2), expires_on=D(2026, 10, 10), expiry_stated=True)
    matter_deadlines_recompute(matter_id=matter.pk)
    assert current(matter, "freeze_expiry")[0].due_on == D(2026, 10, 10)
    assert current(matter, "freeze_renewal")[0].due_on == D(2026, 9, 30)


def test_two_freezes_on_one_matter_each_keep_their_own_dates_and_a_renewed_one_drops_out():
    matter = make_matter()
    first = action(matter, "freeze_deposit", D(2026, 3, 2))
    action(matter, "seize_real_estate", D(2026, 4, 1))
    matter_deadlines_recompute(matter_id=matter.pk)
    assert len(current(matter, "freeze_expiry")) == 2
    EnforcementAction.objects.filter(pk=first.pk).update(status="renewed")
    action(matter, "freeze_deposit", D(2027, 2, 25), renews=first)
    matter_deadlines_recompute(matter_id=matter.pk)
    dates = sorted(row.due_on for row in current(matter, "freeze_expiry"))
    assert dates == [D(2028, 2, 24), D(2029, 3, 31)]


def test_termination_brings_ten_follow_ups_numbered_in_order():
    matter = make_matter()
    action(matter, "termination_current", D(2026, 3, 2))
    matter_deadlines_recompute(matter_id=matter.pk)
    follow_ups = current(matter, "termination_follow_up")
    assert [row.sequence for row in follow_ups] == list(range(1, 11))
    assert follow_ups[0].due_on == D(2026, 9, 2) and follow_ups[-1].due_on == D(2031, 3, 3)  # 03-02 is a Sunday
    assert matter_deadlines_recompute(matter_id=matter.pk) and len(current(matter, "termination_follow_up")) == 10


def test_a_dishonest_listing_ends_after_two_years_except_for_ground_one_or_the_courts_date():
    matter = make_matter()
    action(matter, "dishonest_listing", D(2026, 3, 2), listing_ground=2)
    action(matter, "dishonest_listing", D(2026, 3, 2), listing_ground=1)
    action(matter, "dishonest_listing", D(2026, 3, 2), listing_ground=1, ends_on=D(2027, 6, 30))
    matter_deadlines_recompute(matter_id=matter.pk)
    ends = sorted(row.due_on for row in current(matter, "dishonest_listing_end"))
    assert ends == [D(2027, 6, 30), D(2028, 3, 2)]


def test_a_recovery_is_a_part_payment_that_restarts_limitation_and_a_reversed_one_does_not():
    matter = make_matter(overdue_since=D(2025, 3, 3))
    matter_deadlines_recompute(matter_id=matter.pk)
    assert current(matter, "limitation")[0].due_on == D(2028, 3, 3)
    money = {"allocated_costs": Decimal("0"), "allocated_interest": Decimal("100.00"), "allocated_principal": Decimal("0")}
    paid = Recovery.objects.create(
        matter=matter, amount=Decimal("100.00"), received_on=D(2026, 5, 6), source="voluntary", **money
    )
    matter_deadlines_recompute(matter_id=matter.pk)
    assert current(matter, "limitation")[0].due_on == D(2029, 5, 7)  # Sun 2029-05-06 -> Mon
    Recovery.objects.create(
        matter=matter, amount=Decimal("-100.00"), received_on=D(2026, 5, 6), source="voluntary", reverses=paid,
        reason="退票", **{name: -value for name, value in money.items()},
    )  # fmt: skip
    matter_deadlines_recompute(matter_id=matter.pk)
    assert current(matter, "limitation")[0].due_on == D(2028, 3, 3)


def test_a_court_fee_notice_recorded_as_a_cost_gives_the_fee_deadline():
    matter = make_matter()
    Cost.objects.create(
        matter=matter, kind="enforcement_fee", amount=Decimal("500.00"), incurred_on=D(2026, 11, 2),
        notice_received_on=D(2026, 11, 2),
    )  # fmt: skip
    Cost.objects.create(matter=matter, kind="lawyer_fee", amount=Decimal("3000.00"), incurred_on=D(2026, 11, 20))
    matter_deadlines_recompute(matter_id=matter.pk)
    [fee] = current(matter, "fee_payment")
    assert fee.due_on == D(2026, 11, 9)


def test_lifting_a_freeze_supersedes_its_open_dates():
    matter = make_matter()
    freeze = action(matter, "freeze_deposit", D(2026, 3, 2))
    matter_deadlines_recompute(matter_id=matter.pk)
    EnforcementAction.objects.filter(pk=freeze.pk).update(status="lifted")
    matter_deadlines_recompute(matter_id=matter.pk)
    assert current(matter, "freeze_expiry") == [] and current(matter, "freeze_renewal") == []
    assert Deadline.objects.filter(enforcement_action=freeze).count() == 2  # kept as history


def test_a_freeze_renewal_is_reminded_30_days_ahead_and_again_within_7(django_user_model):
    from legalcase.models import Notification
    from legalcase.services.notifications import deadlines_daily
    from tests.factories import make_user

    owner = make_user()
    matter = make_matter(owner=owner)
    action(matter, "freeze_deposit", D(2026, 3, 2))  # renewal due Mon 2027-02-22
    matter_deadlines_recompute(matter_id=matter.pk)
    deadlines_daily(today=D(2027, 1, 20))  # 33 days ahead: nothing yet
    assert not Notification.objects.filter(user=owner).exists()
    deadlines_daily(today=D(2027, 1, 23))  # 30 days ahead
    deadlines_daily(today=D(2027, 1, 24))  # again: nothing new
    assert list(Notification.objects.filter(user=owner).values_list("kind", flat=True)) == ["renewal_month"]
    deadlines_daily(today=D(2027, 2, 15))  # 7 days ahead
    kinds = sorted(Notification.objects.filter(user=owner).values_list("kind", flat=True))
    assert kinds == ["due_soon", "renewal_month"]
