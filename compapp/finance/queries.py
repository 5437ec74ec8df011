"""Loading recipes of the finance pages that are not sums (those are in services)."""

from __future__ import annotations

from compapp.contests.models import Entry, Event
from compapp.extensions import db
from compapp.rewards.models import AwardLineRecord


def contest_lines(contest_id: int, ids) -> list[AwardLineRecord]:
    """Of the line ids ``ids``, the lines of that contest (an id of another contest's line, or
    of none, drops out: the caller compares the counts)."""
    return db.session.scalars(
        db.select(AwardLineRecord)
        .join(Entry)
        .join(Event)
        .where(AwardLineRecord.id.in_(ids), Event.contest_id == contest_id)
    ).all()
