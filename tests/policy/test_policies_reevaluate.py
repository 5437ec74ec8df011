"""``flask policies reevaluate``: what it changes after the policy data changed, and that it
cannot fail silently (all or nothing; unpriced entries listed with a non-zero exit).

The state before an upgrade is written as the earlier data left it: a 全省综合性职业技能大赛
case stored as "no promotion rule" (before comprehensive contests promoted under the
class-1 bands, 000_506faec866124176.txt:95 rule (1)).
"""

from __future__ import annotations

from datetime import date

import pytest

from compapp import cli
from compapp.audit.models import AuditEntry
from compapp.promotion import services as promotion
from compapp.promotion.models import PromotionCase
from compapp.rewards.models import AwardComputation, AwardLineRecord

OLD_REASON = "该类竞赛没有配置晋升规定。"


def current_lines(db, entry):
    return db.session.scalars(
        db.select(AwardLineRecord)
        .filter_by(entry_id=entry.id, is_current=True)
        .order_by(AwardLineRecord.id)
    ).all()


@pytest.fixture
def before_upgrade(db, create_contest, create_event, create_entry, create_user):
    """A comprehensive contest as the earlier data left it, and a decided case whose
    placement changed since its decision."""
    comprehensive = create_contest(
        "2024年全省综合性职业技能大赛", category="provincial_comprehensive"
    )
    event = create_event(comprehensive, "电工", "individual", "medals")
    entry = create_entry(event, "533422", rank=2, result="silver", names=["此里农布"])
    promotion.evaluate_contest_promotions(comprehensive)
    case = db.session.scalar(db.select(PromotionCase).filter_by(contest_id=comprehensive.id))
    right = (case.eligible, case.to_grade, case.clause, case.reason)
    assert case.eligible and case.to_grade == "technician"
    # What the data before comprehensive-is-class1 stored.
    case.eligible, case.to_grade, case.clause, case.band = False, None, None, None
    case.policy_id = case.citation = case.policy_digest = case.version_from = None
    case.reason = OLD_REASON

    class1 = create_contest("2024年省级一类竞赛", category="provincial_class1")
    solo = create_event(class1, "焊工", "individual", "prizes")
    decided_entry = create_entry(solo, "533401", rank=3, result="prize_3", names=["扎西平措"])
    promotion.evaluate_contest_promotions(class1)
    decided = db.session.scalar(db.select(PromotionCase).filter_by(contest_id=class1.id))
    promotion.reject_case(
        decided, create_user("org2", "organiser"), "材料不全", seen=promotion.case_view(decided)
    )
    decided_entry.placement.rank = 5  # changed after the decision
    db.session.commit()
    return {
        "case_id": case.id,
        "right": right,
        "entry": entry,
        "decided_id": decided.id,
        "comprehensive": comprehensive,
    }


def test_reevaluate_reprices_and_refreshes_undecided_cases_keeping_decided_ones(
    db, runner, before_upgrade
):
    state = before_upgrade
    result = runner.invoke(args=["policies", "reevaluate"])
    assert result.exit_code == 0, result.output
    assert "promotion cases created or refreshed" in result.output
    assert "decided case kept: 2024年省级一类竞赛: 扎西平措" in result.output
    db.session.expire_all()

    case = db.session.get(PromotionCase, state["case_id"])
    assert (case.eligible, case.to_grade, case.clause, case.reason) == state["right"]
    # The refresh is in the audit log, before and after.
    logged = db.session.scalar(
        db.select(AuditEntry)
        .filter_by(target_type="promotion_case", target_id=str(case.id))
        .order_by(AuditEntry.id.desc())
    )
    assert logged.before["eligible"] is False and logged.after["eligible"] is True

    # Amounts the data still gives alike are not re-priced (award lines are append-only:
    # a stored line is never rewritten, a different amount would add a new computation).
    line = next(ln for ln in current_lines(db, state["entry"]) if ln.payer_code == "530000")
    assert db.session.get(AwardComputation, line.computation_id).reason != "政策数据更新后重新计算"

    # The decided case is kept as decided, not rewritten.
    decided = db.session.get(PromotionCase, state["decided_id"])
    assert decided.status == "rejected" and decided.facts["rank"] == 3

    # A second run changes nothing.
    again = runner.invoke(args=["policies", "reevaluate"])
    assert again.exit_code == 0, again.output
    assert again.output.startswith(
        "awards recomputed for 0 entries; 0 promotion cases created or refreshed; 1 decided"
    )


def test_a_failure_part_way_saves_nothing_and_exits_non_zero(
    db, runner, before_upgrade, monkeypatch
):
    state = before_upgrade
    real = promotion.evaluate_contest_promotions

    def fail_on_the_second(contest, *args, **kwargs):
        if contest.id != state["comprehensive"].id:
            raise RuntimeError("disk full")
        return real(contest, *args, **kwargs)

    # The command (compapp/cli.py) evaluates through the name it imported.
    monkeypatch.setattr(cli, "evaluate_contest_promotions", fail_on_the_second)
    computations = db.session.scalar(db.select(db.func.count(AwardComputation.id)))
    result = runner.invoke(args=["policies", "reevaluate"])
    assert result.exit_code == 1
    assert "re-evaluation stopped, nothing was saved: RuntimeError: disk full" in result.output
    db.session.expire_all()
    # The first contest's changes were rolled back with the rest.
    assert db.session.get(PromotionCase, state["case_id"]).reason == OLD_REASON
    assert db.session.scalar(db.select(db.func.count(AwardComputation.id))) == computations


def test_entries_that_cannot_be_priced_are_listed_and_the_exit_is_non_zero(
    db, runner, create_contest, create_event, create_entry
):
    """A contest whose award date no policy version covers (POLICY §5.4) keeps an error,
    never a silent zero; the command names it and exits 1, the rest is saved."""
    early = create_contest(
        "2016年全国技能大赛", category="national_skills_competition", award_on=date(2016, 6, 1)
    )
    create_entry(create_event(early, "砌筑"), "533422", rank=1, result="gold")
    result = runner.invoke(args=["policies", "reevaluate"])
    assert result.exit_code == 1
    assert "not priced: 2016年全国技能大赛 砌筑" in result.output
    assert "1 entries could not be priced" in result.output
