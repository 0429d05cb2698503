"""Settings come from the environment; bad values stop the start naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.env import (
    SettingError,
    env_bool,
    env_broker_url,
    env_database,
    env_int,
    env_list,
    env_secret_key,
    env_site_url,
)

ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = "x7#kQ2!vR9@pL4$mN8%tY3^wZ6&bC1*dF5(gH0)jK2_lM7+nP4=qS9-uV3~"


@pytest.mark.parametrize("raw, expected", [("1", True), ("0", False), ("true", True), ("off", False), ("", False)])
def test_env_bool_reads_the_usual_spellings(raw, expected):
    assert env_bool({"DEBUG": raw}, "DEBUG", default=False) is expected


@pytest.mark.parametrize(
    "reader, environ, name",
    [
        (lambda e: env_bool(e, "DEBUG", default=False), {"DEBUG": "maybe"}, "DEBUG"),
        (lambda e: env_int(e, "TOKEN_TTL_DAYS", 30), {"TOKEN_TTL_DAYS": "thirty"}, "TOKEN_TTL_DAYS"),
        (lambda e: env_int(e, "TOKEN_TTL_DAYS", 30), {"TOKEN_TTL_DAYS": "0"}, "TOKEN_TTL_DAYS"),
        (lambda e: env_list(e, "ALLOWED_HOSTS", []), {"ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS"),
        (lambda e: env_database(e, "/tmp/x.sqlite3"), {"DATABASE_URL": "mysql://u@h/db"}, "DATABASE_URL"),
        (lambda e: env_database(e, "/tmp/x.sqlite3"), {"DATABASE_URL": "postgres://u@h:5432/"}, "DATABASE_URL"),
        (lambda e: env_broker_url(e), {"BROKER_URL": "kafka://h"}, "BROKER_URL"),
        (lambda e: env_secret_key(e, debug=False), {}, "SECRET_KEY"),
        (lambda e: env_secret_key(e, debug=False), {"SECRET_KEY": "short"}, "SECRET_KEY"),
    ],
)
def test_a_bad_value_raises_an_error_naming_the_variable(reader, environ, name):
    with pytest.raises(SettingError) as error:
        reader(environ)
    assert error.value.name == name
    assert str(error.value).startswith(f"{name}:")


def test_nothing_set_means_sqlite_and_no_broker():
    assert env_database({}, "/tmp/fasu.sqlite3")["ENGINE"] == "django.db.backends.sqlite3"
    assert env_broker_url({}) == ""


def test_a_postgres_url_is_parsed():
    config = env_database({"DATABASE_URL": "postgres://fasu:pw@db.local:5433/fasu"}, "/tmp/x")
    assert (config["ENGINE"], config["NAME"], config["HOST"], config["PORT"]) == (
        "django.db.backends.postgresql",
        "fasu",
        "db.local",
        5433,
    )


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # DJANGO_ALLOW_ASYNC_UNSAFE: the browser tests' (Playwright's event loop), never a deployment's.
    unset = {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "HOST", "PORT", "SITE_URL"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_start_stops_with_a_message_naming_the_bad_variable():
    result = _manage("check", DEBUG="1", BROKER_URL="ftp://example")
    assert result.returncode != 0
    assert "BROKER_URL" in result.stderr + result.stdout


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        HTTPS="1",
        SECRET_KEY=GOOD_KEY,
        FIELD_ENCRYPTION_KEYS="bW9jay1wcm9kdWN0aW9uLWZpZWxkLWtleS0zMmJ5dGU=",
        ALLOWED_HOSTS="fasu.bank.example",
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_without_https_plain_http_is_not_redirected():
    from django.conf import settings

    assert settings.SECURE_SSL_REDIRECT is False
    assert settings.SESSION_COOKIE_SECURE is False


@pytest.mark.parametrize(
    "environ, expected",
    [
        ({}, "http://localhost:8000"),
        ({"PORT": "8080"}, "http://localhost:8080"),
        ({"HOST": "127.0.0.1", "PORT": "9000"}, "http://127.0.0.1:9000"),
        ({"HOST": "0.0.0.0", "PORT": "8001"}, "http://localhost:8001"),
        ({"HOST": "::1"}, "http://[::1]:8000"),
        ({"SITE_URL": "https://fasu.example.cn/", "PORT": "9000"}, "https://fasu.example.cn"),
    ],
)
def test_site_url_follows_host_and_port_unless_set(environ, expected):
    assert env_site_url(environ) == expected


@pytest.mark.parametrize(
    "environ, name",
    [({"SITE_URL": "fasu.example.cn"}, "SITE_URL"), ({"PORT": "eighty"}, "PORT"), ({"PORT": "70000"}, "PORT")],
)
def test_a_bad_site_url_or_port_names_the_variable(environ, name):
    with pytest.raises(SettingError) as error:
        env_site_url(environ)
    assert error.value.name == name


def test_calendar_links_carry_the_port_make_run_serves_on():
    # What `make run PORT=8123` exports reaches the settings the links are built from.
    show = "from django.conf import settings; print(settings.SITE_URL)"
    result = _manage("shell", "-c", show, DEBUG="1", PORT="8123", HOST="", SITE_URL="")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "http://localhost:8123"


def test_sessions_are_read_from_a_shared_cache_only():
    from django.conf import settings

    # Without CACHE_URL each process caches alone: another's stale copy must not serve a session.
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    show = "from django.conf import settings; print(settings.SESSION_ENGINE, settings.CACHES['default']['BACKEND'])"
    result = _manage("shell", "-c", show, DEBUG="1", CACHE_URL="redis://127.0.0.1:6379/9")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == [
        "django.contrib.sessions.backends.cached_db",
        "django.core.cache.backends.redis.RedisCache",
    ]


@pytest.mark.parametrize(
    ("environ", "expected"),
    [({}, (os.cpu_count(), "sync", 60)), ({"WEB_CONCURRENCY": "3", "GUNICORN_TIMEOUT": "90"}, (3, "sync", 90))],
)
def test_gunicorn_runs_a_sync_worker_per_core_unless_told(monkeypatch, environ, expected):
    import runpy

    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.delenv("GUNICORN_TIMEOUT", raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    config = runpy.run_path(str(Path(__file__).resolve().parent.parent / "config" / "gunicorn.py"))
    assert (config["workers"], config["worker_class"], config["timeout"]) == expected


def test_gunicorn_accepts_its_settings():
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--check-config", "-c", "config/gunicorn.py", "config.wsgi:application"],
        cwd=Path(__file__).resolve().parent.parent,
        env={**os.environ, "DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_gunicorn_worker_freezes_what_it_loaded_with_the_views():
    # In a process of its own: a frozen test process would keep every object of the run.
    script = (
        "import gc, runpy, django; django.setup(); from django.urls import get_resolver; "
        "hook = runpy.run_path('config/gunicorn.py')['post_worker_init']; "
        "before = 'url_patterns' in vars(get_resolver()); hook(None); "
        "print(gc.get_freeze_count(), 'url_patterns' in vars(get_resolver()), before)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parent.parent,
        env={**os.environ, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    frozen, urls_loaded, urls_before = result.stdout.split()[-3:]
    assert int(frozen) > 50_000 and urls_loaded == "True" and urls_before == "False"
