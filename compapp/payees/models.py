"""Bank details of payees: the competitors and coaching-team members a bank pays.

The account number is personal data read only by the paying level's finance officer (on the
payment roster); every page shows it masked, and every reading of it in full is audited.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from compapp.auth.models import utcnow
from compapp.core.bank import group_account, mask_account
from compapp.extensions import db


class BankAccount(db.Model):
    """One person's bank details (开户银行、开户网点、账号): a competitor's or a coach's."""

    __tablename__ = "bank_accounts"
    __table_args__ = (
        CheckConstraint("(competitor_id IS NULL) <> (coach_id IS NULL)", name="one_holder"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    competitor_id: Mapped[int | None] = mapped_column(ForeignKey("competitors.id"), unique=True)
    coach_id: Mapped[int | None] = mapped_column(ForeignKey("coaches.id"), unique=True)
    bank_name: Mapped[str] = mapped_column(String(60))
    branch: Mapped[str] = mapped_column(String(80))
    account_number: Mapped[str] = mapped_column(String(30))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    updated_by = relationship("User")

    @property
    def masked(self) -> str:
        return mask_account(self.account_number)

    @property
    def grouped(self) -> str:
        return group_account(self.account_number)

    def __repr__(self) -> str:  # never the number, even in a traceback
        return f"<BankAccount {self.id} {self.masked}>"
