"""Request-wide behaviour: the interface language and the idle timeout of sessions."""

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


def language_middleware(get_response: Callable[[HttpRequest], HttpResponse]):
    """Activate the language from the language cookie, else LANGUAGE_CODE.

    Unlike Django's LocaleMiddleware it ignores the browser's Accept-Language: staff
    on English-language browsers still work in Chinese until they switch.
    """
    available = {code for code, _name in settings.LANGUAGES}

    def middleware(request: HttpRequest) -> HttpResponse:
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in available:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response

    return middleware


# Saving the session on every request would add a database write to every page; once a
# minute keeps the idle timeout within a minute of SESSION_IDLE_MINUTES.
SESSION_TOUCH_SECONDS = 60


def session_idle_middleware(get_response: Callable[[HttpRequest], HttpResponse]):
    """Push a signed-in session's expiry forward, at most once a minute."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            if now - request.session.get("touched_at", 0) >= SESSION_TOUCH_SECONDS:
                request.session["touched_at"] = now
        return get_response(request)

    return middleware
