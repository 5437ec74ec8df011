"""Loading recipes of the revocation pages: revocations in a scope, recovery lines of a payer."""

from __future__ import annotations

from sqlalchemy.orm import contains_eager, joinedload

from compapp.contests.models import Entry, Event, Placement
from compapp.extensions import db
from compapp.finance.models import RecoveryLine
from compapp.revocation.models import Revocation


def revocations(scope, limit: int = 300) -> list[Revocation]:
    """The newest revocations of results in ``scope`` (contests.access.scoped), filtered in
    SQL, with their contest and the people who asked and confirmed."""
    return db.session.scalars(
        scope(
            db.select(Revocation)
            .join(Revocation.placement)
            .join(Placement.entry)
            .join(Entry.event)
            .join(Event.contest)
        )
        .order_by(Revocation.id.desc())
        .options(
            contains_eager(Revocation.placement)
            .contains_eager(Placement.entry)
            .contains_eager(Entry.event)
            .contains_eager(Event.contest),
            joinedload(Revocation.requested_by),
            joinedload(Revocation.confirmed_by),
        )
        .limit(limit)
    ).all()


def recovery_lines(payer_code: str | None, limit: int = 500) -> list[RecoveryLine]:
    """Recovery lines, open ones first (of one payer when ``payer_code`` is given)."""
    query = (
        db.select(RecoveryLine)
        .order_by(RecoveryLine.settled_on.is_not(None), RecoveryLine.id.desc())
        .options(
            joinedload(RecoveryLine.award_line),
            joinedload(RecoveryLine.revocation)
            .joinedload(Revocation.placement)
            .joinedload(Placement.entry)
            .joinedload(Entry.event)
            .joinedload(Event.contest),
            joinedload(RecoveryLine.payer),
        )
        .limit(limit)
    )
    if payer_code is not None:
        query = query.where(RecoveryLine.payer_code == payer_code)
    return db.session.scalars(query).all()
