"""The working-day calendar of public notices: administrators enter a year from the State
Council's notice, a second administrator confirms it, administrators are warned from 60 days
before it runs out, and a notice ending beyond it is refused with what to do."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError

from compapp.audit.models import AuditEntry
from compapp.contests.models import Competitor, Placement
from compapp.promotion import calendar as working_calendar
from compapp.promotion import notices, services
from compapp.promotion.models import CalendarYear, PromotionCase, PublicNotice
from tests.helpers import PASSWORD

# 2027 as an administrator would enter it (the dates are this test's, not a real notice's).
HOLIDAYS_2027 = "2027-01-01\n2027-02-06 至 2027-02-12\n2027-04-05\n2027-05-01 至 2027-05-05"
WORKDAYS_2027 = "2027-02-14, 2027-04-25"
SOURCE_2027 = "国务院办公厅关于2027年部分节假日安排的通知（测试用文号）"


@pytest.fixture
def clock(monkeypatch):
    class Clock:
        day = date(2026, 12, 28)

        def set(self, day: date) -> None:
            self.day = day

    c = Clock()
    monkeypatch.setattr(notices, "office_today", lambda: c.day)
    return c


@pytest.fixture
def admins(create_user):
    return create_user("admin", "admin"), create_user("admin2", "admin")


def signed_in(app, username):
    client = app.test_client()
    assert (
        client.post("/login", data={"username": username, "password": PASSWORD}).status_code == 302
    )
    return client


def enter_2027(client):
    return client.post(
        "/promotion/calendar",
        data={
            "year": "2027",
            "holidays": HOLIDAYS_2027,
            "workdays": WORKDAYS_2027,
            "source": SOURCE_2027,
        },
    )


@pytest.fixture
def confirmed_case(db, clock, create_user, create_contest, create_event, create_entry):
    from compapp.contests.services import get_or_create_body

    body = get_or_create_body("云南省人力资源和社会保障厅")
    db.session.commit()
    organiser = create_user("organiser1", "organiser", organising_body_id=body.id)
    contest = create_contest(
        "全省技能竞赛", category="provincial_class1", award_on=date(2026, 9, 1)
    )
    event = create_event(contest, "中式烹调师", "individual", "prizes")
    create_entry(event, "533422", rank=1, result="prize_1", names=["格桑次仁"])
    for person in db.session.scalars(db.select(Competitor)):
        person.grade_code = "senior"
    for placement in db.session.scalars(db.select(Placement)):
        placement.status = "confirmed"
    db.session.commit()
    services.evaluate_contest_promotions(contest)
    case = db.session.scalar(db.select(PromotionCase))
    services.confirm_case(case, organiser, seen=services.case_view(case))
    db.session.commit()
    return contest, organiser


def test_a_notice_ending_in_a_year_not_entered_is_refused_saying_what_to_do(
    app, db, confirmed_case, clock
):
    """Reproduction: the shipped calendar ends with 2026; from 2026-12-26 every 5-day notice
    was refused with a message naming a data file."""
    contest, organiser = confirmed_case
    response = signed_in(app, "organiser1").post(
        f"/promotion/contests/{contest.id}/notices",
        data={
            "published_on": "2026-12-28",
            "working_days": "5",
            "issuer": "迪庆州人社局",
            "contact": "联系电话：0887-8221234",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "2027 年的法定节假日和调休安排尚未录入本系统" in page
    assert "“工作日历”页面" in page and "另一名管理员" in page
    assert "holidays.toml" not in page
    assert db.session.scalar(db.select(PublicNotice)) is None


def test_an_entered_year_counts_once_a_second_administrator_confirms_it(
    app, db, admins, confirmed_case, clock
):
    contest, organiser = confirmed_case
    first, second = signed_in(app, "admin"), signed_in(app, "admin2")
    assert enter_2027(first).status_code == 302
    row = db.session.scalar(db.select(CalendarYear))
    assert (
        row.status == "proposed"
        and "2027-02-09" in row.holidays
        and row.workdays
        == [
            "2027-02-14",
            "2027-04-25",
        ]
    )
    # Not in force yet: the notice is still refused.
    with pytest.raises(services.PromotionRefused, match="2027 年的法定节假日"):
        notices.publish_notice(contest, date(2026, 12, 28), organiser)
    db.session.rollback()
    # The one who entered it cannot confirm it.
    page = first.post(
        f"/promotion/calendar/{row.id}/decision", data={"confirm": "1"}, follow_redirects=True
    )
    assert "录入人不能确认自己录入的日历" in page.get_data(as_text=True)
    page = second.post(
        f"/promotion/calendar/{row.id}/decision", data={"confirm": "1"}, follow_redirects=True
    )
    assert "2027 年工作日历已确认生效" in page.get_data(as_text=True)
    notice = notices.publish_notice(contest, date(2026, 12, 28), organiser)
    # Mon 28 (1) · Tue 29 (2) · Wed 30 (3) · Thu 31 (4) · Fri 1 Jan holiday · Mon 4 (5)
    assert notice.ends_on == date(2027, 1, 4)
    assert notice.holidays_in_period == ["2027-01-01"]
    actions = set(db.session.scalars(db.select(AuditEntry.action)))
    assert {"propose_calendar_year", "confirm_calendar_year"} <= actions


def test_the_database_refuses_one_person_confirming_their_own_entry(app, db, admins):
    first, _second = admins
    row = working_calendar.propose_year(2027, [date(2027, 1, 1)], [], SOURCE_2027, first)
    db.session.commit()
    row.status, row.decided_by_id, row.decided_at = "confirmed", first.id, row.entered_at
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_correction_supersedes_the_confirmed_entry_and_one_year_has_one_in_force(app, db, admins):
    first, second = admins
    old = working_calendar.propose_year(2027, [date(2027, 1, 1)], [], SOURCE_2027, first)
    working_calendar.decide_year(old, second, True)
    new = working_calendar.propose_year(
        2027, [date(2027, 1, 1), date(2027, 10, 1)], [], SOURCE_2027 + "（更正）", second
    )
    working_calendar.decide_year(new, first, True)
    db.session.commit()
    assert (old.status, new.status) == ("superseded", "confirmed")
    assert date(2027, 10, 1) in notices.holiday_calendar().holidays
    # Two entries in force for one year: the database refuses it.
    old.status = "confirmed"
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


@pytest.mark.parametrize(
    "holidays, workdays, message",
    [
        ("2027-01-01", "2027-02-15", "是周一至周五，本来就是工作日"),
        ("2028-01-01", "", "不在 2027 年"),
        ("2027-13-01", "", "不是日期或日期范围"),
        ("2027-01-01, 2027-01-01", "", "重复填写"),
        ("2027-02-13", "2027-02-13", "既填为放假又填为上班"),
    ],
)
def test_an_entry_with_a_mistake_is_refused_next_to_the_dates(
    app, db, admins, holidays, workdays, message
):
    page = signed_in(app, "admin").post(
        "/promotion/calendar",
        data={"year": "2027", "holidays": holidays, "workdays": workdays, "source": SOURCE_2027},
    )
    assert page.status_code == 422
    assert message in page.get_data(as_text=True)
    assert db.session.scalar(db.select(CalendarYear)) is None


def test_a_shipped_year_is_not_entered_again(app, db, admins):
    with pytest.raises(working_calendar.CalendarRefused, match="已随系统提供"):
        working_calendar.propose_year(2026, [date(2026, 1, 1)], [], SOURCE_2027, admins[0])


def test_only_administrators_enter_the_calendar(app, db, admins, create_user):
    create_user("organiser9", "organiser")
    assert signed_in(app, "organiser9").get("/promotion/calendar").status_code == 403


@pytest.mark.parametrize(
    "today, warned",
    [(date(2026, 10, 31), False), (date(2026, 11, 1), True), (date(2026, 12, 28), True)],
)
def test_administrators_are_warned_from_60_days_before_the_calendar_runs_out(
    app, db, admins, create_user, clock, today, warned
):
    clock.set(today)
    create_user("organiser9", "organiser")
    page = signed_in(app, "admin").get("/promotion/calendar").get_data(as_text=True)
    assert ('id="calendar-warning"' in page) is warned
    if warned:
        days = (date(2026, 12, 31) - today).days
        assert f"工作日历只录入到 2026-12-31（还剩 {days} 天）" in page
        assert "2027 年部分节假日安排的通知" in page
    home = signed_in(app, "organiser9").get("/promotion/").get_data(as_text=True)
    assert 'id="calendar-warning"' not in home


def test_the_warning_ends_once_the_next_year_is_confirmed(app, db, admins, clock):
    first, second = admins
    row = working_calendar.propose_year(2027, [date(2027, 1, 1)], [], SOURCE_2027, first)
    working_calendar.decide_year(row, second, True)
    db.session.commit()
    page = signed_in(app, "admin").get("/promotion/calendar").get_data(as_text=True)
    assert 'id="calendar-warning"' not in page
    assert "目前已录入到 2027年12月31日" in page
