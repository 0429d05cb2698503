"""The filing panel in Chromium: choosing a template lists the missing elements with inputs;
saving one removes it from the list (HTMX), the record holds it."""

import pytest

from legalcase.models import Role
from templates_docx.models import FilingDetails
from tests.factories import make_firm, make_matter, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_completing_an_element_in_the_panel(open_page):
    from templates_docx.services import templates_install_defaults

    templates_install_defaults()  # a transactional test before this one may have flushed them
    matter = make_matter(firm=make_firm())
    counsel = make_user(Role.COUNSEL)
    page = open_page(counsel, f"/matters/{matter.pk}/")
    page.select_option("select[name=template]", "complaint_credit_card")
    field = page.locator(f'input[name="/api/v1/matters/{matter.pk}/filing-details/|termination_terms"]')
    field.wait_for()
    page.locator("form.filing-complete").screenshot(path="/tmp/complete_panel.png")
    field.fill("连续三期未还款的，贷款人可解除合同")
    page.locator("form.filing-complete button[type=submit]").click()
    field.wait_for(state="detached")
    assert FilingDetails.objects.get(matter=matter).termination_terms == "连续三期未还款的，贷款人可解除合同"
    assert "合约解除条件" not in page.locator("form.filing-complete").inner_text()
