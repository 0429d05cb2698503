"""The matter page's collection log (催收记录): quick entry, refusals in Chinese, masking, the export."""

import datetime as dt
import io
import re

import pytest
import time_machine
from openpyxl import load_workbook

from legalcase.models import AuditAction, AuditEvent, Complaint, Contact, PartyPhone, Role
from tests.factories import make_firm, make_matter, make_user

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
NOW = dt.datetime(2026, 4, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def counsel(client):
    user = make_user(Role.COUNSEL)
    client.force_login(user)
    return user


@pytest.fixture
def matter():
    return make_matter()


def phone_target(matter) -> str:
    return f"phone:{PartyPhone.objects.get(party=matter.debt.debtor).pk}"


def form(matter, **over):
    data = {
        "channel": "phone", "target": phone_target(matter), "direction": "outbound", "occurred_at": "",
        "outcome": "no_answer", "idempotency_key": "k-1", "third_purpose": "locate", "note": "",
    }
    data.update(over)
    return data


def test_the_section_is_on_the_matter_page_and_masks_every_number(client, counsel, matter):
    number = matter.debt.debtor.phone
    page = client.get(f"/matters/{matter.pk}/").content.decode()
    assert f"/matters/{matter.pk}/collection/" in page
    client.post(f"/matters/{matter.pk}/collection/contacts/", form(matter, note="无人接听"), **HTMX)
    section = client.get(f"/matters/{matter.pk}/collection/").content.decode()
    assert number not in section
    assert number[:3] + "****" + number[-4:] in section
    assert "无人接听" in section


def test_the_matter_page_opens_at_its_top_not_at_the_contact_form(client, counsel, matter):
    # The section loads with the page; autofocus there would scroll it past the header to here.
    page = client.get(f"/matters/{matter.pk}/").content.decode()
    section = client.get(f"/matters/{matter.pk}/collection/").content.decode()
    assert 'name="outcome"' in section and "autofocus" not in section and "autofocus" not in page


def test_a_saved_call_leaves_the_form_ready_for_the_next(client, counsel, matter):
    response = client.post(f"/matters/{matter.pk}/collection/contacts/", form(matter), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and Contact.objects.count() == 1
    assert "联系记录已保存" in html
    # The number stays chosen, a new key is drawn, and the outcome has the focus.
    assert f'value="{phone_target(matter)}" selected' in html
    assert 'value="k-1"' not in html
    assert re.search(r'<select name="outcome"[^>]*autofocus', html)
    # A double submit of the same form stores once.
    client.post(f"/matters/{matter.pk}/collection/contacts/", form(matter), **HTMX)
    assert Contact.objects.count() == 1


def test_a_refusal_names_the_rule_in_chinese_with_the_next_time(client, counsel, matter):
    html = client.post(
        f"/matters/{matter.pk}/collection/contacts/", form(matter, occurred_at="2026-03-31T23:10"), **HTMX
    ).content.decode()
    assert not Contact.objects.exists()
    assert "contact_hours@2026" in html and "2026-04-01 08:00" in html
    assert "催收联系仅限北京时间08:00至22:00" in html
    # Counsel may override with a reason: stored and audited.
    client.post(
        f"/matters/{matter.pk}/collection/contacts/",
        form(matter, occurred_at="2026-03-31T23:10", override_reason="债务人要求晚间回电", idempotency_key="k-2"),
        **HTMX,
    )
    assert Contact.objects.get().override_rule == "contact_hours@2026"
    assert AuditEvent.objects.filter(action=AuditAction.CONDUCT_OVERRIDDEN).count() == 1


def test_a_lawyer_gets_no_override_field_and_another_firm_gets_404(client, matter):
    firm = make_firm()
    lawyer = make_user(Role.LAWYER, firm=firm)
    mine = make_matter(firm=firm)
    client.force_login(lawyer)
    html = client.get(f"/matters/{mine.pk}/collection/").content.decode()
    assert 'name="override_reason"' not in html and 'name="outcome"' in html
    assert client.get(f"/matters/{matter.pk}/collection/").status_code == 404
    assert client.post(f"/matters/{matter.pk}/collection/contacts/", form(matter)).status_code == 404
    assert client.get(f"/matters/{matter.pk}/collection.xlsx").status_code == 404


def test_a_promise_and_a_complaint_through_the_page(client, counsel, matter):
    client.post(
        f"/matters/{matter.pk}/collection/contacts/",
        form(matter, outcome="promise_to_pay", promise_amount="2000.00", promise_due_on="2026-03-30"),
        **HTMX,
    )
    assert not Contact.objects.exists()  # due before the contact
    client.post(
        f"/matters/{matter.pk}/collection/contacts/",
        form(matter, outcome="promise_to_pay", promise_amount="2000.00", promise_due_on="2026-04-15"),
        **HTMX,
    )
    html = client.post(
        f"/matters/{matter.pk}/collection/complaints/",
        {"kind": "complaint", "source": "debtor", "received_on": "2026-04-01", "summary": "电话太频繁"},
        **HTMX,
    ).content.decode()
    assert "2,000.00" in html and "电话太频繁" in html
    complaint = Complaint.objects.get()
    client.post(f"/matters/{matter.pk}/collection/complaints/{complaint.pk}/resolve/", {"resolution": "已整改"}, **HTMX)
    complaint.refresh_from_db()
    assert complaint.status == "resolved"


def test_the_export_is_masked_and_audited(client, counsel, matter):
    number = matter.debt.debtor.phone
    client.post(f"/matters/{matter.pk}/collection/contacts/", form(matter, note="第一次"), **HTMX)
    response = client.get(f"/matters/{matter.pk}/collection.xlsx")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "第一次" in cells and number not in " ".join(cells)
    assert number[:3] + "****" + number[-4:] in cells
    assert AuditEvent.objects.filter(action=AuditAction.COLLECTION_EXPORTED, actor=counsel).count() == 1

