"""Flask extensions, created unbound and bound in create_app with init_app."""

from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


@limiter.request_filter
def _limits_off_for_this_app() -> bool:
    # One limiter serves every app of the process (tests build several): each app's own
    # RATELIMIT_ENABLED decides, not the last one initialised.
    from flask import current_app

    return not current_app.config.get("RATELIMIT_ENABLED", True)


def app_cached(key: str, load):
    """Return ``load()`` computed once per application (policy files, calendars)."""
    from flask import current_app

    cache = current_app.extensions.setdefault("compapp", {})
    if key not in cache:
        cache[key] = load()
    return cache[key]
