import pytest

from legalcase.models import Role
from tests.factories import make_matter, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_signed_in_counsel_sees_the_matter_list_in_chinese(open_page):
    counsel = make_user(Role.COUNSEL)
    matter = make_matter(owner=counsel)
    page = open_page(counsel, "/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert matter.number in page.inner_text("body")
