"""The v1.1 escalation fields and import columns (API.md, "Escalations" and "Import file columns"):
what comes in is what the matter then shows; a bad value is refused naming the field, nothing stored."""

import csv
import datetime as dt
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from legalcase.escalation_input import EscalationSerializer, escalation_fast_validate
from legalcase.importing.reading import COLUMNS
from legalcase.models import AmountStatement, Debt, Guarantee, Matter, Party, Role
from legalcase.importing import escalations_import
from tests.factories import escalation_body, make_user
from tests.legalcase.test_import import CHINESE, ENGLISH, read_errors, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def counsel():
    return make_user(Role.COUNSEL)


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def v11_body(**overrides):
    body = escalation_body()
    body["creditor"] |= {"service_phone": "400-820-0000", "representative_title": "负责人"}
    body["debtor"] |= {
        "phones": [{"number": "13812345678", "status": "ok"}, {"number": "13700001111", "status": "do_not_call"}],
        "ethnicity": "汉族",
        "workplace": "北京某某科技有限公司",
        "position": "工程师",
        "habitual_residence": "北京市海淀区学院路1号",
        "service_address": "北京市朝阳区建国路88号",
    }
    body["guarantors"][0] |= {"guarantee_signed_on": "2021-03-15", "guarantee_agreed_period": "主债务履行期限届满之日起三年"}
    body["amounts"] |= {"repaid_principal": "1769.45", "repaid_interest": "620.00", "interest_paid_to": "2024-10-28"}
    body["debt"] = {
        "loan_amount": "50000.00",
        "disbursed_on": "2021-03-20",
        "repayment_method": "other",
        "branch": "某某银行信用卡中心北京分中心",
    }
    return {**body, **overrides}


def test_an_escalation_with_the_v11_fields_round_trips_to_the_matter(counsel):
    response = client_for(counsel).post("/api/v1/escalations/", v11_body(), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["creditor"]["service_phone"] == "400-820-0000" and body["creditor"]["representative_title"] == "负责人"
    debtor = body["debtor"]
    assert (debtor["ethnicity"], debtor["workplace"], debtor["position"]) == ("汉族", "北京某某科技有限公司", "工程师")
    assert debtor["habitual_residence"] == "北京市海淀区*****" and debtor["service_address"] == "北京市朝阳区******"
    assert debtor["phone"] == "138****5678"
    assert [(p["number"], p["status"]) for p in debtor["phones"]] == [("138****5678", "ok"), ("137****1111", "do_not_call")]
    (guarantor,) = body["guarantors"]
    assert guarantor["guarantee_signed_on"] == "2021-03-15"
    assert guarantor["guarantee_agreed_period"] == "主债务履行期限届满之日起三年"
    assert body["amounts"]["repaid_principal"] == "1769.45" and body["amounts"]["interest_paid_to"] == "2024-10-28"
    assert body["debt"]["loan_amount"] == "50000.00" and body["debt"]["repayment_method"] == "other"
    assert body["debt"]["branch"] == "某某银行信用卡中心北京分中心" and body["debt"]["disbursed_on"] == "2021-03-20"
    (statement,) = AmountStatement.objects.filter(debt__matter__pk=body["id"])
    assert (statement.as_of, statement.repaid_interest) == (dt.date(2025, 6, 30), Decimal("620.00"))


def test_a_repeat_with_new_amounts_adds_a_statement_and_keeps_the_old(counsel):
    client = client_for(counsel)
    client.post("/api/v1/escalations/", v11_body(), format="json")
    later = v11_body()
    later["amounts"] = {"as_of": "2025-09-30", "principal": "47000.00"}
    later["guarantors"][0].pop("guarantee_signed_on")

    response = client.post("/api/v1/escalations/", later, format="json")

    assert response.status_code == 200
    statements = AmountStatement.objects.filter(debt__account_number="6225880012345678").order_by("as_of")
    assert [s.as_of for s in statements] == [dt.date(2025, 6, 30), dt.date(2025, 9, 30)]
    # A v1.1 guarantee term left out of the repeat keeps what was recorded.
    assert Guarantee.objects.get().guarantee_signed_on == dt.date(2021, 3, 15)


@pytest.mark.parametrize(
    "change, path",
    [
        (lambda b: b["debt"].update(repayment_method="sometimes"), ("debt", "repayment_method")),
        (lambda b: b["debt"].update(disbursed_on="2021-03-20", term_ends_on="2021-01-01"), ("debt", "term_ends_on")),
        (lambda b: b["debt"].update(loan_amount="-5"), ("debt", "loan_amount")),
        (lambda b: b["debtor"].update(phones=[{"number": "call me"}]), ("debtor", "phones")),
        (lambda b: b["debtor"].update(phones=[{"number": "13800000000", "status": "maybe"}]), ("debtor", "phones")),
        (lambda b: b["debtor"].update(ethnicity="x" * 21), ("debtor", "ethnicity")),
        (lambda b: b["amounts"].update(interest_paid_to="2025-07-01"), ("amounts", "interest_paid_to")),
        (lambda b: b["amounts"].update(repaid_principal="abc"), ("amounts", "repaid_principal")),
        (lambda b: b["guarantors"][0].update(guarantee_signed_on="2021-13-01"), ("guarantors",)),
        (lambda b: b["creditor"].update(service_phone="1" * 31), ("creditor", "service_phone")),
    ],
)
def test_a_bad_v11_field_is_refused_naming_it_and_nothing_is_stored(counsel, change, path):
    body = v11_body()
    change(body)

    response = client_for(counsel).post("/api/v1/escalations/", body, format="json")

    assert response.status_code == 400, response.content
    errors = response.json()
    for key in path:
        errors = errors[key]
    assert errors
    assert "13800000000" not in response.content.decode()
    assert not Matter.objects.exists() and not Party.objects.exists() and not AmountStatement.objects.exists()


V11_CHINESE = {
    "loan_amount": "授信额度",
    "disbursed_on": "发卡日期",
    "term_ends_on": "贷款到期日",
    "repayment_method": "还款方式",
    "branch": "支行",
    "debtor_workplace": "工作单位",
    "debtor_ethnicity": "民族",
    "debtor_service_address": "约定送达地址",
    "repaid_principal": "已还本金",
    "repaid_interest": "已还利息",
    "interest_paid_to": "利息已还至",
}


def test_every_v11_column_is_in_the_table_with_its_chinese_header():
    for name, header in V11_CHINESE.items():
        assert header in COLUMNS[name][0] and COLUMNS[name][1] is False


def test_an_import_with_the_v11_columns_under_chinese_headers_stores_them(tmp_path, counsel):
    v11 = {
        "loan_amount": "50,000",
        "disbursed_on": "2021/3/20",
        "term_ends_on": "",
        "repayment_method": "等额本息",
        "branch": "某某银行北京朝阳支行",
        "debtor_workplace": "北京某某科技有限公司",
        "debtor_ethnicity": "回族",
        "debtor_service_address": "北京市朝阳区建国路88号",
        "repaid_principal": "1,769.45",
        "repaid_interest": "620",
        "interest_paid_to": "2024年10月28日",
    }
    bad = {**v11, "repayment_method": "随缘", "interest_paid_to": "2025-07-31"}
    path = tmp_path / "bank.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(CHINESE + list(V11_CHINESE.values()))
        for values, extra in ((row(1, product="信用卡"), v11), (row(2, product="信用卡"), bad)):
            writer.writerow([values[name] for name in ENGLISH] + [extra[name] for name in V11_CHINESE])

    result = escalations_import(user=counsel, path=path)

    assert (result["created"], result["rejected"]) == (1, 1)
    debt = Debt.objects.select_related("debtor").get(account_number=row(1)["account_number"])
    assert (debt.loan_amount, debt.disbursed_on, debt.term_ends_on) == (Decimal("50000.00"), dt.date(2021, 3, 20), None)
    assert (debt.repayment_method, debt.branch) == ("equal_installment", "某某银行北京朝阳支行")
    assert (debt.repaid_principal, debt.repaid_interest, debt.interest_paid_to) == (
        Decimal("1769.45"),
        Decimal("620.00"),
        dt.date(2024, 10, 28),
    )
    assert (debt.debtor.workplace, debt.debtor.ethnicity, debt.debtor.service_address) == (
        "北京某某科技有限公司",
        "回族",
        "北京市朝阳区建国路88号",
    )
    assert list(debt.debtor.phones.values_list("number", "status")) == [(row(1)["debtor_phone"], "ok")]
    assert AmountStatement.objects.get(debt=debt).repaid_principal == Decimal("1769.45")
    (_header, (line, reasons, *_cells)) = read_errors(path)
    assert line == "3"
    assert "还款方式" in reasons and "利息已还至" in reasons


def test_the_fast_validation_agrees_with_the_serializer_on_the_v11_fields():
    body = {
        "creditor": {"name": "某某银行", "uscc": "91310000MA1FL0099U"},
        "product": "loan",
        "account_number": "1234567890",
        "debtor": {
            "name": "张三",
            "id_number": "110105199001011232",
            "phone": "13812345678",
            "workplace": "某公司",
            "ethnicity": "汉族",
            "service_address": "北京市朝阳区建国路88号",
        },
        "amounts": {
            "as_of": "2025-06-30",
            "principal": "100.00",
            "repaid_principal": "5.00",
            "interest_paid_to": "2025-01-31",
        },
        "overdue_since": "2024-11-05",
        "debt": {"loan_amount": "50000.00", "disbursed_on": "2021-03-20", "repayment_method": "bullet", "branch": "某支行"},
    }
    serializer = EscalationSerializer(data=body)
    assert serializer.is_valid(), serializer.errors

    fast = escalation_fast_validate(body)

    assert fast is not None
    assert fast == serializer.validated_data
    assert escalation_fast_validate({**body, "debt": {"repayment_method": "sometimes"}}) is None
    assert escalation_fast_validate({**body, "amounts": {**body["amounts"], "interest_paid_to": "2025-07-01"}}) is None
