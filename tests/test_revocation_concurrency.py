"""Two people confirm the same revocation (or settle the same recovery) at the same moment:
exactly one wins, on SQLite and on PostgreSQL (a compare-and-set in the database)."""

from __future__ import annotations

import threading
from datetime import date

from compapp.auth.models import User
from compapp.finance.models import RecoveryLine
from compapp.revocation import services
from compapp.revocation.models import Revocation
from tests.finance.finance_helpers import WORLDSKILLS, confirm_budget
from tests.finance.test_roster import dq_lines
from tests.helpers import contest_named


def race(app, work, usernames):
    """Run ``work(user)`` for each username in its own thread and session, all at once."""
    from compapp.extensions import db

    barrier = threading.Barrier(len(usernames))
    outcomes = []

    def run(username):
        with app.test_request_context():
            user = db.session.scalar(db.select(User).filter_by(username=username))
            barrier.wait()
            try:
                work(user)
                db.session.commit()
                outcomes.append("ok")
            except services.RevocationRefused:
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(u,)) for u in usernames]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return sorted(outcomes)


def test_one_of_two_simultaneous_confirmations_of_a_revocation_wins(app, db, demo):
    contest = contest_named(db, WORLDSKILLS)
    confirm_budget(app, "finance_dq", contest)
    placement = dq_lines(db, contest)[0].entry.placement
    one = db.session.scalar(db.select(User).filter_by(username="organiser1"))
    revocation = services.request_revocation(placement, "冒名顶替", None, one, date.today())
    db.session.commit()
    revocation_id = revocation.id
    db.session.remove()

    def confirm(user):
        from compapp.extensions import db as session_db

        services.confirm_revocation(
            session_db.session.get(Revocation, revocation_id), user, date.today()
        )

    assert race(app, confirm, ["organiser2", "admin"]) == ["ok", "refused"]
    contest = contest_named(db, WORLDSKILLS)
    lines = db.session.scalars(db.select(RecoveryLine)).all()
    assert len(lines) == len({line.award_line_id for line in lines}) == len(dq_lines(db, contest))

    recovery_id = lines[0].id

    def settle(user):
        from compapp.extensions import db as session_db

        services.settle_recovery(
            session_db.session.get(RecoveryLine, recovery_id), f"R-{user.id}", date.today(), user
        )

    finance = db.session.scalar(db.select(User).filter_by(username="finance_dq"))
    second = User(
        username="finance_dq2",
        display_name="迪庆州财政局 二",
        role="finance",
        jurisdiction_code="533400",
    )
    second.set_password("x-password-1")
    db.session.add(second)
    db.session.commit()
    assert finance is not None
    db.session.remove()
    assert race(app, settle, ["finance_dq", "finance_dq2"]) == ["ok", "refused"]
