"""The enforcement section of the matter page, the lapsing-measures page and the 终本 watch list."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from legalcase.models import Deadline, EnforcementAction, Role, holiday_calendar
from legalcase.periods import termination_follow_ups
from legalcase.services.enforcement import asset_record, enforcement_action_record
from legalcase.views import MATTER_SECTIONS
from tests.factories import make_firm, make_matter, make_user

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
D = dt.date


@pytest.fixture
def firm():
    return make_firm()


@pytest.fixture
def matter(firm):
    return make_matter(stage="enforcement", firm=firm)


@pytest.fixture
def lawyer(client, firm):
    user = make_user(Role.LAWYER, firm=firm)
    client.force_login(user)
    return user


def section(client, matter) -> str:
    response = client.get(reverse("enforcement_section", args=[matter.pk]), **HTMX)
    assert response.status_code == 200
    return response.content.decode()


def invalid_fields(html: str) -> list[str]:
    return re.findall(r'pf-field invalid">\s*<label for="([^"]+)"', html)


def post(client, name, *args, **data):
    return client.post(reverse(name, args=args), data, **HTMX)


def test_the_matter_page_loads_the_enforcement_section(client, lawyer, matter):
    assert "enforcement_section" in [s.url_name for s in MATTER_SECTIONS]
    html = client.get(reverse("matter_detail", args=[matter.pk])).content.decode()
    assert f'hx-get="{reverse("enforcement_section", args=[matter.pk])}"' in html
    assert reverse("enforcement_lapsing") in html  # the nav link


def test_an_asset_recorded_on_the_page_shows_masked(client, lawyer, matter):
    response = post(
        client,
        "enforcement_asset_record",
        matter.pk,
        owner=matter.debt.debtor_id,
        kind="bank_account",
        description="招商银行北京分行",
        identifier="6225880012345678",
        estimated_value="30000",
        source="court_search",
        found_on="2026-03-01",
    )
    html = response.content.decode()
    assert response.status_code == 200 and "pf-ok" in html
    assert "6225********5678" in html and "6225880012345678" not in html
    assert "30,000.00" in html
    assert matter.assets.get().identifier == "6225880012345678"


def test_an_action_with_an_error_shows_it_next_to_the_field_and_stores_nothing(client, lawyer, matter):
    response = post(
        client,
        "enforcement_action_record",
        matter.pk,
        kind="freeze_deposit",
        started_on="2026-03-02",
        expires_on="2026-01-01",
        case_number="(2026)京0105执1234号",
    )
    html = response.content.decode()
    assert invalid_fields(html) == ["action-new-expires_on"]
    assert matter.enforcement_actions.count() == 0
    assert '<details class="pf-new" open>' in html


def test_record_renew_and_close_on_the_page(client, lawyer, matter):
    asset = asset_record(
        user=lawyer,
        matter_id=matter.pk,
        owner_id=matter.debt.debtor_id,
        kind="bank_account",
        description="招商银行",
        source="court_search",
        found_on=D(2026, 3, 1),
    )
    html = post(
        client,
        "enforcement_action_record",
        matter.pk,
        kind="freeze_deposit",
        asset=asset.pk,
        started_on="2026-03-02",
        case_number="(2026)京0105执1234号",
        amount="52558.05",
        rank="first",
    ).content.decode()
    action = matter.enforcement_actions.get()
    assert action.expires_on == D(2027, 3, 1) and action.case_number == "（2026）京0105执1234号"
    assert "2027-03-01" in html and "2027-02-22" in html and "52,558.05" in html
    # The renewal form offers the day after expiry.
    assert 'value="2027-03-02"' in html

    html = post(client, "enforcement_action_renew", matter.pk, action.pk, started_on="2027-03-02").content.decode()
    renewal = EnforcementAction.objects.get(renews=action)
    assert renewal.expires_on == D(2028, 3, 1)
    assert "2028-03-01" in html and 'class="enf-earlier"' in html

    again = post(client, "enforcement_action_renew", matter.pk, action.pk, started_on="2027-03-02")
    assert again.status_code == 200 and "errorlist" in again.content.decode()
    assert EnforcementAction.objects.count() == 2

    post(client, "enforcement_action_status", matter.pk, renewal.pk, status="lifted", note="已解冻")
    renewal.refresh_from_db()
    assert renewal.status == "lifted"


def test_a_manager_may_write_and_another_firms_lawyer_sees_nothing(client, matter):
    manager = make_user(Role.MANAGER)
    client.force_login(manager)
    assert reverse("enforcement_action_record", args=[matter.pk]) in section(client, matter)
    client.force_login(make_user(Role.LAWYER))
    assert client.get(reverse("enforcement_section", args=[matter.pk]), **HTMX).status_code == 404
    response = post(client, "enforcement_action_record", matter.pk, kind="deduct", started_on="2026-03-02")
    assert response.status_code == 404
    assert matter.enforcement_actions.count() == 0


def lapsing_panels(client, **query) -> dict[str, str]:
    html = client.get(reverse("enforcement_lapsing"), query).content.decode()
    parts = re.split(r'<section class="panel" id="lapsing-', html)[1:]
    return {part.split('"', 1)[0]: part for part in parts}


def test_the_lapsing_page_buckets_at_30_31_60_61_and_90_days(client, lawyer, matter):
    today = timezone.localdate()
    numbers = {}
    for days in (-2, 30, 31, 60, 61, 90, 91):
        action = enforcement_action_record(
            user=lawyer,
            matter_id=matter.pk,
            kind="seize_movable",
            case_number=f"（2025）京0105执{days + 1000}号",
            started_on=today - dt.timedelta(days=400),
            expires_on=today + dt.timedelta(days=days),
        )
        numbers[days] = action.case_number
    panels = lapsing_panels(client)
    assert list(panels) == ["past", "30", "60", "90"]
    expected = {"past": [-2], "30": [30], "60": [31, 60], "90": [61, 90]}
    for key, days in expected.items():
        shown = [d for d, number in numbers.items() if number in panels[key]]
        assert shown == days, key
    assert not any(numbers[91] in panel for panel in panels.values())


def test_the_lapsing_page_shows_visible_matters_only_and_filters_by_kind(client, lawyer, matter):
    today = timezone.localdate()
    counsel = make_user(Role.COUNSEL)
    hidden = make_matter(stage="enforcement", firm=make_firm())
    for number, (target, kind) in enumerate(
        ((matter, "freeze_deposit"), (matter, "seize_real_estate"), (hidden, "freeze_deposit"))
    ):
        enforcement_action_record(
            user=counsel,
            matter_id=target.pk,
            kind=kind,
            case_number=f"（2026）京0105执{number + 70}号",
            started_on=today - dt.timedelta(days=300),
            expires_on=today + dt.timedelta(days=10),
        )
    html = client.get(reverse("enforcement_lapsing")).content.decode()
    assert matter.number in html and hidden.number not in html
    filtered = lapsing_panels(client, kind="seize_real_estate")["30"]
    assert "执71号" in filtered and "执70号" not in filtered


def test_the_termination_watch_list(client, lawyer, matter):
    today = timezone.localdate()
    terminated_on = today - dt.timedelta(days=400)
    enforcement_action_record(
        user=lawyer,
        matter_id=matter.pk,
        kind="termination_current",
        court="北京市朝阳区人民法院",
        case_number="(2025)京0105执恢12号",
        started_on=terminated_on,
    )
    hidden = make_matter(stage="enforcement", firm=make_firm())
    enforcement_action_record(
        user=make_user(Role.COUNSEL), matter_id=hidden.pk, kind="termination_current", started_on=terminated_on
    )
    action = matter.enforcement_actions.get()
    engine = list(
        Deadline.objects.filter(enforcement_action=action, superseded_at__isnull=True).order_by("sequence", "due_on")
    )
    checks = [d.due_on for d in engine if d.kind == "termination_follow_up"] or [
        c.on for c in termination_follow_ups(terminated_on=terminated_on, calendar=holiday_calendar())
    ]
    past = sum(1 for on in checks if on < today)
    upcoming = min(on for on in checks if on >= today)

    html = client.get(reverse("enforcement_terminated")).content.decode()
    assert matter.number in html and hidden.number not in html
    assert terminated_on.isoformat() in html and upcoming.isoformat() in html
    assert f'data-checks-past="{past}"' in html
    assert reverse("matter_detail", args=[matter.pk]) in html
    assert "（2025）京0105执恢12号" in html


def test_a_long_panel_shows_its_first_rows_and_pages_through_the_rest(client, lawyer, matter, monkeypatch):
    from legalcase.views import enforcement as views

    monkeypatch.setattr(views, "LAPSING_PANEL_ROWS", 2)
    monkeypatch.setattr(views, "LAPSING_PAGE_ROWS", 2)
    today = timezone.localdate()
    for n in range(5):
        enforcement_action_record(
            user=lawyer,
            matter_id=matter.pk,
            kind="freeze_deposit",
            case_number=f"（2026）京0105执{n + 500}号",
            started_on=today - dt.timedelta(days=300),
            expires_on=today + dt.timedelta(days=10 + n),
        )
    panel = lapsing_panels(client)["30"]
    assert panel.count("执50") == 2 and 'data-count>5<' in panel and "panel=30" in panel
    pages = [lapsing_panels(client, panel="30", page=page)["30"] for page in (1, 2, 3)]
    assert [sum(f"执{n + 500}号" in page for n in range(5)) for page in pages] == [2, 2, 1]
    assert list(lapsing_panels(client, panel="30")) == ["30"]  # one panel, all of it
