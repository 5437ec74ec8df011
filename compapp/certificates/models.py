"""Issued certificates, their revocation and re-issue, and the log of public verifications.

A certificate keeps a snapshot of what was printed on it (``content``), so it renders and
verifies the same after the contest, the result or the person's record changes.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from compapp.auth.models import utcnow
from compapp.core.vocab import CertificateKind, CertificateStatus, HolderType, VerificationOutcome
from compapp.extensions import db


class Certificate(db.Model):
    """One certificate issued to a competitor or a coaching-team member."""

    __tablename__ = "certificates"
    __table_args__ = (
        CheckConstraint(CertificateKind.sql_in("kind"), name="kind"),
        # An honour's certificate rests on the honour, not on a contest entry (POLICY §4.7).
        CheckConstraint(
            "(kind = 'honour') = (honour_id IS NOT NULL)"
            " AND (kind = 'honour' OR (contest_id IS NOT NULL AND entry_id IS NOT NULL))",
            name="honour_or_entry",
        ),
        CheckConstraint(HolderType.sql_in("holder_type"), name="holder_type"),
        CheckConstraint(CertificateStatus.sql_in("status"), name="status"),
        CheckConstraint(
            "(holder_type = 'competitor' AND competitor_id IS NOT NULL AND coach_id IS NULL)"
            " OR (holder_type = 'coach' AND coach_id IS NOT NULL AND competitor_id IS NULL)",
            name="one_holder",
        ),
        CheckConstraint(
            "status = 'valid' OR (revoked_at IS NOT NULL AND revocation_reason IS NOT NULL)",
            name="revoked_has_reason",
        ),
        # Never two valid certificates of one kind for the same holder and entry; a re-issue
        # revokes the old one before the new one is written.
        Index(
            "uq_certificates_valid_competitor",
            "kind",
            "entry_id",
            "competitor_id",
            unique=True,
            sqlite_where=text("status = 'valid' AND competitor_id IS NOT NULL"),
            postgresql_where=text("status = 'valid' AND competitor_id IS NOT NULL"),
        ),
        Index(
            "uq_certificates_valid_coach",
            "kind",
            "entry_id",
            "coach_id",
            unique=True,
            sqlite_where=text("status = 'valid' AND coach_id IS NOT NULL"),
            postgresql_where=text("status = 'valid' AND coach_id IS NOT NULL"),
        ),
        Index(
            "uq_certificates_valid_honour",
            "honour_id",
            unique=True,
            sqlite_where=text("status = 'valid' AND honour_id IS NOT NULL"),
            postgresql_where=text("status = 'valid' AND honour_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(26), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    holder_type: Mapped[str] = mapped_column(String(20))
    competitor_id: Mapped[int | None] = mapped_column(ForeignKey("competitors.id"), index=True)
    coach_id: Mapped[int | None] = mapped_column(ForeignKey("coaches.id"), index=True)
    # None for an honour's certificate (kind "honour"), which rests on ``honour_id``.
    contest_id: Mapped[int | None] = mapped_column(ForeignKey("contests.id"), index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id"), index=True)
    honour_id: Mapped[int | None] = mapped_column(ForeignKey("honours.id"), index=True)
    # Promotion confirmations and title certificates rest on a promotion case.
    promotion_case_id: Mapped[int | None] = mapped_column(
        ForeignKey("promotion_cases.id"), index=True
    )
    # What was printed: CertificateContent's fields, issued_on as an ISO date.
    content: Mapped[dict] = mapped_column(JSON)
    issued_on: Mapped[date]
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(20), default=CertificateStatus.VALID, index=True)
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revocation_reason: Mapped[str | None] = mapped_column(Text)
    # Set on a certificate revoked by a re-issue: the certificate that took its place.
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))
    # Set (with status "revoked") when the result the certificate rests on was reopened,
    # corrected or withdrawn: a SupersededReason; the certificate awaits reissue.
    superseded_reason: Mapped[str | None] = mapped_column(String(40))

    competitor = relationship("Competitor")
    coach = relationship("Coach")
    contest = relationship("Contest")
    entry = relationship("Entry")
    promotion_case = relationship("PromotionCase")
    honour = relationship("Honour")
    issued_by = relationship("User", foreign_keys=[issued_by_id])
    revoked_by = relationship("User", foreign_keys=[revoked_by_id])
    replaced_by: Mapped[Certificate | None] = relationship(remote_side=[id])

    @property
    def is_valid(self) -> bool:
        return self.status == CertificateStatus.VALID

    @property
    def is_superseded(self) -> bool:
        """Return True when a correction of its result made it stop standing (pending reissue)."""
        return self.superseded_reason is not None

    @property
    def holder_name(self) -> str:
        return self.content.get("holder_name", "")

    def __repr__(self) -> str:
        return f"<Certificate {self.serial} {self.kind} {self.status}>"


class CertificateVerification(db.Model):
    """One look-up of a serial on the public verification page, found or not."""

    __tablename__ = "certificate_verifications"
    __table_args__ = (CheckConstraint(VerificationOutcome.sql_in("outcome"), name="outcome"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"), index=True)
    # What was asked for, as typed or scanned (cut to length), so unknown serials are kept too.
    serial_queried: Mapped[str] = mapped_column(String(64), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))

    certificate: Mapped[Certificate | None] = relationship()
