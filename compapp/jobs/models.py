"""A background job's state, kept in the database so every host sees the same progress."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from compapp.auth.models import utcnow
from compapp.core.vocab import ACTIVE_JOB_STATES, JobState, sql_list
from compapp.extensions import db

ACTIVE_STATES = ACTIVE_JOB_STATES
_ACTIVE_SQL = f"state IN ({sql_list(ACTIVE_STATES)})"


class Job(db.Model):
    """One request for background work: who asked, what, its progress and its outcome."""

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(JobState.sql_in("state"), name="state"),
        CheckConstraint("done >= 0 AND total >= 0", name="progress"),
        # One job per identical request while it is queued or running (the second asker is
        # shown the first one's progress): held by the database, not by a check in Python.
        Index(
            "uq_jobs_active_request",
            "request_key",
            unique=True,
            sqlite_where=text(_ACTIVE_SQL),
            postgresql_where=text(_ACTIVE_SQL),
        ),
        Index("ix_jobs_state_kind", "state", "kind"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # uuid4 hex, in URLs
    kind: Mapped[str] = mapped_column(String(40))
    request_key: Mapped[str] = mapped_column(String(64), index=True)
    params: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    contest_id: Mapped[int | None] = mapped_column(
        ForeignKey("contests.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(20), default=JobState.QUEUED)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(Text)  # JSON summary (e.g. entries changed)
    file_name: Mapped[str | None] = mapped_column(String(200))
    file_size: Mapped[int | None] = mapped_column(Integer)
    worker: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def percent(self) -> int:
        return int(self.done * 100 / self.total) if self.total else 0


class JobChunk(db.Model):
    """A piece of a job's result file, stored in the database so any host can send it."""

    __tablename__ = "job_chunks"

    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class JobGate(db.Model):
    """A row every job start updates first, so starts are counted one at a time."""

    __tablename__ = "job_gates"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    starts: Mapped[int] = mapped_column(Integer, default=0)
