"""The production path: a job sent by actor name through a real Redis broker and run by a worker."""

import os

import dramatiq
import pytest
from django.db import connection

from legalcase.models import Job, JobStatus
from legalcase.services import matters_bulk_start
from tests.factories import make_firm, make_matter, make_user

pytestmark = pytest.mark.broker

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_broker():
    from dramatiq.brokers.redis import RedisBroker
    from redis.exceptions import ConnectionError as RedisConnectionError

    broker = RedisBroker(url=REDIS_URL)
    try:
        broker.client.ping()
    except RedisConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no Redis at {REDIS_URL}; CI runs this against the real one")
    broker.flush_all()
    previous = dramatiq.get_broker()
    dramatiq.set_broker(broker)
    # Declare the same actor on this broker, as a worker process would on start.
    from workers.actors import run_job

    broker.declare_actor(run_job)
    yield broker
    broker.flush_all()
    dramatiq.set_broker(previous)
    broker.close()


@pytest.mark.django_db(transaction=True)
def test_a_bulk_job_goes_through_redis_and_a_worker(redis_broker):
    counsel = make_user("counsel")
    firm = make_firm()
    matter = make_matter()
    job = matters_bulk_start(user=counsel, action="assign_firm", matter_ids=[matter.pk], firm_id=firm.pk)
    worker = dramatiq.Worker(redis_broker, worker_threads=1, worker_timeout=100)
    worker.start()
    try:
        redis_broker.join("default", timeout=20_000)
        worker.join()
    finally:
        worker.stop()
        connection.close()
    job.refresh_from_db()
    matter.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert matter.assigned_firm_id == firm.pk
    assert Job.objects.filter(status=JobStatus.PENDING).count() == 0
