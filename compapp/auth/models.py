"""Accounts: who may sign in, with which role and scope."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from functools import lru_cache

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from compapp.extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "role IN ('admin', 'organiser', 'coach', 'finance', 'winner')", name="role"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    # Scopes (issue: roles): an organiser's body, a finance officer's jurisdiction,
    # a coach's coach record, a winner's competitor record.
    organising_body_id: Mapped[int | None] = mapped_column(ForeignKey("organising_bodies.id"))
    jurisdiction_code: Mapped[str | None] = mapped_column(ForeignKey("jurisdictions.code"))
    coach_id: Mapped[int | None] = mapped_column(ForeignKey("coaches.id"))
    competitor_id: Mapped[int | None] = mapped_column(ForeignKey("competitors.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organising_body = relationship("OrganisingBody")
    jurisdiction = relationship("Jurisdiction")

    @property
    def is_active(self) -> bool:  # Flask-Login reads this
        return self.active

    def set_password(self, password: str) -> None:
        """Store a salted hash of ``password`` (scrypt unless configured otherwise)."""
        method = "scrypt"
        if has_app_context():
            method = current_app.config.get("PASSWORD_HASH_METHOD", method)
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        """Return whether ``password`` matches the stored hash."""
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class Invitation(db.Model):
    """A one-time, expiring link to set a password; only a hash of the token is stored."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    # Set when the invitation stopped working unused: a newer one, or the account deactivated.
    revoked_at: Mapped[datetime | None]

    user = relationship("User", foreign_keys=[user_id])


class UserSession(db.Model):
    """One sign-in: the session cookie carries its token, only a hash of it is stored.

    A cookie stops working when its row is ended (sign-out, a new password, deactivation),
    whoever holds a copy of it.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    # logout | password_changed | password_set | deactivated
    end_reason: Mapped[str | None] = mapped_column(String(30))

    user = relationship("User")


def _hash_method() -> str:
    if has_app_context():
        return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    return "scrypt"


@lru_cache(maxsize=8)
def _stand_in_hash(method: str) -> str:
    return generate_password_hash(secrets.token_hex(16), method=method)


def verify_sign_in(user: User | None, password: str) -> bool:
    """Return whether ``user`` may sign in with ``password``.

    A password is hashed whether or not the username exists or the account is active: an
    unknown name is checked against a stand-in hash of the configured method, so how long
    the answer takes tells nobody which usernames exist.
    """
    if user is None or not user.password_hash:
        check_password_hash(_stand_in_hash(_hash_method()), password)
        return False
    return user.check_password(password) and user.active
