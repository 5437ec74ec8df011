"""The promotion workflow end to end: eligibility, decisions, title, notice, finalisation.

A provincial class-1 contest with competitors sent by Diqing (and, to be left out, by
Longling): the rules of 000_506faec866124176.txt:95 decide who is eligible; an organiser
confirms or rejects; an administrator approves the title (经核准); the confirmed cases are
published for 5 working days (003_a0dee99659bd7bcf.txt:3520) and only then made final.
"""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from flask import current_app
from openpyxl import load_workbook
from pypdf import PdfReader

from compapp.audit.models import AuditEntry
from compapp.contests.models import Competitor, Placement
from compapp.promotion import notices, queries, services
from compapp.promotion.models import GradeChange, PromotionCase, PublicNotice
from compapp.rewards.models import AwardLineRecord
from tests.pages import submit
from tests.queries import counted

LOCAL_HOLIDAY = "2026-12-01"  # a Tuesday: a local day off configured by the administrator
PUBLISHED_ON = date(2026, 11, 27)  # a Friday
# Fri 27 (1) · Sat 28, Sun 29 weekend · Mon 30 (2) · Tue 1 Dec holiday · Wed 2 (3) ·
# Thu 3 (4) · Fri 4 (5)
ENDS_ON = date(2026, 12, 4)


@pytest.fixture
def app_config() -> dict:
    return {"PROMOTION_EXTRA_HOLIDAYS": [LOCAL_HOLIDAY]}


@pytest.fixture(autouse=True)
def office_today(monkeypatch):
    """The offices' date is the day of publication unless a test moves it (set_today)."""
    monkeypatch.setattr(notices, "office_today", lambda: PUBLISHED_ON)


def set_today(monkeypatch, day: date) -> None:
    monkeypatch.setattr(notices, "office_today", lambda: day)


@pytest.fixture
def people(db, create_contest, create_event, create_entry):
    """Build the contest; return its id and the competitors by name."""
    contest = create_contest(
        "2025年云南省乡村工匠职业技能竞赛", category="provincial_class1", award_on=date(2025, 8, 22)
    )
    pair = create_event(contest, "中式烹调师", "pair", "prizes")
    solo = create_event(contest, "茶叶加工工", "individual", "prizes")
    create_entry(pair, "533422", rank=2, result="prize_1", names=["格桑次仁", "卓玛拉姆"])
    create_entry(pair, "533401", rank=3, result="prize_2", names=["扎西平措", "和志军"])
    create_entry(pair, "530523", rank=1, result="prize_1", names=["段国华", "赵永平"])
    create_entry(pair, "533423", rank=9, names=["余春兰", "李文才"])
    create_entry(solo, "533422", rank=3, result="prize_3", names=["斯那拉姆"])
    create_entry(solo, "533401", rank=10, names=["阿旺"])
    create_entry(solo, "533423", rank=11, names=["蜂秀英"])
    grades = {
        # name: (current grade, employee)
        "格桑次仁": ("senior", True),
        "卓玛拉姆": ("intermediate", False),
        "扎西平措": ("senior", False),
        "和志军": ("technician", True),
        "段国华": ("senior", True),
        "赵永平": ("intermediate", True),
        "余春兰": ("senior", True),
        "李文才": ("none", False),
        "斯那拉姆": ("senior_technician", True),
        "阿旺": ("junior", False),
        "蜂秀英": ("intermediate", False),
    }
    found = {}
    for person in db.session.scalars(db.select(Competitor)):
        person.grade_code, person.is_employee = grades[person.name]
        found[person.name] = person
    # The results were reviewed and confirmed (a promotion rests on confirmed results).
    for placement in db.session.scalars(db.select(Placement)):
        placement.status = "confirmed"
    db.session.commit()
    return contest.id, found


def case_of(db, name: str) -> PromotionCase:
    return db.session.scalar(
        db.select(PromotionCase).join(Competitor).where(Competitor.name == name)
    )


def evaluate(client, contest_id: int):
    response = client.post(f"/promotion/contests/{contest_id}/evaluate", follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_eligibility_page_lists_exactly_the_eligible_with_reasons_for_the_rest(
    client, auth, db, dummy_organiser, people
):
    """dq-2022 (1)/(2), 000_506faec866124176.txt:95: Diqing competitors by band and grade."""
    contest_id, _ = people
    auth.login("organiser")
    evaluate(client, contest_id)
    page = client.get(f"/promotion/contests/{contest_id}").get_data(as_text=True)
    eligible_part, left_out_part = page.split('id="left-out"')

    outcome = {
        c.competitor.name: (c.eligible, c.from_grade, c.to_grade, c.title_status)
        for c in db.session.scalars(db.select(PromotionCase))
    }
    assert outcome == {
        "格桑次仁": (True, "senior", "technician", "proposed"),
        "卓玛拉姆": (True, "intermediate", "technician", "none"),
        "扎西平措": (True, "senior", "technician", "none"),
        "阿旺": (True, "junior", "senior", "none"),
        "和志军": (False, "technician", None, "none"),
        "段国华": (False, "senior", None, "none"),
        "赵永平": (False, "intermediate", None, "none"),
        "余春兰": (False, "senior", None, "none"),
        "李文才": (False, "none", None, "none"),
        "斯那拉姆": (False, "senior_technician", None, "proposed"),
        "蜂秀英": (False, "intermediate", None, "none"),
    }
    for name in ("格桑次仁", "卓玛拉姆", "扎西平措", "阿旺"):
        assert name in eligible_part and name not in left_out_part
    for name in ("和志军", "段国华", "赵永平", "余春兰", "李文才", "斯那拉姆", "蜂秀英"):
        assert name in left_out_part and name not in eligible_part

    reasons = {
        "卓玛拉姆": "破格晋升为二级/技师（越过三级/高级工）",
        "阿旺": "破格晋升为三级/高级工",
        "和志军": "已高于本项的目标等级三级/高级工",
        "段国华": "未配置晋升规则：仅迪庆州选送的选手适用迪庆方案",
        "余春兰": "第 9 名不在迪庆方案规定的可晋升名次范围内",
        "斯那拉姆": "选手已是最高等级一级/高级技师",
        "蜂秀英": "第 11 名不在迪庆方案规定的可晋升名次范围内",
    }
    for name, reason in reasons.items():
        assert reason in case_of(db, name).reason
        assert reason in page


def test_confirm_and_reject_with_note_are_recorded_and_audited(
    client, auth, db, dummy_organiser, people
):
    """Eligibility is not a grade change: an authorised person confirms or rejects each."""
    contest_id, _ = people
    auth.login("organiser")
    evaluate(client, contest_id)
    first, second = case_of(db, "格桑次仁"), case_of(db, "卓玛拉姆")

    page = decide(
        client,
        contest_id,
        f"/promotion/cases/{first.id}/decision",
        data={"note": "成绩与身份已核实", "confirm": "1"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "已确认晋升：格桑次仁" in page
    refused = decide(
        client,
        contest_id,
        f"/promotion/cases/{second.id}/decision",
        data={"note": " ", "reject": "1"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "不予晋升时请在备注中写明理由" in refused
    db.session.expire_all()
    assert case_of(db, "卓玛拉姆").status == "proposed"
    decide(
        client,
        contest_id,
        f"/promotion/cases/{second.id}/decision",
        data={"note": "本人申请暂缓晋升", "reject": "1"},
    )

    db.session.expire_all()
    first, second = case_of(db, "格桑次仁"), case_of(db, "卓玛拉姆")
    assert (first.status, first.decision_note, first.decided_by.username) == (
        "confirmed",
        "成绩与身份已核实",
        "organiser",
    )
    assert (second.status, second.decision_note) == ("rejected", "本人申请暂缓晋升")
    actions = {
        (a.action, a.target_id, a.username) for a in db.session.scalars(db.select(AuditEntry))
    }
    assert ("confirm_promotion", str(first.id), "organiser") in actions
    assert ("reject_promotion", str(second.id), "organiser") in actions
    assert sum(a == "create_promotion_case" for a, _t, _u in actions) == 11


def test_confirm_refused_while_the_result_is_not_confirmed(
    auth, client, db, dummy_organiser, people
):
    """A promotion rests on a reviewed result: an unconfirmed placing cannot be confirmed."""
    contest_id, _ = people
    auth.login("organiser")
    evaluate(client, contest_id)
    case = case_of(db, "阿旺")
    case.placement.status = "entered"
    db.session.commit()
    page = client.post(
        f"/promotion/cases/{case.id}/decision", data={"confirm": "1"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "该名次尚未复核确认" in page
    db.session.expire_all()
    assert case_of(db, "阿旺").status == "proposed"


def test_only_an_administrator_approves_the_title(
    client, auth, db, dummy_admin, dummy_organiser, people
):
    """000_506faec866124176.txt:95 (1): 身份为职工的选手，经核准，授予“云南竞赛技术能手”称号."""
    contest_id, _ = people
    auth.login("organiser")
    evaluate(client, contest_id)
    case = case_of(db, "格桑次仁")
    assert (
        client.post(f"/promotion/cases/{case.id}/title", data={"approve": "1"}).status_code == 403
    )
    with pytest.raises(services.PromotionRefused, match="仅管理员"):
        services.approve_title(case, dummy_organiser, seen=services.case_view(case))
    auth.logout()

    auth.login("admin")
    page = decide(
        client,
        contest_id,
        f"/promotion/cases/{case.id}/title",
        data={"note": "职工身份已核实", "approve": "1"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "已核准“云南竞赛技术能手”称号：格桑次仁" in page
    db.session.expire_all()
    case = case_of(db, "格桑次仁")
    assert (case.title_status, case.title_note, case.title_decided_by.username) == (
        "approved",
        "职工身份已核实",
        "admin",
    )
    audit = db.session.scalar(db.select(AuditEntry).filter_by(action="approve_title"))
    assert audit.username == "admin" and audit.target_id == str(case.id)
    # A non-employee has no title to approve.
    with pytest.raises(services.PromotionRefused, match="没有待核准的称号"):
        services.approve_title(case_of(db, "卓玛拉姆"), dummy_admin, seen={})


def confirm_as_seen(case, user):
    services.confirm_case(case, user, seen=services.case_view(case))


def decide(client, contest_id, action, **kwargs):
    """Post a decision from the contest's promotion page, as the organiser sees the case."""
    return submit(client, f"/promotion/contests/{contest_id}", action, **kwargs)


def confirm_all(client, db, names):
    for name in names:
        case = case_of(db, name)
        response = decide(
            client, case.contest_id, f"/promotion/cases/{case.id}/decision", data={"confirm": "1"}
        )
        assert response.status_code == 302


def test_notice_period_skips_the_weekend_and_the_configured_holiday(
    client, auth, db, dummy_organiser, people
):
    """5 working days from Friday 2026-11-27, weekend and the local holiday 12-01 not counted."""
    contest_id, _ = people
    auth.login("organiser")
    evaluate(client, contest_id)
    confirm_all(client, db, ["格桑次仁", "阿旺"])
    response = client.post(
        f"/promotion/contests/{contest_id}/notices",
        data={
            "published_on": PUBLISHED_ON.isoformat(),
            "working_days": "5",
            "issuer": "迪庆藏族自治州人力资源和社会保障局",
            "contact": "如有异议，请于公示期内向迪庆州人社局反映。联系电话：0887-8221234",
        },
    )
    assert response.status_code == 302
    notice = db.session.scalar(db.select(PublicNotice))
    assert (notice.published_on, notice.working_days, notice.ends_on) == (
        PUBLISHED_ON,
        5,
        ENDS_ON,
    )
    assert notice.holidays_in_period == [LOCAL_HOLIDAY]
    assert sorted(c.competitor.name for c in notice.cases) == ["格桑次仁", "阿旺"]
    assert {c.status for c in notice.cases} == {"noticed"}
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2026年12月4日" in page
    assert db.session.scalar(db.select(AuditEntry).filter_by(action="publish_notice"))


def test_notice_days_default_to_the_configured_setting(
    app, db, dummy_organiser, people, monkeypatch
):
    """PROMOTION_NOTICE_WORKING_DAYS sets the default period; without extras 12-01 counts."""
    contest_id, found = people
    monkeypatch.setitem(app.config, "PROMOTION_NOTICE_WORKING_DAYS", 6)
    monkeypatch.setitem(app.config, "PROMOTION_EXTRA_HOLIDAYS", [])
    from compapp.contests.models import Contest

    contest = db.session.get(Contest, contest_id)
    services.evaluate_contest_promotions(contest)
    confirm_as_seen(case_of(db, "阿旺"), dummy_organiser)
    notice = notices.publish_notice(contest, PUBLISHED_ON, dummy_organiser)
    # Fri 27 (1) · weekend · Mon 30 (2) · Tue 1 Dec (3) · Wed 2 (4) · Thu 3 (5) · Fri 4 (6)
    assert (notice.working_days, notice.ends_on) == (6, date(2026, 12, 4))


def test_notice_over_the_national_day_holiday_uses_the_state_council_calendar(app):
    """holidays.toml 2026: 10-01..10-07 off, Saturday 10-10 a 调休 working day."""
    calendar = notices.holiday_calendar()
    # Wed 9-30 (1) · 10-01..07 off · Thu 8 (2) · Fri 9 (3) · Sat 10 worked (4) · Mon 12 (5)
    assert calendar.add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 12)


def test_publishing_needs_confirmed_cases(client, auth, db, dummy_organiser, people):
    """Only confirmed promotions are published; nothing confirmed means nothing to publish."""
    contest_id, _ = people
    auth.login("organiser")
    evaluate(client, contest_id)
    response = client.post(
        f"/promotion/contests/{contest_id}/notices",
        data={
            "published_on": "2026-11-27",
            "working_days": "5",
            "issuer": "迪庆州人社局",
            "contact": "联系电话：0887-8221234",
        },
    )
    assert response.status_code == 422
    assert "没有已确认、待公示的晋升" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(PublicNotice)) is None


def publish(client, db, contest_id):
    confirm_all(client, db, ["格桑次仁", "阿旺"])
    client.post(
        f"/promotion/contests/{contest_id}/notices",
        data={
            "published_on": PUBLISHED_ON.isoformat(),
            "working_days": "5",
            "issuer": "迪庆藏族自治州人力资源和社会保障局",
            "contact": "如有异议，请于公示期内向迪庆州人社局反映。联系电话：0887-8221234",
        },
    )
    return db.session.scalar(db.select(PublicNotice))


def test_notice_pdf_holds_names_and_end_date_as_text(client, auth, db, dummy_organiser, people):
    """The 公示 PDF: A4, title, each competitor's name, the period and its end date."""
    contest_id, _ = people
    auth.login("organiser")
    evaluate(client, contest_id)
    notice = publish(client, db, contest_id)
    response = client.get(f"/promotion/notices/{notice.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in reader.pages))
    assert "职业技能等级晋升公示" in text
    assert "格桑次仁" in text and "阿旺" in text
    assert "至2026年12月4日" in text
    assert "0887-8221234" in text
    assert "卓玛拉姆" not in text  # not confirmed, not published


def test_notice_excel_opens_and_lists_the_cases(client, auth, db, dummy_organiser, people):
    """The same notice as a workbook: one row per competitor, the end date in the heading."""
    contest_id, _ = people
    auth.login("organiser")
    evaluate(client, contest_id)
    notice = publish(client, db, contest_id)
    response = client.get(f"/promotion/notices/{notice.id}.xlsx")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.data))
    ws = wb["晋升公示"]
    values = [[c for c in row if c is not None] for row in ws.iter_rows(values_only=True)]
    header = values.index(
        [
            "序号",
            "姓名",
            "工作单位",
            "选送单位",
            "职业（工种）",
            "决赛名次",
            "现有等级",
            "拟晋升等级",
            "称号",
            "依据",
        ]
    )
    rows = values[header + 1 : header + 3]
    assert [(r[1], r[6], r[7]) for r in rows] == [
        ("格桑次仁", "三级/高级工", "二级/技师"),
        ("阿旺", "五级/初级工", "三级/高级工"),
    ]
    assert any("2026年12月4日" in str(v) for row in values for v in row)
    assert wb["说明"]["B7"].value.date() == ENDS_ON


def test_finalize_refused_before_the_period_ends_and_allowed_after(
    client, auth, db, dummy_organiser, people, monkeypatch
):
    """A promotion becomes final only after the notice period; then grade and history change."""
    contest_id, _ = people
    auth.login("organiser")
    evaluate(client, contest_id)
    notice = publish(client, db, contest_id)
    case = case_of(db, "格桑次仁")

    set_today(monkeypatch, ENDS_ON)
    with pytest.raises(services.PromotionRefused, match="2026-12-04 止，尚未期满"):
        notices.finalize_case(case, ENDS_ON, dummy_organiser)
    page = client.post(f"/promotion/cases/{case.id}/finalize", follow_redirects=True)
    assert "尚未期满" in page.get_data(as_text=True)
    db.session.expire_all()
    assert case_of(db, "格桑次仁").competitor.grade_code == "senior"
    assert db.session.scalar(db.select(GradeChange)) is None

    set_today(monkeypatch, date(2026, 12, 5))
    page = client.post(f"/promotion/cases/{case.id}/finalize", follow_redirects=True)
    assert "晋升已生效：格桑次仁 现为二级/技师" in page.get_data(as_text=True)
    db.session.expire_all()
    case = case_of(db, "格桑次仁")
    assert (case.status, case.finalized_on) == ("final", date(2026, 12, 5))
    assert case.competitor.grade_code == "technician"
    change = db.session.scalar(db.select(GradeChange))
    assert (change.competitor_id, change.from_grade, change.to_grade, change.changed_on) == (
        case.competitor_id,
        "senior",
        "technician",
        date(2026, 12, 5),
    )
    assert change.case_id == case.id
    for part in (
        "2025年云南省乡村工匠职业技能竞赛",
        "第 2 名",
        "迪庆方案（未印文号）四（四）3.(1)",
        "2026-11-27 至 2026-12-04",
    ):
        assert part in change.basis
    history = client.get(f"/promotion/competitors/{case.competitor_id}").get_data(as_text=True)
    assert "2026年12月5日" in history and "二级/技师" in history
    # POLICY §7 (004_…txt 一(十)): the final grade's training subsidy, as information with
    # its condition and citation — never an award line.
    assert "training-subsidy" in history and "每人一次性 2,000 元" in history
    assert "参加培训并取得技师" in history and "不是竞赛奖励" in history
    assert "终身职业技能培训工作安排（云人社发〔2018〕71号）一（十）" in history
    assert not db.session.scalar(
        db.select(AwardLineRecord).where(AwardLineRecord.explanation.contains("培训补贴"))
    )
    actions = [a.action for a in db.session.scalars(db.select(AuditEntry))]
    assert "finalize_promotion" in actions and "change_grade" in actions

    # Finalising twice is refused; the other noticed case is finalised from the notice page.
    set_today(monkeypatch, date(2026, 12, 7))
    with pytest.raises(services.PromotionRefused, match="已是最终结果"):
        notices.finalize_case(case, date(2026, 12, 7), dummy_organiser)
    client.post(f"/promotion/notices/{notice.id}/finalize")
    db.session.expire_all()
    assert case_of(db, "阿旺").competitor.grade_code == "senior"


def test_re_evaluation_keeps_decided_cases(client, auth, db, dummy_organiser, people):
    """A decision is never rewritten by a later evaluation, even after the grade changed."""
    contest_id, found = people
    auth.login("organiser")
    evaluate(client, contest_id)
    confirm_all(client, db, ["格桑次仁"])
    person = db.session.get(Competitor, found["格桑次仁"].id)
    person.grade_code = "technician"
    untouched = db.session.get(Competitor, found["阿旺"].id)
    untouched.grade_code = "senior"
    db.session.commit()
    evaluate(client, contest_id)
    db.session.expire_all()
    kept = case_of(db, "格桑次仁")
    assert (kept.status, kept.from_grade, kept.to_grade) == ("confirmed", "senior", "technician")
    # An undecided case follows the new facts: 阿旺 is now at the target of rule (2).
    refreshed = case_of(db, "阿旺")
    assert (refreshed.from_grade, refreshed.to_grade) == ("senior", "technician")
    assert db.session.scalar(db.select(AuditEntry).filter_by(action="refresh_promotion_case"))


def test_finalize_refused_when_the_grade_changed_since_the_decision(
    app, db, dummy_organiser, people, monkeypatch
):
    """Two promotions of one person must not both apply to the grade they started from."""
    contest_id, found = people
    from compapp.contests.models import Contest

    contest = db.session.get(Contest, contest_id)
    services.evaluate_contest_promotions(contest)
    case = case_of(db, "阿旺")
    confirm_as_seen(case, dummy_organiser)
    notices.publish_notice(contest, PUBLISHED_ON, dummy_organiser)
    case.competitor.grade_code = "intermediate"
    set_today(monkeypatch, date(2026, 12, 7))
    with pytest.raises(services.PromotionRefused, match="现有等级为四级/中级工"):
        notices.finalize_case(case, date(2026, 12, 7), dummy_organiser)


def test_promotion_index_lists_contests_with_promotion_rules(
    client, auth, db, dummy_organiser, create_contest, people
):
    """Only provincial and prefecture class 1 and 2 contests have promotion rules."""
    contest_id, _ = people
    create_contest("第二届全国技能大赛", category="national_skills_competition")
    create_contest("2024年迪庆州二类竞赛", category="prefecture_class2", award_on=date(2024, 5, 1))
    auth.login("organiser")
    evaluate(client, contest_id)
    page = client.get("/promotion/").get_data(as_text=True)
    assert "2025年云南省乡村工匠职业技能竞赛" in page and "2024年迪庆州二类竞赛" in page
    assert "第二届全国技能大赛" not in page
    summary = next(s for s in queries.promotion_contests() if s.contest.id == contest_id)
    assert (summary.placed, summary.evaluated, summary.eligible) == (7, 11, 4)


def test_promotion_index_counts_every_contest_in_two_queries(
    client, auth, db, dummy_organiser, create_contest, people
):
    """The index counts cases and placements of all contests at once, not per contest."""

    contest_id, _ = people
    for year in (2022, 2023, 2024):
        create_contest(f"{year}年迪庆州二类竞赛", category="prefecture_class2")
    auth.login("organiser")
    evaluate(client, contest_id)
    with counted(db) as statements:
        page = client.get("/promotion/").get_data(as_text=True)
    assert "2022年迪庆州二类竞赛" in page
    assert len([s for s in statements if "FROM promotion_cases" in s]) == 1
    assert len([s for s in statements if "count(placements.id)" in s]) == 1


def test_evaluation_and_contest_page_read_cases_in_a_fixed_number_of_queries(
    client, auth, db, dummy_organiser, create_event, create_entry, people
):
    """Evaluating a contest and showing its page load placements, members and cases together:
    more placements do not mean more queries."""

    from compapp.contests.models import Contest

    contest_id, _ = people
    auth.login("organiser")
    evaluate(client, contest_id)
    confirm_all(client, db, ["格桑次仁"])

    def queries(action) -> int:
        db.session.expire_all()
        with counted(db) as statements:
            action()
        return len([s for s in statements if s.lstrip().upper().startswith("SELECT")])

    def evaluation():
        # In a context of its own, as a job runs (policies in force are read once per context).
        with current_app.app_context():
            services.evaluate_contest_promotions(db.session.get(Contest, contest_id))
            db.session.rollback()

    def page():
        assert client.get(f"/promotion/contests/{contest_id}").status_code == 200

    before = (queries(evaluation), queries(page))
    extra = create_event(db.session.get(Contest, contest_id), "电工", "trio", "prizes")
    for rank, names in enumerate((["甲一", "甲二", "甲三"], ["乙一", "乙二", "乙三"]), 1):
        create_entry(extra, "533422", rank=rank, names=names)
    db.session.commit()
    evaluate(client, contest_id)
    assert (queries(evaluation), queries(page)) == before


def test_an_organiser_of_another_body_reaches_no_promotion_data(
    client, auth, db, create_user, people
):
    """Organisers reach the contests of their own body; another body's ids give 404."""
    from compapp.contests.models import Contest
    from compapp.contests.services import get_or_create_body

    contest_id, found = people
    services.evaluate_contest_promotions(db.session.get(Contest, contest_id))
    db.session.commit()
    other = get_or_create_body("迪庆州人力资源和社会保障局")
    create_user("organiser_dq", "organiser", organising_body_id=other.id)
    case = case_of(db, "格桑次仁")
    auth.login("organiser_dq")
    assert client.get(f"/promotion/contests/{contest_id}").status_code == 404
    assert client.get(f"/promotion/competitors/{case.competitor_id}").status_code == 404
    assert (
        client.post(f"/promotion/cases/{case.id}/decision", data={"confirm": "1"}).status_code
        == 404
    )
    assert "2025年云南省乡村工匠职业技能竞赛" not in client.get("/promotion/").get_data(
        as_text=True
    )
    db.session.expire_all()
    assert case_of(db, "格桑次仁").status == "proposed"


def test_a_published_notice_keeps_what_it_printed(client, auth, db, dummy_organiser, people):
    """Later edits of a person or a title decision do not rewrite a published notice."""
    contest_id, found = people
    auth.login("organiser")
    evaluate(client, contest_id)
    notice = publish(client, db, contest_id)

    def cells():
        data = client.get(f"/promotion/notices/{notice.id}.xlsx").data
        return list(load_workbook(io.BytesIO(data))["晋升公示"].iter_rows(values_only=True))

    before = cells()
    person = db.session.get(Competitor, found["格桑次仁"].id)
    person.employer = "香格里拉市新单位"
    db.session.commit()
    assert cells() == before
    pdf = client.get(f"/promotion/notices/{notice.id}.pdf").data
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "新单位" not in text


def test_the_notice_page_shows_the_rows_as_published_like_the_pdf(
    client, auth, db, dummy_organiser, people
):
    """The notice page lists what the notice printed: an employer changed after publication
    shows as published on the page, as in the PDF and the Excel file."""
    contest_id, found = people
    auth.login("organiser")
    person = db.session.get(Competitor, found["格桑次仁"].id)
    person.employer = "迪庆州旅游饭店"
    db.session.commit()
    evaluate(client, contest_id)
    notice = publish(client, db, contest_id)
    person = db.session.get(Competitor, found["格桑次仁"].id)
    person.employer = "香格里拉市新单位"
    db.session.commit()
    page = client.get(f"/promotion/notices/{notice.id}").get_data(as_text=True)
    listed = page.split('id="notice-list"')[1]
    assert "迪庆州旅游饭店" in listed and "新单位" not in listed
    row = notices.notice_document(notice).rows[0]
    for value in (row.name, row.employer, row.county, row.placing, row.from_grade, row.basis):
        assert value in listed
    pdf = client.get(f"/promotion/notices/{notice.id}.pdf").data
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "迪庆州旅游饭店" in text


def test_each_step_of_a_case_is_audited_with_the_case_before_and_after(
    db, dummy_organiser, dummy_admin, people, monkeypatch
):
    """Confirm, title approval, notice and finalisation each record the case fields they
    changed, as they were before and after."""
    from compapp.contests.models import Contest

    contest_id, _ = people
    contest = db.session.get(Contest, contest_id)
    services.evaluate_contest_promotions(contest)
    case = case_of(db, "格桑次仁")
    confirm_as_seen(case, dummy_organiser)
    services.approve_title(case, dummy_admin, seen=services.case_view(case))
    notice = notices.publish_notice(contest, PUBLISHED_ON, dummy_organiser)
    set_today(monkeypatch, date(2026, 12, 5))
    notices.finalize_case(case, date(2026, 12, 5), dummy_organiser)
    db.session.commit()
    steps = {
        a.action: a
        for a in db.session.scalars(
            db.select(AuditEntry).filter_by(target_type="promotion_case", target_id=str(case.id))
        )
    }

    def changed(action):
        entry = steps[action]
        return {
            k: (entry.before[k], entry.after[k])
            for k in entry.after
            if entry.before[k] != entry.after[k]
        }

    assert changed("confirm_promotion") == {"status": ("proposed", "confirmed")}
    assert changed("approve_title") == {"title_status": ("proposed", "approved")}
    assert changed("notice_promotion") == {
        "status": ("confirmed", "noticed"),
        "notice_id": (None, notice.id),
    }
    assert changed("finalize_promotion") == {
        "status": ("noticed", "final"),
        "finalized_on": (None, "2026-12-05"),
    }


def test_promotion_pages_name_grades_in_the_pages_language(
    client, auth, db, dummy_organiser, people
):
    """Grades on the contest and competitor pages come from labels.grade: English on request."""
    from flask_babel import refresh

    contest_id, found = people
    auth.login("organiser")
    evaluate(client, contest_id)
    refresh()  # the test's app context kept the first request's language
    page = client.get(f"/promotion/contests/{contest_id}?lang=en").get_data(as_text=True)
    assert "Level 3 / Senior worker" in page and "Level 2 / Technician" in page
    person = client.get(f"/promotion/competitors/{found['格桑次仁'].id}").get_data(as_text=True)
    assert "Level 3 / Senior worker" in person
    refresh()
    page = client.get(f"/promotion/contests/{contest_id}?lang=zh").get_data(as_text=True)
    assert "三级/高级工" in page


def test_a_notice_without_contact_sends_objections_to_the_issuer_given(db, dummy_organiser, people):
    """The default contact line names the notice's issuer, also when the organiser gave one."""
    from compapp.contests.models import Contest

    contest_id, _ = people
    contest = db.session.get(Contest, contest_id)
    services.evaluate_contest_promotions(contest)
    confirm_as_seen(case_of(db, "阿旺"), dummy_organiser)
    notice = notices.publish_notice(
        contest, PUBLISHED_ON, dummy_organiser, issuer="香格里拉市人力资源和社会保障局"
    )
    assert notice.issuer == "香格里拉市人力资源和社会保障局"
    assert notice.contact == "如有异议，请于公示期内向香格里拉市人力资源和社会保障局反映。"


def test_a_result_changed_after_the_decision_is_flagged_not_rewritten(
    client, auth, db, dummy_organiser, people
):
    """A corrected rank leaves the decided case as decided and tells the organiser to check."""
    contest_id, _ = people
    auth.login("organiser")
    evaluate(client, contest_id)
    confirm_all(client, db, ["格桑次仁"])
    case = case_of(db, "格桑次仁")
    case.placement.rank = 4
    db.session.commit()
    page = evaluate(client, contest_id)
    assert "格桑次仁 的名次或参赛组在处理后发生了变化" in page
    db.session.expire_all()
    kept = case_of(db, "格桑次仁")
    assert (kept.status, kept.facts["rank"], kept.to_grade) == ("confirmed", 2, "technician")
    # The partner's undecided case follows the corrected rank: pair rank 4 is rule (2).
    partner = case_of(db, "卓玛拉姆")
    assert (partner.facts["rank"], partner.clause, partner.to_grade) == (4, "(2)", "senior")


def test_finalize_refused_when_its_result_is_no_longer_confirmed(
    app, db, dummy_organiser, people, monkeypatch
):
    """A grade rests on a confirmed result: should the result lose its confirmation under the
    notice by any path, the case cannot become final (a second person confirms the result
    and a new notice publishes it first)."""
    contest_id, _found = people
    from compapp.contests.models import Contest

    contest = db.session.get(Contest, contest_id)
    services.evaluate_contest_promotions(contest)
    case = case_of(db, "阿旺")
    confirm_as_seen(case, dummy_organiser)
    notices.publish_notice(contest, PUBLISHED_ON, dummy_organiser)
    case.placement.status = "entered"
    set_today(monkeypatch, date(2026, 12, 7))
    with pytest.raises(services.PromotionRefused, match="所依据的成绩已撤回确认"):
        notices.finalize_case(case, date(2026, 12, 7), dummy_organiser)
    assert case.status == "noticed"
    assert case.competitor.grade_code == "junior"
