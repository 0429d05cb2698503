"""Template context every page shares: the unread-notification count in the nav."""

from __future__ import annotations

from functools import cache

from django.http import HttpRequest

from legalcase.services.notifications import unread_notification_count


def notifications(request: HttpRequest) -> dict:
    """``unread_notifications``: a callable, so the one count query runs only on pages that show it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def unread_notifications() -> int:
        return unread_notification_count(user)

    return {"unread_notifications": unread_notifications}
