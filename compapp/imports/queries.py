"""Loading recipes of the import pages."""

from __future__ import annotations

from sqlalchemy.orm import contains_eager

from compapp.contests.models import Contest
from compapp.extensions import db
from compapp.imports.models import ImportBatch


def recent_batches(scope, limit: int = 20) -> list[ImportBatch]:
    """The newest import batches of the contests in ``scope`` (contests.access.scoped)."""
    return db.session.scalars(
        scope(db.select(ImportBatch).join(Contest, Contest.id == ImportBatch.contest_id))
        .order_by(ImportBatch.id.desc())
        .options(contains_eager(ImportBatch.contest))
        .limit(limit)
    ).all()
