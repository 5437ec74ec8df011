"""Bulk promotion decisions (issue 18, point 3): many proposed cases decided in one go, each
bound to what was seen and audited on its own (000_…txt:95: 可晋升 needs a person's decision)."""

from __future__ import annotations

import re

from compapp.audit.models import AuditEntry
from compapp.promotion.models import PromotionCase
from tests.helpers import signed_in


def proposed_contest(db):
    """A demo contest with at least two proposed cases whose results are confirmed."""
    cases = db.session.scalars(
        db.select(PromotionCase).filter_by(status="proposed", eligible=True)
    ).all()
    by_contest = {}
    for case in cases:
        if case.placement.status == "confirmed":
            by_contest.setdefault(case.contest, []).append(case)
    contest, found = max(by_contest.items(), key=lambda kv: len(kv[1]))
    return contest, found


def test_an_organiser_confirms_several_promotions_in_one_go_each_audited(app, db, demo):
    contest, cases = proposed_contest(db)
    client = signed_in(app, "admin")
    html = client.get(f"/promotion/contests/{contest.id}/bulk").get_data(as_text=True)
    seen = dict(re.findall(r'name="seen-(\d+)" value="([^"]+)"', html))
    data = {"action": "confirm", "ids": [str(c.id) for c in cases]}
    data.update({f"seen-{k}": v for k, v in seen.items()})
    assert client.post(f"/promotion/contests/{contest.id}/bulk", data=data).status_code == 302
    db.session.expire_all()
    assert {db.session.get(PromotionCase, c.id).status for c in cases} == {"confirmed"}
    audited = db.session.scalars(db.select(AuditEntry).filter_by(action="confirm_promotion")).all()
    assert {int(a.target_id) for a in audited} >= {c.id for c in cases}


def test_a_rejection_needs_a_reason_and_a_changed_case_is_left_alone(app, db, demo):
    contest, cases = proposed_contest(db)
    client = signed_in(app, "admin")
    html = client.get(f"/promotion/contests/{contest.id}/bulk").get_data(as_text=True)
    seen = dict(re.findall(r'name="seen-(\d+)" value="([^"]+)"', html))
    data = {"action": "reject", "ids": [str(c.id) for c in cases]}
    data.update({f"seen-{k}": v for k, v in seen.items()})
    page = client.post(f"/promotion/contests/{contest.id}/bulk", data=data, follow_redirects=True)
    assert "不予晋升时请在备注中写明理由。" in page.get_data(as_text=True)
    changed = db.session.get(PromotionCase, cases[0].id)
    changed.to_grade = changed.from_grade  # re-evaluated meanwhile
    db.session.commit()
    data["note"] = "资格审核未通过"
    page = client.post(f"/promotion/contests/{contest.id}/bulk", data=data, follow_redirects=True)
    text = page.get_data(as_text=True)
    assert "内容已被他人修改，本次没有确认" in text and "拟晋升等级：" in text
    db.session.expire_all()
    statuses = [db.session.get(PromotionCase, c.id).status for c in cases]
    assert statuses[0] == "proposed" and set(statuses[1:]) == {"rejected"}


def test_a_case_posted_without_its_pages_token_is_not_decided(app, db, demo):
    contest, cases = proposed_contest(db)
    client = signed_in(app, "admin")
    client.get(f"/promotion/contests/{contest.id}/bulk")
    data = {"action": "confirm", "ids": [str(c.id) for c in cases], f"seen-{cases[0].id}": "x"}
    page = client.post(f"/promotion/contests/{contest.id}/bulk", data=data, follow_redirects=True)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert text.count("页面已过期或内容已被他人修改，本次没有确认。") == len(cases)
    db.session.expire_all()
    assert {db.session.get(PromotionCase, c.id).status for c in cases} == {"proposed"}
