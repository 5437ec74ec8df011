"""Finance records beyond the award lines: recoveries after a revocation and reconciliations."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from compapp.auth.models import utcnow
from compapp.core.money import from_fen
from compapp.core.vocab import RecoveryKind
from compapp.extensions import db

# A sum of fen kept in a record: 64-bit (SQLite's INTEGER already is).
FEN_SUM = BigInteger().with_variant(Integer, "sqlite")


class RecoveryLine(db.Model):
    """Money of a revoked award a payer must get back (追回) or must not pay (停止支付).

    One line per confirmed award line of the revoked placement; settled by the paying level's
    finance officer with a date and a voucher (收回凭证) or a note.
    """

    __tablename__ = "recovery_lines"
    __table_args__ = (
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        CheckConstraint(RecoveryKind.sql_in("kind"), name="kind"),
        CheckConstraint(
            "settled_on IS NULL OR settlement_reference IS NOT NULL", name="settled_has_reference"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    revocation_id: Mapped[int] = mapped_column(ForeignKey("revocations.id"), index=True)
    award_line_id: Mapped[int] = mapped_column(ForeignKey("award_lines.id"), unique=True)
    payer_code: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    amount_fen: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    settled_on: Mapped[date | None]
    settlement_reference: Mapped[str | None] = mapped_column(String(80))
    settled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    settled_at: Mapped[datetime | None]

    revocation = relationship("Revocation")
    award_line = relationship("AwardLineRecord")
    payer = relationship("Jurisdiction")

    @property
    def amount(self):
        return from_fen(self.amount_fen)


class Reconciliation(db.Model):
    """A finance officer's reconciliation (对账) of one payer's ledger over a period."""

    __tablename__ = "reconciliations"
    __table_args__ = (CheckConstraint("period_end >= period_start", name="period_ordered"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    payer_code: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"), index=True)
    period_start: Mapped[date]
    period_end: Mapped[date]
    # Sums of a payer's lines over a period: 64-bit (a province's year passes 2^31 fen,
    # ¥21,474,836.48, which a 32-bit PostgreSQL integer cannot hold).
    confirmed_fen: Mapped[int] = mapped_column(FEN_SUM)
    paid_fen: Mapped[int] = mapped_column(FEN_SUM)
    stopped_fen: Mapped[int] = mapped_column(FEN_SUM)
    outstanding_fen: Mapped[int] = mapped_column(FEN_SUM)
    recoveries_due_fen: Mapped[int] = mapped_column(FEN_SUM)
    recovered_fen: Mapped[int] = mapped_column(FEN_SUM)
    # What the officer's own books say was paid, and why it differs (if it does).
    ledger_paid_fen: Mapped[int] = mapped_column(FEN_SUM)
    explanation: Mapped[str | None] = mapped_column(Text)
    reconciled_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reconciled_at: Mapped[datetime] = mapped_column(default=utcnow)

    reconciled_by = relationship("User")
    payer = relationship("Jurisdiction")

    @property
    def difference_fen(self) -> int:
        return self.ledger_paid_fen - self.paid_fen


class BudgetConfirmation(db.Model):
    """A finance officer's confirmation of the lines their jurisdiction pays for a contest."""

    __tablename__ = "budget_confirmations"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id"), index=True)
    payer_code: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"), index=True)
    confirmed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime] = mapped_column(default=utcnow)
    total_fen: Mapped[int] = mapped_column(FEN_SUM)  # a sum of lines: 64-bit
    line_count: Mapped[int]
    note: Mapped[str | None] = mapped_column(String(400))

    confirmed_by = relationship("User")
    payer = relationship("Jurisdiction")
    contest = relationship("Contest")

    @property
    def total(self):
        return from_fen(self.total_fen)
