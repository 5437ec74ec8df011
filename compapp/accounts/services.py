"""Accounts: create and change users, invitation links (one-time, expiring)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from compapp.audit.services import record_change
from compapp.auth.models import Invitation, User, utcnow
from compapp.extensions import db

INVITATION_LIFETIME = timedelta(days=3)
USER_FIELDS = [
    "username",
    "display_name",
    "role",
    "active",
    "organising_body_id",
    "jurisdiction_code",
    "coach_id",
    "competitor_id",
]


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_invitation(user: User, by: User | None) -> str:
    """Return a new one-time token for ``user``; earlier unused invitations stop working."""
    now = utcnow()
    for old in db.session.scalars(db.select(Invitation).filter_by(user_id=user.id, used_at=None)):
        old.used_at = now
    token = secrets.token_urlsafe(32)
    db.session.add(
        Invitation(
            user_id=user.id,
            token_hash=_hash(token),
            created_by_id=getattr(by, "id", None),
            expires_at=now + INVITATION_LIFETIME,
        )
    )
    record_change("send_invitation", "user", user.id, f"生成邀请链接：{user.username}", user=by)
    db.session.flush()
    return token


def find_invitation(token: str) -> Invitation | None:
    """Return the invitation for ``token`` if it is unused and not expired."""
    invitation = db.session.scalar(db.select(Invitation).filter_by(token_hash=_hash(token)))
    if invitation is None or invitation.used_at is not None or invitation.expires_at < utcnow():
        return None
    return invitation


def accept_invitation(invitation: Invitation, password: str) -> User:
    """Set the password and use up the invitation."""
    user = invitation.user
    user.set_password(password)
    user.active = True
    invitation.used_at = utcnow()
    record_change(
        "set_password", "user", user.id, f"通过邀请链接设置密码：{user.username}", user=user
    )
    db.session.flush()
    return user
