"""Who a user may look up, and everything compapp holds about one person, in a few queries."""

from __future__ import annotations

import re

from sqlalchemy.orm import selectinload

from compapp.certificates.models import Certificate
from compapp.contests.models import Competitor, Contest, Entry, EntryMember, Event
from compapp.extensions import db
from compapp.honours.models import Honour
from compapp.rewards.models import AwardLineRecord

RESULTS_LIMIT = 50
ID_LIKE = re.compile(r"^[0-9]{4,17}[0-9Xx]?$")


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def scope_condition(user):
    """SQL condition on ``Competitor`` for the people ``user`` may see, or None for all.

    An organiser sees the competitors of their body's contests; a finance officer those whose
    awards their jurisdiction pays; an administrator everyone; nobody else anyone.
    """
    if user.role == "admin":
        return None
    if user.role == "organiser" and user.organising_body_id is not None:
        return Competitor.id.in_(
            db.select(EntryMember.competitor_id)
            .join(Entry, Entry.id == EntryMember.entry_id)
            .join(Event, Event.id == Entry.event_id)
            .join(Contest, Contest.id == Event.contest_id)
            .where(Contest.organising_body_id == user.organising_body_id)
        )
    if user.role == "finance" and user.jurisdiction_code:
        return Competitor.id.in_(
            db.select(AwardLineRecord.competitor_id).where(
                AwardLineRecord.payer_code == user.jurisdiction_code,
                AwardLineRecord.competitor_id.is_not(None),
            )
        )
    return db.false()


def may_search(user) -> bool:
    return user.role in ("admin", "organiser", "finance")


def find_people(user, text: str) -> list[Competitor]:
    """People in ``user``'s scope whose name contains ``text`` or whose ID number starts with
    it (an ID number is matched from its start: 4 to 18 characters)."""
    text = " ".join(text.split())[:40]
    if not text:
        return []
    if ID_LIKE.match(text):
        match = Competitor.id_number.like(text.upper().replace("\\", "") + "%")
    else:
        match = Competitor.name.like(_like(text), escape="\\")
    query = db.select(Competitor).where(match).order_by(Competitor.name, Competitor.id)
    scope = scope_condition(user)
    if scope is not None:
        query = query.where(scope)
    return db.session.scalars(query.limit(RESULTS_LIMIT)).all()


def person_in_scope(user, competitor_id: int) -> Competitor | None:
    query = db.select(Competitor).where(Competitor.id == competitor_id)
    scope = scope_condition(user)
    if scope is not None:
        query = query.where(scope)
    return db.session.scalar(query)


def entries_of(person: Competitor, user) -> list[Entry]:
    """The person's entries (newest contest first); an organiser sees their body's only."""
    query = (
        db.select(Entry)
        .join(EntryMember, EntryMember.entry_id == Entry.id)
        .join(Event, Event.id == Entry.event_id)
        .join(Contest, Contest.id == Event.contest_id)
        .where(EntryMember.competitor_id == person.id)
        .order_by(Contest.award_on.desc(), Entry.id)
        .options(
            selectinload(Entry.placement), selectinload(Entry.event).selectinload(Event.contest)
        )
    )
    if user.role == "organiser" and user.organising_body_id is not None:
        query = query.where(Contest.organising_body_id == user.organising_body_id)
    return db.session.scalars(query).all()


def lines_of(person: Competitor, user) -> list[AwardLineRecord]:
    """The person's current award lines; a finance officer sees the ones their level pays."""
    query = (
        db.select(AwardLineRecord)
        .where(AwardLineRecord.competitor_id == person.id, AwardLineRecord.is_current.is_(True))
        .order_by(AwardLineRecord.entry_id, AwardLineRecord.id)
        .options(
            selectinload(AwardLineRecord.payer),
            selectinload(AwardLineRecord.entry).selectinload(Entry.placement),
            selectinload(AwardLineRecord.entry)
            .selectinload(Entry.event)
            .selectinload(Event.contest),
        )
    )
    if user.role == "finance":
        query = query.where(AwardLineRecord.payer_code == user.jurisdiction_code)
    if user.role == "organiser" and user.organising_body_id is not None:
        query = (
            query.join(Entry, Entry.id == AwardLineRecord.entry_id)
            .join(Event, Event.id == Entry.event_id)
            .join(Contest, Contest.id == Event.contest_id)
            .where(Contest.organising_body_id == user.organising_body_id)
        )
    return db.session.scalars(query).all()


def certificates_of(person: Competitor, user) -> list[Certificate]:
    query = (
        db.select(Certificate)
        .where(Certificate.competitor_id == person.id)
        .order_by(Certificate.id.desc())
        .options(selectinload(Certificate.contest))
    )
    if user.role == "organiser" and user.organising_body_id is not None:
        query = query.join(Contest, Contest.id == Certificate.contest_id).where(
            Contest.organising_body_id == user.organising_body_id
        )
    if user.role == "finance":
        return []
    return db.session.scalars(query).all()


def honours_of(person: Competitor, user) -> list[Honour]:
    """The person's honours, newest first; a finance officer sees the ones their level pays
    (organisers record and confirm honours for the whole province, so they see them all)."""
    query = (
        db.select(Honour)
        .where(Honour.competitor_id == person.id)
        .order_by(Honour.awarded_on.desc(), Honour.id.desc())
        .options(selectinload(Honour.confirmed_by))
    )
    if user.role == "finance":
        query = query.where(Honour.payer_code == user.jurisdiction_code)
    return db.session.scalars(query).all()
