"""Stored import batches: the parsed upload kept server-side between dry run and confirm."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from compapp.auth.models import utcnow
from compapp.core.vocab import ImportStatus
from compapp.extensions import db


class ImportBatch(db.Model):
    """One uploaded file: its digest, parsed cells, problems found, and what saving it did."""

    __tablename__ = "import_batches"
    __table_args__ = (CheckConstraint(ImportStatus.sql_in("status"), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    filename: Mapped[str] = mapped_column(String(200))
    # sha256 of the uploaded bytes: the confirm step must name the batch it saw.
    digest: Mapped[str] = mapped_column(String(64), index=True)
    size_bytes: Mapped[int]
    status: Mapped[str] = mapped_column(String(20), default=ImportStatus.CHECKED)
    # The parsed sheet: {"sheet", "headers", "rows": [[row_number, {header: text}], ...]}.
    # Both large; loaded on first use, so lists of batches do not read whole sheets.
    cells: Mapped[dict | None] = mapped_column(JSON, deferred=True)
    problems: Mapped[list] = mapped_column(JSON, default=list, deferred=True)
    # Counts and lists of added / changed / unchanged / removed / confirmed (needs four-eyes).
    summary: Mapped[dict | None] = mapped_column(JSON)
    saved_at: Mapped[datetime | None]
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    contest = relationship("Contest")
    created_by = relationship("User", foreign_keys=[created_by_id])
