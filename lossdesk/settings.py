"""LossDesk settings. Every setting comes from the environment; defaults give the embedded
set-up (SQLite file, local media, inline tasks) so a new machine needs no services."""

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("LOSSDESK_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# LOSSDESK_PRODUCTION=1 turns on the HTTPS-only hardening that `check --deploy` asks for
# and refuses to start without a real secret key.
PRODUCTION = env_bool("LOSSDESK_PRODUCTION", False)
DEBUG = env_bool("LOSSDESK_DEBUG", False) and not PRODUCTION
SECRET_KEY = os.environ.get("LOSSDESK_SECRET_KEY", "" if PRODUCTION else "dev-only-insecure-key")
ALLOWED_HOSTS = env_list("LOSSDESK_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("LOSSDESK_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "axes",
    "drf_spectacular",
    "django_filters",
    "django_htmx",
    # The database task queue (LOSSDESK_TASKS_BACKEND) and its worker, named in Chinese.
    "lossdesk.core.taskqueue.TaskQueueConfig",
    "lossdesk.core",
    "lossdesk.org",
    "lossdesk.audit",
    "lossdesk.intake",
    "lossdesk.claims",
    "lossdesk.motor",
    "lossdesk.property",
    "lossdesk.injury",
    "lossdesk.parts",
    "lossdesk.calc",
    "lossdesk.notify",
    "lossdesk.billing",
    "lossdesk.quality",
    "lossdesk.field",
    "lossdesk.reports",
    "lossdesk.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "lossdesk.audit.middleware.PiiAccessMiddleware",
    "lossdesk.org.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out login into the 429 answer
]

ROOT_URLCONF = "lossdesk.urls"
WSGI_APPLICATION = "lossdesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "lossdesk" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    },
]

if "DATABASE_URL" not in os.environ:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
_default_db = f"sqlite:///{VAR_DIR / 'lossdesk.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_db))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue instead of
    # failing half-way with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"]["ENGINE"] = "lossdesk.core.postgresql"
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("LOSSDESK_CONN_MAX_AGE", "60"))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT compilation: on the statistics' aggregates over a million rows it spent 0.2-2.5 s
    # compiling per statement, more than it saved (decision 0022).
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
    if os.environ.get("LOSSDESK_DB_PREPARED", "1") == "1":
        # Server-side parameters and prepared statements: PostgreSQL plans a repeated
        # statement once per connection instead of on every call, which halves the
        # database time of intake (docs/benchmarks.md). Set LOSSDESK_DB_PREPARED=0 behind
        # a pooler that cannot keep prepared statements (PgBouncer before 1.21 in
        # transaction mode).
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=2
        )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The API's throttles and the statistics' refresh window count in the cache, so the app
# processes must share one: LOSSDESK_CACHE_URL (redis://host:6379/1) puts it in Redis. Unset,
# each process keeps its own in memory, enough for the demo's one process (decision 0029).
_cache_url = os.environ.get("LOSSDESK_CACHE_URL", "")
if _cache_url:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _cache_url,
            # Tells apart several LossDesk instances (production, staging) on one Redis.
            "KEY_PREFIX": os.environ.get("LOSSDESK_CACHE_KEY_PREFIX", "lossdesk"),
            # A hung Redis holds a request at most this long (seconds) before it goes on
            # without the cache; redis-py waits 5 s by default.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "org.Staff"
# The login-attempt backend comes first: a locked-out username is refused before its
# password is even checked (decision 0011).
AUTHENTICATION_BACKENDS = [
    "lossdesk.org.backends.LoginAttemptBackend",
    "lossdesk.org.backends.PositionBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "claims:case-list"
LOGOUT_REDIRECT_URL = "login"
# 等保 三级 password complexity: at least 8 characters of three of the four classes, not
# like the username or name, not common, not all digits.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "full_name", "email", "employee_no")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "lossdesk.org.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "lossdesk.org.passwords.MaximumLengthValidator"},
]

# Login lockout (django-axes): LOSSDESK_LOGIN_FAILURE_LIMIT consecutive failures for one
# username lock it for LOSSDESK_LOGIN_LOCKOUT_MINUTES, the right password included; a success
# resets the count; the security administrator unlocks earlier in the admin.
AXES_FAILURE_LIMIT = int(os.environ.get("LOSSDESK_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOSSDESK_LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "lossdesk.org.security.lockout_response"
AXES_VERBOSE = False  # no start-up banner on every command; failures go to the security log
AXES_HTTP_RESPONSE_CODE = 429
# How many proxies (load balancers) put the client's address in X-Forwarded-For. 0: use the
# connection's address and ignore the header, which clients could otherwise forge to dodge
# the per-address throttle or to fake the address in the security log.
NUM_PROXIES = int(os.environ.get("LOSSDESK_NUM_PROXIES", "0"))
if NUM_PROXIES:  # axes reads only REMOTE_ADDR by default
    AXES_IPWARE_PROXY_COUNT = NUM_PROXIES
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
# axes warns that username-only lockout can be bypassed by rotating the client's address or
# User-Agent; it cannot here: failures are summed over every row of the username.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# API tokens (django-rest-knox): one per login; LOSSDESK_TOKEN_IDLE_HOURS without use ends a
# token, and none lives longer than LOSSDESK_TOKEN_MAX_DAYS however much it is used.
KNOX_TOKEN_MODEL = "org.AuthToken"
# knox's migrations create its own token table even when the model is swapped; that orphan
# table's key to org_staff made PostgreSQL refuse to truncate staff (test flushes).
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=int(os.environ.get("LOSSDESK_TOKEN_IDLE_HOURS", "8"))),
    "AUTO_REFRESH": True,
    "AUTO_REFRESH_MAX_TTL": timedelta(days=int(os.environ.get("LOSSDESK_TOKEN_MAX_DAYS", "7"))),
    "TOKEN_LIMIT_PER_USER": int(os.environ.get("LOSSDESK_TOKEN_LIMIT_PER_USER", "10")),
    "AUTH_HEADER_PREFIX": "Bearer",
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "lossdesk" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Outside production WhiteNoise serves straight from the source folders (no collectstatic).
STATIC_ROOT = os.environ.get("LOSSDESK_STATIC_ROOT") or (VAR_DIR / "static" if PRODUCTION else None)
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
STATICFILES_DIRS = [BASE_DIR / "lossdesk" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("LOSSDESK_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if not PRODUCTION
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
# Photos and documents accepted for a case (bytes).
LOSSDESK_MAX_ATTACHMENT_SIZE = int(os.environ.get("LOSSDESK_MAX_ATTACHMENT_SIZE", 20 * 1024 * 1024))

# Intake (docs/dispatch.md). The receiving branch's share (0–1) of the fee of a case delegated
# to another region (委托异地), fixed on the delegation when it is requested; how long a
# callback link stays valid; whether a closed case's callback goes out as an SMS link ("sms")
# or waits for the call centre ("phone"); the public address the SMS links point to.
LOSSDESK_DELEGATION_FEE_SHARE = Decimal(os.environ.get("LOSSDESK_DELEGATION_FEE_SHARE", "0.50"))
LOSSDESK_CALLBACK_LINK_DAYS = int(os.environ.get("LOSSDESK_CALLBACK_LINK_DAYS", "7"))
LOSSDESK_PII_ACCESS_LOG_DAYS = int(os.environ.get("LOSSDESK_PII_ACCESS_LOG_DAYS", "1096"))
LOSSDESK_CALLBACK_METHOD = os.environ.get("LOSSDESK_CALLBACK_METHOD", "sms")
LOSSDESK_PUBLIC_URL = os.environ.get("LOSSDESK_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

# Inline by default (a task runs in the request that enqueues it); with a worker:
# LOSSDESK_TASKS_BACKEND=django_tasks_db.DatabaseBackend and `manage.py db_worker`
# (docs/deployment.md, "Background work").
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "LOSSDESK_TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend"
        )
    }
}

# --- SMS (lossdesk.notify; docs/sms.md) -----------------------------------------------------
# The channel: lossdesk.notify.backends.OutboxBackend (database outbox, the default),
# ConsoleBackend, AliyunBackend or TencentBackend (install the `aliyun` / `tencent` extra).
LOSSDESK_SMS_BACKEND = os.environ.get(
    "LOSSDESK_SMS_BACKEND", "lossdesk.notify.backends.OutboxBackend"
)
# Tries per message, and the delay before the 2nd try in seconds (doubled for each next one).
LOSSDESK_SMS_MAX_ATTEMPTS = int(os.environ.get("LOSSDESK_SMS_MAX_ATTEMPTS", "5"))
LOSSDESK_SMS_RETRY_DELAY = int(os.environ.get("LOSSDESK_SMS_RETRY_DELAY", "60"))


def env_map(name: str) -> dict[str, str]:
    """ "dispatch_to_surveyor=SMS_1,callback_link=SMS_2" → {"dispatch_to_surveyor": "SMS_1", …}"""
    pairs = (item.split("=", 1) for item in env_list(name, "") if "=" in item)
    return {key.strip(): value.strip() for key, value in pairs}


LOSSDESK_SMS_ALIYUN = {
    "access_key_id": os.environ.get("LOSSDESK_SMS_ALIYUN_ACCESS_KEY_ID", ""),
    "access_key_secret": os.environ.get("LOSSDESK_SMS_ALIYUN_ACCESS_KEY_SECRET", ""),
    "sign_name": os.environ.get("LOSSDESK_SMS_ALIYUN_SIGN_NAME", ""),
    "region_id": os.environ.get("LOSSDESK_SMS_ALIYUN_REGION", "cn-hangzhou"),
    "endpoint": os.environ.get("LOSSDESK_SMS_ALIYUN_ENDPOINT", "dysmsapi.aliyuncs.com"),
    "templates": env_map("LOSSDESK_SMS_ALIYUN_TEMPLATES"),
}
LOSSDESK_SMS_TENCENT = {
    "secret_id": os.environ.get("LOSSDESK_SMS_TENCENT_SECRET_ID", ""),
    "secret_key": os.environ.get("LOSSDESK_SMS_TENCENT_SECRET_KEY", ""),
    "sdk_app_id": os.environ.get("LOSSDESK_SMS_TENCENT_SDK_APP_ID", ""),
    "sign_name": os.environ.get("LOSSDESK_SMS_TENCENT_SIGN_NAME", ""),
    "region": os.environ.get("LOSSDESK_SMS_TENCENT_REGION", "ap-guangzhou"),
    "templates": env_map("LOSSDESK_SMS_TENCENT_TEMPLATES"),
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "lossdesk.core.rest.BearerTokenAuthentication",
        "lossdesk.core.rest.SessionAuthentication",
    ],
    # Per client address before login, per user after it (LOSSDESK_THROTTLE_ANON / _USER).
    "DEFAULT_THROTTLE_CLASSES": [
        "lossdesk.core.rest.AnonRateThrottle",
        "lossdesk.core.rest.UserRateThrottle",
    ],
    "NUM_PROXIES": NUM_PROXIES,
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("LOSSDESK_THROTTLE_ANON", "60/minute"),
        "user": os.environ.get("LOSSDESK_THROTTLE_USER", "1200/minute"),
    },
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "lossdesk.core.rest.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "lossdesk.org.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "lossdesk.core.api.exception_handler",
    "DEFAULT_METADATA_CLASS": "lossdesk.core.metadata.Metadata",
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "LossDesk API",
    "DESCRIPTION": "保险公估作业系统 API. Errors: "
    '{"error": {"code": "...", "message": "...", "fields": {...}}}',
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
}

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "style-src": ["'self'"],
    "script-src": ["'self'"],
}
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("LOSSDESK_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("LOSSDESK_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # The TLS-terminating load balancer says https in X-Forwarded-Proto; set 0 when clients
    # can reach the app directly, or any of them could claim https (docs/deployment.md).
    if env_bool("LOSSDESK_TRUST_X_FORWARDED_PROTO", True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOSSDESK_LOG_LEVEL", "INFO")},
}
