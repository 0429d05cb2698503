"""Correcting, moving and withdrawing evidence on the matter page, and uploading with one row per file."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from evidence.models import EvidenceItem
from evidence.services import evidence_upload, evidence_withdraw
from legalcase.models import EventKind, MatterEvent, Role
from tests.evidence import samples
from tests.evidence.conftest import stored_files
from tests.factories import make_firm, make_matter, make_user

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
EDIT_KINDS = (EventKind.EVIDENCE_EDITED, EventKind.EVIDENCE_WITHDRAWN, EventKind.EVIDENCE_REINSTATED)


def add(matter, user, title, **fields):
    upload = SimpleUploadedFile(f"{title}.pdf", samples.pdf_bytes(1))
    return evidence_upload(user=user, matter_id=matter.pk, uploaded_file=upload, kind="contract", title=title, **fields)


def edit_events(matter):
    return list(MatterEvent.objects.filter(matter=matter, kind__in=EDIT_KINDS).order_by("id"))


def form_of(item, **changes):
    """The edit form as the page fills it in, with ``changes`` typed over."""
    body = {
        "title": item.title,
        "kind": item.kind,
        "document_date": item.document_date.isoformat() if item.document_date else "",
        "purpose": item.purpose,
        "source": item.source,
        "group": item.group,
    }
    return {**body, **changes}


def url(name, item):
    return reverse(name, args=[item.matter_id, item.pk])


@pytest.fixture
def counsel(client):
    user = make_user(Role.COUNSEL)
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def three(counsel):
    matter = make_matter()
    items = [
        add(matter, counsel.user, "借款合同", purpose="证明借款关系", source="原告提供", document_date=dt.date(2024, 1, 15)),
        add(matter, counsel.user, "对账单"),
        add(matter, counsel.user, "还款记录"),
    ]
    return matter, items


def refusals(html):
    """The refusal lines the section shows above the list."""
    import re

    return re.findall(r'<li class="errorlist">(.*?)</li>', html)


def titles_in_order(matter):
    return list(EvidenceItem.objects.filter(matter=matter).order_by("position").values_list("title", "position"))


def test_the_section_offers_edit_move_and_withdraw_in_chinese(counsel, three):
    matter, (item, *_rest) = three
    html = counsel.get(reverse("evidence_section", args=[matter.pk]), **HTMX).content.decode()
    for text in ("修改", "撤回", "撤回原因", "文件日期", "序号", "移至此序号", url("evidence_edit", item), url("evidence_withdraw", item)):
        assert text in html, text
    assert "<script" not in html


@pytest.mark.parametrize(
    ("field", "typed", "old", "new"),
    [
        ("title", "个人借款合同", "借款合同", "个人借款合同"),
        ("kind", "statement", "contract", "statement"),
        ("document_date", "2024-01-16", "2024-01-15", "2024-01-16"),
        ("document_date", "", "2024-01-15", None),
        ("purpose", "证明借款金额", "证明借款关系", "证明借款金额"),
        ("source", "银行系统导出", "原告提供", "银行系统导出"),
        ("group", "一", "", "一"),
    ],
)
def test_each_field_is_corrected_in_place_with_its_event(counsel, three, field, typed, old, new):
    matter, (item, *_rest) = three
    response = counsel.post(url("evidence_edit", item), form_of(item, **{field: typed}), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "已保存" in html
    [event] = edit_events(matter)
    assert (event.kind, event.old, event.new, event.actor) == (EventKind.EVIDENCE_EDITED, {field: old}, {field: new}, counsel.user)
    assert event.note == ("个人借款合同" if field == "title" else "借款合同")
    if field == "title":
        assert "个人借款合同" in html


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "名称：该字段是必填项。"),
        ({"kind": "receipt"}, "类型："),
        ({"document_date": "2024-02-30"}, "文件日期："),
        ({"document_date": (timezone.localdate() + dt.timedelta(days=1)).isoformat()}, "文件日期不能晚于今天"),
    ],
)
def test_a_bad_edit_is_shown_and_nothing_stored(counsel, three, changes, message):
    matter, (item, *_rest) = three
    before = list(EvidenceItem.objects.filter(pk=item.pk).values())
    html = counsel.post(url("evidence_edit", item), form_of(item, purpose="新的证明目的", **changes), **HTMX).content.decode()
    [refusal] = refusals(html)
    assert refusal.startswith("借款合同: ") and message in refusal
    assert list(EvidenceItem.objects.filter(pk=item.pk).values()) == before
    assert edit_events(matter) == []


def test_up_down_and_a_typed_position_move_items_without_gaps(counsel, three):
    matter, (contract, statement, record) = three
    counsel.post(url("evidence_move", record), {"direction": "up"}, **HTMX)
    assert titles_in_order(matter) == [("借款合同", 1), ("还款记录", 2), ("对账单", 3)]
    counsel.post(url("evidence_move", contract), {"direction": "down"}, **HTMX)
    assert titles_in_order(matter) == [("还款记录", 1), ("借款合同", 2), ("对账单", 3)]
    html = counsel.post(url("evidence_move", statement), {"position": "1"}, **HTMX).content.decode()
    assert "已移至第 1 项" in html
    assert titles_in_order(matter) == [("对账单", 1), ("还款记录", 2), ("借款合同", 3)]
    # Up from the top changes nothing and writes nothing.
    counsel.post(url("evidence_move", statement), {"direction": "up"}, **HTMX)
    assert titles_in_order(matter) == [("对账单", 1), ("还款记录", 2), ("借款合同", 3)]
    assert [(event.old, event.new) for event in edit_events(matter)] == [
        ({"position": 3}, {"position": 2}),
        ({"position": 1}, {"position": 2}),
        ({"position": 3}, {"position": 1}),
    ]
    # The section lists them in that order.
    html = counsel.get(reverse("evidence_section", args=[matter.pk]), **HTMX).content.decode()
    assert html.index("对账单") < html.index("还款记录") < html.index("借款合同")


@pytest.mark.parametrize("body", [{"position": "9"}, {"position": "0"}, {}, {"direction": "sideways"}])
def test_a_bad_position_is_refused_and_nothing_moves(counsel, three, body):
    matter, (contract, *_rest) = three
    html = counsel.post(url("evidence_move", contract), body, **HTMX).content.decode()
    [refusal] = refusals(html)
    assert refusal.startswith("借款合同: ")
    assert titles_in_order(matter) == [("借款合同", 1), ("对账单", 2), ("还款记录", 3)]
    assert edit_events(matter) == []


def test_withdrawn_items_are_greyed_with_the_reason_and_can_be_reinstated(counsel, three):
    matter, (contract, statement, _record) = three
    html = counsel.post(url("evidence_withdraw", statement), {"reason": "原件无法提供"}, **HTMX).content.decode()
    assert 'class="evidence-item withdrawn"' in html and "已撤回" in html and "撤回原因：原件无法提供" in html
    assert url("evidence_reinstate", statement) in html and "恢复" in html
    # The bundle form offers only what a default bundle takes.
    bundle_form = html[html.index('class="bundle-order"') :]
    assert f'value="{contract.pk}"' in bundle_form and f'value="{statement.pk}"' not in bundle_form
    html = counsel.post(url("evidence_withdraw", statement), {"reason": "再次"}, **HTMX).content.decode()
    assert refusals(html) == ["对账单: 证据“对账单”已经撤回"]
    html = counsel.post(url("evidence_reinstate", statement), **HTMX).content.decode()
    assert "已恢复" in html and 'class="evidence-item withdrawn"' not in html
    kinds = [event.kind for event in edit_events(matter)]
    assert kinds == [EventKind.EVIDENCE_WITHDRAWN, EventKind.EVIDENCE_REINSTATED]


def test_a_withdrawal_without_a_reason_is_refused(counsel, three):
    matter, (item, *_rest) = three
    html = counsel.post(url("evidence_withdraw", item), {"reason": ""}, **HTMX).content.decode()
    assert refusals(html) == ["借款合同: 撤回原因：该字段是必填项。"]
    item.refresh_from_db()
    assert item.withdrawn_at is None and edit_events(matter) == []


def test_each_file_of_one_upload_keeps_its_own_title_kind_date_and_purpose(counsel, evidence_storage):
    matter = make_matter()
    files = [
        SimpleUploadedFile("2024-01-15 借款合同.pdf", samples.pdf_bytes(2)),
        SimpleUploadedFile("还款记录.png", samples.image_bytes("PNG")),
        SimpleUploadedFile("身份证.jpg", samples.image_bytes("JPEG")),
    ]
    response = counsel.post(
        reverse("evidence_upload", args=[matter.pk]),
        {
            "files": files,
            "kind": "other",
            "source": "原告提供",
            "title_0": "个人借款合同",
            "kind_0": "contract",
            "document_date_0": "2024-01-15",
            "purpose_0": "证明借款关系成立",
            "title_1": "还款明细",
            "kind_1": "repayment_record",
            "document_date_1": "2025-06-30",
            "purpose_1": "证明被告还款情况",
            # The third file's row: title and date left to its name, its own purpose.
            "purpose_2": "证明被告身份",
        },
        **HTMX,
    )
    assert response.status_code == 200
    rows = list(
        EvidenceItem.objects.filter(matter=matter)
        .order_by("position")
        .values_list("position", "title", "kind", "document_date", "purpose", "source")
    )
    assert rows == [
        (1, "个人借款合同", "contract", dt.date(2024, 1, 15), "证明借款关系成立", "原告提供"),
        (2, "还款明细", "repayment_record", dt.date(2025, 6, 30), "证明被告还款情况", "原告提供"),
        (3, "身份证", "other", None, "证明被告身份", "原告提供"),
    ]
    assert len(stored_files(evidence_storage)) == 3


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"kind_1": "receipt"}, "没有这种证据类型：receipt"),
        ({"document_date_1": "2024-02-30"}, "文件日期应为"),
        ({"document_date_1": (timezone.localdate() + dt.timedelta(days=1)).isoformat()}, "文件日期不能晚于今天"),
    ],
)
def test_a_bad_row_refuses_its_file_alone(counsel, evidence_storage, row, message):
    matter = make_matter()
    files = [
        SimpleUploadedFile("借款合同.pdf", samples.pdf_bytes(1)),
        SimpleUploadedFile("对账单.pdf", samples.pdf_bytes(1)),
    ]
    html = counsel.post(
        reverse("evidence_upload", args=[matter.pk]),
        {"files": files, "kind": "contract", "purpose_0": "证明借款关系", **row},
        **HTMX,
    ).content.decode()
    [refusal] = refusals(html)
    assert refusal.startswith("对账单.pdf: ") and message in refusal
    assert list(EvidenceItem.objects.values_list("title", "purpose")) == [("借款合同", "证明借款关系")]
    assert len(stored_files(evidence_storage)) == 1


def test_the_upload_form_carries_the_labels_for_the_per_file_rows(counsel):
    matter = make_matter()
    html = counsel.get(reverse("evidence_section", args=[matter.pk]), **HTMX).content.decode()
    assert "data-evidence-files" in html and "data-evidence-file-rows" in html
    assert 'data-label-purpose="证明目的"' in html and 'data-label-date="文件日期"' in html


def test_a_manager_sees_no_edit_controls_and_is_refused_403(client, three):
    matter, (item, *_rest) = three
    evidence_withdraw(user=make_user(Role.COUNSEL), evidence_id=item.pk, reason="测试")
    client.force_login(make_user(Role.MANAGER))
    html = client.get(reverse("evidence_section", args=[matter.pk]), **HTMX).content.decode()
    assert "已撤回" in html
    assert url("evidence_edit", item) not in html and url("evidence_reinstate", item) not in html
    assert client.post(url("evidence_edit", item), form_of(item, title="改名")).status_code == 403
    assert client.post(url("evidence_move", item), {"direction": "down"}).status_code == 403
    assert client.post(url("evidence_withdraw", item), {"reason": "x"}).status_code == 403
    assert client.post(url("evidence_reinstate", item)).status_code == 403
    item.refresh_from_db()
    assert (item.title, item.position, item.withdrawn_reason) == ("借款合同", 1, "测试")


def test_another_firms_lawyer_gets_404_and_an_item_of_another_matter_is_404(client, counsel, three):
    matter, (item, *_rest) = three
    other_matter = make_matter()
    assert counsel.post(
        reverse("evidence_edit", args=[other_matter.pk, item.pk]), form_of(item, title="改名")
    ).status_code == 404
    client.force_login(make_user(Role.LAWYER, firm=make_firm()))
    assert client.post(url("evidence_edit", item), form_of(item, title="改名")).status_code == 404
    assert client.post(url("evidence_withdraw", item), {"reason": "x"}).status_code == 404
    item.refresh_from_db()
    assert (item.title, item.withdrawn_at) == ("借款合同", None)
