"""Settings for every environment, driven by environment variables.

Development works with no variables at all; production is selected by
``DJANGO_DEBUG=0`` and then refuses to start without the secrets it needs.
"""

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


DEBUG = env_bool("DJANGO_DEBUG", True)
TESTING = env_bool("RN_TESTING", "_pytest" in sys.modules)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-secret-key-do-not-use-in-production-0123456789"  # noqa: S105

# API keys are stored as HMAC-SHA256(pepper, key); the pepper never lives in the database.
API_KEY_PEPPER = os.environ.get("RN_API_KEY_PEPPER", "")
if not API_KEY_PEPPER:
    if not DEBUG:
        raise ImproperlyConfigured("RN_API_KEY_PEPPER must be set when DJANGO_DEBUG is off.")
    API_KEY_PEPPER = "dev-only-api-key-pepper"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Django's admin with the platform's site (data-center admins only, recycling_network/admin.py).
    "recycling_network.web.apps.PlatformAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_tables2",
    "recycling_network",
    "partners",
    "outlets",
    "batteries",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "recycling_network.rest.middleware.RejectNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last: opens the request's transaction and sets the tenancy context around the view.
    "recycling_network.tenancy.TenancyMiddleware",
    # Inside the request's transaction: a domain error from a browser view becomes its error page.
    "recycling_network.web.domain_errors.DomainErrorMiddleware",
]

ROOT_URLCONF = "recycling_network.urls"
WSGI_APPLICATION = "recycling_network.wsgi.application"
ASGI_APPLICATION = "recycling_network.asgi.application"

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
                "recycling_network.web.context_processors.platform",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
# DATABASE_URL names the bootstrap superuser: it is used only by `db_bootstrap` to
# create the database and the two roles. The application connects as `rn_app`
# (reads and writes rows, subject to row-level security); migrations run as
# `rn_owner`, which owns the tables (DESIGN §4).
DATABASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/recycling_network")
DB_OWNER_ROLE = os.environ.get("RN_DB_OWNER_ROLE", "rn_owner")
DB_APP_ROLE = os.environ.get("RN_DB_APP_ROLE", "rn_app")
DB_OWNER_PASSWORD = os.environ.get("RN_DB_OWNER_PASSWORD", "")
DB_APP_PASSWORD = os.environ.get("RN_DB_APP_PASSWORD", "")

_bootstrap_db = dj_database_url.parse(DATABASE_URL)


def _role_database(user: str, password: str, conn_max_age: int) -> dict:
    config = dict(_bootstrap_db)
    config.update(
        USER=user,
        PASSWORD=password,
        CONN_MAX_AGE=conn_max_age,
        CONN_HEALTH_CHECKS=True,
        OPTIONS={"application_name": f"recycling_network:{user}"},
        TEST={"NAME": None},
    )
    return config


DATABASES = {
    "default": _role_database(DB_APP_ROLE, DB_APP_PASSWORD, env_int("DB_CONN_MAX_AGE", 60)),
    "owner": _role_database(DB_OWNER_ROLE, DB_OWNER_PASSWORD, 0),
}
DATABASE_ROUTERS = ["recycling_network.db.OwnerMigratesRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, Celery ----------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
# Set by `make run` where no Redis can run: a per-process cache and eager Celery.
REDIS_DISABLED = env_bool("RN_REDIS_DISABLED", False)
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": os.environ.get("RN_CACHE_PREFIX", "rn"),
    }
    if not REDIS_DISABLED
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# A worker started for tests listens on a queue of its own, so a developer's worker never takes its tasks.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("RN_CELERY_QUEUE", "celery")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", REDIS_DISABLED)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 600)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 540)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULE_FILENAME = os.environ.get(
    "CELERY_BEAT_SCHEDULE_FILENAME", str(BASE_DIR / ".data" / "celerybeat-schedule")
)

# --- Auth, i18n, time -------------------------------------------------------
AUTH_USER_MODEL = "partners.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Refuses deactivated users and users of a partner that is not active (recycling_network/web/auth.py).
AUTHENTICATION_BACKENDS = ["recycling_network.web.auth.PlatformAuthBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# Stored in UTC; shown and counted (working days) in Asia/Shanghai.
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"

# --- Static files -------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# --- Email ------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "noreply@recycling-network.example")
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
SITE_URL = os.environ.get("RN_SITE_URL", "http://127.0.0.1:8000")

# --- REST framework -----------------------------------------------------------
# Browser doors open to anyone (recycling_network/web/rate_limits.py): attempts per
# client address, and sign-ins per user name; "count/period" as django-ratelimit reads it.
RN_RATE_SIGN_IN_ADDRESS = os.environ.get("RN_RATE_SIGN_IN_ADDRESS", "30/10m")
RN_RATE_SIGN_IN_USER = os.environ.get("RN_RATE_SIGN_IN_USER", "10/10m")
RN_RATE_PASSWORD_RESET = os.environ.get("RN_RATE_PASSWORD_RESET", "5/h")
RN_RATE_APPLICATION = os.environ.get("RN_RATE_APPLICATION", "10/h")

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["recycling_network.rest.filters.StrictFilterBackend"],
    "EXCEPTION_HANDLER": "recycling_network.rest.problems.exception_handler",
    "UNAUTHENTICATED_USER": None,
    # Anonymous callers are throttled per address. X-Forwarded-For is trusted only as far as
    # the proxies in front of the app (RN_NUM_PROXIES, e.g. 1 behind one load balancer);
    # with none, a client could name any address in that header and never be throttled.
    "NUM_PROXIES": int(os.environ.get("RN_NUM_PROXIES", "0")),
    "DEFAULT_THROTTLE_RATES": {
        "actor": os.environ.get("RN_THROTTLE_ACTOR", "3000/min"),
        "anon": os.environ.get("RN_THROTTLE_ANON", "60/min"),
        "existence": os.environ.get("RN_THROTTLE_EXISTENCE", "30/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Recycling Network API",
    "DESCRIPTION": "Traceability of retired NEV traction batteries across a shared network of recycling outlets.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "recycling_network.rest.schema.add_problem_responses",
    ],
    "EXTENSIONS_INFO": {},
    "ENUM_NAME_OVERRIDES": {
        "BatteryStatusEnum": "batteries.models.BatteryStatus",
        "OutletStatusEnum": "outlets.models.OutletStatus",
        "PartnerStatusEnum": "partners.models.PartnerStatus",
        "ConsignmentStatusEnum": "batteries.models.ConsignmentStatus",
        "ObligationStatusEnum": "batteries.models.ObligationStatus",
        "ConditionEnum": "batteries.models.Condition",  # intake condition and hazard report share it
    },
}

# --- Security -------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("RN_MAX_BODY_BYTES", 2 * 1024 * 1024)
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("RN_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
