"""Request-wide behaviour: trusted proxies, the Content-Security-Policy, the interface language,
the idle timeout of sessions and the refusal pages."""

import ipaddress
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.core.files.uploadhandler import FileUploadHandler
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.urls import get_resolver, get_urlconf
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from legalcase.proxies import is_trusted, trusted_networks


def trusted_proxy_middleware(get_response: Callable[[HttpRequest], HttpResponse]):
    """Believe X-Forwarded-Proto and X-Forwarded-For only from the proxies in TRUSTED_PROXY_IPS.

    From anyone else both headers are dropped, so a client reaching Fasu directly can
    neither pass for https (SECURE_PROXY_SSL_HEADER) nor pick the address that the login
    lockout counts under. Behind trusted proxies the client is the right-most address of
    X-Forwarded-For that is not itself a trusted proxy: every proxy appends the address
    it saw, so the addresses left of it are whatever the client wrote.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        networks = trusted_networks()
        remote = request.META.get("REMOTE_ADDR", "")
        request.client_address = remote or None
        if networks and is_trusted(remote, networks):
            hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
            for hop in reversed(hops):
                if not is_trusted(hop, networks):
                    try:
                        request.client_address = str(ipaddress.ip_address(hop))
                    except ValueError:
                        pass  # garbage from the client: keep the proxy's own address
                    break
        else:
            request.META.pop("HTTP_X_FORWARDED_PROTO", None)
            request.META.pop("HTTP_X_FORWARDED_FOR", None)
        return get_response(request)

    return middleware


def content_security_policy_middleware(get_response: Callable[[HttpRequest], HttpResponse]):
    """Send ``settings.CONTENT_SECURITY_POLICY`` with every answer that does not set its own.

    The pages load script and style only from Fasu's static files (no inline script, no
    event-handler attributes, no style attributes), so an injected ``<script>`` or
    ``onerror=`` would not run even if escaping were ever missed somewhere.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if settings.CONTENT_SECURITY_POLICY:
            response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response

    return middleware


# What Django's UploadedFile keeps of a file's name; it silently cuts a longer one.
UPLOAD_NAME_MAX = 255


class UploadNameHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: notes a file name longer than Django keeps, passes the data on."""

    def new_file(self, field_name, file_name, *args, **kwargs):
        if len(file_name or "") > UPLOAD_NAME_MAX:
            self.request.upload_name_too_long = True

    def receive_data_chunk(self, raw_data, start):
        return raw_data

    def file_complete(self, file_size):
        return None


def multipart_refusal_middleware(get_response: Callable[[HttpRequest], HttpResponse]):
    """Read an upload's form before the view, and refuse one Django cannot read in Chinese.

    Django's parser stops with an English "Request max total header size exceeded." when
    a part's headers pass 1 KB, which a long Chinese file name does (600 characters are
    1,800 bytes); left to the view it is an English 400 from the API and a server error
    on a page. A shorter name past 255 characters Django would cut silently
    (``UploadNameHandler`` notes it): refused the same way. The CSRF check reads the form
    anyway, so reading it here costs nothing; Django REST framework takes the form
    already read.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.content_type == "multipart/form-data":
            try:
                request.POST  # noqa: B018 - parses the body and the files
            except MultiPartParserError as exc:
                return _upload_refusal(request, too_long="header size" in str(exc))
            if getattr(request, "upload_name_too_long", False):
                return _upload_refusal(request, too_long=True)
        return get_response(request)

    return middleware


def _upload_refusal(request: HttpRequest, *, too_long: bool) -> HttpResponse:
    if too_long:
        message = _("The file name is too long: rename the file (at most 255 characters) and upload it again.")
    else:
        message = _("The upload could not be read; send the form again.")
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": str(message)}, status=400)
    if request.headers.get("HX-Request"):
        # htmx does not swap a 400; fasu.js shows this text above the form that was sent.
        response = HttpResponse(str(message), status=400, content_type="text/plain; charset=utf-8")
        response["X-Fasu-Refusal"] = "upload"
        return response
    return render(request, "upload_refused.html", {"message": message}, status=400)


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


# The API answers its refusals itself, as JSON (Django REST framework's exception handler).
API_PREFIX = "/api/"


def _refusal_page(request: HttpRequest, status: int, exception: Exception) -> HttpResponse:
    """The page Django shows for ``status`` when DEBUG is off: Fasu's 404.html or 403.html."""
    handler = get_resolver(get_urlconf()).resolve_error_handler(status)
    return handler(request, exception=exception)


class RefusalPageMiddleware:
    """Fasu's own 404 and 403 pages in every mode, and one log line for each.

    A "not yours" matter (Http404) or an action the role may not take (PermissionDenied)
    is an expected answer, not a fault: with DEBUG=1 Django would show its English debug
    page, and log a 403 with its traceback. Answered here, the page is the same as in
    production and Django logs the response once, as "Forbidden: /path" without
    ``exc_info``. A mistyped address, which Django answers before any view runs, gets the
    same 404 page. API requests are left to the API's JSON answers.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and getattr(request, "resolver_match", None) is None
            and not request.path.startswith(API_PREFIX)
        ):
            # No URL matched: Django's debug page lists every URL pattern instead.
            response = _refusal_page(request, 404, Http404(request.path))
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if request.path.startswith(API_PREFIX):
            return None
        if isinstance(exception, Http404):
            return _refusal_page(request, 404, exception)
        if isinstance(exception, PermissionDenied):
            return _refusal_page(request, 403, exception)
        return None


class OneLineRefusals(logging.Filter):
    """On ``django.request``: a refusal is one line ("Forbidden: /path"), not a traceback.

    Django logs a PermissionDenied it answers itself with the exception attached; a
    refusal is the access rules working, so the traceback only buries real faults.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], (PermissionDenied, Http404)):
            record.exc_info = None
            record.exc_text = None
        return True
