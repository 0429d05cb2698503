"""The scheduled dashboard refresh: the kept figures are computed by the schedule, not by the first viewer."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache

from legalcase.jobs import job_run
from legalcase.models import Role
from legalcase.schedule import ENTRIES, schedule_due
from legalcase.services.dashboard import dashboard_figures, dashboard_refresh
from tests.factories import make_matter, make_user

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def kept(settings):
    settings.DASHBOARD_CACHE_SECONDS = 600
    settings.CACHE_URL = "redis://shared"  # only read to tell that the web processes share the cache
    cache.clear()
    yield settings
    cache.clear()


def test_the_refresh_job_computes_the_kept_figures_that_viewers_then_read(kept):
    counsel, manager = make_user(Role.COUNSEL), make_user(Role.MANAGER)
    make_matter(principal=Decimal("1000.00"))
    refreshed_at = dt.datetime(2026, 11, 22, 10, 5, 1, tzinfo=SHANGHAI)
    with time_machine.travel(refreshed_at, tick=False):
        [run] = schedule_due(entries=[ENTRIES["dashboard_refresh"]])
        job = job_run(job_id=run.job_id)
    assert job.result["refreshed"] == ["months", "groups", "scorecards"] and job.result["day"] == "2026-11-22"
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


def test_nothing_is_computed_when_nothing_is_kept_or_no_web_process_would_read_it(settings):
    cache.clear()
    settings.DASHBOARD_CACHE_SECONDS = 0
    assert dashboard_refresh() == {"refreshed": [], "skipped": "DASHBOARD_CACHE_SECONDS is 0"}
    settings.DASHBOARD_CACHE_SECONDS = 600
    settings.CACHE_URL = ""
    settings.JOBS_IN_PROCESS = False
    assert dashboard_refresh()["refreshed"] == []
    with time_machine.travel(dt.datetime(2026, 11, 22, 10, 0, tzinfo=SHANGHAI), tick=False):
        make_matter()
        asked_at = dt.datetime(2026, 11, 22, 10, 0, tzinfo=SHANGHAI)
        assert dashboard_figures(user=make_user(Role.MANAGER)).computed_at == asked_at  # computed by the viewer
    # The in-process worker shares the web process's cache: it refreshes.
    settings.JOBS_IN_PROCESS = True
    assert dashboard_refresh()["refreshed"] == ["months", "groups", "scorecards"]
    cache.clear()
