"""Find a person by name or ID number, only within one's scope; one page per person.
Runs on the demo data set."""

from __future__ import annotations

import re

import pytest

from compapp.contests.models import Competitor

DEMO_PASSWORD = "compapp-demo"
WINNER = "此里农布"  # 德钦县, in the province's and Diqing's contests


@pytest.fixture
def demo(runner, db):
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output


def login(app, username):
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    return client


def names_found(client, text: str) -> list[str]:
    html = client.get("/people/", query_string={"q": text}).get_data(as_text=True)
    return re.findall(r'<a href="/people/\d+">([^<]+)</a>', html)


def person(db, name) -> Competitor:
    return db.session.scalar(db.select(Competitor).filter_by(name=name))


def test_search_by_part_of_a_name_or_the_start_of_an_id_number(app, db, demo):
    admin = login(app, "admin")
    assert WINNER in names_found(admin, "农布")
    found = person(db, WINNER)
    assert names_found(admin, found.id_number[:10]) == [
        c.name
        for c in db.session.scalars(
            db.select(Competitor)
            .where(Competitor.id_number.like(found.id_number[:10] + "%"))
            .order_by(Competitor.name, Competitor.id)
        )
    ]
    assert names_found(admin, found.id_number) == [WINNER]


def test_organiser_finds_only_people_of_their_bodys_contests(app, db, demo):
    """迪庆州's organiser does not find a competitor who only took part in provincial contests."""
    from compapp.contests.models import Contest, Entry, EntryMember, Event

    provincial_only = db.session.scalar(
        db.select(Competitor)
        .where(
            ~Competitor.id.in_(
                db.select(EntryMember.competitor_id)
                .join(Entry)
                .join(Event)
                .join(Contest)
                .where(Contest.name.like("%迪庆州%"))
            )
        )
        .limit(1)
    )
    assert provincial_only is not None
    organiser_dq = login(app, "organiser_dq")
    assert provincial_only.name not in names_found(organiser_dq, provincial_only.name)
    assert organiser_dq.get(f"/people/{provincial_only.id}").status_code == 404
    assert provincial_only.name in names_found(login(app, "organiser1"), provincial_only.name)


def test_finance_officer_finds_the_people_their_level_pays(app, db, demo):
    """德钦县's officer finds 此里农布 (德钦县 pays a share) but not a 龙陵县 competitor."""
    deqin = login(app, "finance_deqin")
    assert WINNER in names_found(deqin, WINNER)
    from compapp.rewards.models import AwardLineRecord

    longling = db.session.scalar(
        db.select(Competitor)
        .join(AwardLineRecord, AwardLineRecord.competitor_id == Competitor.id)
        .where(AwardLineRecord.payer_code == "530523")
        .limit(1)
    )
    assert longling is not None, "the demo data has a 龙陵县 award"
    assert longling.name not in names_found(deqin, longling.name)
    assert deqin.get(f"/people/{longling.id}").status_code == 404


def test_coaches_and_winners_cannot_search(app, db, demo):
    assert login(app, "coach1").get("/people/?q=此").status_code == 403
    assert login(app, "winner1").get("/people/").status_code == 403


def test_person_page_shows_results_awards_grades_and_certificates(app, db, demo):
    found = person(db, WINNER)
    html = login(app, "admin").get(f"/people/{found.id}").get_data(as_text=True)
    for section in ('id="results"', 'id="awards"', 'id="grades"', 'id="certificates"'):
        assert section in html, section
    assert found.id_number not in html  # masked
    assert "¥" in html[html.index('id="awards"') :]


def test_wildcards_in_a_search_are_plain_text(app, db, demo):
    admin = login(app, "admin")
    assert names_found(admin, "%") == [] and names_found(admin, "_") == []


def test_person_page_shows_the_persons_honours(app, db, demo):
    """An honour (POLICY.md §4.7) shows on the person's page with its amount, its clause and
    whether a second person confirmed it; a finance office sees it when its level pays."""
    from datetime import date

    from compapp.auth.models import User
    from compapp.honours import services

    found = person(db, WINNER)
    first, second = (
        db.session.scalar(db.select(User).filter_by(username=name))
        for name in ("organiser1", "organiser2")
    )
    honour = services.record_honour(
        services.HonourData(
            found.id, "national_technical_expert", date(2019, 5, 1), "云南省人社厅"
        ),
        first,
    )
    db.session.commit()
    html = login(app, "organiser1").get(f"/people/{found.id}").get_data(as_text=True)
    row = html[html.index(f'id="honour-{honour.id}"') :].split("</tr>")[0]
    assert "全国技术能手" in row and "¥100,000" in row and "待确认" in row
    assert 'class="citation" href="/citations/' in row
    services.confirm_honour(honour, second)
    db.session.commit()
    html = login(app, "admin").get(f"/people/{found.id}").get_data(as_text=True)
    assert "已确认" in html[html.index(f'id="honour-{honour.id}"') :].split("</tr>")[0]
    province = login(app, "finance_yn").get(f"/people/{found.id}").get_data(as_text=True)
    assert f'id="honour-{honour.id}"' in province
    prefecture = login(app, "finance_dq").get(f"/people/{found.id}").get_data(as_text=True)
    assert 'id="honours"' in prefecture and f'id="honour-{honour.id}"' not in prefecture
