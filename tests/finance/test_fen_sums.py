"""Sums of fen pass 2^31 (¥21,474,836.48) without overflowing on either database: a
province's confirmed lines over a year can, and PostgreSQL's 32-bit integer cannot hold that.
The ledger's sums are 64-bit in SQL, and the records keeping sums (a budget confirmation's
total, a reconciliation's figures) are 64-bit columns.

The amounts are test figures far above any award, set on the lines directly to reach the sum.
"""

from __future__ import annotations

from datetime import date

import pytest

from compapp.finance.models import BudgetConfirmation, Reconciliation
from compapp.finance.reconciliation import ledger, record_reconciliation
from compapp.finance.services import budget_view, confirm_budget
from compapp.rewards.models import AwardLineRecord

TWO_TO_31 = 2**31
EACH = 1_500_000_000  # ¥15,000,000.00 a line: two of them pass 2^31 fen


@pytest.fixture
def big_lines(db, dummy_contest, create_event, create_entry):
    """Two provincial lines of ¥15,000,000 each (and the real ones), results confirmed,
    budget not yet."""
    for occupation in ("电工", "焊工"):
        entry = create_entry(create_event(dummy_contest, occupation), "533422", 1, "gold")
        entry.placement.status = "confirmed"
    db.session.flush()
    # Lines are append-only: each provincial line gets a big twin of the same computation.
    columns = [c.key for c in AwardLineRecord.__table__.columns if c.key != "id"]
    for line in db.session.scalars(
        db.select(AwardLineRecord).where(AwardLineRecord.payer_code == "530000")
    ).all():
        db.session.add(
            AwardLineRecord(**{**{k: getattr(line, k) for k in columns}, "amount_fen": EACH})
        )
    db.session.commit()
    return dummy_contest


def test_a_budget_confirmation_keeps_a_total_above_two_to_the_31_fen(db, big_lines, create_user):
    officer = create_user("fin_yn", "finance", jurisdiction_code="530000")
    view = budget_view("530000", big_lines)
    confirmation = confirm_budget(big_lines, "530000", officer, seen=view)
    db.session.commit()
    db.session.expire_all()
    total = db.session.get(BudgetConfirmation, confirmation.id).total_fen
    assert total >= 2 * EACH > TWO_TO_31


def test_the_ledger_and_its_reconciliation_keep_sums_above_two_to_the_31_fen(
    db, big_lines, create_user
):
    officer = create_user("fin_yn", "finance", jurisdiction_code="530000")
    confirm_budget(big_lines, "530000", officer, seen=budget_view("530000", big_lines))
    db.session.commit()
    year = (date(2024, 1, 1), date(2024, 12, 31))
    figures = ledger("530000", *year)
    assert figures.confirmed_fen >= 2 * EACH > TWO_TO_31
    assert figures.outstanding_fen == figures.confirmed_fen
    assert sum(figures.by_source.values()) == figures.confirmed_fen
    record = record_reconciliation(figures, figures.paid_fen, "", officer)
    db.session.commit()
    db.session.expire_all()
    kept = db.session.get(Reconciliation, record.id)
    assert kept.confirmed_fen == kept.outstanding_fen == figures.confirmed_fen
    assert kept.difference_fen == 0
