import datetime as dt

import pytest

from legalcase.identity import (
    IdentityError,
    build_resident_id,
    build_uscc,
    mask_account,
    mask_id_number,
    mask_phone,
    parse_resident_id,
    validate_resident_id,
    validate_uscc,
)

GOOD_ID = "110105199001011232"  # API.md's example: male, born 1990-01-01


def test_it_accepts_a_valid_identity_number_and_reads_birth_and_gender():
    assert parse_resident_id(GOOD_ID) == (dt.date(1990, 1, 1), "male")


def test_it_accepts_a_lower_case_x_check_character():
    number = next(
        n
        for s in range(1, 999)
        if (n := build_resident_id(area_code="310115", birth_date=dt.date(1988, 8, 8), sequence=s)).endswith("X")
    )
    assert validate_resident_id(number.lower()) == number


@pytest.mark.parametrize(
    "number, message",
    [
        ("110105199001011233", "校验码"),
        ("11010519900101123", "18位"),
        ("1101051990010112X2", "18位"),
        ("990105199001011232", "地址码"),
        ("110105199002301234", "出生日期不存在"),
        ("110105299001011232", "不合理"),
    ],
)
def test_it_rejects_a_bad_identity_number_without_echoing_it(number, message):
    with pytest.raises(IdentityError) as error:
        validate_resident_id(number)
    assert message in str(error.value)
    assert number not in str(error.value)


def test_it_rejects_a_gender_that_contradicts_the_number():
    with pytest.raises(IdentityError, match="性别"):
        validate_resident_id(GOOD_ID, gender="female")


def test_it_rejects_a_birth_date_that_contradicts_the_number():
    with pytest.raises(IdentityError, match="出生日期"):
        validate_resident_id(GOOD_ID, birth_date=dt.date(1990, 1, 2))


def test_it_accepts_agreeing_gender_and_birth_date():
    assert validate_resident_id(GOOD_ID, gender="male", birth_date=dt.date(1990, 1, 1)) == GOOD_ID


def test_it_accepts_a_valid_credit_code():
    assert validate_uscc("91310000MA1FL0099U") == "91310000MA1FL0099U"
    assert validate_uscc(build_uscc("91110105MA01ABCD1")).startswith("91110105")


@pytest.mark.parametrize(
    "code, message",
    [
        ("91310000MA1FL0099T", "校验码"),
        ("91310000MA1FL0099", "18位"),
        ("91310000MA1FLI099U", "18位"),  # I is not in the code's alphabet
    ],
)
def test_it_rejects_a_bad_credit_code(code, message):
    with pytest.raises(IdentityError, match=message):
        validate_uscc(code)


def test_masking_keeps_the_agreed_characters_with_one_star_per_hidden_one():
    assert mask_id_number(GOOD_ID) == "110105********1232"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_account("6225880012345678") == "6225********5678"
    assert mask_phone("") == ""
    assert mask_account("1234567") == "*******"
