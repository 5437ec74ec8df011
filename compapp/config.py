"""Configuration: defaults, overridden by COMPAPP_* environment variables."""

from __future__ import annotations

import os
import secrets
import time
from datetime import timedelta
from pathlib import Path

# Keys that were ever written in compapp's source: anyone can read them, so they sign nothing
# outside the test suite (compapp refuses to start with one of them).
PUBLISHED_SECRET_KEYS = frozenset({"compapp-development-only-secret", "compapp-test-secret"})
SECRET_KEY_FILE_NAME = "secret_key"
# "公示时间不少于5个工作日" (003_a0dee99659bd7bcf.txt:3520): configurable upward only.
MIN_NOTICE_WORKING_DAYS = 5


class Config:
    """Defaults for development; production refuses to start without a secret key."""

    ENV_NAME = "development"
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None
    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh", "en")
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    # The public address certificate QR codes point at; empty: the address the app is served
    # at (each request's), so `make run` on any port prints working codes.
    COMPAPP_BASE_URL = ""
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = True
    # Public notice (公示) of promotions: working days (003_a0dee99659bd7bcf.txt:3520 asks for
    # at least 5; a larger value lengthens every notice) and local days off beyond the
    # national calendar (dates as YYYY-MM-DD).
    PROMOTION_NOTICE_WORKING_DAYS = 5
    PROMOTION_EXTRA_HOLIDAYS: tuple[str, ...] = ()
    # Several hosts (README "Production"): Redis for sign-in limits and the job queue, proxies.
    REDIS_URL: str | None = None
    TRUSTED_PROXIES = 0
    RATELIMIT_STRATEGY = "moving-window"
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True  # Redis unreachable: limits per process
    LOGIN_LIMIT_CLIENT = "10 per minute"
    LOGIN_LIMIT_ACCOUNT = "10 per minute"
    JOB_RUNNER: str | None = None  # "rq" with Redis, else "thread"; tests: "inline"
    JOB_THREADS = 2
    JOB_MAX_ACTIVE = 8
    JOB_MAX_PER_CONTEST = 2
    JOB_MAX_ATTEMPTS = 2
    JOB_STALE_SECONDS = 120
    JOB_QUEUED_SECONDS = 1800
    JOB_KEEP_SECONDS = 24 * 3600
    JOB_TIMEOUT_SECONDS = 3600
    # Exports of more rows than this are made by a background job with progress.
    EXPORT_DIRECT_MAX_ROWS = 3000
    # "Issue all" for more certificates than this runs as a background job with progress.
    CERTIFICATE_ISSUE_DIRECT_MAX = 300
    LOG_FORMAT = "text"
    METRICS_NETWORKS = "127.0.0.0/8,::1/128"


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    LOG_FORMAT = "json"


class TestConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "compapp-test-secret"
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    # Hashing stays real (salted PBKDF2), with few rounds so the suite signs in quickly.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    JOB_RUNNER = "inline"


# Settings read from the environment as they are, or through a conversion (README table).
FROM_ENVIRONMENT = {
    "COMPAPP_REDIS_URL": ("REDIS_URL", str),
    "COMPAPP_TRUSTED_PROXIES": ("TRUSTED_PROXIES", int),
    "COMPAPP_LOGIN_LIMIT_CLIENT": ("LOGIN_LIMIT_CLIENT", str),
    "COMPAPP_LOGIN_LIMIT_ACCOUNT": ("LOGIN_LIMIT_ACCOUNT", str),
    "COMPAPP_JOB_RUNNER": ("JOB_RUNNER", str),
    "COMPAPP_JOB_THREADS": ("JOB_THREADS", int),
    "COMPAPP_JOB_MAX_ACTIVE": ("JOB_MAX_ACTIVE", int),
    "COMPAPP_JOB_MAX_PER_CONTEST": ("JOB_MAX_PER_CONTEST", int),
    "COMPAPP_JOB_MAX_ATTEMPTS": ("JOB_MAX_ATTEMPTS", int),
    "COMPAPP_JOB_STALE_SECONDS": ("JOB_STALE_SECONDS", int),
    "COMPAPP_JOB_QUEUED_SECONDS": ("JOB_QUEUED_SECONDS", int),
    "COMPAPP_JOB_KEEP_SECONDS": ("JOB_KEEP_SECONDS", int),
    "COMPAPP_EXPORT_DIRECT_MAX_ROWS": ("EXPORT_DIRECT_MAX_ROWS", int),
    "COMPAPP_CERTIFICATE_ISSUE_DIRECT_MAX": ("CERTIFICATE_ISSUE_DIRECT_MAX", int),
    "COMPAPP_LOG_FORMAT": ("LOG_FORMAT", str),
    "COMPAPP_METRICS_NETWORKS": ("METRICS_NETWORKS", str),
}

CONFIGS = {"development": Config, "production": ProductionConfig, "testing": TestConfig}


def load_config(instance_path: str, test_config: dict | None = None) -> dict:
    """Build the settings: class defaults, then the environment, then ``test_config``."""
    env_name = _env_name(test_config)
    cls = CONFIGS[env_name]
    settings = {key: getattr(cls, key) for key in dir(cls) if key.isupper()}
    settings.update(_from_environment())
    if test_config:
        settings.update(test_config)
    if settings.get("REDIS_URL") and "RATELIMIT_STORAGE_URI" not in (test_config or {}):
        settings["RATELIMIT_STORAGE_URI"] = settings["REDIS_URL"]
    if not settings.get("SQLALCHEMY_DATABASE_URI"):
        Path(instance_path).mkdir(parents=True, exist_ok=True)
        settings["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + str(
            Path(instance_path) / "compapp.sqlite"
        )
    if settings["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # Writers to a SQLite file queue for its lock; wait for it rather than fail at once,
        # so that of two simultaneous confirmations the second is refused by the database's
        # compare-and-set (and told why), not by "database is locked".
        options = dict(settings.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options.setdefault("connect_args", {"timeout": 30})
        settings["SQLALCHEMY_ENGINE_OPTIONS"] = options
    days = settings.get("PROMOTION_NOTICE_WORKING_DAYS")
    if type(days) is not int or days < MIN_NOTICE_WORKING_DAYS:
        raise RuntimeError(
            f"COMPAPP_NOTICE_WORKING_DAYS={days!r}: a public notice lasts at least "
            f"{MIN_NOTICE_WORKING_DAYS} working days (云人社通〔2019〕98号 五（四）); the setting "
            "may lengthen it, not shorten it."
        )
    if env_name != "testing":
        settings["SECRET_KEY"] = instance_secret_key(
            settings.get("SECRET_KEY"), env_name, Path(instance_path)
        )
    settings["ENV_NAME"] = env_name
    return settings


def _env_name(test_config: dict | None) -> str:
    """The configuration asked for (COMPAPP_ENV); "testing" only from the test suite."""
    env_name = (test_config or {}).get("ENV_NAME") or os.environ.get("COMPAPP_ENV", "development")
    # The test configuration (and its published key) is reachable from the test suite only.
    if env_name not in CONFIGS or (
        env_name == "testing" and not (test_config or {}).get("TESTING")
    ):
        raise RuntimeError(
            f"COMPAPP_ENV={env_name!r} is not one of development, production; "
            "set it to one of those."
        )
    if test_config and test_config.get("TESTING"):
        env_name = "testing"
    return env_name


def _from_environment() -> dict:
    """The settings the environment gives (COMPAPP_… variables that are set and not empty)."""
    settings = {}
    if os.environ.get("COMPAPP_SECRET_KEY"):
        settings["SECRET_KEY"] = os.environ["COMPAPP_SECRET_KEY"]
    if os.environ.get("COMPAPP_DATABASE_URL"):
        settings["SQLALCHEMY_DATABASE_URI"] = os.environ["COMPAPP_DATABASE_URL"]
    if os.environ.get("COMPAPP_NOTICE_WORKING_DAYS"):
        value = os.environ["COMPAPP_NOTICE_WORKING_DAYS"].strip()
        if not value.isdigit():
            raise RuntimeError(
                f"COMPAPP_NOTICE_WORKING_DAYS={value!r} is not a whole number of working days."
            )
        settings["PROMOTION_NOTICE_WORKING_DAYS"] = int(value)
    if os.environ.get("COMPAPP_EXTRA_HOLIDAYS"):
        settings["PROMOTION_EXTRA_HOLIDAYS"] = tuple(
            day.strip() for day in os.environ["COMPAPP_EXTRA_HOLIDAYS"].split(",") if day.strip()
        )
    if os.environ.get("COMPAPP_BASE_URL"):
        settings["COMPAPP_BASE_URL"] = os.environ["COMPAPP_BASE_URL"].rstrip("/")
    for variable, (key, convert) in FROM_ENVIRONMENT.items():
        if os.environ.get(variable):
            settings[key] = convert(os.environ[variable])
    return settings


def instance_secret_key(configured: str | None, env_name: str, instance: Path) -> str:
    """Return the key that signs sessions, links and forms outside the test suite.

    Production needs ``COMPAPP_SECRET_KEY`` (every host behind a load balancer must share it).
    Elsewhere a missing key is generated once per instance into ``COMPAPP_SECRET_KEY_FILE``
    (default ``instance/secret_key``, readable by its owner only) and read from there after.
    A key published in compapp's source is refused everywhere but in tests.
    """
    if configured:
        if configured in PUBLISHED_SECRET_KEYS:
            raise RuntimeError(
                "COMPAPP_SECRET_KEY is a value published in compapp's source code, so anyone "
                "could sign in as anyone. Set it to a long random value "
                "(python3 -c 'import secrets; print(secrets.token_hex(32))')."
            )
        return configured
    if env_name == "production":
        raise RuntimeError(
            "COMPAPP_SECRET_KEY is not set. compapp refuses to start in production without it: "
            "export COMPAPP_SECRET_KEY to a long random value "
            "(python3 -c 'import secrets; print(secrets.token_hex(32))')."
        )
    default = instance / SECRET_KEY_FILE_NAME
    return _key_from_file(Path(os.environ.get("COMPAPP_SECRET_KEY_FILE") or default))


def _cannot_create(path: Path, why: str) -> RuntimeError:
    return RuntimeError(
        f"COMPAPP_SECRET_KEY is not set and compapp cannot create its key file {path} ({why}). "
        "Set COMPAPP_SECRET_KEY, or let compapp write that folder."
    )


def _key_from_file(path: Path) -> str:
    """Read the instance's key from ``path``, creating it (mode 600) on first start."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: of several workers starting at once exactly one writes the key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if not path.is_file():
            raise _cannot_create(path, "not a file") from None
    except OSError as exc:
        raise _cannot_create(path, exc.strerror) from exc
    else:
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32) + "\n")
    for _attempt in range(50):
        key = path.read_text().strip()
        if key:
            break
        time.sleep(0.02)  # another worker created the file and is writing it
    else:
        raise RuntimeError(f"The key file {path} is empty: delete it and start compapp again.")
    if path.stat().st_mode & 0o077:
        raise RuntimeError(
            f"The key file {path} can be read by other users of this machine: "
            f"run chmod 600 {path} (or delete it to make a new key) and start compapp again."
        )
    if key in PUBLISHED_SECRET_KEYS or len(key) < 32:
        raise RuntimeError(f"The key file {path} holds a weak key: delete it and start again.")
    return key
