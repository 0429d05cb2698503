"""Rulings: the upload (stored as evidence, read), confirmation with corrections, and the deadlines it drives."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from evidence.models import EvidenceItem
from legalcase.models import Deadline, DeadlineKind, EventKind, MatterEvent, Role, Ruling
from tests.evidence.conftest import evidence_storage, stored_files  # noqa: F401  (the shared storage fixture)
from tests.factories import make_firm, make_matter, make_user

pytestmark = pytest.mark.django_db

RULINGS = Path(__file__).parent / "rulings"
CHAIN_KINDS = [
    DeadlineKind.APPEAL,
    DeadlineKind.JUDGMENT_EFFECTIVE,
    DeadlineKind.PERFORMANCE_END,
    DeadlineKind.ENFORCEMENT_APPLICATION,
]

# LEGAL_RULES section 2's worked chain: a first-instance judgment, 十日内, served 2025-09-20.
CHAIN_JUDGMENT = """北京市朝阳区人民法院
民 事 判 决 书
（2025）京0105民初30001号
原告：测试商业银行股份有限公司。
被告：测试人。
本院认为，被告未按期还款，已构成违约。判决如下：
一、被告于本判决生效之日起十日内偿还原告借款本金50,000元、利息1,200元；
二、驳回原告其他诉讼请求。
如果未按本判决指定的期间履行给付金钱义务，应当加倍支付迟延履行期间的债务利息。
案件受理费1,090元，由被告负担。
如不服本判决，可以在判决书送达之日起十五日内，向本院递交上诉状，上诉于北京市第三中级人民法院。
审判员　　李明
二〇二五年九月十日
书记员　　王芳
"""


@pytest.fixture(autouse=True)
def private_storage_here(evidence_storage):
    """Every test here stores files: in a fresh directory, so a test can list them."""
    return evidence_storage


def sample(name: str) -> str:
    return (RULINGS / f"{name}.txt").read_text(encoding="utf-8")


def docx_of(text: str) -> bytes:
    import docx

    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pdf_of(text: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from evidence.bundling import cjk_font

    font, _embedded = cjk_font()
    out = io.BytesIO()
    # A page wide enough that every line of the judgment stays one line of text.
    page = canvas.Canvas(out, pagesize=(1800, A4[1]))
    y = 800
    for line in text.splitlines():
        if y < 40:
            page.showPage()
            y = 800
        page.setFont(font, 10)
        page.drawString(30, y, line)
        y -= 14
    page.save()
    return out.getvalue()


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def upload(user, matter, name: str, data: bytes, **fields):
    body = {"file": SimpleUploadedFile(name, data), **fields}
    return api(user).post(f"/api/v1/matters/{matter.pk}/rulings/", body, format="multipart")


def confirm(user, ruling_id: int, **corrections):
    return api(user).post(f"/api/v1/rulings/{ruling_id}/confirm/", corrections, format="json")


def current_deadlines(matter) -> dict[str, str]:
    rows = Deadline.objects.filter(matter=matter, superseded_at__isnull=True, kind__in=CHAIN_KINDS)
    return {row.kind: row.due_on.isoformat() for row in rows}


# Upload ------------------------------------------------------------------------------


def test_a_docx_judgment_is_stored_as_evidence_and_read(evidence_storage):
    matter = make_matter()
    user = make_user()

    response = upload(user, matter, "判决书.docx", docx_of(sample("judgment_01_first_instance")), served_on="2026-03-10")

    assert response.status_code == 201, response.content
    ruling = Ruling.objects.get(matter=matter)
    body = response.json()
    assert body == {
        "id": ruling.pk,
        "kind": "judgment",
        "case_number": "（2025）沪0115民初48213号",
        "court": "上海市浦东新区人民法院",
        "decided_on": "2026-03-02",
        "served_on": "2026-03-10",
        "principal_awarded": "38500.00",
        "interest_awarded": "2317.45",
        "acceptance_fee": "1050.00",
        "acceptance_fee_charged": "1050.00",
        "appealable": True,
        "performance_days": 10,
        "confirmed": False,
        "text_excerpt": body["text_excerpt"],
        "text_source": "text",
        # The judgment names 被告 whom this matter does not record: nobody of the matter is bound.
        "bound_parties": [],
        "proposed_stage": None,  # unconfirmed: proposes nothing
    }
    assert "38,500" in body["text_excerpt"]
    item = EvidenceItem.objects.get(matter=matter)
    assert (item.kind, item.title) == ("ruling", "裁判文书")
    assert ruling.evidence_id == item.pk
    assert ruling.reading["case_number"] == "（2025）沪0115民初48213号"
    assert ruling.reading["principal_awarded"] == "38500.00"
    assert len(stored_files(evidence_storage)) == 1
    assert MatterEvent.objects.filter(matter=matter, kind=EventKind.RULING_RECORDED).count() == 1
    # What was read drives nothing until a person confirms it.
    assert current_deadlines(matter) == {}


def test_a_pdf_small_claims_judgment_is_read_as_final():
    matter = make_matter()

    response = upload(make_user(), matter, "判决书.pdf", pdf_of(sample("judgment_04_small_claims")))

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "judgment"
    assert body["case_number"] == "（2025）沪0112民初30541号"
    assert body["court"] == "上海市闵行区人民法院"
    assert body["decided_on"] == "2025-09-30"
    assert body["principal_awarded"] == "19850.20"
    assert body["acceptance_fee_charged"] == "163.25"
    assert body["appealable"] is False
    assert body["performance_days"] == 10
    assert body["served_on"] is None
    assert current_deadlines(matter) == {}


def test_a_pdf_without_text_gives_an_empty_reading_to_correct_by_hand():
    from tests.evidence import samples

    matter = make_matter()
    user = make_user()

    response = upload(user, matter, "扫描件.pdf", samples.pdf_bytes(1))

    assert response.status_code == 201, response.content
    body = response.json()
    assert {name for name, value in body.items() if value is not None} == {
        "id",
        "confirmed",
        "text_source",
        "bound_parties",
    }
    assert body["bound_parties"] == []
    assert body["text_source"] == "none"  # the client must type the fields in

    confirmed = confirm(
        user,
        body["id"],
        kind="judgment",
        appealable=True,
        served_on="2025-09-20",
        performance_days=10,
    )

    assert confirmed.status_code == 200, confirmed.content
    assert current_deadlines(matter)[DeadlineKind.APPEAL] == "2025-10-09"


def test_the_served_day_comes_from_the_proceeding_with_the_same_case_number():
    from legalcase.services import proceeding_record, service_record_add

    matter = make_matter()
    user = make_user()
    proceeding = proceeding_record(
        user=user, matter_id=matter.pk, kind="first_instance", case_number="(2025)沪0115民初48213号"
    )
    service_record_add(user=user, proceeding_id=proceeding.pk, method="mail", served_on=dt.date(2026, 3, 6))

    response = upload(user, matter, "判决书.docx", docx_of(sample("judgment_01_first_instance")))

    assert response.json()["served_on"] == "2026-03-06"
    assert Ruling.objects.get().proceeding == proceeding


# Confirmation and deadlines -----------------------------------------------------------


def test_the_worked_chain_end_to_end():
    matter = make_matter()
    user = make_user()
    uploaded = upload(user, matter, "判决书.docx", docx_of(CHAIN_JUDGMENT), served_on="2025-09-20").json()
    assert (uploaded["appealable"], uploaded["performance_days"]) == (True, 10)
    assert current_deadlines(matter) == {}

    response = confirm(user, uploaded["id"])

    assert response.status_code == 200, response.content
    assert response.json()["confirmed"] is True
    assert current_deadlines(matter) == {
        "appeal": "2025-10-09",
        "judgment_effective": "2025-10-10",
        "performance_end": "2025-10-20",
        "enforcement_application": "2027-10-20",
    }
    rows = {row.kind: row for row in Deadline.objects.filter(matter=matter)}
    assert rows["appeal"].verified_calendar is True
    assert rows["enforcement_application"].verified_calendar is False
    ruling = Ruling.objects.get()
    assert (ruling.confirmed, ruling.confirmed_by, ruling.corrections) == (True, user, {})
    assert MatterEvent.objects.filter(matter=matter, kind=EventKind.RULING_CONFIRMED).count() == 1


def test_confirming_the_sample_judgment_creates_the_four_deadlines():
    matter = make_matter()
    user = make_user()
    uploaded = upload(
        user, matter, "判决书.pdf", pdf_of(sample("judgment_01_first_instance")), served_on="2026-03-10"
    ).json()

    confirm(user, uploaded["id"])

    # Served Tue 2026-03-10: 15 days to Wed 03-25; effective 03-26; 10 days to Sun 04-05,
    # Qingming (04-04 to 04-06) moves it to Tue 04-07; two years to 2028-04-07.
    deadlines = current_deadlines(matter)
    assert deadlines["appeal"] == "2026-03-25"
    assert deadlines["judgment_effective"] == "2026-03-26"
    assert deadlines["performance_end"] == "2026-04-07"
    assert deadlines["enforcement_application"] == "2028-04-07"


def test_a_correction_that_moves_the_served_day_moves_the_deadlines():
    matter = make_matter()
    user = make_user()
    uploaded = upload(user, matter, "判决书.docx", docx_of(CHAIN_JUDGMENT), served_on="2025-09-20").json()
    confirm(user, uploaded["id"])
    ruling_kinds = ["appeal", "judgment_effective", "performance_end", "enforcement_application"]
    first = {row.kind: row.pk for row in Deadline.objects.filter(matter=matter, kind__in=ruling_kinds)}
    assert len(first) == 4

    # Service cannot come before the judgment: the date of the judgment is corrected too.
    response = confirm(user, uploaded["id"], decided_on="2025-09-01", served_on="2025-09-05")

    assert response.status_code == 200, response.content
    assert response.json()["served_on"] == "2025-09-05"
    # Served 09-05: 15 days to Sat 09-20, moved to Mon 09-22; effective 09-23; 10 days to 10-03
    # (National Day) moved to Thu 10-09; two years to Sat 2027-10-09.
    deadlines = current_deadlines(matter)
    assert deadlines["appeal"] == "2025-09-22"
    assert deadlines["judgment_effective"] == "2025-09-23"
    assert deadlines["performance_end"] == "2025-10-09"
    for kind, pk in first.items():
        assert Deadline.objects.get(pk=pk).superseded_at is not None, kind
    # The limitation date does not rest on the ruling: confirming again leaves it alone.
    assert Deadline.objects.filter(matter=matter, kind="limitation").count() == 1
    ruling = Ruling.objects.get()
    assert ruling.reading["appealable"] is True
    assert ruling.reading["decided_on"] == "2025-09-10"
    assert ruling.corrections == {"decided_on": "2025-09-01", "served_on": "2025-09-05"}
    assert ruling.served_on == dt.date(2025, 9, 5)


def test_a_correction_that_makes_the_judgment_final_drops_the_appeal_deadline():
    matter = make_matter()
    user = make_user()
    uploaded = upload(user, matter, "判决书.docx", docx_of(CHAIN_JUDGMENT), served_on="2025-09-20").json()
    confirm(user, uploaded["id"])

    response = confirm(user, uploaded["id"], appealable=False, court="")

    assert response.status_code == 200, response.content
    assert response.json()["court"] is None
    assert current_deadlines(matter) == {
        "judgment_effective": "2025-09-20",
        "performance_end": "2025-09-30",
        "enforcement_application": "2027-09-30",
    }
    assert Ruling.objects.get().corrections == {"appealable": False, "court": None}


def test_a_final_document_takes_effect_on_service():
    matter = make_matter()
    user = make_user()
    uploaded = upload(
        user, matter, "判决书.docx", docx_of(sample("judgment_04_small_claims")), served_on="2025-10-13"
    ).json()

    confirm(user, uploaded["id"])

    deadlines = current_deadlines(matter)
    assert "appeal" not in deadlines
    assert deadlines["judgment_effective"] == "2025-10-13"
    assert deadlines["performance_end"] == "2025-10-23"
    assert deadlines["enforcement_application"] == "2027-10-25"  # 10-23 is a Saturday


def test_an_arbitral_award_takes_effect_on_the_day_it_is_made():
    matter = make_matter()
    user = make_user()
    uploaded = upload(user, matter, "裁决书.docx", docx_of(sample("award_01_shanghai"))).json()
    assert uploaded["kind"] == "arbitral_award"

    confirm(user, uploaded["id"], performance_days=10)

    assert current_deadlines(matter)["judgment_effective"] == uploaded["decided_on"]


# Bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize("served_on", ["2025-13-01", "2025-02-30", "昨天"])
def test_a_bad_served_day_stores_nothing(evidence_storage, served_on):
    matter = make_matter()

    response = upload(make_user(), matter, "判决书.docx", docx_of(CHAIN_JUDGMENT), served_on=served_on)

    assert response.status_code == 400
    assert "served_on" in response.json()
    assert not EvidenceItem.objects.exists()
    assert not Ruling.objects.exists()
    assert stored_files(evidence_storage) == []


def test_a_refused_file_stores_nothing(evidence_storage):
    matter = make_matter()

    response = upload(make_user(), matter, "判决书.exe", b"MZ\x90\x00 not a document")

    assert response.status_code == 400
    assert not EvidenceItem.objects.exists()
    assert not Ruling.objects.exists()
    assert stored_files(evidence_storage) == []


def test_a_failure_while_recording_leaves_no_file(evidence_storage, monkeypatch):
    import evidence.services

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(evidence.services, "ruling_record", broken)
    client = api(make_user())
    client.raise_request_exception = True
    matter = make_matter()

    with pytest.raises(RuntimeError):
        client.post(
            f"/api/v1/matters/{matter.pk}/rulings/",
            {"file": SimpleUploadedFile("判决书.docx", docx_of(CHAIN_JUDGMENT))},
            format="multipart",
        )

    assert not EvidenceItem.objects.exists()
    assert stored_files(evidence_storage) == []


@pytest.mark.parametrize(
    "corrections",
    [
        {"served_on": "2025-02-30"},
        {"kind": "verdict"},
        {"performance_days": -1},
        {"principal_awarded": "lots"},
        {"appealable": "perhaps"},
        {"case_number": "not a case number"},
        {"judge": "张三"},
    ],
)
def test_bad_corrections_answer_400_and_change_nothing(corrections):
    matter = make_matter()
    user = make_user()
    uploaded = upload(user, matter, "判决书.docx", docx_of(CHAIN_JUDGMENT), served_on="2025-09-20").json()

    response = confirm(user, uploaded["id"], **corrections)

    assert response.status_code == 400, response.content
    ruling = Ruling.objects.get()
    assert (ruling.confirmed, ruling.corrections, ruling.served_on) == (False, {}, dt.date(2025, 9, 20))
    assert current_deadlines(matter) == {}


# Roles -------------------------------------------------------------------------------


def test_a_manager_may_not_upload_or_confirm(evidence_storage):
    matter = make_matter()
    manager = make_user(Role.MANAGER)

    assert upload(manager, matter, "判决书.docx", docx_of(CHAIN_JUDGMENT)).status_code == 403
    assert stored_files(evidence_storage) == []
    uploaded = upload(make_user(), matter, "判决书.docx", docx_of(CHAIN_JUDGMENT)).json()
    assert confirm(manager, uploaded["id"]).status_code == 403
    assert Ruling.objects.get().confirmed is False


def test_another_firms_lawyer_gets_404_and_the_assigned_lawyer_201(evidence_storage):
    firm = make_firm()
    matter = make_matter(firm=firm)
    outsider = make_user(Role.LAWYER)
    lawyer = make_user(Role.LAWYER, firm=firm)

    assert upload(outsider, matter, "判决书.docx", docx_of(CHAIN_JUDGMENT)).status_code == 404
    assert upload(outsider, matter, "判决书.docx", b"", served_on="bad").status_code == 404
    assert stored_files(evidence_storage) == []
    response = upload(lawyer, matter, "判决书.docx", docx_of(CHAIN_JUDGMENT), served_on="2025-09-20")
    assert response.status_code == 201, response.content
    assert confirm(outsider, response.json()["id"]).status_code == 404
    assert confirm(lawyer, response.json()["id"]).status_code == 200
    assert current_deadlines(matter)["appeal"] == "2025-10-09"


def test_an_unknown_ruling_answers_404():
    assert confirm(make_user(), 999999).status_code == 404
