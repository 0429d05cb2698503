"""Timelines in plain Chinese: every event kind told as a sentence, on the pages and in the API.

For every ``EventKind`` an entry in each shape the services write (``timeline_samples``) is
rendered on the matter page, the firm's activity page, the lawyers' landing page and by the
events API, and the text must carry no field key, no choice code (the value of any
TextChoices), no ISO date or time and no "None".
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from legalcase.authentication import token_issue
from legalcase.models import EventKind, MatterEvent, Role
from legalcase.timeline import FIELD_LABELS, all_choice_values, event_text, field_label, value_text
from templates_docx.models import DocumentStatus, DocumentTemplate, GeneratedDocument
from tests.factories import make_firm, make_matter, make_party, make_user
from tests.legalcase.timeline_samples import samples

pytestmark = pytest.mark.django_db

ISO = re.compile(r"\d{4}-\d{2}-\d{2}|T\d{2}:\d{2}|\d{2}:\d{2}:\d{2}")
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def token_client(user, **headers) -> APIClient:
    key, _ = token_issue(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}", **headers)
    return client


def keys_of(data) -> set[str]:
    if isinstance(data, dict):
        return set(data) | {key for value in data.values() for key in keys_of(value)}
    if isinstance(data, list):
        return {key for value in data for key in keys_of(value)}
    return set()


def codes_of(data) -> set[str]:
    """Every stored string value that is a code (the choices' values among them)."""
    if isinstance(data, dict):
        return {c for value in data.values() for c in codes_of(value)} | {k for k in data if k in all_choice_values()}
    if isinstance(data, list):
        return {c for value in data for c in codes_of(value)}
    if isinstance(data, str) and re.fullmatch(r"[a-z][a-z0-9_]*", data):
        return {data}
    return set()


def faults(text: str, forbidden: set[str]) -> list[str]:
    found = [word for word in WORD.findall(text) if word in forbidden]
    found += ISO.findall(text)
    if "None" in text:
        found.append("None")
    return found


def timeline_text(page_html: str) -> str:
    body = page_html.split('<tbody id="timeline-rows"', 1)[1].split("</tbody>", 1)[0]
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", body.split(">", 1)[1]))


@pytest.fixture
def world():
    firm = make_firm("衡平律师事务所")
    lawyer = make_user(Role.LAWYER, firm=firm, username="lawyer_timeline")
    owner = make_user(Role.COUNSEL, username="counsel_zhao")
    owner.last_name, owner.first_name = "赵", "敏"
    owner.save()
    matter = make_matter(firm=firm, debtor=make_party("张三"))
    template = DocumentTemplate.objects.order_by("code", "-version").first() or DocumentTemplate.objects.create(
        code="complaint_test", name="民事起诉状", version=1, effective_from="2020-01-01", content=b"x", sha256="0" * 64
    )
    document = GeneratedDocument.objects.create(
        matter=matter, template=template, status=DocumentStatus.FAILED, error="x", created_by=owner
    )
    shapes = samples(
        owner_username=owner.username,
        template_code=template.code,
        template_version=template.version,
        document_id=document.pk,
        firm_id=firm.pk,
    )
    at = timezone.now() - dt.timedelta(days=1)
    forbidden: set[str] = set(all_choice_values())
    for n, (kind, entries) in enumerate(shapes.items()):
        for m, (old, new, note) in enumerate(entries):
            MatterEvent.objects.create(
                matter=matter, actor=lawyer, kind=kind, old=old, new=new, note=note,
                at=at + dt.timedelta(minutes=n * 10 + m),
            )  # fmt: skip
            forbidden |= keys_of(old) | keys_of(new) | codes_of(old) | codes_of(new)
    return {"firm": firm, "lawyer": lawyer, "owner": owner, "matter": matter, "template": template,
            "shapes": shapes, "forbidden": forbidden}  # fmt: skip


def test_the_samples_cover_every_event_kind(world):
    assert set(world["shapes"]) == set(EventKind.values)


def test_every_event_kind_reads_as_chinese_on_the_matter_page(client, world):
    client.force_login(world["owner"])
    page = client.get(reverse("matter_detail", args=[world["matter"].pk])).content.decode()
    text = timeline_text(page)
    assert faults(text, world["forbidden"]) == []
    # Each entry is a sentence of its own.
    count = sum(len(entries) for entries in world["shapes"].values())
    assert text.count("。") >= count
    # Spot checks of the wording a lawyer reads.
    for expected in (
        "1,234.56元",  # money
        "2026年6月30日",  # a date
        "2026年4月1日 10:15",  # a hearing, in Beijing time
        "冻结存款",  # an enforcement kind's label
        "网络查控",  # a source's label
        f"《{world['template'].name}》",  # a generated document by its template's name
        "赵敏",  # an owner by name, also from an older entry holding the username
        "将还款方式由「等额本息」改为「到期一次性还本付息」",  # a correction, field by field
        "其他信息",  # an unknown key, never shown as itself
        "110105********1232",  # masked values stay masked
    ):
        assert expected in text, expected


def test_the_firm_activity_and_landing_pages_tell_the_same_sentences(client, world):
    client.force_login(world["lawyer"])
    activity = timeline_text(client.get(reverse("firm_activity", args=[world["firm"].pk])).content.decode())
    home = timeline_text(client.get(reverse("lawyer_home")).content.decode())
    assert faults(activity, world["forbidden"]) == []
    assert faults(home, world["forbidden"]) == []
    with translation.override("zh-hans"):
        shown = MatterEvent.objects.filter(matter=world["matter"], actor=world["lawyer"]).order_by("-at", "-id")
        newest = [event_text(event) for event in shown[:5]]
    assert all(text in activity and text in home for text in newest)


def test_the_events_api_serves_the_same_sentences(world):
    client = token_client(world["owner"])
    rows = client.get(f"/api/v1/matters/{world['matter'].pk}/events/?page_size=500").json()["results"]
    assert len(rows) == MatterEvent.objects.filter(matter=world["matter"]).count()
    for row in rows:
        assert set(row) >= {"id", "at", "actor", "kind", "text", "old", "new", "note"}
        assert row["text"].endswith("。"), row
        assert faults(row["text"], world["forbidden"]) == [], row
        assert row["at"].endswith("+08:00")


def test_english_is_told_in_english(world):
    client = token_client(world["owner"], HTTP_ACCEPT_LANGUAGE="en")
    url = f"/api/v1/matters/{world['matter'].pk}/events/?page_size=500"
    texts = {row["kind"] + str(row["id"]): row["text"] for row in client.get(url).json()["results"]}
    joined = "\n".join(texts.values())
    assert not re.search(r"[\u4e00-\u9fff]年|元|将.由", joined)
    for expected in (
        "CNY 1,234.56",
        "June 30, 2026",
        "changed repayment method from “Equal instalments of principal and interest” to “Principal and interest at maturity”",
        f"Generated “{world['template'].name}”",
    ):
        assert expected in joined, expected
    assert not ISO.search(joined)


def test_a_document_entry_names_its_template_by_the_stored_code_when_the_document_is_gone(world):
    template = world["template"]
    event = MatterEvent.objects.create(
        matter=world["matter"], kind=EventKind.DOCUMENT_DOWNLOADED,
        new={"document": 987654, "template": template.code, "format": "pdf"},
    )  # fmt: skip
    with translation.override("zh-hans"):
        assert event_text(event) == f"下载文书《{template.name}》（PDF）。"


def test_every_listed_field_has_a_chinese_label_and_unknown_keys_are_never_shown():
    listed = (
        "name id_number gender birth_date phones phone ethnicity workplace position address habitual_residence "
        "service_address representative representative_title contract_number contract_date loan_amount disbursed_on "
        "term_ends_on repayment_method branch annual_interest_rate penalty_rate compound_rate day_count as_of "
        "principal interest penalty_interest compound_interest late_fees fees repaid_principal repaid_interest "
        "interest_paid_to guarantee_signed_on guarantee_type guarantee_agreed_period guarantee_period_ends_on "
        "lawyers licence_number title kind purpose document_date source group withdrawn_reason"
    ).split()
    with translation.override("zh-hans"):
        for key in listed:
            assert key in FIELD_LABELS
            label = field_label(key)
            assert re.search(r"[\u4e00-\u9fff]", label) and not WORD.search(label), (key, label)
        assert field_label("no_such_field") == "其他信息"
        assert field_label("overdue_since") != "overdue_since"  # the model field's verbose name
        assert value_text("loan_amount", "100000") == "100,000.00元"
        assert value_text("annual_interest_rate", "0.1825") == "18.25%"
        assert value_text("birth_date", "1980-02-03") == "1980年2月3日"
        assert value_text("gender", "female") == "女"
        assert value_text("lawyers", [{"name": "钱律师", "licence_number": "11101201010123456", "phone": "139****0000"}])


def test_the_owner_entry_written_now_carries_the_names(world):
    client = token_client(make_user(Role.COUNSEL))
    response = client.post(f"/api/v1/matters/{world['matter'].pk}/owner/", {"owner": world["owner"].pk}, format="json")
    assert response.status_code == 200
    event = MatterEvent.objects.filter(matter=world["matter"], kind=EventKind.OWNER_CHANGED).latest("id")
    assert event.new == {"owner": "counsel_zhao", "owner_name": "赵敏"}
    assert event.old == {"owner": None, "owner_name": None}
    with translation.override("zh-hans"):
        assert "赵敏" in event_text(event)
