"""Loading recipes of the contests domain: entries with what the pages show, counts in SQL."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import contains_eager, joinedload, selectinload

from compapp.contests.models import (
    Coach,
    Competitor,
    Contest,
    Entry,
    EntryCoach,
    EntryMember,
    Event,
    OrganisingBody,
    Placement,
)
from compapp.extensions import db
from compapp.reference.models import Jurisdiction


def entry_loading() -> tuple:
    """Load what the pages show of each entry (team, coaches, result, county) in a few queries."""
    return (
        selectinload(Entry.placement),
        selectinload(Entry.members).joinedload(EntryMember.competitor),
        selectinload(Entry.coaches).joinedload(EntryCoach.coach),
        joinedload(Entry.sending_county).joinedload(Jurisdiction.parent),
    )


def placed_entries_query(contest: Contest, event_id: int | None = None, search: str = ""):
    """The contest's placed entries in event and rank order, optionally one event's or those
    with a competitor or coach whose name contains ``search``; loaded for display (for a
    page of them: compapp.paging)."""
    query = (
        db.select(Entry)
        .join(Event, Event.id == Entry.event_id)
        .join(Placement, Placement.entry_id == Entry.id)
        .where(Event.contest_id == contest.id)
        .order_by(Event.id, Placement.rank, Entry.id)
        .options(
            contains_eager(Entry.placement),
            contains_eager(Entry.event),
            selectinload(Entry.members).joinedload(EntryMember.competitor),
            selectinload(Entry.coaches).joinedload(EntryCoach.coach),
            joinedload(Entry.sending_county).joinedload(Jurisdiction.parent),
        )
    )
    if event_id is not None:
        query = query.where(Entry.event_id == event_id)
    if search:
        by_member = (
            db.select(EntryMember.entry_id)
            .join(Competitor, Competitor.id == EntryMember.competitor_id)
            .where(Competitor.name.contains(search, autoescape=True))
        )
        by_coach = (
            db.select(EntryCoach.entry_id)
            .join(Coach, Coach.id == EntryCoach.coach_id)
            .where(Coach.name.contains(search, autoescape=True))
        )
        query = query.where(db.or_(Entry.id.in_(by_member), Entry.id.in_(by_coach)))
    return query


def event_counts(contest: Contest) -> dict[int, tuple[int, int]]:
    """Event id -> (entries, placed entries) of the contest's events, counted in SQL."""
    rows = db.session.execute(
        db.select(Event.id, db.func.count(Entry.id), db.func.count(Placement.id))
        .outerjoin(Entry, Entry.event_id == Event.id)
        .outerjoin(Placement, Placement.entry_id == Entry.id)
        .where(Event.contest_id == contest.id)
        .group_by(Event.id)
    ).all()
    return {event_id: (entries, placed) for event_id, entries, placed in rows}


def contest_events(contest: Contest, *entry_options) -> list[Event]:
    """The contest's events with their entries, loaded with ``entry_options`` (by id)."""
    return db.session.scalars(
        db.select(Event)
        .filter_by(contest_id=contest.id)
        .order_by(Event.id)
        .options(selectinload(Event.entries).options(*entry_options))
    ).all()


def event_with_entries(event_id: int) -> Event | None:
    """The event with its contest and its entries loaded for the event page."""
    return db.session.scalar(
        db.select(Event)
        .filter_by(id=event_id)
        .options(
            joinedload(Event.contest),
            selectinload(Event.entries).options(*entry_loading()),
        )
    )


def contest_entries(contest: Contest, *options) -> list[Entry]:
    """The contest's entries in event order, loaded with the given loader ``options``."""
    return db.session.scalars(
        db.select(Entry)
        .join(Event)
        .where(Event.contest_id == contest.id)
        .order_by(Event.id, Entry.id)
        .options(*options)
    ).all()


def sorted_entries(event: Event) -> list[Entry]:
    """The event's entries, placed ones by rank first."""
    return sorted(
        event.entries,
        key=lambda e: (e.placement is None, e.placement.rank if e.placement else 0, e.id),
    )


# ------------------------------------------------------------------ lists of the pages
# ``scope`` is the page's scope filter (contests.access.scoped): it narrows a select over
# contests to what the signed-in person may see.


def contest_listing(scope, *, categories=None, year: int | None = None) -> list:
    """The contests in ``scope`` (newest first) with their event counts: (contest, events).
    ``categories``: only these; ``year``: only those awarded in that year."""
    event_count = (
        db.select(db.func.count(Event.id))
        .where(Event.contest_id == Contest.id)
        .correlate(Contest)
        .scalar_subquery()
    )
    query = scope(
        db.select(Contest, event_count)
        .options(joinedload(Contest.organising_body))
        .order_by(Contest.award_on.desc(), Contest.id.desc())
    )
    if categories is not None:
        query = query.where(Contest.category.in_(list(categories)))
    if year is not None:
        query = query.where(
            Contest.award_on >= date(year, 1, 1), Contest.award_on < date(year + 1, 1, 1)
        )
    return db.session.execute(query).all()


def contest_years(scope) -> list[int]:
    """The years in which the contests in ``scope`` were awarded, newest first."""
    contest_year = db.cast(db.extract("year", Contest.award_on), db.Integer)
    return db.session.scalars(
        scope(db.select(contest_year).distinct().order_by(contest_year.desc()))
    ).all()


def recent_contests(scope, limit: int | None = None) -> list[Contest]:
    """The contests in ``scope``, newest first (at most ``limit``)."""
    query = scope(db.select(Contest)).order_by(Contest.award_on.desc(), Contest.id.desc())
    return db.session.scalars(query.limit(limit) if limit else query).all()


def events_of(contest_id: int) -> list[Event]:
    """The contest's events in the order they were added (without their entries)."""
    return db.session.scalars(
        db.select(Event).filter_by(contest_id=contest_id).order_by(Event.id)
    ).all()


def body_names() -> list[str]:
    """Every organising body's name, in order."""
    return db.session.scalars(db.select(OrganisingBody.name).order_by(OrganisingBody.name)).all()


def awaiting_review_query(scope):
    """Results in ``scope`` awaiting a second person's confirmation (four-eyes), newest contest
    first, with what the review page shows of each."""
    return (
        scope(
            db.select(Placement)
            .join(Entry)
            .join(Event)
            .join(Contest)
            .where(
                Placement.status == "entered",
                Placement.returned_at.is_(None),
                Placement.revoked_at.is_(None),
            )
        )
        .order_by(Contest.award_on.desc(), Event.id, Placement.rank, Placement.id)
        .options(
            contains_eager(Placement.entry)
            .contains_eager(Entry.event)
            .contains_eager(Event.contest),
            contains_eager(Placement.entry).options(
                selectinload(Entry.members).joinedload(EntryMember.competitor),
                selectinload(Entry.coaches).joinedload(EntryCoach.coach),
                joinedload(Entry.sending_county).joinedload(Jurisdiction.parent),
            ),
            joinedload(Placement.entered_by),
        )
    )


def bodies() -> list[OrganisingBody]:
    """Every organising body, by name."""
    return db.session.scalars(db.select(OrganisingBody).order_by(OrganisingBody.name)).all()


def coach_id_with_number(id_number: str) -> int | None:
    """The record number of the coach with that (normalised) ID number."""
    return db.session.scalar(db.select(Coach.id).filter_by(id_number=id_number))


def competitor_id_with_number(id_number: str) -> int | None:
    """The record number of the competitor with that (normalised) ID number."""
    return db.session.scalar(db.select(Competitor.id).filter_by(id_number=id_number))
