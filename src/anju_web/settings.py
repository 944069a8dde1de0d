"""Django settings for the anju web system.

Everything deployment-specific comes from the environment:

``ANJU_WEB_DEBUG``            ``1`` for local development (``make serve``); off by default.
``ANJU_WEB_DATA_DIR``         where the SQLite file, the secret key and evidence files live: an absolute path,
                              required in production (DEBUG off); ``make serve`` (DEBUG) defaults to ``./var``.
``ANJU_WEB_CAPTCHA_AFTER``    after this many failed logins (per account or address) the login asks for a 验证码 (2).
``ANJU_WEB_DATABASE_URL``     or ``DATABASE_URL``: ``postgresql://user@host:5432/name``; SQLite by default.
``ANJU_WEB_SECRET_KEY``       the secret key; otherwise one is generated once into the data directory.
``ANJU_WEB_ALLOWED_HOSTS``    comma separated (``127.0.0.1,localhost``).
``ANJU_WEB_SECURE_SSL_REDIRECT`` ``1`` behind HTTPS; ``ANJU_WEB_HSTS_SECONDS`` HSTS max-age.
``ANJU_EVIDENCE_MAX_BYTES``   the largest evidence file accepted (20 MiB).
``ANJU_WEB_REDIS_URL``       the job queue (``redis://127.0.0.1:6379/0``); unset: jobs run at once in the request.
``ANJU_WEB_JOB_QUEUE``        the queue's name (``anju``); ``ANJU_WEB_JOB_TIMEOUT`` seconds a job may run (3600).
``ANJU_WEB_EVIDENCE_STORAGE`` the storage class of evidence files (default: the local directory
                              ``ANJU_WEB_EVIDENCE_DIR``); ``ANJU_WEB_EVIDENCE_STORAGE_OPTIONS`` its options as JSON.
``ANJU_WEB_SECURE_COOKIES``   defaults to on when DEBUG is off; ``0`` only for plain-HTTP loopback benchmarks.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import tempfile
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

import dj_database_url
import django_stubs_ext
import jinja2
from django.core.exceptions import ImproperlyConfigured

django_stubs_ext.monkeypatch()  # lets admin.ModelAdmin[Model] and similar generics work at run time

PACKAGE_DIR = Path(__file__).resolve().parent


def _flag(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _flag("ANJU_WEB_DEBUG")


class DataDirError(ImproperlyConfigured):
    """The data directory is not configured as production needs (a Chinese start-up error)."""


def data_dir(environ: Any = os.environ, *, debug: bool = DEBUG) -> Path:
    """Where the database, the key and the evidence live. Production must name it, absolutely:
    a relative or missing ``ANJU_WEB_DATA_DIR`` would silently give a new empty database and key
    wherever the server happened to start. Development (DEBUG) defaults to ``./var``; a test run
    (pytest) to a private temporary directory."""
    raw = str(environ.get("ANJU_WEB_DATA_DIR", "")).strip()
    if raw:
        if not (PurePosixPath(raw).is_absolute() or PureWindowsPath(raw).is_absolute()):
            raise DataDirError(
                f"数据目录 ANJU_WEB_DATA_DIR 须为绝对路径（如 /srv/anju/var），现为“{raw}”："
                "相对路径会随启动目录变化，导致使用另一个空数据库和另一个密钥。")
        return Path(raw).resolve()
    if debug:
        return Path("var").resolve()
    if environ.get("PYTEST_VERSION"):
        return Path(tempfile.gettempdir()) / f"anju-web-pytest-{os.getuid() if hasattr(os, 'getuid') else 0}"
    raise DataDirError(
        "未设置数据目录：生产环境（未设置 ANJU_WEB_DEBUG=1）须用环境变量 ANJU_WEB_DATA_DIR 指定数据目录的绝对路径"
        "（如 ANJU_WEB_DATA_DIR=/srv/anju/var），其中保存数据库、密钥和佐证材料。本机开发请用 make serve。")


DATA_DIR = data_dir()


def _private_dir(path: Path) -> Path:
    """The data directory, created 0700 (it holds the database, the key and the evidence)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _private_file(path: Path) -> Path:
    """Create ``path`` empty and 0600 if it does not exist (SQLite then opens it as it is)."""
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    return path


def _secret_key() -> str:
    key = os.environ.get("ANJU_WEB_SECRET_KEY")
    if key:
        return key
    path = DATA_DIR / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    _private_dir(DATA_DIR)
    key = secrets.token_urlsafe(50)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ANJU_WEB_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]

INSTALLED_APPS = [
    "anju_web.admin_site.AnjuAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "axes",
    "captcha",
    "anju_web.regions",
    "anju_web.submissions",
    "anju_web.reviews",
    "anju_web.evidence",
    "anju_web.audit",
    "anju_web.reports",
    "anju_web.allocations",
    "anju_web.audits",
    "anju_web.performance",
    "anju_web.national",
    "anju_web.api",
    "anju_web.accounts",
    "anju_web.jobs",
    "anju_web.help",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "anju_web.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "anju_web.middleware.DatabaseUnavailableMiddleware",
    "anju_web.middleware.ClientAddressMiddleware",
    "anju_web.middleware.BearerDownloadMiddleware",
    "anju_web.middleware.IdleTimeoutMiddleware",
    # Login throttling and lockout (django-axes): last, as its documentation asks.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "anju_web.accounts.backends.ModelBackend",  # Django's, with the profile read alongside
]
# 等保 login-failure handling: 5 failed logins lock the account, and 5 from one address lock that
# address, for 15 minutes (each failure is in the audit log with its IP). Success resets the count.
AXES_FAILURE_LIMIT = int(os.environ.get("ANJU_WEB_LOGIN_FAILURES", "5"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("ANJU_WEB_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "anju_web.accounts.views.locked_out"
AXES_VERBOSE = False
CAPTCHA_AFTER = int(os.environ.get("ANJU_WEB_CAPTCHA_AFTER", "2"))
"""After this many failed sign-ins (per account or per address) the login asks for a 验证码 (0: never)."""
CAPTCHA_LENGTH = 4
CAPTCHA_TIMEOUT = 5  # minutes
CAPTCHA_CHALLENGE_FUNCT = "captcha.helpers.random_char_challenge"
CAPTCHA_IMAGE_SIZE = (120, 40)
CAPTCHA_FONT_SIZE = 28
IDLE_TIMEOUT_SECONDS = int(os.environ.get("ANJU_WEB_IDLE_MINUTES", "30")) * 60
"""A session idle this long is signed out (等保 idle timeout); SESSION_COOKIE_AGE bounds it in all."""

ROOT_URLCONF = "anju_web.urls"
WSGI_APPLICATION = "anju_web.wsgi.application"

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
                "anju_web.context_processors.role_context",
            ],
        },
    },
    {
        # Only for hot loops inside Django pages ({% jinja %} in submissions/templatetags/anju_fast.py).
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [PACKAGE_DIR / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "anju_web.jinja_env.environment", "autoescape": True,
                    "undefined": jinja2.StrictUndefined, "auto_reload": DEBUG},
    },
]


def _database() -> dict[str, Any]:
    url = os.environ.get("ANJU_WEB_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if not url:
        url = f"sqlite:///{_private_file(_private_dir(DATA_DIR) / 'anju-web.sqlite3')}"
    # Connections are kept for a minute (one per worker thread) and checked before reuse, so that a
    # request does not pay for connecting (and, on SQLite, for the PRAGMAs below) every time.
    config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at
            # the start of a transaction so concurrent saves queue instead of failing.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
    config.setdefault("TEST", {})
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "anju_web.accounts.passwords.CharacterClassValidator"},
]
LOGIN_URL = "login"
LOGIN_URL_PATH = "/accounts/login/"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"  # filled by `anju-web collectstatic` for production; whitenoise serves it
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    # Evidence and audited documents (anju_web.evidence.storage): the local evidence directory by
    # default; on several web hosts a shared directory or an object store (any Django storage class).
    "evidence": {
        "BACKEND": os.environ.get("ANJU_WEB_EVIDENCE_STORAGE", "").strip() or "anju_web.evidence.storage.EvidenceDirectory",
        "OPTIONS": json.loads(os.environ.get("ANJU_WEB_EVIDENCE_STORAGE_OPTIONS", "").strip() or "{}"),
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Evidence files live outside any static or media URL: only the download view serves them.
EVIDENCE_ROOT = Path(os.environ.get("ANJU_WEB_EVIDENCE_DIR", str(DATA_DIR / "evidence"))).resolve()
EVIDENCE_MAX_BYTES = int(os.environ.get("ANJU_EVIDENCE_MAX_BYTES", str(20 * 1024 * 1024)))
MEDIA_ROOT = DATA_DIR / "media-unused"
MEDIA_URL = "/no-media/"

# Upload limits: request bodies other than files, and files kept in memory before going to disk.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

# Security. CSRF is on for every form and for the API's session authentication.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
# Secure cookies whenever DEBUG is off; ANJU_WEB_SECURE_COOKIES=0 only for plain-HTTP loopback runs
# such as the load benchmark.
SESSION_COOKIE_SECURE = _flag("ANJU_WEB_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie; kept readable for API clients
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "anju_web.errors.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = _flag("ANJU_WEB_SECURE_SSL_REDIRECT")
SECURE_HSTS_SECONDS = int(os.environ.get("ANJU_WEB_HSTS_SECONDS", "0"))
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if _flag("ANJU_WEB_BEHIND_PROXY") else None
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("ANJU_WEB_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)

NINJA_PAGINATION_PER_PAGE = 100

# Background jobs (anju_web.jobs): RQ on Redis. Every web host and worker must use the same Redis
# and the same database; without a Redis URL a job runs at once in the request that submits it.
ANJU_REDIS_URL = os.environ.get("ANJU_WEB_REDIS_URL", "").strip()
ANJU_JOB_QUEUE = os.environ.get("ANJU_WEB_JOB_QUEUE", "anju").strip() or "anju"
ANJU_JOB_TIMEOUT = int(os.environ.get("ANJU_WEB_JOB_TIMEOUT", "3600"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
