"""Revocation of a placement's awards and certificates for fraud, and bars on new entries."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from compapp.auth.models import utcnow
from compapp.core.vocab import RevocationStatus
from compapp.extensions import db


class Revocation(db.Model):
    """A request to revoke a placement, confirmed (or withdrawn) by a second person."""

    __tablename__ = "revocations"
    __table_args__ = (
        CheckConstraint(RevocationStatus.sql_in("status"), name="status"),
        CheckConstraint(
            "confirmed_by_id IS NULL OR confirmed_by_id <> requested_by_id", name="four_eyes"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placements.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    # Bar the entry's competitors from new entries until this day (None: no bar).
    bar_until: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(20), default=RevocationStatus.REQUESTED)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None]

    placement = relationship("Placement")
    requested_by = relationship("User", foreign_keys=[requested_by_id])
    confirmed_by = relationship("User", foreign_keys=[confirmed_by_id])


class PersonBar(db.Model):
    """A competitor barred from new entries until a day, because of a confirmed revocation."""

    __tablename__ = "person_bars"
    __table_args__ = (CheckConstraint("until_on >= starts_on", name="period_ordered"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    competitor_id: Mapped[int] = mapped_column(ForeignKey("competitors.id"), index=True)
    revocation_id: Mapped[int] = mapped_column(ForeignKey("revocations.id"), index=True)
    starts_on: Mapped[date]
    until_on: Mapped[date]
    reason: Mapped[str] = mapped_column(Text)

    competitor = relationship("Competitor")
    revocation = relationship("Revocation")
