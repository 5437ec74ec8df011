"""Bulk review (issue 18, point 3): filter, confirm a selection or all shown, return with a
reason; each result bound to what the reviewer saw; four-eyes and audit per result."""

from __future__ import annotations

import re

import pytest

from compapp.audit.models import AuditEntry
from compapp.contests.models import Placement
from compapp.contests.services import EntryData, MemberData, save_entry
from tests.helpers import id_number_for


@pytest.fixture
def people(create_user):
    return create_user("enterer", "organiser"), create_user("reviewer", "organiser")


@pytest.fixture
def queue(db, people, dummy_contest, create_event):
    """Two events; three results in the first, two in the second, all entered by 'enterer'."""
    enterer, _reviewer = people
    first, second = create_event(dummy_contest, "电工"), create_event(dummy_contest, "焊工")
    placements = []
    for event, ranks in ((first, (1, 2, 3)), (second, (1, 2))):
        for rank in ranks:
            data = EntryData(
                sending_county="533422",
                members=[MemberData(id_number_for("533422"), f"选手{event.id}-{rank}")],
                rank=rank,
                result={1: "gold", 2: "silver", 3: "bronze"}[rank],
            )
            entry = save_entry(event, data, enterer.id, event.version)
            placements.append(entry.placement)
    db.session.commit()
    return first, second, placements


def page_form(client, url):
    html = client.get(url).get_data(as_text=True)
    seen = dict(re.findall(r'name="seen-(\d+)" value="([^"]+)"(?! disabled)', html))
    shown = re.findall(r'name="shown" value="(\d+)"(?! disabled)', html)
    return html, seen, shown


def post(client, contest, ids, seen, action="confirm", **extra):
    data = {"action": action, "ids": [str(i) for i in ids], **extra}
    data.update({f"seen-{k}": v for k, v in seen.items()})
    return client.post(f"/contests/review/bulk?contest={contest.id}", data=data)


def statuses(db, placements):
    db.session.expire_all()
    return [db.session.get(Placement, p.id).status for p in placements]


def test_a_second_organiser_confirms_a_selection_in_one_go_each_audited(
    client, auth, db, queue, dummy_contest
):
    _first, _second, placements = queue
    auth.login("reviewer")
    _html, seen, _shown = page_form(client, f"/contests/review/bulk?contest={dummy_contest.id}")
    response = post(client, dummy_contest, [p.id for p in placements[:2]], seen)
    assert response.status_code == 302
    assert statuses(db, placements) == ["confirmed"] * 2 + ["entered"] * 3
    audited = db.session.scalars(db.select(AuditEntry).filter_by(action="confirm_placement")).all()
    assert sorted(int(a.target_id) for a in audited) == sorted(p.id for p in placements[:2])


def test_confirm_all_shown_covers_the_filtered_event_only(client, auth, db, queue, dummy_contest):
    first, _second, placements = queue
    auth.login("reviewer")
    url = f"/contests/review/bulk?contest={dummy_contest.id}&event={first.id}"
    html, seen, shown = page_form(client, url)
    assert len(shown) == 3 and "共 3 条待复核。" in html
    data = {"action": "confirm_all", "shown": shown}
    data.update({f"seen-{k}": v for k, v in seen.items()})
    client.post(url, data=data)
    assert statuses(db, placements) == ["confirmed"] * 3 + ["entered"] * 2


def test_a_result_changed_after_the_page_was_seen_is_refused_and_the_others_confirmed(
    client, auth, db, queue, dummy_contest, people
):
    first, _second, placements = queue
    auth.login("reviewer")
    _html, seen, _shown = page_form(client, f"/contests/review/bulk?contest={dummy_contest.id}")
    changed = placements[0]
    changed.rank, changed.medal = 4, None  # someone corrects it meanwhile
    db.session.commit()
    response = post(client, dummy_contest, [p.id for p in placements[:3]], seen)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    # Told what changed, in the words of the single review page (compapp.binding).
    assert "内容已被他人修改，本次没有确认" in page and "名次：第 1 名 → 第 4 名" in page
    assert statuses(db, placements[:3]) == ["entered", "confirmed", "confirmed"]


def test_a_forged_or_missing_token_confirms_nothing_of_that_result(
    client, auth, db, queue, dummy_contest
):
    _first, _second, placements = queue
    auth.login("reviewer")
    _html, seen, _shown = page_form(client, f"/contests/review/bulk?contest={dummy_contest.id}")
    first, second, third = (p.id for p in placements[:3])
    # A token made for another result, a made-up one, and none at all.
    tokens = {str(first): seen[str(second)], str(second): "x" * 30}
    response = post(client, dummy_contest, [first, second, third], tokens)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert page.count("页面已过期或内容已被他人修改，本次没有确认。") == 3
    assert statuses(db, placements) == ["entered"] * 5
    assert not db.session.scalar(db.select(AuditEntry).filter_by(action="confirm_placement"))


def test_a_coaching_team_share_changed_after_the_page_was_seen_is_refused(
    client, auth, db, people, dummy_contest, create_event
):
    """The roster pays each coach the share recorded: a confirmation binds to the shares too."""
    from compapp.contests.services import CoachData

    enterer, _reviewer = people
    event = create_event(dummy_contest, "砌筑")
    data = EntryData(
        sending_county="533422",
        members=[MemberData(id_number_for("533422"), "此里农布")],
        coaches=[
            CoachData("和建华", "coach", 60, id_number_for("533401")),
            CoachData("木文军", "translator", 40, id_number_for("533423")),
        ],
        rank=1,
        result="gold",
    )
    entry = save_entry(event, data, enterer.id, event.version)
    db.session.commit()
    auth.login("reviewer")
    _html, seen, _shown = page_form(client, f"/contests/review/bulk?contest={dummy_contest.id}")
    shares = sorted(entry.coaches, key=lambda ec: ec.share_percent)
    shares[0].share_percent, shares[1].share_percent = 60, 40  # swapped meanwhile
    db.session.commit()
    response = post(client, dummy_contest, [entry.placement.id], seen)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "教练团队分配比例：60%、40% → 40%、60%" in page
    assert statuses(db, [entry.placement]) == ["entered"]


def test_the_person_who_entered_results_cannot_confirm_them_in_bulk(
    client, auth, db, queue, dummy_contest
):
    _first, _second, placements = queue
    auth.login("enterer")
    html, seen, shown = page_form(client, f"/contests/review/bulk?contest={dummy_contest.id}")
    assert shown == [] and 'name="ids"' not in html
    post(client, dummy_contest, [p.id for p in placements], seen)
    assert statuses(db, placements) == ["entered"] * 5


def test_a_result_returned_with_a_reason_leaves_the_queue_until_its_enterer_saves_it_again(
    client, auth, db, queue, dummy_contest, people
):
    first, _second, placements = queue
    auth.login("reviewer")
    _html, seen, _shown = page_form(client, f"/contests/review/bulk?contest={dummy_contest.id}")
    refused = post(client, dummy_contest, [placements[0].id], seen, action="return")
    assert "退回时请写明原因" in client.get(refused.headers["Location"]).get_data(as_text=True)
    post(
        client, dummy_contest, [placements[0].id], seen, action="return", reason="名次与成绩单不符"
    )
    html, _seen, shown = page_form(client, f"/contests/review/bulk?contest={dummy_contest.id}")
    assert str(placements[0].id) not in shown and len(shown) == 4
    assert db.session.scalar(db.select(AuditEntry).filter_by(action="return_placement"))
    auth.logout()
    auth.login("enterer")
    mine = client.get("/contests/review/bulk").get_data(as_text=True)
    assert "退回给您修改的成绩" in mine and "名次与成绩单不符" in mine
    entry = db.session.get(Placement, placements[0].id).entry
    data = EntryData(
        sending_county="533422",
        members=[
            MemberData(entry.members[0].competitor.id_number, entry.members[0].competitor.name)
        ],
        rank=1,
        result="gold",
    )
    save_entry(first, data, people[0].id, first.version, entry)
    db.session.commit()
    assert db.session.get(Placement, placements[0].id).returned_at is None


def test_the_person_who_entered_every_result_shown_is_offered_no_confirm_button(
    client, auth, queue, dummy_contest
):
    auth.login("enterer")
    html, _seen, shown = page_form(client, f"/contests/review/bulk?contest={dummy_contest.id}")
    assert shown == [] and 'id="bulk-none-for-you"' in html
    assert 'id="bulk-confirm"' not in html and 'id="bulk-return"' not in html
    auth.logout()
    auth.login("reviewer")
    html, _seen, shown = page_form(client, f"/contests/review/bulk?contest={dummy_contest.id}")
    assert len(shown) == 5 and 'id="bulk-confirm"' in html and "bulk-none-for-you" not in html
