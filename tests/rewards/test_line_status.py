"""An award line's status has one definition (rewards.models.line_status), computed the same
way for a loaded line, in a query (line_status_sql) and in the awards export's rows."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from compapp.auth.models import utcnow
from compapp.contests.models import Entry, Placement
from compapp.finance.models import BudgetConfirmation
from compapp.rewards.models import AwardLineRecord, line_status, line_status_sql
from compapp.rewards.services import contest_line_rows


@pytest.mark.parametrize(
    ("paid", "revoked", "budget_confirmed", "result_confirmed"),
    # Only a budget-confirmed line can be paid (the database refuses the rest).
    [c for c in itertools.product([False, True], repeat=4) if c[2] or not c[0]],
)
def test_a_line_reads_the_same_status_loaded_in_a_query_and_in_the_export(
    db, dummy_contest, create_event, create_entry, dummy_admin, paid, revoked, budget_confirmed,
    result_confirmed,
):  # fmt: skip
    entry = create_entry(create_event(dummy_contest, "电工"), rank=1, result="gold")
    placement = entry.placement
    placement.status = "confirmed" if result_confirmed else "entered"
    placement.revoked_at = utcnow() if revoked else None
    lines = db.session.scalars(db.select(AwardLineRecord).filter_by(entry_id=entry.id)).all()
    assert lines, "a gold at a national contest is priced"
    confirmation = None
    if budget_confirmed:
        confirmation = BudgetConfirmation(
            contest_id=dummy_contest.id,
            payer_code=lines[0].payer_code,
            confirmed_by_id=dummy_admin.id,
            total_fen=lines[0].amount_fen,
            line_count=1,
        )
        db.session.add(confirmation)
        db.session.flush()
    line = lines[0]
    line.budget_confirmation_id = confirmation.id if confirmation else None
    line.paid_on = date(2025, 1, 2) if paid else None
    db.session.flush()

    expected = line_status(
        line.paid_on, placement.revoked_at, line.budget_confirmation_id, placement.status
    )
    assert line.status() == expected
    in_sql = db.session.scalar(
        db.select(line_status_sql())
        .select_from(AwardLineRecord)
        .join(Entry, Entry.id == AwardLineRecord.entry_id)
        .outerjoin(Placement, Placement.entry_id == Entry.id)
        .where(AwardLineRecord.id == line.id)
    )
    assert in_sql == expected
    exported = {row.status for row in contest_line_rows(dummy_contest) if row.entry_id == entry.id}
    assert expected in exported
    if revoked and not paid:
        assert expected == "revoked"  # the export said "confirmed" or "awaiting_budget" before
