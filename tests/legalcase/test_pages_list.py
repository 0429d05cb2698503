"""The matter list page: who sees what, filters, search, masking and the estimated count."""

from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from legalcase import pagination
from legalcase.models import Role, Stage
from legalcase.services import matter_unassign_firm
from tests.factories import make_firm, make_matter, make_party, make_user

pytestmark = pytest.mark.django_db


def list_html(client, user, **params) -> str:
    client.force_login(user)
    response = client.get(reverse("matter_list"), params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("role", [Role.COUNSEL, Role.MANAGER, Role.ADMIN])
def test_the_list_shows_every_matter_to_roles_that_see_all(client, role):
    matters = [make_matter(), make_matter(firm=make_firm())]
    html = list_html(client, make_user(role))
    assert all(matter.number in html for matter in matters)
    assert "共 2 件" in html


def test_a_lawyer_sees_only_the_matters_of_their_firm(client):
    firm_a, firm_b = make_firm(), make_firm()
    ours, theirs, nobodys = make_matter(firm=firm_a), make_matter(firm=firm_b), make_matter()
    html = list_html(client, make_user(Role.LAWYER, firm=firm_a))
    assert ours.number in html
    assert theirs.number not in html
    assert nobodys.number not in html


def test_ending_an_assignment_removes_the_matter_from_the_lawyer_at_once(client):
    firm = make_firm()
    matter = make_matter(firm=firm)
    lawyer = make_user(Role.LAWYER, firm=firm)
    assert matter.number in list_html(client, lawyer)
    assert client.get(reverse("matter_detail", args=[matter.pk])).status_code == 200

    matter_unassign_firm(user=make_user(Role.COUNSEL), matter_id=matter.pk)

    assert matter.number not in list_html(client, lawyer)
    assert client.get(reverse("matter_detail", args=[matter.pk])).status_code == 404


def test_the_list_shows_the_columns_with_numbers_masked(client):
    debtor = make_party("王五")
    matter = make_matter(debtor=debtor, owner=make_user(Role.COUNSEL, username="counsel-owner"))
    html = list_html(client, make_user())
    assert matter.number in html
    assert "王五" in html
    assert debtor.masked_id_number in html
    assert matter.debt.masked_account_number in html
    assert "52,558.05" in html  # claim_total with thousands separators
    assert "badge stage-intake" in html and "收案" in html
    assert "2024-11-05" in html


def test_the_list_never_shows_full_identity_phone_or_account_numbers(client):
    debtor = make_party("赵六")
    matter = make_matter(debtor=debtor, firm=make_firm())
    html = list_html(client, make_user())
    assert debtor.id_number not in html
    assert debtor.phone not in html
    assert matter.debt.account_number not in html


def test_the_list_filters_by_stage_product_firm_and_owner(client):
    firm = make_firm()
    owner = make_user(Role.COUNSEL)
    litigation = make_matter(stage=Stage.LITIGATION)
    loan = make_matter(product="loan")
    assigned = make_matter(firm=firm)
    owned = make_matter(owner=owner)
    user = make_user()

    html = list_html(client, user, stage="litigation")
    assert litigation.number in html and loan.number not in html

    html = list_html(client, user, product="loan")
    assert loan.number in html and litigation.number not in html

    html = list_html(client, user, firm=firm.pk)
    assert assigned.number in html and loan.number not in html

    html = list_html(client, user, firm="none")
    assert assigned.number not in html and loan.number in html

    html = list_html(client, user, owner=owner.pk)
    assert owned.number in html and loan.number not in html

    html = list_html(client, user, owner="none")
    assert owned.number not in html and loan.number in html


def test_an_unknown_filter_value_is_ignored_rather_than_refused(client):
    matter = make_matter()
    html = list_html(client, make_user(), stage="nonsense", firm="abc")
    assert matter.number in html


def test_searching_a_two_character_name_matches_it_and_longer_names_by_prefix(client):
    zhang_wei = make_matter(debtor=make_party("张伟"))
    zhang_wei_qiang = make_matter(debtor=make_party("张伟强"))
    li_zhang_wei = make_matter(debtor=make_party("李张伟"))
    html = list_html(client, make_user(), q="张伟")
    assert zhang_wei.number in html
    assert zhang_wei_qiang.number in html
    assert li_zhang_wei.number not in html


def test_searching_a_matter_number_or_an_account_number_matches_exactly(client):
    first, second = make_matter(), make_matter()
    user = make_user()

    html = list_html(client, user, q=first.number)
    assert first.number in html and second.number not in html

    html = list_html(client, user, q=second.debt.account_number)
    assert second.number in html and first.number not in html

    html = list_html(client, user, q=second.debt.account_number[:-1])
    assert second.number not in html


def test_the_list_is_paginated_by_fifty_newest_first(client):
    matters = [make_matter() for _ in range(52)]
    user = make_user()
    html = list_html(client, user)
    assert matters[-1].number in html
    assert matters[0].number not in html
    assert "第 1 / 2 页" in html
    html = list_html(client, user, page=2)
    assert matters[0].number in html and matters[1].number in html
    assert matters[-1].number not in html


def test_bulk_actions_are_shown_only_to_roles_that_may_take_them(client):
    make_matter(firm=(firm := make_firm()))
    html = list_html(client, make_user(Role.COUNSEL))
    assert 'value="assign_firm"' in html and 'value="move_stage"' in html

    html = list_html(client, make_user(Role.LAWYER, firm=firm))
    assert 'value="move_stage"' in html
    assert 'value="assign_firm"' not in html and 'value="set_owner"' not in html

    html = list_html(client, make_user(Role.MANAGER))
    assert 'name="action"' not in html


def test_other_databases_count_exactly(client):
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL has pg_class.reltuples; this checks the exact count of other databases")
    make_matter()
    assert "共 1 件" in list_html(client, make_user())


def test_an_unfiltered_list_of_a_big_table_shows_the_estimate(client, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the estimate is pg_class.reltuples")
    firm = make_firm()
    for _ in range(3):
        make_matter(firm=firm)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE legalcase_matter")
    monkeypatch.setattr(pagination, "ESTIMATE_COUNT_ABOVE", 0)
    html = list_html(client, make_user())
    assert "约 3 件" in html
    assert "符合筛选条件的全部案件（约 3 件）" in html

    # Any filter, and a lawyer's firm scope, count exactly.
    assert "共 3 件" in list_html(client, make_user(), stage="intake")
    assert "共 3 件" in list_html(client, make_user(Role.LAWYER, firm=firm))


def test_the_claim_total_is_formatted_with_two_places(client):
    make_matter(principal=Decimal("1234567.5"), interest=0, penalty_interest=0, compound_interest=0, late_fees=0)
    assert "1,234,567.50" in list_html(client, make_user())


def test_the_list_runs_a_few_queries_whatever_the_number_of_rows(client, django_assert_max_num_queries):
    firm, owner = make_firm(), make_user(Role.COUNSEL)
    for _ in range(30):
        make_matter(firm=firm, owner=owner)
    client.force_login(make_user())
    # session, user, firms, owners, (PostgreSQL's estimate), count, the page, its names,
    # the bell's unread count, session save
    with django_assert_max_num_queries(12):
        assert client.get(reverse("matter_list")).status_code == 200
