"""The scheduled dashboard refresh: the kept figures are computed by the schedule, not by the first viewer.

They are kept in the database (DashboardSnapshot), so that every process and host, and a
process just started with an empty cache, reads the same figures without computing them.
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from legalcase.jobs import job_run
from legalcase.models import DashboardSnapshot, Role
from legalcase.schedule import ENTRIES, schedule_due
from legalcase.services import matter_assign_firm
from legalcase.services.dashboard import dashboard_figures, dashboard_refresh, filters_parse
from tests.factories import make_firm, make_matter, make_user

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def kept(settings):
    settings.DASHBOARD_CACHE_SECONDS = 600
    return settings


def test_the_refresh_job_computes_the_kept_figures_that_viewers_then_read(kept):
    counsel, manager = make_user(Role.COUNSEL), make_user(Role.MANAGER)
    make_matter(principal=Decimal("1000.00"))
    refreshed_at = dt.datetime(2026, 11, 22, 10, 5, 1, tzinfo=SHANGHAI)
    with time_machine.travel(refreshed_at, tick=False):
        [run] = schedule_due(entries=[ENTRIES["dashboard_refresh"]])
        job = job_run(job_id=run.job_id)
    assert job.result["refreshed"] == ["months", "groups", "scorecards", "staff", "channels", "strategies", "costs"]
    # Every matter, as of today and over this month.
    assert (job.result["scopes"], job.result["day"]) == (2, "2026-11-22")
    assert DashboardSnapshot.objects.filter(scope="from=2026-11-01&to=2026-11-22", part="staff").exists()
    make_matter(principal=Decimal("2000.00"))  # after the refresh: not in the kept figures yet
    with time_machine.travel(refreshed_at + dt.timedelta(minutes=3), tick=False):
        board = dashboard_figures(user=manager)
        counsel_board = dashboard_figures(user=counsel)
    assert board.computed_at == refreshed_at == counsel_board.computed_at
    assert sum(row.matters for row in board.matters_by_stage) == 1
    # The next refresh brings the new matter in, for everyone.
    with time_machine.travel(refreshed_at + dt.timedelta(minutes=5), tick=False):
        dashboard_refresh()
        board = dashboard_figures(user=manager)
    assert sum(row.matters for row in board.matters_by_stage) == 2
    assert board.computed_at == refreshed_at + dt.timedelta(minutes=5)


def test_nothing_is_computed_when_nothing_is_kept(settings):
    settings.DASHBOARD_CACHE_SECONDS = 0
    assert dashboard_refresh() == {"refreshed": [], "skipped": "DASHBOARD_CACHE_SECONDS is 0"}
    assert not DashboardSnapshot.objects.exists()
    with time_machine.travel(dt.datetime(2026, 11, 22, 10, 0, tzinfo=SHANGHAI), tick=False):
        make_matter()
        asked_at = dt.datetime(2026, 11, 22, 10, 0, tzinfo=SHANGHAI)
        assert dashboard_figures(user=make_user(Role.MANAGER)).computed_at == asked_at  # computed by the viewer


def test_a_process_with_an_empty_cache_reads_the_kept_figures_as_computed(kept):
    """What a viewer reads back from the database equals what was computed, row for row, Decimal for Decimal."""
    counsel = make_user(Role.COUNSEL)
    firm = make_firm("上海正衡律师事务所")
    matter = make_matter(principal=Decimal("1234.56"), stage="litigation")
    matter_assign_firm(user=counsel, matter_id=matter.pk, firm_id=firm.pk)
    computed = dashboard_figures(user=counsel, fresh=True)
    cache.clear()  # a new process: nothing in memory
    read = dashboard_figures(user=counsel)
    assert read.computed_at == computed.computed_at
    for table in ("recoveries_by_month", "rates_by_portfolio", "rates_by_creditor", "rates_by_firm",
                  "matters_by_stage", "scorecards", "staff", "recovery_by_channel", "recovery_by_strategy",
                  "cost_to_collect"):  # fmt: skip
        assert getattr(read, table) == getattr(computed, table), table
    assert read.cost_to_collect[0].recovered == Decimal("0.00") and read.staff[0].recovered == Decimal("0.00")
    assert DashboardSnapshot.objects.filter(scope="").count() == 3
    assert DashboardSnapshot.objects.exclude(scope="").count() == 4  # the four over this month


def test_the_refresh_keeps_every_filtered_view_opened_that_day_and_forgets_removed_ones(kept):
    counsel = make_user(Role.COUNSEL)
    matter = make_matter(principal=Decimal("1000.00"))
    creditor = matter.debt.creditor_id
    dashboard_figures(user=counsel, filters=filters_parse(creditor=creditor))  # someone opened the filtered view
    DashboardSnapshot.objects.create(part="groups", scope="portfolio=999999", day=dt.date.today(), figures=[])
    make_matter(principal=Decimal("2000.00"), creditor=matter.debt.creditor)

    result = dashboard_refresh()

    # Every matter and the creditor's view, each as of today and over this month; the removed portfolio's is gone.
    assert result["scopes"] == 4
    today = timezone.localdate()
    month = f"from={today.replace(day=1)}&to={today}"
    assert set(DashboardSnapshot.objects.values_list("scope", flat=True)) == {
        "", f"creditor={creditor}", month, f"creditor={creditor}&{month}"
    }
    board = dashboard_figures(user=counsel, filters=filters_parse(creditor=creditor))
    assert sum(row.matters for row in board.matters_by_stage) == 2
