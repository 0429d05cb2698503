"""Settings for the test suite: the real database from DATABASE_URL (SQLite when unset)."""

import os
from pathlib import Path

os.environ.setdefault("DEBUG", "1")
# Before the settings read it, so that every storage path derived from it moves too. Each
# pytest-xdist worker (PYTEST_XDIST_WORKER: gw0, gw1 ...) stores in its own folder.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
os.environ["STORAGE_ROOT"] = str(
    Path(__file__).resolve().parent.parent / "var" / (f"test-storage-{_WORKER}" if _WORKER else "test-storage")
)

from config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests run jobs explicitly; messages sit in the stub broker where tests can see them.
JOBS_IN_PROCESS = False
DRAMATIQ_BROKER = {**DRAMATIQ_BROKER, "BROKER": "dramatiq.brokers.stub.StubBroker", "OPTIONS": {}}  # noqa: F405
# The test database lives in one connection's transaction: recompute in this process.
DEADLINE_PROCESSES = 1
# Figures computed on every view: a cached board would outlive the test that made it.
DASHBOARD_CACHE_SECONDS = 0
# The estimate of a table's size read afresh: a test ANALYZEs and expects the new one.
COUNT_ESTIMATE_SECONDS = 0
# The test database is thrown away: a commit need not wait for the disk (transactional
# tests commit thousands of times). Behaviour is the same; only durability on a crash is lost.
if DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    _OPTIONS = DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
    _OPTIONS["options"] = f"{_OPTIONS.get('options', '')} -c synchronous_commit=off".strip()
