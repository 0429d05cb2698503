"""Background work: the ``Job`` row that the services create and the workers claim (``legalcase.jobs``)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from legalcase.models.accounts import User


class JobStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Job(models.Model):
    """A piece of background work and its state; the database row is the truth, not the queue.

    A service creates the row and enqueues its id after commit; a worker claims the
    row with a conditional UPDATE, so two workers never run it at once, and a row left
    ``running`` by a dead worker is claimed again once its lease has run out.
    """

    FINISHED = (JobStatus.DONE, JobStatus.FAILED)

    id = models.UUIDField(_("job ID"), primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=64)
    status = models.CharField(_("status"), max_length=16, choices=JobStatus.choices, default=JobStatus.PENDING)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("total"), default=0)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claim = models.UUIDField(_("claim"), null=True, blank=True, editable=False)
    lease_expires_at = models.DateTimeField(_("lease expires at"), null=True, blank=True)
    enqueued_at = models.DateTimeField(_("enqueued at"), null=True, blank=True)
    created_by = models.ForeignKey(
        User, verbose_name=_("created by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        indexes = [
            models.Index(fields=["status", "lease_expires_at"], name="job_status_lease"),
            # The jobs page: a user's own jobs, newest first.
            models.Index(fields=["created_by", "-created_at"], name="job_creator_created"),
            models.Index(fields=["-created_at"], name="job_created"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.id}"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def percent(self) -> int:
        if self.progress_total == 0:
            return 100 if self.status == JobStatus.DONE else 0
        return min(100, round(100 * self.progress_done / self.progress_total))


class BackgroundWork:
    """A row made in the background (a generated document, a bundle, an evidence item's PDF).

    One way to ask whether its work is done, for views, templates and the API: the model
    gives ``work_status`` (a ``JobStatus`` value), ``work_status_label`` and ``work_error``;
    ``legalcase/_work_state.html`` shows them. Pages poll while anything ``is_pending``.
    """

    @property
    def work_status(self) -> str:
        raise NotImplementedError

    @property
    def work_status_label(self) -> str:
        return JobStatus(self.work_status).label

    @property
    def work_error(self) -> str:
        return ""

    @property
    def is_pending(self) -> bool:
        """Waiting for a worker or under way."""
        return self.work_status in (JobStatus.PENDING, JobStatus.RUNNING)

    @property
    def is_ready(self) -> bool:
        return self.work_status == JobStatus.DONE

    @property
    def is_failed(self) -> bool:
        return self.work_status == JobStatus.FAILED
