"""待我处理 counts the objections (异议) waiting for an investigation, for the organisers who
may decide them: not the organiser who recorded one (promotion.notices.resolve_objection
refuses the recorder), any administrator, nobody outside the contest's body."""

from __future__ import annotations

from datetime import date

from compapp.promotion import notices
from tests.promotion import test_notice_rules as rules
from tests.promotion.test_notice_rules import case_of, published, signed_in

# The notice tests' fixtures: a published notice's contest, its organisers and the clock.
clock = rules.clock
confirmed = rules.confirmed


def test_an_open_objection_awaits_the_organisers_who_may_decide_it(
    app, db, confirmed, clock, create_user
):
    from compapp.notifications.views import header_count

    contest, people = confirmed
    from compapp.contests.services import get_or_create_body

    other_body = get_or_create_body("大理州人力资源和社会保障局")
    db.session.commit()
    stranger = create_user("organiser_other", "organiser", organising_body_id=other_body.id)
    published(db, contest, people)
    clock.set(date(2026, 12, 1))
    before = {u: signed_in(app, u).get("/todo").get_data(as_text=True) for u in ("organiser2",)}
    assert 'data-task="objections"' not in before["organiser2"]

    objection = notices.lodge_objection(
        case_of(db, "阿旺"), people["organiser1"], "李某（德钦县）", "名次有误"
    )
    db.session.commit()

    decider = signed_in(app, "organiser2").get("/todo").get_data(as_text=True)
    assert 'data-task="objections"' in decider and "1 条公示异议等待调查处理" in decider
    admin = signed_in(app, "admin").get("/todo").get_data(as_text=True)
    assert 'data-task="objections"' in admin
    recorder = signed_in(app, "organiser1").get("/todo").get_data(as_text=True)
    assert 'data-task="objections"' not in recorder
    other = signed_in(app, stranger.username).get("/todo").get_data(as_text=True)
    assert 'data-task="objections"' not in other
    from flask_babel import refresh

    client = signed_in(app, "organiser2")
    refresh()  # the test's app context outlives requests: forget the cached language
    english = client.get("/todo?lang=en").get_data(as_text=True)
    assert "1 objection to a notice awaiting investigation" in english  # singular for one

    # The header's number counts it as well, and stops counting once it is decided.
    with app.test_request_context():
        from flask_login import login_user

        login_user(people["organiser2"])
        counted = header_count()
        notices.resolve_objection(objection, people["organiser2"], False, "名次经核对无误")
        db.session.commit()
        assert header_count() == counted - 1
    refresh()
    after = signed_in(app, "organiser2").get("/todo?lang=zh").get_data(as_text=True)
    assert 'data-task="objections"' not in after
