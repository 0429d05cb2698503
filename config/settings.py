"""Fasu's settings: one module, read from the environment.

Every variable is documented in README.md. A bad value stops the start with a
message naming the variable; with nothing set, a first run uses SQLite, an
in-process worker and plain HTTP on localhost.
"""

import hashlib
import hmac
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from config.env import (
    SettingError,
    env_bool,
    env_broker_url,
    env_database,
    env_field_keys,
    env_int,
    env_list,
    env_networks,
    env_secret_key,
    env_site_url,
    env_storages,
    read_environ,
)

BASE_DIR = Path(__file__).resolve().parent.parent
ENV = read_environ()

try:
    DEBUG = env_bool(ENV, "DEBUG", default=False)
    SECRET_KEY = env_secret_key(ENV, debug=DEBUG)
    # Personal data encrypted at rest (legalcase.crypto, API.md "Operations at scale"):
    # base64 32-byte keys, the first encrypts, all decrypt; a new key goes first, then
    # ``manage.py rotate_keys``, then the old one may be dropped. Unset: refused when DEBUG=0.
    FIELD_ENCRYPTION_KEYS = env_field_keys(ENV, debug=DEBUG)
    # Keys of the keyed digests (legalcase.search) of identity numbers, phones and account
    # numbers, the first writes, all are looked up; unset: one derived from each
    # FIELD_ENCRYPTION_KEYS key, in order, so ``rotate_keys`` moves the digests of the rows it
    # re-encrypts with them. Set explicitly, changing it needs ``manage.py search_keys_refresh``.
    SEARCH_DIGEST_KEYS = env_list(ENV, "SEARCH_DIGEST_KEYS", []) or [
        hmac.new(key, b"fasu search digest", hashlib.sha256).hexdigest() for key in FIELD_ENCRYPTION_KEYS
    ]
    # LEGAL_RULES Part 2 B.9 (retention.matter_file@2025, (U)): personal data of a matter
    # closed this many days ago is anonymised unless it is under a legal hold. The matter
    # file rule proposes 3 years after closure; 1096 days is never shorter than three
    # calendar years (a leap day included), the conservative reading.
    RETENTION_DAYS = env_int(ENV, "RETENTION_DAYS", 1096, minimum=30)
    ALLOWED_HOSTS = env_list(ENV, "ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
    HTTPS = env_bool(ENV, "HTTPS", default=False)
    # The reverse proxies (addresses or networks) that terminate TLS in front of Fasu. Only
    # a request from one of them may say, in X-Forwarded-Proto and X-Forwarded-For, that
    # it came over https and from which client (legalcase.middleware.trusted_proxy_middleware).
    TRUSTED_PROXY_IPS = env_networks(ENV, "TRUSTED_PROXY_IPS")
    DATABASES = {"default": env_database(ENV, str(BASE_DIR / "var" / "fasu.sqlite3"))}
    BROKER_URL = env_broker_url(ENV)
    STORAGE_ROOT = Path(ENV.get("STORAGE_ROOT", "").strip() or BASE_DIR / "var" / "storage")
    # local (files under STORAGE_ROOT) or s3 (a private bucket; S3_* below, README "Object storage").
    STORAGE_BACKEND, _DEFAULT_STORAGE, _FILER_MAIN, _FILER_THUMBNAILS = env_storages(ENV, str(STORAGE_ROOT))
    # Downloads redirect to short-lived signed URLs (S3_SIGNED_URL_SECONDS) instead of
    # streaming through Fasu; only with STORAGE_BACKEND=s3, off by default.
    S3_SIGNED_URLS = STORAGE_BACKEND == "s3" and _DEFAULT_STORAGE["OPTIONS"]["querystring_auth"]
    TOKEN_TTL_DAYS = env_int(ENV, "TOKEN_TTL_DAYS", 30)
    SESSION_IDLE_MINUTES = env_int(ENV, "SESSION_IDLE_MINUTES", 30)
    LOGIN_MAX_FAILURES = env_int(ENV, "LOGIN_MAX_FAILURES", 5)
    LOGIN_LOCKOUT_MINUTES = env_int(ENV, "LOGIN_LOCKOUT_MINUTES", 15)
    JOB_LEASE_SECONDS = env_int(ENV, "JOB_LEASE_SECONDS", 300, minimum=10)
    # The largest evidence file accepted, in bytes (API.md, "Evidence and bundles").
    EVIDENCE_MAX_BYTES = env_int(ENV, "EVIDENCE_MAX_BYTES", 50 * 1024 * 1024)
    # How long one LibreOffice conversion may run; keep it below JOB_LEASE_SECONDS.
    EVIDENCE_CONVERT_SECONDS = env_int(ENV, "EVIDENCE_CONVERT_SECONDS", 120)
    if EVIDENCE_CONVERT_SECONDS >= JOB_LEASE_SECONDS:
        raise SettingError("EVIDENCE_CONVERT_SECONDS", "must be below JOB_LEASE_SECONDS")
    # How many evidence_convert jobs one pdf worker converts in one LibreOffice run.
    EVIDENCE_CONVERT_BATCH = env_int(ENV, "EVIDENCE_CONVERT_BATCH", 10, minimum=1)
    # Word templates render in child processes: how many per process, and the limits
    # that end a hostile or runaway template (templates_docx.pool).
    RENDER_PROCESSES = env_int(ENV, "RENDER_PROCESSES", 2)
    RENDER_MEMORY_MB = env_int(ENV, "RENDER_MEMORY_MB", 512, minimum=128)
    RENDER_SECONDS = env_int(ENV, "RENDER_SECONDS", 20)
    # How many matters of a batch one job renders, converts and bundles at a time.
    BATCH_CHUNK = env_int(ENV, "BATCH_CHUNK", 100)
    DEADLINE_PROCESSES = env_int(ENV, "DEADLINE_PROCESSES", 2)
    # How long the dashboard's aggregates are kept before they are computed again (0: every view).
    DASHBOARD_CACHE_SECONDS = env_int(ENV, "DASHBOARD_CACHE_SECONDS", 600, minimum=0)
    # How long a process reuses PostgreSQL's estimate of the matter table's size, which an
    # unfiltered list shows as its count (约 N 件); 0: read on every request.
    COUNT_ESTIMATE_SECONDS = env_int(ENV, "COUNT_ESTIMATE_SECONDS", 60, minimum=0)
    # The collection desk (LEGAL_RULES B.2, API.md "Collection desk"): days after a promise's
    # due day that a payment still keeps it, and calls_per_party@2026's daily total (guidance).
    PROMISE_GRACE_DAYS = env_int(ENV, "PROMISE_GRACE_DAYS", 3, minimum=0)
    CALLS_PER_PARTY_DAY = env_int(ENV, "CALLS_PER_PARTY_DAY", 10, minimum=1)
    # The debtor review's screening (issue 19): a matter owing less than this many yuan is
    # flagged as below the amount worth suing for (``amount_above_threshold``).
    SCREENING_MIN_AMOUNT = env_int(ENV, "SCREENING_MIN_AMOUNT", 5000, minimum=0)
    # A deadline due within this many days gets a "处理期限" task for the matter's owner (issue 19).
    TASK_DEADLINE_DAYS = env_int(ENV, "TASK_DEADLINE_DAYS", 7, minimum=0)
    # The recovery likelihood score (legalcase.services.scoring): "recovered" means money
    # received within this many days; fewer training snapshots than SCORE_MIN_SAMPLES: the
    # rule-based score; at most SCORE_TRAIN_MATTERS matters (a fixed sample) per snapshot.
    RECOVERY_HORIZON_DAYS = env_int(ENV, "RECOVERY_HORIZON_DAYS", 180, minimum=30)
    SCORE_MIN_SAMPLES = env_int(ENV, "SCORE_MIN_SAMPLES", 500, minimum=100)
    SCORE_TRAIN_MATTERS = env_int(ENV, "SCORE_TRAIN_MATTERS", 200000, minimum=1000)
    # A cache all processes share (redis://…, e.g. the broker's Redis); unset: each process keeps its own.
    CACHE_URL = ENV.get("CACHE_URL", "").strip()
    if CACHE_URL and not CACHE_URL.startswith(("redis://", "rediss://")):
        raise SettingError("CACHE_URL", "must start with redis:// or rediss://")
    if RENDER_SECONDS >= JOB_LEASE_SECONDS:
        raise SettingError("RENDER_SECONDS", "must be below JOB_LEASE_SECONDS")
    # E-mail (the daily deadline digest). Unset: messages are printed to the console.
    EMAIL_BACKEND = ENV.get("EMAIL_BACKEND", "").strip() or "django.core.mail.backends.console.EmailBackend"
    EMAIL_HOST = ENV.get("EMAIL_HOST", "").strip() or "localhost"
    EMAIL_PORT = env_int(ENV, "EMAIL_PORT", 25)
    EMAIL_HOST_USER = ENV.get("EMAIL_HOST_USER", "").strip()
    EMAIL_HOST_PASSWORD = ENV.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool(ENV, "EMAIL_USE_TLS", default=False)
    EMAIL_TIMEOUT = env_int(ENV, "EMAIL_TIMEOUT", 30)
    DEFAULT_FROM_EMAIL = ENV.get("DEFAULT_FROM_EMAIL", "").strip() or "fasu@localhost"
    # The address users reach Fasu at, for links in e-mails and calendar feeds (no request there);
    # unset, the address `make run` serves on (HOST and PORT, which it exports).
    SITE_URL = env_site_url(ENV)
    # The court mailbox read over IMAP for court notices (evidence.court_mail); unset host: not read.
    # Each message is read once (UIDVALIDITY and UID remembered) and deleted only with COURT_MAIL_DELETE=1.
    COURT_MAIL_HOST = ENV.get("COURT_MAIL_HOST", "").strip()
    COURT_MAIL_SSL = env_bool(ENV, "COURT_MAIL_SSL", default=True)
    COURT_MAIL_PORT = env_int(ENV, "COURT_MAIL_PORT", 993 if COURT_MAIL_SSL else 143)
    COURT_MAIL_USER = ENV.get("COURT_MAIL_USER", "").strip()
    COURT_MAIL_PASSWORD = ENV.get("COURT_MAIL_PASSWORD", "")
    COURT_MAIL_FOLDER = ENV.get("COURT_MAIL_FOLDER", "").strip() or "INBOX"
    COURT_MAIL_DELETE = env_bool(ENV, "COURT_MAIL_DELETE", default=False)
    COURT_MAIL_TIMEOUT = env_int(ENV, "COURT_MAIL_TIMEOUT", 60)
    if COURT_MAIL_HOST and not COURT_MAIL_USER:
        raise SettingError("COURT_MAIL_USER", "must be set when COURT_MAIL_HOST is")
except SettingError as exc:
    raise SystemExit(f"Fasu cannot start: bad configuration {exc}") from None

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
if not STORAGE_ROOT.is_absolute():
    raise SystemExit("Fasu cannot start: bad configuration STORAGE_ROOT: must be an absolute path")

INSTALLED_APPS = [
    "legalcase.apps.FasuAdminConfig",  # django.contrib.admin with Fasu's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "easy_thumbnails",
    "filer",
    "django_dramatiq",
    "django_htmx",
    "legalcase",
    "evidence",
    "templates_docx",
    "workers",
]

MIDDLEWARE = [
    # First: drops forwarded headers that no trusted proxy set, before anything reads them.
    "legalcase.middleware.trusted_proxy_middleware",
    "legalcase.middleware.content_security_policy_middleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "legalcase.middleware.language_middleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "legalcase.middleware.session_idle_middleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before any view (and before the CSRF check reads the form): an unreadable upload is refused in Chinese.
    "legalcase.middleware.multipart_refusal_middleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # request.htmx: whether the page asked with htmx (a fragment answers), in one place.
    "django_htmx.middleware.HtmxMiddleware",
    # Fasu's 404 and 403 pages for refusals in every mode (Django's debug page otherwise);
    # innermost, so that its pages pass through the headers of the middleware above.
    "legalcase.middleware.RefusalPageMiddleware",
]

# The first notes a file name longer than Django keeps (legalcase.middleware), then Django's own.
FILE_UPLOAD_HANDLERS = [
    "legalcase.middleware.UploadNameHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "legalcase.context_processors.notifications",
            ],
        },
    },
]

AUTH_USER_MODEL = "legalcase.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "matter_list"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions end after SESSION_IDLE_MINUTES without a request (session_idle_middleware
# renews them), and with the browser.
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# With a shared cache (CACHE_URL), a session is read from it and written through to the
# database: a query less on every page. Each process's own cache would serve another
# process's stale copy, so without CACHE_URL sessions stay in the database alone.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db" if CACHE_URL else "django.contrib.sessions.backends.db"

# HTTPS is its own switch: DEBUG=0 behind plain HTTP on a closed network must work.
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# Behind a TLS-terminating proxy (TRUSTED_PROXY_IPS), its X-Forwarded-Proto says the request
# was https, so HTTPS=1 does not redirect forever; the header of anyone else is dropped.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXY_IPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Every answer: script, style, images, fonts and requests from Fasu itself only (banks run
# it on closed networks; no asset comes from elsewhere), no inline script or style, no
# plugins, no framing. The favicon is a data: URL.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
CSRF_TRUSTED_ORIGINS = [
    f"{'https' if HTTPS else 'http'}://{host}" for host in ALLOWED_HOSTS if host not in {"*"} and not host.startswith(".")
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STORAGES = {
    # Every file Fasu keeps goes through a storage: this one (imports and their errors
    # files, under imports/) or django-filer's private ones below (evidence, filings,
    # bundles); all are private, downloads go through Fasu's audited views.
    "default": _DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = STORAGE_ROOT / "media"

# Evidence is never public: django-filer keeps every file in private storage, and
# downloads go through Fasu's own views, which check matter access.
FILER_IS_PUBLIC_DEFAULT = False
FILER_STORAGES = {
    "private": {
        "main": {
            **_FILER_MAIN,
            "UPLOAD_TO": "filer.utils.generate_filename.randomized",
            "UPLOAD_TO_PREFIX": "",
        },
        "thumbnails": {**_FILER_THUMBNAILS, "THUMBNAIL_OPTIONS": {"base_dir": ""}},
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "legalcase.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "legalcase.pagination.MatterPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Fasu API",
    "DESCRIPTION": "Fasu (法诉) integration contract v1.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Closed bank networks: the docs page loads its assets from Fasu itself.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "Stage": "legalcase.models.Stage",
        "PartyKind": "legalcase.models.Party.Kind",
        "ForumKind": "legalcase.models.Forum.Kind",
        "DeadlineKind": "legalcase.models.DeadlineKind",
        "DeadlineStatus": "legalcase.models.DeadlineStatus",
        "DeadlineCompletion": [("done", "Done"), ("waived", "Waived")],
        "PhoneStatus": "legalcase.models.PartyPhone.Status",
        "TaskStatus": "legalcase.models.TaskStatus",
        "ScoreKind": "legalcase.models.ScoreKind",
    },
}

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Jobs: a real broker when BROKER_URL is set, else an in-process worker thread.
if BROKER_URL.startswith(("redis://", "rediss://")):
    _broker = "dramatiq.brokers.redis.RedisBroker"
elif BROKER_URL:
    _broker = "dramatiq.brokers.rabbitmq.RabbitmqBroker"
else:
    _broker = "dramatiq.brokers.stub.StubBroker"
DRAMATIQ_BROKER = {
    "BROKER": _broker,
    "OPTIONS": {"url": BROKER_URL} if BROKER_URL else {},
    "MIDDLEWARE": [
        "dramatiq.middleware.AgeLimit",
        "dramatiq.middleware.TimeLimit",
        "dramatiq.middleware.Callbacks",
        "dramatiq.middleware.Pipelines",
        "django_dramatiq.middleware.DbConnectionsMiddleware",
    ],
}
DRAMATIQ_AUTODISCOVER_MODULES = ["actors"]
JOBS_IN_PROCESS = not BROKER_URL

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"one_line_refusals": {"()": "legalcase.middleware.OneLineRefusals"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    # APScheduler (the schedule's clock) logs every tick of every worker at INFO.
    "loggers": {
        # Django's own records go to the root's console only: its default configuration adds a
        # second console handler under DEBUG, which printed every line twice.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # A 403 or 404 is one line ("Forbidden: /path"), without the exception's traceback.
        "django.request": {"filters": ["one_line_refusals"]},
        "django.db.backends": {"level": "WARNING"},
        "pikepdf": {"level": "WARNING"},
        "apscheduler": {"level": "WARNING"},
    },
}
