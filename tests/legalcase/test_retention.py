"""Retention of personal data after closure (LEGAL_RULES Part 2 B.9): anonymisation, the legal hold."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from legalcase.models import (
    Asset,
    Complaint,
    Contact,
    DemandRecord,
    EventKind,
    Guarantee,
    LegalHold,
    Matter,
    MatterEvent,
    Party,
    PartyPhone,
    Role,
    SearchKey,
)
from legalcase.schedule import ENTRIES
from legalcase.services.retention import matter_legal_hold_lift, matter_legal_hold_set, retention_run
from legalcase.services.search import party_keys_refresh
from tests.factories import make_matter, make_party, make_user

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.now() - dt.timedelta(days=1100)


def closed_matter(*, closed_at=LONG_AGO, **kwargs) -> Matter:
    matter = make_matter(stage="closed", **kwargs)
    Matter.objects.filter(pk=matter.pk).update(stage_changed_at=closed_at)
    party_keys_refresh(party_ids=[matter.debt.debtor_id])
    return Matter.objects.get(pk=matter.pk)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_collection_log_keeps_its_figures_but_loses_numbers_notes_and_third_parties():
    matter = closed_matter()
    user = make_user(Role.COUNSEL)
    common = {"matter": matter, "channel": "phone", "direction": "outbound", "occurred_at": LONG_AGO,
              "occurred_on": LONG_AGO.date(), "created_by": user}  # fmt: skip
    reached = Contact.objects.create(
        **common, party=matter.debt.debtor, contact_point="13800000001", outcome="refused", note="住朝阳区某小区3号楼",
        override_rule="calls_per_number@2026", override_reason="债务人13800000001本人要求回电",
    )  # fmt: skip
    traced = Contact.objects.create(
        **common, third_party_name="王五", third_party_relation="同事", third_party_purpose="locate",
        contact_point="13900000002", outcome="no_answer",
    )  # fmt: skip
    Complaint.objects.create(
        matter=matter, kind="complaint", source="debtor", received_on=LONG_AGO.date(), summary="称13800000001被频繁来电",
        resolution="已向张三本人解释", created_by=user,
    )  # fmt: skip
    assert Contact.objects.get(pk=reached.pk).contact_point_digest != ""

    assert retention_run()["anonymised"] == 1

    rows = {c.pk: c for c in Contact.objects.all()}
    for contact in rows.values():
        assert (contact.contact_point, contact.contact_point_digest, contact.note, contact.override_reason) == ("", "", "", "")
    assert (rows[reached.pk].outcome, rows[reached.pk].channel, rows[reached.pk].override_rule) == (
        "refused", "phone", "calls_per_number@2026",
    )
    assert (rows[reached.pk].third_party_name, rows[traced.pk].third_party_name) == ("", "（已匿名化）")
    assert rows[traced.pk].third_party_relation == "同事"
    complaint = Complaint.objects.get()
    assert (complaint.summary, complaint.resolution, complaint.kind) == ("（已匿名化）", "", "complaint")


def test_a_matter_closed_longer_than_the_period_is_anonymised_and_its_figures_kept():
    matter = closed_matter()
    debt, party = matter.debt, matter.debt.debtor
    guarantor = make_party("李四")
    Guarantee.objects.create(debt=debt, guarantor=guarantor)
    Asset.objects.create(
        matter=matter, owner=party, kind="vehicle", description="京A12345 小型轿车", identifier="京A12345",
        source="creditor", found_on=dt.date(2025, 1, 3), note="停放于北京市朝阳区",
    )
    DemandRecord.objects.create(debt=debt, date=dt.date(2025, 1, 2), channel="phone", note="拨打13800000001")
    recent = closed_matter(closed_at=timezone.now() - dt.timedelta(days=30))
    id_number = party.id_number

    outcome = retention_run()

    assert outcome == {"due": 1, "anonymised": 1, "parties": 2, "parties_kept": 0, "retention_days": 1096}
    party.refresh_from_db()
    assert (party.name, party.phone, party.address, party.birth_date, party.gender) == ("（已匿名化）", "", "", None, "")
    assert party.id_number == f"ANON{party.pk}"
    assert not PartyPhone.objects.filter(party=party).exists() and not SearchKey.objects.filter(party=party).exists()
    assert Party.objects.get(pk=guarantor.pk).name == "（已匿名化）"
    # The search's copy of the guarantor's name goes too.
    assert Guarantee.objects.get(guarantor=guarantor).guarantor_name == "（已匿名化）"
    assert not Matter.objects.search("李四").exists()
    matter.refresh_from_db()
    matter.debt.refresh_from_db()
    assert matter.debtor_name == "（已匿名化）" and matter.anonymised_at is not None
    assert matter.debt.account_number == f"ANON{debt.pk}" and matter.debt.contract_number == ""
    assert (matter.debt.principal, matter.debt.overdue_since, matter.stage) == (Decimal("48230.55"), debt.overdue_since, "closed")
    asset = Asset.objects.get(matter=matter)
    assert (asset.identifier, asset.note, asset.description) == ("", "", "（已匿名化）")
    assert DemandRecord.objects.get(debt=debt).note == ""
    assert not Matter.objects.search(id_number).exists()
    event = MatterEvent.objects.get(matter=matter, kind=EventKind.ANONYMISED)
    assert event.new["parties"] == 2 and event.actor is None
    recent.refresh_from_db()
    assert recent.anonymised_at is None and recent.debt.debtor.name == "张三"
    assert retention_run()["due"] == 0  # once only


def test_a_legal_hold_keeps_the_data_and_lifting_it_restarts_the_clock():
    counsel = make_user(Role.COUNSEL)
    matter = closed_matter(owner=counsel)
    matter_legal_hold_set(user=counsel, matter_id=matter.pk, reason="债务人已申请再审")

    assert retention_run()["due"] == 0
    matter_legal_hold_lift(user=counsel, matter_id=matter.pk, reason="再审申请已驳回")
    assert retention_run()["due"] == 0  # the period runs again from the lifting
    assert retention_run(now=timezone.now() + dt.timedelta(days=1097))["anonymised"] == 1
    kinds = list(MatterEvent.objects.filter(matter=matter).order_by("id").values_list("kind", flat=True))
    assert kinds[-3:] == [EventKind.LEGAL_HOLD_SET, EventKind.LEGAL_HOLD_LIFTED, EventKind.ANONYMISED]


def test_a_party_named_by_an_open_matter_keeps_its_data():
    party = make_party("王五")
    old = closed_matter(debtor=party)
    make_matter(debtor=party)

    assert retention_run() == {"due": 1, "anonymised": 1, "parties": 0, "parties_kept": 1, "retention_days": 1096}
    party.refresh_from_db()
    assert party.name == "王五" and Matter.objects.get(pk=old.pk).debtor_name == "（已匿名化）"


def test_the_dry_run_lists_and_changes_nothing_and_the_schedule_runs_it_daily():
    matter = closed_matter()
    out = io.StringIO()
    call_command("retention_run", "--dry-run", stdout=out)
    assert "1 matters closed more than 1096 days ago would be anonymised (dry run)" in out.getvalue()
    assert matter.number in out.getvalue()
    assert Matter.objects.get(pk=matter.pk).anonymised_at is None
    call_command("retention_run", stdout=out)
    assert "1 of 1 matters anonymised" in out.getvalue()
    assert ENTRIES["retention_anonymise"].resolve()(report=lambda **kw: None)["due"] == 0


def test_the_api_sets_and_lifts_a_hold_and_refuses_what_it_must():
    counsel, other_counsel = make_user(Role.COUNSEL), make_user(Role.COUNSEL)
    matter = closed_matter(owner=counsel)
    url = f"/api/v1/matters/{matter.pk}/legal-hold/"

    missing = api(counsel).post(url, {"reason": "  "}, format="json")
    assert missing.status_code == 400
    assert "请说明须保留本案数据的理由" in missing.json()["reason"][0]
    assert not MatterEvent.objects.filter(matter=matter, kind=EventKind.LEGAL_HOLD_SET).exists()
    state = api(counsel).get(url).json()
    assert state["under_legal_hold"] is False and state["anonymise_after"] is not None

    done = api(counsel).post(url, {"reason": "债务人投诉待处理"}, format="json")
    assert done.status_code == 200, done.content
    assert done.json()["under_legal_hold"] is True and done.json()["set_by"] == counsel.username
    assert done.json()["anonymise_after"] is None
    again = api(other_counsel).post(url, {"reason": "再设一次"}, format="json")
    assert again.status_code == 400 and "已处于诉讼保留状态" in again.json()["reason"][0]

    lifted = api(counsel).delete(url, {"reason": "投诉已办结"}, format="json")
    assert lifted.status_code == 200 and lifted.json()["under_legal_hold"] is False
    assert api(counsel).delete(url, {}, format="json").status_code == 400
    assert MatterEvent.objects.filter(matter=matter, kind__in=[EventKind.LEGAL_HOLD_SET, EventKind.LEGAL_HOLD_LIFTED]).count() == 2


def test_the_matter_page_section_shows_the_state_and_sets_the_hold(client):
    counsel = make_user(Role.COUNSEL)
    matter = closed_matter(owner=counsel)
    client.force_login(counsel)
    section = client.get(reverse("retention_section", args=[matter.pk])).content.decode()
    assert "个人信息保存" in section and "设定诉讼保留" in section and "已结案：个人信息将于结案1096日后" in section

    empty = client.post(reverse("legal_hold_set", args=[matter.pk]), {"reason": ""}, HTTP_HX_REQUEST="true")
    assert "这个字段是必填项" in empty.content.decode() or "必填" in empty.content.decode()
    assert not LegalHold.objects.filter(matter=matter).exists()

    done = client.post(reverse("legal_hold_set", args=[matter.pk]), {"reason": "监管问询"}, HTTP_HX_REQUEST="true")
    page = done.content.decode()
    assert "诉讼保留中" in page and "监管问询" in page and "解除诉讼保留" in page
    assert LegalHold.objects.get(matter=matter, lifted_at__isnull=True).set_by == counsel
