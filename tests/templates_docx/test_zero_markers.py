"""Complete before generating: a fully recorded matter leaves no 【待补充】 in any shipped template,
and a bare matter's check names each missing element and the call that records it.

The templates come from the registry of defaults (``DEFAULT_TEMPLATES``), so a template
added there is covered without touching this file.
"""

import copy
import datetime as dt

import pytest

from legalcase.models import Matter, Role
from templates_docx.completion import filing_check, missing_labels
from templates_docx.context import matter_context, with_filing_data
from templates_docx.defaults import DEFAULT_TEMPLATES
from templates_docx.demo import record_everything
from templates_docx.models import DocumentTemplate
from templates_docx.rendering import render_docx
from templates_docx.sample import MISSING_PREFIX
from tests.factories import make_firm, make_forum, make_matter, make_party, make_user
from tests.shared_rows import shared_rows
from tests.templates_docx.docx_samples import read_back

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 20)
CODES = [default["code"] for default in DEFAULT_TEMPLATES]
PRODUCTS = {default["code"]: default.get("products", ("credit_card", "loan")) for default in DEFAULT_TEMPLATES}


def _template(code):
    return DocumentTemplate.objects.filter(code=code).current(on=TODAY).get()


def _loaded(matter):
    return with_filing_data(type(matter).objects.filter(pk=matter.pk)).get()


def _text(docx: bytes) -> str:
    parts = read_back(docx)
    return "\n".join(value if isinstance(value, str) else "\n".join(map(str, value)) for value in parts.values())


@pytest.fixture(scope="module")
def complete_matters(django_db_setup, django_db_blocker):
    """A fully recorded card matter and loan matter, made once for every template (tests/shared_rows.py)."""
    with shared_rows(django_db_blocker, "complete matters"):
        counsel = make_user(Role.COUNSEL)
        firm = make_firm()
        forum = make_forum()
        matters = {}
        for seq, product in enumerate(("credit_card", "loan"), start=1):
            matter = make_matter(stage="enforcement", firm=firm, product=product, debtor=make_party("陈明"))
            matters[product] = _loaded(record_everything(matter=matter, user=counsel, firm=firm, forum=forum, seq=seq))
        yield matters


@pytest.mark.parametrize("code", CODES)
def test_a_fully_recorded_matter_renders_every_template_without_a_marker(complete_matters, code):
    template = _template(code)
    for product in PRODUCTS[code]:
        matter = copy.deepcopy(complete_matters[product])
        context = matter_context(matter, today=TODAY)
        rendered = render_docx(bytes(template.content), context)
        text = _text(rendered.docx)
        assert MISSING_PREFIX not in text, (product, rendered.missing)
        assert rendered.missing == []
        assert "陈明" in text
        assert filing_check(matter=matter, template=template, context=context) == []


@pytest.mark.parametrize("code", CODES)
def test_the_check_lists_exactly_the_markers_a_render_of_a_bare_matter_carries(code):
    template = _template(code)
    for product in PRODUCTS[code]:
        matter = _loaded(make_matter(firm=make_firm(), product=product))
        context = matter_context(matter, today=TODAY)
        rendered = render_docx(bytes(template.content), context)
        assert set(missing_labels(matter=matter, template=template, context=context)) == set(rendered.missing)
        checked = filing_check(matter=matter, template=template, context=context)
        assert {entry["label"] for entry in checked} == set(rendered.missing)


def test_the_seeded_demo_holds_fully_recorded_matters_that_every_template_fills():
    from django.core.management import call_command

    from legalcase.demo import seed_demo
    from legalcase.models import LawFirm, User
    from templates_docx.demo import DEMO_ACCOUNTS, seed_complete_demo

    # ``make run`` seeds the demo, then the two fully recorded matters.
    seed_demo(matters=3)
    assert Matter.objects.count() == 3
    users = {user.username: user for user in User.objects.all()}
    firms = list(LawFirm.objects.order_by("pk"))
    assert seed_complete_demo(users=users, firms=firms) == {"complete_matters": 2}
    call_command("seed_complete_demo")  # a second time adds nothing
    assert Matter.objects.count() == 5
    today = dt.date.today()
    for product, account in DEMO_ACCOUNTS.items():
        matter = _loaded(Matter.objects.get(debt__account_number=account))
        assert matter.debt.product == product and matter.assigned_firm.lawyers.filter(username="lawyer1").exists()
        context = matter_context(matter, today=today)
        for code in CODES:
            if product not in PRODUCTS[code]:
                continue
            rendered = render_docx(bytes(_template(code).content), context)
            assert rendered.missing == [], (code, product, rendered.missing)
            assert MISSING_PREFIX not in _text(rendered.docx)
