"""The rehearsal on several hosts, small (issue 21 item 5; ``bench/rehearsal.py`` is the full one).

Two gunicorn processes behind the round-robin client, two dramatiq worker processes (both
queues, both scheduling) on the Redis broker at TEST_REDIS_URL (RabbitMQ in the full
run), Redis as the cache, this test's PostgreSQL database, and every file in a bucket of
the session's moto S3 server. A small day through the API: escalations (one sent
twice), uploads, a batch of filings with bundles, recoveries from 20 writers (each sent
twice), the schedule's ticks; each checked once, nothing on local disk.
"""

from __future__ import annotations

import os
import socket
import sys
import urllib.parse
import uuid
from pathlib import Path

import pytest
from django.db import connection

from legalcase.authentication import token_issue
from legalcase.models import Role
from templates_docx.services import template_store
from tests.factories import make_user
from tests.templates_docx.docx_samples import make_template

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import rehearsal  # noqa: E402  (bench/rehearsal.py)

pytestmark = [pytest.mark.rehearsal, pytest.mark.s3, pytest.mark.broker, pytest.mark.django_db(transaction=True)]

# The Redis database after the broker tests' own (TEST_REDIS_URL): the two may run at once.
_BROKER_TESTS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
_BASE, _, _DB = _BROKER_TESTS.rpartition("/")
REDIS_URL = f"{_BASE}/{(int(_DB) + 1) % 16 if _DB.isdigit() else 14}"


def free_ports(count: int) -> list[int]:
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in probes]
    finally:
        for probe in probes:
            probe.close()


def database_url() -> str:
    """This test's database (test_…), as the hosts and workers reach it."""
    config = connection.settings_dict
    credentials = urllib.parse.quote(config["USER"] or "postgres")
    if config.get("PASSWORD"):
        credentials += ":" + urllib.parse.quote(config["PASSWORD"])
    return f"postgres://{credentials}@{config['HOST'] or '127.0.0.1'}:{config['PORT'] or 5432}/{config['NAME']}"


@pytest.fixture
def redis_db():
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no Redis at {REDIS_URL}; CI runs this against the real one")
    client.flushdb()
    yield REDIS_URL
    client.flushdb()


def test_a_small_day_on_two_hosts_runs_everything_once_with_nothing_on_local_disk(
    postgres_only, s3_server, redis_db, tmp_path
):
    bucket = f"fasu-rehearsal-{uuid.uuid4().hex[:8]}"
    s3 = {
        "STORAGE_BACKEND": "s3",
        "S3_ENDPOINT_URL": s3_server,
        "S3_BUCKET": bucket,
        "S3_ACCESS_KEY": "fasu-test",
        "S3_SECRET_KEY": "fasu-test-secret",
        "S3_REGION": "us-east-1",
    }
    import boto3

    boto3.client(
        "s3",
        endpoint_url=s3_server,
        aws_access_key_id=s3["S3_ACCESS_KEY"],
        aws_secret_access_key=s3["S3_SECRET_KEY"],
        region_name=s3["S3_REGION"],
    ).create_bucket(Bucket=bucket)
    storage_root = tmp_path / "storage"
    storage_root.mkdir()
    environment = {
        **os.environ,
        **s3,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        "DATABASE_URL": database_url(),
        "BROKER_URL": redis_db,
        "CACHE_URL": redis_db,
        "STORAGE_ROOT": str(storage_root),
    }
    # The data migrations' templates may be gone (an earlier transactional test emptied the tables).
    template_store(user=None, code="rehearsal_filing", name="演练文书", content=make_template("被告：{{ debtor.name }}"), activate=True)
    token, _ = token_issue(user=make_user(Role.COUNSEL))
    sizes = rehearsal.Sizes(
        escalations=4, repeats=1, uploads=1, batch=2, writers=20, recoveries=1, gunicorn_workers=1, threads=4
    )

    report = rehearsal.rehearse(
        environment=environment,
        token=token,
        sizes=sizes,
        template="rehearsal_filing",
        s3=s3,
        storage_root=storage_root,
        logs=tmp_path,
        ports=free_ports(2),
        timeout=120,
    )

    print(report.table())
    assert not report.failed, report.table()
    assert len(report.checks) >= 30
    # Both hosts served the day.
    assert len(report.per_host) == 2 and min(report.per_host.values()) > 10, report.per_host
