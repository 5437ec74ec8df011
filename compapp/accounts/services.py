"""Accounts: create and change users, invitation links (one-time, expiring)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import update

from compapp.audit.services import record_change, says
from compapp.auth.models import Invitation, User, utcnow
from compapp.auth.sessions import end_user_sessions
from compapp.core.messages import N_
from compapp.core.refusals import Refusal
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


class InvitationRefused(Refusal):
    """An invitation that cannot be sent or used; the message says why and what to do."""


def revoke_invitations(user: User) -> int:
    """Make every unused invitation of ``user`` stop working; return how many did."""
    result = db.session.execute(
        update(Invitation)
        .where(
            Invitation.user_id == user.id,
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def deactivate_user(user: User, by: User | None) -> None:
    """Record that ``user`` is deactivated: their invitations and sessions end at once."""
    revoked = revoke_invitations(user)
    ended = end_user_sessions(user, "deactivated")
    record_change(
        "deactivate_user",
        "user",
        user.id,
        says(
            N_("停用账户：%(user)s（作废邀请链接 %(links)s 个，结束登录 %(sessions)s 个）"),
            user=user.username,
            links=revoked,
            sessions=ended,
        ),
        user=by,
    )


def create_invitation(user: User, by: User | None) -> str:
    """Return a new one-time token for ``user``; earlier unused invitations stop working.

    Refused for a deactivated account: an invitation never brings an account back.
    """
    if not user.active:
        raise InvitationRefused(N_("该账户已停用，不能发送邀请链接；请先启用账户。"))
    now = utcnow()
    revoke_invitations(user)
    token = secrets.token_urlsafe(32)
    db.session.add(
        Invitation(
            user_id=user.id,
            token_hash=_hash(token),
            created_by_id=getattr(by, "id", None),
            expires_at=now + INVITATION_LIFETIME,
        )
    )
    record_change(
        "send_invitation",
        "user",
        user.id,
        says(N_("生成邀请链接：%(user)s"), user=user.username),
        user=by,
    )
    db.session.flush()
    return token


def find_invitation(token: str) -> Invitation | None:
    """Return the invitation for ``token`` if it is unused, not revoked, not expired, and its
    account is active."""
    invitation = db.session.scalar(db.select(Invitation).filter_by(token_hash=_hash(token)))
    if (
        invitation is None
        or invitation.used_at is not None
        or invitation.revoked_at is not None
        or invitation.expires_at < utcnow()
        or not invitation.user.active
    ):
        return None
    return invitation


def accept_invitation(invitation: Invitation, password: str) -> User:
    """Use up the invitation and set the password; end every session the account had.

    The invitation is claimed with one compare-and-set in the database: of two uses at the
    same moment exactly one sets the password, the other raises ``InvitationRefused``.
    """
    user = invitation.user
    claimed = db.session.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at >= utcnow(),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        raise InvitationRefused(
            N_("该邀请链接刚刚已被使用或已失效，密码没有更改。请直接登录，或联系管理员重新发送。")
        )
    db.session.refresh(user, ["active"])
    if not user.active:
        db.session.rollback()
        raise InvitationRefused(N_("该账户已停用，邀请链接不能再使用。"))
    user.set_password(password)
    ended = end_user_sessions(user, "password_set")
    record_change(
        "set_password",
        "user",
        user.id,
        says(
            N_("通过邀请链接设置密码：%(user)s（结束原有登录 %(sessions)s 个）"),
            user=user.username,
            sessions=ended,
        ),
        user=user,
    )
    db.session.flush()
    return user
