"""Contests, their events, competitors, entries, coaches and placements."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from compapp.auth.models import utcnow
from compapp.core.idnumber import mask_id_number
from compapp.extensions import db
from compapp.policy.categories import TEAM_SIZE


class OrganisingBody(db.Model):
    """A body that runs contests (e.g. 云南省人力资源和社会保障厅)."""

    __tablename__ = "organising_bodies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)


class Contest(db.Model):
    __tablename__ = "contests"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
        CheckConstraint("award_on >= starts_on", name="award_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(40), index=True)
    organising_body_id: Mapped[int] = mapped_column(ForeignKey("organising_bodies.id"))
    # The organising jurisdiction (POLICY.md §3): 530000, or the prefecture that runs a
    # prefecture-tier contest. Prefecture-tier rules belong to it, not to the competitor.
    organiser_code: Mapped[str] = mapped_column(
        ForeignKey("jurisdictions.code"), index=True, default="530000"
    )
    location: Mapped[str | None] = mapped_column(String(120))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    award_on: Mapped[date] = mapped_column(index=True)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    organising_body: Mapped[OrganisingBody] = relationship()
    organiser = relationship("Jurisdiction")
    events: Mapped[list[Event]] = relationship(
        back_populates="contest", order_by="Event.id", cascade="all, delete-orphan"
    )


class Event(db.Model):
    """One occupation's (工种) final within a contest."""

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("format IN ('individual', 'pair', 'trio')", name="format"),
        CheckConstraint("result_kind IN ('medals', 'prizes', 'rank_only')", name="result_kind"),
        UniqueConstraint("contest_id", "occupation", "format"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id"), index=True)
    occupation: Mapped[str] = mapped_column(String(120))
    format: Mapped[str] = mapped_column(String(20))
    result_kind: Mapped[str] = mapped_column(String(20))
    # Optimistic locking of the event's results page: bumped on every change to its entries.
    version: Mapped[int] = mapped_column(default=1)

    contest: Mapped[Contest] = relationship(back_populates="events")
    entries: Mapped[list[Entry]] = relationship(
        back_populates="event", order_by="Entry.id", cascade="all, delete-orphan"
    )

    @property
    def team_size(self) -> int:
        return TEAM_SIZE[self.format]


class Competitor(db.Model):
    __tablename__ = "competitors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    id_number: Mapped[str] = mapped_column(String(18), unique=True)
    employer: Mapped[str | None] = mapped_column(String(160))
    is_employee: Mapped[bool] = mapped_column(default=False)
    grade_code: Mapped[str] = mapped_column(ForeignKey("grades.code"), default="none")
    home_county_code: Mapped[str | None] = mapped_column(ForeignKey("jurisdictions.code"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    grade = relationship("Grade")
    home_county = relationship("Jurisdiction")

    @property
    def masked_id(self) -> str:
        return mask_id_number(self.id_number)


class Coach(db.Model):
    """A member of coaching teams (教练、技术指导、翻译、专家)."""

    __tablename__ = "coaches"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    employer: Mapped[str | None] = mapped_column(String(160))
    phone: Mapped[str | None] = mapped_column(String(30))
    # The person behind the name: coaches are told apart and linked to accounts by it, never
    # by name (two coaches may share one). Older records may lack it until it is entered.
    id_number: Mapped[str | None] = mapped_column(String(18), unique=True, index=True)

    @property
    def masked_id(self) -> str:
        return mask_id_number(self.id_number) if self.id_number else ""


class Entry(db.Model):
    """One team (1–3 competitors) entered in an event by a sending county."""

    __tablename__ = "entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    sending_county_code: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    event: Mapped[Event] = relationship(back_populates="entries")
    sending_county = relationship("Jurisdiction")
    members: Mapped[list[EntryMember]] = relationship(
        back_populates="entry", order_by="EntryMember.position", cascade="all, delete-orphan"
    )
    coaches: Mapped[list[EntryCoach]] = relationship(
        back_populates="entry", order_by="EntryCoach.id", cascade="all, delete-orphan"
    )
    placement: Mapped[Placement | None] = relationship(
        back_populates="entry", cascade="all, delete-orphan", uselist=False
    )

    @property
    def competitors(self) -> list[Competitor]:
        return [m.competitor for m in self.members]


class EntryMember(db.Model):
    __tablename__ = "entry_members"
    __table_args__ = (
        UniqueConstraint("event_id", "competitor_id"),
        UniqueConstraint("entry_id", "position"),
        CheckConstraint("position BETWEEN 1 AND 3", name="position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), index=True)
    # Repeated from the entry so the database refuses one person in two entries of an event.
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    competitor_id: Mapped[int] = mapped_column(ForeignKey("competitors.id"), index=True)
    position: Mapped[int]

    entry: Mapped[Entry] = relationship(back_populates="members")
    competitor: Mapped[Competitor] = relationship()


class EntryCoach(db.Model):
    """A coaching-team member of one entry, and their share of the team's award (if divided)."""

    __tablename__ = "entry_coaches"
    __table_args__ = (
        UniqueConstraint("entry_id", "coach_id"),
        CheckConstraint(
            "role IN ('coach', 'technical_director', 'translator', 'expert')", name="role"
        ),
        CheckConstraint(
            "share_percent IS NULL OR (share_percent >= 0 AND share_percent <= 100)",
            name="share_percent",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), index=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("coaches.id"), index=True)
    role: Mapped[str] = mapped_column(String(30), default="coach")
    # How the team's award is divided (POLICY.md §5.2): percentages that add up to 100.
    share_percent: Mapped[int | None]

    entry: Mapped[Entry] = relationship(back_populates="coaches")
    coach: Mapped[Coach] = relationship()


class Placement(db.Model):
    """The result of an entry: final-round rank plus medal or prize."""

    __tablename__ = "placements"
    __table_args__ = (
        CheckConstraint("rank >= 1", name="rank_positive"),
        CheckConstraint(
            "medal IS NULL OR medal IN ('gold', 'silver', 'bronze', 'excellence')", name="medal"
        ),
        CheckConstraint("prize IS NULL OR prize BETWEEN 1 AND 3", name="prize"),
        CheckConstraint("NOT (medal IS NOT NULL AND prize IS NOT NULL)", name="medal_or_prize"),
        CheckConstraint("status IN ('entered', 'confirmed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), unique=True)
    rank: Mapped[int]
    is_tie: Mapped[bool] = mapped_column(default=False)
    medal: Mapped[str | None] = mapped_column(String(20))
    prize: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(20), default="entered")
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None]
    # Sent back by a reviewer to the person who entered it, with the reason (cleared on saving).
    returned_at: Mapped[datetime | None]
    # No foreign key: adding one would make SQLite rebuild the table (and drop its triggers).
    returned_by_id: Mapped[int | None]
    return_reason: Mapped[str | None] = mapped_column(String(400))
    # Set when a confirmed revocation took the result's awards and certificates away.
    revoked_at: Mapped[datetime | None]
    # Bumped by every change (the mapper compares and sets it on each UPDATE): a confirmation
    # binds to the version the reviewer saw (compapp.core.seen).
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    entry: Mapped[Entry] = relationship(back_populates="placement")
    entered_by = relationship("User", foreign_keys=[entered_by_id])
    confirmed_by = relationship("User", foreign_keys=[confirmed_by_id])
