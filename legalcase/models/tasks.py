"""Playbooks, the plans that run them on a matter, and the tasks people are given (issue 19, item 4)."""

from __future__ import annotations

import datetime as dt
import re

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from legalcase.identity import mask_account, mask_id_number, mask_phone
from legalcase.models.accounts import User
from legalcase.models.deadlines import Deadline
from legalcase.models.debts import DemandChannel, Product
from legalcase.models.matters import Matter, Stage
from legalcase.models.triage import Willingness


# Identity numbers, mobile numbers and other long numbers (accounts, cards) typed into a
# task's title or note: shown masked on every page, answer, digest and calendar event.
_NUMBERS = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|1[3-9][0-9]{9}|[0-9]{12,})(?![0-9])")


def masked_text(text: str) -> str:
    def mask(match: re.Match) -> str:
        number = match.group(0)
        if len(number) == 18:
            return mask_id_number(number)
        if len(number) == 11:
            return mask_phone(number)
        return mask_account(number)

    return _NUMBERS.sub(mask, text or "")


class StepAction(models.TextChoices):
    """What a playbook step asks for: a contact channel (as demand records name them), or one of three acts."""

    PHONE = DemandChannel.PHONE.value, pgettext_lazy("demand channel", "Phone")
    SMS = DemandChannel.SMS.value, pgettext_lazy("demand channel", "SMS")
    LETTER = DemandChannel.LETTER.value, pgettext_lazy("demand channel", "Letter")
    EMAIL = DemandChannel.EMAIL.value, pgettext_lazy("demand channel", "E-mail")
    VISIT = DemandChannel.VISIT.value, pgettext_lazy("demand channel", "Visit")
    PUBLIC_NOTICE = DemandChannel.PUBLIC_NOTICE.value, pgettext_lazy("demand channel", "Public notice")
    DEMAND = "demand", _("Lawyer's demand letter")
    REVIEW = "review", _("Review")
    FILE_SUIT = "file_suit", _("File suit")


class Playbook(models.Model):
    """A named plan of steps for one product (SMS at day 1, a call at day 3, ...).

    The steps live in ``PlaybookVersion`` rows: a change adds a version and moves
    ``version`` on, and a plan started earlier keeps the version it started with.
    ``auto_start``: the playbook starts by itself on the product's newly escalated
    matters (at most one per product). ``start_on_review``: it starts by itself when a
    debtor review of the product's matters recommends a way to pursue the debt and no
    plan runs, for the debtors of its ``segment`` (a willingness; blank: any), at most
    one per product and segment; a playbook for the review's willingness wins over one
    for any.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    product = models.CharField(_("product"), max_length=16, choices=Product.choices)
    version = models.PositiveIntegerField(_("version"), default=1)
    auto_start = models.BooleanField(_("start on escalation"), default=False)
    segment = models.CharField(_("segment"), max_length=16, choices=Willingness.choices, blank=True)
    start_on_review = models.BooleanField(_("start on review"), default=False)
    created_by = models.ForeignKey(User, verbose_name=_("created by"), null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["product", "name"]
        verbose_name = _("playbook")
        verbose_name_plural = _("playbooks")
        constraints = [
            models.UniqueConstraint(fields=["product"], condition=Q(auto_start=True), name="playbook_one_auto_per_product"),
            models.UniqueConstraint(
                fields=["product", "segment"], condition=Q(start_on_review=True), name="playbook_one_review_start_per_segment"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def current(self) -> PlaybookVersion:
        return self.versions.get(version=self.version)


class PlaybookVersion(models.Model):
    """The steps of one version of a playbook, never edited: ``[{day, working_days, action, title, owner_role}]``."""

    playbook = models.ForeignKey(Playbook, verbose_name=_("playbook"), on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField(_("version"))
    steps = models.JSONField(_("steps"), default=list)
    created_by = models.ForeignKey(User, verbose_name=_("created by"), null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["playbook", "-version"]
        verbose_name = _("playbook version")
        verbose_name_plural = _("playbook versions")
        constraints = [models.UniqueConstraint(fields=["playbook", "version"], name="playbook_version_unique")]


class Plan(models.Model):
    """A playbook version running on one matter from ``start_on``; one at a time per matter.

    It ends when a person stops it (its open tasks are skipped) or when its last open
    task is closed (``end_reason`` says which).
    """

    matter_path = "matter"

    class EndReason(models.TextChoices):
        STOPPED = "stopped", _("Stopped")
        COMPLETED = "completed", _("Completed")

    matter = models.ForeignKey(Matter, verbose_name=_("matter"), on_delete=models.PROTECT, related_name="plans")
    playbook_version = models.ForeignKey(
        PlaybookVersion, verbose_name=_("playbook version"), on_delete=models.PROTECT, related_name="plans"
    )
    start_on = models.DateField(_("start on"))
    started_by = models.ForeignKey(User, verbose_name=_("started by"), null=True, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_reason = models.CharField(_("end reason"), max_length=16, choices=EndReason.choices, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        constraints = [
            models.UniqueConstraint(fields=["matter"], condition=Q(ended_at__isnull=True), name="plan_one_running_per_matter"),
        ]

    @property
    def is_running(self) -> bool:
        return self.ended_at is None


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Skipped")


class Task(models.Model):
    """Something one person is to do on a matter by a date: a playbook step, a deadline to handle, or by hand.

    ``plan`` and ``step`` (the step's index) name the playbook step it came from;
    ``deadline`` the deadline it was made for (at most one task per deadline); ``stage``
    the stage whose entry made it (``legalcase.services.tasks.STAGE_TASKS``).
    """

    matter_path = "matter"

    matter = models.ForeignKey(Matter, verbose_name=_("matter"), on_delete=models.PROTECT, related_name="tasks")
    title = models.CharField(_("title"), max_length=200)
    action = models.CharField(_("action"), max_length=16, choices=StepAction.choices, blank=True)
    due_on = models.DateField(_("due on"))
    assignee = models.ForeignKey(
        User, verbose_name=_("assignee"), null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    owner_role = models.CharField(_("owner role"), max_length=16, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    note = models.TextField(_("note"), blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    plan = models.ForeignKey(Plan, verbose_name=_("plan"), null=True, blank=True, on_delete=models.PROTECT, related_name="tasks")
    step = models.PositiveSmallIntegerField(_("step"), null=True, blank=True)
    deadline = models.ForeignKey(
        Deadline, verbose_name=_("deadline"), null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    stage = models.CharField(_("stage entered"), max_length=32, choices=Stage.choices, blank=True)
    created_by = models.ForeignKey(User, verbose_name=_("created by"), null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        constraints = [
            models.UniqueConstraint(fields=["deadline"], condition=Q(deadline__isnull=False), name="task_once_per_deadline"),
        ]
        indexes = [
            models.Index(fields=["assignee", "due_on"], name="task_open_assignee_due", condition=Q(status="open")),
            models.Index(fields=["matter", "due_on"], name="task_matter_due"),
            models.Index(fields=["done_at"], name="task_done_at", condition=Q(status="done")),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.due_on:%Y-%m-%d}"

    @property
    def masked_title(self) -> str:
        return masked_text(self.title)

    @property
    def masked_note(self) -> str:
        return masked_text(self.note)

    @property
    def origin(self) -> str:
        """Where the task came from: ``playbook``, ``stage``, ``deadline`` or ``manual`` (given by hand)."""
        if self.plan_id is not None:
            return "playbook"
        if self.deadline_id is not None:
            return "deadline"
        return "stage" if self.stage else "manual"

    def is_overdue(self, today: dt.date) -> bool:
        return self.status == TaskStatus.OPEN and self.due_on < today
