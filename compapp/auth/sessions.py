"""Sign-in sessions kept in the database, so that ending one works on every copy of its cookie.

The signed session cookie carries a random token; the database keeps its hash. A request is
signed in only while its token's row is open and its user active: signing out ends that row,
a new password ends the user's other rows, deactivation ends them all.
"""

from __future__ import annotations

import hashlib
import secrets

from flask import g
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import update

from compapp.auth.models import User, UserSession, utcnow
from compapp.extensions import db

SESSION_KEY = "sid"


class SessionCookie(SecureCookieSessionInterface):
    """The signed session cookie, left alone by requests that only read (``read_only()``).

    The header's count is fetched by the page's script after the page is shown. Its answer
    can arrive after the person has signed out and opened the sign-in form; had it carried
    the cookie (Flask refreshes a permanent session's cookie on every answer), it would put
    back the old session under the new form, whose security token would then no longer
    match: the sign-in was refused as an invalid request.
    """

    def save_session(self, app, session, response) -> None:
        if g.get("session_read_only"):
            return
        super().save_session(app, session, response)


def read_only() -> None:
    """This request's answer carries no session cookie (see ``SessionCookie``)."""
    g.session_read_only = True


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User) -> str:
    """Open a new session for ``user``; return the token the cookie carries."""
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(user_id=user.id, token_hash=_hash(token)))
    db.session.flush()
    return token


def session_user(user_id: str, token: str | None) -> User | None:
    """Return the active user whose open session ``token`` is, if it is ``user_id``'s."""
    if not token or not user_id.isdigit():
        return None
    return db.session.scalar(
        db.select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            UserSession.token_hash == _hash(token),
            UserSession.ended_at.is_(None),
            User.id == int(user_id),
            User.active.is_(True),
        )
    )


def end_session(token: str | None, reason: str = "logout") -> None:
    """End the session of ``token`` (no-op when there is none)."""
    if token:
        db.session.execute(
            update(UserSession)
            .where(UserSession.token_hash == _hash(token), UserSession.ended_at.is_(None))
            .values(ended_at=utcnow(), end_reason=reason)
            .execution_options(synchronize_session=False)
        )


def end_user_sessions(user: User, reason: str, keep: str | None = None) -> int:
    """End every open session of ``user`` except the one of token ``keep``; return how many."""
    query = update(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None)
    )
    if keep:
        query = query.where(UserSession.token_hash != _hash(keep))
    result = db.session.execute(
        query.values(ended_at=utcnow(), end_reason=reason).execution_options(
            synchronize_session=False
        )
    )
    return result.rowcount
