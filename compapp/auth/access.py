"""Who may do what: role checks for views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user


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
