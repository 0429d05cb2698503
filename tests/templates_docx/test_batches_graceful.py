"""Batches that fail gracefully (issue 22, item 4): a filing without its bundle, Chinese
reasons, a red part for failures, no ZIP when nothing succeeded, pre-checks acted on."""

import re

import pytest
from django.urls import reverse

from legalcase.models import Role
from legalcase.views import BATCH_SELECTION_KEY
from templates_docx.models import Batch, BatchItem
from tests.factories import make_matter, make_user
from tests.templates_docx.test_api_documents import run_all_jobs
from tests.templates_docx.test_batches import add_exhibit, read_zip
from tests.templates_docx.test_pages_batches import hand_over

pytestmark = pytest.mark.django_db

NO_EVIDENCE = "证据材料无法生成：本案没有可编入证据材料的证据（至少需要一件）"


@pytest.fixture
def counsel(client):
    user = make_user(Role.COUNSEL)
    client.force_login(user)
    client.user = user
    return client


def test_a_matter_without_evidence_is_filed_and_only_its_bundle_is_named_missing(counsel, evidence_storage):
    with_evidence = [make_matter(), make_matter()]
    for matter in with_evidence:
        add_exhibit(matter, counsel.user)
    bare = make_matter()
    hand_over(counsel, [with_evidence[0], bare, with_evidence[1]])
    response = counsel.post(
        reverse("batch_new"), {"template": "complaint_credit_card", "procedure": "simplified", "bundle": "on", "step": "start"}
    )
    batch = Batch.objects.get()
    assert batch.bundle is True
    run_all_jobs()

    items = {item.matter_id: item for item in BatchItem.objects.filter(batch=batch)}
    assert {pk: item.status for pk, item in items.items()} == {m.pk: "done" for m in [*with_evidence, bare]}
    assert items[bare.pk].document is not None and items[bare.pk].bundle_id is None
    assert items[bare.pk].bundle_error == NO_EVIDENCE
    for matter in with_evidence:
        assert items[matter.pk].bundle_id is not None and items[matter.pk].bundle_error == ""
        assert [entry["name"] for entry in items[matter.pk].files][-1] == "证据材料.pdf"

    page = counsel.get(response["Location"]).content.decode()
    assert reverse("templates_api:batch-download", args=[batch.pk]) in page
    section = page.split('class="grid batch-bundle-errors"', 1)[1].split("</table>", 1)[0]
    assert bare.number in section and NO_EVIDENCE in section
    assert with_evidence[0].number not in section
    assert 'class="grid batch-failed"' not in page  # nothing failed
    assert "part-failed" not in page

    archive = read_zip(counsel, batch.pk)
    assert NO_EVIDENCE in archive.read("bundle_errors.csv").decode("utf-8-sig")
    assert "failed.csv" not in archive.namelist()


def test_a_batch_where_everything_failed_offers_no_zip_and_shows_the_failures_in_red(counsel, evidence_storage):
    loans = [make_matter(product="loan"), make_matter(product="loan")]
    hand_over(counsel, loans)
    response = counsel.post(
        reverse("batch_new"), {"template": "complaint_credit_card", "procedure": "simplified", "step": "start"}
    )
    batch = Batch.objects.get()
    run_all_jobs()
    page = counsel.get(response["Location"]).content.decode()
    assert reverse("templates_api:batch-download", args=[batch.pk]) not in page
    assert "没有可下载的 ZIP" in page
    assert re.search(r'class="part-failed" data-width="100(\.0)?"', page)
    assert re.search(r'class="part-done" data-width="0(\.0)?"', page)
    assert page.count("仅适用于信用卡案件") == 2
    api = counsel.get(reverse("templates_api:batch-detail", args=[batch.pk])).json()
    assert (api["done"], api["failed"], api["download_url"]) == (0, 2, None)


def test_one_failure_in_three_is_a_red_third_of_the_bar(counsel, evidence_storage):
    matters = [make_matter(), make_matter(product="loan"), make_matter()]
    hand_over(counsel, matters)
    response = counsel.post(
        reverse("batch_new"), {"template": "complaint_credit_card", "procedure": "simplified", "step": "start"}
    )
    run_all_jobs()
    page = counsel.get(response["Location"]).content.decode()
    assert 'class="part-done" data-width="66.7"' in page
    assert 'class="part-failed" data-width="33.3"' in page
    assert reverse("templates_api:batch-download", args=[Batch.objects.get().pk]) in page


def test_the_pre_check_offers_to_drop_matters_and_untick_the_bundle(counsel, evidence_storage):
    card, bare, loan = make_matter(), make_matter(), make_matter(product="loan")
    add_exhibit(card, counsel.user)
    add_exhibit(loan, counsel.user)
    hand_over(counsel, [card, bare, loan])
    page = counsel.post(
        reverse("batch_new"), {"template": "complaint_credit_card", "procedure": "simplified", "bundle": "on", "step": "check"}
    ).content.decode()
    # Every warned matter has a box to drop it; the bundle can be unticked beside the start button.
    no_evidence = page.split('id="checks-no-evidence"', 1)[1].split("</ul>", 1)[0]
    assert f'name="drop" value="{bare.pk}" form="batch-form"' in no_evidence
    assert f'name="drop" value="{card.pk}"' not in no_evidence and f'value="{loan.pk}"' not in no_evidence
    unfit = page.split('id="checks-unfit"', 1)[1].split("</ul>", 1)[0]
    assert f'name="drop" value="{loan.pk}" form="batch-form"' in unfit
    assert f'value="{card.pk}"' not in unfit
    assert re.search(r'<input type="checkbox" name="bundle" form="batch-form"[^>]* checked>', page)
    assert page.count('name="bundle"') == 1

    # Drop the unfit loan, untick the bundle, start.
    response = counsel.post(
        reverse("batch_new"),
        {"template": "complaint_credit_card", "procedure": "simplified", "drop": [str(loan.pk), "999999", "x"], "step": "start"},
    )
    batch = Batch.objects.get()
    assert response["Location"] == reverse("batch_detail", args=[batch.pk])
    assert (batch.bundle, batch.total) == (False, 2)
    assert sorted(batch.items.values_list("matter_id", flat=True)) == sorted([card.pk, bare.pk])
    run_all_jobs()
    assert batch.counts() == {"pending": 0, "done": 2, "failed": 0}
    assert not BatchItem.objects.exclude(bundle_error="").exists()


def test_dropping_on_a_second_check_narrows_the_selection(counsel):
    first, second = make_matter(), make_matter()
    hand_over(counsel, [first, second])
    page = counsel.post(
        reverse("batch_new"),
        {"template": "evidence_list", "procedure": "simplified", "bundle": "on", "drop": [str(second.pk)], "step": "check"},
    ).content.decode()
    assert "已选择 1 件案件。" in page
    assert f'value="{second.pk}"' not in page and f'name="drop" value="{first.pk}"' in page
    assert not Batch.objects.exists()


def test_dropping_every_matter_is_refused_and_nothing_is_stored(counsel):
    matters = [make_matter(), make_matter()]
    hand_over(counsel, matters)
    page = counsel.post(
        reverse("batch_new"),
        {"template": "evidence_list", "procedure": "simplified", "drop": [str(m.pk) for m in matters], "step": "start"},
    )
    assert page.status_code == 200
    assert "所有案件都将被移除" in page.content.decode()
    assert not Batch.objects.exists()
    # The selection is left as it was.
    assert counsel.session[BATCH_SELECTION_KEY] == [m.pk for m in matters]
