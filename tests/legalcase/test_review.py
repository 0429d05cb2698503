"""The debtor review (issue 19, item 1): the screening computed from the record, confirmations, the API, the page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from filer.models import File as FilerFile
from rest_framework.test import APIClient

from evidence.models import EvidenceItem
from legalcase.models import (
    Asset,
    Complaint,
    Contact,
    DebtorReview,
    EnforcementAction,
    EventKind,
    Matter,
    MatterEvent,
    Promise,
    PromiseStatus,
    Role,
)
from legalcase.services.triage import screening_computed
from legalcase.services import matter_deadlines_recompute
from tests.factories import make_firm, make_party, make_user
from tests.factories import make_matter as make_bare_matter

pytestmark = pytest.mark.django_db
# Monday 7 December 2026, 10:00 in Beijing.
NOW = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def url(matter) -> str:
    return f"/api/v1/matters/{matter.pk}/review/"


def patch(user, matter, body):
    return api(user).patch(url(matter), body, format="json")


def make_matter(**kwargs) -> Matter:
    """A matter with its deadlines computed, as escalation leaves it."""
    matter = make_bare_matter(**kwargs)
    matter_deadlines_recompute(matter_id=matter.pk)
    return Matter.objects.get(pk=matter.pk)


@pytest.fixture
def counsel():
    return make_user(Role.COUNSEL)


def add_evidence(matter, user, *kinds):
    for kind in kinds:
        stored = FilerFile.objects.create(original_filename=f"{kind}.pdf", is_public=False)
        EvidenceItem.objects.create(
            matter=matter, kind=kind, title=kind, original_filename=f"{kind}.pdf", file=stored,
            sha256="0" * 64, size=1, content_type="application/pdf", uploaded_by=user,
        )  # fmt: skip


def add_asset(matter, user):
    return Asset.objects.create(
        matter=matter, owner=matter.debt.debtor, kind=Asset.Kind.VEHICLE, description="小型轿车",
        source=Asset.Source.INVESTIGATION, found_on=TODAY, created_by=user,
    )  # fmt: skip


def nothing_stored(matter):
    assert not DebtorReview.objects.filter(matter=matter).exists()
    assert not MatterEvent.objects.filter(matter=matter, kind=EventKind.REVIEW_UPDATED).exists()


# --- The screening computed from the record ------------------------------------------------


def test_a_complete_record_passes_all_six_items_each_saying_why(counsel):
    matter = make_matter(debtor=make_party(service_address="上海市浦东新区世纪大道100号"))
    add_evidence(matter, counsel, "contract", "statement", "identity")
    add_asset(matter, counsel)
    limitation = matter.limitation_deadline.due_on

    screening = api(counsel).get(url(matter)).json()["screening"]

    assert {item: state["computed"] for item, state in screening.items()} == {
        "identity_known": True, "service_address_known": True, "limitation_alive": True,
        "amount_above_threshold": True, "assets_found": True, "evidence_complete": True,
    }  # fmt: skip
    assert all(state["result"] is True and state["confirmed"] is False for state in screening.values())
    assert screening["identity_known"]["detail"] == "债务人身份证号码已记录，校验通过。"
    assert screening["service_address_known"]["detail"] == "已记录约定送达地址。"
    assert screening["limitation_alive"]["detail"] == (
        f"诉讼时效至{limitation.year}年{limitation.month}月{limitation.day}日。"
    )
    assert screening["amount_above_threshold"]["detail"] == "未偿金额52,558.05元，不低于起诉标准5,000.00元。"
    assert screening["assets_found"]["detail"] == "已记录财产线索1项。"
    assert screening["evidence_complete"]["detail"] == "起诉所需证据已上传：合同、对账单、身份证明。"


def test_a_thin_record_fails_each_item_and_names_what_is_missing(counsel):
    debtor = make_party(address="", service_address="")
    # A check character that does not match (the row came in by a bulk load, unchecked).
    type(debtor).objects.filter(pk=debtor.pk).update(id_number=debtor.id_number[:17] + ("0" if debtor.id_number[17] != "0" else "1"))
    matter = make_matter(debtor=debtor, overdue_since=dt.date(2020, 1, 10), principal=Decimal("1200.00"),
                         interest=Decimal("0"), penalty_interest=Decimal("0"), compound_interest=Decimal("0"),
                         late_fees=Decimal("0"))  # fmt: skip
    add_evidence(matter, counsel, "contract")
    expired = matter.limitation_deadline.due_on
    assert expired < TODAY

    screening = api(counsel).get(url(matter)).json()["screening"]

    assert {item: state["result"] for item, state in screening.items()} == dict.fromkeys(screening, False)
    assert screening["identity_known"]["detail"] == "债务人身份证号码校验未通过：居民身份证号码校验码错误。"
    assert screening["service_address_known"]["detail"] == "既无约定送达地址，也无住所地地址。"
    assert screening["limitation_alive"]["detail"] == (
        f"诉讼时效已于{expired.year}年{expired.month}月{expired.day}日届满。"
    )
    assert screening["amount_above_threshold"]["detail"] == "未偿金额1,200.00元，低于起诉标准5,000.00元。"
    assert screening["assets_found"]["detail"] == "未记录财产线索、查封或冻结，评估中也未记录已知财产。"
    assert screening["evidence_complete"]["detail"] == "缺少证据：对账单、身份证明。"


def test_the_domicile_serves_when_no_service_address_was_agreed_and_withdrawn_evidence_does_not_count(counsel):
    matter = make_matter(debtor=make_party(service_address=""))
    add_evidence(matter, counsel, "contract", "statement", "identity")
    EvidenceItem.objects.filter(matter=matter, kind="identity").update(withdrawn_at=NOW)

    computed = screening_computed(matter, TODAY)

    assert computed["service_address_known"] == {"computed": True, "detail": "未约定送达地址，但已记录住所地地址。"}
    assert computed["evidence_complete"] == {"computed": False, "detail": "缺少证据：身份证明。"}


def test_assets_are_found_by_a_freeze_or_by_the_review_text(counsel):
    matter = make_matter()
    assert screening_computed(matter, TODAY)["assets_found"]["computed"] is False
    EnforcementAction.objects.create(
        matter=matter, kind=EnforcementAction.Kind.FREEZE_DEPOSIT, started_on=TODAY, created_by=counsel
    )
    assert screening_computed(matter, TODAY)["assets_found"] == {
        "computed": True, "detail": "已记录查封、冻结或扣划1项。"
    }  # fmt: skip
    other = make_matter()
    assert patch(counsel, other, {"assets_known": "名下有房产一套"}).json()["screening"]["assets_found"] == {
        "computed": True, "result": True, "confirmed": False, "detail": "评估中记录了已知财产。",
        "reason": "", "confirmed_by": None, "confirmed_at": None,
    }  # fmt: skip


def test_the_limitation_is_unknown_without_a_date_and_alive_once_a_suit_interrupted_it(counsel):
    matter = make_matter(overdue_since=dt.date(2020, 1, 10))
    deadline = matter.limitation_deadline
    deadline.status = "done"
    deadline.save(update_fields=["status"])
    matter.prefetched_current_deadlines = None
    del matter.prefetched_current_deadlines
    assert screening_computed(matter, TODAY)["limitation_alive"] == {
        "computed": True, "detail": "诉讼时效已因按时起诉或申请仲裁而中断。"
    }  # fmt: skip
    matter.deadlines.all().delete()
    del matter.prefetched_current_deadlines
    assert screening_computed(matter, TODAY)["limitation_alive"] == {"computed": None, "detail": "本案尚未计算诉讼时效。"}


def test_the_threshold_is_a_setting(counsel, settings):
    matter = make_matter()  # 52,558.05 outstanding
    settings.SCREENING_MIN_AMOUNT = 60000
    assert screening_computed(matter, TODAY)["amount_above_threshold"] == {
        "computed": False, "detail": "未偿金额52,558.05元，低于起诉标准60,000.00元。"
    }  # fmt: skip


def test_willingness_facts_come_from_the_collection_desk(counsel):
    matter = make_matter()
    debtor = matter.debt.debtor

    def contact(outcome, day):
        at = NOW - dt.timedelta(days=day)
        return Contact.objects.create(
            matter=matter, channel="phone", direction="outbound", party=debtor, occurred_at=at,
            occurred_on=at.date(), outcome=outcome, created_by=counsel,
        )  # fmt: skip

    promised = contact("promise_to_pay", 30)
    Promise.objects.create(
        matter=matter, contact=promised, amount=Decimal("1000.00"), promised_on=TODAY - dt.timedelta(days=30),
        due_on=TODAY - dt.timedelta(days=20), status=PromiseStatus.BROKEN,
    )  # fmt: skip
    contact("refused", 10)
    contact("refused", 5)
    Complaint.objects.create(matter=matter, kind="dispute", source="debtor", received_on=TODAY, summary="称已还清", created_by=counsel)

    answer = api(counsel).get(url(matter)).json()["willingness_computed"]

    assert answer == {
        "promises_broken": 1, "promises_kept": 0, "disputes_open": 1, "complaints_open": 0,
        "contacts_refused": 2, "contacts_hardship": 0,
        "facts": ["违约的还款承诺1次", "对债务提出异议且未解决1件", "债务人拒绝还款的联系2次"],
    }  # fmt: skip


# --- Confirming and overriding ---------------------------------------------------------------


def test_a_person_confirms_an_item_overrides_another_with_a_reason_and_releases_it(counsel):
    matter = make_matter()
    answer = patch(counsel, matter, {"screening": {"identity_known": {"confirmed": True}}}).json()
    assert answer["screening"]["identity_known"] | {"confirmed_at": None} == {
        "computed": True, "result": True, "confirmed": True, "detail": "债务人身份证号码已记录，校验通过。",
        "reason": "", "confirmed_by": counsel.username, "confirmed_at": None,
    }  # fmt: skip
    assert answer["reviewed_by"] == counsel.username and answer["reviewed_at"].startswith("2026-12-07T")

    answer = patch(
        counsel, matter, {"screening": {"assets_found": {"confirmed": True, "result": True, "reason": "网查发现公积金账户"}}}
    ).json()
    assert answer["screening"]["assets_found"]["computed"] is False
    assert answer["screening"]["assets_found"]["result"] is True
    assert answer["screening"]["assets_found"]["reason"] == "网查发现公积金账户"
    assert answer["screening"]["identity_known"]["confirmed"] is True  # the earlier confirmation stays

    answer = patch(counsel, matter, {"screening": {"assets_found": {"confirmed": False}}}).json()
    assert answer["screening"]["assets_found"] | {"detail": ""} == {
        "computed": False, "result": False, "confirmed": False, "detail": "", "reason": "",
        "confirmed_by": None, "confirmed_at": None,
    }  # fmt: skip

    events = list(MatterEvent.objects.filter(matter=matter, kind=EventKind.REVIEW_UPDATED).order_by("id"))
    assert [e.new for e in events] == [
        {"screening": {"identity_known": {"confirmed": True, "result": True}}},
        {"screening": {"assets_found": {"confirmed": True, "result": True, "reason": "网查发现公积金账户"}}},
        {"screening": {"assets_found": {"confirmed": False, "result": None}}},
    ]


def test_an_override_without_a_reason_and_a_confirmation_the_record_cannot_tell_are_refused(counsel):
    matter = make_matter()
    response = patch(counsel, matter, {"screening": {"assets_found": {"confirmed": True, "result": True}}})
    assert response.status_code == 400
    assert response.json() == {"screening": ["发现可供执行财产：与系统核查结果不同，请说明改判理由。"]}
    matter.deadlines.all().delete()
    response = patch(counsel, matter, {"screening": {"limitation_alive": {"confirmed": True}}})
    assert response.json() == {"screening": ["诉讼时效未届满：系统无法判断，请给出核实结果（是或否）后再确认。"]}
    response = patch(counsel, matter, {"screening": {"age": {"confirmed": True}, "assets_found": "yes"}})
    assert response.json() == {"screening": ["age不是筛查项。", "发现可供执行财产：请说明是否确认（true或false）。"]}
    nothing_stored(matter)


# --- The API ----------------------------------------------------------------------------------


def test_a_review_is_written_and_read_back_with_encrypted_texts(counsel):
    matter = make_matter()
    body = {
        "ability_to_pay": "partial", "willingness": "hardship", "monthly_income": "4,500.00",
        "employment": "某物流公司司机", "assets_known": "无房无车", "willingness_facts": "失业半年后再就业",
        "recommendation": "settle_with_reduction", "recommendation_reason": "收入低但稳定，愿意分期",
    }  # fmt: skip
    response = patch(counsel, matter, body)
    assert response.status_code == 200, response.content
    answer = api(counsel).get(url(matter)).json()
    assert {key: answer[key] for key in body} == {**body, "monthly_income": "4500.00"}

    with connection.cursor() as cursor:
        cursor.execute("select employment, recommendation from legalcase_debtorreview where matter_id = %s", [matter.pk])
        employment, recommendation = cursor.fetchone()
    assert "物流" not in employment and recommendation == "settle_with_reduction"
    event = MatterEvent.objects.get(matter=matter, kind=EventKind.REVIEW_UPDATED)
    assert event.new["texts_changed"] == ["employment", "assets_known", "willingness_facts"]
    assert "物流" not in str(event.new) and "物流" not in str(event.old)
    assert event.new["recommendation"] == "settle_with_reduction" and event.new["monthly_income"] == "4500.00"

    detail = api(counsel).get(f"/api/v1/matters/{matter.pk}/").json()
    assert detail["review"] == {"recommendation": "settle_with_reduction", "reviewed_at": answer["reviewed_at"]}
    assert api(counsel).get(f"/api/v1/matters/{make_matter().pk}/").json()["review"] is None


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"recommendation": "sue"}, {"recommendation_reason": ["请说明建议的理由。"]}),
        ({"recommendation": "sue", "recommendation_reason": "  "}, {"recommendation_reason": ["请说明建议的理由。"]}),
        ({"recommendation": "lawsuit", "recommendation_reason": "x"}, {"recommendation": ["不是允许的取值。"]}),
        ({"ability_to_pay": "some"}, {"ability_to_pay": ["不是允许的取值。"]}),
        ({"willingness": None}, {"willingness": ["此项不能为空。"]}),
        ({"monthly_income": "-5"}, {"monthly_income": ["金额不能为负数。"]}),
        ({"monthly_income": "abc", "ability_to_pay": "full"}, {"monthly_income": ["请以数字填写金额。"]}),
        ({"employment": "x" * 4001}, {"employment": ["最多 4000 个字符。"]}),
        ({"screening": ["identity_known"]}, {"screening": ["请以对象形式按筛查项给出确认。"]}),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_is_stored(counsel, body, errors):
    matter = make_matter()
    response = patch(counsel, matter, {**body, "employment": body.get("employment", "某公司")})
    assert response.status_code == 400
    assert response.json() == errors
    nothing_stored(matter)


def test_a_standing_recommendation_keeps_its_reason_and_a_new_one_needs_its_own(counsel):
    matter = make_matter()
    patch(counsel, matter, {"recommendation": "negotiate", "recommendation_reason": "有还款意愿"})
    assert patch(counsel, matter, {"recommendation_reason": ""}).json() == {"recommendation_reason": ["请说明建议的理由。"]}
    assert patch(counsel, matter, {"recommendation": "sue"}).status_code == 400
    review = DebtorReview.objects.get(matter=matter)
    assert (review.recommendation, review.recommendation_reason) == ("negotiate", "有还款意愿")
    answer = patch(counsel, matter, {"recommendation": "", "ability_to_pay": "none"}).json()
    assert answer["recommendation"] == "" and answer["ability_to_pay"] == "none"
    assert MatterEvent.objects.filter(matter=matter, kind=EventKind.REVIEW_UPDATED).count() == 2


def test_a_get_answer_sent_back_changes_nothing(counsel):
    matter = make_matter()
    patch(counsel, matter, {"willingness": "wilful"})
    answer = api(counsel).get(url(matter)).json()
    assert patch(counsel, matter, answer).status_code == 200
    assert MatterEvent.objects.filter(matter=matter, kind=EventKind.REVIEW_UPDATED).count() == 1
    assert api(counsel).patch(url(matter), ["willingness"], format="json").status_code == 400


def test_roles_follow_the_matter(counsel):
    firm = make_firm()
    matter = make_matter(firm=firm)
    stranger = make_user(Role.LAWYER)  # another firm's lawyer
    assert api(stranger).get(url(matter)).status_code == 404
    assert patch(stranger, matter, {"willingness": "wilful"}).status_code == 404
    nothing_stored(matter)
    assert APIClient().get(url(matter)).status_code in (401, 403)

    lawyer = make_user(Role.LAWYER, firm=firm)
    assert patch(lawyer, matter, {"willingness": "wilful"}).status_code == 200
    manager = make_user(Role.MANAGER)
    response = patch(manager, matter, {"recommendation": "sell", "recommendation_reason": "金额小、无财产"})
    assert response.status_code == 200 and response.json()["reviewed_by"] == manager.username
    assert api(make_user(Role.ADMIN)).get(url(matter)).json()["recommendation"] == "sell"


def test_the_write_permission_is_enforced(counsel, monkeypatch):
    from legalcase import access

    matter = make_matter()
    monkeypatch.setitem(access.PERMISSIONS, "write_reviews", frozenset({Role.COUNSEL}))
    assert patch(make_user(Role.MANAGER), matter, {"willingness": "wilful"}).status_code == 403
    nothing_stored(matter)


# --- The page -----------------------------------------------------------------------------------


def test_the_matter_page_loads_the_section_and_it_shows_the_checklist(client, counsel):
    matter = make_matter(debtor=make_party(service_address=""))
    client.force_login(counsel)
    page = client.get(reverse("matter_detail", args=[matter.pk])).content.decode()
    assert f'hx-get="{reverse("review_section", args=[matter.pk])}"' in page
    assert '<a href="#matter-review">债务人评估</a>' in page

    section = client.get(reverse("review_section", args=[matter.pk])).content.decode()
    assert "<h2>债务人评估</h2>" in section and "尚未评估" in section
    assert "诉前筛查：6项中符合4项" in section
    assert 'id="screening-identity_known" data-result="yes"' in section
    assert 'id="screening-assets_found" data-result="no"' in section
    assert "未约定送达地址，但已记录住所地地址。" in section
    assert 'name="confirm_identity_known"' in section and "申请支付令" in section


def test_the_form_saves_the_review_and_shows_errors_without_storing(client, counsel):
    matter = make_matter()
    client.force_login(counsel)
    save = reverse("review_save", args=[matter.pk])
    form = {
        "ability_to_pay": "full", "willingness": "wilful", "monthly_income": "12,000", "employment": "",
        "assets_known": "", "willingness_facts": "多次承诺未履行", "recommendation": "sue", "recommendation_reason": "",
        "confirm_identity_known": "on",
    }  # fmt: skip
    section = client.post(save, form, HTTP_HX_REQUEST="true").content.decode()
    assert "请说明建议的理由。" in section
    nothing_stored(matter)

    form["recommendation_reason"] = "有能力不还，证据齐全"
    form.update(confirm_assets_found="on", result_assets_found="yes", reason_assets_found="")
    section = client.post(save, form, HTTP_HX_REQUEST="true").content.decode()
    assert "发现可供执行财产：与系统核查结果不同，请说明改判理由。" in section
    nothing_stored(matter)

    form["reason_assets_found"] = "房产登记查询有房"
    section = client.post(save, form, HTTP_HX_REQUEST="true").content.decode()
    assert "债务人评估已保存。" in section
    review = DebtorReview.objects.get(matter=matter)
    assert (review.ability_to_pay, review.monthly_income, review.recommendation) == ("full", Decimal("12000.00"), "sue")
    assert review.screening["identity_known"]["value"] is True
    assert review.screening["assets_found"]["value"] is True and review.screening["assets_found"]["reason"] == "房产登记查询有房"
    assert 'id="screening-assets_found" data-result="yes"' in section and "改判" in section
    assert "有能力不还，证据齐全" in section

    stranger = make_user(Role.LAWYER)
    client.force_login(stranger)
    assert client.get(reverse("review_section", args=[matter.pk])).status_code == 404
    assert client.post(save, form, HTTP_HX_REQUEST="true").status_code == 404


def test_anonymisation_blanks_the_review_s_personal_texts_and_keeps_the_outcome(counsel):
    from legalcase.services.retention import retention_run

    matter = make_matter(stage="closed")
    patch(counsel, matter, {"employment": "某物流公司司机", "assets_known": "沪A车辆", "recommendation": "write_off",
                            "recommendation_reason": "无财产可供执行"})  # fmt: skip
    Matter.objects.filter(pk=matter.pk).update(stage_changed_at=NOW - dt.timedelta(days=1100))

    assert retention_run()["anonymised"] == 1

    review = DebtorReview.objects.get(matter=matter)
    assert (review.employment, review.assets_known, review.willingness_facts) == ("", "", "")
    assert (review.recommendation, review.recommendation_reason) == ("write_off", "无财产可供执行")
