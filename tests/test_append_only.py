"""The audit log and confirmed award lines are append-only in the database itself.

Issue side door 9: the audit log refused changes only through the ORM, and confirmed award
lines had no guard at all, so a stray script could rewrite history. Triggers (migration
0009_i14a, on PostgreSQL and SQLite) now refuse it whatever the client. These tests write
plain SQL, as such a script would, on whichever database the suite runs on.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from compapp.audit.services import record_change
from compapp.finance.models import BudgetConfirmation
from compapp.rewards.models import AwardLineRecord


@pytest.fixture
def audit_entry(db):
    entry = record_change("create_contest", "contest", 1, "登记赛事")
    db.session.commit()
    return entry.id


def refused(db, sql: str, **params) -> None:
    with pytest.raises(IntegrityError):
        db.session.execute(text(sql), params)
        db.session.flush()
    db.session.rollback()


def test_the_audit_log_refuses_updates_by_plain_sql(db, audit_entry):
    refused(db, "UPDATE audit_entries SET summary = 'rewritten' WHERE id = :id", id=audit_entry)
    assert db.session.scalar(text("SELECT summary FROM audit_entries")) == "登记赛事"


def test_the_audit_log_refuses_deletes_by_plain_sql(db, audit_entry):
    refused(db, "DELETE FROM audit_entries WHERE id = :id", id=audit_entry)
    refused(db, "DELETE FROM audit_entries")
    assert db.session.scalar(text("SELECT count(*) FROM audit_entries")) == 1


@pytest.fixture
def confirmed_line(db, create_contest, create_event, create_entry, create_user):
    """A priced gold whose province line a finance officer has confirmed."""
    contest = create_contest()
    entry = create_entry(create_event(contest), rank=1, result="gold")
    entry.placement.status = "confirmed"
    officer = create_user("finance", "finance", jurisdiction_code="530000")
    line = db.session.scalar(
        db.select(AwardLineRecord).filter_by(entry_id=entry.id, payer_code="530000")
    )
    confirmation = BudgetConfirmation(
        contest_id=contest.id,
        payer_code="530000",
        confirmed_by_id=officer.id,
        total_fen=line.amount_fen,
        line_count=1,
    )
    db.session.add(confirmation)
    db.session.flush()
    line.budget_confirmation_id = confirmation.id
    db.session.commit()
    return line.id, officer.id


@pytest.mark.parametrize(
    "assignment",
    [
        "amount_fen = amount_fen * 3",
        "payer_code = '533400'",
        "explanation = 'rewritten'",
        "budget_confirmation_id = NULL",
        "is_current = false",
    ],
)
def test_a_confirmed_line_cannot_be_rewritten(db, confirmed_line, assignment):
    line_id, _officer = confirmed_line
    refused(db, f"UPDATE award_lines SET {assignment} WHERE id = :id", id=line_id)


def test_a_confirmed_line_cannot_be_deleted(db, confirmed_line):
    line_id, _officer = confirmed_line
    refused(db, "DELETE FROM award_lines WHERE id = :id", id=line_id)
    assert db.session.get(AwardLineRecord, line_id) is not None


def test_a_payment_is_recorded_once_and_then_stays(db, confirmed_line):
    """Recording the payment of a confirmed line is the one change allowed, once."""
    line_id, officer = confirmed_line
    pay = (
        "UPDATE award_lines SET paid_on = :on, payment_reference = :ref, paid_by_id = :by "
        "WHERE id = :id"
    )
    db.session.execute(
        text(pay), {"on": date(2024, 10, 8), "ref": "V-1", "by": officer, "id": line_id}
    )
    db.session.commit()
    refused(db, pay, on=date(2024, 10, 9), ref="V-2", by=officer, id=line_id)
    refused(db, "UPDATE award_lines SET paid_on = NULL WHERE id = :id", id=line_id)
    db.session.expire_all()
    assert db.session.get(AwardLineRecord, line_id).payment_reference == "V-1"


def test_an_unconfirmed_line_cannot_be_paid_nor_change_its_amount(db, confirmed_line):
    line_id, _officer = confirmed_line
    other = db.session.scalar(
        db.select(AwardLineRecord.id).where(
            AwardLineRecord.id != line_id, AwardLineRecord.budget_confirmation_id.is_(None)
        )
    )
    refused(db, "UPDATE award_lines SET paid_on = '2024-10-08' WHERE id = :id", id=other)
    refused(db, "UPDATE award_lines SET amount_fen = 1 WHERE id = :id", id=other)
    # Superseding an unconfirmed line (what a recomputation does) stays allowed.
    db.session.execute(
        text("UPDATE award_lines SET is_current = false WHERE id = :id"), {"id": other}
    )
    db.session.commit()
    refused(db, "UPDATE award_lines SET is_current = true WHERE id = :id", id=other)
