"""Who may do what: the sign-in guard, public pages and role checks for views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Flask, abort, request, session
from flask_login import current_user

from compapp.auth.sessions import SESSION_KEY, SessionCookie, session_user
from compapp.extensions import login_manager


def public(view: Callable) -> Callable:
    """Mark a view as reachable without signing in (the sign-in guard lets it through)."""
    view.is_public = True  # type: ignore[attr-defined]
    return view


def require_role(*roles: str) -> Callable:
    """Allow the view only to signed-in users holding one of ``roles`` (403 otherwise)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated or current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


organiser_required = require_role("admin", "organiser")
admin_required = require_role("admin")


def init_app(app: Flask) -> None:
    """Every page needs a signed-in user unless its view is marked ``public``."""
    app.session_interface = SessionCookie()
    login_manager.login_view = "auth.login"
    login_manager.login_message = None

    @login_manager.user_loader
    def load_user(user_id: str) -> object | None:
        # Signed in only while the session's row is open (compapp.auth.sessions).
        return session_user(user_id, session.get(SESSION_KEY))

    @app.before_request
    def require_sign_in():
        if request.endpoint is None or request.endpoint == "static":
            return None
        view = app.view_functions.get(request.endpoint)
        if getattr(view, "is_public", False):
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return None
