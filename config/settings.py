"""Settings, all from the environment (see .env.example).

With nothing set the project runs for development: DEBUG on, SQLite in the project
folder, Celery tasks executed eagerly in-process. Production sets DJANGO_DEBUG=false,
DJANGO_SECRET_KEY, FIELD_ENCRYPTION_KEY, DATABASE_URL and CELERY_BROKER_URL.
Malformed values stop start-up with a message that names the variable.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def _env(name: str, cast: type, default: object) -> object:
    """Read one variable; a malformed value is a start-up error naming the variable."""
    try:
        return env.get_value(name, cast=cast, default=default)
    except (ValueError, ImproperlyConfigured) as exc:
        raise ImproperlyConfigured(f"Environment variable {name} is malformed: {exc}") from exc


_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


def _env_bool(name: str, default: bool) -> bool:
    raw = env.str(name, default=str(default)).strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"Environment variable {name} is malformed: {raw!r} is not one of true/false/1/0/yes/no/on/off"
    )


DEBUG: bool = _env_bool("DJANGO_DEBUG", True)

_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789"
SECRET_KEY: str = _env("DJANGO_SECRET_KEY", str, "")  # type: ignore[assignment]
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is false.")
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS: list[str] = _env(  # type: ignore[assignment]
    "DJANGO_ALLOWED_HOSTS", list, ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS: list[str] = _env("DJANGO_CSRF_TRUSTED_ORIGINS", list, [])  # type: ignore[assignment]

# Key for the encrypted personal-data columns (resident ID numbers, phones).
# 32 url-safe base64 bytes (Fernet). In development it is derived from SECRET_KEY.
FIELD_ENCRYPTION_KEY: str = _env("FIELD_ENCRYPTION_KEY", str, "")  # type: ignore[assignment]
if not FIELD_ENCRYPTION_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY must be set when DJANGO_DEBUG is false.")
    FIELD_ENCRYPTION_KEY = base64.urlsafe_b64encode(hashlib.sha256(SECRET_KEY.encode()).digest()).decode()
try:
    if len(base64.urlsafe_b64decode(FIELD_ENCRYPTION_KEY.encode())) != 32:
        raise ValueError("it must decode to 32 bytes")
except ValueError as exc:
    raise ImproperlyConfigured(
        f"Environment variable FIELD_ENCRYPTION_KEY is malformed: {exc}; "
        "generate one with: python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
    ) from exc
# Keys being rotated out, comma-separated: still read, never written (manage.py rotate_field_key).
FIELD_ENCRYPTION_OLD_KEYS: list[str] = _env("FIELD_ENCRYPTION_OLD_KEYS", list, [])  # type: ignore[assignment]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_fsm",
    "simple_history",
    "django_filters",
    "django_htmx",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "core",
    "accounts",
    "cases",
    "mediation",
    "linkage",
    "documents",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.security.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "core.middleware.ApplicationErrorMiddleware",
    # Last: turns a login refused by the lockout into the 429 page or API error (core.security).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "accounts.context_processors.current_membership",
            ],
        },
    },
]

try:
    DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
    if not DATABASES["default"].get("ENGINE"):
        raise ValueError("unknown scheme; use postgres://user@host:5432/name or sqlite:////path/db.sqlite3")
except (ValueError, ImproperlyConfigured, KeyError) as exc:
    raise ImproperlyConfigured(f"Environment variable DATABASE_URL is malformed: {exc}") from exc
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = _env("DATABASE_CONN_MAX_AGE", int, 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DATABASES["default"]["ATOMIC_REQUESTS"] = False

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT: Path = Path(_env("STATIC_ROOT", str, str(BASE_DIR / "staticfiles")))  # type: ignore[arg-type]
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT: Path = Path(_env("MEDIA_ROOT", str, str(BASE_DIR / "media")))  # type: ignore[arg-type]
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Request limits (RELIABILITY.md T25; the reverse proxy caps bodies too, docs/deployment.md):
# 2.5 MB of form/JSON data outside file uploads, 1,000 fields, 10 files per request (evidence
# and register uploads send one; core.uploads caps each file at 10 MB).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 10
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Cookies and transport. In production (DJANGO_DEBUG=false) cookies are HTTPS-only, plain
# HTTP is redirected and HSTS is sent; behind a TLS-terminating proxy set
# DJANGO_SECURE_PROXY_SSL_HEADER=true (the proxy must set X-Forwarded-Proto).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600  # one working day
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True  # no script reads it: forms carry {% csrf_token %}
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT: bool = _env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS: int = _env("DJANGO_SECURE_HSTS_SECONDS", int, 0 if DEBUG else 31_536_000)  # type: ignore[assignment]
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
if _env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): scripts and styles only from our own static files, no
# inline code (static/js/app.js holds the page behaviour; htmx is vendored in static/).
# Style *attributes* stay blocked too: values set from script (CSSOM) are not attributes.
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failed logins for one user name
# from one address, that pair is refused for AXES_COOLOFF_TIME hours (web login and the API
# token endpoint alike; the token endpoint is also rate limited per address, REST_FRAMEWORK).
# A success resets the count. Attempts are kept in the database (axes_accessattempt).
AUTHENTICATION_BACKENDS = [
    "core.security.LoginLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED: bool = _env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT: int = _env("AXES_FAILURE_LIMIT", int, 5)  # type: ignore[assignment]
AXES_COOLOFF_TIME: float = _env("AXES_COOLOFF_HOURS", float, 0.25)  # type: ignore[assignment]
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "core.security.lockout_response"
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

# Celery: with no broker configured tasks run eagerly in-process (embedded default).
CELERY_BROKER_URL: str = _env("CELERY_BROKER_URL", str, "")  # type: ignore[assignment]

# A cache shared by the web processes and the workers (import progress, login throttling):
# Redis in production (CACHE_URL=redis://127.0.0.1:6379/1); per-process memory by default.
CACHE_URL: str = _env("CACHE_URL", str, "")  # type: ignore[assignment]
if CACHE_URL and not CACHE_URL.startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured("CACHE_URL must be a redis:// URL (or unset for a per-process memory cache)")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# An unacknowledged message (its worker was killed) is delivered again after the visibility
# timeout, which must exceed the longest task (archive build: 30 min). The fault tests (T24)
# shorten all three through the environment.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": _env("CELERY_VISIBILITY_TIMEOUT", int, 3600),
    "unacked_restore_interval": _env("CELERY_UNACKED_RESTORE_INTERVAL", int, 10),
    "unacked_restore_throttle": _env("CELERY_UNACKED_RESTORE_THROTTLE", int, 10),
}
# On a lost broker connection, stop tasks whose acknowledgement can no longer be sent: the
# message is delivered again anyway, and every task is idempotent (Celery 6's default).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    "sweep-deadlines-nightly": {
        "task": "cases.tasks.sweep_deadlines_task",
        "schedule": crontab(hour=1, minute=10),
    },
    "resend-pending-documents": {
        "task": "documents.tasks.resend_pending_documents_task",
        "schedule": crontab(minute="*/5"),
    },
}

SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False
SIMPLE_HISTORY_DATE_INDEX = "composite"

# REST API under /api/v1/ (DESIGN.md §8, docs/api.md): token or session auth, one error
# shape for every error (core.api.exception_handler), money as strings with two decimals.
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "core.api.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "core.api.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    # Per client address; failed and successful logins alike (the token endpoint only).
    "DEFAULT_THROTTLE_RATES": {"token": "10/minute"},
    "COERCE_DECIMAL_TO_STRING": True,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "劳动争议调解案件管理 API",
    "DESCRIPTION": "案件、调解、协议、履行和送达。令牌：POST /api/v1/auth/token/；错误格式见 docs/api.md。",
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and ReDoc from the sidecar package: served from /static/, no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Fields of the same name with different vocabularies get their own enum names.
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "cases.workflow.Status",
        "SessionStatusEnum": "mediation.vocab.SessionStatus",
        "ExtensionStatusEnum": "mediation.vocab.ExtensionStatus",
        "AgreementStatusEnum": "mediation.vocab.AgreementStatus",
        "ServiceStatusEnum": "mediation.vocab.ServiceStatus",
        "ApplicationChannelEnum": "cases.vocab.Channel",
        "ConsultationChannelEnum": "cases.vocab.ConsultationChannel",
        "SubmissionStatusEnum": "reports.models.SubmissionStatus",
        "RecoveryChannelEnum": "mediation.vocab.RecoveryChannel",
        "RoleEnum": "accounts.models.Role",
        "AssignmentRoleEnum": "cases.models.AssignmentRole",
        "EventKindEnum": "cases.models.EventKind",
        "SessionKindEnum": "mediation.vocab.SessionKind",
        "BlockKindEnum": "mediation.vocab.BlockKind",
        "ObligationKindEnum": "mediation.vocab.ObligationKind",
        "PaymentMethodEnum": "mediation.vocab.PaymentMethod",
        "ContactMethodEnum": "mediation.vocab.ContactMethod",
        "ServiceMethodEnum": "mediation.vocab.ServiceMethod",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": _env("LOG_LEVEL", str, "INFO")},
    # WeasyPrint and fontTools narrate every rendering step at INFO. django.template logs the
    # whole template context (search terms, personal data) at DEBUG: never below INFO (T21).
    "loggers": {
        **{name: {"level": "WARNING"} for name in ("weasyprint", "fontTools")},
        "django.template": {"level": "INFO"},
    },
}
