"""Dramatiq actors: thin, ids in, the owning app's service does the work.

No Retries middleware: the job row decides what runs again (``legalcase.jobs``).
"""

import dramatiq

from legalcase.jobs import job_run


@dramatiq.actor(actor_name="run_job", queue_name="default", time_limit=6 * 3600 * 1000)
def run_job(job_id: str) -> None:
    job_run(job_id=job_id)


@dramatiq.actor(actor_name="run_pdf_job", queue_name="pdf", time_limit=3600 * 1000)
def run_pdf_job(job_id: str) -> None:
    """PDF conversion (LibreOffice): its own queue, so its workers can be sized to the cores."""
    job_run(job_id=job_id)
