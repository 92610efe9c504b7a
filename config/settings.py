"""Inspraak settings: one module, driven by the environment."""
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


DEBUG = env_bool("DEBUG", False)
# Sessions, CSRF tokens and password resets are signed with SECRET_KEY: a key known
# from the source would let anyone forge them, so only DEBUG may fall back to one.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set whenever DEBUG is off: put a long random value in the environment "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), or set DEBUG=1 for development.")
    SECRET_KEY = "insecure-development-key-set-SECRET_KEY-in-production"
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "daphne",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "channels",
    "axes",
    "csp",
    "workshops",
    "deliberation",
    "frontend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
            ],
        },
    },
]

# SQLite (the embedded default) runs in WAL mode with IMMEDIATE transactions so
# that concurrent writers queue on the lock instead of failing to upgrade it.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # pytest-django's test database: a file of its own, since sockets reach it from other threads.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / f"test-{os.getpid()}.sqlite3")}
# Under ASGI every HTTP request runs in a thread of its own and every socket
# command in the process's one database thread, so a persistent connection
# (CONN_MAX_AGE) is seldom reused and none at all means a new connection per
# command. PostgreSQL gets a psycopg pool per process instead: at most
# DATABASE_POOL_SIZE connections (0 turns it off), borrowed per request or command.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_int("DATABASE_POOL_SIZE", 10) > 0:
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # Django refuses persistent connections with a pool
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 2, "max_size": env_int("DATABASE_POOL_SIZE", 10), "timeout": 10}
if os.environ.get("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    from redis.connection import parse_url

    # Redis's publish/subscribe, not channels-redis's queues: the only listener is one hub per process
    # (workshops.hub), which fills whatever it misses from the database, so a queue's guarantees buy
    # nothing, and the core layer took seven round trips per event (a group's members, a script per
    # send, a blocking pop per receive) where PUBLISH is one (bench/README.md, nineteenth round).
    # Channel names are global to a Redis server, not per database number as keys are: the prefix
    # carries the number, so that two sites on one Redis never hear each other's workshops.
    # workshops.layer is that layer with a receiver that waits for Redis instead of polling it.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "workshops.layer.RedisChannelLayer",
            "CONFIG": {
                "hosts": [{"address": REDIS_URL}],
                "prefix": f"{os.environ.get('CHANNEL_PREFIX', 'inspraak')}:{parse_url(REDIS_URL).get('db', 0)}:",
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 10000}}}

# The cache holds the rate-limit counters (workshops/limits.py), so on Redis every worker shares them.
# Its keys start with "<CHANNEL_PREFIX>-cache:" (the channel layer's channels are no keys); a short
# timeout keeps a lost Redis from stalling the database thread that checks the limits.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"{os.environ.get('CHANNEL_PREFIX', 'inspraak')}-cache",
            "OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en"
# The languages the pages are translated into: those a workshop can be held in (Belgium's three and English).
LANGUAGES = [("nl", "Nederlands"), ("en", "English"), ("fr", "Français"), ("de", "Deutsch")]
# The catalogues are in frontend/locale (the pages) and workshops/locale (mail and the confirmation
# page), found through their apps: no LOCALE_PATHS. The .mo files are compiled with msgfmt and committed.
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
# Daphne serves /static/ itself unless a reverse proxy does it (SERVE_STATIC=0).
SERVE_STATIC = env_bool("SERVE_STATIC", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 30
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Behind the reverse proxy of docs/deploy.md: trust its X-Forwarded-Proto and the last
# hop of its X-Forwarded-For (workshops.clients), and nothing a client sends past it.
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
# HTTPS only (docs/deploy.md sets these; `manage.py check --deploy` asks for them).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Limits. The defaults are ones a lively real workshop never hits.
INSPRAAK = {
    "MAX_FRAME_BYTES": 16 * 1024,
    "RATE_LIMIT_COMMANDS": env_int("INSPRAAK_RATE_LIMIT_COMMANDS", 20),  # commands per window
    "RATE_LIMIT_WINDOW_S": env_int("INSPRAAK_RATE_LIMIT_WINDOW_S", 10),
    "RATE_LIMIT_JOINS": env_int("INSPRAAK_RATE_LIMIT_JOINS", 60),  # new participants per client address
    "RATE_LIMIT_JOINS_WINDOW_S": env_int("INSPRAAK_RATE_LIMIT_JOINS_WINDOW_S", 600),
    "MAX_SOCKETS_PER_PARTICIPANT": env_int("INSPRAAK_MAX_SOCKETS_PER_PARTICIPANT", 4),
    "MAX_BUFFERED_BYTES": env_int("INSPRAAK_MAX_BUFFERED_BYTES", 1024 * 1024),
    "EVENT_RETENTION_HOURS": env_int("INSPRAAK_EVENT_RETENTION_HOURS", 24 * 7),
    # A resume further behind than this many events gets a full snapshot, kept per process, instead
    # of its own replay: each replay is read and encoded for its socket alone, and thousands of them
    # at once (everyone back after a worker restart or a stall) took the workers down (bench/README.md).
    "MAX_REPLAY": env_int("INSPRAAK_MAX_REPLAY", 500),
    "HUB_RESYNC_S": float(os.environ.get("INSPRAAK_HUB_RESYNC_S", "5")),
    # Events that only update counts or presence wait at most this long, to go out together (2.3):
    # a socket gets at most 1 / COALESCE_S frames a second of them, whatever the vote rate. Not 0.25:
    # a hand-over reaches the sockets as late as its worker gets a core, and on a busy machine that
    # varies by 100 ms or more, which put a fifth frame in a socket's second (bench/README.md).
    "COALESCE_S": float(os.environ.get("INSPRAAK_COALESCE_S", "0.3")),
    # How often every process tells the reaction counts that changed (deliberation.tallies).
    "TALLY_S": float(os.environ.get("INSPRAAK_TALLY_S", "0.25")),
    # Seconds between the server's own full garbage collections (workshops.background.settle_memory); 0: off.
    "GC_SETTLE_S": env_int("INSPRAAK_GC_SETTLE_S", 600),
    # Threads that run the sockets' database work (opening, welcomes, commands) in each process. One
    # thread made every socket of a process wait while one command waited on PostgreSQL (a round
    # trip, a row lock); on SQLite, whose writers take turns anyway, one is kept.
    "DB_THREADS": env_int("INSPRAAK_DB_THREADS",
                          1 if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" else 4),
    # A welcome's shared parts this large are kept per process for a moment and reused (workshops.snapshot).
    "SNAPSHOT_KEEP_BYTES": env_int("INSPRAAK_SNAPSHOT_KEEP_BYTES", 64 * 1024),
    # Where people reach the site (https://inspraak.example.org), for links that leave the page
    # (the Atom feed, mail); unset, a link starts with the host the request came to.
    "PUBLIC_URL": os.environ.get("INSPRAAK_PUBLIC_URL", "").rstrip("/"),
    # Mail (PROTOCOL 3.3): the first notification for a person opens a window this long; everything
    # for them in it goes out in one mail when it closes.
    "NOTIFY_DELAY_S": env_int("INSPRAAK_NOTIFY_DELAY_S", 300),
    # Addresses are deleted this long after the workshop's last official response (or its end).
    "CONTACT_RETENTION_DAYS": env_int("INSPRAAK_CONTACT_RETENTION_DAYS", 365),
    # How long a process's claim on a batch of mail holds (workshops.mail): after a crash, what it had
    # not sent goes out this much later from another process. A batch stops sending at half of it.
    "MAIL_LEASE_S": env_int("INSPRAAK_MAIL_LEASE_S", 120),
    # An answered proposal whose last response is older than this many days is due an update: it is
    # listed on the officials' page and in their weekly mail (deliberation.officials).
    "UPDATE_DUE_DAYS": env_int("INSPRAAK_UPDATE_DUE_DAYS", 30),
}
CSRF_FAILURE_VIEW = "workshops.api.csrf_failure"

# Mail goes out over SMTP from the environment (PROTOCOL 3.3); with no EMAIL_HOST it is printed to
# the console instead. Links in mail start with INSPRAAK_PUBLIC_URL, the address citizens reach.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = ("django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST
                 else "django.core.mail.backends.console.EmailBackend")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
# A relay that stops answering must not hold a batch (and its lease, workshops.mail) for long.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Inspraak <inspraak@localhost>")
PUBLIC_URL = os.environ.get("INSPRAAK_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

# Login throttle: django-axes keeps the failures in the database, so every worker
# counts the same ones. axes has one failure limit; workshops.logins.LoginThrottle
# gives each lockout parameter set below a limit of its own (failures per window).
LOGIN_THROTTLE = {
    ("username", "ip_address"): env_int("INSPRAAK_LOGIN_FAILURES_PER_USERNAME", 10),
    ("ip_address",): env_int("INSPRAAK_LOGIN_FAILURES_PER_ADDRESS", 100),
}
AXES_LOCKOUT_PARAMETERS = [list(parameters) for parameters in LOGIN_THROTTLE]
AXES_HANDLER = "workshops.logins.LoginThrottle"
AXES_FAILURE_LIMIT = 100  # the scale LoginThrottle.get_failures answers in, not a limit of its own
AXES_COOLOFF_TIME = timedelta(seconds=env_int("INSPRAAK_LOGIN_WINDOW_S", 15 * 60))
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # a lockout ends when the window has passed
AXES_CLIENT_IP_CALLABLE = "workshops.clients.client_ip"
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
# The login view answers a lockout itself (429 `rate_limited` with retry_after), so
# axes' middleware, which would turn a request into its own lockout page, is left out.
SILENCED_SYSTEM_CHECKS = ["axes.W002"]

# Content-Security-Policy (django-csp 4): no inline script or style anywhere, no
# framing; 'self' covers the page's own ws:// and wss:// origin too (CSP Level 3).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
