"""Settings for the test suite: the real database from DATABASE_URL (SQLite when unset)."""

import os

os.environ.setdefault("DEBUG", "1")

from config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGE_ROOT = BASE_DIR / "var" / "test-storage"  # noqa: F405
MEDIA_ROOT = STORAGE_ROOT / "media"
# Tests run jobs explicitly; messages sit in the stub broker where tests can see them.
JOBS_IN_PROCESS = False
DRAMATIQ_BROKER = {**DRAMATIQ_BROKER, "BROKER": "dramatiq.brokers.stub.StubBroker", "OPTIONS": {}}  # noqa: F405
