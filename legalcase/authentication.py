"""Signing in: expiring API tokens and throttling of repeated failed logins.

Both the login page and ``POST /api/v1/auth/token/`` go through ``login_attempt``, so
a password guesser meets the same lock on either door.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from legalcase.models import ApiToken, LoginFailure, User


class LoginLocked(Exception):
    """Too many failed logins for this username in the lockout window."""


def _client_ip(request: HttpRequest | None) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def login_attempt(*, request: HttpRequest | None, username: str, password: str) -> User | None:
    """Check the password unless the username is locked; record failures. None when wrong."""
    window_start = timezone.now() - timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    failures = LoginFailure.objects.filter(username=username.lower(), at__gte=window_start).count()
    if failures >= settings.LOGIN_MAX_FAILURES:
        raise LoginLocked(
            _("Too many failed sign-ins. Try again in %(minutes)d minutes.") % {"minutes": settings.LOGIN_LOCKOUT_MINUTES}
        )
    user = authenticate(request, username=username, password=password)
    if user is None:
        LoginFailure.objects.create(username=username.lower(), ip_address=_client_ip(request))
        return None
    LoginFailure.objects.filter(username=username.lower()).delete()
    return user


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_issue(*, user: User) -> tuple[str, datetime]:
    """Create an API key for the user; only its digest is stored, so show the key once."""
    key = secrets.token_urlsafe(32)
    expires_at = timezone.now() + timedelta(days=settings.TOKEN_TTL_DAYS)
    ApiToken.objects.create(user=user, digest=_digest(key), expires_at=expires_at)
    return key, expires_at


class ExpiringTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Token <key>``, checked before the session; expired keys are refused."""

    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        try:
            key = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token header.")) from None
        token = ApiToken.objects.select_related("user").filter(digest=_digest(key)).first()
        now = timezone.now()
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed(_("Token expired."))
        if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword
