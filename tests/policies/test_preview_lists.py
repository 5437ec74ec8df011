"""The preview of a version lists who is affected, a page at a time (issue 21, point 3):
award versions list the winners whose money changes, with totals per payer over the whole
set; promotion-rule versions list the competitors whose promotion outcome (eligible or not,
to which grade) changes, with counts — both on the review page the second administrator sees.

The promotion rule entered here is an invented test rule; Yuxi's amounts are invented test
figures (POLICY.md §4.5, ``001_da08546dd4712789.txt:42``).
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from compapp.paging import PAGE_SIZE
from compapp.policies import services
from compapp.policies.models import PolicyPreviewRow, PolicyRevision
from tests.policies.test_policy_versions import enter_yuxi, only_revision
from tests.policies.test_stored_promotion_rules import _entered_text


@pytest.fixture
def admins(create_user):
    return create_user("admin_a", "admin", display_name="管理员甲"), create_user(
        "admin_b", "admin", display_name="管理员乙"
    )


def _page(client, revision_id: int, **args) -> str:
    response = client.get(f"/policies/admin/revisions/{revision_id}", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _section(page: str, start: str, end: str = "</table>") -> str:
    found = page[page.index(start) :]
    return found[: found.index(end)]


def test_the_award_preview_lists_every_changed_winner_a_page_at_a_time(
    db, client, auth, admins, dummy_contest, create_event, create_entry
):
    """More winners than a page: every one is listed on some page, none twice, and the
    totals per payer count them all (the list was cut at 500 rows before)."""
    winners = PAGE_SIZE + 3
    for n in range(winners):
        event = create_event(dummy_contest, f"赛项{n:03d}", "individual", "medals")
        create_entry(event, county="530403", rank=3, result="bronze", names=[f"江川选手{n:03d}"])
    enter_yuxi(client, auth)
    revision = only_revision(db)
    auth.logout()
    auth.login("admin_b")
    assert client.post(f"/policies/admin/revisions/{revision.id}/preview").status_code == 302

    first = _page(client, revision.id)
    total = _section(first, 'id="preview-payers"')
    # ¥20,000 more from 玉溪市 for each bronze winner (invented figures), all of them.
    assert f"+¥{winners * 20_000:,}.00" in total
    assert f"共 {winners} 条" in first and "第 1 / 2 页" in first
    second = _page(client, revision.id, page=2)
    assert "第 2 / 2 页" in second
    names = [
        re.findall(r"江川选手\d{3}", _section(page, 'id="preview-entries"'))
        for page in (first, second)
    ]
    assert (len(names[0]), len(names[1])) == (PAGE_SIZE, 3)
    assert sorted(names[0] + names[1]) == [f"江川选手{n:03d}" for n in range(winners)]
    # A page past the end shows the last one.
    assert "第 2 / 2 页" in _page(client, revision.id, page=99)


def test_a_preview_run_directly_stores_no_rows_but_counts_them(
    db, client, auth, admins, dummy_contest, create_event, create_entry
):
    """Without a job there is nowhere to keep the rows: the counts are still whole."""
    event = create_event(dummy_contest, "移动机器人", "individual", "medals")
    create_entry(event, county="530403", rank=3, result="bronze")
    enter_yuxi(client, auth)
    result = services.preview(only_revision(db))
    assert (result["changed_entries"], result["listed"]) == (1, 0)
    assert db.session.scalar(db.select(db.func.count()).select_from(PolicyPreviewRow)) == 0


@pytest.fixture
def diqing_places(db, create_contest, create_event, create_entry):
    """Ranks at prefecture class-1 contests Diqing runs, before and after 2026-01-01, and one
    at a contest Yuxi runs (no promotion rule concerns it)."""
    later = create_event(
        create_contest("迪庆州职业技能竞赛2026", "prefecture_class1", date(2026, 3, 1)),
        "电工",
        "individual",
        "rank_only",
    )
    earlier = create_event(
        create_contest("迪庆州职业技能竞赛2025", "prefecture_class1", date(2025, 6, 1)),
        "电工",
        "individual",
        "rank_only",
    )
    yuxi = create_event(
        create_contest(
            "玉溪市职业技能竞赛2026", "prefecture_class1", date(2026, 3, 2), organiser="530400"
        ),
        "电工",
        "individual",
        "rank_only",
    )
    for rank, name in ((1, "扎西"), (2, "卓玛"), (3, "格桑")):
        create_entry(later, county="533422", rank=rank, names=[name])
    create_entry(earlier, county="533422", rank=2, names=["次仁"])
    create_entry(yuxi, county="530403", rank=2, names=["李玉"])


def test_the_promotion_preview_lists_the_competitors_whose_outcome_changes(
    db, client, auth, admins, diqing_places
):
    """Under the entered rule only rank 1 of a Diqing prefecture class-1 contest is
    promoted from 2026: ranks 2 and 3 (senior worker under the rule in force) are listed as
    no longer eligible; rank 1, the 2025 rank and the Yuxi contest are not listed."""
    admin_a, _admin_b = admins
    revision = services.save_promotion_revision(
        _entered_text(), admin_a, summary="测试：州级一类竞赛只有第1名晋升", source="form"
    )
    db.session.commit()
    auth.login("admin_b")
    before = _page(client, revision.id)
    assert 'id="who-is-affected"' in before and "开始试算" in before
    assert client.post(f"/policies/admin/revisions/{revision.id}/preview").status_code == 302

    page = _page(client, revision.id)
    summary = _section(page, 'id="promotion-preview"', "</ul>")
    assert "4 名获得名次的选手" in summary and "其中 2 名的晋升结果会变化" in summary
    assert "不再可晋升：2 名" in summary and "新增可晋升：0 名" in summary
    listed = _section(page, 'id="promotion-affected"')
    assert "卓玛" in listed and "格桑" in listed
    assert "可晋升为三级/高级工" in listed and "不符合晋升条件" in listed
    for unchanged in ("扎西", "次仁", "李玉"):
        assert unchanged not in listed
    # The money preview's wording is not used for a rule that prices nothing.
    assert 'id="preview"' not in page

    db.session.expire_all()
    job_result = services.promotion_preview(db.session.get(PolicyRevision, revision.id))
    assert (job_result["checked"], job_result["changed"], job_result["lost"]) == (4, 2, 2)
