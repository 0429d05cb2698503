"""Court notices over the API: posting, matching, confirming, dismissing, the SMS gateway, uploads."""

import copy
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from evidence.models import EvidenceItem, EvidenceKind
from legalcase.models import (
    AuditEvent,
    CourtNotice,
    Deadline,
    DeadlineKind,
    EventKind,
    Forum,
    Hearing,
    MatterEvent,
    Proceeding,
    Role,
    SmsGateway,
)
from legalcase.services.court_notices import sms_gateway_issue
from tests.evidence.conftest import stored_files
from tests.factories import make_firm, make_forum, make_matter, make_party, make_user
from tests.shared_rows import shared_rows

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent.parent / "fixtures" / "court_notices"
RECEIVED_AT = "2026-05-06T10:00:00+08:00"
PUDONG = "上海市浦东新区人民法院"
CASE = "（2026）沪0115民初1234号"


def sample(name: str) -> str:
    return (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def post(user, text: str, channel: str = "sms", **headers):
    body = {"channel": channel, "text": text, "received_at": RECEIVED_AT}
    return api(user).post("/api/v1/court-notices/", body, format="json", headers=headers)


def confirm(user, notice_id, **body):
    return api(user).post(f"/api/v1/court-notices/{notice_id}/confirm/", body, format="json")


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker):
    """A Pudong matter against 张三 held by a firm, with its first-instance proceeding, made once (tests/shared_rows.py)."""
    with shared_rows(django_db_blocker, "court notices world"):
        yield _world()


@pytest.fixture
def world(shared_world):
    return copy.deepcopy(shared_world)


def _world() -> dict:
    firm = make_firm()
    lawyer = make_user(Role.LAWYER, firm=firm)
    # The national court table (a data migration) holds it already.
    forum = Forum.objects.filter(name=PUDONG).first() or make_forum(PUDONG)
    matter = make_matter(stage="litigation", firm=firm, debtor=make_party("张三"))
    matter.forum = forum
    matter.save(update_fields=["forum"])
    proceeding = Proceeding.objects.create(
        matter=matter, kind="first_instance", forum=forum, case_number=CASE, filed_on="2026-04-01"
    )
    return {"firm": firm, "lawyer": lawyer, "counsel": make_user(), "matter": matter, "proceeding": proceeding}


def matter_state(matter) -> tuple:
    proceeding = matter.proceedings.get()
    return (
        MatterEvent.objects.filter(matter=matter).count(),
        Hearing.objects.filter(proceeding__matter=matter).count(),
        proceeding.fee_notice_received_on,
        EvidenceItem.objects.filter(matter=matter).count(),
        Deadline.objects.filter(matter=matter).count(),
    )


# Posting and matching -----------------------------------------------------------------------


def test_a_summons_by_sms_is_matched_by_case_number_and_changes_nothing_yet(world):
    before = matter_state(world["matter"])

    response = post(world["lawyer"], sample("summons_1_sms"))

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "matched"
    assert body["matter"] == {"id": world["matter"].pk, "number": world["matter"].number}
    assert body["proceeding"] == world["proceeding"].pk
    assert body["parsed"]["kind"] == "summons"
    assert body["parsed"]["hearing_at"] == "2026-05-12T09:30:00+08:00"
    assert body["parsed"]["place"] == "本院第十二法庭"
    assert body["parsed"]["link"] == "https://sd.court.gov.cn/sfsddz/Q7WmN2"
    assert body["candidates"] == []
    assert matter_state(world["matter"]) == before
    assert AuditEvent.objects.filter(action="court_notice_received", target=f"court_notice:{body['id']}").exists()


def test_a_notice_without_a_case_number_is_matched_by_court_and_names(world):
    text = "【上海市浦东新区人民法院】原告某银行与被告张三信用卡纠纷一案，请于收到本通知之日起七日内交纳案件受理费。"

    body = post(world["counsel"], text).json()

    assert (body["status"], body["matter"]["id"], body["proceeding"]) == ("matched", world["matter"].pk, None)


def test_the_same_names_at_another_court_do_not_match(world):
    text = "【北京市朝阳区人民法院】原告某银行与被告张三信用卡纠纷一案，请于收到本通知之日起七日内交纳案件受理费。"

    body = post(world["counsel"], text).json()

    assert (body["status"], body["matter"], body["candidates"]) == ("unmatched", None, [])


def test_several_matters_that_fit_are_candidates(world):
    other = make_matter(firm=world["firm"], debtor=make_party("张三"))
    other.forum = world["matter"].forum
    other.save(update_fields=["forum"])
    text = "【上海市浦东新区人民法院】原告某银行与被告张三信用卡纠纷一案，本院已立案受理。"

    body = post(world["lawyer"], text).json()

    assert body["status"] == "candidates"
    assert body["matter"] is None
    assert [row["id"] for row in body["candidates"]] == sorted([world["matter"].pk, other.pk])
    listed = api(world["lawyer"]).get(f"/api/v1/court-notices/?matter={other.pk}").json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]


def test_a_notice_nothing_fits_goes_to_the_review_queue(world):
    body = post(world["counsel"], sample("acceptance_3_pdf"), channel="platform").json()

    assert body["status"] == "unmatched"
    queue = api(world["counsel"]).get("/api/v1/court-notices/?status=unmatched").json()
    assert [row["id"] for row in queue["results"]] == [body["id"]]


def test_a_lawyer_matches_only_among_the_matters_their_firm_holds(world):
    stranger = make_user(Role.LAWYER, firm=make_firm())

    body = post(stranger, sample("summons_1_sms")).json()

    assert (body["status"], body["matter"], body["proceeding"]) == ("unmatched", None, None)


def test_the_same_text_again_is_the_first_notice(world):
    first = post(world["lawyer"], sample("summons_1_sms"))
    again = post(world["lawyer"], "  " + sample("summons_1_sms") + "\n")
    keyed = post(world["lawyer"], sample("evidence_2_email"), channel="email", **{"Idempotency-Key": "k-1"})
    keyed_again = post(world["lawyer"], sample("evidence_2_email"), channel="email", **{"Idempotency-Key": "k-1"})
    reused = post(world["lawyer"], sample("fee_payment_2_email"), channel="email", **{"Idempotency-Key": "k-1"})

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert (keyed.status_code, keyed_again.status_code) == (201, 200)
    assert keyed_again.json()["id"] == keyed.json()["id"]
    assert reused.status_code == 409
    assert reused.json() == {"detail": "该幂等键已用于另一份法院通知。", "stage": None}
    assert CourtNotice.objects.count() == 2


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"channel": "sms", "text": "   ", "received_at": RECEIVED_AT}, "text", "请粘贴通知的文字。"),
        ({"channel": "fax", "text": "x", "received_at": RECEIVED_AT}, "channel", None),
        ({"channel": "sms", "text": "x", "received_at": "2026-05-06T10:00:00"}, "received_at", "请填写带时区的日期和时间。"),
        ({"channel": "sms", "text": "x", "received_at": "2099-01-01T10:00:00+08:00"}, "received_at", "收到时间不能晚于现在。"),
        ({"channel": "sms", "text": "x" * 20_001, "received_at": RECEIVED_AT}, "text", None),
        ({"channel": "upload", "received_at": RECEIVED_AT}, "file", "请附上通知的 PDF 或 DOCX 文件。"),
    ],
)  # fmt: skip
def test_bad_posts_are_refused_and_store_nothing(world, body, field, message):
    response = api(world["counsel"]).post("/api/v1/court-notices/", body, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()
    if message:
        assert response.json()[field] == [message]
    assert CourtNotice.objects.count() == 0
    assert not AuditEvent.objects.filter(action="court_notice_received").exists()


def test_a_manager_reads_but_may_not_post(world):
    manager = make_user(Role.MANAGER)
    post(world["counsel"], sample("summons_1_sms"))

    assert post(manager, sample("evidence_1_sms")).status_code == 403
    assert api(manager).get("/api/v1/court-notices/").json()["count"] == 1


def test_another_firms_lawyer_sees_none_of_your_notices(world):
    stranger = make_user(Role.LAWYER, firm=make_firm())
    notice_id = post(world["lawyer"], sample("summons_1_sms")).json()["id"]
    counsel_notice = post(world["counsel"], sample("evidence_2_email"), channel="email").json()["id"]

    assert api(stranger).get("/api/v1/court-notices/").json()["count"] == 0
    for path in (f"{notice_id}/", f"{counsel_notice}/"):
        assert api(stranger).get(f"/api/v1/court-notices/{path}").status_code == 404
    assert confirm(stranger, notice_id).status_code == 404
    assert api(stranger).post(f"/api/v1/court-notices/{notice_id}/dismiss/", {"reason": "x"}).status_code == 404
    # The firm's own lawyer sees what they posted, not counsel's unconfirmed notice.
    assert [row["id"] for row in api(world["lawyer"]).get("/api/v1/court-notices/").json()["results"]] == [notice_id]


def test_the_text_shown_is_masked(world):
    text = sample("other_1_sms") + " 被告身份证号110105199001011232，手机13812345678。"

    body = post(world["counsel"], text).json()

    assert "110105********1232" in body["text"] and "138****5678" in body["text"]
    assert "13812345678" not in str(body)


# Confirming ----------------------------------------------------------------------------------


def test_confirming_a_summons_records_the_hearing_once(world):
    notice_id = post(world["lawyer"], sample("summons_1_sms")).json()["id"]

    response = confirm(world["lawyer"], notice_id)

    assert response.status_code == 200, response.content
    body = response.json()
    hearing = Hearing.objects.get(proceeding=world["proceeding"])
    assert body["status"] == "confirmed"
    assert body["created"] == {"hearing": hearing.pk, "deadlines": [], "evidence": None}
    assert (hearing.at.isoformat(), hearing.place) == ("2026-05-12T01:30:00+00:00", "本院第十二法庭")
    assert hearing.summons_served_on.isoformat() == "2026-05-06"  # the day the summons reached us (B.4)
    kinds = list(MatterEvent.objects.filter(matter=world["matter"]).values_list("kind", flat=True).order_by("id"))
    assert kinds[-2:] == [EventKind.HEARING_ADDED, EventKind.COURT_NOTICE_CONFIRMED]
    again = confirm(world["lawyer"], notice_id)
    dismissed = api(world["lawyer"]).post(f"/api/v1/court-notices/{notice_id}/dismiss/", {"reason": "重复"})
    assert (again.status_code, dismissed.status_code) == (409, 409)
    assert again.json() == {"detail": "该法院通知已确认。", "stage": None}
    assert Hearing.objects.filter(proceeding=world["proceeding"]).count() == 1


def test_confirming_a_fee_notice_sets_the_day_it_was_received(world):
    notice_id = post(world["counsel"], sample("fee_payment_2_email"), channel="email").json()["id"]

    body = confirm(world["counsel"], notice_id).json()

    world["proceeding"].refresh_from_db()
    assert world["proceeding"].fee_notice_received_on.isoformat() == "2026-05-06"
    fee = Deadline.objects.get(matter=world["matter"], kind=DeadlineKind.FEE_PAYMENT, superseded_at__isnull=True)
    assert fee.due_on.isoformat() == "2026-05-13"
    assert body["created"]["deadlines"] == [{"id": fee.pk, "kind": "fee_payment", "due_on": "2026-05-13"}]


def test_confirming_an_evidence_notice_records_the_period_on_the_proceeding(world):
    notice = post(world["counsel"], sample("evidence_2_email"), channel="email").json()
    assert notice["parsed"]["deadlines"] == [{"kind": "evidence_period", "due_on": "2026-05-21", "days": 15}]

    body = confirm(world["counsel"], notice["id"]).json()

    world["proceeding"].refresh_from_db()
    assert world["proceeding"].evidence_due_on.isoformat() == "2026-05-21"
    row = Deadline.objects.get(matter=world["matter"], kind=DeadlineKind.EVIDENCE_PERIOD, superseded_at__isnull=True)
    assert body["created"]["deadlines"] == [{"id": row.pk, "kind": "evidence_period", "due_on": "2026-05-21"}]


def test_an_answer_period_corrected_at_confirmation_is_the_one_recorded(world):
    notice_id = post(world["counsel"], sample("acceptance_4_respondent"), channel="platform").json()["id"]
    corrections = {"deadlines": [{"kind": "defence_period", "due_on": "2026-05-25"}]}

    body = confirm(world["counsel"], notice_id, matter=world["matter"].pk, proceeding=world["proceeding"].pk,
                   corrections=corrections).json()  # fmt: skip

    world["proceeding"].refresh_from_db()
    assert world["proceeding"].defence_due_on.isoformat() == "2026-05-25"
    assert [row["kind"] for row in body["created"]["deadlines"]] == ["defence_period"]
    assert body["reading"]["deadlines"] == [{"kind": "defence_period", "due_on": "2026-05-21", "days": 15}]


def test_confirming_a_judgment_served_records_the_service_on_our_side(world):
    notice_id = post(world["counsel"], sample("judgment_service_3_pdf"), channel="platform").json()["id"]

    body = confirm(world["counsel"], notice_id).json()

    record = world["proceeding"].service_records.get()
    assert body["created"]["service"] == record.pk
    assert (record.party, record.method, record.served_on.isoformat()) == (None, "electronic", "2026-05-06")


def test_corrections_are_kept_beside_the_reading(world):
    notice = post(world["counsel"], sample("other_3_pdf"), channel="platform").json()
    corrections = {"kind": "summons", "hearing_at": "2026-06-01T14:00:00+08:00", "place": "第五法庭", "case_number": "(2026)沪0115民初1234号"}

    body = confirm(world["counsel"], notice["id"], matter=world["matter"].pk, corrections=corrections).json()

    assert body["reading"] == notice["reading"]
    assert body["reading"]["kind"] == "other"
    assert body["corrections"] == {**corrections, "case_number": CASE, "hearing_at": "2026-06-01T14:00:00+08:00"}
    assert body["parsed"]["kind"] == "summons"
    assert body["proceeding"] == world["proceeding"].pk
    assert Hearing.objects.get(pk=body["created"]["hearing"]).place == "第五法庭"


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"corrections": {"kind": "verdict"}}, "kind", "未知的法院通知类型。"),
        ({"corrections": {"judge": "王"}}, "judge", "不是法院通知的字段。"),
        ({"corrections": {"hearing_at": "2026-06-01 14:00"}}, "hearing_at", "请填写带时区的日期和时间。"),
        ({"corrections": {"deadlines": [{"kind": "limitation", "due_on": "2026-06-01"}]}}, "deadlines", "未知的期限类型。"),
        ({"corrections": {"case_number": "沪0115民初1234号"}}, "case_number", None),
        ({"proceeding": 999999}, "proceeding", "不是本案件的程序。"),
        ({"matter": None, "corrections": {"case_number": None}}, "proceeding", "本案件没有该案号的程序，请选择程序。"),
    ],
)  # fmt: skip
def test_bad_confirmations_are_refused_and_change_nothing(world, body, field, message):
    notice_id = post(world["counsel"], sample("summons_1_sms")).json()["id"]
    before = matter_state(world["matter"])

    response = confirm(world["counsel"], notice_id, **body)

    assert response.status_code == 400, response.content
    if message:
        assert response.json()[field] == [message]
    assert field in response.json()
    assert matter_state(world["matter"]) == before
    assert CourtNotice.objects.get(pk=notice_id).status == "matched"


def test_a_matter_the_caller_cannot_see_is_refused_by_name(world):
    elsewhere = make_matter(firm=make_firm())
    notice_id = post(world["lawyer"], sample("other_1_sms")).json()["id"]

    response = confirm(world["lawyer"], notice_id, matter=elsewhere.pk)

    assert response.status_code == 400
    assert response.json() == {"matter": ["您的案件中没有该案件。"]}


def test_dismissing_needs_a_reason_and_then_closes_the_notice(world):
    notice_id = post(world["counsel"], sample("other_2_email"), channel="email").json()["id"]
    path = f"/api/v1/court-notices/{notice_id}/dismiss/"

    assert api(world["counsel"]).post(path, {"reason": " "}, format="json").status_code == 400
    response = api(world["counsel"]).post(path, {"reason": "非本所案件"}, format="json")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["dismissed_reason"]) == ("dismissed", "非本所案件")
    assert confirm(world["counsel"], notice_id, matter=world["matter"].pk).json()["detail"] == "该法院通知已驳回。"
    assert AuditEvent.objects.filter(action="court_notice_dismissed").count() == 1


def test_a_lawyer_sees_a_notice_counsel_confirmed_to_their_matter(world):
    notice_id = post(world["counsel"], sample("summons_1_sms")).json()["id"]
    assert api(world["lawyer"]).get(f"/api/v1/court-notices/{notice_id}/").status_code == 404

    confirm(world["counsel"], notice_id)

    assert api(world["lawyer"]).get(f"/api/v1/court-notices/{notice_id}/").json()["status"] == "confirmed"


# Uploads -------------------------------------------------------------------------------------


def docx_of(text: str) -> bytes:
    import docx

    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def upload(user, name: str, data: bytes):
    body = {"channel": "upload", "file": SimpleUploadedFile(name, data), "received_at": RECEIVED_AT}
    return api(user).post("/api/v1/court-notices/", body, format="multipart")


def test_an_uploaded_notice_becomes_notice_evidence_when_confirmed(world, evidence_storage):
    data = docx_of(sample("fee_payment_2_email"))
    response = upload(world["lawyer"], "缴费通知.docx", data)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["parsed"]["kind"], body["file"]["filename"]) == ("matched", "fee_payment", "缴费通知.docx")
    assert EvidenceItem.objects.count() == 0
    assert upload(world["lawyer"], "again.docx", data).json()["id"] == body["id"]
    assert len(stored_files(evidence_storage)) == 1

    confirmed = confirm(world["lawyer"], body["id"]).json()

    item = EvidenceItem.objects.get(matter=world["matter"])
    assert confirmed["created"]["evidence"] == item.pk == confirmed["evidence"]
    assert (item.kind, item.original_filename) == (EvidenceKind.NOTICE, "缴费通知.docx")
    assert "交纳诉讼费用通知书" in item.text
    assert len(stored_files(evidence_storage)) == 1


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notice.txt", b"hello", "仅接受 PDF、JPEG、PNG、DOCX 和 XLSX 文件。"),
        ("notice.pdf", b"PK\x03\x04 not a pdf", None),
        ("notice.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, None),
    ],
)
def test_a_refused_upload_stores_nothing(world, evidence_storage, name, data, message):
    response = upload(world["counsel"], name, data)

    assert response.status_code == 400, response.content
    assert "file" in response.json()
    if message:
        assert response.json()["file"] == [message]
    assert CourtNotice.objects.count() == 0
    assert stored_files(evidence_storage) == []


def test_an_upload_refused_after_its_file_was_checked_leaves_no_file(world, evidence_storage):
    body = {
        "channel": "upload",
        "file": SimpleUploadedFile("notice.docx", docx_of(sample("summons_2_email"))),
        "received_at": "2099-05-06T10:00:00+08:00",
    }

    response = api(world["counsel"]).post("/api/v1/court-notices/", body, format="multipart")

    assert (response.status_code, response.json()) == (400, {"received_at": ["收到时间不能晚于现在。"]})
    assert CourtNotice.objects.count() == 0
    assert stored_files(evidence_storage) == []


# The SMS gateway -----------------------------------------------------------------------------


def test_a_gateway_posts_with_its_token_only(world):
    gateway, token = sms_gateway_issue(name="aliyun-sms")
    client = APIClient()
    path = "/api/v1/court-notices/webhook/aliyun-sms/"
    body = {"text": sample("summons_1_sms"), "received_at": RECEIVED_AT}

    missing = client.post(path, body, format="json")
    wrong = client.post(path, body, format="json", headers={"Authorization": "Bearer nope"})
    unknown = client.post("/api/v1/court-notices/webhook/other/", body, format="json", headers={"Authorization": f"Bearer {token}"})
    assert (missing.status_code, missing.json()) == (401, {"detail": "缺少网关令牌。"})
    assert (wrong.status_code, wrong.json()) == (403, {"detail": "网关令牌无效。"})
    assert unknown.status_code == 403
    assert CourtNotice.objects.count() == 0

    accepted = client.post(path, body, format="json", headers={"Authorization": f"Bearer {token}"})
    again = client.post(path, body, format="json", headers={"Authorization": f"Bearer {token}"})

    assert (accepted.status_code, again.status_code) == (201, 200)
    notice = CourtNotice.objects.get()
    assert accepted.json() == {"id": notice.pk, "status": "received"}
    assert (notice.gateway, notice.channel, notice.status, notice.matter) == (gateway, "sms", "matched", world["matter"])
    assert SmsGateway.objects.get().token_digest != token and token not in str(SmsGateway.objects.values())
    assert confirm(world["counsel"], notice.pk).status_code == 200


# The court mailbox's messages (the IMAP reading itself: test_court_mail.py) ----------------------


def test_an_html_delivery_email_reads_as_its_text_with_the_link_kept():
    import email
    import email.policy

    from evidence.court_mail import message_text

    raw = (
        "Subject: =?utf-8?b?5byA5bqt5Lyg56Wo?=\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        "<html><head><style>p{color:red}</style></head><body><p>北京市朝阳区人民法院</p>"
        "<p>案号：(2026)京0105民初20871号</p><p>请<a href='https://ssfw.bjcourt.gov.cn/ws/dl?id=1'>点击下载</a></p>"
        "<script>alert(1)</script></body></html>"
    ).encode()
    message = email.message_from_bytes(raw, policy=email.policy.default)

    text = message_text(message)

    assert text.startswith("主题：开庭传票\n")
    assert "北京市朝阳区人民法院" in text and "https://ssfw.bjcourt.gov.cn/ws/dl?id=1" in text
    assert "color" not in text and "alert" not in text


def test_the_list_reads_a_page_in_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    for name in ("summons_1_sms", "fee_payment_2_email", "evidence_2_email", "other_1_sms", "acceptance_1_sms"):
        post(world["counsel"], sample(name))
    client = api(world["lawyer"])

    with django_assert_max_num_queries(8):
        listed = client.get("/api/v1/court-notices/?page_size=500").json()

    assert listed["count"] == 0  # counsel's notices, none yet confirmed to the lawyer's matter
    with django_assert_max_num_queries(8):
        assert api(world["counsel"]).get("/api/v1/court-notices/").json()["count"] == 5
