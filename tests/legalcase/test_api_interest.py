"""GET /api/v1/calculators/interest/ and /api/v1/lpr/ (API.md "Interest calculator"), with numbers computed by hand."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from rest_framework.test import APIClient

from legalcase.models import AuditEvent, LprRate, Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/calculators/interest/"
LPR_URL = "/api/v1/lpr/"
# After the last fixing the migration installs (2026-08-20), so September's is not "in the future".
TODAY = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def counsel():
    return client_for(make_user(Role.COUNSEL))


def test_the_simple_example_of_api_md_comes_out_exactly(counsel):
    response = counsel.get(
        URL,
        {"principal": "100000.00", "from": "2025-05-01", "to": "2025-06-30", "rate_basis": "lpr_1y", "multiplier": "1.5"},
    )
    assert response.status_code == 200
    assert response.json() == {
        "kind": "simple",
        "principal": "100000.00",
        "from": "2025-05-01",
        "to": "2025-06-30",
        "rate_basis": "lpr_1y",
        "multiplier": "1.5",
        "day_count": 360,
        "days": 60,
        "amount": "757.50",
        "periods": [
            {"from": "2025-05-01", "to": "2025-05-19", "days": 18, "rate": "0.046500", "amount": "232.50"},
            {"from": "2025-05-19", "to": "2025-06-30", "days": 42, "rate": "0.045000", "amount": "525.00"},
        ],
        "rule": "interest@2019",
    }


def test_the_delay_example_of_api_md_comes_out_exactly(counsel):
    response = counsel.get(URL, {"kind": "delay", "principal": "100000.00", "from": "2026-03-06", "to": "2026-04-04"})
    assert response.status_code == 200
    assert response.json() == {
        "kind": "delay",
        "principal": "100000.00",
        "from": "2026-03-06",
        "to": "2026-04-04",
        "daily_rate": "0.000175",
        "days": 30,
        "amount": "525.00",
        "periods": [{"from": "2026-03-06", "to": "2026-04-04", "days": 30, "daily_rate": "0.000175", "amount": "525.00"}],
        "rule": "delay_interest@2014",
    }


def test_delay_counts_both_ends_so_one_day_is_one_day(counsel):
    body = counsel.get(URL, {"kind": "delay", "principal": "100000.00", "from": "2026-03-06", "to": "2026-03-06"}).json()
    # 100,000.00 x 0.000175 x 1
    assert (body["days"], body["amount"]) == (1, "17.50")


def test_the_1y_lpr_across_four_changes_from_the_first_fixing(counsel):
    body = counsel.get(
        URL,
        {"principal": "50000.00", "from": "2019-08-19", "to": "2020-04-30", "rate_basis": "lpr_1y", "multiplier": "1.3"},
    ).json()
    # 1.3 x each day's 1Y LPR; a day = the annual rate / 360; each period rounded half-up.
    # 2019-08-20..09-19  31 days at 5.525% (4.25): 50,000 x 0.05525 x 31 / 360 = 237.8819 -> 237.88
    # 2019-09-20..11-19  61 days at 5.460% (4.20; 2019-10-21 is the same rate): 462.5833 -> 462.58
    # 2019-11-20..02-19  92 days at 5.395% (4.15): 50,000 x 0.05395 x 92 / 360 = 689.3611 -> 689.36
    # 2020-02-20..04-19  60 days at 5.265% (4.05; February 2020 has 29 days): 438.75
    # 2020-04-20..04-30  11 days at 5.005% (3.85): 50,000 x 0.05005 x 11 / 360 = 76.4652 -> 76.47
    assert [(p["from"], p["to"], p["days"], p["rate"], p["amount"]) for p in body["periods"]] == [
        ("2019-08-19", "2019-09-19", 31, "0.055250", "237.88"),
        ("2019-09-19", "2019-11-19", 61, "0.054600", "462.58"),
        ("2019-11-19", "2020-02-19", 92, "0.053950", "689.36"),
        ("2020-02-19", "2020-04-19", 60, "0.052650", "438.75"),
        ("2020-04-19", "2020-04-30", 11, "0.050050", "76.47"),
    ]
    # 237.88 + 462.58 + 689.36 + 438.75 + 76.47
    assert (body["days"], body["amount"]) == (255, "1905.04")


@pytest.mark.parametrize(
    "day_count, amounts, total",
    [
        # 200,000 x 4.60% x 19 / 360 = 485.5556; x 4.45% x 94 / 360 = 2,323.8889; x 4.30% x 40 / 360 = 955.5556
        (360, ["485.56", "2323.89", "955.56"], "3765.01"),
        # / 365: 478.9041; 2,292.0548; 942.4658
        (365, ["478.90", "2292.05", "942.47"], "3713.42"),
    ],
)
def test_the_5y_lpr_across_two_changes_with_360_and_365_days(counsel, day_count, amounts, total):
    body = counsel.get(
        URL,
        {"principal": "200000.00", "from": "2022-04-30", "to": "2022-09-30", "rate_basis": "lpr_5y", "day_count": day_count},
    ).json()
    # 5Y: 4.60 until 2022-05-19, 4.45 from 2022-05-20, 4.30 from 2022-08-22 (the 1Y changed
    # on 2022-08-22 too, and 06-20/07-20 repeat 4.45: none of that splits the 5Y periods).
    assert [(p["from"], p["to"], p["days"], p["rate"]) for p in body["periods"]] == [
        ("2022-04-30", "2022-05-19", 19, "0.046000"),
        ("2022-05-19", "2022-08-21", 94, "0.044500"),
        ("2022-08-21", "2022-09-30", 40, "0.043000"),
    ]
    assert [p["amount"] for p in body["periods"]] == amounts
    assert (body["day_count"], body["multiplier"], body["days"], body["amount"]) == (day_count, "1", 153, total)


@pytest.mark.parametrize(
    "lpr_on, rate, amount",
    [
        # The fixing in effect on 2025-05-19 is 2025-04-21's 3.10: 1.5 x 3.10% x 60 / 360 x 100,000 = 775.00
        ("2025-05-19", "0.046500", "775.00"),
        # 2025-05-20 is the day the 3.00 fixing was published: 4.50% x 60 / 360 x 100,000 = 750.00
        ("2025-05-20", "0.045000", "750.00"),
        # Any day before the whole period: 2019-09-01 is 2019-08-20's 4.25: 6.375% -> 1,062.50
        ("2019-09-01", "0.063750", "1062.50"),
    ],
)
def test_lpr_on_uses_one_fixing_throughout(counsel, lpr_on, rate, amount):
    body = counsel.get(
        URL,
        {
            "principal": "100000.00",
            "from": "2025-05-01",
            "to": "2025-06-30",
            "rate_basis": "lpr_1y",
            "multiplier": "1.5",
            "lpr_on": lpr_on,
        },
    ).json()
    assert body["lpr_on"] == lpr_on
    assert body["periods"] == [{"from": "2025-05-01", "to": "2025-06-30", "days": 60, "rate": rate, "amount": amount}]
    assert body["amount"] == amount


def test_a_contract_rate_answers_its_rate_and_365_days(counsel):
    body = counsel.get(
        URL, {"principal": "100000.00", "from": "2025-01-01", "to": "2025-12-31", "rate": "0.0435", "day_count": "365"}
    ).json()
    # 364 days: 100,000 x 0.0435 x 364 / 365 = 4,338.0822 -> 4,338.08
    assert body == {
        "kind": "simple",
        "principal": "100000.00",
        "from": "2025-01-01",
        "to": "2025-12-31",
        "rate": "0.043500",
        "day_count": 365,
        "days": 364,
        "amount": "4338.08",
        "periods": [{"from": "2025-01-01", "to": "2025-12-31", "days": 364, "rate": "0.043500", "amount": "4338.08"}],
        "rule": "interest@2019",
    }


@pytest.mark.parametrize("role", [Role.COUNSEL, Role.LAWYER, Role.MANAGER, Role.ADMIN])
def test_every_signed_in_role_may_compute_interest(role):
    response = client_for(make_user(role)).get(
        URL, {"kind": "delay", "principal": "100000.00", "from": "2026-03-06", "to": "2026-04-04"}
    )
    assert response.status_code == 200


def test_without_credentials_the_calculator_and_the_table_answer_401():
    assert APIClient().get(URL, {"principal": "1.00", "from": "2025-01-01", "to": "2025-01-02", "rate": "0.1"}).status_code == 401
    assert APIClient().get(LPR_URL).status_code == 401


SIMPLE = {"principal": "100000.00", "from": "2025-05-01", "to": "2025-06-30", "rate_basis": "lpr_1y"}
DELAY = {"kind": "delay", "principal": "100000.00", "from": "2026-03-06", "to": "2026-04-04"}
NOT_FOR_DELAY = "Not used for interest for delayed performance: its rate is 1.75‱ a day, both ends counted."
NO_LPR = "There is no LPR before 2019-08-20, when it was first published."


@pytest.mark.parametrize(
    "params, errors",
    [
        ({**SIMPLE, "to": "2025-04-30"}, {"to": ["The end date is before the start date."]}),
        ({**DELAY, "to": "2026-03-05"}, {"to": ["The end date is before the start date."]}),
        ({**SIMPLE, "principal": "0"}, {"principal": ["The principal must be more than zero."]}),
        ({**SIMPLE, "principal": "-100.00"}, {"principal": ["The principal must be more than zero."]}),
        ({**DELAY, "principal": "0.00"}, {"principal": ["The principal must be more than zero."]}),
        ({**SIMPLE, "from": "2019-08-18"}, {"from": [NO_LPR[:-1] + ": start from 2019-08-19 or later, or give a rate."]}),
        ({**SIMPLE, "lpr_on": "2019-08-19"}, {"lpr_on": [NO_LPR]}),
        ({**DELAY, "rate": "0.05"}, {"rate": [NOT_FOR_DELAY]}),
        ({**DELAY, "rate_basis": "lpr_1y"}, {"rate_basis": [NOT_FOR_DELAY]}),
        ({**DELAY, "day_count": "360"}, {"day_count": [NOT_FOR_DELAY]}),
        ({**DELAY, "multiplier": "2"}, {"multiplier": [NOT_FOR_DELAY]}),
        ({**DELAY, "lpr_on": "2026-03-06"}, {"lpr_on": [NOT_FOR_DELAY]}),
        ({k: v for k, v in SIMPLE.items() if k != "rate_basis"}, {"rate": ["Give a rate, or an LPR basis (rate_basis) with a multiplier."]}),
        ({**SIMPLE, "rate": "0.05"}, {"rate_basis": ["Give a rate or an LPR basis, not both."]}),
        ({k: v for k, v in SIMPLE.items() if k != "rate_basis"} | {"rate": "0.05", "multiplier": "2"}, {"multiplier": ["Only with an LPR basis (rate_basis)."]}),
        ({k: v for k, v in SIMPLE.items() if k != "rate_basis"} | {"rate": "0"}, {"rate": ["The rate must be more than zero."]}),
        ({**SIMPLE, "multiplier": "0"}, {"multiplier": ["The multiplier must be more than zero."]}),
        ({**SIMPLE, "multiplier": "1.333"}, {"multiplier": ["Ensure that there are no more than 2 decimal places."]}),
        ({**SIMPLE, "day_count": "364"}, {"day_count": ["Not one of the allowed values."]}),
        ({**SIMPLE, "rate_basis": "lpr_10y"}, {"rate_basis": ["Not one of the allowed values."]}),
        ({**SIMPLE, "kind": "compound"}, {"kind": ["Not one of the allowed values."]}),
        ({**SIMPLE, "from": "2025-02-30"}, {"from": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]}),
        ({"to": "2025-06-30", "rate": "0.05"}, {"principal": ["This field is required."], "from": ["This field is required."]}),
    ],
)
def test_a_request_the_calculator_cannot_answer_is_400_naming_the_field(counsel, params, errors):
    response = counsel.get(URL, params)
    assert response.status_code == 400
    assert response.json() == errors


# The LPR table ---------------------------------------------------------------------------


def test_the_table_is_listed_newest_first_from_2019_08_20(counsel):
    first = counsel.get(LPR_URL).json()
    assert first["count"] == 85
    assert first["results"][:2] == [
        {"effective_from": "2026-08-20", "lpr_1y": "0.030000", "lpr_5y": "0.035000"},
        {"effective_from": "2026-07-20", "lpr_1y": "0.030000", "lpr_5y": "0.035000"},
    ]
    last = counsel.get(LPR_URL, {"page": 2}).json()["results"]
    assert last[-1] == {"effective_from": "2019-08-20", "lpr_1y": "0.042500", "lpr_5y": "0.048500"}


@pytest.mark.parametrize("role", [Role.COUNSEL, Role.LAWYER, Role.MANAGER])
def test_only_an_administrator_adds_a_fixing(role):
    response = client_for(make_user(role)).post(
        LPR_URL, {"effective_from": "2026-09-21", "lpr_1y": "0.0290", "lpr_5y": "0.0340"}, format="json"
    )
    assert response.status_code == 403
    assert not LprRate.objects.filter(effective_from=dt.date(2026, 9, 21)).exists()
    assert not AuditEvent.objects.filter(action="lpr_changed").exists()


@time_machine.travel(TODAY, tick=False)
def test_an_administrator_adds_the_next_fixing_audited_and_the_calculator_uses_it():
    admin = make_user(Role.ADMIN)
    client = client_for(admin)
    # 2026-09-20 is a 调休 working Sunday, skipped like a weekend: published Monday 2026-09-21.
    response = client.post(LPR_URL, {"effective_from": "2026-09-21", "lpr_1y": "0.029", "lpr_5y": "0.034"}, format="json")
    assert response.status_code == 201
    assert response.json() == {"effective_from": "2026-09-21", "lpr_1y": "0.029000", "lpr_5y": "0.034000"}
    audit = AuditEvent.objects.get(action="lpr_changed")
    assert audit.actor == admin
    assert audit.detail == {"old": None, "new": {"effective_from": "2026-09-21", "lpr_1y": "0.029000", "lpr_5y": "0.034000"}}
    assert audit.target == "LPR 2026-09-21 2.9% / 3.4%"
    assert client.get(LPR_URL).json()["results"][0]["effective_from"] == "2026-09-21"

    body = client.get(URL, {"principal": "100000.00", "from": "2026-08-31", "to": "2026-09-30", "rate_basis": "lpr_1y"}).json()
    # 09-01..09-20, 20 days at 3.00%: 100,000 x 0.03 x 20 / 360 = 166.6667 -> 166.67
    # 09-21..09-30, 10 days at 2.90%: 100,000 x 0.029 x 10 / 360 = 80.5556 -> 80.56
    assert [(p["to"], p["days"], p["amount"]) for p in body["periods"]] == [("2026-09-20", 20, "166.67"), ("2026-09-30", 10, "80.56")]
    assert body["amount"] == "247.23"


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    "body, errors",
    [
        ({"effective_from": "2026-08-20", "lpr_1y": "0.029", "lpr_5y": "0.034"}, {"effective_from": ["The fixing of 2026-08-20 is already in the table."]}),
        (
            {"effective_from": "2026-09-20", "lpr_1y": "0.029", "lpr_5y": "0.034"},
            {"effective_from": ["2026-09-20 is not an LPR publication day: the month's LPR was published on 2026-09-21 (the 20th, or the next working weekday)."]},
        ),
        ({"effective_from": "2019-08-19", "lpr_1y": "0.029", "lpr_5y": "0.034"}, {"effective_from": ["The LPR is published from 2019-08-20."]}),
        ({"effective_from": "2027-01-20", "lpr_1y": "0.029", "lpr_5y": "0.034"}, {"effective_from": ["A fixing cannot be published in the future."]}),
        ({"effective_from": "2026-09-21", "lpr_1y": "2.90", "lpr_5y": "0.034"}, {"lpr_1y": ["Give the rate as a fraction of one: 3.10% a year is 0.031, not 2.900000."]}),
        ({"effective_from": "2026-09-21", "lpr_1y": "0", "lpr_5y": "0.034"}, {"lpr_1y": ["The rate must be more than zero."]}),
        ({"effective_from": "2026-09-21", "lpr_1y": "0.029"}, {"lpr_5y": ["This field is required."]}),
    ],
)
def test_a_fixing_the_table_cannot_take_is_400_and_nothing_is_stored(body, errors):
    before = list(LprRate.objects.values_list("effective_from", "lpr_1y", "lpr_5y"))
    response = client_for(make_user(Role.ADMIN)).post(LPR_URL, body, format="json")
    assert response.status_code == 400
    assert response.json() == errors
    assert list(LprRate.objects.values_list("effective_from", "lpr_1y", "lpr_5y")) == before
    assert not AuditEvent.objects.filter(action="lpr_changed").exists()
