"""Configuration: defaults, overridden by COMPAPP_* environment variables."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

DEV_SECRET_KEY = "compapp-development-only-secret"


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
    COMPAPP_BASE_URL = "http://127.0.0.1:5000"
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = True
    # Public notice (公示) of promotions: working days (003_a0dee99659bd7bcf.txt:3520 asks for
    # at least 5) and public holidays beyond the shipped calendar (dates as YYYY-MM-DD).
    PROMOTION_NOTICE_WORKING_DAYS = 5
    PROMOTION_EXTRA_HOLIDAYS: tuple[str, ...] = ()


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True


class TestConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "compapp-test-secret"
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    # Hashing stays real (salted PBKDF2), with few rounds so the suite signs in quickly.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"


CONFIGS = {"development": Config, "production": ProductionConfig, "testing": TestConfig}


def load_config(instance_path: str, test_config: dict | None = None) -> dict:
    """Build the settings: class defaults, then the environment, then ``test_config``."""
    env_name = (test_config or {}).get("ENV_NAME") or os.environ.get("COMPAPP_ENV", "development")
    if env_name not in CONFIGS:
        raise RuntimeError(
            f"COMPAPP_ENV={env_name!r} is not one of {', '.join(CONFIGS)}; set it to one of those."
        )
    if test_config and test_config.get("TESTING"):
        env_name = "testing"
    cls = CONFIGS[env_name]
    settings = {key: getattr(cls, key) for key in dir(cls) if key.isupper()}
    if os.environ.get("COMPAPP_SECRET_KEY"):
        settings["SECRET_KEY"] = os.environ["COMPAPP_SECRET_KEY"]
    if os.environ.get("COMPAPP_DATABASE_URL"):
        settings["SQLALCHEMY_DATABASE_URI"] = os.environ["COMPAPP_DATABASE_URL"]
    if os.environ.get("COMPAPP_NOTICE_WORKING_DAYS"):
        settings["PROMOTION_NOTICE_WORKING_DAYS"] = int(os.environ["COMPAPP_NOTICE_WORKING_DAYS"])
    if os.environ.get("COMPAPP_EXTRA_HOLIDAYS"):
        settings["PROMOTION_EXTRA_HOLIDAYS"] = tuple(
            day.strip() for day in os.environ["COMPAPP_EXTRA_HOLIDAYS"].split(",") if day.strip()
        )
    if os.environ.get("COMPAPP_BASE_URL"):
        settings["COMPAPP_BASE_URL"] = os.environ["COMPAPP_BASE_URL"].rstrip("/")
    if test_config:
        settings.update(test_config)
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
    if not settings.get("SECRET_KEY"):
        if env_name == "production":
            raise RuntimeError(
                "COMPAPP_SECRET_KEY is not set. compapp refuses to start in production without it: "
                "export COMPAPP_SECRET_KEY to a long random value "
                "(python3 -c 'import secrets; print(secrets.token_hex(32))')."
            )
        settings["SECRET_KEY"] = DEV_SECRET_KEY
    settings["ENV_NAME"] = env_name
    return settings
