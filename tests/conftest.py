"""What every test gets: fast fakes of the outside programs, shared rows kept apart, xdist groups.

- LibreOffice and tesseract/pdftoppm are faked at the call that starts them
  (``tests/fakes.py``) unless the test is marked ``libreoffice`` or ``tesseract``.
- Tests marked ``libreoffice``, ``tesseract``, ``broker`` or ``s3`` run the real thing; under CI
  (``CI`` set) a missing program stops the run instead of skipping those tests. ``s3``
  tests store in a bucket of a local moto S3 server (``s3_storage``), one per session.
- Tests using shared rows (``tests/shared_rows.py``) run last in their module, so no
  other test sees those rows, and all on one xdist worker (one group), so the rows are
  made once; so do a module's real-tool tests (a session fixture of real PDFs is made
  once) and the broker tests (two never share the Redis database).
- Otherwise tests are dealt out one by one in collection order (``--dist loadgroup``),
  which keeps pytest-django's order: the transactional tests, which empty the tables
  (and so the rows the data migrations installed), run after the others on each worker.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from tests import fakes, shared_rows

REAL_TOOLS = ("libreoffice", "tesseract", "broker", "imap", "s3", "rehearsal")


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so there is no race to test")


@pytest.fixture
def tmp_storage(settings, tmp_path):
    """The default storage (imports and their errors files) in a folder of this test's own; returns it."""
    root = tmp_path / "storage"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(root)}},
    }
    return root


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
    if dovecot_path() is None:
        missing["imap"] = "Dovecot (dovecot-imapd)"
    if moto_server_program() is None:
        missing["s3"] = "moto_server (moto[server] of requirements-dev.txt)"
    if not (Path(sys.executable).parent / "gunicorn").exists():
        missing["rehearsal"] = "gunicorn (requirements.txt) beside this Python"
    return missing


def dovecot_path() -> str | None:
    """Debian's dovecot binary (in /usr/sbin, often not on a user's PATH), or None."""
    found = shutil.which("dovecot") or "/usr/sbin/dovecot"
    return found if os.access(found, os.X_OK) else None


# A local S3 server (tests marked s3) -----------------------------------------------------


def moto_server_program() -> str | None:
    beside = Path(sys.executable).parent / "moto_server"
    return str(beside) if beside.exists() else shutil.which("moto_server")


@pytest.fixture(scope="session")
def s3_server():
    """``moto_server`` on a free loopback port for the session; yields its endpoint URL."""
    program = moto_server_program()
    if program is None:
        pytest.skip("moto_server is not installed (pip install -r requirements-dev.txt)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [program, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"moto_server exited with {process.returncode}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("moto_server did not start within 30 s") from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def s3_storage(s3_server, settings, tmp_path, monkeypatch):
    """STORAGE_BACKEND=s3 for this test: a fresh private bucket behind every storage.

    STORAGE_ROOT points at an empty folder the test can check stays empty; yields the
    default storage (the bucket's root).
    """
    from django.core.files.storage import storages
    from filer import settings as filer_settings
    from filer.fields import multistorage_file
    from storages.backends.s3 import S3Storage

    from config.env import env_s3_options

    bucket = f"fasu-{uuid.uuid4().hex[:12]}"
    options = env_s3_options(
        {
            "S3_ENDPOINT_URL": s3_server,
            "S3_BUCKET": bucket,
            "S3_ACCESS_KEY": "fasu-test",
            "S3_SECRET_KEY": "fasu-test-secret",
            "S3_REGION": "us-east-1",
        }
    )
    root = tmp_path / "storage-root"
    root.mkdir()
    settings.STORAGE_ROOT = root
    settings.STORAGE_BACKEND = "s3"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**options, "location": ""}},
    }
    default = storages["default"]
    default.connection.meta.client.create_bucket(Bucket=bucket)
    private = S3Storage(**{**options, "location": "filer_private"})
    monkeypatch.setattr(filer_settings, "FILER_PRIVATEMEDIA_STORAGE", private)
    monkeypatch.setitem(multistorage_file.STORAGES, "private", private)
    yield default


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
        for item in ordered:
            module = item.nodeid.split("::", 1)[0]
            if _uses_shared_rows(item):
                _join_group(item, f"{module}:shared-rows")
            elif item.get_closest_marker("rehearsal"):
                # A group of its own, on a Redis database of its own: a group of two or more is
                # dealt out first (xdist's loadscope reorder), and these transactional tests
                # empty the tables, so they must stay single units, dealt out last.
                _join_group(item, "rehearsal")
            elif item.get_closest_marker("broker"):
                _join_group(item, "broker")
            elif item.get_closest_marker("s3"):
                _join_group(item, "s3")  # one moto server
            elif any(item.get_closest_marker(name) for name in ("libreoffice", "tesseract", "imap")):
                _join_group(item, f"{module}:real-tools")
    items[:] = ordered


@pytest.fixture(scope="session", autouse=True)
def _views_imported():
    """Every view module imported before the first test: one first imported inside a test
    that monkeypatches a constant it imports by name (``views.matters.PAGE_SIZE``, which
    ``views.worklists`` imports) would keep the patched value for the rest of the run."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports the URLconf and its views


@pytest.fixture(scope="session", autouse=True)
def _flush_deletes_only_filled_tables():
    """A transactional test's flush empties only the tables holding rows, with DELETE.

    Django's flush truncates every table: on PostgreSQL, TRUNCATE of the 92 tables and
    their indexes took 0.4-0.6 s after each of the ~130 transactional tests. A test leaves
    rows in a few tables; a DELETE of those takes milliseconds. The foreign keys are
    deferred, so the order does not matter; the kept matter counts, which the DELETE on
    matters writes to, are emptied last. The end state is the same: every table empty
    (then post_migrate, as before, installs the content types and permissions again).
    """
    from django.core.management.commands import flush

    from legalcase.models import MatterCount

    original = flush.sql_flush

    def sql_flush(style, connection, reset_sequences=True, allow_cascade=False):
        if connection.vendor != "postgresql" or reset_sequences:
            return original(style, connection, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        quote = connection.ops.quote_name
        tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
        with connection.cursor() as cursor:
            cursor.execute(
                " UNION ALL ".join(f"SELECT %s WHERE EXISTS (SELECT FROM {quote(table)})" for table in tables),
                tables,
            )
            filled = [row[0] for row in cursor.fetchall()]
        if not filled:
            return []
        counts = MatterCount._meta.db_table
        return [f"DELETE FROM {quote(table)};" for table in filled if table != counts] + [
            f"DELETE FROM {quote(counts)};"
        ]

    flush.sql_flush = sql_flush
    yield
    flush.sql_flush = original


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
