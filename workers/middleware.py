"""Dramatiq middleware: the schedule runs inside the worker processes.

Every worker process serving the default queue starts ``legalcase.schedule``'s
scheduler when it boots and stops it when it shuts down; the tick table makes the
schedulers of all processes on all hosts run each tick once. PDF-only workers
(``make worker-pdf``) do not schedule.
"""

from __future__ import annotations

import dramatiq
from django.conf import settings
from dramatiq.brokers.stub import StubBroker

from legalcase.schedule import scheduler_start, scheduler_stop


def schedules(broker: dramatiq.Broker, worker: dramatiq.Worker) -> bool:
    """Whether this worker runs the schedule.

    On the stub broker only the in-process worker of a first run does: the test suite's
    workers use the stub broker too, and its tests take their ticks explicitly.
    """
    if isinstance(broker, StubBroker) and not settings.JOBS_IN_PROCESS:
        return False
    # ``--queues`` on the command line becomes the consumer whitelist (None: every queue).
    return not worker.consumer_whitelist or "default" in worker.consumer_whitelist


class ScheduleMiddleware(dramatiq.Middleware):
    """Starts the schedule with a worker that serves the default queue, and stops it with it."""

    def after_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        if schedules(broker, worker):
            scheduler_start()

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        if schedules(broker, worker):
            scheduler_stop()
