"""The rulings section of the matter page: upload, what was read, confirmation with corrections, deadlines."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evidence.models import EvidenceItem
from evidence.services import ruling_upload
from legalcase.models import (
    Deadline,
    DeadlineKind,
    EventKind,
    MatterEvent,
    Role,
    Ruling,
)
from tests.evidence.conftest import evidence_storage  # noqa: F401  (private storage in a temp dir)
from tests.factories import make_firm, make_matter, make_user
from tests.legalcase.test_portal import confirm_data
from tests.legalcase.test_rulings_api import CHAIN_JUDGMENT, docx_of

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
CHAIN_KINDS = [
    DeadlineKind.APPEAL,
    DeadlineKind.JUDGMENT_EFFECTIVE,
    DeadlineKind.PERFORMANCE_END,
    DeadlineKind.ENFORCEMENT_APPLICATION,
]
NOT_RECOGNISED = ("Not recognised", "未识别")


@pytest.fixture(autouse=True)
def storage_here(evidence_storage):  # noqa: F811
    return evidence_storage


@pytest.fixture
def counsel(client):
    user = make_user(Role.COUNSEL)
    client.force_login(user)
    return user


@pytest.fixture
def matter():
    return make_matter()


def section(client, matter) -> str:
    response = client.get(reverse("rulings_section", args=[matter.pk]), **HTMX)
    assert response.status_code == 200
    return response.content.decode()


def invalid_fields(html: str) -> list[str]:
    return re.findall(r'pf-field invalid">\s*<label for="([^"]+)"', html)


def upload(client, matter, content: bytes, name="判决书.docx", **data):
    return client.post(
        reverse("ruling_upload", args=[matter.pk]), {"file": SimpleUploadedFile(name, content), **data}, **HTMX
    )


def uploaded(user, matter, text=CHAIN_JUDGMENT) -> Ruling:
    _item, ruling = ruling_upload(
        user=user, matter_id=matter.pk, uploaded_file=SimpleUploadedFile("判决书.docx", docx_of(text))
    )
    return ruling


def confirm(client, matter, ruling, **changes):
    return client.post(reverse("ruling_confirm", args=[matter.pk, ruling.pk]), confirm_data(ruling, **changes), **HTMX)


def test_uploading_a_docx_shows_what_was_read_for_confirmation_and_drives_nothing(client, counsel, matter):
    response = upload(client, matter, docx_of(CHAIN_JUDGMENT))
    assert response.status_code == 200
    html = response.content.decode()
    ruling = Ruling.objects.get()
    assert EvidenceItem.objects.get().pk == ruling.evidence_id
    for text in ("（2025）京0105民初30001号", "北京市朝阳区人民法院", "2025-09-10", "50,000.00", "1,090.00"):
        assert text in html, text
    assert not ruling.confirmed
    assert reverse("ruling_confirm", args=[matter.pk, ruling.pk]) in html
    # The form comes pre-filled with the reading.
    assert 'value="（2025）京0105民初30001号"' in html and 'value="10"' in html
    assert not Deadline.objects.filter(kind__in=CHAIN_KINDS).exists()


def test_the_served_on_given_at_upload_is_kept(client, counsel, matter):
    upload(client, matter, docx_of(CHAIN_JUDGMENT), served_on="2025-09-20")
    assert Ruling.objects.get().served_on == dt.date(2025, 9, 20)


def test_a_bad_upload_shows_the_error_and_stores_nothing(client, counsel, matter, storage_here):
    html = upload(client, matter, b"MZ\x90\x00" + b"\0" * 100, name="判决书.pdf").content.decode()
    assert invalid_fields(html) == ["ruling-upload-file"]
    assert not Ruling.objects.exists() and not EvidenceItem.objects.exists()
    assert not [p for p in storage_here.rglob("*") if p.is_file()]


def test_confirming_with_a_correction_keeps_both_and_shows_the_deadlines(client, counsel, matter):
    ruling = uploaded(counsel, matter)
    response = confirm(client, matter, ruling, served_on="2025-09-20")
    assert response.status_code == 200
    html = response.content.decode()
    ruling.refresh_from_db()
    assert ruling.confirmed and ruling.confirmed_by == counsel
    assert ruling.corrections == {"served_on": "2025-09-20"}
    assert ruling.reading["case_number"] == "（2025）京0105民初30001号"
    deadlines = {d.kind: d.due_on for d in Deadline.objects.filter(superseded_at__isnull=True, kind__in=CHAIN_KINDS)}
    assert set(deadlines) == set(CHAIN_KINDS)
    for due_on in deadlines.values():
        assert due_on.isoformat() in html
    assert counsel.display_name in html
    assert MatterEvent.objects.filter(kind=EventKind.RULING_CONFIRMED, actor=counsel).exists()


def test_accepting_the_reading_unchanged_records_no_correction(client, counsel, matter):
    ruling = uploaded(counsel, matter)
    confirm(client, matter, ruling, case_number="(2025)京0105民初30001号")
    ruling.refresh_from_db()
    assert ruling.confirmed and ruling.corrections == {}


def test_a_correction_made_again_moves_the_deadlines(client, counsel, matter):
    ruling = uploaded(counsel, matter)
    confirm(client, matter, ruling, served_on="2025-09-20")
    ruling.refresh_from_db()
    first = Deadline.objects.get(kind=DeadlineKind.APPEAL, superseded_at__isnull=True).due_on
    confirm(client, matter, ruling, served_on="2025-10-20")
    assert Deadline.objects.get(kind=DeadlineKind.APPEAL, superseded_at__isnull=True).due_on > first


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"performance_days": "-1"}, "performance_days"),
        ({"decided_on": "2025-13-40"}, "decided_on"),
        ({"principal_awarded": "-5"}, "principal_awarded"),
        ({"acceptance_fee": "abc"}, "acceptance_fee"),
        ({"case_number": "不是案号"}, "case_number"),
        ({"kind": "verdict"}, "kind"),
    ],
)
def test_bad_confirmation_values_show_the_error_and_confirm_nothing(client, counsel, matter, changes, field):
    ruling = uploaded(counsel, matter)
    events = MatterEvent.objects.count()
    html = confirm(client, matter, ruling, served_on="2025-09-20", **changes).content.decode()
    assert invalid_fields(html) == [f"ruling-{ruling.pk}-{field}"]
    ruling.refresh_from_db()
    assert not ruling.confirmed and ruling.corrections == {} and ruling.served_on is None
    assert not Deadline.objects.filter(kind__in=CHAIN_KINDS).exists()
    assert MatterEvent.objects.count() == events


def test_what_was_not_read_says_so(client, counsel, matter):
    uploaded(counsel, matter, text="这是一份与裁判无关的文件。")
    html = section(client, matter)
    assert sum(html.count(text) for text in NOT_RECOGNISED) >= 20


def test_a_scan_without_text_says_the_fields_must_be_typed_in(client, counsel, matter):
    ruling = uploaded(counsel, matter, text="")
    Ruling.objects.filter(pk=ruling.pk).update(reading={**ruling.reading, "text_source": "none"})
    html = section(client, matter)
    assert '<p class="pf-warning">' in html
    other = uploaded(counsel, make_matter())
    assert '<p class="pf-warning">' not in section(client, other.matter)


def test_a_manager_sees_rulings_without_upload_or_confirmation(client, matter):
    ruling = uploaded(make_user(Role.COUNSEL), matter)
    client.force_login(make_user(Role.MANAGER))
    html = section(client, matter)
    assert "（2025）京0105民初30001号" in html
    assert reverse("ruling_upload", args=[matter.pk]) not in html
    assert reverse("ruling_confirm", args=[matter.pk, ruling.pk]) not in html


def test_the_confirmation_names_the_lawyer_and_their_firm(client):
    firm = make_firm("甲律师事务所")
    matter = make_matter(firm=firm)
    lawyer = make_user(Role.LAWYER, firm=firm)
    lawyer.last_name, lawyer.first_name = "王", "律师"
    lawyer.save(update_fields=["last_name", "first_name"])
    ruling = uploaded(lawyer, matter)
    client.force_login(lawyer)
    html = confirm(client, matter, ruling, served_on="2025-09-20").content.decode()
    assert "王律师（甲律师事务所）" in html


def test_a_ruling_of_another_matter_answers_404(client, counsel, matter):
    ruling = uploaded(counsel, matter)
    other = make_matter()
    response = client.post(reverse("ruling_confirm", args=[other.pk, ruling.pk]), confirm_data(ruling))
    assert response.status_code == 404
    ruling.refresh_from_db()
    assert not ruling.confirmed


def test_the_page_corrects_whom_the_instrument_binds(client, counsel):
    from legalcase.models import Guarantee, RulingParty
    from tests.factories import make_party

    matter = make_matter()
    guarantor = make_party("王一般")
    Guarantee.objects.create(debt=matter.debt, guarantor=guarantor, guarantee_type="general")
    ruling = uploaded(counsel, matter)
    html = section(client, matter)
    assert "文书判令履行的当事人" in html or "Parties the instrument orders to pay" in html
    debtor = matter.debt.debtor_id
    response = confirm(
        client, matter, ruling,
        **{f"bound_{debtor}": "principal", f"bound_{guarantor.pk}": "supplementary", f"limit_{debtor}": "",
           f"limit_{guarantor.pk}": ""},
    )  # fmt: skip
    assert response.status_code == 200
    rows = list(RulingParty.objects.filter(ruling=ruling).values_list("party_id", "liability"))
    assert sorted(rows) == sorted([(debtor, "principal"), (guarantor.pk, "supplementary")])
    assert "王一般" in response.content.decode()


def test_a_bad_bound_party_on_the_page_shows_the_error_and_confirms_nothing(client, counsel, matter):
    ruling = uploaded(counsel, matter)
    debtor = matter.debt.debtor_id
    response = confirm(client, matter, ruling, **{f"bound_{debtor}": "limited", f"limit_{debtor}": ""})
    assert "限额责任须填写限额" in response.content.decode()
    ruling.refresh_from_db()
    assert ruling.confirmed is False
