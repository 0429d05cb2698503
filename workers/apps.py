import os
import sys

import dramatiq
from django.apps import AppConfig
from django.conf import settings


class WorkersConfig(AppConfig):
    name = "workers"
    verbose_name = "Workers"

    def ready(self) -> None:
        # Declares the actors (and so their queues) on the broker in every process,
        # so that services can enqueue by actor name.
        from legalcase.schedule import schedule_register_job_kinds
        from workers import actors  # noqa: F401
        from workers.middleware import ScheduleMiddleware

        schedule_register_job_kinds()
        # The schedule starts with each worker (rundramatiq's processes, or the
        # in-process worker below), once per broker however often ready runs.
        broker = dramatiq.get_broker()
        if not any(isinstance(m, ScheduleMiddleware) for m in broker.middleware):
            broker.add_middleware(ScheduleMiddleware())

        if settings.JOBS_IN_PROCESS and _is_serving():
            from legalcase.jobs import start_in_process_worker

            start_in_process_worker()


def _is_serving() -> bool:
    """True in the process that serves requests (runserver's reloaded child)."""
    return "runserver" in sys.argv and (os.environ.get("RUN_MAIN") == "true" or "--noreload" in sys.argv)
