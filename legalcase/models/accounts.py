"""Who uses Fasu: roles, law firms, users, their API keys and sign-in failures, and the audit log."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from legalcase.models.base import AppendOnly
from legalcase.safetext import validate_name


class Role(models.TextChoices):
    COUNSEL = "counsel", _("In-house counsel")
    LAWYER = "lawyer", _("Outside lawyer")
    MANAGER = "manager", _("Asset manager")
    ADMIN = "admin", _("Administrator")


class LawFirm(models.Model):
    """An outside law firm that counsel instruct; its lawyers see only its matters."""

    name = models.CharField(_("name"), max_length=200, unique=True, validators=[validate_name])
    # What complaints print under the lawyer's name (委托诉讼代理人: 律所、地址、电话).
    address = models.CharField(_("address"), max_length=300, blank=True, default="", db_default="")
    phone = models.CharField(_("phone"), max_length=30, blank=True, default="", db_default="")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("law firm")
        verbose_name_plural = _("law firms")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in; ``role`` decides what they may do, ``firm`` scopes lawyers."""

    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.COUNSEL)
    firm = models.ForeignKey(
        LawFirm, verbose_name=_("law firm"), null=True, blank=True, on_delete=models.PROTECT, related_name="lawyers"
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="lawyer") | Q(firm__isnull=False), name="lawyer_has_firm"
            ),
        ]

    def clean(self) -> None:
        super().clean()
        if self.role == Role.LAWYER and self.firm_id is None:
            raise ValidationError({"firm": _("An outside lawyer must belong to a law firm.")})

    @property
    def display_name(self) -> str:
        return display_name(self.username, self.first_name, self.last_name)


def display_name(username: str, first_name: str, last_name: str) -> str:
    """A user's name as pages show it, from the three columns (lists read them as tuples).

    Chinese names read family name first, with no space: 王 + 敏 -> 王敏.
    """
    if any("\u4e00" <= char <= "\u9fff" for char in last_name + first_name):
        return f"{last_name}{first_name}"
    return f"{first_name} {last_name}".strip() or username


class AuditAction(models.TextChoices):
    EXPORT = "export", _("Export")
    CALENDAR_FEED_ISSUED = "calendar_feed_issued", _("Calendar feed issued")
    CALENDAR_FEED_REVOKED = "calendar_feed_revoked", _("Calendar feed revoked")
    PORTFOLIO_CHANGED = "portfolio_changed", _("Portfolio changed")
    CREDITOR_CORRECTED = "creditor_corrected", _("Creditor details corrected")
    FIRM_CORRECTED = "firm_corrected", _("Law firm details corrected")
    LPR_CHANGED = "lpr_changed", _("LPR table changed")
    COURT_NOTICE_RECEIVED = "court_notice_received", _("Court notice received")
    COURT_NOTICE_DISMISSED = "court_notice_dismissed", _("Court notice dismissed")
    CONDUCT_OVERRIDDEN = "conduct_overridden", _("Conduct rule overridden")
    COLLECTION_EXPORTED = "collection_exported", _("Collection history exported")
    PLAYBOOK_CHANGED = "playbook_changed", _("Playbook changed")


class AuditEvent(AppendOnly):
    """An audited act not tied to one matter (an export, a calendar feed key): who, when, what.

    Append-only, like the matters' timelines (个人信息保护法: logs of exports kept).
    """

    actor = models.ForeignKey(User, verbose_name=_("actor"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)
    action = models.CharField(_("action"), max_length=32, choices=AuditAction.choices)
    target = models.CharField(_("what"), max_length=200, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["actor", "-at"], name="audit_actor_at")]


class ApiToken(models.Model):
    """An API key; only its SHA-256 digest is stored, and it stops working at ``expires_at``."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")


class LoginThrottle(models.Model):
    """How many sign-in tries one client address has used on one username in the lockout window.

    One row per (username, address): a try is claimed by a single conditional UPDATE
    before the password is checked (``legalcase.authentication.login_attempt``), so
    concurrent guesses cannot pass the limit, and a stranger guessing from elsewhere
    uses up only their own address's tries, never the user's.
    """

    username = models.CharField(_("username"), max_length=150)
    client_address = models.CharField(_("client address"), max_length=45)
    tries = models.PositiveIntegerField(_("tries"), default=0)
    last_try_at = models.DateTimeField(_("last try at"), default=timezone.now)

    class Meta:
        verbose_name = _("login throttle")
        verbose_name_plural = _("login throttles")
        constraints = [models.UniqueConstraint(fields=["username", "client_address"], name="loginthrottle_user_client")]

    def __str__(self) -> str:
        return f"{self.username} @ {self.client_address}"


class LoginFailure(models.Model):
    """A failed sign-in, counted per username to throttle password guessing."""

    username = models.CharField(_("username"), max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("login failure")
        verbose_name_plural = _("login failures")
        indexes = [models.Index(fields=["username", "at"], name="loginfailure_user_at")]
