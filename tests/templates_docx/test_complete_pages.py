"""Complete before generating, on the pages: the filing panel and the batch pre-check list each
missing element with an input that saves to the record; generating afterwards carries it."""

import datetime as dt

import pytest
from django.urls import reverse

from legalcase import services as legal_services
from legalcase.models import EventKind, MatterEvent, Role
from templates_docx.context import matter_context, with_filing_data
from templates_docx.models import DocumentTemplate, FilingDetails
from templates_docx.rendering import render_docx
from tests.factories import make_firm, make_matter, make_party, make_user
from tests.templates_docx.test_pages_batches import hand_over

pytestmark = pytest.mark.django_db

CARD = "complaint_credit_card"


def section(client, matter, code=CARD):
    return client.get(reverse("filings_section", args=[matter.pk]), {"template": code}).content.decode()


def complete(client, matter, values, code=CARD, **extra):
    return client.post(
        reverse("filing_complete", args=[matter.pk]), {"template": code, **values, **extra}, HTTP_HX_REQUEST="true"
    )


def details_name(matter, field):
    return f"/api/v1/matters/{matter.pk}/filing-details/|{field}"


@pytest.fixture
def matter():
    return make_matter(firm=make_firm(), debtor=make_party("张三", address=""))


@pytest.fixture
def counsel(client):
    client.force_login(make_user(Role.COUNSEL))
    return client


def test_the_panel_lists_each_missing_element_with_an_input_or_where_to_record_it(counsel, matter):
    page = section(counsel, matter)
    assert "【待补充：合约主要条款提示说明的方式、时间及地点】" in page
    assert f'name="{details_name(matter, "terms_notice")}"' in page
    assert f'name="{details_name(matter, "termination_terms")}"' in page
    assert "请在本页“证据”部分上传" in page  # evidence is uploaded, not typed
    address = f'name="/api/v1/matters/{matter.pk}/parties/{matter.debt.debtor_id}/|address"'
    # The debtor's address is saved by the record's party service when it is there.
    assert (address in page) == hasattr(legal_services, "party_update")
    assert 'action="{}"'.format(reverse("filing_complete", args=[matter.pk])) in page


def test_saving_from_the_panel_writes_the_record_and_the_element_leaves_the_list(counsel, matter):
    response = complete(
        counsel,
        matter,
        {
            details_name(matter, "terms_notice"): "2021年3月15日于营业部柜台口头说明并加粗提示",
            details_name(matter, "termination_terms"): "连续三期未还款的，贷款人可解除合同",
            # Not an element this filing lacks: ignored, nothing written anywhere.
            details_name(matter, "preservation_security"): "保函",
            "/api/v1/creditors/999999/|address": "别处",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "合约主要条款提示说明的方式、时间及地点" not in page and "合约解除条件" not in page
    details = FilingDetails.objects.get(matter=matter)
    assert details.terms_notice.startswith("2021年3月15日") and details.termination_terms.startswith("连续三期")
    assert details.preservation_security == ""
    event = MatterEvent.objects.get(matter=matter, kind=EventKind.DEBT_CORRECTED)
    assert set(event.new["filing_details"]) == {"terms_notice", "termination_terms"}
    # Generating now prints what was entered, and neither marker.
    template = DocumentTemplate.objects.filter(code=CARD).current(on=dt.date.today()).get()
    loaded = with_filing_data(type(matter).objects.filter(pk=matter.pk)).get()
    rendered = render_docx(bytes(template.content), matter_context(loaded, today=dt.date.today()))
    assert "合约解除条件" not in rendered.missing and "合约主要条款提示说明的方式、时间及地点" not in rendered.missing


def test_the_record_services_receive_their_fields(counsel, matter, monkeypatch):
    calls = []

    def party_update(*, user, matter_id, party_id, **changes):
        calls.append((matter_id, party_id, changes))

    monkeypatch.setattr(legal_services, "party_update", party_update, raising=False)
    address = f"/api/v1/matters/{matter.pk}/parties/{matter.debt.debtor_id}/|address"
    assert f'name="{address}"' in section(counsel, matter)
    assert complete(counsel, matter, {address: "上海市徐汇区漕溪北路200号"}).status_code == 200
    assert calls == [(matter.pk, matter.debt.debtor_id, {"address": "上海市徐汇区漕溪北路200号"})]


def test_a_refused_value_is_shown_and_nothing_is_stored(counsel, matter):
    response = complete(counsel, matter, {details_name(matter, "terms_notice"): "说" * 501})
    assert "不能超过 500 个字" in response.content.decode()
    assert not FilingDetails.objects.filter(matter=matter).exists()
    assert not MatterEvent.objects.filter(matter=matter, kind=EventKind.DEBT_CORRECTED).exists()


def test_a_manager_may_not_save_and_another_firm_gets_404(client, matter):
    client.force_login(make_user(Role.MANAGER))
    assert complete(client, matter, {details_name(matter, "terms_notice"): "x"}).status_code == 403
    client.force_login(make_user(Role.LAWYER, firm=make_firm()))
    assert complete(client, matter, {details_name(matter, "terms_notice"): "x"}).status_code == 404
    assert not FilingDetails.objects.filter(matter=matter).exists()


def test_the_batch_pre_check_lists_inputs_per_matter_and_saving_comes_back_to_it(counsel, matter):
    other = make_matter()
    hand_over(counsel, [matter, other])
    page = counsel.post(reverse("batch_new"), {"template": CARD, "procedure": "ordinary", "step": "check"})
    text = page.content.decode()
    assert details_name(matter, "termination_terms") in text and details_name(other, "termination_terms") in text
    response = counsel.post(
        reverse("filing_complete", args=[other.pk]),
        {"template": CARD, "next": "batch", "batch_procedure": "ordinary", "batch_bundle": "",
         details_name(other, "termination_terms"): "连续三期未还款的，贷款人可解除合同"},
    )  # fmt: skip
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("batch_new") + "?template=complaint_credit_card")
    again = counsel.get(response["Location"]).content.decode()
    assert details_name(matter, "termination_terms") in again
    assert details_name(other, "termination_terms") not in again
    assert FilingDetails.objects.get(matter=other).termination_terms.startswith("连续三期")



def test_the_panel_saves_an_exhibits_purpose(client, evidence_storage):
    from evidence.models import EvidenceItem
    from tests.templates_docx.test_batches import add_exhibit

    user = make_user(Role.COUNSEL)
    client.force_login(user)
    matter = make_matter(firm=make_firm())
    item = add_exhibit(matter, user, title="信用卡领用合约")
    purpose = f"/api/v1/evidence/{item.pk}/|purpose"
    assert f'name="{purpose}"' in section(client, matter, code="evidence_list")
    response = complete(client, matter, {purpose: "证明双方存在信用卡合同关系"}, code="evidence_list")
    assert response.status_code == 200
    assert EvidenceItem.objects.get(pk=item.pk).purpose == "证明双方存在信用卡合同关系"
    event = MatterEvent.objects.get(matter=matter, kind=EventKind.EVIDENCE_EDITED)
    assert event.new == {"purpose": "证明双方存在信用卡合同关系"}
    assert f'name="{purpose}"' not in response.content.decode()
