"""The batch pages: matters from the list, the pre-filing checks, the progress bar, the ZIP."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from legalcase.calculators import court_fees
from legalcase.models import Role
from templates_docx.models import Batch
from tests.factories import make_forum, make_matter, make_user
from tests.templates_docx.test_api_documents import run_all_jobs

pytestmark = pytest.mark.django_db


@pytest.fixture
def counsel(client):
    client.force_login(make_user(Role.COUNSEL))
    return client


def hand_over(client, matters):
    """Tick matters on the matter list and choose the batch action."""
    response = client.post(
        reverse("matter_bulk"),
        {"action": "batch_filings", "scope": "selected", "matters": [m.pk for m in matters]},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("batch_new")


def test_the_checks_show_the_fee_total_unset_forums_and_missing_elements(counsel):
    with_forum = make_matter(principal=Decimal("50000.00"), interest=Decimal("0"), penalty_interest=Decimal("0"),
                             compound_interest=Decimal("0"), late_fees=Decimal("0"))
    with_forum.forum = make_forum()
    with_forum.save(update_fields=["forum"])
    without = make_matter(principal=Decimal("300000.00"), interest=Decimal("0"), penalty_interest=Decimal("0"),
                          compound_interest=Decimal("0"), late_fees=Decimal("0"))
    hand_over(counsel, [with_forum, without])
    page = counsel.post(reverse("batch_new"), {"template": "complaint_credit_card", "procedure": "ordinary", "step": "check"})
    text = page.content.decode()
    assert page.status_code == 200
    # 诉讼费用交纳办法 worked examples: 1,050.00 + 5,800.00 by the ordinary procedure.
    expected = court_fees(with_forum.debt.claim_total).acceptance + court_fees(without.debt.claim_total).acceptance
    assert expected == Decimal("6850.00")
    assert "6,850.00" in text
    assert without.number in text
    assert "管辖法院" in text  # listed among the missing elements of the matter without a forum
    simplified = counsel.post(
        reverse("batch_new"), {"template": "complaint_credit_card", "procedure": "simplified", "step": "check"}
    ).content.decode()
    assert "3,425.00" in simplified
    assert not Batch.objects.exists()


def test_starting_shows_a_progress_page_that_ends_with_the_download(counsel, evidence_storage):
    matters = [make_matter() for _ in range(3)]
    hand_over(counsel, matters)
    response = counsel.post(reverse("batch_new"), {"template": "evidence_list", "procedure": "simplified", "step": "start"})
    batch = Batch.objects.get()
    assert response["Location"] == reverse("batch_detail", args=[batch.pk])
    page = counsel.get(response["Location"]).content.decode()
    assert 'role="progressbar"' in page and 'hx-trigger="load delay:2s"' in page
    run_all_jobs()
    page = counsel.get(response["Location"]).content.decode()
    assert reverse("templates_api:batch-download", args=[batch.pk]) in page
    assert 'aria-valuenow="100"' in page


def test_time_barred_matters_are_named(counsel):
    matter = make_matter(overdue_since=dt.date(2015, 1, 1))
    from legalcase.services import matter_deadlines_recompute

    matter_deadlines_recompute(matter_id=matter.pk)
    assert matter.time_barred
    hand_over(counsel, [matter])
    text = counsel.post(reverse("batch_new"), {"template": "evidence_list", "procedure": "simplified", "step": "check"}).content.decode()
    section = text.split('id="checks-time-barred"', 1)[1].split("</p>", 1)[0]
    assert matter.number in section


def test_a_manager_cannot_use_the_batch_page(client):
    client.force_login(make_user(Role.MANAGER))
    assert client.get(reverse("batch_new")).status_code == 403


def test_the_checks_name_matters_the_template_is_not_written_for(counsel):
    loan = make_matter(product="loan")
    hand_over(counsel, [make_matter(), loan])
    text = counsel.post(
        reverse("batch_new"), {"template": "complaint_credit_card", "procedure": "simplified", "step": "check"}
    ).content.decode()
    section = text.split('id="checks-unfit"', 1)[1].split("</p>", 1)[0]
    assert loan.number in section
