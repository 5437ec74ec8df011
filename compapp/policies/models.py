"""Policy versions kept in the database: entered or imported by one administrator, activated
(or sent back) by another.

A revision holds the whole policy file of one document as text, in the same shape as the
shipped files (``compapp/policy/README.md``), so the one strict reader reads both and the
text can be exported and reviewed as a file. The active revision of a policy takes the place
of its shipped file.
"""

from __future__ import annotations

from datetime import date, datetime

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
from sqlalchemy.orm import Mapped, mapped_column, relationship

from compapp.auth.models import utcnow
from compapp.core.vocab import PolicyKind, RevisionState
from compapp.extensions import db

# Which policy data a revision is a file of (PolicyKind): award policies (data/awards) or
# promotion rules (data/promotion). One document may have both (dq-2022), under the same id.
_ACTIVE_SQL = f"state = '{RevisionState.ACTIVE}'"


class PolicyRevision(db.Model):
    """One proposed text of a policy file, its review and, once active, its activation."""

    __tablename__ = "policy_revisions"
    __table_args__ = (
        CheckConstraint(RevisionState.sql_in("state"), name="state"),
        CheckConstraint(PolicyKind.sql_in("kind"), name="kind"),
        # Four eyes: whoever entered a revision never decides on it (also checked by the
        # service, which says so in words).
        CheckConstraint(
            "reviewed_by_id IS NULL OR reviewed_by_id <> created_by_id", name="four_eyes"
        ),
        CheckConstraint(
            "state = 'pending' OR (reviewed_by_id IS NOT NULL AND reviewed_at IS NOT NULL)",
            name="decided_with_who_when",
        ),
        CheckConstraint(
            "state <> 'returned' OR length(return_reason) > 0", name="returned_with_reason"
        ),
        # At most one active text per policy: two activations of one policy cannot both win.
        Index(
            "uq_policy_revisions_active",
            "kind",
            "policy_id",
            unique=True,
            sqlite_where=text(_ACTIVE_SQL),
            postgresql_where=text(_ACTIVE_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[str] = mapped_column(String(40), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="awards", server_default="awards")
    state: Mapped[str] = mapped_column(String(20), default=RevisionState.PENDING)
    text: Mapped[str] = mapped_column(Text)  # the whole policy file (TOML)
    digest: Mapped[str] = mapped_column(String(64))  # sha256 of ``text`` (UTF-8)
    # The version this revision adds or changes, and what was in force when it was drafted.
    version_from: Mapped[date]
    version_to: Mapped[date | None]
    base_digest: Mapped[str | None] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(String(400))
    source: Mapped[str] = mapped_column(String(20))  # "form" or "import"
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary)
    attachment_name: Mapped[str | None] = mapped_column(String(200))
    attachment_digest: Mapped[str | None] = mapped_column(String(64))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]
    return_reason: Mapped[str | None] = mapped_column(Text)
    # The preview job of this revision (who gains or loses what), and the re-pricing job.
    preview_job_id: Mapped[str | None] = mapped_column(String(32))
    apply_job_id: Mapped[str | None] = mapped_column(String(32))

    created_by = relationship("User", foreign_keys=[created_by_id])
    reviewed_by = relationship("User", foreign_keys=[reviewed_by_id])


class PolicyPreviewRow(db.Model):
    """One listed row of a preview job (a winner whose award, or a competitor whose promotion,
    the version changes), kept in order so the list is paged in SQL at any length; the row
    goes with its job."""

    __tablename__ = "policy_preview_rows"

    job_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    row: Mapped[str] = mapped_column(Text)  # JSON: what the preview's table shows of it
