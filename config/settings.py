"""Kopilka settings: one file, every knob from the environment (see .env.example)."""

import ipaddress
import os
import re
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production-0123456789"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_ratelimit",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "accounts",
    "ledgers",
    "audit",
    "finance",
    "botapi",
    "messaging",
    "procrastinate.contrib.django",
    "notifications",
    "agents",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.ChunkedBodyMiddleware",
    "config.middleware.MachineErrorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "audit.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
# JSON on the API's paths, a page elsewhere (config/handlers.py).
CSRF_FAILURE_VIEW = "config.handlers.csrf_failure"
WSGI_APPLICATION = "config.wsgi.application"

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
                "ledgers.context_processors.ledgers",
            ],
        },
    },
]

if not os.environ.get("DATABASE_URL"):
    raise ImproperlyConfigured(
        "DATABASE_URL is not set. `make run` and `make test` start a private PostgreSQL "
        "under .devdb/ and set it for you; otherwise export e.g. "
        "DATABASE_URL=postgresql://user:password@localhost:5432/kopilka"
    )
# More than one host (deploy/scaling.md). "transaction": DATABASE_URL (and the replica's)
# is PgBouncer in transaction mode, where each transaction may run in another server
# session: no server-side cursors, no prepared statements, nothing kept in a session.
DATABASE_POOLING = os.environ.get("DATABASE_POOLING", "")
if DATABASE_POOLING not in {"", "transaction"}:
    raise ImproperlyConfigured(
        f"DATABASE_POOLING must be empty or 'transaction', got {DATABASE_POOLING!r}"
    )
# One host without PgBouncer: psycopg's pool in each process (0: no pool; a persistent
# connection per thread instead, DATABASE_CONN_MAX_AGE).
DATABASE_POOL_MAX_SIZE = env_int("DATABASE_POOL_MAX_SIZE", 0)
if DATABASE_POOL_MAX_SIZE < 0:
    raise ImproperlyConfigured("DATABASE_POOL_MAX_SIZE must be 0 (no pool) or more")
if DATABASE_POOL_MAX_SIZE and DATABASE_POOLING:
    raise ImproperlyConfigured(
        "DATABASE_POOL_MAX_SIZE is the pool for one host without PgBouncer; with "
        "DATABASE_POOLING=transaction PgBouncer pools the connections: set one of them"
    )
# Heavy reads that may be a little behind go to a streaming replica (core/db.py) while it
# is at most DATABASE_REPLICA_MAX_LAG seconds behind; unset, everything reads the primary.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
DATABASE_REPLICA_MAX_LAG = env_int("DATABASE_REPLICA_MAX_LAG", 30)
if DATABASE_REPLICA_MAX_LAG < 0:
    raise ImproperlyConfigured("DATABASE_REPLICA_MAX_LAG must be 0 seconds or more")
# The queue workers' own connection (LISTEN/NOTIFY, fetching jobs): PostgreSQL itself,
# never a transaction pooler ("": DATABASE_URL's database).
QUEUE_DATABASE_URL = os.environ.get("QUEUE_DATABASE_URL", "")


def database(url: str, *, replica: bool = False) -> dj_database_url.DBConfig:
    """One DATABASES entry for `url`, pooled as DATABASE_POOLING and
    DATABASE_POOL_MAX_SIZE say."""
    entry = dj_database_url.parse(
        url,
        conn_max_age=0 if DATABASE_POOL_MAX_SIZE else env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
        # Django's own switch for transaction poolers; core.db.pooled() reads it too.
        disable_server_side_cursors=DATABASE_POOLING == "transaction",
        # Tests read the primary's test database under the replica's alias: nothing is
        # created on a standby.
        test_options={"MIRROR": "default"} if replica else None,
    )
    options = entry.setdefault("OPTIONS", {})
    if DATABASE_POOLING == "transaction":
        options["prepare_threshold"] = None
    if DATABASE_POOL_MAX_SIZE:
        # One connection kept open per process; more opened up to the cap as threads
        # ask, and a request waits up to 10 s for one before it fails.
        options["pool"] = {"min_size": 1, "max_size": DATABASE_POOL_MAX_SIZE, "timeout": 10}
    if replica:
        # A replica that does not answer is given up on quickly (libpq's minimum is 2 s).
        options.setdefault("connect_timeout", 2)
    return entry


DATABASES = {"default": database(os.environ["DATABASE_URL"])}
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = database(DATABASE_REPLICA_URL, replica=True)
# Writes go to the primary whatever database an object was read from.
DATABASE_ROUTERS = ["core.db.Router"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis is the cache every gunicorn worker shares; django-ratelimit needs its atomic
# increments. Without REDIS_URL only a single process is correct (local-memory cache).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            # pytest-xdist's workers share one Redis: each keeps its own rate-limit
            # counters (and the live servers it starts inherit its variable).
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "kopilka")
            + os.environ.get("PYTEST_XDIST_WORKER", ""),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "ru")
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The server's zone; each user's own zone decides "today" for their records.
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Moscow")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where `collectstatic` gathers files for nginx (empty: none, as in tests).
STATIC_ROOT = os.environ.get("STATIC_ROOT", str(BASE_DIR / "staticfiles")) or None
# Hashed, compressed file names need `collectstatic`; development and tests go without
# and let WhiteNoise find the files in the apps.
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", not DEBUG)
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# nginx terminates TLS and sets X-Forwarded-Proto; see nginx.conf.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
USE_X_FORWARDED_HOST = env_bool("USE_X_FORWARDED_HOST")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
# The preload directive only allows submitting the domain to browsers' lists (a manual,
# lasting step at hstspreload.org); set SECURE_HSTS_PRELOAD=0 for a domain never to be listed.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The request id and client IP in audit rows come from headers nginx sets. X-Real-IP
# is believed only when a proxy we control stands in front (production) and only from
# the addresses in TRUSTED_PROXIES (networks allowed, like gunicorn's
# forwarded_allow_ips): anyone else reaching gunicorn directly would otherwise choose
# their own address and reset the failed-authentication limit.
TRUST_X_REAL_IP = env_bool("TRUST_X_REAL_IP", not DEBUG)
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "127.0.0.1,::1")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES must list addresses or networks, got {_proxy!r}"
        ) from None

# Cabinet pages and the admin carry no inline script; styles still have a few inline
# attributes (and Swagger UI sets styles from script). nginx.conf sends the same policy.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
}

# The largest request body Django reads (JSON, forms, chunked bodies); nginx's
# client_max_body_size is the same 1 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024)
# Bank statements imported (the cabinet's "Your data" and POST /api/imports/): the largest
# file (a year of a busy card in camt.053 is some 35 MB; nginx allows the same on those two
# paths), the most operations in one, and the size up to which a file is previewed and
# imported within the request; a bigger one goes to the queue and the page shows progress.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 50 * 1024 * 1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 200_000)
IMPORT_SYNC_MAX_BYTES = env_int("IMPORT_SYNC_MAX_BYTES", 256 * 1024)
if IMPORT_MAX_BYTES < 1 or IMPORT_MAX_ROWS < 1 or IMPORT_SYNC_MAX_BYTES < 0:
    raise ImproperlyConfigured("IMPORT_MAX_BYTES and IMPORT_MAX_ROWS must be positive")

# Outside development mail goes out by SMTP: the console backend would print
# password-reset links into the server's log. `check --deploy` refuses it (and the
# other backends that do not deliver) unless EMAIL_CONSOLE_IN_PRODUCTION is set.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_CONSOLE_IN_PRODUCTION = env_bool("EMAIL_CONSOLE_IN_PRODUCTION")
if (
    not DEBUG
    and EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend"
    and not EMAIL_CONSOLE_IN_PRODUCTION
):
    raise ImproperlyConfigured(
        "EMAIL_BACKEND is the console backend with DEBUG off: password-reset links would "
        "be written to the log. Configure SMTP, or set EMAIL_CONSOLE_IN_PRODUCTION=1."
    )
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Kopilka <noreply@localhost>")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Strict JSON (duplicate keys, NaN, depth, size refused as 400s) on every DRF view.
    "DEFAULT_PARSER_CLASSES": [
        "core.strictjson.StrictJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "COERCE_DECIMAL_TO_STRING": True,
    "EXCEPTION_HANDLER": "core.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

# Exchange rates: a summary converts through these currencies, in this order, when
# neither a direct nor an inverse rate is stored (the ECB publishes everything against
# EUR, the Bank of Russia everything in RUB). One or two ISO 4217 codes.
EXCHANGE_RATE_PIVOTS = env_list("EXCHANGE_RATE_PIVOTS", "EUR,RUB")
if not 1 <= len(EXCHANGE_RATE_PIVOTS) <= 2 or not all(
    re.fullmatch(r"[A-Z]{3}", code) for code in EXCHANGE_RATE_PIVOTS
):
    raise ImproperlyConfigured("EXCHANGE_RATE_PIVOTS must be one or two ISO 4217 codes")
# Where fetch_rates reads (a test or a mirror may point them elsewhere).
ECB_DAILY_URL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml"
ECB_HIST_90D_URL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist-90d.xml"
ECB_HIST_URL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.xml"
CBR_DAILY_URL = "https://www.cbr.ru/scripts/XML_daily.asp"
RATES_FETCH_TIMEOUT = env_int("RATES_FETCH_TIMEOUT", 30)

# Receipts' line items from a receipt-checking service in the style of proverkacheka.com
# (POST the token and the QR's text; the seller and the items come back). Both unset:
# nothing is fetched. The token is a secret: never logged.
RECEIPT_CHECK_URL = os.environ.get("RECEIPT_CHECK_URL", "")
RECEIPT_CHECK_TOKEN = os.environ.get("RECEIPT_CHECK_TOKEN", "")
RECEIPT_CHECK_TIMEOUT = env_int("RECEIPT_CHECK_TIMEOUT", 15)
if RECEIPT_CHECK_URL and not RECEIPT_CHECK_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured("RECEIPT_CHECK_URL must be an http(s) URL")

# --- Bot API (botapi) -------------------------------------------------------------
# Rates as django-ratelimit writes them ("60/m", "1000/h"). Counted in the shared cache
# (Redis), so every gunicorn worker sees the same counters.
RATE_RE = r"^[0-9]+/[0-9]*[smhd]$"


def env_rate(name: str, default: str) -> str:
    value = os.environ.get(name) or default
    if not re.match(RATE_RE, value):
        raise ImproperlyConfigured(f"{name} must be a rate such as 60/m, got {value!r}")
    return value


# Requests per token, counted after authentication: at most this many in any window of
# the rate's length, wherever it starts (a sliding window).
BOT_RATELIMIT_TOKEN = env_rate("BOT_RATELIMIT_TOKEN", "60/m")
# Failed authentications per client IP (an IPv6 /64); past it that address's failures
# are refused (429), so guessing tokens is slow. A valid token always passes.
BOT_RATELIMIT_FAILED_AUTH_IP = env_rate("BOT_RATELIMIT_FAILED_AUTH_IP", "30/m")
# How long a stored idempotent result is kept (`manage.py purge_idempotency_keys`).
BOT_IDEMPOTENCY_RETENTION_HOURS = env_int("BOT_IDEMPOTENCY_RETENTION_HOURS", 24)
if BOT_IDEMPOTENCY_RETENTION_HOURS < 24:
    raise ImproperlyConfigured("BOT_IDEMPOTENCY_RETENTION_HOURS must be at least 24")
RATELIMIT_USE_CACHE = "default"
if not REDIS_URL:
    # django-ratelimit rightly warns that the local-memory cache is per process; it is
    # only used by a single-worker development server and by test runs without Redis.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

SPECTACULAR_SETTINGS = {
    "TITLE": "Kopilka API",
    "DESCRIPTION": (
        "The bot API: `POST /api/bot/actions` with an `X-Bot-Token`, one registry of "
        "actions (`GET /api/bot/schema`). Errors are always "
        '`{"error", "message", "details": [{"path", "code", "message"}]}`.'
    ),
    "VERSION": "1.0.0",
    # 3.1 embeds the actions' JSON Schema (draft 2020-12) as it is.
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "ENUM_NAME_OVERRIDES": {
        "MemberRoleEnum": "ledgers.models.Membership.Role",
        "InvitableRoleEnum": "ledgers.api.INVITABLE_ROLE_CHOICES",
        # A transaction is an expense, an income or a refund; a category only the first two.
        "TransactionKindEnum": "finance.models.Kind",
        "CategoryKindEnum": "finance.models.CATEGORY_KINDS",
    },
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    # The docs page works offline: Swagger UI is served from our static files.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "botapi.openapi.add_bot_actions",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # It announces loading its dictionaries in every process, at INFO.
    # httpx logs every request's URL at INFO, and a Bot API URL holds the bot's token.
    "loggers": {
        "pymorphy3": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
        # procrastinate logs every job (and its task list in every process) at INFO.
        "procrastinate": {"level": os.environ.get("QUEUE_LOG_LEVEL", "WARNING")},
    },
}

# ---------------------------------------------------------------------------
# Cabinet (session pages) and the clients' JSON API (JWT), issue #5.
# Kept in one block, additive to the settings above.
# ---------------------------------------------------------------------------
from datetime import timedelta  # noqa: E402

INSTALLED_APPS += ["rest_framework_simplejwt.token_blacklist"]
# After AuthenticationMiddleware: a signed-in person's own language beats the
# browser's Accept-Language that LocaleMiddleware chose.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "accounts.middleware.UserLanguageMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("accounts.middleware.UserLanguageMiddleware") + 1,
    "accounts.middleware.PersonalLedgerMiddleware",
)
STATICFILES_DIRS = [BASE_DIR / "static"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "finance:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 60 * 60 * 24)
# Login throttling (django-ratelimit, counted in the shared cache): per client IP and
# per username, so neither one address nor a botnet aimed at one account gets far.
LOGIN_RATE_PER_IP = env_rate("LOGIN_RATE_PER_IP", "30/10m")
LOGIN_RATE_PER_USERNAME = env_rate("LOGIN_RATE_PER_USERNAME", "10/10m")
SIGNUP_RATE_PER_IP = env_rate("SIGNUP_RATE_PER_IP", "10/h")
PASSWORD_RESET_RATE_PER_IP = env_rate("PASSWORD_RESET_RATE_PER_IP", "10/h")
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env_int("JWT_ACCESS_MINUTES", 15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env_int("JWT_REFRESH_DAYS", 14)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "AUTH_HEADER_TYPES": ("Bearer",),
    # Tokens carry a hash of the password: a password change or reset ends every
    # session made before it, refresh tokens included (what they mint is refused).
    "CHECK_REVOKE_TOKEN": True,
}
# The public address used in the tokens page's curl example ("" = this request's host).
PUBLIC_URL = os.environ.get("PUBLIC_URL", "").rstrip("/")
# The MCP server's address as agents reach it, for the tokens page's set-up snippets
# ("" = PUBLIC_URL, or this request's host, with /mcp, where nginx routes it).
MCP_URL = os.environ.get("MCP_URL", "").rstrip("/")

# --- Messengers (messaging), issue #9 -----------------------------------------------
# Without a bot token the Telegram parts are off (the cabinet says so, `check` warns).
TELEGRAM_BOT_TOKEN = os.environ.get("TELEGRAM_BOT_TOKEN", "")
# The bot's @username without the @, for the t.me deep links.
TELEGRAM_BOT_USERNAME = os.environ.get("TELEGRAM_BOT_USERNAME", "").lstrip("@")
# setWebhook's secret_token: Telegram sends it in X-Telegram-Bot-Api-Secret-Token.
TELEGRAM_WEBHOOK_SECRET = os.environ.get("TELEGRAM_WEBHOOK_SECRET", "")
# Every Bot API call goes to {TELEGRAM_API_URL}/bot{TOKEN}/{method}.
TELEGRAM_API_URL = os.environ.get("TELEGRAM_API_URL", "https://api.telegram.org").rstrip("/")
# A 429's retry_after up to this many seconds is waited out; a longer one fails the send.
TELEGRAM_MAX_RETRY_AFTER = env_int("TELEGRAM_MAX_RETRY_AFTER", 5)
# WhatsApp through Twilio (issue #10). Without the account, the token and the sender
# WhatsApp is off (the cabinet says so, `check` warns).
TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
# The WhatsApp sender, `whatsapp:+E164` (the sandbox's number while testing).
TWILIO_WHATSAPP_FROM = os.environ.get("TWILIO_WHATSAPP_FROM", "")
if TWILIO_WHATSAPP_FROM and not re.fullmatch(r"whatsapp:\+[1-9]\d{6,14}", TWILIO_WHATSAPP_FROM):
    raise ImproperlyConfigured("TWILIO_WHATSAPP_FROM must look like whatsapp:+14155238886")
# Webhooks signed with a Twilio SharedKey (X-Twilio-Webhooks-Signature-Settings names
# its id) are checked with its secret instead of the auth token.
TWILIO_WEBHOOK_KEY_SID = os.environ.get("TWILIO_WEBHOOK_KEY_SID", "")
TWILIO_WEBHOOK_KEY_SECRET = os.environ.get("TWILIO_WEBHOOK_KEY_SECRET", "")
# Approved Content Templates (HX... SIDs) for the messages Kopilka starts outside the
# 24-hour window, per purpose and language; a missing language uses the other one.
TWILIO_TEMPLATES = {
    (purpose, language): os.environ.get(f"TWILIO_TEMPLATE_{purpose.upper()}_{language.upper()}", "")
    for purpose in ("reminder", "alert", "report", "token", "test")
    for language in ("ru", "en")
}
# Voice messages (issue 27): an OpenAI-compatible speech-to-text service, called as
# POST {SPEECH_TO_TEXT_URL}/audio/transcriptions. Unset: voice messages are not heard.
SPEECH_TO_TEXT_URL = os.environ.get("SPEECH_TO_TEXT_URL", "").rstrip("/")
SPEECH_TO_TEXT_MODEL = os.environ.get("SPEECH_TO_TEXT_MODEL", "") or "whisper-1"
# Sent as `Authorization: Bearer ...` when set (a self-hosted server may need none).
SPEECH_TO_TEXT_KEY = os.environ.get("SPEECH_TO_TEXT_KEY", "")
# Chat messages are kept this long (`manage.py purge_messages`).
MESSAGES_RETENTION_DAYS = env_int("MESSAGES_RETENTION_DAYS", 180)
if MESSAGES_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("MESSAGES_RETENTION_DAYS must be at least 1")
# ---------------------------------------------------------------------------
# Background work and notifications (issue #11): procrastinate on PostgreSQL.
# ---------------------------------------------------------------------------
# Jobs one `manage.py run_worker` runs at once (sync tasks run in its threads).
QUEUE_WORKER_CONCURRENCY = env_int("QUEUE_WORKER_CONCURRENCY", 8)
# Telegram's limits, held across every worker in Redis: messages a second in all
# (0: no cap) and milliseconds between two messages to one chat.
TELEGRAM_RATE_PER_SECOND = env_int("TELEGRAM_RATE_PER_SECOND", 25)
TELEGRAM_CHAT_INTERVAL_MS = env_int("TELEGRAM_CHAT_INTERVAL_MS", 1000)
