"""Promotion cases, public notices (公示) and the grade history of competitors.

A case is one competitor's eligibility from one placement, as the rules decided it, and its
way through confirmation, publication and finalisation. A decided case is never rewritten:
the facts and reason it was decided on stay with it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from compapp.auth.models import utcnow
from compapp.core.vocab import CalendarStatus, CaseStatus, ObjectionStatus, TitleStatus, sql_list
from compapp.extensions import db

# The states of a case, of an objection and of a title: compapp.core.vocab (CaseStatus …).
CASE_STATUSES = CaseStatus.codes()
OBJECTION_STATUSES = ObjectionStatus.codes()
# The states an evaluation may still rewrite: nobody has decided anything on them.
UNDECIDED_STATUSES = (CaseStatus.INELIGIBLE, CaseStatus.PROPOSED)
# The states of a case that was published: it names its notice.
PUBLISHED_STATUSES = (
    CaseStatus.NOTICED,
    CaseStatus.OBJECTED,
    CaseStatus.WITHDRAWN,
    CaseStatus.FINAL,
)
TITLE_STATUSES = TitleStatus.codes()


class PublicNotice(db.Model):
    """A publication (公示) of confirmed promotion cases of a contest, with its period."""

    __tablename__ = "public_notices"
    __table_args__ = (
        CheckConstraint("working_days >= 1", name="working_days_positive"),
        CheckConstraint("ends_on >= published_on", name="ends_after_publication"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id"), index=True)
    published_on: Mapped[date]
    working_days: Mapped[int]
    ends_on: Mapped[date]
    # Rest days inside the period that are not weekends (ISO dates), to explain ends_on.
    holidays_in_period: Mapped[list] = mapped_column(JSON, default=list)
    calendar_digest: Mapped[str] = mapped_column(String(64))
    # What the notice printed when published (policy, one row per case): a published notice
    # does not change when a name, an employer or a title decision changes afterwards.
    content: Mapped[dict | None] = mapped_column(JSON)
    issuer: Mapped[str] = mapped_column(String(160))
    contact: Mapped[str] = mapped_column(String(400))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    contest = relationship("Contest")
    created_by = relationship("User")
    cases: Mapped[list[PromotionCase]] = relationship(
        back_populates="notice", order_by="PromotionCase.id"
    )

    def has_ended(self, on: date) -> bool:
        """Return True when the period is over on ``on`` (the end date itself still counts)."""
        return on > self.ends_on


class PromotionCase(db.Model):
    """One competitor's promotion eligibility from one placement, and its decisions."""

    __tablename__ = "promotion_cases"
    __table_args__ = (
        UniqueConstraint("placement_id", "competitor_id"),
        CheckConstraint(CaseStatus.sql_in("status"), name="status"),
        CheckConstraint(TitleStatus.sql_in("title_status"), name="title_status"),
        CheckConstraint("eligible OR to_grade IS NULL", name="to_grade_only_if_eligible"),
        CheckConstraint(
            f"status NOT IN ({sql_list(PUBLISHED_STATUSES)}) OR notice_id IS NOT NULL",
            name="noticed_has_notice",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id"), index=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placements.id"), index=True)
    competitor_id: Mapped[int] = mapped_column(ForeignKey("competitors.id"), index=True)
    # The facts the rules were given (award date, category, format, rank, grade, …), as decided.
    facts: Mapped[dict] = mapped_column(JSON)
    eligible: Mapped[bool]
    from_grade: Mapped[str] = mapped_column(String(30))
    to_grade: Mapped[str | None] = mapped_column(String(30))
    title: Mapped[str | None] = mapped_column(String(60))
    policy_id: Mapped[str | None] = mapped_column(String(40))
    version_from: Mapped[date | None]
    policy_digest: Mapped[str | None] = mapped_column(String(64))
    clause: Mapped[str | None] = mapped_column(String(20))
    citation: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    band: Mapped[str | None] = mapped_column(String(60))
    evaluated_at: Mapped[datetime] = mapped_column(default=utcnow)

    status: Mapped[str] = mapped_column(String(20), default="proposed", index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)

    title_status: Mapped[str] = mapped_column(String(20), default="none")
    title_decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    title_decided_at: Mapped[datetime | None]
    title_note: Mapped[str | None] = mapped_column(Text)

    notice_id: Mapped[int | None] = mapped_column(ForeignKey("public_notices.id"), index=True)
    finalized_on: Mapped[date | None]
    finalized_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    finalized_at: Mapped[datetime | None]
    # Bumped by every change (compared and set on each UPDATE): a decision binds to the
    # version the organiser saw (compapp.core.seen).
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    contest = relationship("Contest")
    placement = relationship("Placement")
    competitor = relationship("Competitor")
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    title_decided_by = relationship("User", foreign_keys=[title_decided_by_id])
    finalized_by = relationship("User", foreign_keys=[finalized_by_id])
    notice: Mapped[PublicNotice | None] = relationship(back_populates="cases")

    @property
    def is_decided(self) -> bool:
        """Return True once someone confirmed, rejected or decided the title of this case."""
        return self.status not in UNDECIDED_STATUSES or self.title_status in (
            "approved",
            "rejected",
        )


class NoticeObjection(db.Model):
    """An objection (异议) to a case, lodged during its notice, and how it was resolved.

    The notice names the office that receives objections; an organiser records each one with
    who raised it and when. Another organiser (or an administrator) resolves it: upheld
    withdraws the case, dismissed needs a reason (云人社通〔2019〕98号 五（四）: objections are
    investigated and decided on).
    """

    __tablename__ = "notice_objections"
    __table_args__ = (
        CheckConstraint(ObjectionStatus.sql_in("status"), name="status"),
        CheckConstraint(
            "status = 'open' OR (resolved_by_id IS NOT NULL AND resolved_at IS NOT NULL "
            "AND resolution_note IS NOT NULL)",
            name="resolved_with_who_when_why",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("promotion_cases.id"), index=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("public_notices.id"), index=True)
    # Who raised it (a person or a unit, real name as given) and how to reach them.
    objector: Mapped[str] = mapped_column(String(120))
    objector_contact: Mapped[str | None] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    received_on: Mapped[date]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None]
    resolution_note: Mapped[str | None] = mapped_column(Text)

    case: Mapped[PromotionCase] = relationship()
    notice: Mapped[PublicNotice] = relationship()
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])
    resolved_by = relationship("User", foreign_keys=[resolved_by_id])


class GradeChange(db.Model):
    """One change of a competitor's grade: from, to, when, and on what basis."""

    __tablename__ = "grade_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    competitor_id: Mapped[int] = mapped_column(ForeignKey("competitors.id"), index=True)
    from_grade: Mapped[str] = mapped_column(ForeignKey("grades.code"))
    to_grade: Mapped[str] = mapped_column(ForeignKey("grades.code"))
    changed_on: Mapped[date]
    # "2025年…竞赛 中式烹调师（双人赛项）第 2 名；dq-2022 四（四）3.(1)：…；公示 …至…"
    basis: Mapped[str] = mapped_column(Text)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("promotion_cases.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    competitor = relationship("Competitor")
    case: Mapped[PromotionCase | None] = relationship()
    created_by = relationship("User")


class CalendarYear(db.Model):
    """A year's public holidays and 调休 working days as an administrator entered them.

    It counts for notices only once a second administrator has confirmed it (the database
    refuses the same person twice); at most one confirmed entry per year is in force, and
    confirming a correction supersedes the earlier one. The years shipped with compapp
    (compapp/promotion/holidays.toml) are not entered here.
    """

    __tablename__ = "calendar_years"
    __table_args__ = (
        CheckConstraint(CalendarStatus.sql_in("status"), name="status"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
        CheckConstraint(
            f"status IN ({sql_list([CalendarStatus.PROPOSED])})"
            " OR (decided_by_id IS NOT NULL AND decided_at IS NOT NULL)",
            name="decided_with_who_when",
        ),
        CheckConstraint(
            "decided_by_id IS NULL OR decided_by_id <> entered_by_id", name="four_eyes"
        ),
        Index(
            "uq_calendar_years_one_confirmed_per_year",
            "year",
            unique=True,
            sqlite_where=text("status = 'confirmed'"),
            postgresql_where=text("status = 'confirmed'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    holidays: Mapped[list] = mapped_column(JSON)  # ISO dates, sorted
    workdays: Mapped[list] = mapped_column(JSON)  # ISO dates of 调休 weekend working days
    # The State Council notice: title, 文号 and date, as users cite it.
    source: Mapped[str] = mapped_column(String(400))
    status: Mapped[str] = mapped_column(String(20), default="proposed")
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)

    entered_by = relationship("User", foreign_keys=[entered_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
