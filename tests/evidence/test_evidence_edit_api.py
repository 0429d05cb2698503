"""Correcting, reordering and withdrawing evidence through the API (API.md, "Correcting and completing the record").

Every change answers the item and writes one timeline entry with the changed fields'
old and new values (model field names) and the item's title as the note; every refusal
stores nothing. Default bundles and the evidence_list filing leave withdrawn items out
and follow ``position``.
"""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from evidence.models import EvidenceBundle, EvidenceItem
from evidence.services import evidence_upload
from legalcase.jobs import job_run
from legalcase.models import EventKind, Job, MatterEvent, Role
from tests.evidence import samples
from tests.factories import make_firm, make_matter, make_user
from tests.templates_docx.docx_samples import read_back

pytestmark = pytest.mark.django_db

EDIT_KINDS = (EventKind.EVIDENCE_EDITED, EventKind.EVIDENCE_WITHDRAWN, EventKind.EVIDENCE_REINSTATED)


def add(matter, user, title, **fields):
    upload = SimpleUploadedFile(f"{title}.pdf", samples.pdf_bytes(1))
    return evidence_upload(user=user, matter_id=matter.pk, uploaded_file=upload, kind="contract", title=title, **fields)


def patch(client, item, body):
    return client.patch(reverse("evidence_api:evidence-detail", args=[item.pk]), body, content_type="application/json")


def withdraw(client, item, reason="原件与复印件不符"):
    url = reverse("evidence_api:evidence-withdraw", args=[item.pk])
    return client.post(url, {"reason": reason}, content_type="application/json")


def reinstate(client, item):
    return client.post(reverse("evidence_api:evidence-reinstate", args=[item.pk]), content_type="application/json")


def listed(client, matter):
    response = client.get(reverse("evidence_api:matter-evidence", args=[matter.pk]))
    assert response.status_code == 200
    return [(row["title"], row["position"]) for row in response.json()["results"]]


def edit_events(matter):
    return list(MatterEvent.objects.filter(matter=matter, kind__in=EDIT_KINDS).order_by("id"))


@pytest.fixture
def counsel(client):
    user = make_user(Role.COUNSEL)
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def three(counsel):
    """A matter with 借款合同, 对账单, 还款记录, uploaded in that order."""
    matter = make_matter()
    items = [
        add(matter, counsel.user, "借款合同", purpose="证明借款关系", source="原告提供", document_date=dt.date(2024, 1, 15)),
        add(matter, counsel.user, "对账单"),
        add(matter, counsel.user, "还款记录"),
    ]
    return matter, items


@pytest.mark.parametrize(
    ("field", "value", "old"),
    [
        ("title", "个人借款合同", "借款合同"),
        ("kind", "statement", "contract"),
        ("purpose", "证明借款关系成立及借款金额", "证明借款关系"),
        ("document_date", "2024-01-16", "2024-01-15"),
        ("document_date", None, "2024-01-15"),
        ("source", "原告银行系统导出", "原告提供"),
        ("group", "一", ""),
    ],
)
def test_each_field_is_corrected_with_its_old_and_new_value_on_the_timeline(counsel, three, field, value, old):
    matter, (item, *_rest) = three
    response = patch(counsel, item, {field: value})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body[field] == value
    assert (body["id"], body["position"], body["withdrawn_at"], body["withdrawn_reason"]) == (item.pk, 1, None, "")
    item.refresh_from_db()
    stored = getattr(item, field)
    assert (stored.isoformat() if isinstance(stored, dt.date) else stored) == value
    [event] = edit_events(matter)
    assert (event.kind, event.actor, event.old, event.new) == (EventKind.EVIDENCE_EDITED, counsel.user, {field: old}, {field: value})
    assert event.note == item.title


def test_several_fields_at_once_make_one_entry_with_only_what_changed(counsel, three):
    matter, (item, *_rest) = three
    response = patch(counsel, item, {"title": "借款合同", "kind": "contract", "purpose": "证明借款金额", "source": "原告提供"})
    assert response.status_code == 200
    [event] = edit_events(matter)
    assert (event.old, event.new, event.note) == ({"purpose": "证明借款关系"}, {"purpose": "证明借款金额"}, "借款合同")
    # Nothing changed: nothing written.
    assert patch(counsel, item, {"purpose": "证明借款金额"}).status_code == 200
    assert len(edit_events(matter)) == 1


def test_a_new_position_moves_the_item_and_renumbers_the_others_without_gaps(counsel, three):
    matter, (contract, statement, record) = three
    assert listed(counsel, matter) == [("借款合同", 1), ("对账单", 2), ("还款记录", 3)]
    response = patch(counsel, record, {"position": 1})
    assert response.status_code == 200 and response.json()["position"] == 1
    assert listed(counsel, matter) == [("还款记录", 1), ("借款合同", 2), ("对账单", 3)]
    [event] = edit_events(matter)
    assert (event.old, event.new, event.note) == ({"position": 3}, {"position": 1}, "还款记录")
    assert patch(counsel, contract, {"position": 3}).status_code == 200
    assert listed(counsel, matter) == [("还款记录", 1), ("对账单", 2), ("借款合同", 3)]
    # A new upload comes last.
    add(matter, counsel.user, "催收记录")
    assert listed(counsel, matter)[-1] == ("催收记录", 4)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "receipt"}, "kind"),
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "名" * 201}, "title"),
        ({"document_date": "2024-13-01"}, "document_date"),
        ({"document_date": "next week"}, "document_date"),
        ({"position": 0}, "position"),
        ({"position": 4}, "position"),
        ({"position": "first"}, "position"),
        ({"source": "来" * 201}, "source"),
        ({"group": "组" * 41}, "group"),
        ({"title": "新名称", "kind": "receipt"}, "kind"),
    ],
)
def test_a_bad_input_answers_400_and_stores_nothing(counsel, three, body, field):
    matter, items = three
    before = list(EvidenceItem.objects.filter(matter=matter).order_by("id").values())
    response = patch(counsel, items[0], body)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert list(EvidenceItem.objects.filter(matter=matter).order_by("id").values()) == before
    assert edit_events(matter) == []


def test_a_document_cannot_be_dated_after_today(counsel, three):
    matter, (item, *_rest) = three
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = patch(counsel, item, {"document_date": tomorrow.isoformat()})
    assert response.status_code == 400
    assert response.json()["document_date"] == ["文件日期不能晚于今天"]
    item.refresh_from_db()
    assert item.document_date == dt.date(2024, 1, 15)
    assert edit_events(matter) == []
    today = timezone.localdate().isoformat()
    assert patch(counsel, item, {"document_date": today}).json()["document_date"] == today


def test_an_upload_dated_after_today_is_refused_and_nothing_stored(counsel, evidence_storage):
    from tests.evidence.conftest import stored_files

    matter = make_matter()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = counsel.post(
        reverse("evidence_api:matter-evidence", args=[matter.pk]),
        {"file": SimpleUploadedFile("合同.pdf", samples.pdf_bytes(1)), "kind": "contract", "title": "借款合同",
         "document_date": tomorrow.isoformat()},
    )
    assert response.status_code == 400 and "document_date" in response.json()
    assert not EvidenceItem.objects.exists() and stored_files(evidence_storage) == []


def test_withdraw_and_reinstate_are_kept_audited_and_answer_409_when_repeated(counsel, three):
    matter, (item, *_rest) = three
    response = withdraw(counsel, item)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["withdrawn_reason"] == "原件与复印件不符" and body["withdrawn_at"]
    item.refresh_from_db()
    assert (item.withdrawn_by, item.withdrawn_reason) == (counsel.user, "原件与复印件不符")
    # Kept: still listed, still downloadable.
    assert ("借款合同", 1) in listed(counsel, matter)
    assert counsel.get(reverse("evidence_api:evidence-download", args=[item.pk])).status_code == 200
    again = withdraw(counsel, item, "再次撤回")
    assert again.status_code == 409 and "已经撤回" in again.json()["detail"]
    item.refresh_from_db()
    assert item.withdrawn_reason == "原件与复印件不符"

    response = reinstate(counsel, item)
    assert response.status_code == 200
    assert (response.json()["withdrawn_at"], response.json()["withdrawn_reason"]) == (None, "")
    assert reinstate(counsel, item).status_code == 409
    withdrawn, reinstated = edit_events(matter)
    assert withdrawn.kind == EventKind.EVIDENCE_WITHDRAWN and withdrawn.note == "借款合同"
    assert withdrawn.old == {"withdrawn_at": None, "withdrawn_reason": ""}
    assert set(withdrawn.new) == {"withdrawn_at", "withdrawn_reason"}
    assert withdrawn.new["withdrawn_reason"] == "原件与复印件不符"
    assert dt.datetime.fromisoformat(withdrawn.new["withdrawn_at"]) == dt.datetime.fromisoformat(
        body["withdrawn_at"].replace("Z", "+00:00")
    )
    assert reinstated.kind == EventKind.EVIDENCE_REINSTATED and reinstated.note == "借款合同"
    assert (reinstated.old["withdrawn_reason"], reinstated.new) == (
        "原件与复印件不符",
        {"withdrawn_at": None, "withdrawn_reason": ""},
    )


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}])
def test_a_withdrawal_needs_a_reason(counsel, three, body):
    matter, (item, *_rest) = three
    response = counsel.post(reverse("evidence_api:evidence-withdraw", args=[item.pk]), body, content_type="application/json")
    assert response.status_code == 400 and "reason" in response.json()
    item.refresh_from_db()
    assert item.withdrawn_at is None and edit_events(matter) == []


def build_default(client, matter, **body):
    response = client.post(
        reverse("evidence_api:matter-bundles", args=[matter.pk]), {"title": "一审证据", **body}, content_type="application/json"
    )
    return response


def test_a_default_bundle_leaves_withdrawn_items_out_and_follows_position(counsel, three):
    matter, (contract, statement, record) = three
    withdraw(counsel, statement)
    patch(counsel, record, {"position": 1})
    response = build_default(counsel, matter)
    assert response.status_code == 202, response.content
    bundle = EvidenceBundle.objects.get(pk=response.json()["id"])
    assert bundle.evidence_ids == [record.pk, contract.pk]
    job_run(job_id=bundle.job_id)
    bundle.refresh_from_db()
    assert [(entry["number"], entry["title"]) for entry in bundle.manifest] == [("证据1", "还款记录"), ("证据2", "借款合同")]


def test_a_bundle_naming_a_withdrawn_item_answers_400_naming_it_and_stores_nothing(counsel, three):
    matter, (contract, statement, _record) = three
    withdraw(counsel, statement)
    response = build_default(counsel, matter, evidence=[contract.pk, statement.pk])
    assert response.status_code == 400
    assert response.json()["evidence"] == [f"已撤回的证据不能编入证据材料：对账单（{statement.pk}）"]
    assert not EvidenceBundle.objects.exists()
    assert not Job.objects.filter(kind="evidence_bundle").exists()
    # Reinstated, it may be named again.
    reinstate(counsel, statement)
    assert build_default(counsel, matter, evidence=[contract.pk, statement.pk]).status_code == 202


def run_all_jobs():
    while job := Job.objects.filter(status="pending").order_by("created_at").first():
        job_run(job_id=job.pk)


def test_the_evidence_list_filing_leaves_withdrawn_items_out_and_follows_position(counsel, three):
    matter, (contract, statement, record) = three
    withdraw(counsel, statement)
    patch(counsel, record, {"position": 1})
    response = counsel.post(
        reverse("templates_api:matter-documents", args=[matter.pk]), {"template": "evidence_list"}, format="json"
    )
    assert response.status_code == 202, response.content
    run_all_jobs()
    download = counsel.get(reverse("templates_api:document-download", args=[response.json()["id"]]), {"format": "docx"})
    assert download.status_code == 200
    text = read_back(b"".join(download.streaming_content))["body"]
    assert "对账单" not in text
    assert text.index("还款记录") < text.index("借款合同")


@pytest.mark.parametrize("role", [Role.COUNSEL, Role.ADMIN, "assigned_lawyer"])
def test_counsel_admins_and_the_assigned_lawyer_may_correct_and_withdraw(client, role):
    firm = make_firm()
    matter = make_matter(firm=firm)
    item = add(matter, make_user(Role.COUNSEL), "借款合同")
    user = make_user(Role.LAWYER, firm=firm) if role == "assigned_lawyer" else make_user(role)
    client.force_login(user)
    assert patch(client, item, {"title": "个人借款合同"}).status_code == 200
    assert withdraw(client, item).status_code == 200
    assert reinstate(client, item).status_code == 200
    assert [event.actor for event in edit_events(matter)] == [user, user, user]


def test_a_manager_may_read_but_not_correct_or_withdraw(client):
    matter = make_matter()
    item = add(matter, make_user(Role.COUNSEL), "借款合同")
    client.force_login(make_user(Role.MANAGER))
    assert listed(client, matter) == [("借款合同", 1)]
    detail = client.get(reverse("evidence_api:evidence-detail", args=[item.pk]))
    assert detail.status_code == 200 and (detail.json()["title"], detail.json()["position"]) == ("借款合同", 1)
    assert patch(client, item, {"title": "改名"}).status_code == 403
    assert patch(client, item, {"kind": "receipt"}).status_code == 403  # access before validation
    assert withdraw(client, item).status_code == 403
    EvidenceItem.objects.filter(pk=item.pk).update(withdrawn_at=timezone.now(), withdrawn_reason="测试")
    assert reinstate(client, item).status_code == 403
    item.refresh_from_db()
    assert (item.title, item.withdrawn_reason) == ("借款合同", "测试")
    assert edit_events(matter) == []


def test_another_firms_lawyer_gets_404_everywhere(client):
    matter = make_matter(firm=make_firm())
    item = add(matter, make_user(Role.COUNSEL), "借款合同")
    client.force_login(make_user(Role.LAWYER, firm=make_firm()))
    assert client.get(reverse("evidence_api:evidence-detail", args=[item.pk])).status_code == 404
    assert patch(client, item, {"title": "改名"}).status_code == 404
    assert patch(client, item, {"kind": "receipt"}).status_code == 404
    assert withdraw(client, item).status_code == 404
    assert reinstate(client, item).status_code == 404
    item.refresh_from_db()
    assert (item.title, item.withdrawn_at) == ("借款合同", None)
    assert edit_events(matter) == []


def test_the_migration_numbers_each_matters_items_in_upload_order(counsel):
    import importlib
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    migration = importlib.import_module("evidence.migrations.0005_edit_and_withdraw")
    first, second = make_matter(), make_matter()
    items = [add(matter, counsel.user, f"证据{n}") for n, matter in enumerate([first, second, first, second, first])]
    EvidenceItem.objects.update(position=0)
    if connection.vendor == "postgresql":
        with connection.schema_editor() as editor:
            migration.number_by_upload_order(apps, editor)
    else:  # SQLite opens no schema editor inside a test's transaction; the function only reads its connection
        migration.number_by_upload_order(apps, SimpleNamespace(connection=connection, execute=connection.cursor().execute))
    assert [EvidenceItem.objects.get(pk=item.pk).position for item in items] == [1, 1, 2, 2, 3]
