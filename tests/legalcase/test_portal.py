"""The outside lawyers' portal: who may see and do what on a matter's pages, the lawyers' home and firm activity.

API.md's roles table, through the pages: the lawyers of the firm assigned now see and
act, with their name and firm on the timeline; the lawyers of a firm whose assignment
ended and of a firm never assigned get 404 and store nothing; a manager sees and may not
write (403).
"""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from evidence.models import EvidenceItem
from evidence.services import ruling_upload
from legalcase.models import (
    Deadline,
    DeadlineKind,
    EventKind,
    Guarantee,
    Hearing,
    MatterEvent,
    Proceeding,
    Role,
    Ruling,
    ServiceRecord,
)
from legalcase.services import matter_assign_firm, proceeding_record
from templates_docx.models import GeneratedDocument
from templates_docx.services import template_store
from tests.evidence import samples
from tests.evidence.conftest import evidence_storage  # noqa: F401  (private storage in a temp dir)
from tests.factories import PASSWORD, make_firm, make_matter, make_party, make_user
from tests.legalcase.test_rulings_api import CHAIN_JUDGMENT, docx_of
from tests.templates_docx.docx_samples import make_template

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def make_lawyer(firm, last_name: str, first_name: str):
    user = make_user(Role.LAWYER, firm=firm)
    user.last_name, user.first_name = last_name, first_name
    user.save(update_fields=["last_name", "first_name"])
    return user


@pytest.fixture
def world(evidence_storage):  # noqa: F811
    """A matter now assigned to 甲, earlier to 乙, never to 丙; with a proceeding, a ruling and a filing template."""
    counsel = make_user(Role.COUNSEL)
    assigned, previous, never = make_firm("甲律师事务所"), make_firm("乙律师事务所"), make_firm("丙律师事务所")
    matter = make_matter(debtor=make_party("张三"))
    Guarantee.objects.create(debt=matter.debt, guarantor=make_party("李四"), guarantee_type="joint")
    matter_assign_firm(user=counsel, matter_id=matter.pk, firm_id=previous.pk)
    matter_assign_firm(user=counsel, matter_id=matter.pk, firm_id=assigned.pk)
    proceeding = proceeding_record(user=counsel, matter_id=matter.pk, kind="first_instance")
    _item, ruling = ruling_upload(
        user=counsel, matter_id=matter.pk, uploaded_file=SimpleUploadedFile("判决书.docx", docx_of(CHAIN_JUDGMENT))
    )
    template_store(user=None, code="test_filing", name="测试文书", content=make_template("{{ debtor.name }}"), activate=True)
    return {
        "matter": matter,
        "proceeding": proceeding,
        "ruling": ruling,
        "counsel": counsel,
        "assigned": make_lawyer(assigned, "王", "律师"),
        "previous": make_lawyer(previous, "赵", "律师"),
        "never": make_lawyer(never, "钱", "律师"),
        "manager": make_user(Role.MANAGER),
    }


def confirm_data(ruling: Ruling, **changes) -> dict:
    """What the confirmation form posts: every field as shown, with the person's changes."""
    values = {
        "kind": ruling.kind or "",
        "case_number": ruling.case_number or "",
        "court": ruling.court or "",
        "decided_on": ruling.decided_on.isoformat() if ruling.decided_on else "",
        "served_on": ruling.served_on.isoformat() if ruling.served_on else "",
        "appealable": {True: "true", False: "false", None: "unknown"}[ruling.appealable],
        "performance_days": "" if ruling.performance_days is None else str(ruling.performance_days),
    }
    for name in ("principal_awarded", "interest_awarded", "acceptance_fee", "acceptance_fee_charged"):
        value = getattr(ruling, name)
        values[name] = "" if value is None else str(value)
    return {**values, **changes}


# Each page a lawyer works on, and each write: (URL, POST data, the event it records).
def pages(world) -> dict[str, str]:
    pk = world["matter"].pk
    return {
        name: reverse(name, args=[pk])
        for name in ("matter_detail", "proceedings_section", "rulings_section", "evidence_section", "filings_section")
    }


def writes(world) -> dict[str, tuple[str, dict, str]]:
    matter, proceeding, ruling = world["matter"], world["proceeding"], world["ruling"]
    return {
        "record_proceeding": (
            reverse("proceeding_record", args=[matter.pk]),
            {"kind": "first_instance", "case_number": "(2026)京0105民初77号", "filed_on": "2026-03-02"},
            EventKind.PROCEEDING_RECORDED,
        ),
        "add_service": (
            reverse("proceeding_service_add", args=[matter.pk, proceeding.pk]),
            {"party": str(matter.debt.debtor_id), "method": "mail", "served_on": "2026-03-10"},
            EventKind.SERVICE_RECORDED,
        ),
        "add_hearing": (
            reverse("proceeding_hearing_add", args=[matter.pk, proceeding.pk]),
            {"at": "2026-04-01T09:30", "place": "第三法庭"},
            EventKind.HEARING_ADDED,
        ),
        "upload_ruling": (
            reverse("ruling_upload", args=[matter.pk]),
            {"file": SimpleUploadedFile("判决书.docx", docx_of(CHAIN_JUDGMENT)), "served_on": "2025-09-20"},
            EventKind.RULING_RECORDED,
        ),
        "confirm_ruling": (
            reverse("ruling_confirm", args=[matter.pk, ruling.pk]),
            confirm_data(ruling, served_on="2025-09-20"),
            EventKind.RULING_CONFIRMED,
        ),
        "upload_evidence": (
            reverse("evidence_upload", args=[matter.pk]),
            {"files": [SimpleUploadedFile("借款合同.pdf", samples.pdf_bytes(1))], "kind": "contract"},
            EventKind.EVIDENCE_ADDED,
        ),
        "generate_filing": (
            reverse("document_generate", args=[matter.pk]),
            {"template": "test_filing"},
            EventKind.DOCUMENT_REQUESTED,
        ),
    }


WRITES = [
    "record_proceeding",
    "add_service",
    "add_hearing",
    "upload_ruling",
    "confirm_ruling",
    "upload_evidence",
    "generate_filing",
]
PAGES = ["matter_detail", "proceedings_section", "rulings_section", "evidence_section", "filings_section"]


def stored(world) -> dict[str, int]:
    """Everything a write could leave behind."""
    ruling = Ruling.objects.get(pk=world["ruling"].pk)
    return {
        "proceedings": Proceeding.objects.count(),
        "service": ServiceRecord.objects.count(),
        "hearings": Hearing.objects.count(),
        "rulings": Ruling.objects.count(),
        "confirmed": int(ruling.confirmed),
        "evidence": EvidenceItem.objects.count(),
        "documents": GeneratedDocument.objects.count(),
        "events": MatterEvent.objects.count(),
        "deadlines": Deadline.objects.count(),
    }


@pytest.mark.parametrize("page", PAGES)
def test_the_assigned_firms_lawyer_sees_the_matter_and_each_section(client, world, page):
    client.force_login(world["assigned"])
    assert client.get(pages(world)[page], **HTMX).status_code == 200


@pytest.mark.parametrize("action", WRITES)
def test_the_assigned_firms_lawyer_acts_and_the_timeline_names_them_with_their_firm(client, world, action):
    lawyer = world["assigned"]
    client.force_login(lawyer)
    url, data, kind = writes(world)[action]
    response = client.post(url, data, **HTMX)
    assert response.status_code in (200, 201, 302)
    assert MatterEvent.objects.filter(matter=world["matter"], actor=lawyer, kind=kind).exists()
    page = client.get(reverse("matter_detail", args=[world["matter"].pk])).content.decode()
    assert "王律师（甲律师事务所）" in page


@pytest.mark.parametrize("who", ["previous", "never"])
@pytest.mark.parametrize("page", PAGES)
def test_a_lawyer_of_a_firm_not_assigned_now_gets_404_on_every_page(client, world, who, page):
    client.force_login(world[who])
    assert client.get(pages(world)[page], **HTMX).status_code == 404


@pytest.mark.parametrize("who", ["previous", "never"])
@pytest.mark.parametrize("action", WRITES)
def test_a_lawyer_of_a_firm_not_assigned_now_gets_404_and_nothing_is_stored(client, world, who, action):
    client.force_login(world[who])
    before = stored(world)
    url, data, _kind = writes(world)[action]
    assert client.post(url, data, **HTMX).status_code == 404
    assert stored(world) == before


@pytest.mark.parametrize("page", PAGES)
def test_a_manager_sees_every_page(client, world, page):
    client.force_login(world["manager"])
    assert client.get(pages(world)[page], **HTMX).status_code == 200


@pytest.mark.parametrize("action", WRITES)
def test_a_manager_gets_403_on_every_write_and_nothing_is_stored(client, world, action):
    client.force_login(world["manager"])
    before = stored(world)
    url, data, _kind = writes(world)[action]
    assert client.post(url, data, **HTMX).status_code == 403
    assert stored(world) == before


def test_a_manager_sees_no_write_forms_in_the_sections(client, world):
    client.force_login(world["manager"])
    proceedings = client.get(pages(world)["proceedings_section"], **HTMX).content.decode()
    rulings = client.get(pages(world)["rulings_section"], **HTMX).content.decode()
    assert reverse("proceeding_record", args=[world["matter"].pk]) not in proceedings
    assert reverse("proceeding_service_add", args=[world["matter"].pk, world["proceeding"].pk]) not in proceedings
    assert reverse("ruling_upload", args=[world["matter"].pk]) not in rulings
    assert reverse("ruling_confirm", args=[world["matter"].pk, world["ruling"].pk]) not in rulings


# --- Signing in --------------------------------------------------------------------------


def sign_in(client, user, **query):
    url = reverse("login") + (f"?next={query['next']}" if "next" in query else "")
    return client.post(url, {"username": user.username, "password": PASSWORD})


def test_a_lawyer_lands_on_the_portal():
    from django.test import Client

    response = sign_in(Client(), make_user(Role.LAWYER))
    assert response.status_code == 302
    assert response["Location"] == "/portal/" == reverse("lawyer_home")


def test_an_explicit_next_still_wins_for_a_lawyer(client):
    firm = make_firm()
    matter = make_matter(firm=firm)
    target = reverse("matter_detail", args=[matter.pk])
    response = sign_in(client, make_user(Role.LAWYER, firm=firm), next=target)
    assert response["Location"] == target


def test_counsel_still_land_on_the_matter_list(client):
    response = sign_in(client, make_user(Role.COUNSEL))
    assert response["Location"] == reverse("matter_list")


def test_the_portal_sends_other_roles_to_the_matter_list(client):
    client.force_login(make_user(Role.COUNSEL))
    assert client.get(reverse("lawyer_home"))["Location"] == reverse("matter_list")


# --- The lawyers' home -------------------------------------------------------------------


def put_deadline(matter, *, due_on, kind=DeadlineKind.PERFORMANCE_END, status="open"):
    return Deadline.objects.create(
        matter=matter, kind=kind, due_on=due_on, rule="test@2026", verified_calendar=True, status=status
    )


def test_the_home_shows_the_firms_matters_its_urgent_deadlines_and_its_activity(client):
    firm, other = make_firm("甲律师事务所"), make_firm("乙律师事务所")
    ours = make_matter(firm=firm, stage="litigation", debtor=make_party("张三"))
    also_ours = make_matter(firm=firm, stage="intake")
    theirs = make_matter(firm=other, stage="litigation")
    lawyer = make_lawyer(firm, "王", "律师")
    colleague = make_lawyer(firm, "孙", "律师")
    proceeding_record(user=colleague, matter_id=ours.pk, kind="first_instance")
    proceeding_record(user=make_lawyer(other, "周", "律师"), matter_id=theirs.pk, kind="first_instance")
    Deadline.objects.update(superseded_at=timezone.now())  # only the rows below are current
    today = timezone.localdate()
    overdue = put_deadline(ours, due_on=today - dt.timedelta(days=2))
    soon = put_deadline(also_ours, due_on=today + dt.timedelta(days=5))
    put_deadline(ours, due_on=today + dt.timedelta(days=30))  # not this week
    put_deadline(ours, due_on=today - dt.timedelta(days=1), status="done")  # closed
    put_deadline(theirs, due_on=today)  # another firm's
    client.force_login(lawyer)
    response = client.get(reverse("lawyer_home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert ours.number in page and also_ours.number in page and theirs.number not in page
    assert [d.pk for d in response.context["overdue"]] == [overdue.pk]
    assert [d.pk for d in response.context["soon"]] == [soon.pk]
    assert 'href="/deadlines/"' in page
    assert [e.actor_id for e in response.context["events"]] == [colleague.pk]
    assert "孙律师（甲律师事务所）" in page and "周律师" not in page
    assert {stage: count for stage, _label, count in response.context["stage_counts"]} == {
        "intake": 1,
        "litigation": 1,
    }


def test_the_home_does_not_show_work_on_a_matter_the_firm_no_longer_holds(client):
    firm, other = make_firm(), make_firm()
    counsel = make_user(Role.COUNSEL)
    matter = make_matter(firm=firm)
    lawyer = make_lawyer(firm, "王", "律师")
    proceeding_record(user=lawyer, matter_id=matter.pk, kind="first_instance")
    matter_assign_firm(user=counsel, matter_id=matter.pk, firm_id=other.pk)
    client.force_login(lawyer)
    response = client.get(reverse("lawyer_home"))
    assert matter.number not in response.content.decode()
    assert list(response.context["events"]) == []


# --- Firm activity -----------------------------------------------------------------------


def test_counsel_see_each_firm_with_its_matters_and_activity(client):
    counsel = make_user(Role.COUNSEL)
    firm, other, idle = make_firm("甲律师事务所"), make_firm("乙律师事务所"), make_firm("丙律师事务所")
    first = make_matter()
    matter_assign_firm(user=counsel, matter_id=first.pk, firm_id=other.pk)
    matter_assign_firm(user=counsel, matter_id=first.pk, firm_id=firm.pk)
    make_matter(firm=firm)
    proceeding_record(user=make_lawyer(firm, "王", "律师"), matter_id=first.pk, kind="first_instance")
    client.force_login(counsel)
    response = client.get(reverse("firm_activity_list"))
    assert response.status_code == 200
    rows = {row["firm"].name: row for row in response.context["firms"]}
    assert (rows["甲律师事务所"]["current"], rows["甲律师事务所"]["ever"], rows["甲律师事务所"]["recent"]) == (2, 2, 1)
    assert rows["甲律师事务所"]["last"] is not None
    assert (rows["乙律师事务所"]["current"], rows["乙律师事务所"]["ever"], rows["乙律师事务所"]["recent"]) == (0, 1, 0)
    assert (rows["丙律师事务所"]["current"], rows["丙律师事务所"]["ever"], rows["丙律师事务所"]["last"]) == (0, 0, None)
    assert reverse("firm_activity", args=[idle.pk]) in response.content.decode()


@pytest.mark.parametrize("role", [Role.COUNSEL, Role.MANAGER, Role.ADMIN])
def test_the_firm_page_lists_only_that_firms_users_events_with_the_matter(client, role):
    firm, other = make_firm("甲律师事务所"), make_firm("乙律师事务所")
    matter, theirs = make_matter(firm=firm), make_matter(firm=other)
    lawyer = make_lawyer(firm, "王", "律师")
    proceeding_record(user=lawyer, matter_id=matter.pk, kind="first_instance")
    proceeding_record(user=make_lawyer(other, "周", "律师"), matter_id=theirs.pk, kind="first_instance")
    proceeding_record(user=make_user(Role.COUNSEL), matter_id=matter.pk, kind="preservation")
    client.force_login(make_user(role))
    response = client.get(reverse("firm_activity", args=[firm.pk]))
    assert response.status_code == 200
    events = list(response.context["events"])
    assert [(e.actor_id, e.kind) for e in events] == [(lawyer.pk, EventKind.PROCEEDING_RECORDED)]
    page = response.content.decode()
    assert "王律师（甲律师事务所）" in page and "周律师" not in page
    assert f'href="{reverse("matter_detail", args=[matter.pk])}"' in page


def test_the_firm_page_is_paginated_by_50(client):
    firm = make_firm()
    matter = make_matter(firm=firm)
    lawyer = make_lawyer(firm, "王", "律师")
    for _ in range(51):
        proceeding_record(user=lawyer, matter_id=matter.pk, kind="preservation")
    client.force_login(make_user(Role.COUNSEL))
    first = client.get(reverse("firm_activity", args=[firm.pk]))
    second = client.get(reverse("firm_activity", args=[firm.pk]), {"page": 2})
    assert len(first.context["events"]) == 50 and len(second.context["events"]) == 1


def test_a_lawyer_sees_only_their_own_firms_page(client):
    firm, other = make_firm(), make_firm()
    lawyer = make_lawyer(firm, "王", "律师")
    client.force_login(lawyer)
    assert client.get(reverse("firm_activity", args=[firm.pk])).status_code == 200
    assert client.get(reverse("firm_activity", args=[other.pk])).status_code == 404
    assert client.get(reverse("firm_activity", args=[999999])).status_code == 404
    assert client.get(reverse("firm_activity_list"))["Location"] == reverse("firm_activity", args=[firm.pk])


def test_the_nav_offers_firm_activity_to_counsel_and_not_to_lawyers(client):
    client.force_login(make_user(Role.COUNSEL))
    assert f'href="{reverse("firm_activity_list")}"' in client.get(reverse("matter_list")).content.decode()
    client.force_login(make_user(Role.LAWYER))
    page = client.get(reverse("matter_list")).content.decode()
    assert f'href="{reverse("firm_activity_list")}"' not in page
    assert f'href="{reverse("lawyer_home")}"' in page
