"""Hearth's one settings module. Everything that differs between installs comes from the
environment; see docs/operations.md for every variable."""

import logging
import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger("hearth.settings")

BASE_DIR = Path(__file__).resolve().parent


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("HEARTH_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def read_or_create_secret(env_name: str, file_name: str, make) -> str:
    """Take a secret from the environment, or from a file in the data directory that is created
    on first start. A generated secret is fine for trying Hearth out; production must set it."""
    value = os.environ.get(env_name)
    if value:
        return value
    path = DATA_DIR / file_name
    if path.exists():
        return path.read_text().strip()
    value = make()
    path.write_text(value + "\n")
    path.chmod(0o600)
    logger.warning(
        "%s was not set: generated one into %s. Production installs must set %s "
        "(see docs/operations.md).",
        env_name,
        path,
        env_name,
    )
    return value


SECRET_KEY = read_or_create_secret(
    "HEARTH_SECRET_KEY", "secret_key", lambda: secrets.token_urlsafe(50)
)
# The key-encryption key wraps every per-person data key (see hearth/core/crypto.py).
HEARTH_KEY_ENCRYPTION_KEY = read_or_create_secret(
    "HEARTH_KEY_ENCRYPTION_KEY", "key_encryption_key", lambda: secrets.token_urlsafe(32)
)
# Earlier key-encryption keys, still able to unwrap until `hearth keys-rotate` has re-wrapped
# every data key under the current one (comma-separated).
HEARTH_KEY_ENCRYPTION_KEYS_RETIRED = env_list("HEARTH_KEY_ENCRYPTION_KEYS_RETIRED", "")
# Keys the blind indexes (exact lookups of a name, phone or e-mail within one organization).
# Separate from the key-encryption key so that rotating that key leaves lookups working.
HEARTH_BLIND_INDEX_KEY = read_or_create_secret(
    "HEARTH_BLIND_INDEX_KEY", "blind_index_key", lambda: secrets.token_urlsafe(32)
)

DEBUG = env_flag("HEARTH_DEBUG", False)
# Under pytest, static files are served from the app folders without collectstatic.
TESTING = env_flag("HEARTH_TESTING", False) or "pytest" in sys.modules
ALLOWED_HOSTS = env_list("HEARTH_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("HEARTH_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "hearth.core",
    "hearth.accounts",
    "hearth.directory",
    "hearth.people",
    "hearth.referrals",
    "hearth.outcomes",
    "hearth.governance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "hearth.api.middleware.OpenDataCorsMiddleware",
    "hearth.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "hearth.accounts.middleware.TwoFactorRequiredMiddleware",
    "hearth.core.middleware.RequestOriginMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "hearth.urls"
WSGI_APPLICATION = "hearth.wsgi.application"

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
                "django.contrib.messages.context_processors.messages",
                "hearth.core.context_processors.shell",
            ],
        },
    },
]
FORM_RENDERER = "hearth.core.forms.GovukFormRenderer"

# Uploaded files (expense receipts) are private: kept in the data directory and only ever
# served through a view that checks who is asking, never as static files.
MEDIA_ROOT = DATA_DIR / "private-files"
MEDIA_URL = "/private-files/"

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'hearth.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
# Django's own backends with the audit trail's write-last buffer (hearth/core/db).
_HEARTH_BACKENDS = {
    "django.db.backends.sqlite3": "hearth.core.db.sqlite3",
    "django.db.backends.postgresql": "hearth.core.db.postgresql",
}
DATABASES["default"]["ENGINE"] = _HEARTH_BACKENDS.get(
    DATABASES["default"]["ENGINE"], DATABASES["default"]["ENGINE"]
)
if DATABASES["default"]["ENGINE"] == "hearth.core.db.sqlite3":
    # IMMEDIATE transactions take the write lock at BEGIN, so concurrent writers queue instead of
    # failing half-way; WAL lets readers continue while one writes. Connections are kept between
    # requests like PostgreSQL's (CONN_MAX_AGE above): opening one and setting it up cost about
    # 2.5 ms of CPU a request, more than reading a referral through the API (benchmarks/README.md).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests use an in-memory database (named explicitly: test runners recognise Django's own
    # engine name only).
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
elif DATABASES["default"]["ENGINE"] == "hearth.core.db.postgresql" and env_flag(
    "HEARTH_PG_PREPARE", True
):
    # Parameters are sent apart from the statement and a statement run a few times on a
    # connection is prepared once: PostgreSQL stops parsing and planning the same queries again
    # and again, and psycopg stops quoting every value in Python. A pooler in transaction mode
    # (pgbouncer before 1.21) cannot keep prepared statements: HEARTH_PG_PREPARE=false there.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=5
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "core:home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2

OTP_TOTP_ISSUER = "Hearth"
# Roles whose holders can see personal data must use two-factor sign-in (see
# hearth/accounts/rules.py). Turning this off is for development only.
HEARTH_TWO_FACTOR_REQUIRED = env_flag("HEARTH_TWO_FACTOR_REQUIRED", True)

# Sign-in throttling: this many failures for one e-mail address, or from one address on the
# network, within the window locks further attempts until the window has passed.
HEARTH_SIGN_IN_MAX_FAILURES_PER_ACCOUNT = 5
HEARTH_SIGN_IN_MAX_FAILURES_PER_ORIGIN = 20
HEARTH_SIGN_IN_WINDOW_MINUTES = 15
HEARTH_INVITATION_DAYS = 7

# Directory listings not confirmed within this many days are flagged as possibly out of date
# (a network can set its own period).
HEARTH_LISTING_STALE_AFTER_DAYS = 180
# A disclosure consent lasts this many days unless the network or the person chooses otherwise.
HEARTH_CONSENT_DAYS = 90
# A referral not acknowledged within this many working days (Monday to Friday) is flagged and its
# sender reminded; a network can set its own.
HEARTH_REFERRAL_ACK_WORKING_DAYS = 2
# Published counts below this are hidden, with whatever would let them be worked out.
HEARTH_SUPPRESSION_THRESHOLD = int(os.environ.get("HEARTH_SUPPRESSION_THRESHOLD", "11"))
# The address Hearth is reached at, for links in e-mails.
HEARTH_SITE_URL = os.environ.get("HEARTH_SITE_URL", "http://127.0.0.1:8000")
# Emergency ("break the glass") access lasts this many minutes.
HEARTH_BREAK_GLASS_MINUTES = 60

# Where the quick-exit control takes a person: a neutral, everyday page.
HEARTH_QUICK_EXIT_URL = os.environ.get("HEARTH_QUICK_EXIT_URL", "https://www.bbc.co.uk/weather")

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "hearth_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
USE_I18N = True
TIME_ZONE = os.environ.get("HEARTH_TIME_ZONE", "UTC")
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# Security: cookies are Secure unless DEBUG, or unless explicitly turned off for a plain-http
# local demo (`make run` does that; production sits behind HTTPS).
SECURE_COOKIES = env_flag("HEARTH_SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
LANGUAGE_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_NAME = "hearth_session"
SESSION_COOKIE_AGE = 60 * 60 * 8
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "hearth.core.errors.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "no-referrer"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_flag("HEARTH_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("HEARTH_HSTS_SECONDS", "0"))
if env_flag("HEARTH_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

EMAIL_BACKEND = os.environ.get(
    "HEARTH_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("HEARTH_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("HEARTH_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("HEARTH_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("HEARTH_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_flag("HEARTH_EMAIL_USE_TLS", False)
# Notification e-mails go out when a request's transaction commits: a mail server that does not
# answer must not hold the request (and its worker) for long.
EMAIL_TIMEOUT = int(os.environ.get("HEARTH_EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("HEARTH_FROM_EMAIL", "Hearth <no-reply@hearth.invalid>")

# Which address on the network a request came from, for the audit trail. Behind a reverse
# proxy, name the header it sets (e.g. HTTP_X_FORWARDED_FOR); otherwise the socket address.
HEARTH_CLIENT_IP_HEADER = os.environ.get("HEARTH_CLIENT_IP_HEADER", "REMOTE_ADDR")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("HEARTH_LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}
