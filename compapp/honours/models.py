"""Honours recorded for a person, priced when recorded, confirmed by a second person."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from compapp.auth.models import utcnow
from compapp.core.money import from_fen
from compapp.core.vocab import HonourKind
from compapp.extensions import db


class Honour(db.Model):
    """One honour of one person: its date, the recommending body, its price and confirmation."""

    __tablename__ = "honours"
    __table_args__ = (
        CheckConstraint(HonourKind.sql_in("kind"), name="kind"),
        CheckConstraint("amount_fen >= 0", name="amount_not_negative"),
        # Four eyes at the mechanism: whoever recorded an honour cannot confirm it.
        CheckConstraint(
            "confirmed_by_id IS NULL OR confirmed_by_id <> recorded_by_id", name="second_person"
        ),
        CheckConstraint(
            "(confirmed_by_id IS NULL) = (confirmed_at IS NULL)", name="confirmation_complete"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    competitor_id: Mapped[int] = mapped_column(ForeignKey("competitors.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    awarded_on: Mapped[date] = mapped_column(index=True)
    recommended_by: Mapped[str] = mapped_column(String(120))
    amount_fen: Mapped[int]
    payer_code: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"), default="530000")
    policy_id: Mapped[str | None] = mapped_column(String(40))
    clause: Mapped[str | None] = mapped_column(String(40))
    version_from: Mapped[date | None]
    policy_digest: Mapped[str | None] = mapped_column(String(64))
    explanation: Mapped[str] = mapped_column(Text)
    notice: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None]

    competitor = relationship("Competitor")
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])
    confirmed_by = relationship("User", foreign_keys=[confirmed_by_id])

    @property
    def amount(self):
        return from_fen(self.amount_fen)
