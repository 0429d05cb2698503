"""Correcting and completing the record through the API (API.md v1.1): each edit's event with old
and new values, masked; 404 for another firm's matter, 403 for a manager, a lawyer on their
matter allowed; every bad input refused with nothing stored."""

import datetime as dt
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from legalcase.identity import build_resident_id
from legalcase.models import (
    AmountStatement,
    AuditEvent,
    Deadline,
    Debt,
    EventKind,
    Guarantee,
    Matter,
    MatterEvent,
    Party,
    Role,
)
from legalcase.services import matter_deadlines_recompute
from tests.factories import make_firm, make_matter, make_party, make_user

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def world():
    firm, other = make_firm("本所"), make_firm("他所")
    matter = make_matter(firm=firm, debtor=make_party("张三", phone="13812345678"))
    guarantor = make_party("李四", phone="13987654321")
    Guarantee.objects.create(debt=matter.debt, guarantor=guarantor, guarantee_type="joint")
    return {
        "matter": matter,
        "guarantor": guarantor,
        "theirs": make_matter(firm=other),
        "counsel": make_user(Role.COUNSEL),
        "lawyer": make_user(Role.LAWYER, firm=firm),
        "manager": make_user(Role.MANAGER),
        "admin": make_user(Role.ADMIN),
        "firm": firm,
        "other_firm": other,
    }


def events(matter, kind) -> list[MatterEvent]:
    return list(MatterEvent.objects.filter(matter=matter, kind=kind).order_by("id"))


# --- Debt terms ------------------------------------------------------------------------


def test_a_lawyer_completes_the_debt_terms_of_their_matter_and_the_event_has_old_and_new(world):
    matter = world["matter"]
    body = {
        "loan_amount": "50000",
        "disbursed_on": "2021-03-20",
        "repayment_method": "equal_installment",
        "branch": "某某银行北京朝阳支行",
        "rates": {"annual_interest_rate": "0.1825", "day_count": 365},
    }

    response = client_for(world["lawyer"]).patch(f"/api/v1/matters/{matter.pk}/debt/", body, format="json")

    assert response.status_code == 200, response.content
    debt = response.json()["debt"]
    assert debt["loan_amount"] == "50000.00" and debt["disbursed_on"] == "2021-03-20"
    assert debt["repayment_method"] == "equal_installment" and debt["branch"] == "某某银行北京朝阳支行"
    assert debt["rates"] == {"annual_interest_rate": "0.1825", "penalty_rate": None, "compound_rate": None, "day_count": 365}
    (event,) = events(matter, EventKind.DEBT_CORRECTED)
    assert event.actor == world["lawyer"]
    assert event.old == {
        "loan_amount": None,
        "disbursed_on": None,
        "repayment_method": "",
        "branch": "",
        "annual_interest_rate": None,
        "day_count": 360,
    }
    assert event.new == {
        "loan_amount": "50000.00",
        "disbursed_on": "2021-03-20",
        "repayment_method": "equal_installment",
        "branch": "某某银行北京朝阳支行",
        "annual_interest_rate": "0.1825",
        "day_count": 365,
    }
    assert event.note == f"信用卡 {matter.debt.masked_account_number}"  # the account, masked


@pytest.mark.parametrize(
    "body, field",
    [
        ({"colour": "red"}, "colour"),
        ({"contract_date": "2999-01-01"}, "contract_date"),
        ({"disbursed_on": "2022-01-01", "term_ends_on": "2021-12-31"}, "term_ends_on"),
        ({"repayment_method": "whenever"}, "repayment_method"),
        ({"loan_amount": "-1"}, "loan_amount"),
        ({"rates": {"annual_interest_rate": "abc"}}, "rates"),
        ({"rates": {"day_count": 300}}, "rates"),
        ({"rates": {"mystery_rate": "0.1"}}, "rates"),
    ],
)
def test_bad_debt_terms_are_refused_naming_the_field_and_nothing_changes(world, body, field):
    matter = world["matter"]
    before = Debt.objects.filter(pk=matter.debt_id).values().get()

    response = client_for(world["counsel"]).patch(f"/api/v1/matters/{matter.pk}/debt/", body, format="json")

    assert response.status_code == 400 and field in response.json(), response.content
    assert Debt.objects.filter(pk=matter.debt_id).values().get() == before
    assert not events(matter, EventKind.DEBT_CORRECTED)


def test_another_firms_matter_is_not_found_and_a_manager_may_not_edit(world):
    theirs, matter = world["theirs"], world["matter"]
    lawyer, manager = client_for(world["lawyer"]), client_for(world["manager"])
    for path, body in (
        ("debt/", {"branch": "某支行"}),
        ("amounts/", {"as_of": "2025-07-31", "principal": "1.00"}),
        (f"parties/{theirs.debt.debtor_id}/", {"workplace": "某公司"}),
    ):
        method = "post" if path == "amounts/" else "patch"
        assert getattr(lawyer, method)(f"/api/v1/matters/{theirs.pk}/{path}", body, format="json").status_code == 404
        own_path = path.replace(str(theirs.debt.debtor_id), str(matter.debt.debtor_id))
        assert getattr(manager, method)(f"/api/v1/matters/{matter.pk}/{own_path}", body, format="json").status_code == 403
    guarantor = world["guarantor"].pk
    assert manager.patch(f"/api/v1/matters/{matter.pk}/guarantees/{guarantor}/", {}, format="json").status_code == 403
    assert manager.patch(f"/api/v1/matters/{matter.pk}/assignment/", {"lawyers": []}, format="json").status_code == 403
    assert lawyer.patch(f"/api/v1/matters/{theirs.pk}/assignment/", {"lawyers": []}, format="json").status_code == 404
    assert MatterEvent.objects.filter(kind__in=[EventKind.DEBT_CORRECTED, EventKind.AMOUNTS_RESTATED,
                                                EventKind.PARTY_CORRECTED]).count() == 0  # fmt: skip
    # The manager still reads the matter and its statements.
    assert manager.get(f"/api/v1/matters/{matter.pk}/amounts/").status_code == 200


# --- Amounts ----------------------------------------------------------------------------


def test_a_new_statement_becomes_the_amounts_and_the_old_one_is_kept(world):
    matter = world["matter"]
    client = client_for(world["counsel"])
    body = {
        "as_of": "2025-09-30",
        "principal": "46461.10",
        "interest": "3980.00",
        "late_fees": "300.00",
        "repaid_principal": "1769.45",
        "repaid_interest": "620.00",
        "interest_paid_to": "2024-10-28",
    }

    response = client.post(f"/api/v1/matters/{matter.pk}/amounts/", body, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["total"] == "50741.10" and response.json()["repaid_principal"] == "1769.45"
    detail = client.get(f"/api/v1/matters/{matter.pk}/").json()
    assert detail["amounts"] == {
        "as_of": "2025-09-30",
        "principal": "46461.10",
        "interest": "3980.00",
        "penalty_interest": "0.00",
        "compound_interest": "0.00",
        "late_fees": "300.00",
        "fees": "0.00",
        "total": "50741.10",
        "repaid_principal": "1769.45",
        "repaid_interest": "620.00",
        "interest_paid_to": "2024-10-28",
    }
    assert detail["outstanding"] == {"costs": "0.00", "interest": "4280.00", "principal": "46461.10", "total": "50741.10"}
    history = client.get(f"/api/v1/matters/{matter.pk}/amounts/").json()
    assert [row["as_of"] for row in history["results"]] == ["2025-09-30", "2025-06-30"]
    assert history["results"][1]["total"] == "52558.05"
    (event,) = events(matter, EventKind.AMOUNTS_RESTATED)
    assert event.old == {
        "as_of": "2025-06-30",
        "principal": "48230.55",
        "interest": "3120.40",
        "penalty_interest": "812.00",
        "compound_interest": "95.10",
        "repaid_principal": "0.00",
        "repaid_interest": "0.00",
        "interest_paid_to": None,
    }
    assert event.new == {
        "as_of": "2025-09-30",
        "principal": "46461.10",
        "interest": "3980.00",
        "penalty_interest": "0.00",
        "compound_interest": "0.00",
        "repaid_principal": "1769.45",
        "repaid_interest": "620.00",
        "interest_paid_to": "2024-10-28",
    }


@pytest.mark.parametrize(
    "body, field",
    [
        ({"as_of": "2025-06-29", "principal": "1.00"}, "as_of"),
        ({"as_of": "2999-01-01", "principal": "1.00"}, "as_of"),
        ({"as_of": "2025-07-31"}, "principal"),
        ({"as_of": "2025-07-31", "principal": "-1"}, "principal"),
        ({"as_of": "2025-07-31", "principal": "1.00", "interest_paid_to": "2025-08-01"}, "interest_paid_to"),
        ({"as_of": "2025-07-31", "principal": "1.00", "bonus": "5"}, "bonus"),
    ],
)
def test_a_bad_statement_is_refused_and_nothing_is_stored(world, body, field):
    matter = world["matter"]

    response = client_for(world["counsel"]).post(f"/api/v1/matters/{matter.pk}/amounts/", body, format="json")

    assert response.status_code == 400 and field in response.json(), response.content
    assert AmountStatement.objects.filter(debt=matter.debt).count() == 1
    assert Debt.objects.get(pk=matter.debt_id).amounts_as_of == dt.date(2025, 6, 30)
    assert not events(matter, EventKind.AMOUNTS_RESTATED)


def test_a_claim_below_what_was_recovered_is_refused(world):
    matter = world["matter"]
    Matter.objects.filter(pk=matter.pk).update(recovered_principal=Decimal("1000.00"), costs_recoverable=Decimal("100"))

    response = client_for(world["counsel"]).post(
        f"/api/v1/matters/{matter.pk}/amounts/", {"as_of": "2025-07-31", "principal": "899.99"}, format="json"
    )
    exactly = client_for(world["counsel"]).post(
        f"/api/v1/matters/{matter.pk}/amounts/", {"as_of": "2025-07-31", "principal": "900.00"}, format="json"
    )

    assert response.status_code == 400 and "principal" in response.json()
    assert "999.99" in response.json()["principal"][0] and "1000.00" in response.json()["principal"][0]
    assert exactly.status_code == 201
    assert AmountStatement.objects.filter(debt=matter.debt).count() == 2


# --- Parties ----------------------------------------------------------------------------


def test_correcting_a_person_changes_every_matter_of_theirs_with_masked_values(world):
    matter, debtor = world["matter"], world["matter"].debt.debtor
    second = make_matter(debtor=debtor)  # the same person's other card
    stored = debtor.phones.get()
    body = {
        "address": "上海市浦东新区陆家嘴环路1000号",
        "service_address": "上海市徐汇区漕溪北路88号",
        "workplace": "上海某某科技有限公司",
        "ethnicity": "汉族",
        "phones": [{"id": stored.pk, "status": "wrong"}, {"number": "+86 139-0000-1111", "status": "ok"}],
    }

    response = client_for(world["lawyer"]).patch(
        f"/api/v1/matters/{matter.pk}/parties/{debtor.pk}/", body, format="json"
    )

    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["address"] == "上海市浦东新***********" and answer["phone"] == "139****1111"
    assert [(p["number"], p["status"]) for p in answer["phones"]] == [("138****5678", "wrong"), ("139****1111", "ok")]
    assert "13900001111" not in response.content.decode() and "陆家嘴" not in response.content.decode()
    debtor.refresh_from_db()
    assert debtor.phone == "13900001111" and debtor.address == "上海市浦东新区陆家嘴环路1000号"
    for each in (matter, second):
        (event,) = events(each, EventKind.PARTY_CORRECTED)
        assert event.note == "债务人 张三"
        assert event.old == {
            "address": "北京市朝阳区******",
            "service_address": "",
            "workplace": "",
            "ethnicity": "",
            "phones": [{"number": "138****5678", "status": "ok"}],
            "phone": "138****5678",
        }
        assert event.new == {
            "address": "上海市浦东新***********",
            "service_address": "上海市徐汇区*******",
            "workplace": "上海某某科技有限公司",
            "ethnicity": "汉族",
            "phones": [{"number": "138****5678", "status": "wrong"}, {"number": "139****1111", "status": "ok"}],
            "phone": "139****1111",
        }


def test_a_guarantor_is_corrected_and_noted_as_a_guarantor(world):
    matter, guarantor = world["matter"], world["guarantor"]

    response = client_for(world["counsel"]).patch(
        f"/api/v1/matters/{matter.pk}/parties/{guarantor.pk}/", {"name": "李四四"}, format="json"
    )

    assert response.status_code == 200
    (event,) = events(matter, EventKind.PARTY_CORRECTED)
    assert (event.old, event.new, event.note) == ({"name": "李四"}, {"name": "李四四"}, "担保人 李四四")
    # The list's search finds the guarantor by the new name (its copy, Guarantee.guarantor_name).
    assert list(Matter.objects.search("李四四").values_list("pk", flat=True)) == [matter.pk]


def test_a_debtor_renamed_is_renamed_on_the_matter_list(world):
    matter = world["matter"]

    client_for(world["counsel"]).patch(
        f"/api/v1/matters/{matter.pk}/parties/{matter.debt.debtor_id}/", {"name": "张叁"}, format="json"
    )

    assert Matter.objects.get(pk=matter.pk).debtor_name == "张叁"


def test_only_counsel_and_admins_correct_an_identity_number_and_the_event_masks_it(world):
    matter, debtor = world["matter"], world["matter"].debt.debtor
    new_number = build_resident_id(area_code="310115", birth_date=dt.date(1985, 3, 7), sequence=debtor_sequence(debtor))
    path = f"/api/v1/matters/{matter.pk}/parties/{debtor.pk}/"

    refused = client_for(world["lawyer"]).patch(path, {"id_number": new_number}, format="json")
    allowed = client_for(world["admin"]).patch(path, {"id_number": new_number}, format="json")

    assert refused.status_code == 403
    assert allowed.status_code == 200 and allowed.json()["id_number"] == "310115********" + new_number[-4:]
    (event,) = events(matter, EventKind.PARTY_CORRECTED)
    assert event.old == {"id_number": debtor.masked_id_number}
    assert event.new == {"id_number": "310115********" + new_number[-4:]}
    assert new_number not in str(event.new) and debtor.id_number not in str(event.old)


def debtor_sequence(party: Party) -> int:
    return int(party.id_number[14:17])


def test_an_identity_number_another_party_holds_is_a_conflict(world):
    matter, debtor, guarantor = world["matter"], world["matter"].debt.debtor, world["guarantor"]

    response = client_for(world["counsel"]).patch(
        f"/api/v1/matters/{matter.pk}/parties/{debtor.pk}/", {"id_number": guarantor.id_number}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["stage"] == "intake" and guarantor.id_number not in response.content.decode()
    assert Party.objects.get(pk=debtor.pk).id_number == debtor.id_number
    assert not events(matter, EventKind.PARTY_CORRECTED)


@pytest.mark.parametrize(
    "body, field",
    [
        ({"id_number": "110105198503071231"}, "id_number"),  # a wrong check character
        ({"gender": "female"}, "gender"),  # the number says male
        ({"birth_date": "1990-01-01"}, "birth_date"),
        ({"name": ""}, "name"),
        ({"phones": [{"number": "abc"}]}, "phones"),
        ({"phones": [{"id": 999999, "status": "ok"}]}, "phones"),
        ({"phones": [{"number": "13800000000"}, {"number": "138-0000-0000"}]}, "phones"),
        ({"phones": [{"number": "13800000000", "status": "maybe"}]}, "phones"),
        ({"nickname": "三儿"}, "nickname"),
        ({"address": "x" * 301}, "address"),
    ],
)
def test_bad_party_input_is_refused_and_nothing_changes(world, body, field):
    matter, debtor = world["matter"], world["matter"].debt.debtor
    assert debtor.gender == "male"
    before = Party.objects.filter(pk=debtor.pk).values().get()
    phones = list(debtor.phones.values_list("number", "status"))

    response = client_for(world["counsel"]).patch(
        f"/api/v1/matters/{matter.pk}/parties/{debtor.pk}/", body, format="json"
    )

    assert response.status_code == 400 and field in response.json(), response.content
    assert Party.objects.filter(pk=debtor.pk).values().get() == before
    assert list(debtor.phones.values_list("number", "status")) == phones
    assert not events(matter, EventKind.PARTY_CORRECTED)


def test_a_party_of_another_matter_is_not_found(world):
    matter = world["matter"]
    stranger = world["theirs"].debt.debtor

    response = client_for(world["counsel"]).patch(
        f"/api/v1/matters/{matter.pk}/parties/{stranger.pk}/", {"workplace": "某公司"}, format="json"
    )

    assert response.status_code == 404
    assert Party.objects.get(pk=stranger.pk).workplace == ""


# --- Guarantees -------------------------------------------------------------------------


def test_a_guarantee_is_completed_and_its_deadline_recomputes(world):
    matter, guarantor = world["matter"], world["guarantor"]
    matter_deadlines_recompute(matter_id=matter.pk)
    before = Deadline.objects.get(matter=matter, kind="guarantee_period", superseded_at__isnull=True).due_on
    body = {
        "guarantee_signed_on": "2021-03-15",
        "guarantee_agreed_period": "主债务履行期限届满之日起三年",
        "guarantee_period_ends_on": "2027-11-05",
    }

    response = client_for(world["lawyer"]).patch(
        f"/api/v1/matters/{matter.pk}/guarantees/{guarantor.pk}/", body, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["guarantee_signed_on"] == "2021-03-15" and response.json()["id"] == guarantor.pk
    after = Deadline.objects.get(matter=matter, kind="guarantee_period", superseded_at__isnull=True).due_on
    assert before != after == dt.date(2027, 11, 5)
    (event,) = events(matter, EventKind.GUARANTEE_CORRECTED)
    assert event.old == {"guarantee_signed_on": None, "guarantee_agreed_period": "", "guarantee_period_ends_on": None}
    assert event.new == {**body}
    assert event.note == "担保人 李四"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"guarantee_signed_on": "2999-01-01"}, "guarantee_signed_on"),
        ({"guarantee_signed_on": "2021-03-15", "guarantee_period_ends_on": "2021-03-14"}, "guarantee_period_ends_on"),
        ({"guarantee_type": "forever"}, "guarantee_type"),
        ({"guarantor_name": "x"}, "guarantor_name"),
    ],
)
def test_bad_guarantee_input_is_refused(world, body, field):
    matter, guarantor = world["matter"], world["guarantor"]

    response = client_for(world["counsel"]).patch(
        f"/api/v1/matters/{matter.pk}/guarantees/{guarantor.pk}/", body, format="json"
    )

    assert response.status_code == 400 and field in response.json(), response.content
    guarantee = Guarantee.objects.get(debt=matter.debt)
    assert (guarantee.guarantee_signed_on, guarantee.guarantee_period_ends_on, guarantee.guarantee_type) == (
        None,
        None,
        "joint",
    )


def test_the_debtor_has_no_guarantee_to_correct(world):
    matter = world["matter"]
    response = client_for(world["counsel"]).patch(
        f"/api/v1/matters/{matter.pk}/guarantees/{matter.debt.debtor_id}/", {"guarantee_type": "general"}, format="json"
    )
    assert response.status_code == 404


# --- Creditor, firm and lawyers ---------------------------------------------------------------


def test_counsel_complete_the_creditors_details_audited_and_not_on_timelines(world):
    creditor = world["matter"].debt.creditor
    body = {"representative_title": "负责人", "service_phone": "400-820-0000", "representative": "赵某"}

    response = client_for(world["counsel"]).patch(f"/api/v1/creditors/{creditor.pk}/", body, format="json")

    assert response.status_code == 200
    assert response.json() == {
        "id": creditor.pk,
        "name": creditor.name,
        "uscc": creditor.uscc,
        "address": "北京市西城区金融大街1号",
        "representative": "赵某",
        "representative_title": "负责人",
        "service_phone": "400-820-0000",
    }
    audit = AuditEvent.objects.get(action="creditor_corrected")
    assert audit.actor == world["counsel"] and audit.target == creditor.name
    assert audit.detail == {
        "creditor": creditor.pk,
        "old": {"representative_title": "", "service_phone": "", "representative": "王某"},
        "new": body,
    }
    assert not MatterEvent.objects.filter(matter=world["matter"]).exclude(kind=EventKind.CREATED).exists()


def test_lawyers_and_managers_may_not_change_a_creditor_and_unknown_fields_are_refused(world):
    creditor = world["matter"].debt.creditor
    for role in ("lawyer", "manager"):
        response = client_for(world[role]).patch(f"/api/v1/creditors/{creditor.pk}/", {"address": "x"}, format="json")
        assert response.status_code == 403
    unknown = client_for(world["counsel"]).patch(f"/api/v1/creditors/{creditor.pk}/", {"name": "x"}, format="json")
    assert unknown.status_code == 400 and "name" in unknown.json()
    missing = client_for(world["counsel"]).patch("/api/v1/creditors/999999/", {"address": "x"}, format="json")
    assert missing.status_code == 404
    assert not AuditEvent.objects.filter(action="creditor_corrected").exists()


def test_a_lawyer_names_the_lawyers_on_their_matter_with_a_masked_event(world):
    matter = world["matter"]
    body = {
        "lawyers": [
            {"name": "王律师", "licence_number": "11101201810012345", "phone": "13711112222"},
            {"name": "陈律师", "licence_number": "11101201910054321"},
        ]
    }

    response = client_for(world["lawyer"]).patch(f"/api/v1/matters/{matter.pk}/assignment/", body, format="json")

    assert response.status_code == 200, response.content
    assignment = response.json()["assignment"]
    assert assignment["firm"] == {"id": world["firm"].pk, "name": "本所", "address": "", "phone": ""}
    assert assignment["lawyers"] == [
        {"name": "王律师", "licence_number": "11101201810012345", "phone": "137****2222"},
        {"name": "陈律师", "licence_number": "11101201910054321", "phone": ""},
    ]
    (event,) = events(matter, EventKind.LAWYERS_SET)
    assert event.old == {"lawyers": []}
    assert event.new == {
        "lawyers": [
            {"name": "王律师", "licence_number": "11101201810012345", "phone": "137****2222"},
            {"name": "陈律师", "licence_number": "11101201910054321", "phone": ""},
        ]
    }
    assert event.note == "本所"


@pytest.mark.parametrize(
    "lawyers",
    [
        [{"name": f"律师{n}", "licence_number": f"1110120181001234{n}"} for n in range(3)],
        [{"name": "王律师", "licence_number": "1110120181001234"}],
        [{"name": "王律师", "licence_number": "1110120181001234X"}],
        [{"name": "", "licence_number": "11101201810012345"}],
        [{"name": "王律师", "licence_number": "11101201810012345", "phone": "call me"}],
        [{"name": "王律师", "licence_number": "11101201810012345", "email": "a@b.c"}],
    ],
)
def test_bad_lawyers_are_refused_and_nothing_stored(world, lawyers):
    matter = world["matter"]

    response = client_for(world["counsel"]).patch(
        f"/api/v1/matters/{matter.pk}/assignment/", {"lawyers": lawyers}, format="json"
    )

    assert response.status_code == 400 and "lawyers" in response.json(), response.content
    assert not matter.assignments.get().lawyers.exists()
    assert not events(matter, EventKind.LAWYERS_SET)


def test_lawyers_of_a_matter_without_an_assignment_are_a_conflict(world):
    matter = make_matter()

    response = client_for(world["counsel"]).patch(
        f"/api/v1/matters/{matter.pk}/assignment/",
        {"lawyers": [{"name": "王律师", "licence_number": "11101201810012345"}]},
        format="json",
    )

    assert response.status_code == 409 and response.json()["stage"] == "intake"


def test_a_lawyer_completes_their_own_firms_address_but_not_another_firms(world):
    lawyer = client_for(world["lawyer"])

    own = lawyer.patch(f"/api/v1/firms/{world['firm'].pk}/", {"address": "北京市朝阳区光华路1号", "phone": "010-85191300"}, format="json")
    other = lawyer.patch(f"/api/v1/firms/{world['other_firm'].pk}/", {"address": "某地"}, format="json")
    manager = client_for(world["manager"]).patch(f"/api/v1/firms/{world['firm'].pk}/", {"address": "某地"}, format="json")
    unknown = lawyer.patch(f"/api/v1/firms/{world['firm'].pk}/", {"name": "新名"}, format="json")

    assert own.status_code == 200
    assert own.json() == {"id": world["firm"].pk, "name": "本所", "address": "北京市朝阳区光华路1号", "phone": "010-85191300"}
    assert (other.status_code, manager.status_code, unknown.status_code) == (403, 403, 400)
    audit = AuditEvent.objects.get(action="firm_corrected")
    assert audit.detail["old"] == {"address": "", "phone": ""} and audit.target == "本所"
    listed = client_for(world["manager"]).get("/api/v1/firms/").json()["results"]
    assert {"id": world["firm"].pk, "name": "本所", "address": "北京市朝阳区光华路1号", "phone": "010-85191300"} in listed
