"""The public notice (公示) cannot be skipped, shortened or backdated, and an objection (异议)
holds a case until an organiser resolves it.

云人社通〔2019〕98号 五（四） (003_a0dee99659bd7bcf.txt:3520): "公示时间不少于5个工作日。公示有异议
的，……须进行调查并根据调查结果作出相应处理决定。" The notice starts no earlier than the day
it is published in compapp; finalising waits for its end and for every objection.
"""

from __future__ import annotations

from datetime import date

import pytest

from compapp import create_app
from compapp.audit.models import AuditEntry
from compapp.contests.models import Competitor, Placement
from compapp.promotion import notices, services
from compapp.promotion.models import GradeChange, NoticeObjection, PromotionCase, PublicNotice
from tests.helpers import PASSWORD

TODAY = date(2026, 11, 27)  # a Friday: the day the notice is published in compapp
ENDS_ON = date(2026, 12, 3)  # Fri 27 · Mon 30 · Tue 1 · Wed 2 · Thu 3
AFTER = date(2026, 12, 4)


@pytest.fixture
def clock(monkeypatch):
    """The offices' date, as compapp reads it (notices.office_today)."""

    class Clock:
        day = TODAY

        def set(self, day: date) -> None:
            self.day = day

    c = Clock()
    monkeypatch.setattr(notices, "office_today", lambda: c.day)
    return c


@pytest.fixture
def confirmed(db, clock, create_user, create_contest, create_event, create_entry):
    """A Diqing contest result whose promotion is confirmed and waits to be published."""
    from compapp.contests.services import get_or_create_body

    body = get_or_create_body("云南省人力资源和社会保障厅")
    db.session.commit()
    people = {
        name: create_user(name, role, organising_body_id=body.id if role == "organiser" else None)
        for name, role in (
            ("organiser1", "organiser"),
            ("organiser2", "organiser"),
            ("admin", "admin"),
        )
    }
    contest = create_contest(
        "2025年全省技能竞赛", category="provincial_class1", award_on=date(2025, 8, 22)
    )
    event = create_event(contest, "中式烹调师", "individual", "prizes")
    create_entry(event, "533422", rank=1, result="prize_1", names=["格桑次仁"])
    create_entry(event, "533401", rank=2, result="prize_2", names=["阿旺"])
    for person in db.session.scalars(db.select(Competitor)):
        person.grade_code = "senior"
    for placement in db.session.scalars(db.select(Placement)):
        placement.status = "confirmed"
    db.session.commit()
    services.evaluate_contest_promotions(contest)
    for case in db.session.scalars(db.select(PromotionCase).filter_by(eligible=True)):
        services.confirm_case(case, people["organiser1"], seen=services.case_view(case))
    db.session.commit()
    return contest, people


def signed_in(app, username):
    client = app.test_client()
    assert (
        client.post("/login", data={"username": username, "password": PASSWORD}).status_code == 302
    )
    return client


def notice_form(published_on: date, days: int = 5) -> dict:
    return {
        "published_on": published_on.isoformat(),
        "working_days": str(days),
        "issuer": "迪庆藏族自治州人力资源和社会保障局",
        "contact": "如有异议，请于公示期内向迪庆州人社局反映。联系电话：0887-8221234",
    }


def case_of(db, name: str) -> PromotionCase:
    return db.session.scalar(
        db.select(PromotionCase).join(Competitor).where(Competitor.name == name)
    )


def published(db, contest, people) -> PublicNotice:
    notice = notices.publish_notice(contest, TODAY, people["organiser1"])
    db.session.commit()
    return notice


# ---------------------------------------------------------------------------- publication


def test_a_notice_of_one_working_day_is_refused(app, db, confirmed):
    """Reproduction: a notice of 1 working day was accepted and the grade became final."""
    contest, _ = confirmed
    response = signed_in(app, "organiser1").post(
        f"/promotion/contests/{contest.id}/notices", data=notice_form(TODAY, days=1)
    )
    assert response.status_code == 422
    assert "公示期不得少于 5 个工作日" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(PublicNotice)) is None


@pytest.mark.parametrize(
    "published_on",
    [date(2025, 1, 2), date(2025, 9, 27), date(2026, 11, 26)],
    ids=["before-the-award-date", "14-months-back", "yesterday"],
)
def test_a_backdated_notice_is_refused(app, db, confirmed, published_on):
    """Reproduction: notices dated before the award date, or 14 months back, were accepted
    as already ended and 20 grades became final in the same minute."""
    contest, _ = confirmed
    response = signed_in(app, "organiser1").post(
        f"/promotion/contests/{contest.id}/notices", data=notice_form(published_on, days=5)
    )
    assert response.status_code == 422
    assert "公示开始日期不能早于在本系统发布的当天（2026-11-27）" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(PublicNotice)) is None
    assert db.session.scalar(db.select(GradeChange)) is None


def test_a_notice_may_start_today_or_later_and_runs_five_working_days(app, db, confirmed, clock):
    contest, people = confirmed
    response = signed_in(app, "organiser1").post(
        f"/promotion/contests/{contest.id}/notices", data=notice_form(TODAY)
    )
    assert response.status_code == 302
    notice = db.session.scalar(db.select(PublicNotice))
    assert (notice.published_on, notice.working_days, notice.ends_on) == (TODAY, 5, ENDS_ON)


def test_a_notice_cannot_start_before_the_contests_award_date(app, db, confirmed, clock):
    contest, people = confirmed
    contest.award_on = date(2026, 12, 10)
    db.session.commit()
    with pytest.raises(services.PromotionRefused, match="不能早于本赛事的颁奖日期（2026-12-10）"):
        notices.publish_notice(contest, date(2026, 12, 1), people["organiser1"])


def test_the_configured_length_may_lengthen_the_notice_never_shorten_it(
    app, db, confirmed, monkeypatch, tmp_path
):
    contest, people = confirmed
    monkeypatch.setenv("COMPAPP_NOTICE_WORKING_DAYS", "3")
    monkeypatch.setenv("COMPAPP_SECRET_KEY", "k" * 64)
    monkeypatch.setenv("COMPAPP_DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite")
    with pytest.raises(RuntimeError, match="at least 5 working days"):
        create_app()
    monkeypatch.setenv("COMPAPP_NOTICE_WORKING_DAYS", "7")
    assert create_app().config["PROMOTION_NOTICE_WORKING_DAYS"] == 7
    monkeypatch.setitem(app.config, "PROMOTION_NOTICE_WORKING_DAYS", 7)
    with pytest.raises(services.PromotionRefused, match="不得少于 7 个工作日"):
        notices.publish_notice(contest, TODAY, people["organiser1"], working_days=5)
    notice = notices.publish_notice(contest, TODAY, people["organiser1"])
    assert (notice.working_days, notice.ends_on) == (7, date(2026, 12, 7))


# ---------------------------------------------------------------------------- finalising


def test_finalising_waits_for_the_end_of_the_notice(app, db, confirmed, clock):
    contest, people = confirmed
    published(db, contest, people)
    case = case_of(db, "格桑次仁")
    clock.set(ENDS_ON)
    with pytest.raises(services.PromotionRefused, match="2026-12-03 止，尚未期满"):
        notices.finalize_case(case, ENDS_ON, people["organiser1"])
    with pytest.raises(services.PromotionRefused, match="不能以今天之后的日期"):
        notices.finalize_case(case, AFTER, people["organiser1"])
    clock.set(AFTER)
    notices.finalize_case(case, AFTER, people["organiser1"])
    db.session.commit()
    assert case_of(db, "格桑次仁").competitor.grade_code == "technician"


def test_the_notice_page_shows_each_stage(app, db, confirmed, clock):
    """公示中 during the notice, 有异议 with an open objection, 期满待生效 after the end,
    已生效 once final."""
    contest, people = confirmed
    notice = published(db, contest, people)
    client = signed_in(app, "organiser1")

    def stages() -> dict[str, str]:
        db.session.expire_all()
        return {
            c.competitor.name: services.stage_name(c, clock.day)
            for c in db.session.scalars(db.select(PromotionCase).filter_by(eligible=True))
        }

    assert set(stages().values()) == {"公示中"}
    assert "公示中" in client.get(f"/promotion/notices/{notice.id}").get_data(as_text=True)
    notices.lodge_objection(case_of(db, "阿旺"), people["organiser1"], "李某", "名次有误")
    db.session.commit()
    clock.set(AFTER)
    assert stages() == {"格桑次仁": "期满待生效", "阿旺": "有异议"}
    page = client.get(f"/promotion/notices/{notice.id}").get_data(as_text=True)
    assert "期满待生效" in page and "有异议" in page and "李某" in page
    notices.finalize_case(case_of(db, "格桑次仁"), AFTER, people["organiser1"])
    db.session.commit()
    assert stages() == {"格桑次仁": "已生效", "阿旺": "有异议"}
    page = client.get(f"/promotion/contests/{contest.id}").get_data(as_text=True)
    assert "已生效" in page and "有异议" in page


# ---------------------------------------------------------------------------- objections


def lodge(client, case, objector="李某（德钦县）", content="该选手决赛名次登记有误。"):
    return client.post(
        f"/promotion/cases/{case.id}/objections",
        data={"objector": objector, "objector_contact": "0887-1234567", "content": content},
        follow_redirects=True,
    )


def test_an_objection_during_the_notice_is_recorded_with_who_and_when(app, db, confirmed, clock):
    contest, people = confirmed
    published(db, contest, people)
    clock.set(date(2026, 12, 1))
    page = lodge(signed_in(app, "organiser1"), case_of(db, "阿旺")).get_data(as_text=True)
    assert "已登记对 阿旺 的异议" in page
    objection = db.session.scalar(db.select(NoticeObjection))
    assert objection.objector == "李某（德钦县）" and objection.objector_contact == "0887-1234567"
    assert objection.received_on == date(2026, 12, 1)
    assert objection.recorded_by_id == people["organiser1"].id and objection.recorded_at
    assert objection.status == "open"
    assert case_of(db, "阿旺").status == "objected"
    assert db.session.scalar(db.select(AuditEntry).filter_by(action="lodge_objection"))


def test_a_case_with_an_open_objection_cannot_become_final(app, db, confirmed, clock):
    contest, people = confirmed
    notice = published(db, contest, people)
    notices.lodge_objection(case_of(db, "阿旺"), people["organiser1"], "李某", "名次有误")
    db.session.commit()
    clock.set(AFTER)
    with pytest.raises(services.PromotionRefused, match="有尚未处理的异议"):
        notices.finalize_case(case_of(db, "阿旺"), AFTER, people["organiser1"])
    # The whole notice at once: the other case becomes final, this one waits.
    page = signed_in(app, "organiser2").post(
        f"/promotion/notices/{notice.id}/finalize", follow_redirects=True
    )
    assert "有尚未处理的异议" in page.get_data(as_text=True)
    db.session.expire_all()
    assert case_of(db, "阿旺").competitor.grade_code == "senior"
    assert case_of(db, "格桑次仁").status == "final"


def test_objections_are_taken_only_while_the_notice_runs(app, db, confirmed, clock):
    contest, people = confirmed
    published(db, contest, people)
    clock.set(AFTER)
    page = lodge(signed_in(app, "organiser1"), case_of(db, "阿旺")).get_data(as_text=True)
    assert "公示期已于 2026-12-03 结束，不再受理异议" in page
    assert db.session.scalar(db.select(NoticeObjection)) is None


def test_an_anonymous_objection_is_not_recorded(app, db, confirmed, clock):
    contest, people = confirmed
    published(db, contest, people)
    with pytest.raises(services.PromotionRefused, match="实名"):
        notices.lodge_objection(case_of(db, "阿旺"), people["organiser1"], "  ", "名次有误")


def test_dismissing_needs_a_reason_and_another_person_then_the_case_goes_on(
    app, db, confirmed, clock
):
    contest, people = confirmed
    published(db, contest, people)
    objection = notices.lodge_objection(
        case_of(db, "阿旺"), people["organiser1"], "李某", "名次有误"
    )
    db.session.commit()
    with pytest.raises(services.PromotionRefused, match="请写明调查结论"):
        notices.resolve_objection(objection, people["organiser2"], False, " ")
    with pytest.raises(services.PromotionRefused, match="登记人以外的另一名组织者"):
        notices.resolve_objection(objection, people["organiser1"], False, "经核对成绩册无误")
    page = signed_in(app, "organiser2").post(
        f"/promotion/objections/{objection.id}/resolution",
        data={"note": "经核对决赛成绩册，名次无误。", "dismiss": "1"},
        follow_redirects=True,
    )
    assert "异议不成立，已记录理由：阿旺" in page.get_data(as_text=True)
    db.session.expire_all()
    objection = db.session.get(NoticeObjection, objection.id)
    assert (objection.status, objection.resolved_by_id) == ("dismissed", people["organiser2"].id)
    assert objection.resolution_note == "经核对决赛成绩册，名次无误。"
    assert case_of(db, "阿旺").status == "noticed"
    clock.set(AFTER)
    notices.finalize_case(case_of(db, "阿旺"), AFTER, people["organiser2"])
    db.session.commit()
    assert case_of(db, "阿旺").competitor.grade_code == "technician"


def test_an_upheld_objection_withdraws_the_case(app, db, confirmed, clock):
    contest, people = confirmed
    published(db, contest, people)
    objection = notices.lodge_objection(
        case_of(db, "阿旺"), people["organiser1"], "李某", "名次有误"
    )
    db.session.commit()
    notices.resolve_objection(objection, people["admin"], True, "经调查，名次登记错误。")
    db.session.commit()
    case = case_of(db, "阿旺")
    assert case.status == "withdrawn" and services.stage_name(case, AFTER) == "异议成立，已撤销"
    clock.set(AFTER)
    with pytest.raises(services.PromotionRefused, match="异议成立已撤销"):
        notices.finalize_case(case, AFTER, people["organiser1"])
    assert case.competitor.grade_code == "senior"
    assert db.session.scalar(db.select(AuditEntry).filter_by(action="withdraw_promotion"))


def test_an_objection_is_resolved_once(app, db, confirmed, clock):
    contest, people = confirmed
    published(db, contest, people)
    objection = notices.lodge_objection(
        case_of(db, "阿旺"), people["organiser1"], "李某", "名次有误"
    )
    db.session.commit()
    notices.resolve_objection(objection, people["organiser2"], False, "名次无误")
    db.session.commit()
    with pytest.raises(services.PromotionRefused, match="已经处理过了"):
        notices.resolve_objection(objection, people["admin"], True, "改判")
