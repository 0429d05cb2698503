"""GET …/documents/check/ (what a filing made now would leave 【待补充】 and what records it) and
PATCH …/filing-details/ (the facts only filings ask for)."""

import json

import pytest
from django.urls import reverse

from legalcase.models import EventKind, Guarantee, MatterEvent, Party, Role
from templates_docx.models import FilingDetails
from tests.factories import make_firm, make_matter, make_party, make_user

pytestmark = pytest.mark.django_db


def check(client, matter, code):
    return client.get(reverse("templates_api:matter-documents-check", args=[matter.pk]), {"template": code})


def patch_details(client, matter, body):
    return client.patch(
        reverse("templates_api:matter-filing-details", args=[matter.pk]),
        data=json.dumps(body),
        content_type="application/json",
    )


@pytest.fixture
def bare():
    """A card matter with only what escalation gives, a firm, two guarantors without an address."""
    firm = make_firm()
    matter = make_matter(firm=firm, debtor=make_party("张三", address=""))
    for name in ("李四", "王五"):
        Guarantee.objects.create(debt=matter.debt, guarantor=make_party(name, address=""))
    return matter


def logged_in(client, role, firm=None):
    client.force_login(make_user(role, firm=firm))
    return client


def test_a_bare_matter_lists_each_missing_element_with_the_call_that_records_it(client, bare):
    logged_in(client, Role.COUNSEL)
    response = check(client, bare, "complaint_credit_card")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["template"] == "complaint_credit_card" and body["version"] >= 1
    entries = {(e["label"], e["path"], e["field"]): e["method"] for e in body["missing"]}
    m, debt = bare.pk, bare.debt
    guarantors = [g.guarantor_id for g in Guarantee.objects.filter(debt=debt).order_by("pk")]
    expected = {
        ("被告住所地", f"/api/v1/matters/{m}/parties/{debt.debtor_id}/", "address"): "PATCH",
        ("保证人住所地", f"/api/v1/matters/{m}/parties/{guarantors[0]}/", "address"): "PATCH",
        ("保证人住所地", f"/api/v1/matters/{m}/parties/{guarantors[1]}/", "address"): "PATCH",
        ("保证合同签订日期", f"/api/v1/matters/{m}/guarantees/{guarantors[0]}/", "guarantee_signed_on"): "PATCH",
        ("保证合同签订日期", f"/api/v1/matters/{m}/guarantees/{guarantors[1]}/", "guarantee_signed_on"): "PATCH",
        ("代理律师姓名", f"/api/v1/matters/{m}/assignment/", "lawyers[].name"): "PATCH",
        ("信用额度", f"/api/v1/matters/{m}/debt/", "loan_amount"): "PATCH",
        ("办卡时间", f"/api/v1/matters/{m}/debt/", "disbursed_on"): "PATCH",
        ("办卡行", f"/api/v1/matters/{m}/debt/", "branch"): "PATCH",
        ("合同签订日期", f"/api/v1/matters/{m}/debt/", "contract_date"): "PATCH",
        ("合同利率", f"/api/v1/matters/{m}/debt/", "rates.annual_interest_rate"): "PATCH",
        ("被告逾期部分已还金额", f"/api/v1/matters/{m}/amounts/", "repaid_principal"): "POST",
        ("被告逾期部分已还金额", f"/api/v1/matters/{m}/amounts/", "repaid_interest"): "POST",
        ("罚息利率", f"/api/v1/matters/{m}/debt/", "rates.penalty_rate"): "PATCH",
        ("合约主要条款提示说明的方式、时间及地点", f"/api/v1/matters/{m}/filing-details/", "terms_notice"): "PATCH",
        ("合约解除条件", f"/api/v1/matters/{m}/filing-details/", "termination_terms"): "PATCH",
        ("证据（尚未上传）", f"/api/v1/matters/{m}/evidence/", "file"): "POST",
        ("管辖法院", f"/api/v1/matters/{m}/forum/", "forum"): "POST",
    }
    for key, method in expected.items():
        assert entries.get(key) == method, key
    # Everything the complaint lacks on a bare matter has a call that records it.
    assert [e for e in body["missing"] if e["path"] is None] == []
    assert len(entries) == len(body["missing"])  # no entry twice


def test_the_preservation_security_is_a_filing_detail_and_the_service_phone_the_creditors(client, bare):
    logged_in(client, Role.COUNSEL)
    body = check(client, bare, "preservation_application").json()
    assert {"label": "保全担保方式", "method": "PATCH", "path": f"/api/v1/matters/{bare.pk}/filing-details/",
            "field": "preservation_security"} in body["missing"]  # fmt: skip
    body = check(client, bare, "demand_letter").json()
    assert {"label": "发卡机构客服电话", "method": "PATCH", "path": f"/api/v1/creditors/{bare.debt.creditor_id}/",
            "field": "service_phone"} in body["missing"]  # fmt: skip
    body = check(client, bare, "power_of_attorney").json()
    assert {"label": "律师事务所地址", "method": "PATCH", "path": f"/api/v1/firms/{bare.assigned_firm_id}/",
            "field": "address"} in body["missing"]  # fmt: skip


def test_once_recorded_the_element_leaves_the_check(client, bare):
    logged_in(client, Role.COUNSEL)
    response = patch_details(client, bare, {"terms_notice": "2021年3月15日柜台口头说明"})
    assert response.status_code == 200, response.content
    labels = {e["label"] for e in check(client, bare, "complaint_credit_card").json()["missing"]}
    assert "合约主要条款提示说明的方式、时间及地点" not in labels
    assert "合约解除条件" in labels
    Party.objects.filter(pk=bare.debt.debtor_id).update(address="上海市徐汇区漕溪北路200号")
    labels = {e["label"] for e in check(client, bare, "complaint_credit_card").json()["missing"]}
    assert "被告住所地" not in labels


def test_an_unknown_template_is_400(client, bare):
    logged_in(client, Role.COUNSEL)
    response = check(client, bare, "no_such_template")
    assert response.status_code == 400
    assert "template" in response.json()
    assert check(client, bare, "").status_code == 400


def test_another_firms_lawyer_gets_404_and_the_firms_lawyer_and_a_manager_may_read(client, bare):
    logged_in(client, Role.LAWYER, firm=make_firm())
    assert check(client, bare, "complaint_credit_card").status_code == 404
    logged_in(client, Role.LAWYER, firm=bare.assigned_firm)
    assert check(client, bare, "complaint_credit_card").status_code == 200
    logged_in(client, Role.MANAGER)
    assert check(client, bare, "complaint_credit_card").status_code == 200
    client.logout()
    assert check(client, bare, "complaint_credit_card").status_code in (401, 403)


def test_setting_filing_details_writes_the_old_and_new_values(client, bare):
    logged_in(client, Role.LAWYER, firm=bare.assigned_firm)
    response = patch_details(client, bare, {"notice_served_on": "2026-02-10", "notice_deadline": "2026-02-20"})
    assert response.status_code == 200, response.content
    assert response.json()["notice_deadline"] == "2026-02-20"
    response = patch_details(client, bare, {"notice_deadline": "2026-02-25", "service_recipient": "周律"})
    assert response.status_code == 200
    details = FilingDetails.objects.get(matter=bare)
    assert (str(details.notice_served_on), str(details.notice_deadline), details.service_recipient) == (
        "2026-02-10",
        "2026-02-25",
        "周律",
    )
    events = list(MatterEvent.objects.filter(matter=bare, kind=EventKind.DEBT_CORRECTED).order_by("pk"))
    assert len(events) == 2
    assert events[1].old == {"filing_details": {"notice_deadline": "2026-02-20", "service_recipient": ""}}
    assert events[1].new == {"filing_details": {"notice_deadline": "2026-02-25", "service_recipient": "周律"}}
    # The same values again change nothing and write nothing.
    assert patch_details(client, bare, {"service_recipient": "周律"}).status_code == 200
    assert MatterEvent.objects.filter(matter=bare, kind=EventKind.DEBT_CORRECTED).count() == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"notice_served_on": "2026-13-01"}, "notice_served_on"),
        ({"notice_served_on": "2999-01-01"}, "notice_served_on"),
        ({"notice_served_on": "2026-02-10", "notice_deadline": "2026-02-01"}, "notice_deadline"),
        ({"contract_place": "上" * 201}, "contract_place"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_filing_details_answer_400_naming_the_field_and_store_nothing(client, bare, body, field):
    logged_in(client, Role.COUNSEL)
    response = patch_details(client, bare, body)
    assert response.status_code == 400
    assert field in response.json()
    assert not FilingDetails.objects.filter(matter=bare).exists()
    assert not MatterEvent.objects.filter(matter=bare, kind=EventKind.DEBT_CORRECTED).exists()


def test_filing_details_refuse_a_manager_403_and_another_firm_404(client, bare):
    logged_in(client, Role.MANAGER)
    assert patch_details(client, bare, {"contract_place": "上海"}).status_code == 403
    logged_in(client, Role.LAWYER, firm=make_firm())
    assert patch_details(client, bare, {"contract_place": "上海"}).status_code == 404
    assert not FilingDetails.objects.filter(matter=bare).exists()
