"""Four-eyes holds after confirmation: price-relevant changes reopen results; a reviewer
confirms only what they saw.

Issue side doors 1 (the contest form changed the price of confirmed results) and 4 (the
reviewer's click confirmed a result changed after their page was loaded).
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from compapp.audit.models import AuditEntry
from compapp.contests.models import Contest, Entry, Event, Placement
from compapp.rewards.models import AwardLineRecord
from tests.pages import hidden_fields, submit

DEMO_PASSWORD = "compapp-demo"
NATIONAL = "第二届全国技能大赛"  # 4 confirmed results; the province pays ¥1,000,000


@pytest.fixture
def demo(runner, db):
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output


def login(app, username):
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    return client


def flashes(response) -> list[str]:
    return re.findall(r'class="flash \w+">([^<]*)<', response.get_data(as_text=True))


def contest_named(db, name) -> Contest:
    return db.session.scalar(db.select(Contest).filter_by(name=name))


def placements_of(db, contest) -> list[Placement]:
    db.session.expire_all()
    return db.session.scalars(
        db.select(Placement)
        .join(Entry)
        .join(Event)
        .where(Event.contest_id == contest.id)
        .order_by(Placement.id)
    ).all()


def province_total(db, contest) -> int:
    return db.session.scalar(
        db.select(db.func.sum(AwardLineRecord.amount_fen))
        .join(Entry)
        .join(Event)
        .where(
            Event.contest_id == contest.id,
            AwardLineRecord.is_current.is_(True),
            AwardLineRecord.payer_code == "530000",
        )
    )


def contest_form(contest, **changes) -> dict:
    data = {
        "name": contest.name,
        "category": contest.category,
        "organising_body": contest.organising_body.name,
        "organiser": contest.organiser_code,
        "location": contest.location or "",
        "starts_on": contest.starts_on.isoformat(),
        "ends_on": contest.ends_on.isoformat(),
        "award_on": contest.award_on.isoformat(),
        "notes": contest.notes or "",
    }
    data.update(changes)
    return data


def test_changing_the_category_after_confirmation_reopens_results_for_a_second_person(
    app, db, demo
):
    """The issue's reproduction: category → worldskills after confirmation, then recompute.

    Before: the province's total went from ¥1.0 M to ¥2.9 M, the results stayed confirmed and
    finance could confirm the ¥2.9 M. Now every confirmed result is reopened with the change as
    its reason; the one who changed it cannot confirm again; finance has nothing to confirm
    until a second person has.
    """
    contest = contest_named(db, NATIONAL)
    assert province_total(db, contest) == 100_000_000
    confirmed = [p.id for p in placements_of(db, contest) if p.status == "confirmed"]
    assert len(confirmed) == 4
    organiser1 = login(app, "organiser1")
    response = organiser1.post(
        f"/contests/{contest.id}/edit",
        data=contest_form(contest, category="worldskills"),
        follow_redirects=True,
    )
    assert any("4 项已确认的成绩已撤回确认" in f for f in flashes(response)), flashes(response)
    organiser1.post(f"/rewards/contests/{contest.id}/awards/recompute")

    placements = placements_of(db, contest)
    assert {p.id: p.status for p in placements if p.id in confirmed} == dict.fromkeys(
        confirmed, "entered"
    )
    assert all(p.entered_by.username == "organiser1" for p in placements if p.id in confirmed)
    assert province_total(db, contest) == 290_000_000  # repriced at once, but not confirmed
    audit = db.session.scalar(db.select(AuditEntry).filter_by(action="reopen_results"))
    assert "赛事类别" in audit.summary and audit.username == "organiser1"

    finance = login(app, "finance_yn")
    refused = finance.post(f"/finance/contests/{contest.id}/confirm", follow_redirects=True)
    assert any("成绩须先经第二人复核确认" in f for f in flashes(refused))
    assert not db.session.scalar(
        db.select(db.func.count(AwardLineRecord.id)).where(
            AwardLineRecord.budget_confirmation_id.is_not(None)
        )
    )

    # The one who made the change cannot confirm; a second person can, from the review page.
    own = organiser1.post(f"/contests/placements/{confirmed[0]}/confirm", follow_redirects=True)
    assert any("不能复核自己录入的成绩" in f for f in flashes(own))
    organiser2 = login(app, "organiser2")
    for placement_id in confirmed:
        response = submit(
            organiser2, "/contests/review", f"/contests/placements/{placement_id}/confirm"
        )
        assert response.status_code == 302
    assert all(p.status == "confirmed" for p in placements_of(db, contest) if p.id in confirmed)
    page = f"/finance/contests/{contest.id}"
    response = submit(finance, page, f"{page}/confirm", follow_redirects=True)
    assert any("合计 ¥2,900,000.00" in f for f in flashes(response)), flashes(response)


@pytest.mark.parametrize(
    "field, value, reason",
    [
        ("category", "national_class1", "赛事类别"),
        ("award_on", "2023-09-21", "颁奖日期"),
    ],
)
def test_each_price_relevant_fact_reopens_confirmed_results(app, db, demo, field, value, reason):
    """Category and award date decide amount and eligibility (POLICY.md §3, §5.4)."""
    contest = contest_named(db, NATIONAL)
    response = login(app, "organiser1").post(
        f"/contests/{contest.id}/edit", data=contest_form(contest, **{field: value})
    )
    assert response.status_code == 302
    assert {p.status for p in placements_of(db, contest)} == {"entered"}
    audit = db.session.scalar(db.select(AuditEntry).filter_by(action="reopen_results"))
    assert reason in audit.summary


def test_changing_the_organising_jurisdiction_reopens_confirmed_results(app, db, demo):
    """Whose prefecture-tier rules apply follows the contest's organising jurisdiction
    (POLICY.md §3, 000_506faec866124176.txt:91 (7) "参加我州综合性…"): moving a Diqing contest
    to 大理州 takes away Diqing's prefecture award, so the confirmed results are reopened."""
    contest = contest_named(db, "2024年迪庆州一类职业技能竞赛（民族手工艺）")
    assert contest.organiser_code == "533400"
    confirmed = [p.id for p in placements_of(db, contest) if p.status == "confirmed"]
    assert confirmed
    response = login(app, "organiser_dq").post(
        f"/contests/{contest.id}/edit",
        data=contest_form(contest, organiser="532900"),
        follow_redirects=True,
    )
    said = "主办地区：迪庆藏族自治州（533400） → 大理白族自治州（532900）"
    assert any("已撤回确认" in f and said in f for f in flashes(response)), flashes(response)
    db.session.expire_all()
    assert db.session.get(Contest, contest.id).organiser_code == "532900"
    statuses = {p.id: p.status for p in placements_of(db, contest)}
    assert {statuses[i] for i in confirmed} == {"entered"}
    audit = db.session.scalar(db.select(AuditEntry).filter_by(action="reopen_results"))
    assert "主办地区" in audit.summary and "533400" in audit.summary


def test_a_change_that_prices_nothing_keeps_the_results_confirmed(app, db, demo):
    """Name, location, notes and the contest's start and end change no amount: no reopening."""
    contest = contest_named(db, NATIONAL)
    before = [(p.id, p.status) for p in placements_of(db, contest)]
    response = login(app, "organiser1").post(
        f"/contests/{contest.id}/edit",
        data=contest_form(contest, name="第二届全国技能大赛（更名）", location="上海", notes="x"),
    )
    assert response.status_code == 302
    assert [(p.id, p.status) for p in placements_of(db, contest)] == before
    assert db.session.scalar(db.select(AuditEntry).filter_by(action="reopen_results")) is None


def test_a_price_change_is_refused_while_a_promotion_rests_on_it_in_its_notice(app, db, demo):
    """A promotion in its public notice cannot lose its basis silently: the change is refused,
    naming the competitor, and nothing is saved."""
    from compapp.auth.models import User
    from compapp.promotion import notices
    from compapp.promotion import services as promotion
    from compapp.promotion.models import PromotionCase

    contest = contest_named(db, "2025年云南省“技能云南”乡村工匠职业技能竞赛")
    organiser = db.session.scalar(db.select(User).filter_by(username="organiser2"))
    case = db.session.scalar(
        db.select(PromotionCase)
        .join(Placement)
        .where(
            PromotionCase.contest_id == contest.id,
            PromotionCase.status == "proposed",
            Placement.status == "confirmed",
        )
        .order_by(PromotionCase.id)
    )
    promotion.confirm_case(case, organiser, seen=promotion.case_view(case))
    notices.publish_notice(contest, datetime.now(ZoneInfo("Asia/Shanghai")).date(), organiser)
    db.session.commit()
    name = case.competitor.name

    response = login(app, "organiser1").post(
        f"/contests/{contest.id}/edit", data=contest_form(contest, award_on="2025-08-23")
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert f"{name} 的晋升已公示或已生效" in page and "修改没有保存" in page
    db.session.expire_all()
    assert db.session.get(Contest, contest.id).award_on.isoformat() == "2025-08-22"
    assert "confirmed" in {p.status for p in placements_of(db, contest)}


def test_an_entry_of_a_confirmed_result_is_refused_by_the_service_itself(db, demo):
    """Not only the form: save_entry refuses a confirmed result (imports go through it too)."""
    from compapp.contests import services

    placement = db.session.scalar(db.select(Placement).filter_by(status="confirmed"))
    entry = placement.entry
    data = services.EntryData(
        sending_county="530523",  # another county: a different payer
        members=[
            services.MemberData(id_number=m.competitor.id_number, name=m.competitor.name)
            for m in entry.members
        ],
        rank=placement.rank,
        result="gold",
    )
    with pytest.raises(services.ConfirmRefused):
        services.save_entry(entry.event, data, None, entry.event.version, entry)


def test_the_reviewer_confirms_only_the_result_they_saw(app, db, demo):
    """The issue's reproduction of door 4: organiser2 loads the review page showing silver;
    organiser1 changes it to gold; organiser2's click confirms nothing and shows the change."""
    placement = db.session.scalar(
        db.select(Placement).filter_by(status="entered", medal="silver").order_by(Placement.id)
    )  # entered by organiser1 in the demo data
    organiser2 = login(app, "organiser2")
    action = f"/contests/placements/{placement.id}/confirm"
    review = organiser2.get("/contests/review").get_data(as_text=True)
    seen_fields = hidden_fields(review, action)

    entry = placement.entry
    organiser1 = login(app, "organiser1")
    form = {
        "version": str(entry.event.version),
        "sending_county": entry.sending_county_code,
        "rank": str(placement.rank),
        "result": "gold",
    }
    for i, member in enumerate(entry.members):
        form[f"members-{i}-id_number"] = member.competitor.id_number
        form[f"members-{i}-name"] = member.competitor.name
    for i, coach in enumerate(entry.coaches):
        form[f"coaches-{i}-name"] = coach.coach.name
        form[f"coaches-{i}-role"] = coach.role
    changed = organiser1.post(f"/contests/entries/{entry.id}/edit", data=form)
    assert changed.status_code == 302, changed.get_data(as_text=True)[-1500:]

    response = organiser2.post(action, data=seen_fields, follow_redirects=True)
    messages = flashes(response)
    assert any("本次没有确认" in m and "银牌 → 金牌" in m for m in messages), messages
    db.session.expire_all()
    assert db.session.get(Placement, placement.id).status == "entered"

    # Having seen the gold, organiser2 confirms it.
    response = submit(organiser2, "/contests/review", action)
    assert response.status_code == 302
    db.session.expire_all()
    now = db.session.get(Placement, placement.id)
    assert (now.status, now.medal, now.confirmed_by.username) == (
        "confirmed",
        "gold",
        "organiser2",
    )


def test_a_confirmation_without_the_page_token_confirms_nothing(app, db, demo):
    """A post that cannot say what was seen (no token, a forged one) is refused plainly."""
    placement = db.session.scalar(
        db.select(Placement).filter_by(status="entered").order_by(Placement.id)
    )
    client = login(app, "admin")
    for data in ({}, {"seen": "forged.token"}):
        response = client.post(
            f"/contests/placements/{placement.id}/confirm", data=data, follow_redirects=True
        )
        assert any("本次没有确认" in m for m in flashes(response))
    db.session.expire_all()
    assert db.session.get(Placement, placement.id).status == "entered"


def test_a_token_for_one_result_does_not_confirm_another(app, db, demo):
    first, second = db.session.scalars(
        db.select(Placement).filter_by(status="entered").order_by(Placement.id).limit(2)
    ).all()
    client = login(app, "admin")
    review = client.get("/contests/review").get_data(as_text=True)
    token = hidden_fields(review, f"/contests/placements/{first.id}/confirm")
    client.post(f"/contests/placements/{second.id}/confirm", data=token)
    db.session.expire_all()
    assert db.session.get(Placement, second.id).status == "entered"


def test_a_promotion_decision_binds_to_the_case_as_seen(app, db, demo):
    """Door 4 for a promotion decision: the case was re-evaluated after the page was loaded
    (its result was corrected); the click confirms nothing and says what changed."""
    from compapp.promotion.models import PromotionCase

    case = db.session.scalar(
        db.select(PromotionCase)
        .join(Placement)
        .join(Contest, Contest.id == PromotionCase.contest_id)
        .where(
            PromotionCase.status == "proposed",
            Placement.status == "confirmed",
            Contest.name == "2025年云南省“技能云南”乡村工匠职业技能竞赛",
        )
        .order_by(PromotionCase.id)
    )
    contest_id = case.contest_id
    organiser2 = login(app, "organiser2")
    page = organiser2.get(f"/promotion/contests/{contest_id}").get_data(as_text=True)
    action = f"/promotion/cases/{case.id}/decision"
    fields = hidden_fields(page, action)
    case.to_grade = "senior_technician"  # a change the organiser did not see
    db.session.commit()
    response = organiser2.post(action, data={**fields, "confirm": "1"}, follow_redirects=True)
    assert any("本次没有确认" in m and "拟晋升等级" in m for m in flashes(response))
    db.session.expire_all()
    assert db.session.get(PromotionCase, case.id).status == "proposed"


def test_a_budget_confirmation_binds_to_the_lines_as_seen(app, db, demo):
    """Door 4 for a budget: a second result is confirmed after finance opened the page; the
    click confirms nothing (before, it confirmed lines the officer never saw) and says so."""
    contest = contest_named(db, "2024年全国行业职业技能竞赛（电力行业）")  # results only entered
    first, second = [p for p in placements_of(db, contest) if p.status == "entered"][:2]
    organiser2 = login(app, "organiser2")
    event = f"/contests/events/{first.entry.event_id}"
    submit(organiser2, event, f"/contests/placements/{first.id}/confirm")
    finance = login(app, "finance_yn")
    page = f"/finance/contests/{contest.id}"
    fields = hidden_fields(finance.get(page).get_data(as_text=True), f"{page}/confirm")
    submit(organiser2, event, f"/contests/placements/{second.id}/confirm")

    response = finance.post(f"{page}/confirm", data=fields, follow_redirects=True)
    assert any("本次没有确认" in m and "待确认明细条数" in m for m in flashes(response)), flashes(
        response
    )
    assert not db.session.scalar(
        db.select(db.func.count(AwardLineRecord.id)).where(
            AwardLineRecord.budget_confirmation_id.is_not(None)
        )
    )
    # Having seen both, the officer confirms both.
    response = submit(finance, page, f"{page}/confirm", follow_redirects=True)
    assert any(m.startswith("已确认") for m in flashes(response)), flashes(response)


def test_a_payment_binds_to_the_payable_lines_as_seen(app, db, demo):
    """Door 4 for a payment: the officer opened the budget page in one tab; in another, more
    lines were confirmed for payment. The first tab's payment records nothing and says what
    changed; opened again, the page records it."""
    contest = contest_named(db, "2024年全国行业职业技能竞赛（电力行业）")  # results only entered
    first, second = [p for p in placements_of(db, contest) if p.status == "entered"][:2]
    organiser2 = login(app, "organiser2")
    event = f"/contests/events/{first.entry.event_id}"
    submit(organiser2, event, f"/contests/placements/{first.id}/confirm")
    finance = login(app, "finance_yn")
    page = f"/finance/contests/{contest.id}"
    submit(finance, page, f"{page}/confirm")
    paid_ids = [
        line.id
        for line in db.session.scalars(
            db.select(AwardLineRecord).where(
                AwardLineRecord.payer_code == "530000",
                AwardLineRecord.budget_confirmation_id.is_not(None),
                AwardLineRecord.amount_fen > 0,
            )
        )
    ]
    assert paid_ids
    seen = hidden_fields(finance.get(page).get_data(as_text=True), f"{page}/paid")
    submit(organiser2, event, f"/contests/placements/{second.id}/confirm")
    submit(finance, page, f"{page}/confirm")  # the other tab: more lines to pay

    payment = {"line_ids": paid_ids, "payment_reference": "YNCZ-7", "paid_on": "2024-10-08"}
    response = finance.post(f"{page}/paid", data={**seen, **payment}, follow_redirects=True)
    assert any("本次没有确认" in m and "待支付明细条数" in m for m in flashes(response)), flashes(
        response
    )
    assert not db.session.scalar(
        db.select(db.func.count(AwardLineRecord.id)).where(AwardLineRecord.paid_on.is_not(None))
    )
    response = submit(finance, page, f"{page}/paid", payment, follow_redirects=True)
    assert any(m.startswith("已登记") for m in flashes(response)), flashes(response)
    db.session.expire_all()
    assert all(db.session.get(AwardLineRecord, i).paid_on is not None for i in paid_ids)


def test_reopening_a_result_undoes_the_promotion_decision_resting_on_it(app, db, demo):
    """A confirmed promotion rests on a confirmed result: reopening the result for correction
    sends the case back for a new decision (it is never kept as confirmed on a changed basis)."""
    from compapp.auth.models import User
    from compapp.promotion import services as promotion
    from compapp.promotion.models import PromotionCase

    contest = contest_named(db, "2025年云南省“技能云南”乡村工匠职业技能竞赛")
    organiser = db.session.scalar(db.select(User).filter_by(username="organiser2"))
    case = db.session.scalar(
        db.select(PromotionCase)
        .join(Placement)
        .where(
            PromotionCase.contest_id == contest.id,
            PromotionCase.status == "proposed",
            Placement.status == "confirmed",
        )
        .order_by(PromotionCase.id)
    )
    promotion.confirm_case(case, organiser, seen=promotion.case_view(case))
    db.session.commit()
    login(app, "organiser1").post(
        f"/contests/placements/{case.placement_id}/reopen", data={"note": "名次更正"}
    )
    db.session.expire_all()
    reopened = db.session.get(PromotionCase, case.id)
    assert (reopened.status, reopened.decided_by_id) == ("proposed", None)
    assert db.session.scalar(db.select(AuditEntry).filter_by(action="reopen_promotion"))


def _noticed_case(app, db):
    """A confirmed promotion of a confirmed result in the demo, published in a notice today."""
    from compapp.auth.models import User
    from compapp.promotion import notices
    from compapp.promotion import services as promotion
    from compapp.promotion.models import PromotionCase

    contest = contest_named(db, "2025年云南省“技能云南”乡村工匠职业技能竞赛")
    organiser = db.session.scalar(db.select(User).filter_by(username="organiser2"))
    case = db.session.scalar(
        db.select(PromotionCase)
        .join(Placement)
        .where(
            PromotionCase.contest_id == contest.id,
            PromotionCase.status == "proposed",
            Placement.status == "confirmed",
        )
        .order_by(PromotionCase.id)
    )
    promotion.confirm_case(case, organiser, seen=promotion.case_view(case))
    notices.publish_notice(contest, datetime.now(ZoneInfo("Asia/Shanghai")).date(), organiser)
    db.session.commit()
    return contest, case, organiser


def test_reopening_a_result_is_refused_while_its_promotion_is_in_its_notice(app, db, demo):
    """The notice published this result: reopening it under the notice would let the grade
    follow a result nobody saw published. Refused, naming the person and the way to object;
    nothing changes."""
    from compapp.promotion.models import PromotionCase

    _contest, case, _organiser = _noticed_case(app, db)
    name = case.competitor.name
    response = login(app, "organiser1").post(
        f"/contests/placements/{case.placement_id}/reopen",
        data={"note": "名次更正"},
        follow_redirects=True,
    )
    said = f"{name} 的晋升已公示或已生效（公示中），该成绩不能撤回确认"
    assert any(said in m for m in flashes(response)), flashes(response)
    db.session.expire_all()
    assert db.session.get(Placement, case.placement_id).status == "confirmed"
    assert db.session.get(PromotionCase, case.id).status == "noticed"
    assert db.session.scalar(db.select(AuditEntry).filter_by(action="reopen_placement")) is None


def test_a_price_change_is_refused_while_an_objection_to_its_promotion_is_open(app, db, demo):
    """A case with an open objection (有异议) is still in its notice: the contest's price-relevant
    facts cannot change under it either."""
    from compapp.promotion import notices

    contest, case, organiser = _noticed_case(app, db)
    notices.lodge_objection(case, organiser, "李四", "名次统计有误，请核实。")
    db.session.commit()
    assert case.status == "objected"
    response = login(app, "organiser1").post(
        f"/contests/{contest.id}/edit", data=contest_form(contest, award_on="2025-08-23")
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert f"{case.competitor.name} 的晋升已公示或已生效（有异议）" in page
    db.session.expire_all()
    assert db.session.get(Contest, contest.id).award_on.isoformat() == "2025-08-22"
