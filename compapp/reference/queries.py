"""Read the reference data: Yunnan's divisions as the pure rules and forms need them."""

from __future__ import annotations

from compapp.core.vocab import JurisdictionLevel
from compapp.extensions import db
from compapp.reference.models import Jurisdiction


def lookup_county(code: str) -> tuple[str, str, str] | None:
    """Return (county name, prefecture code, prefecture name) for a county code, else None."""
    county = db.session.get(Jurisdiction, code)
    if county is None or county.level != JurisdictionLevel.COUNTY or county.parent is None:
        return None
    return county.name, county.parent.code, county.parent.name


def lookup_organiser(code: str) -> tuple[str, str] | None:
    """Return (name, level) for the province or a prefecture, else None."""
    found = db.session.get(Jurisdiction, code)
    if found is None or found.level not in ("province", "prefecture"):
        return None
    return found.name, found.level


def jurisdictions(*, counties: bool = True) -> list[Jurisdiction]:
    """Every jurisdiction by code (without the counties when ``counties`` is false)."""
    query = db.select(Jurisdiction).order_by(Jurisdiction.code)
    if not counties:
        query = query.where(Jurisdiction.level != JurisdictionLevel.COUNTY)
    return db.session.scalars(query).all()
