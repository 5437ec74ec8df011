"""PostgreSQL stops while compapp is serving: users get a clear 503, nothing is half-saved.

The cluster here is the test's own (scripts/pg_throwaway.sh on a port of its own), so
stopping it leaves the suite's database alone.
"""

from __future__ import annotations

import threading
from datetime import date

import pytest
from production_helpers import WebUser

from tests.live_server import make_demo_app

pytestmark = pytest.mark.postgresql_only

UNAVAILABLE = "服务暂不可用"


def add_empty_event(app) -> int:
    from compapp.contests.services import ContestData, add_event, save_contest
    from compapp.extensions import db

    with app.app_context():
        contest = save_contest(
            ContestData(
                name="2026年云南省一类职业技能竞赛（焊工）",
                category="provincial_comprehensive",
                organising_body="云南省人力资源和社会保障厅",
                starts_on=date(2026, 9, 1),
                ends_on=date(2026, 9, 3),
                award_on=date(2026, 9, 3),
            )
        )
        event_id = add_event(contest, "焊工", "individual", "medals").id
        db.session.commit()
        db.session.remove()
    return event_id


def stored_state(app, event_id: int) -> dict:
    """What the database holds for the event: version, entries, people, awards, audit."""
    from compapp.audit.models import AuditEntry
    from compapp.contests.models import Competitor, Entry, Event, Placement
    from compapp.extensions import db
    from compapp.rewards.models import AwardLineRecord

    count = db.func.count
    with app.app_context():
        state = {
            "version": db.session.get(Event, event_id).version,
            "entries": db.session.scalar(
                db.select(count(Entry.id)).where(Entry.event_id == event_id)
            ),
            "placements": db.session.scalar(
                db.select(count(Placement.id)).join(Entry).where(Entry.event_id == event_id)
            ),
            "competitor": db.session.scalar(
                db.select(count(Competitor.id)).where(Competitor.name == "普布扎西")
            ),
            "award_lines": db.session.scalar(
                db.select(count(AwardLineRecord.id)).join(Entry).where(Entry.event_id == event_id)
            ),
            "audited": db.session.scalar(
                db.select(count(AuditEntry.id)).where(AuditEntry.action == "create_entry")
            ),
        }
        db.session.remove()
    return state


def entry_form(user: WebUser, event_id: int) -> tuple[str, dict]:
    from compapp.core.idnumber import make_id_number

    action, fields = user.form(f"/contests/events/{event_id}", f"/events/{event_id}")
    fields.update(
        {
            "sending_county": "533422",
            "members-0-id_number": make_id_number("53342219940707551"),
            "members-0-name": "普布扎西",
            "rank": "1",
            "result": "gold",
        }
    )
    return action.split("#")[0], fields


def test_database_stopping_mid_request_gives_503_and_saves_nothing(
    own_postgresql, serve, tmp_path, monkeypatch
):
    """A save in flight when PostgreSQL stops is rolled back; pages say 服务暂不可用 (503)."""
    import compapp.rewards.entries as rewards  # where the entry form's save prices

    app = make_demo_app(own_postgresql.url, tmp_path)
    live = serve(app)
    event_id = add_empty_event(app)
    before = stored_state(app, event_id)
    user = WebUser(live.url)
    user.sign_in("organiser1")
    action, fields = entry_form(user, event_id)

    # Hold the save after its first writes (version claimed, entry and placement flushed)
    # until the database is gone, so the request is truly mid-transaction when it stops.
    written, database_stopped = threading.Event(), threading.Event()
    grant_awards = rewards.grant_awards

    def grant_awards_after_stop(*args, **kwargs):
        written.set()
        database_stopped.wait(timeout=60)
        return grant_awards(*args, **kwargs)

    monkeypatch.setattr(rewards, "grant_awards", grant_awards_after_stop)
    replies = []
    saving = threading.Thread(target=lambda: replies.append(user.post(action, fields)))
    saving.start()
    assert written.wait(timeout=60), "the save never reached its writes"
    own_postgresql.stop()
    database_stopped.set()
    saving.join(timeout=60)
    monkeypatch.setattr(rewards, "grant_awards", grant_awards)

    (saved,) = replies
    assert saved.status == 503, saved.text[:800]
    assert UNAVAILABLE in saved.text
    assert "您的操作没有保存" in saved.text
    assert "Traceback" not in saved.text

    # While it is down, every page says so clearly (signed in or not), never a stack trace.
    for path in ("/contests/", f"/contests/events/{event_id}", "/finance/", "/"):
        page = user.get(path)
        assert page.status == 503, (path, page.status, page.text[:800])
        assert UNAVAILABLE in page.text and "Traceback" not in page.text
    assert WebUser(live.url).get("/login").status in (200, 503)

    own_postgresql.start()
    page = user.get(f"/contests/events/{event_id}")
    assert page.status == 200, page.text[:800]
    assert "普布扎西" not in page.text
    assert stored_state(app, event_id) == before, "the interrupted save left something behind"

    # Saving again works, exactly once, with its awards and its audit record.
    action, fields = entry_form(user, event_id)
    again = user.post(action, fields)
    assert again.status == 302, again.text[:800]
    after = stored_state(app, event_id)
    assert after["version"] == before["version"] + 1
    assert (after["entries"], after["placements"], after["competitor"]) == (1, 1, 1)
    assert after["award_lines"] > 0
    assert after["audited"] == before["audited"] + 1
