"""What every test gets: fast fakes of the outside programs, shared rows kept apart, xdist groups.

- LibreOffice and tesseract/pdftoppm are faked at the call that starts them
  (``tests/fakes.py``) unless the test is marked ``libreoffice`` or ``tesseract``.
- Tests marked ``libreoffice``, ``tesseract`` or ``broker`` run the real thing; under CI
  (``CI`` set) a missing program stops the run instead of skipping those tests.
- Tests using shared rows (``tests/shared_rows.py``) run last in their module, so no
  other test sees those rows, and all on one xdist worker (one group), so the rows are
  made once; so do a module's real-tool tests (a session fixture of real PDFs is made
  once) and the broker tests (two never share the Redis database).
- Those groups (xdist deals the largest first) and then the tests marked ``slow`` are dealt
  out before the others, so that no long one is left for the end while the other worker
  has nothing to do.
- Otherwise tests are dealt out one by one in collection order (``--dist loadgroup``),
  which keeps pytest-django's order: the transactional tests, which empty the tables
  (and so the rows the data migrations installed), run after the others on each worker.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from django.db import connection

from tests import fakes, shared_rows

REAL_TOOLS = ("libreoffice", "tesseract", "broker")


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so there is no race to test")


# The outside programs ------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _outside_programs(request, monkeypatch):
    """Fake soffice and pdftoppm/tesseract for this test unless its markers ask for the real ones."""
    if request.node.get_closest_marker("libreoffice") is None:
        from evidence import bundling, conversion

        monkeypatch.setattr(conversion, "_run", fakes.fake_soffice_run)
        for name in ("index_pdf", "_stamp_pdf"):
            monkeypatch.setattr(bundling, name, fakes.reportlab_turns(getattr(bundling, name)))
    if request.node.get_closest_marker("tesseract") is None:
        monkeypatch.setattr(subprocess, "run", fakes.fake_ocr_run(subprocess.run))


def _missing_tools() -> dict[str, str]:
    """For each real-tool marker, what is missing here to run its tests (nothing: not listed)."""
    from evidence.conversion import soffice_path
    from evidence.text import ocr_available

    missing = {}
    if soffice_path() is None:
        missing["libreoffice"] = "LibreOffice (soffice)"
    if not ocr_available() or shutil.which("pdftoppm") is None:
        missing["tesseract"] = "tesseract with chi_sim data, or pdftoppm"
    return missing


# Ordering and grouping -------------------------------------------------------------------


def _uses_shared_rows(item) -> bool:
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return False
    for definitions in info.name2fixturedefs.values():
        definition = definitions[-1]
        if (
            definition.scope != "function"
            and "django_db_blocker" in definition.argnames
            and not getattr(definition.func, "__module__", "").startswith("pytest_django")
        ):
            return True
    return False


def _join_group(item, group: str) -> None:
    """Put a test in an xdist group, as xdist does for an ``xdist_group`` marker.

    xdist 3.8 appends ``@group`` to ``item._nodeid``, which pytest 9 no longer reads (the
    id is ``item._id``), so the marker alone groups nothing: set the id here.
    """
    nodeid = f"{item.nodeid}@{group}"
    if hasattr(item, "_id"):
        from _pytest.nodeid import coerce_node_id

        item._id = coerce_node_id(nodeid)
    else:
        item._nodeid = nodeid


@pytest.hookimpl(tryfirst=True)  # before pytest-django's sort, which keeps this order within its classes
def pytest_collection_modifyitems(config, items):
    if os.environ.get("CI"):
        missing = _missing_tools()
        for marker, what in missing.items():
            marked = [item.nodeid for item in items if item.get_closest_marker(marker)]
            if marked:
                raise pytest.UsageError(
                    f"CI is set but {what} is missing: {len(marked)} tests marked {marker!r} cannot run "
                    f"(first: {marked[0]}); .ci/run installs it"
                )
    # Within each module, the tests on shared rows go last (stable), so no other test sees them.
    modules: dict[str, list] = {}
    for item in items:
        modules.setdefault(item.nodeid.split("::", 1)[0], []).append(item)
    ordered = []
    for module, module_items in modules.items():
        shared = [item for item in module_items if _uses_shared_rows(item)]
        ordered += [item for item in module_items if item not in shared] + shared
    if getattr(config.option, "loadgroup", False):  # set on an xdist worker under --dist loadgroup
        long_first = []
        for item in ordered:
            module = item.nodeid.split("::", 1)[0]
            if _uses_shared_rows(item):
                _join_group(item, f"{module}:shared-rows")
            elif item.get_closest_marker("broker"):
                _join_group(item, "broker")
            elif item.get_closest_marker("libreoffice") or item.get_closest_marker("tesseract"):
                _join_group(item, f"{module}:real-tools")
            else:
                continue
            long_first.append(item)
        # xdist deals the work units out a new one to whichever worker is free, the groups
        # first (largest first: --loadscope-reorder), then the single tests in this order: the
        # tests marked slow go before the other single tests, so that none of them ends the run
        # on one worker while the other sits idle. pytest-django's sort (after this hook,
        # stable) still puts the transactional tests after the others.
        chosen = set(map(id, long_first))
        long_first += [item for item in ordered if item.get_closest_marker("slow") and id(item) not in chosen]
        chosen = set(map(id, long_first))
        ordered = long_first + [item for item in ordered if id(item) not in chosen]
    items[:] = ordered


@pytest.fixture(autouse=True)
def _no_foreign_shared_rows(request):
    """Fail a test that would run while shared rows it did not ask for are in the database."""
    if shared_rows.OPEN and not _uses_shared_rows(request.node):
        pytest.fail(f"shared rows of {shared_rows.OPEN} are still open for {request.node.nodeid}")


# Transactional tests and the threads they start -------------------------------------------


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_teardown(item, nextitem):
    """Before a transactional test empties the tables, end what its threads left open.

    A live server's request thread, or a scheduler or worker thread a test started, can still
    be inside a transaction when the test ends; PostgreSQL's TRUNCATE would then wait for it
    for ever. Its connection is closed here (the thread sees an error, which no test reads).
    """
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or "live_server" in item.fixturenames):
        _end_other_transactions()
    return (yield)


def _end_other_transactions() -> None:
    from django.db import connections

    for connection_ in connections.all(initialized_only=True):
        if connection_.vendor != "postgresql":
            continue
        with connection_.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND state IN ('idle in transaction', 'idle in transaction (aborted)')"
            )
