"""The demo generators: deterministic, realistic, and valid by Fasu's own rules."""

import datetime as dt
import random

from legalcase import demo
from legalcase.identity import validate_resident_id
from legalcase.models import ALLOWED_MOVES, Stage


def test_the_same_seed_draws_the_same_matters():
    first = demo.plan_matters(random.Random(7), count=50)
    second = demo.plan_matters(random.Random(7), count=50)
    assert [(p.debtor, p.debt, p.moves) for p in first] == [(p.debtor, p.debt, p.moves) for p in second]


def test_a_person_has_an_identity_number_that_agrees_with_gender_birth_date_and_address():
    rng = random.Random(1)
    for _ in range(500):
        person = demo.person(rng)
        validate_resident_id(person["id_number"], gender=person["gender"], birth_date=person["birth_date"])
        area = demo.area_of(person)
        assert person["address"].startswith(area.prefix)
        assert person["phone"][:2] in {"13", "15", "16", "17", "18", "19"} and len(person["phone"]) == 11


def test_taken_identity_numbers_are_never_drawn_twice():
    rng, taken = random.Random(3), set()
    numbers = [demo.person(rng, taken=taken, area=demo.AREAS[0])["id_number"] for _ in range(3000)]
    assert len(set(numbers)) == len(numbers) == len(taken)


def test_common_two_character_prefixes_are_shared_by_several_names():
    rng = random.Random(2026)
    names = [demo.person_name(rng, rng.choice(("male", "female"))) for _ in range(20000)]
    with_prefix = [name for name in names if name.startswith("张伟")]
    assert "张伟" in with_prefix and len(set(with_prefix)) >= 3
    assert "王芳" in names


def test_card_numbers_are_sixteen_digits_with_a_luhn_check_digit():
    number = demo.card_number(12345)
    assert len(number) == 16 and number.startswith("62")
    digits = [int(d) for d in reversed(number)]
    assert (sum(digits[0::2]) + sum(sum(divmod(2 * d, 10)) for d in digits[1::2])) % 10 == 0


def test_debts_have_plausible_amounts_rates_and_dates():
    rng = random.Random(5)
    for serial in range(1, 300):
        card, loan = demo.card_debt(rng, serial=serial), demo.loan_debt(rng, serial=serial)
        assert 5000 <= card["principal"] <= 200000 and 50000 <= loan["principal"] <= 2000000
        assert card["annual_interest_rate"] * 1 == demo.Decimal("0.1825")
        assert card["penalty_rate"] * 1 == demo.Decimal("0.27375")
        assert demo.Decimal("0.0435") <= loan["annual_interest_rate"] <= demo.Decimal("0.08")
        assert loan["penalty_rate"] == loan["annual_interest_rate"] * demo.Decimal("1.5")
        for debt in (card, loan):
            assert dt.date(2019, 1, 1) <= debt["contract_date"] <= dt.date(2023, 12, 31)
            assert dt.date(2023, 1, 1) <= debt["overdue_since"] <= dt.date(2025, 12, 31)
            assert debt["contract_date"] < debt["overdue_since"] < debt["amounts_as_of"] <= demo.LATEST_AS_OF
        assert loan["overdue_since"] <= loan["matured_on"]


def test_every_stage_path_uses_allowed_moves_and_ends_in_its_stage():
    rng = random.Random(11)
    for stage in Stage.values:
        for product in ("credit_card", "loan"):
            for _ in range(50):
                moves = demo.stage_path(rng, stage, product=product)
                current = Stage.INTAKE
                for to, reason in moves:
                    assert to in ALLOWED_MOVES[current]
                    assert bool(reason) == (to == Stage.CLOSED)
                    current = to
                assert current == stage


def test_a_smaller_demo_over_every_stage_keeps_the_stages_shares():
    from legalcase.demo.people import STAGE_COUNTS, stage_counts

    assert stage_counts(300) == STAGE_COUNTS
    for count in (20, 80, 301, 1000):
        counts = stage_counts(count)
        assert sum(counts.values()) == count and min(counts.values()) >= 1, count
        for stage, n in counts.items():
            assert abs(n - STAGE_COUNTS[stage] * count / 300) < 1, (count, stage)
    spread = demo.plan_matters(random.Random(7), count=80, every_stage=True)
    assert {plan.moves[-1][0] for plan in spread if plan.moves} | {Stage.INTAKE} == set(Stage.values)
    # The default keeps the early stages first (the demos the templates' tests seed), and at
    # 300 both draw the same demo.
    early = demo.plan_matters(random.Random(7), count=80)
    assert Stage.ENFORCEMENT not in {plan.moves[-1][0] for plan in early if plan.moves}
    same = [demo.plan_matters(random.Random(7), count=300, every_stage=flag) for flag in (False, True)]
    assert [(p.debtor, p.moves) for p in same[0]] == [(p.debtor, p.moves) for p in same[1]]
