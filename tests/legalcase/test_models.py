import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection

from legalcase.models import AppendOnlyError, Creditor, EventKind, MatterEvent, Party, User
from legalcase.services import matter_number_allocate
from tests.factories import make_matter, make_party


def person(**fields) -> Party:
    base = {"name": "张伟", "id_number": "110105199001011232", "gender": "male", "birth_date": dt.date(1990, 1, 1)}
    return Party(kind="person", **{**base, **fields})


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"id_number": "110105199001011233"}, "校验码"),
        ({"gender": "female"}, "性别"),
        ({"birth_date": dt.date(1991, 1, 1)}, "出生日期"),
    ],
)
def test_a_party_with_a_bad_identity_number_does_not_validate(fields, message):
    with pytest.raises(ValidationError) as error:
        person(**fields).full_clean(validate_unique=False, validate_constraints=False)
    assert message in error.value.message_dict["id_number"][0]


def test_a_valid_party_validates():
    person().full_clean(validate_unique=False, validate_constraints=False)


def test_an_organisation_needs_a_valid_credit_code():
    company = Party(kind="organisation", name="某某贸易有限公司", uscc="91310000MA1FL0099T")
    with pytest.raises(ValidationError) as error:
        company.full_clean(validate_unique=False, validate_constraints=False)
    assert "校验码" in error.value.message_dict["uscc"][0]


def test_a_creditor_needs_a_valid_credit_code():
    with pytest.raises(ValidationError):
        Creditor(name="某银行", uscc="12345").full_clean(validate_unique=False)


@pytest.mark.django_db
def test_the_database_refuses_a_second_party_with_the_same_identity_number():
    make_party(id_number="110105199001011232", gender="male", birth_date=dt.date(1990, 1, 1))
    with pytest.raises(IntegrityError):
        make_party(id_number="110105199001011232", gender="male", birth_date=dt.date(1990, 1, 1))


@pytest.mark.django_db
def test_the_database_refuses_a_lawyer_without_a_firm():
    with pytest.raises(IntegrityError):
        User.objects.create(username="nofirm", role="lawyer")


@pytest.mark.django_db
def test_matter_numbers_follow_the_year_and_a_six_digit_sequence():
    first, second = make_matter(), make_matter()
    year = first.created_at.astimezone().year
    assert first.number.startswith(f"FS-{year}-") and len(first.number) == len("FS-2026-000001")
    assert int(second.number[-6:]) == int(first.number[-6:]) + 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_callers_never_get_the_same_matter_number(postgres_only):
    numbers: list[str] = []
    barrier = threading.Barrier(6)

    def allocate():
        try:
            barrier.wait()
            numbers.extend(matter_number_allocate(year=2031, count=5))
        finally:
            connection.close()

    threads = [threading.Thread(target=allocate) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(numbers) == len(set(numbers)) == 30


@pytest.mark.django_db
def test_the_timeline_is_append_only():
    matter = make_matter()
    event = matter.events.get(kind=EventKind.CREATED)
    event.note = "rewritten history"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert MatterEvent.objects.get(pk=event.pk).note == ""


@pytest.mark.django_db
def test_outstanding_splits_the_claim_into_principal_and_everything_else():
    matter = make_matter()
    assert {k: str(v) for k, v in matter.outstanding.items()} == {
        "costs": "0.00",
        "interest": "4327.50",
        "principal": "48230.55",
        "total": "52558.05",
    }
