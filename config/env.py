"""Reading settings from the environment, with errors that name the variable.

Kept apart from ``settings.py`` so that the parsing rules can be tested without
reloading Django's settings.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Mapping
from urllib.parse import urlparse


class SettingError(Exception):
    """A configuration variable holds a value Fasu cannot use."""

    def __init__(self, name: str, message: str):
        super().__init__(f"{name}: {message}")
        self.name = name


def env_bool(environ: Mapping[str, str], name: str, default: bool) -> bool:
    raw = environ.get(name, "").strip()
    if raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise SettingError(name, f"expected 0 or 1, got {raw!r}")


def env_int(environ: Mapping[str, str], name: str, default: int, *, minimum: int = 1) -> int:
    raw = environ.get(name, "").strip()
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingError(name, f"expected a whole number, got {raw!r}") from None
    if value < minimum:
        raise SettingError(name, f"must be at least {minimum}, got {value}")
    return value


def env_list(environ: Mapping[str, str], name: str, default: list[str]) -> list[str]:
    raw = environ.get(name, "").strip()
    if raw == "":
        return default
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if not items:
        raise SettingError(name, "expected a comma-separated list")
    return items


def env_networks(environ: Mapping[str, str], name: str) -> list[str]:
    """A comma-separated list of IP addresses or networks (``10.0.0.5,10.1.0.0/16``), normalised; [] when unset."""
    import ipaddress

    networks = []
    for item in env_list(environ, name, []):
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise SettingError(name, f"expected IP addresses or networks, got {item!r}") from None
    return networks


def env_database(environ: Mapping[str, str], default_sqlite_path: str) -> dict:
    """Return Django's DATABASES['default'] from DATABASE_URL, SQLite when unset."""
    import dj_database_url

    raw = environ.get("DATABASE_URL", "").strip()
    if raw == "":
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": default_sqlite_path,
            # A first run serves one user; wait for the in-process worker's writes.
            "OPTIONS": {"timeout": 20},
        }
    scheme = urlparse(raw).scheme
    if scheme not in {"postgres", "postgresql", "pgsql", "sqlite"}:
        raise SettingError("DATABASE_URL", f"unsupported scheme {scheme!r} (use postgres:// or sqlite://)")
    try:
        config = dj_database_url.parse(raw, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise SettingError("DATABASE_URL", str(exc)) from None
    if not config.get("NAME"):
        raise SettingError("DATABASE_URL", "names no database")
    if config["ENGINE"].endswith("postgresql"):
        # Fasu's queries are short and many run at once: parallel workers and JIT
        # compilation cost more CPU than they save (bench/matter_list.py measured it).
        config["OPTIONS"] = {"options": "-c max_parallel_workers_per_gather=0 -c jit=off"}
    return config


def env_broker_url(environ: Mapping[str, str]) -> str:
    raw = environ.get("BROKER_URL", "").strip()
    if raw == "":
        return ""
    scheme = urlparse(raw).scheme
    if scheme not in {"redis", "rediss", "amqp", "amqps"}:
        raise SettingError("BROKER_URL", f"unsupported scheme {scheme!r} (use redis:// or amqp://)")
    return raw


def env_secret_key(environ: Mapping[str, str], *, debug: bool) -> str:
    raw = environ.get("SECRET_KEY", "")
    if raw:
        if not debug and (len(raw) < 50 or len(set(raw)) < 5):
            raise SettingError("SECRET_KEY", "must be at least 50 characters with 5 distinct ones when DEBUG=0")
        return raw
    if not debug:
        raise SettingError("SECRET_KEY", "must be set when DEBUG=0")
    # First run only: a fixed development key, never accepted with DEBUG=0.
    return "django-insecure-fasu-development-key-do-not-use-in-production"


# First run only (DEBUG=1 with FIELD_ENCRYPTION_KEYS unset: ``make run`` and the tests):
# a fixed key that anyone can read here, never accepted with DEBUG=0.
DEVELOPMENT_FIELD_KEY = base64.b64encode(hashlib.sha256(b"fasu development field key, not secret").digest()).decode()


def env_field_keys(environ: Mapping[str, str], *, debug: bool) -> list[bytes]:
    """FIELD_ENCRYPTION_KEYS: base64 32-byte keys, comma-separated; the first encrypts, all decrypt."""
    raw = environ.get("FIELD_ENCRYPTION_KEYS", "").strip()
    if raw == "":
        if not debug:
            raise SettingError("FIELD_ENCRYPTION_KEYS", "must be set when DEBUG=0 (base64 32-byte keys, comma-separated)")
        raw = DEVELOPMENT_FIELD_KEY
    keys = []
    for n, item in enumerate((item.strip() for item in raw.split(",") if item.strip()), start=1):
        try:
            key = base64.b64decode(item, validate=True)
        except (binascii.Error, ValueError):
            raise SettingError("FIELD_ENCRYPTION_KEYS", f"key {n} is not base64") from None
        if len(key) != 32:
            raise SettingError("FIELD_ENCRYPTION_KEYS", f"key {n} is {len(key)} bytes, not 32")
        if key in keys:
            raise SettingError("FIELD_ENCRYPTION_KEYS", f"key {n} is listed twice")
        keys.append(key)
    if not keys:
        raise SettingError("FIELD_ENCRYPTION_KEYS", "expected a comma-separated list")
    return keys


def read_environ() -> Mapping[str, str]:
    return os.environ


# A server listening on every interface is reached, from the machine itself, at localhost.
ANY_INTERFACE = {"0.0.0.0", "::", "[::]"}


def env_site_url(environ: Mapping[str, str]) -> str:
    """SITE_URL, else ``http://HOST:PORT`` (what ``make run`` serves on), else ``http://localhost:8000``."""
    raw = environ.get("SITE_URL", "").strip()
    if raw:
        if not raw.startswith(("http://", "https://")):
            raise SettingError("SITE_URL", "must start with http:// or https://")
        return raw.rstrip("/")
    port = env_int(environ, "PORT", 8000)
    if port > 65535:
        raise SettingError("PORT", f"must be at most 65535, got {port}")
    host = environ.get("HOST", "").strip() or "localhost"
    if host in ANY_INTERFACE:
        host = "localhost"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address in a URL goes in brackets
    return f"http://{host}:{port}"


# Where files live (API.md, "Operations at scale"): each storage keeps its files under one
# prefix, the same on disk (a folder of STORAGE_ROOT) and in the bucket (a key prefix), so
# ``manage.py storage_migrate`` copies a file to the key named by its path under STORAGE_ROOT.
STORAGE_BACKENDS = ("local", "s3")
S3_REQUIRED = ("S3_ENDPOINT_URL", "S3_BUCKET", "S3_ACCESS_KEY", "S3_SECRET_KEY", "S3_REGION")
S3_STORAGE = "storages.backends.s3.S3Storage"
LOCAL_STORAGE = "django.core.files.storage.FileSystemStorage"
FILER_LOCAL_STORAGE = "filer.storage.PrivateFileSystemStorage"


def env_storage_backend(environ: Mapping[str, str]) -> str:
    raw = environ.get("STORAGE_BACKEND", "").strip().lower() or "local"
    if raw not in STORAGE_BACKENDS:
        raise SettingError("STORAGE_BACKEND", f"expected local or s3, got {raw!r}")
    return raw


def env_s3_options(environ: Mapping[str, str]) -> dict:
    """django-storages' S3 options from S3_*: a private bucket, no signed URLs unless S3_SIGNED_URLS=1."""
    values = {}
    for name in S3_REQUIRED:
        values[name] = environ.get(name, "").strip()
        if not values[name]:
            raise SettingError(name, "must be set when STORAGE_BACKEND=s3")
    if not values["S3_ENDPOINT_URL"].startswith(("http://", "https://")):
        raise SettingError("S3_ENDPOINT_URL", "must start with http:// or https://")
    signed = env_bool(environ, "S3_SIGNED_URLS", default=False)
    addressing = environ.get("S3_ADDRESSING_STYLE", "").strip() or "path"
    if addressing not in {"path", "virtual"}:
        raise SettingError("S3_ADDRESSING_STYLE", f"expected path or virtual, got {addressing!r}")
    return {
        "endpoint_url": values["S3_ENDPOINT_URL"],
        "bucket_name": values["S3_BUCKET"],
        "access_key": values["S3_ACCESS_KEY"],
        "secret_key": values["S3_SECRET_KEY"],
        "region_name": values["S3_REGION"],
        "addressing_style": addressing,
        "signature_version": "s3v4",
        "default_acl": "private",
        # Never replace a stored object by saving another under its name.
        "file_overwrite": False,
        "querystring_auth": signed,
        "querystring_expire": env_int(environ, "S3_SIGNED_URL_SECONDS", 300),
    }


def env_storages(environ: Mapping[str, str], root: str) -> tuple[str, dict, dict, dict]:
    """``(backend, default storage, filer's main storage, filer's thumbnail storage)``, each
    ``{"BACKEND"/"ENGINE": dotted class, "OPTIONS": {...}}`` as Django and django-filer take them."""
    backend = env_storage_backend(environ)
    if backend == "s3":
        options = env_s3_options(environ)
        return (
            backend,
            {"BACKEND": S3_STORAGE, "OPTIONS": {**options, "location": ""}},
            {"ENGINE": S3_STORAGE, "OPTIONS": {**options, "location": "filer_private"}},
            {"ENGINE": S3_STORAGE, "OPTIONS": {**options, "location": "filer_private_thumbnails"}},
        )
    return (
        backend,
        {"BACKEND": LOCAL_STORAGE, "OPTIONS": {"location": root, "base_url": "/private-files/"}},
        {"ENGINE": FILER_LOCAL_STORAGE, "OPTIONS": {"location": f"{root}/filer_private", "base_url": "/private-files/"}},
        {
            "ENGINE": FILER_LOCAL_STORAGE,
            "OPTIONS": {"location": f"{root}/filer_private_thumbnails", "base_url": "/private-thumbnails/"},
        },
    )
