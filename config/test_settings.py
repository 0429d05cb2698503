"""Settings for the test suite: the real database from DATABASE_URL (SQLite when unset)."""

import os
from pathlib import Path

os.environ.setdefault("DEBUG", "1")
# Before the settings read it, so that every storage path derived from it moves too.
os.environ["STORAGE_ROOT"] = str(Path(__file__).resolve().parent.parent / "var" / "test-storage")

from config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests run jobs explicitly; messages sit in the stub broker where tests can see them.
JOBS_IN_PROCESS = False
DRAMATIQ_BROKER = {**DRAMATIQ_BROKER, "BROKER": "dramatiq.brokers.stub.StubBroker", "OPTIONS": {}}  # noqa: F405
# The test database lives in one connection's transaction: recompute in this process.
DEADLINE_PROCESSES = 1
# Figures computed on every view: a cached board would outlive the test that made it.
DASHBOARD_CACHE_SECONDS = 0
