"""SRO Desk settings. Every value comes from the environment; see .env.example for the full list."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PACKAGE_DIR = BASE_DIR / "srodesk"

DEBUG = env_bool("DEBUG", False)
# Demo mode: relaxes the MFA requirement (with a visible banner on every page). Never in production.
DEMO_MODE = env_bool("SRODESK_DEMO", False)

SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "insecure-debug-only-key-do-not-use-in-production-0123456789"
    else:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set when DEBUG is off")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "srodesk.core",
    "srodesk.audit",
    "srodesk.accounts",
    "srodesk.organizations",
    "srodesk.people",
    "srodesk.incidents",
    "srodesk.threats",
    "srodesk.support",
    "srodesk.alerts",
    "srodesk.drills",
    "srodesk.reunification",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "srodesk.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "srodesk.accounts.middleware.IdleSessionLockMiddleware",
    "srodesk.accounts.middleware.MFARequiredMiddleware",
    "srodesk.core.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "srodesk.config.urls"
# Widgets written out in Python with the markup of Django's templates (docs/performance.md).
FORM_RENDERER = "srodesk.core.form_renderer.FormRenderer"
WSGI_APPLICATION = "srodesk.config.wsgi.application"
ASGI_APPLICATION = "srodesk.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "srodesk.core.context_processors.shell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Index scans priced for SSDs and a warm cache: the scope filters' link-table subqueries need it
    # (docs/performance.md, "Fixes of 2026-12-01").
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c random_page_cost=1.1")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background tasks -----------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

# --- Authentication (defaults follow the CJIS Security Policy, see docs/security.md) --------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["srodesk.core.permissions.ScopedPermissionBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
PASSWORD_MIN_LENGTH = env_int("PASSWORD_MIN_LENGTH", 12, minimum=12)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 10, minimum=1)
IDLE_LOCK_MINUTES = env_int("IDLE_LOCK_MINUTES", 30, minimum=1)
MFA_REQUIRED = env_bool("MFA_REQUIRED", True) and not DEMO_MODE
MFA_ISSUER = env_str("MFA_ISSUER", "SRO Desk")
LOGIN_BANNER = env_str(
    "LOGIN_BANNER",
    "This system contains law-enforcement and education records. Use is restricted to authorised "
    "users for official purposes, and every access is logged and may be monitored.",
)
OTP_TOTP_ISSUER = MFA_ISSUER

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env_int("SESSION_MAX_HOURS", 12, minimum=1) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = env_bool("SECURE_COOKIES", True)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Internationalisation -------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

# --- Static and media files -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- API ------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "srodesk.accounts.api.ApiTokenAuthentication",
        "srodesk.accounts.api.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "srodesk.core.pagination.RecordPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "srodesk.core.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SRO Desk API",
    "DESCRIPTION": "Records and operations for School Resource Officers and school safety teams.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "RuleSetEnum": "srodesk.organizations.choices.RuleSet",
        "CaseStatusEnum": "srodesk.threats.choices.CaseStatus",
        "ReferralStatusEnum": "srodesk.support.choices.ReferralStatus",
        "AttendanceStatusEnum": "srodesk.support.choices.AttendanceStatus",
        "ImportStatusEnum": "srodesk.people.choices.ImportStatus",
        "DisclosureBasisEnum": "srodesk.people.choices.DisclosureBasis",
        "ClockStartEnum": "srodesk.support.choices.ClockStart",
        "ReportChannelEnum": "srodesk.support.choices.ReportChannel",
        "AlertKindEnum": "srodesk.alerts.choices.AlertKind",
    },
}

# --- Mail -----------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "SRO Desk <noreply@localhost>")

# --- Alert delivery (docs/alerts-delivery.md) ------------------------------------------------------
ALERT_CANCEL_WINDOW_SECONDS = env_int("ALERT_CANCEL_WINDOW_SECONDS", 10, minimum=0)
ALERT_REDIS_CHANNEL = env_str("ALERT_REDIS_CHANNEL", "srodesk:alerts")
ALERT_DB_POLL_SECONDS = env_int("ALERT_DB_POLL_SECONDS", 1, minimum=0)
ALERT_STREAM_HEARTBEAT_SECONDS = env_int("ALERT_STREAM_HEARTBEAT_SECONDS", 15, minimum=1)
ALERT_STREAM_RECHECK_SECONDS = env_int("ALERT_STREAM_RECHECK_SECONDS", 300, minimum=0)
ALERT_SENDER_THREADS = env_int("ALERT_SENDER_THREADS", 4, minimum=1)
ALERT_FROM_EMAIL = env_str("ALERT_FROM_EMAIL", DEFAULT_FROM_EMAIL)
ALERT_SITE_URL = env_str("ALERT_SITE_URL")
ALERT_SMS_URL = env_str("ALERT_SMS_URL")
ALERT_SMS_TOKEN = env_secret("ALERT_SMS_TOKEN")
ALERT_WEBHOOK_URLS = env_list("ALERT_WEBHOOK_URLS")
ALERT_HTTP_TIMEOUT = env_int("ALERT_HTTP_TIMEOUT", 5, minimum=1)
ALERT_RETRY_BASE_SECONDS = env_int("ALERT_RETRY_BASE_SECONDS", 30, minimum=1)
ALERT_RETRY_MAX_DELAY_SECONDS = env_int("ALERT_RETRY_MAX_DELAY_SECONDS", 3600, minimum=1)
ALERT_RETRY_MAX_ATTEMPTS = env_int("ALERT_RETRY_MAX_ATTEMPTS", 5, minimum=1)

# --- Records --------------------------------------------------------------------------------------
LIST_PAGE_SIZE = env_int("LIST_PAGE_SIZE", 50, minimum=1)
#: A list page counts at most this many rows ("10000+"), and pages through them; filters reach the rest.
LIST_COUNT_LIMIT = env_int("LIST_COUNT_LIMIT", 10_000, minimum=1)
SOFT_DELETE_GRACE_DAYS = env_int("SOFT_DELETE_GRACE_DAYS", 30, minimum=0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
