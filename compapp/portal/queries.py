"""Loading recipes of the coach's and the winner's pages: their own entries, lines and cases."""

from __future__ import annotations

from sqlalchemy.orm import joinedload, selectinload

from compapp.contests.models import Contest, Entry, EntryCoach, EntryMember, Event
from compapp.extensions import db
from compapp.promotion.models import PromotionCase
from compapp.rewards.models import AwardLineRecord
from compapp.rewards.services import line_loading


def current_lines(entry_ids: list[int], **filters) -> list[AwardLineRecord]:
    """The current award lines of ``entry_ids`` (``filters``: e.g. one competitor's)."""
    if not entry_ids:
        return []
    return db.session.scalars(
        db.select(AwardLineRecord)
        .where(AwardLineRecord.entry_id.in_(entry_ids), AwardLineRecord.is_current.is_(True))
        .filter_by(**filters)
        .order_by(AwardLineRecord.id)
        .options(*line_loading())
    ).all()


def _entries(join, condition) -> list[Entry]:
    """The entries reached through ``join`` that meet ``condition``, newest contest first,
    with their event, contest, result, team and coaches (a fixed number of queries)."""
    return db.session.scalars(
        db.select(Entry)
        .join(join)
        .join(Event)
        .join(Contest)
        .where(condition)
        .order_by(Contest.award_on.desc(), Entry.id)
        .options(
            joinedload(Entry.event).joinedload(Event.contest),
            selectinload(Entry.placement),
            selectinload(Entry.members).joinedload(EntryMember.competitor),
            selectinload(Entry.coaches).joinedload(EntryCoach.coach),
        )
    ).all()


def coached_entries(coach_id: int) -> list[Entry]:
    """The entries a coach coached."""
    return _entries(EntryCoach, EntryCoach.coach_id == coach_id)


def competitor_entries(competitor_id: int) -> list[Entry]:
    """The entries a competitor was a member of."""
    return _entries(EntryMember, EntryMember.competitor_id == competitor_id)


def competitor_promotions(competitor_id: int) -> list[PromotionCase]:
    """The competitor's promotion cases."""
    return db.session.scalars(
        db.select(PromotionCase).where(PromotionCase.competitor_id == competitor_id)
    ).all()
