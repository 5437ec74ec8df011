"""Two organisers save the same event's results at the same moment, on PostgreSQL.

Optimistic locking (Event.version, compapp.contests.services.claim_event_version): of two
saves made from the same version of the page, exactly one is kept; the other person gets
409, is told the results changed and is shown them, and can save again on purpose.
"""

from __future__ import annotations

import re
import threading
import time
from datetime import date

import pytest
from production_helpers import (
    WebUser,
    drop_database,
    forms_of,
    fresh_database,
    postgresql_url,
)

from tests.live_server import make_demo_app

pytestmark = pytest.mark.postgresql_only

ROUNDS = 5
STALE_MESSAGE = "在您编辑期间，其他人修改了本赛项的成绩，您的修改没有保存。"


@pytest.fixture
def demo_server(serve, tmp_path):
    """The demo data on a database of its own on the test PostgreSQL server, served live."""
    server_url = postgresql_url()
    name = "compapp_concurrency_test"
    app = make_demo_app(fresh_database(server_url, name), tmp_path)
    yield serve(app)
    from compapp.extensions import db

    with app.app_context():
        db.engine.dispose()
    drop_database(server_url, name)


def add_unplaced_entry(app) -> tuple[int, int, int]:
    """A provincial contest with one individual event and one entry without a result yet."""
    from compapp.contests.services import (
        ContestData,
        EntryData,
        MemberData,
        add_event,
        save_contest,
    )
    from compapp.core.idnumber import make_id_number
    from compapp.extensions import db
    from compapp.rewards.entries import save_and_price_entry

    with app.app_context():
        contest = save_contest(
            ContestData(
                name="2026年云南省一类职业技能竞赛（电工）",
                category="provincial_comprehensive",
                organising_body="云南省人力资源和社会保障厅",
                starts_on=date(2026, 9, 1),
                ends_on=date(2026, 9, 3),
                award_on=date(2026, 9, 3),
            )
        )
        event = add_event(contest, "电工", "individual", "medals")
        member = MemberData(id_number=make_id_number("53342219950505901"), name="洛桑次仁")
        entry = save_and_price_entry(
            event, EntryData(sending_county="533422", members=[member]), None, event.version
        )
        ids = (event.id, entry.id, event.version)
        db.session.commit()
        db.session.remove()
    return ids


def stored(app, event_id: int, entry_id: int) -> tuple[int, int | None, str | None, int]:
    """(event version, rank, medal, number of audited saves of the entry) as stored."""
    from compapp.audit.models import AuditEntry
    from compapp.contests.models import Entry, Event
    from compapp.extensions import db

    with app.app_context():
        version = db.session.get(Event, event_id).version
        placement = db.session.get(Entry, entry_id).placement
        saves = db.session.scalar(
            db.select(db.func.count(AuditEntry.id)).where(
                AuditEntry.action == "update_entry", AuditEntry.target_id == str(entry_id)
            )
        )
        db.session.remove()
    if placement is None:
        return version, None, None, saves
    return version, placement.rank, placement.medal, saves


def entries_table(html: str) -> str:
    found = re.search(r'<table id="entries">.*?</table>', html, re.S)
    assert found, "the event's results table is missing"
    return found.group(0)


MEDAL_NAMES = {"gold": "金牌", "silver": "银牌", "bronze": "铜牌"}


def race(people: dict[str, WebUser], forms: dict[str, tuple[str, dict]]) -> dict:
    """Post every person's form at the same moment; return {username: (response, began, ended)}."""
    barrier = threading.Barrier(len(people))
    outcome = {}

    def save(username: str) -> None:
        action, fields = forms[username]
        barrier.wait(timeout=30)
        began = time.monotonic()
        response = people[username].post(action.split("#")[0], fields)
        outcome[username] = (response, began, time.monotonic())

    threads = [threading.Thread(target=save, args=(u,)) for u in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert set(outcome) == set(people), "a request did not come back"
    return outcome


def test_two_organisers_saving_the_same_event_at_once_one_wins_the_other_is_told(demo_server):
    """Of two simultaneous saves from the same page version, one is kept and one gets 409."""
    app = demo_server.app
    event_id, entry_id, start_version = add_unplaced_entry(app)
    path = f"/contests/entries/{entry_id}/edit"
    people = {"organiser1": WebUser(demo_server.url), "organiser2": WebUser(demo_server.url)}
    for username, user in people.items():
        user.sign_in(username)
    choices = [("organiser1", 1, "gold"), ("organiser2", 2, "silver")]

    for round_ in range(ROUNDS):
        # Each round the two want different results; they alternate so neither is a no-op.
        wants = {u: (rank, medal) for u, rank, medal in choices}
        if round_ % 2:
            wants = {"organiser1": (3, "bronze"), "organiser2": (1, "gold")}
        forms = {}
        for username, user in people.items():
            action, fields = user.form(path, f"/entries/{entry_id}/edit")
            rank, medal = wants[username]
            fields.update(rank=str(rank), result=medal)
            forms[username] = (action, fields)
        assert forms["organiser1"][1]["version"] == forms["organiser2"][1]["version"]

        outcome = race(people, forms)
        (r1, b1, e1), (r2, b2, e2) = outcome["organiser1"], outcome["organiser2"]
        assert b1 < e2 and b2 < e1, "the two saves were not in flight at the same time"
        assert sorted([r1.status, r2.status]) == [302, 409], (r1.status, r2.status)
        winner = "organiser1" if r1.status == 302 else "organiser2"
        loser = "organiser2" if winner == "organiser1" else "organiser1"
        lost = outcome[loser][0]

        # The loser is told, and shown the results as they are now (the winner's).
        assert STALE_MESSAGE in lost.text
        table = entries_table(lost.text)
        assert MEDAL_NAMES[wants[winner][1]] in table
        assert MEDAL_NAMES[wants[loser][1]] not in table
        version, rank, medal, _saves = stored(app, event_id, entry_id)
        assert (rank, medal) == wants[winner]
        assert version == start_version + 2 * round_ + 1

        # Nothing is lost silently: the loser's form still holds their values, and saving it
        # again, now knowingly over the winner's, works.
        (retry,) = [
            f
            for f in forms_of(lost.text)
            if "csrf_token" in f["fields"] and f"/entries/{entry_id}/edit" in f["action"]
        ]
        assert retry["fields"]["rank"] == str(wants[loser][0])
        assert retry["fields"]["result"] == wants[loser][1]
        assert retry["fields"]["version"] == str(version)
        again = people[loser].post(retry["action"].split("#")[0], retry["fields"])
        assert again.status == 302, again.text[:500]
        version, rank, medal, _saves = stored(app, event_id, entry_id)
        assert (rank, medal) == wants[loser]
        assert version == start_version + 2 * round_ + 2

    # Every save that was kept was audited; the refused ones left no trace of a change.
    *_rest, saves = stored(app, event_id, entry_id)
    assert saves == 2 * ROUNDS
