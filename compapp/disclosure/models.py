"""Public disclosure (公示) of a contest's award list: what was published, when, by whom."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from compapp.auth.models import utcnow
from compapp.extensions import db


class Disclosure(db.Model):
    """One publication of a contest's award list; withdrawn ones stay as the record."""

    __tablename__ = "disclosures"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id"), index=True)
    # What the public page shows, frozen at publication: masked names, results, amounts.
    content: Mapped[dict] = mapped_column(JSON)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawal_reason: Mapped[str | None] = mapped_column(String(400))

    contest = relationship("Contest")
    published_by = relationship("User", foreign_keys=[published_by_id])
    withdrawn_by = relationship("User", foreign_keys=[withdrawn_by_id])

    @property
    def is_live(self) -> bool:
        return self.withdrawn_at is None
