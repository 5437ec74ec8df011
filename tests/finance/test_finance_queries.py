"""The roster, the bulk review page and the reconciliation read in a fixed number of queries,
whatever the number of entries (STYLE.md: no lazy load in a loop)."""

from __future__ import annotations

import pytest

from compapp.auth.models import User
from compapp.contests.services import CoachData, EntryData, MemberData
from compapp.finance import services
from compapp.finance.reconciliation import ledger
from compapp.finance.roster import build_roster
from compapp.payees.services import save_payee
from compapp.rewards.entries import save_and_price_entry
from tests.helpers import id_number_for
from tests.queries import counted


def contest_with(db, create_contest, create_event, create_user, n: int):
    """A provincial class-1 contest with ``n`` medal-less ranks after three medallists, each
    with a two-coach team and bank details, confirmed by a second organiser and by 迪庆州."""
    enterer = create_user(f"enter{n}", "organiser")
    contest = create_contest(
        category="provincial_class1", award_on=__import__("datetime").date(2025, 6, 1)
    )
    event = create_event(contest, "电工", "individual", "medals")
    entries = []
    for rank in range(1, n + 1):
        coaches = [
            CoachData(f"教练{rank}a", "coach", 60, id_number_for("533401")),
            CoachData(f"教练{rank}b", "translator", 40, id_number_for("533401")),
        ]
        data = EntryData(
            sending_county="533422",
            members=[MemberData(id_number_for("533422"), f"选手{rank}")],
            coaches=coaches,
            rank=rank,
            result="gold" if rank == 1 else None,
        )
        entries.append(save_and_price_entry(event, data, enterer.id, event.version))
    for entry in entries:
        for person in [m.competitor for m in entry.members] + [c.coach for c in entry.coaches]:
            save_payee(person, "中国农业银行", "德钦县支行", "6228480012345678901", None)
        entry.placement.status = "confirmed"
    db.session.commit()
    officer = create_user(f"fin{n}", "finance", jurisdiction_code="533400")
    services.confirm_budget(
        contest, "533400", officer, seen=services.budget_view("533400", contest)
    )
    db.session.commit()
    return contest


@pytest.mark.parametrize("n", [2, 8])
def test_the_roster_reads_in_a_fixed_number_of_queries(
    app, db, create_contest, create_event, create_user, n
):
    contest = contest_with(db, create_contest, create_event, create_user, n)
    db.session.expire_all()
    # The roster's labels follow the page's language: it is read inside a request.
    with app.test_request_context(), counted(db) as statements:
        roster = build_roster("533400", contest)
        ledger("533400", contest.award_on, contest.award_on)
    assert roster.total_fen == roster.line_total_fen > 0
    assert len(statements) <= 14, len(statements)


def test_the_bulk_review_page_reads_in_a_fixed_number_of_queries(
    client, auth, db, create_contest, create_event, create_user
):
    counts = []
    for n in (2, 8):
        contest = create_contest()
        event = create_event(contest)
        enterer = db.session.scalar(db.select(User).filter_by(username="enterer")) or create_user(
            "enterer"
        )
        for rank in range(1, n + 1):
            save_and_price_entry(
                event,
                EntryData(
                    sending_county="533422",
                    members=[MemberData(id_number_for("533422"), f"选手{n}-{rank}")],
                    coaches=[CoachData(f"教练{n}-{rank}", "coach", None, "")],
                    rank=rank,
                ),
                enterer.id,
                event.version,
            )
        db.session.commit()
        if n == 2:
            create_user("reviewer")
            auth.login("reviewer")
        db.session.expire_all()
        with counted(db) as statements:
            assert client.get(f"/contests/review/bulk?contest={contest.id}").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
