"""Budget totals: the overview's grouped totals agree with the lines; a year reads only its own.

Runs on the demo data set.
"""

from datetime import date

import pytest

from compapp.auth.models import User
from compapp.contests.models import Contest
from compapp.finance import services
from compapp.rewards.models import AwardLineRecord


@pytest.fixture
def demo(runner, db):
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output


def payers(db) -> list[str]:
    return db.session.scalars(
        db.select(AwardLineRecord.payer_code).distinct().order_by(AwardLineRecord.payer_code)
    ).all()


def revoke_one_confirmed_result(db, finance):
    """Revoke (two organisers) a result whose confirmed lines are not paid: they read 'revoked'."""
    from compapp.revocation.services import confirm_revocation, request_revocation

    contest = db.session.scalar(db.select(Contest).filter_by(name="第47届世界技能大赛"))
    services.confirm_budget(
        contest, "533400", finance, seen=services.budget_view("533400", contest)
    )
    line = services.budget_lines("533400", contest).payable[0]
    one, two = (
        db.session.scalar(db.select(User).filter_by(username=u))
        for u in ("organiser1", "organiser2")
    )
    revocation = request_revocation(line.entry.placement, "冒名顶替", None, one, date(2025, 1, 1))
    confirm_revocation(revocation, two, date(2025, 1, 1))


def test_overview_totals_by_status_match_each_contest_budget(db, demo):
    """The overview's SQL status (paid, confirmed, revoked, awaiting budget, provisional) is the
    lines'."""
    finance = db.session.scalar(db.select(User).filter_by(username="finance_dq"))
    contest = db.session.scalar(db.select(Contest).filter_by(name="第二届全国技能大赛"))
    services.confirm_budget(
        contest, "533400", finance, seen=services.budget_view("533400", contest)
    )
    budget = services.budget_lines("533400", contest)
    seen = services.payment_view("533400", contest)
    paid = budget.payable[:1]
    services.mark_paid(paid, "533400", "DQCZ-1", date(2024, 10, 8), finance, seen, contest)
    revoke_one_confirmed_result(db, finance)
    db.session.flush()
    seen = set()
    for code in payers(db):
        for year, items in services.payer_overview(code).items():
            for summary in items:
                budget = services.budget_lines(code, summary.contest)
                assert summary.by_status == budget.by_status
                assert summary.total == budget.total
                assert summary.contest.award_on.year == year
                seen.update(summary.by_status)
    assert seen == set(services.STATUSES)


def test_a_year_budget_holds_exactly_the_lines_of_that_years_contests(db, demo):
    for code in payers(db):
        for year, items in services.payer_overview(code).items():
            budget = services.budget_lines(code, year=year)
            assert {line.entry.event.contest.award_on.year for line in budget.lines} == {year}
            expected = [
                line.id for s in items for line in services.budget_lines(code, s.contest).lines
            ]
            assert sorted(line.id for line in budget.lines) == sorted(expected)
