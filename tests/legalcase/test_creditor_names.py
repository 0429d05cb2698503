"""Creditor names in narrow places keep what tells two creditors of one bank apart."""

import re

import pytest
from django.urls import reverse

from legalcase.models import Role
from legalcase.templatetags.fasu import creditor_short
from tests.factories import make_creditor, make_matter, make_party, make_user

CARD_CENTRE = "华信银行股份有限公司信用卡中心"
BRANCH = "华信银行股份有限公司北京朝阳支行"


@pytest.mark.parametrize(
    "name, shown",
    [
        (CARD_CENTRE, "华信银行…信用卡中心"),
        (BRANCH, "华信银行…北京朝阳支行"),
        ("某某资产管理有限责任公司上海市分公司", "某某资产管理…上海市分公司"),
        ("华信银行股份有限公司", "华信银行股份有限公司"),  # nothing after the legal form: whole
        ("北京金诚小额贷款中心", "北京金诚小额贷款中心"),
    ],
)
def test_the_legal_form_gives_way_not_the_distinguishing_tail(name, shown):
    assert creditor_short(name) == shown


@pytest.fixture
def two_creditors_of_one_bank():
    return make_creditor(name=CARD_CENTRE), make_creditor(name=BRANCH)


@pytest.mark.django_db
def test_the_debtor_page_tells_the_creditors_apart_and_carries_the_full_names(client, two_creditors_of_one_bank):
    card_centre, branch = two_creditors_of_one_bank
    debtor = make_party("李四")
    make_matter(debtor=debtor, creditor=card_centre)
    make_matter(debtor=debtor, creditor=branch)
    client.force_login(make_user(Role.COUNSEL))
    html = client.get(reverse("debtor_detail", args=[debtor.pk])).content.decode()
    cells = re.findall(r'<td title="([^"]+)">([^<]+)</td>', html)
    assert (CARD_CENTRE, "华信银行…信用卡中心") in cells
    assert (BRANCH, "华信银行…北京朝阳支行") in cells


@pytest.mark.django_db
def test_the_dashboards_creditor_filter_tells_the_creditors_apart(client, two_creditors_of_one_bank):
    card_centre, branch = two_creditors_of_one_bank
    make_matter(creditor=card_centre)
    make_matter(creditor=branch)
    client.force_login(make_user(Role.MANAGER))
    html = client.get(reverse("dashboard")).content.decode()
    select = re.search(r'<select name="creditor">(.*?)</select>', html, re.S).group(1)
    assert f'<option value="{card_centre.pk}" title="{CARD_CENTRE}">华信银行…信用卡中心</option>' in select
    assert f'<option value="{branch.pk}" title="{BRANCH}">华信银行…北京朝阳支行</option>' in select


@pytest.mark.django_db
def test_the_matter_list_tells_the_creditors_apart_and_carries_the_full_names(client, two_creditors_of_one_bank):
    card_centre, branch = two_creditors_of_one_bank
    make_matter(creditor=card_centre)
    make_matter(creditor=branch)
    client.force_login(make_user(Role.COUNSEL))
    html = client.get(reverse("matter_list")).content.decode()
    cells = re.findall(r'<td title="([^"]+)">([^<]+)</td>', html)
    assert (CARD_CENTRE, "华信银行…信用卡中心") in cells
    assert (BRANCH, "华信银行…北京朝阳支行") in cells
