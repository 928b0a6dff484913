"""Daybook settings. Everything comes from the environment, with safe defaults.

See README.md, section "Configuration", for every variable.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from daybook.env import env_bool, env_int, env_list, env_str, load_local_secrets

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("DAYBOOK_DATA_DIR", str(BASE_DIR / "data"))).resolve()

_secrets = load_local_secrets(DATA_DIR)
SECRET_KEY = _secrets["secret_key"]
DAYBOOK_MASTER_KEY = _secrets["master_key"]
# Earlier master keys, kept only to unwrap case keys until `manage.py rotate_master_key` has re-wrapped them:
# DAYBOOK_OLD_MASTER_KEYS (comma-separated), plus "old_master_keys" in the local secrets file.
DAYBOOK_OLD_MASTER_KEYS = env_list("DAYBOOK_OLD_MASTER_KEYS", []) + _secrets.get("old_master_keys", [])

DEBUG = env_bool("DAYBOOK_DEBUG", False)
ALLOWED_HOSTS = env_list("DAYBOOK_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DAYBOOK_CSRF_TRUSTED_ORIGINS", [])

# The name shown in the header and page titles: neutral by default, configurable.
DAYBOOK_DISPLAY_NAME = env_str("DAYBOOK_DISPLAY_NAME", "Daybook")
# Where "Exit this page" sends the person: an ordinary, neutral site.
DAYBOOK_EXIT_URL = env_str("DAYBOOK_EXIT_URL", "https://www.bbc.co.uk/weather")

# The administration pages (/admin/: help contacts, licensed wording, staff) are off unless turned on; when on,
# they need a staff account signed in through Daybook's own sign-in with a second step (daybook/admin_site.py).
DAYBOOK_ADMIN = env_bool("DAYBOOK_ADMIN", False)

INSTALLED_APPS = [
    "daybook.apps.DaybookAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "django_tasks",
    "django_tasks_db",
    "kernel",
    "daybook.apps.DaybookConfig",
    "audit",
    "chain",
    "accounts",
    "cases",
    "diary",
    "evidence",
    "insights",
    "support",
    "reports",
    "imports",
    "ops",
    "organisations",
    "casework",
    "justice",
    "circle",
    "care",
    "api",
    # issue 15 item 7: cover, supervision and staff safety
    "cover",
    # Governance: closure, records law, returns (issue 16).
    "governance",
    "takeout",  # my data: export, load, deletion, neutral notices (issue 17, account17)
]

MIDDLEWARE = [
    "daybook.local.LoopbackOnlyMiddleware",
    "daybook.security.SecurityHeadersMiddleware",
    "ops.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "daybook.csrf.DaybookCsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "kernel.traces.NextInSessionMiddleware",
    "daybook.helpbar.HelpBarMiddleware",  # the shorter help bar after the first signed-in page (issue 13)
    "takeout.middleware.GoneMiddleware",  # a case its owner deleted is "gone" (410) to them (issue 17, account17)
]

ROOT_URLCONF = "daybook.urls"
WSGI_APPLICATION = "daybook.wsgi.application"

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
                "daybook.context_processors.daybook",
            ],
        },
    }
]

# Database: SQLite by default (WAL, IMMEDIATE transactions, a busy timeout); DATABASE_URL for PostgreSQL.
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    # conn_health_checks: a kept connection is checked before each request reuses it, so after a database restart (or a
    # failover, or a connection cut by a pooler) the next request reconnects instead of failing once per web thread.
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "daybook.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                "init_command": ("PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA busy_timeout=30000;PRAGMA foreign_keys=ON;"),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A cache shared by every server process (rate limits and lockout must hold across workers).
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "daybook_cache",
        }
    }

# Background tasks: the database backend by default (no other server needed); "rq" puts them on Redis (REDIS_URL, or
# DAYBOOK_RQ_URL for a separate Redis) so that workers on any number of machines share one queue.
TASKS_BACKENDS = {"database": "django_tasks_db.DatabaseBackend", "rq": "django_tasks_rq.RQBackend"}
_tasks_backend = env_str("DAYBOOK_TASKS_BACKEND", "database")
TASKS = {"default": {"BACKEND": TASKS_BACKENDS.get(_tasks_backend, _tasks_backend)}}
if TASKS["default"]["BACKEND"] == TASKS_BACKENDS["rq"]:
    INSTALLED_APPS.append("django_rq")
RQ_URL = env_str("DAYBOOK_RQ_URL", REDIS_URL or "redis://127.0.0.1:6379/0")
RQ_QUEUES = {"default": {"URL": RQ_URL, "DEFAULT_TIMEOUT": 3600}}

# Passwords: Argon2 first; passphrases judged on length and an offline common-password list.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.validators.PassphraseLengthValidator", "OPTIONS": {"min_length": 12, "max_length": 200}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.validators.NotRepetitiveValidator"},
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# django-allauth
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
# "mandatory" is the only setting under which sign-up, too, looks the same whether or not an address has an account.
# The simpler flows ("optional", "none": a new account is signed in at once) are for one person on one machine and
# only work there: daybook.local.LoopbackOnlyMiddleware then refuses every request not made on this machine
# (scripts/run.sh chooses "optional" when it listens on 127.0.0.1), and `manage.py check` refuses them with HTTPS,
# proxies or host names other than this machine's.
ACCOUNT_EMAIL_VERIFICATION = env_str("DAYBOOK_EMAIL_VERIFICATION", "mandatory")
if ACCOUNT_EMAIL_VERIFICATION not in {"mandatory", "optional", "none"}:
    raise ValueError(f"DAYBOOK_EMAIL_VERIFICATION must be mandatory, optional or none, got {ACCOUNT_EMAIL_VERIFICATION!r}")
DAYBOOK_LOCAL_ONLY = ACCOUNT_EMAIL_VERIFICATION != "mandatory"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/15m/key",
    "signup": "20/h/ip",
    "reset_password": "20/m/ip,5/h/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
}
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = True  # a reset for an unknown address gets the same page, and a neutral email
ACCOUNT_ADAPTER = "accounts.adapter.DaybookAccountAdapter"
ACCOUNT_FORMS = {
    "signup": "accounts.forms.DaybookSignupForm",
    "login": "accounts.forms.DaybookLoginForm",
    "reauthenticate": "accounts.forms.DaybookReauthenticateForm",
    "reset_password": "accounts.forms.DaybookResetPasswordForm",
    "reset_password_from_key": "accounts.forms.DaybookResetPasswordKeyForm",
    "change_password": "accounts.forms.DaybookChangePasswordForm",
    "set_password": "accounts.forms.DaybookSetPasswordForm",
    "add_email": "accounts.forms.DaybookAddEmailForm",
}
# Behind a reverse proxy, rate limits must count the person's address, not the proxy's.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("DAYBOOK_TRUSTED_PROXY_COUNT", 0)
# A passphrase reset link works for one hour only.
PASSWORD_RESET_TIMEOUT = env_int("DAYBOOK_PASSWORD_RESET_TIMEOUT_SECONDS", 3600)
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
LOGIN_URL = "account_login"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_PASSKEY_SIGNUP_ENABLED = False
MFA_TOTP_ISSUER = DAYBOOK_DISPLAY_NAME
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = env_bool("DAYBOOK_WEBAUTHN_ALLOW_INSECURE_ORIGIN", False)
MFA_ADAPTER = "accounts.adapter.DaybookMFAAdapter"
MFA_FORMS = {
    "authenticate": "accounts.forms.DaybookAuthenticateForm",
    "reauthenticate": "accounts.forms.DaybookMFAReauthenticateForm",
    "activate_totp": "accounts.forms.DaybookActivateTOTPForm",
    "add_webauthn": "accounts.forms.DaybookAddWebAuthnForm",
    "edit_webauthn": "accounts.forms.DaybookEditWebAuthnForm",
    "login_webauthn": "accounts.forms.DaybookLoginWebAuthnForm",
    "authenticate_webauthn": "accounts.forms.DaybookAuthenticateWebAuthnForm",
    "reauthenticate_webauthn": "accounts.forms.DaybookReauthenticateWebAuthnForm",
}
USERSESSIONS_TRACK_ACTIVITY = True

# E-mail: nothing is sent unless configured; by default messages are written to files in the data folder.
EMAIL_BACKEND = env_str("DAYBOOK_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = DATA_DIR / "outbox"
EMAIL_HOST = env_str("DAYBOOK_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DAYBOOK_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("DAYBOOK_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("DAYBOOK_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DAYBOOK_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DAYBOOK_FROM_EMAIL", "no-reply@localhost")

# Sessions: an idle timeout (default 20 minutes), renewed on every request; gone when the browser closes.
# With REDIS_URL, sessions are read from Redis and written through to the database ("cached_db"): every web node
# reads the same session without a database query, and the database row stays the record that signing out, "sign
# out everywhere" (allauth's usersessions) and deleting an account remove, so a revoked session is gone from both.
if REDIS_URL:
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
DAYBOOK_IDLE_TIMEOUT_MINUTES = env_int("DAYBOOK_IDLE_TIMEOUT_MINUTES", 20)
SESSION_COOKIE_AGE = DAYBOOK_IDLE_TIMEOUT_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
# The CSRF cookie ends with the browser session, like the session cookie: nothing outlives it on a shared device.
CSRF_COOKIE_AGE = None

# HTTPS: secure cookies and HSTS when served over HTTPS (DAYBOOK_HTTPS=1 behind a TLS proxy).
DAYBOOK_HTTPS = env_bool("DAYBOOK_HTTPS", False)
SESSION_COOKIE_SECURE = DAYBOOK_HTTPS
CSRF_COOKIE_SECURE = DAYBOOK_HTTPS
SECURE_SSL_REDIRECT = DAYBOOK_HTTPS and env_bool("DAYBOOK_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if DAYBOOK_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = DAYBOOK_HTTPS
SECURE_HSTS_PRELOAD = DAYBOOK_HTTPS
if DAYBOOK_HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
# No referrer is ever sent. Browsers then post forms with "Origin: null": daybook/csrf.py accepts that for
# same-origin fetches (Sec-Fetch-Site) while still checking the CSRF token.
SECURE_REFERRER_POLICY = "no-referrer"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = [
    # W003 looks for django.middleware.csrf.CsrfViewMiddleware by name. Daybook runs a subclass of it
    # (daybook.csrf.DaybookCsrfViewMiddleware, needed for Referrer-Policy: no-referrer) that checks every token
    # exactly as Django does; the check daybook.E001 (daybook/checks.py) makes sure it is in MIDDLEWARE instead.
    "security.W003",
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("DAYBOOK_TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "build" / "collected"
STATICFILES_DIRS = [BASE_DIR / "build" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": DATA_DIR / "files"}},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# S3-compatible object storage (AWS S3, MinIO, SeaweedFS, Ceph...) for everything stored, instead of DATA_DIR/files:
# set DAYBOOK_S3_BUCKET. Without an access key, boto3 finds credentials its usual way (environment, instance role).
# Path-style addressing is the default when an endpoint is given (self-hosted servers), virtual-hosted otherwise.
S3_BUCKET = env_str("DAYBOOK_S3_BUCKET", "")
if S3_BUCKET:
    _s3_endpoint = env_str("DAYBOOK_S3_ENDPOINT_URL", "") or None
    STORAGES["default"] = {
        "BACKEND": "vault.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": _s3_endpoint,
            "access_key": env_str("DAYBOOK_S3_ACCESS_KEY", "") or None,
            "secret_key": env_str("DAYBOOK_S3_SECRET_KEY", "") or None,
            "region_name": env_str("DAYBOOK_S3_REGION", "") or None,
            "location": env_str("DAYBOOK_S3_PREFIX", ""),
            "addressing_style": env_str("DAYBOOK_S3_ADDRESSING_STYLE", "path" if _s3_endpoint else "") or None,
            "verify": env_bool("DAYBOOK_S3_VERIFY_TLS", True),
            "default_acl": None,
            "querystring_auth": True,
        },
    }

# Evidence locker: the largest file a person may upload (default 4 GiB), how long an unfinished upload is
# kept, and whether sealed files are flushed to disk (fsync) before they count as saved.
EVIDENCE_MAX_UPLOAD_BYTES = env_int("DAYBOOK_MAX_UPLOAD_BYTES", 4 * 1024**3)
EVIDENCE_UPLOAD_EXPIRY_HOURS = env_int("DAYBOOK_UPLOAD_EXPIRY_HOURS", 48)
EVIDENCE_FSYNC = env_bool("DAYBOOK_EVIDENCE_FSYNC", True)

# Cases with up to this many chain entries are checked for changes while the integrity page loads; larger
# ones are checked by the background worker.
DAYBOOK_INLINE_VERIFY_ENTRIES = env_int("DAYBOOK_INLINE_VERIFY_ENTRIES", 3000)
DAYBOOK_INLINE_VERIFY_BYTES = env_int("DAYBOOK_INLINE_VERIFY_BYTES", 256 * 1024 * 1024)
# A background job (report, integrity check, import) stamps a heartbeat this often; silent this long, it is dead.
DAYBOOK_HEARTBEAT_SECONDS = env_int("DAYBOOK_HEARTBEAT_SECONDS", 5)
DAYBOOK_JOB_DEAD_SECONDS = env_int("DAYBOOK_JOB_DEAD_SECONDS", 60)

# Reports and evidence bundles: how long a finished report stays downloadable before it is deleted, the longest a
# hand-over link may last, and an optional RFC 3161 time-stamping authority (empty: no trusted timestamp).
DAYBOOK_REPORT_TTL_HOURS = env_int("DAYBOOK_REPORT_TTL_HOURS", 7 * 24)
DAYBOOK_HANDOVER_MAX_DAYS = env_int("DAYBOOK_HANDOVER_MAX_DAYS", 14)
DAYBOOK_TSA_URL = env_str("DAYBOOK_TSA_URL", "")
DAYBOOK_TSA_CA_FILE = env_str("DAYBOOK_TSA_CA_FILE", "")

# Service side: calls per minute per police API credential; self-referral forms per hour per address and per
# organisation (casework/selfreferral.py).
DAYBOOK_API_RATE_PER_MINUTE = env_int("DAYBOOK_API_RATE_PER_MINUTE", 600)
DAYBOOK_SELF_REFERRALS_PER_HOUR = env_int("DAYBOOK_SELF_REFERRALS_PER_HOUR", 5)
DAYBOOK_SELF_REFERRALS_PER_HOUR_PER_ORG = env_int("DAYBOOK_SELF_REFERRALS_PER_HOUR_PER_ORG", 300)

# Imports: the largest attached file taken out of a WhatsApp zip, the total per import and the most files per import.
IMPORT_MAX_MEDIA_BYTES = env_int("DAYBOOK_IMPORT_MAX_MEDIA_BYTES", 512 * 1024**2)
IMPORT_MAX_MEDIA_TOTAL_BYTES = env_int("DAYBOOK_IMPORT_MAX_MEDIA_TOTAL_BYTES", 4 * 1024**3)
IMPORT_MAX_MEDIA_FILES = env_int("DAYBOOK_IMPORT_MAX_MEDIA_FILES", 5000)

# /healthz reports the queue as failing when a task has waited this many seconds for a worker.
DAYBOOK_HEALTH_QUEUE_STUCK_AFTER = env_int("DAYBOOK_HEALTH_QUEUE_STUCK_AFTER", 300)
# /metrics (Prometheus) answers only a request carrying this token (Authorization: Bearer ...); unset: a plain 404.
DAYBOOK_METRICS_TOKEN = env_str("DAYBOOK_METRICS_TOKEN", "")

# Limits on what a person can type, stated on the forms.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 400

# Logs: one JSON object a line (ops/logs.py), never a person's words; DAYBOOK_LOG_LEVEL=INFO adds a line per request
# (route pattern, method, status, time). DAYBOOK_LOG_FORMAT=text for plain lines.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "ops.logs.JsonFormatter"}, "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": env_str("DAYBOOK_LOG_FORMAT", "json")}},
    "root": {"handlers": ["console"], "level": env_str("DAYBOOK_LOG_LEVEL", "WARNING")},
    # WeasyPrint's font subsetting logs every table it touches; only its warnings matter.
    "loggers": {
        "fontTools": {"level": "WARNING"},
        "weasyprint": {"level": "ERROR"},
        # The report's progress bar follows WeasyPrint's per-page messages (reports/pdf.py); they are not logged.
        "weasyprint.progress": {"level": "INFO", "propagate": False},
    },
}

# My data (issue 17, account17): how long an export stays downloadable, the most an export to load may hold once
# opened, and the cooling-off period before a whole account is deleted (the diary may be the only copy).
DAYBOOK_EXPORT_TTL_HOURS = env_int("DAYBOOK_EXPORT_TTL_HOURS", 48)
DAYBOOK_EXPORT_LOAD_MAX_BYTES = env_int("DAYBOOK_EXPORT_LOAD_MAX_BYTES", 16 << 30)
DAYBOOK_DELETION_COOLING_DAYS = env_int("DAYBOOK_DELETION_COOLING_DAYS", 7)
