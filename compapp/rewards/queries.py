"""Loading recipes of the rewards domain: what the award rules read of each placed entry."""

from __future__ import annotations

from sqlalchemy import select

from compapp.contests.models import Contest, Entry, Event, Placement
from compapp.extensions import db
from compapp.reference.models import Jurisdiction
from compapp.rewards.rules import AwardFacts

county = Jurisdiction.__table__.alias("county")
prefecture = Jurisdiction.__table__.alias("prefecture")
organiser = Jurisdiction.__table__.alias("organiser")
# What the award rules read of a placed entry (services.facts_for, without the rank).
FACT_COLUMNS = (
    Contest.award_on,
    Contest.category,
    Event.format,
    Placement.medal,
    Placement.prize,
    county.c.code,
    county.c.name,
    prefecture.c.code,
    prefecture.c.name,
    Contest.organiser_code,
    organiser.c.name,
)


def placed(*columns):
    """Select ``columns`` over placed entries joined to their contest, county, prefecture and
    organiser (the callers narrow it)."""
    return (
        select(*columns)
        .select_from(Placement)
        .join(Entry, Entry.id == Placement.entry_id)
        .join(Event, Event.id == Entry.event_id)
        .join(Contest, Contest.id == Event.contest_id)
        .join(county, county.c.code == Entry.sending_county_code)
        .outerjoin(prefecture, prefecture.c.code == county.c.parent_code)
        .join(organiser, organiser.c.code == Contest.organiser_code)
    )


def facts_of(row) -> AwardFacts:
    """The facts of a row of ``FACT_COLUMNS`` (the rank left out: cash never depends on it)."""
    award_on, category, fmt, medal, prize, c_code, c_name, p_code, p_name, o_code, o_name = row
    return AwardFacts(
        award_on, category, fmt, medal, prize, None, c_code, c_name, p_code or "",
        p_name or "", o_code, o_name,
    )  # fmt: skip


def contests_newest_first() -> list[Contest]:
    """Every contest, newest award date first (the what-if's choice of contests)."""
    return db.session.scalars(db.select(Contest).order_by(Contest.award_on.desc())).all()
