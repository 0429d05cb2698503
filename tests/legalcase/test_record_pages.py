"""The matter page's record section and the creditor's and firm's small pages: each edit through
the page, with its event (old and new, masked), the masked display, and the refusals."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from legalcase.models import (
    AmountStatement,
    AssignmentLawyer,
    AuditEvent,
    Debt,
    EventKind,
    Guarantee,
    MatterEvent,
    Party,
    Role,
)
from tests.factories import make_firm, make_matter, make_party, make_user

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def world():
    firm = make_firm("本所")
    matter = make_matter(firm=firm, debtor=make_party("张三", phone="13812345678"))
    guarantor = make_party("李四", phone="13987654321")
    Guarantee.objects.create(debt=matter.debt, guarantor=guarantor, guarantee_type="joint")
    return {
        "matter": matter,
        "guarantor": guarantor,
        "firm": firm,
        "counsel": make_user(Role.COUNSEL),
        "lawyer": make_user(Role.LAWYER, firm=firm),
        "manager": make_user(Role.MANAGER),
        "stranger": make_user(Role.LAWYER, firm=make_firm("他所")),
    }


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def section(client, matter) -> str:
    response = client.get(reverse("record_section", args=[matter.pk]), **HTMX)
    assert response.status_code == 200
    return response.content.decode()


def invalid_fields(html: str) -> list[str]:
    return re.findall(r'pf-field invalid">\s*<label for="([^"]+)"', html)


def events(matter, kind):
    return list(MatterEvent.objects.filter(matter=matter, kind=kind))


def test_the_matter_page_loads_the_record_section_first(world):
    html = client_for(world["counsel"]).get(reverse("matter_detail", args=[world["matter"].pk])).content.decode()
    record = html.index(f'hx-get="{reverse("record_section", args=[world["matter"].pk])}"')
    assert record < html.index(f'hx-get="{reverse("proceedings_section", args=[world["matter"].pk])}"')


def test_the_section_shows_personal_data_masked_and_never_in_the_forms(world):
    matter = world["matter"]
    debtor = matter.debt.debtor

    html = section(client_for(world["counsel"]), matter)

    assert debtor.masked_id_number in html and "138****5678" in html and "北京市朝阳区******" in html
    for clear in (debtor.id_number, "13812345678", "建国路88号", "1985-03-07", world["guarantor"].id_number):
        assert clear not in html
    assert 'name="id_number"' in html  # counsel may correct it, typing it again
    assert "债务人 张三" in html and "担保人 李四" in html


def test_a_lawyer_edits_without_the_identity_number_a_manager_only_reads(world):
    matter = world["matter"]

    lawyer = section(client_for(world["lawyer"]), matter)
    manager = section(client_for(world["manager"]), matter)

    assert 'name="workplace"' in lawyer and 'name="id_number"' not in lawyer
    assert 'name="lawyer"' not in lawyer and 'name="name_1"' in lawyer
    assert "<form" not in manager and "138****5678" in manager
    response = client_for(world["stranger"]).get(reverse("record_section", args=[matter.pk]), **HTMX)
    assert response.status_code == 404


def test_a_party_is_completed_on_the_page_and_a_blank_masked_box_keeps_the_value(world):
    matter, debtor = world["matter"], world["matter"].debt.debtor
    data = {
        "name": "张三",
        "gender": "male",
        "ethnicity": "汉族",
        "workplace": "北京某某科技有限公司",
        "position": "",
        "address": "",  # masked on the page: left blank, it stays
        "habitual_residence": "",
        "service_address": "北京市海淀区学院路1号",
    }

    response = client_for(world["lawyer"]).post(
        reverse("record_party", args=[matter.pk, debtor.pk]), data, **HTMX
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "已保存当事人信息" in html or "Party details saved." in html
    debtor.refresh_from_db()
    assert (debtor.ethnicity, debtor.workplace) == ("汉族", "北京某某科技有限公司")
    assert debtor.address == "北京市朝阳区建国路88号" and debtor.service_address == "北京市海淀区学院路1号"
    (event,) = events(matter, EventKind.PARTY_CORRECTED)
    assert event.actor == world["lawyer"]
    assert event.old == {"ethnicity": "", "workplace": "", "service_address": ""}
    assert event.new == {"ethnicity": "汉族", "workplace": "北京某某科技有限公司", "service_address": "北京市海淀区*****"}
    assert "学院路" not in html


def test_a_wrong_identity_number_on_the_page_is_shown_next_to_its_box_and_nothing_changes(world):
    matter, debtor = world["matter"], world["matter"].debt.debtor
    data = {"name": "张三", "gender": "male", "id_number": "110105198503071231"}

    response = client_for(world["counsel"]).post(reverse("record_party", args=[matter.pk, debtor.pk]), data, **HTMX)

    assert f"party-{debtor.pk}-id_number" in invalid_fields(response.content.decode())
    assert Party.objects.get(pk=debtor.pk).id_number == debtor.id_number
    assert not events(matter, EventKind.PARTY_CORRECTED)


def test_phones_are_marked_and_added_on_the_page(world):
    matter, debtor = world["matter"], world["matter"].debt.debtor
    stored = debtor.phones.get()

    client_for(world["counsel"]).post(
        reverse("record_phones", args=[matter.pk, debtor.pk]),
        {f"status_{stored.pk}": "do_not_call", "new_number": "139 0000 1111", "new_status": "ok"},
        **HTMX,
    )

    assert list(debtor.phones.values_list("number", "status")) == [("13812345678", "do_not_call"), ("13900001111", "ok")]
    assert Party.objects.get(pk=debtor.pk).phone == "13900001111"
    (event,) = events(matter, EventKind.PARTY_CORRECTED)
    assert event.new["phones"] == [{"number": "138****5678", "status": "do_not_call"}, {"number": "139****1111", "status": "ok"}]


def test_the_debt_terms_are_completed_with_rates_in_percent(world):
    matter = world["matter"]
    data = {
        "contract_number": matter.debt.contract_number,
        "loan_amount": "50,000",
        "disbursed_on": "2021-03-20",
        "repayment_method": "bullet",
        "branch": "某某银行北京朝阳支行",
        "annual_interest_rate": "18.25",
        "day_count": "360",
    }

    client_for(world["counsel"]).post(reverse("record_debt", args=[matter.pk]), data, **HTMX)

    debt = Debt.objects.get(pk=matter.debt_id)
    assert (debt.loan_amount, debt.annual_interest_rate, debt.repayment_method) == (
        Decimal("50000.00"),
        Decimal("0.182500"),
        "bullet",
    )
    (event,) = events(matter, EventKind.DEBT_CORRECTED)
    assert event.new == {
        "loan_amount": "50000.00",
        "disbursed_on": "2021-03-20",
        "repayment_method": "bullet",
        "branch": "某某银行北京朝阳支行",
        "annual_interest_rate": "0.1825",
    }


def test_a_term_ending_before_it_began_is_refused_on_the_page(world):
    matter = world["matter"]
    data = {"disbursed_on": "2021-03-20", "term_ends_on": "2021-01-01", "day_count": "360"}

    response = client_for(world["counsel"]).post(reverse("record_debt", args=[matter.pk]), data, **HTMX)

    assert "debt-term_ends_on" in invalid_fields(response.content.decode())
    assert Debt.objects.get(pk=matter.debt_id).disbursed_on is None


def test_a_new_statement_on_the_page_and_an_earlier_one_refused(world):
    matter = world["matter"]
    client = client_for(world["lawyer"])

    earlier = client.post(reverse("record_amounts", args=[matter.pk]), {"as_of": "2025-01-01", "principal": "1"}, **HTMX)
    later = client.post(
        reverse("record_amounts", args=[matter.pk]),
        {"as_of": "2025-09-30", "principal": "47,000", "interest": "3,000", "repaid_principal": "1230.55"},
        **HTMX,
    )

    assert "amounts-as_of" in invalid_fields(earlier.content.decode())
    html = later.content.decode()
    assert html.index("2025-09-30") < html.index("2025-06-30")  # newest first, the old one kept
    assert list(AmountStatement.objects.filter(debt=matter.debt).values_list("as_of", flat=True).order_by("as_of")) == [
        dt.date(2025, 6, 30),
        dt.date(2025, 9, 30),
    ]
    (event,) = events(matter, EventKind.AMOUNTS_RESTATED)
    assert event.new["principal"] == "47000.00" and event.new["repaid_principal"] == "1230.55"


def test_a_guarantee_is_completed_on_the_page(world):
    matter, guarantor = world["matter"], world["guarantor"]
    data = {"guarantee_signed_on": "2021-03-15", "guarantee_type": "joint", "guarantee_agreed_period": "主债务履行期限届满之日起三年"}

    client_for(world["counsel"]).post(reverse("record_guarantee", args=[matter.pk, guarantor.pk]), data, **HTMX)

    guarantee = Guarantee.objects.get(debt=matter.debt)
    assert guarantee.guarantee_signed_on == dt.date(2021, 3, 15)
    (event,) = events(matter, EventKind.GUARANTEE_CORRECTED)
    assert event.new == {"guarantee_signed_on": "2021-03-15", "guarantee_agreed_period": "主债务履行期限届满之日起三年"}


def test_the_lawyers_are_named_on_the_page_and_a_short_licence_is_refused(world):
    matter = world["matter"]
    client = client_for(world["lawyer"])
    url = reverse("record_lawyers", args=[matter.pk])

    bad = client.post(url, {"name_1": "王律师", "licence_number_1": "123"}, **HTMX)
    good = client.post(url, {"name_1": "王律师", "licence_number_1": "11101201810012345", "phone_1": "13711112222"}, **HTMX)

    assert "17" in bad.content.decode()
    html = good.content.decode()
    assert "11101201810012345" in html and "137****2222" in html and "13711112222" not in html
    assert list(AssignmentLawyer.objects.values_list("name", "phone")) == [("王律师", "13711112222")]
    # The phone is masked on the page, so a blank box keeps it.
    client.post(url, {"name_1": "王律师", "licence_number_1": "11101201810012345", "phone_1": ""}, **HTMX)
    assert list(AssignmentLawyer.objects.values_list("phone", flat=True)) == ["13711112222"]
    assert len(events(matter, EventKind.LAWYERS_SET)) == 1


def test_a_manager_may_not_post_and_another_firms_lawyer_does_not_find_the_matter(world):
    matter, debtor = world["matter"], world["matter"].debt.debtor
    data = {"name": "张三", "workplace": "某公司"}

    manager = client_for(world["manager"]).post(reverse("record_party", args=[matter.pk, debtor.pk]), data, **HTMX)
    stranger = client_for(world["stranger"]).post(reverse("record_party", args=[matter.pk, debtor.pk]), data, **HTMX)
    amounts = client_for(world["manager"]).post(
        reverse("record_amounts", args=[matter.pk]), {"as_of": "2025-09-30", "principal": "1"}, **HTMX
    )

    assert (manager.status_code, stranger.status_code, amounts.status_code) == (403, 404, 403)
    assert Party.objects.get(pk=debtor.pk).workplace == ""
    assert not MatterEvent.objects.filter(matter=matter).exclude(kind=EventKind.CREATED).exists()


def test_counsel_complete_the_creditors_page_and_a_lawyer_may_not(world):
    creditor = world["matter"].debt.creditor
    url = reverse("creditor_edit", args=[creditor.pk]) + f"?matter={world['matter'].pk}"
    data = {"address": creditor.address, "representative": "王某", "representative_title": "负责人", "service_phone": "95555"}

    page = client_for(world["counsel"]).get(url)
    saved = client_for(world["counsel"]).post(url, data)
    refused = client_for(world["lawyer"]).get(url)

    assert page.status_code == 200 and reverse("matter_detail", args=[world["matter"].pk]) in page.content.decode()
    assert saved.status_code == 302
    creditor.refresh_from_db()
    assert (creditor.representative_title, creditor.service_phone) == ("负责人", "95555")
    audit = AuditEvent.objects.get(action="creditor_corrected")
    assert audit.detail["new"] == {"representative_title": "负责人", "service_phone": "95555"}
    assert refused.status_code == 403


def test_a_lawyer_completes_their_firms_address_on_its_page_but_not_another_firms(world):
    lawyer = client_for(world["lawyer"])
    other = make_firm("另一所")

    saved = lawyer.post(reverse("firm_edit", args=[world["firm"].pk]), {"address": "北京市朝阳区光华路1号", "phone": "010-85191300"})
    refused = lawyer.get(reverse("firm_edit", args=[other.pk]))

    assert saved.status_code == 302 and refused.status_code == 403
    world["firm"].refresh_from_db()
    assert world["firm"].address == "北京市朝阳区光华路1号"
    assert AuditEvent.objects.get(action="firm_corrected").actor == world["lawyer"]
    assert "北京市朝阳区光华路1号" in section(lawyer, world["matter"])
