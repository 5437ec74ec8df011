"""Loading recipes for accounts: a user by name, every user in order."""

from __future__ import annotations

from compapp.auth.models import User
from compapp.extensions import db


def user_named(username: str) -> User | None:
    """The account with that user name (as typed, without surrounding blanks)."""
    return db.session.scalar(db.select(User).filter_by(username=username.strip()))


def users_in_order() -> list[User]:
    """Every account, by role then user name."""
    return db.session.scalars(db.select(User).order_by(User.role, User.username)).all()
