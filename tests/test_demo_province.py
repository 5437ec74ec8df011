"""Issue 13 "done when": the demo data reaches beyond the three jurisdictions with local
policies — competitors from at least five other prefectures, and a prefecture-tier contest
run by a prefecture other than Diqing (POLICY.md §3, §4.6)."""

from __future__ import annotations

from compapp.contests.models import Contest, Entry
from compapp.policy.categories import CATEGORY_TIER

WITH_LOCAL_POLICY = {"5334", "5305", "5304"}  # 迪庆州, 保山市, 玉溪市


def test_demo_data_covers_the_province(runner, db):
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    prefectures = {
        code[:4] for code in db.session.scalars(db.select(Entry.sending_county_code).distinct())
    }
    assert len(prefectures - WITH_LOCAL_POLICY) >= 5, sorted(prefectures)
    run_by = {
        c.organiser_code
        for c in db.session.scalars(db.select(Contest))
        if CATEGORY_TIER[c.category] == "prefecture"
    }
    assert run_by - {"533400"}, run_by
