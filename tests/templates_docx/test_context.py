"""The filing context: the sample's shape exactly, plain data only, markers for what is missing."""

import datetime as dt
from decimal import Decimal

import pytest

from legalcase.models import DemandRecord, Guarantee
from templates_docx.context import matter_context
from templates_docx.sample import SAMPLE_CONTEXT, missing
from tests.factories import make_forum, make_matter, make_party

pytestmark = pytest.mark.django_db

PLAIN = (str, int, bool, Decimal, dt.date, type(None))


def assert_same_shape(value, sample, path="context"):
    if isinstance(sample, dict):
        assert isinstance(value, dict), path
        assert set(value) == set(sample), f"{path}: {set(value) ^ set(sample)}"
        for key in sample:
            assert_same_shape(value[key], sample[key], f"{path}.{key}")
    elif isinstance(sample, list):
        assert isinstance(value, list), path
        for item in value:
            assert_same_shape(item, sample[0], f"{path}[]")
    elif isinstance(sample, bool):
        # A yes/no the matter does not record is None: both boxes stay empty.
        assert isinstance(value, (bool, type(None))), path
    else:
        # A value the matter lacks is a marker or "", whatever the sample's type.
        assert isinstance(value, (type(sample), str)), f"{path}: {type(value).__name__}"
        assert isinstance(value, PLAIN), path


def full_matter():
    matter = make_matter(firm=None)
    debt = matter.debt
    Guarantee.objects.create(debt=debt, guarantor=make_party("李娜", id_number="310105198702034225", gender="female"))
    DemandRecord.objects.create(debt=debt, date=dt.date(2025, 1, 15), channel="sms", delivered=True)
    matter.forum = make_forum("上海市测试区人民法院", address="上海市测试路1号")
    matter.save(update_fields=["forum"])
    return matter


def test_the_context_has_the_samples_keys_and_types():
    assert_same_shape(matter_context(full_matter(), today=dt.date(2026, 3, 2)), SAMPLE_CONTEXT)


def test_the_context_is_plain_data_all_the_way_down():
    def walk(value):
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        else:
            assert isinstance(value, PLAIN), type(value)

    walk(matter_context(full_matter(), today=dt.date(2026, 3, 2)))


def test_amounts_and_fees_follow_the_debt():
    matter = full_matter()
    context = matter_context(matter, today=dt.date(2026, 3, 2))
    debt = matter.debt
    assert context["debt"]["claim_total"] == debt.claim_total
    assert context["debt"]["charges_total"] == debt.claim_total - debt.principal
    from legalcase.calculators import court_fees

    assert context["fees"]["acceptance"] == court_fees(debt.claim_total).acceptance


def test_what_the_matter_lacks_is_marked():
    matter = make_matter()
    context = matter_context(matter, today=dt.date(2026, 3, 2))
    assert context["forum"]["name"] == missing("管辖法院")
    assert context["guarantors"] == []
    assert context["instrument"]["case_number"] == missing("生效文书案号")
