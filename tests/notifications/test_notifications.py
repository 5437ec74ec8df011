"""待我处理 and notifications: an event that concerns someone notifies them and nobody else;
they read and dismiss their own notifications only. Runs on the demo data set."""

from __future__ import annotations

import re
from datetime import date

import pytest

from compapp.auth.models import User
from compapp.contests.models import Contest, Placement
from compapp.core.idnumber import make_id_number
from compapp.notifications.models import Notification
from tests.helpers import signed_in
from tests.pages import submit


def user(db, username) -> User:
    return db.session.scalar(db.select(User).filter_by(username=username))


def notes_of(db, username) -> list[Notification]:
    return db.session.scalars(
        db.select(Notification).filter_by(user_id=user(db, username).id)
    ).all()


def todo_texts(client) -> list[str]:
    html = client.get("/todo").get_data(as_text=True)
    return re.findall(
        r'<tr class="(?:unread|read)" id="notification-\d+">\s*<td>[^<]*</td>\s*<td>([^<]*)</td>',
        html,
    )


@pytest.fixture
def entered(app, db, demo):
    """organiser1 registers a provincial contest and enters a first prize through the form."""
    from compapp.contests.services import ContestData, add_event, save_contest

    organiser = user(db, "organiser1")
    contest = save_contest(
        ContestData(
            name="通知测试省级一类竞赛",
            category="provincial_class1",
            organising_body=organiser.organising_body.name,
            starts_on=date(2026, 10, 12),
            ends_on=date(2026, 10, 14),
            award_on=date(2026, 10, 15),
        )
    )
    event = add_event(contest, "西式面点师", "individual", "prizes")
    db.session.commit()
    client = signed_in(app, "organiser1")
    data = {
        "version": str(event.version),
        "sending_county": "533422",
        "rank": "1",
        "result": "prize_1",
        "members-0-id_number": make_id_number("53342219960303" + "811"),
        "members-0-name": "格桑卓嘎",
        "members-0-grade": "senior",
        "members-0-home_county": "533422",
    }
    response = client.post(f"/contests/events/{event.id}", data=data)
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:400]
    return contest


def test_entered_result_notifies_the_other_organisers_of_the_body_only(app, db, entered):
    """A result entered by organiser1 asks organiser2 (same body, may review) to review it;
    organiser1 (who entered it), Diqing's organiser and the finance offices are not told."""
    assert [n.kind for n in notes_of(db, "organiser2")] == ["result_entered"]
    assert "通知测试省级一类竞赛" in todo_texts(signed_in(app, "organiser2"))[0]
    for other in ("organiser1", "organiser_dq", "finance_yn", "winner1", "coach1"):
        assert notes_of(db, other) == [], other


def test_confirmed_result_notifies_the_finance_offices_that_pay(app, db, entered):
    """Once organiser2 confirms the result, the payers' finance officers (province, 迪庆州,
    德钦县 for a 德钦县 competitor) are told lines await them; 龙陵县's officer is not."""
    placement = db.session.scalar(
        db.select(Placement).join(Placement.entry).filter_by(event_id=entered.events[0].id)
    )
    action = f"/contests/placements/{placement.id}/confirm"
    response = submit(signed_in(app, "organiser2"), "/contests/review", action)
    assert response.status_code in (302, 303)
    assert db.session.get(Placement, placement.id).status == "confirmed"
    for officer in ("finance_yn", "finance_dq", "finance_deqin"):
        assert [n.kind for n in notes_of(db, officer)] == ["lines_awaiting"], officer
    assert notes_of(db, "finance_ll") == []
    client = signed_in(app, "finance_dq")
    assert any("通知测试省级一类竞赛" in t for t in todo_texts(client))


def test_issued_certificate_and_payment_notify_the_winner(app, db, demo):
    """Certificates issued for 此里农布 and a payment of their award reach winner1 only."""
    from compapp.certificates.issuing import issue_all_certificates
    from compapp.finance.services import budget_view, confirm_budget, mark_paid

    contest = db.session.scalar(db.select(Contest).filter_by(name="第47届世界技能大赛"))
    issue_all_certificates(contest, user(db, "organiser1"))
    db.session.commit()
    assert [n.kind for n in notes_of(db, "winner1")] == ["certificate_issued"]
    assert notes_of(db, "coach2") == [] or all(
        n.kind == "certificate_issued" for n in notes_of(db, "coach2")
    )
    from compapp.rewards.models import AwardLineRecord

    officer = user(db, "finance_yn")
    confirmation = confirm_budget(contest, "530000", officer, seen=budget_view("530000", contest))
    lines = db.session.scalars(
        db.select(AwardLineRecord).filter_by(budget_confirmation_id=confirmation.id)
    ).all()
    mark_paid(lines, "530000", "凭证-001", date(2026, 12, 1), officer)
    db.session.commit()
    assert sorted(n.kind for n in notes_of(db, "winner1")) == [
        "certificate_issued",
        "payment_made",
    ]
    assert notes_of(db, "finance_dq") == []


def test_person_reads_and_dismisses_their_notification_but_not_anothers(app, db, entered):
    """organiser2 opens (read) and removes (dismissed) their notification; organiser1 cannot
    touch it (404)."""
    note = notes_of(db, "organiser2")[0]
    assert signed_in(app, "organiser1").post(f"/notifications/{note.id}/dismiss").status_code == 404
    client = signed_in(app, "organiser2")
    count = client.get("/todo/count").get_json()["count"]
    response = client.post(f"/notifications/{note.id}/open")
    assert response.status_code == 303 and response.location.endswith("/contests/review")
    db.session.refresh(note)
    assert note.read_at is not None and note.dismissed_at is None
    assert client.get("/todo/count").get_json()["count"] == count - 1
    client.post(f"/notifications/{note.id}/dismiss")
    db.session.refresh(note)
    assert note.dismissed_at is not None
    assert todo_texts(client) == []


def test_bulk_change_notifies_once_while_unread(app, db, entered):
    """A second result entered while the first notice is unread adds no second notice."""
    from compapp.notifications.services import notify

    assert notify([user(db, "organiser2").id], "result_entered", {"contest": entered.name}) == 0


def test_todo_lists_what_awaits_each_role(app, db, demo):
    """待我处理 counts results to review (not one's own), promotions, titles, the calendar
    (administrators) and lines awaiting a finance office."""
    html = signed_in(app, "organiser2").get("/todo").get_data(as_text=True)
    assert 'data-task="results"' in html and 'data-task="promotions"' in html
    finance = signed_in(app, "finance_dq").get("/todo").get_data(as_text=True)
    assert 'data-task="lines"' in finance and 'data-task="results"' not in finance
    winner = signed_in(app, "winner1").get("/todo").get_data(as_text=True)
    assert "data-task=" not in winner


def test_todo_speaks_english(app, db, entered):
    from flask_babel import refresh

    client = signed_in(app, "organiser2")
    refresh()
    html = client.get("/todo?lang=en").get_data(as_text=True)
    assert "awaiting your review" in html
    assert "通知测试省级一类竞赛" in html  # a contest's name is a proper name
