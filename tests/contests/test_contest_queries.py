"""The contest pages load what they show in a fixed number of queries, however many rows."""

from __future__ import annotations

import re

import pytest

from tests.queries import counted


def queries_for(client, db, url: str) -> int:
    db.session.expunge_all()
    with counted(db) as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


@pytest.fixture
def filled(db, dummy_contest, create_event, create_entry):
    """Add ``n`` placed entries with a coach to each of two events of the dummy contest."""
    from compapp.contests.models import Coach, EntryCoach, Event

    ids = [create_event(dummy_contest, name).id for name in ("电工", "焊工")]

    def fill(n: int) -> list[int]:
        for event_id in ids:
            event = db.session.get(Event, event_id)
            for _ in range(n):
                entry = create_entry(event, rank=len(event.entries) + 1)
                entry.coaches.append(EntryCoach(coach=Coach(name=f"教练{entry.id}")))
        db.session.commit()
        return ids

    return fill


@pytest.mark.parametrize(
    "url",
    [
        "/contests/review",
        "/contests/{contest}/results",
        "/contests/{contest}",
        "/contests/events/{event}",
        "/contests/",
    ],
)
def test_page_queries_do_not_grow_with_the_entries(
    client, auth, db, dummy_organiser, dummy_contest, filled, url
):
    """Two entries per event or eight: the page runs the same number of queries."""
    auth.login("organiser")
    url = url.format(contest=dummy_contest.id, event=filled(2)[0])
    few = queries_for(client, db, url)
    filled(6)
    assert queries_for(client, db, url) == few
    assert few <= 10


def test_review_page_shows_the_count_and_pages_through_the_rest(
    client, auth, db, dummy_organiser, filled, monkeypatch
):
    """A long review list is shown a page at a time, with the total and the range shown."""
    from compapp.contests import views

    monkeypatch.setattr(views, "REVIEW_PAGE_SIZE", 3)
    filled(2)
    auth.login("organiser")
    page = client.get("/contests/review").get_data(as_text=True)
    assert "共 4 条待复核，显示第 1–3 条（第 1 / 2 页）。" in page
    assert page.count('action="/contests/placements/') == 3
    assert "/contests/review?page=2" in page
    second = client.get("/contests/review?page=2").get_data(as_text=True)
    assert "显示第 4–4 条（第 2 / 2 页）" in second
    assert second.count('action="/contests/placements/') == 1
    assert "/contests/review?page=1" in second


def test_contest_list_counts_events_and_lists_years_in_a_fixed_number_of_queries(
    client, auth, db, dummy_organiser, create_contest, create_event
):
    """The list shows each contest's event count and the years on offer, from SQL."""
    from datetime import date

    auth.login("organiser")
    first = create_contest("甲赛", award_on=date(2023, 6, 8))
    create_event(first, "电工")
    few = queries_for(client, db, "/contests/")
    for n, year in enumerate((2024, 2025, 2025)):
        contest = create_contest(f"乙赛{n}", award_on=date(year, 5, 1), organising_body=f"单位{n}")
        for occupation in ("电工", "焊工", "钳工")[: n + 1]:
            create_event(contest, occupation)
    assert queries_for(client, db, "/contests/") == few
    page = client.get("/contests/?year=2025").get_data(as_text=True)
    assert "乙赛1" in page and "乙赛2" in page and "乙赛0" not in page and "甲赛" not in page
    cells = re.findall(r'<td class="num">(\d+)</td>', page)
    assert cells == ["3", "2"]
    years = re.findall(r'<option value="(\d{4})"', page)
    assert years == ["2025", "2024", "2023"]


def test_saving_an_entry_looks_each_id_number_up_once_to_check_and_once_to_save(
    client, auth, db, dummy_organiser, dummy_contest, create_event
):
    """The check and the save each fetch the whole team's competitors in one query."""
    from tests.helpers import id_number_for

    event = create_event(dummy_contest, "移动机器人", "trio", "medals")
    auth.login("organiser")
    data = {"version": "1", "sending_county": "533422", "rank": "1", "result": "gold"}
    for i, name in enumerate(("甲", "乙", "丙")):
        data[f"members-{i}-id_number"] = id_number_for()
        data[f"members-{i}-name"] = name
        data[f"members-{i}-grade"] = "senior"
    with counted(db) as statements:
        response = client.post(f"/contests/events/{event.id}", data=data)
    assert response.status_code == 302
    lookups = [s for s in statements if "competitors.id_number IN" in s]
    assert len(lookups) == 2
