"""Revocation for fraud (issue 18, point 7; 003_…txt:1015): one organiser requests, another
confirms; awards and certificates are revoked, confirmed or paid money becomes recovery lines
per payer tracked to settlement, and the person can be barred from new entries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from compapp.audit.models import AuditEntry
from compapp.contests.models import Competitor, Placement
from compapp.contests.services import EntryData, MemberData, check_entry
from compapp.finance.models import RecoveryLine
from compapp.revocation.models import PersonBar, Revocation
from tests.finance.finance_helpers import WORLDSKILLS, confirm_budget
from tests.finance.test_roster import dq_lines
from tests.helpers import contest_named, signed_in
from tests.pages import submit


@pytest.fixture
def paid_and_confirmed(app, db, demo):
    """迪庆州 confirmed the WorldSkills lines and paid the competitor's; the team's are unpaid."""
    contest = contest_named(db, WORLDSKILLS)
    client = confirm_budget(app, "finance_dq", contest)
    competitor_line = next(line for line in dq_lines(db, contest) if line.payee == "competitor")
    page = f"/finance/contests/{contest.id}"
    payment = {
        "line_ids": [competitor_line.id],
        "payment_reference": "DQ-1",
        "paid_on": "2025-03-01",
    }
    submit(client, page, f"{page}/paid", payment)  # as on the budget page
    db.session.refresh(competitor_line)
    assert competitor_line.paid_on is not None
    placement = competitor_line.entry.placement
    return contest, placement, client


def request(app, placement, username="organiser1", bar_until=None):
    client = signed_in(app, username)
    data = {"reason": "冒名顶替参赛"}
    if bar_until:
        data["bar_until"] = bar_until.isoformat()
    return client, client.post(f"/revocations/placements/{placement.id}/new", data=data)


def test_a_revocation_needs_a_second_person_and_then_turns_money_into_recovery_lines(
    app, db, paid_and_confirmed
):
    contest, placement, finance = paid_and_confirmed
    requester, response = request(app, placement, bar_until=date.today() + timedelta(days=730))
    assert response.status_code == 302
    revocation = db.session.scalar(db.select(Revocation))
    refused = requester.post(f"/revocations/{revocation.id}/confirm", follow_redirects=True)
    assert "撤销获奖须由另一人确认：不能确认自己提出的申请。" in refused.get_data(as_text=True)
    assert db.session.get(Placement, placement.id).revoked_at is None
    assert (
        signed_in(app, "organiser2").post(f"/revocations/{revocation.id}/confirm").status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(Placement, placement.id).revoked_at is not None
    lines = dq_lines(db, contest)
    recoveries = db.session.scalars(db.select(RecoveryLine).filter_by(payer_code="533400")).all()
    kinds = {r.award_line_id: r.kind for r in recoveries}
    assert kinds == {line.id: ("recover" if line.paid_on else "stop_payment") for line in lines}
    assert {line.status() for line in lines if not line.paid_on} == {"revoked"}
    # Other payers' confirmed money becomes their own recovery lines only once confirmed.
    assert all(r.payer_code == "533400" for r in db.session.scalars(db.select(RecoveryLine)))
    unpaid = next(line for line in lines if not line.paid_on)
    response = finance.post(
        f"/finance/contests/{contest.id}/paid",
        data={"line_ids": [unpaid.id], "payment_reference": "DQ-2", "paid_on": "2025-03-02"},
        follow_redirects=True,
    )
    assert "只能登记本单位已确认、尚未支付的明细。" in response.get_data(as_text=True)
    roster = finance.get(f"/finance/contests/{contest.id}/roster.xlsx")
    assert roster.status_code == 302  # nothing left to pay on the roster
    actions = {a.action for a in db.session.scalars(db.select(AuditEntry))}
    assert {"request_revocation", "confirm_revocation"} <= actions


def test_the_paying_officer_settles_each_recovery_line_once(app, db, paid_and_confirmed):
    contest, placement, finance = paid_and_confirmed
    request(app, placement)
    revocation = db.session.scalar(db.select(Revocation))
    signed_in(app, "organiser2").post(f"/revocations/{revocation.id}/confirm")
    recoveries = db.session.scalars(db.select(RecoveryLine).order_by(RecoveryLine.id)).all()
    page = finance.get("/finance/recoveries").get_data(as_text=True)
    assert "追回已付奖金" in page and "停止支付" in page
    other = signed_in(app, "finance_yn")
    other.post(
        f"/finance/recoveries/{recoveries[0].id}/settle",
        data={"reference": "X", "settled_on": "2025-04-01"},
    )
    db.session.expire_all()
    assert db.session.get(RecoveryLine, recoveries[0].id).settled_on is None
    for recovery in recoveries:
        finance.post(
            f"/finance/recoveries/{recovery.id}/settle",
            data={"reference": f"SH-{recovery.id}", "settled_on": "2025-04-01"},
        )
    db.session.expire_all()
    assert all(db.session.get(RecoveryLine, r.id).settled_on for r in recoveries)
    settled = db.session.scalars(db.select(AuditEntry).filter_by(action="settle_recovery")).all()
    assert len(settled) == len(recoveries)


def test_a_barred_person_cannot_be_entered_again_until_the_bar_ends(
    app, db, paid_and_confirmed, create_event
):
    contest, placement, _finance = paid_and_confirmed
    until = date.today() + timedelta(days=365)
    request(app, placement, bar_until=until)
    revocation = db.session.scalar(db.select(Revocation))
    signed_in(app, "organiser2").post(f"/revocations/{revocation.id}/confirm")
    person = placement.entry.members[0].competitor
    assert (
        db.session.scalar(db.select(PersonBar).filter_by(competitor_id=person.id)).until_on == until
    )
    event = create_event(contest, "新赛项")
    data = EntryData(sending_county="533422", members=[MemberData(person.id_number, person.name)])
    problems = [p.text() for p in check_entry(event, data)]
    assert problems == [
        f"{person.name} 因获奖被撤销（冒名顶替参赛）被取消参赛资格至 {until.isoformat()}，"
        "不能录入新的参赛组。"
    ]


def test_a_revocation_request_needs_a_reason(app, db, paid_and_confirmed):
    _contest, placement, _finance = paid_and_confirmed
    client = signed_in(app, "organiser1")
    response = client.post(f"/revocations/placements/{placement.id}/new", data={"reason": " "})
    assert response.status_code == 422
    assert "撤销获奖须写明原因" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(Revocation)) is None
    assert db.session.scalar(db.select(Competitor).limit(1)) is not None


def test_an_import_naming_a_barred_person_is_refused_with_the_same_message(
    app, db, paid_and_confirmed
):
    import io

    from compapp.imports import layout
    from tests.imports.import_helpers import table_rows, xlsx

    contest, placement, _finance = paid_and_confirmed
    until = date.today() + timedelta(days=30)
    request(app, placement, bar_until=until)
    revocation = db.session.scalar(db.select(Revocation))
    signed_in(app, "organiser2").post(f"/revocations/{revocation.id}/confirm")
    person = placement.entry.members[0].competitor
    row = {
        layout.OCCUPATION: "新赛项",
        layout.FORMAT: "单人",
        layout.NAME: person.name,
        layout.ID_NUMBER: person.id_number,
        layout.COUNTY: "德钦县（迪庆藏族自治州）",
    }
    client = signed_in(app, "organiser1")
    response = client.post(
        f"/imports/contests/{contest.id}",
        data={"file": (io.BytesIO(xlsx(table_rows([row]))), "成绩.xlsx")},
        content_type="multipart/form-data",
    )
    page = client.get(response.location).get_data(as_text=True)
    assert f"被取消参赛资格至 {until.isoformat()}，不能录入新的参赛组。" in page


def test_certificates_of_a_revoked_award_are_revoked_and_never_issued_again(
    app, db, paid_and_confirmed
):
    from compapp.auth.models import User
    from compapp.certificates.issuing import issue_all_certificates
    from compapp.certificates.models import Certificate

    contest, placement, _finance = paid_and_confirmed
    admin = db.session.scalar(db.select(User).filter_by(username="admin"))
    issue_all_certificates(contest, admin, date(2025, 1, 2))
    db.session.commit()
    issued = db.session.scalars(db.select(Certificate).filter_by(entry_id=placement.entry_id)).all()
    assert issued and all(c.status == "valid" for c in issued)
    request(app, placement)
    revocation = db.session.scalar(db.select(Revocation))
    signed_in(app, "organiser2").post(f"/revocations/{revocation.id}/confirm")
    db.session.expire_all()
    certificates = db.session.scalars(
        db.select(Certificate).filter_by(entry_id=placement.entry_id)
    ).all()
    assert {c.status for c in certificates} == {"revoked"}
    assert all("冒名顶替参赛" in c.revocation_reason for c in certificates)
    result = issue_all_certificates(contest_named(db, WORLDSKILLS), admin, date(2025, 1, 3))
    db.session.commit()
    after = db.session.scalars(db.select(Certificate).filter_by(entry_id=placement.entry_id)).all()
    assert len(after) == len(certificates) and result is not None
    page = app.test_client().get(f"/verify/{certificates[0].serial}").get_data(as_text=True)
    assert "撤销" in page
