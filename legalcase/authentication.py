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
from django.db.models import Case, F, Q, Value, When
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from legalcase.models import ApiToken, LoginFailure, LoginThrottle, User
from legalcase.proxies import client_address


class LoginLocked(Exception):
    """Too many failed sign-ins for this username from this client address in the lockout window."""


# The address a throttle row is kept under when there is no request (a management command, a test).
NO_ADDRESS = "-"


def login_attempt(*, request: HttpRequest | None, username: str, password: str) -> User | None:
    """Check the password unless this address used up its tries on the username; None when wrong.

    A try is claimed before the password is checked, by one conditional UPDATE on the
    (username, address) row: it succeeds only while fewer than LOGIN_MAX_FAILURES tries
    were used in the window (or the window ran out, which starts it again at one), so 40
    guesses at once still get at most LOGIN_MAX_FAILURES password checks. The right
    password gives the tries back. Keyed by the client address too, so a stranger
    guessing from elsewhere locks only their own address out (the address comes from
    X-Forwarded-For only behind a trusted proxy: ``legalcase.middleware``).
    """
    key = username.lower()[:150]
    address = (client_address(request) if request is not None else None) or NO_ADDRESS
    now = timezone.now()
    window_start = now - timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    LoginThrottle.objects.bulk_create(
        [LoginThrottle(username=key, client_address=address, tries=0, last_try_at=now)], ignore_conflicts=True
    )
    expired = Q(last_try_at__lt=window_start)
    claimed = (
        LoginThrottle.objects.filter(username=key, client_address=address)
        .filter(Q(tries__lt=settings.LOGIN_MAX_FAILURES) | expired)
        .update(
            tries=Case(When(expired, then=Value(1)), default=F("tries") + 1),
            last_try_at=now,
        )
    )
    if not claimed:
        minutes = settings.LOGIN_LOCKOUT_MINUTES
        raise LoginLocked(_("Too many failed sign-ins. Try again in %(minutes)d minutes.") % {"minutes": minutes})
    user = authenticate(request, username=username, password=password)
    if user is None:
        LoginFailure.objects.create(username=key, ip_address=address if address != NO_ADDRESS else None)
        return None
    LoginThrottle.objects.filter(username=key, client_address=address).delete()
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
