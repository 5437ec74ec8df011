"""Double submits at the same moment: exactly one wins, the other person is told — for real.

Issue side door 5: two finance sessions posting "paid" at once were both told they succeeded
and one voucher was lost; two simultaneous confirmations stored two confirmations over the
same lines; simultaneous certificate issuing and new-body creation answered 500. Here two
browser sessions post the same form at the same instant (a barrier releases both threads)
against the demo data served on a loopback port, on SQLite and on PostgreSQL. The database
decides (compare-and-set UPDATEs, version counters, unique indexes); every round checks that
exactly one submission took effect, that the other person was told so in a sentence, and
that no request answered 500.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from html import unescape

import pytest
from production_helpers import (
    Response,
    WebUser,
    drop_database,
    forms_of,
    fresh_database,
    postgresql_url,
)

from tests.live_server import LiveServer, make_demo_app, serving

NATIONAL = "第二届全国技能大赛"
TOLD = "您的这次提交没有重复记录"


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("sqlite", marks=pytest.mark.sqlite_only),
        pytest.param("postgresql", marks=pytest.mark.postgresql_only),
    ],
)
def served(request, tmp_path_factory) -> Iterator[LiveServer]:
    """The demo data served live (werkzeug, threaded) on SQLite or on PostgreSQL."""
    folder = tmp_path_factory.mktemp(f"double-submits-{request.param}")
    if request.param == "sqlite":
        url = "sqlite:///" + str(folder / "compapp.sqlite")
    else:
        server_url = postgresql_url()
        url = fresh_database(server_url, "compapp_double_submits")
    app = make_demo_app(url, folder)
    with serving(app) as server:
        yield server
    if request.param == "postgresql":
        drop_database(server_url, "compapp_double_submits")


def signed_in(served: LiveServer, username: str) -> WebUser:
    user = WebUser(served.url)
    user.sign_in(username)
    return user


def page_form(user: WebUser, path: str, action: str) -> dict:
    """The fields of the form on ``path`` whose action is exactly ``action`` ("" = itself)."""
    page = user.get(path)
    assert page.status == 200, (path, page.status)
    for form in forms_of(page.text):
        if form["action"].split("#")[0] == action:
            return dict(form["fields"])
    raise AssertionError(f"no form posting to {action!r} on {path}")


def at_once(posts: list[Callable[[], Response]]) -> list[Response]:
    """Run the posts in threads released by one barrier; return their responses in order."""
    barrier = threading.Barrier(len(posts))
    out: list = [None] * len(posts)
    spans: list = [None] * len(posts)

    def run(i: int) -> None:
        barrier.wait(timeout=30)
        began = time.monotonic()
        out[i] = posts[i]()
        spans[i] = (began, time.monotonic())

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(posts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert all(r is not None for r in out), "a request did not come back"
    (b1, e1), (b2, e2) = spans
    assert b1 < e2 and b2 < e1, "the two submissions were not in flight at the same time"
    return out


def flashes(user: WebUser, response: Response) -> list[str]:
    """The messages shown after ``response`` (following its redirect, as a browser does)."""
    assert response.status < 500, response.text[:800]
    text = response.text
    if response.status in (302, 303):
        location = response.headers["Location"]
        path = re.sub(r"^https?://[^/]+", "", location)
        text = user.get(path).text
    return [unescape(m) for m in re.findall(r'class="flash \w+">([^<]*)<', text)]


def query(served: LiveServer, statement, *params):
    from compapp.extensions import db

    with served.app.app_context():
        rows = db.session.execute(statement, *params).all()
        db.session.remove()
    return rows


def contest_id(served: LiveServer, name: str) -> int:
    from compapp.contests.models import Contest
    from compapp.extensions import db

    ((found,),) = query(served, db.select(Contest.id).filter_by(name=name))
    return found


def one_won(messages: list[list[str]], success: str, told: str = TOLD) -> int:
    """Assert that exactly one person saw ``success`` and the other was told; return the winner."""
    won = [i for i, m in enumerate(messages) if any(success in x for x in m)]
    lost = [i for i, m in enumerate(messages) if any(told in x for x in m)]
    assert len(won) == 1 and len(lost) == 1 and won != lost, messages
    return won[0]


def test_two_reviewers_confirming_the_same_result_at_once(served):
    """Exactly one confirmation is stored; the other reviewer is told who confirmed it."""
    from compapp.audit.models import AuditEntry
    from compapp.contests.models import Placement
    from compapp.extensions import db

    reviewers = [signed_in(served, "organiser2"), signed_in(served, "admin")]
    waiting = query(
        served,
        db.select(Placement.id).filter_by(status="entered").order_by(Placement.id),
    )
    # The demo's results entered by organiser1: both reviewers may confirm them.
    ids = [pid for (pid,) in waiting][:4]
    assert len(ids) >= 3
    for placement_id in ids:
        action = f"/contests/placements/{placement_id}/confirm"
        forms = [r.form("/contests/review", action) for r in reviewers]
        responses = at_once(
            [
                lambda r=r, f=f, a=action: r.post(a, f[1])
                for r, f in zip(reviewers, forms, strict=True)
            ]
        )
        messages = [flashes(r, resp) for r, resp in zip(reviewers, responses, strict=True)]
        one_won(messages, "已确认成绩。")
        audits = query(
            served,
            db.select(db.func.count(AuditEntry.id)).filter_by(
                action="confirm_placement", target_id=str(placement_id)
            ),
        )
        assert audits == [(1,)]


def test_two_finance_sessions_confirming_the_same_budget_at_once(served):
    """One budget confirmation over the lines, never two; the other session is told."""
    from compapp.extensions import db
    from compapp.finance.models import BudgetConfirmation

    sessions = [signed_in(served, "finance_yn"), signed_in(served, "finance_yn")]
    for name in (NATIONAL, "第47届世界技能大赛", "云南省第二届职业技能大赛"):
        cid = contest_id(served, name)
        page = f"/finance/contests/{cid}"
        forms = [s.form(page, f"{page}/confirm") for s in sessions]
        responses = at_once(
            [
                lambda s=s, f=f, p=page: s.post(f"{p}/confirm", f[1])
                for s, f in zip(sessions, forms, strict=True)
            ]
        )
        messages = [flashes(s, r) for s, r in zip(sessions, responses, strict=True)]
        one_won(messages, "已确认 ")
        rows = query(
            served,
            db.select(db.func.count(BudgetConfirmation.id)).filter_by(
                contest_id=cid, payer_code="530000"
            ),
        )
        assert rows == [(1,)]


def test_two_finance_sessions_registering_the_same_payment_at_once(served):
    """One payment, one voucher kept; the other is told the voucher that was recorded."""
    from compapp.audit.models import AuditEntry
    from compapp.contests.models import Entry, Event
    from compapp.extensions import db
    from compapp.rewards.models import AwardLineRecord

    cid = contest_id(served, NATIONAL)
    page = f"/finance/contests/{cid}"
    sessions = [signed_in(served, "finance_yn"), signed_in(served, "finance_yn")]
    if f'action="{page}/confirm"' in sessions[0].get(page).text:  # confirm the budget first
        action, fields = sessions[0].form(page, f"{page}/confirm")
        assert sessions[0].post(action, fields).status == 302
    lines = [
        line_id
        for (line_id,) in query(
            served,
            db.select(AwardLineRecord.id)
            .join(Entry, Entry.id == AwardLineRecord.entry_id)
            .join(Event, Event.id == Entry.event_id)
            .where(
                Event.contest_id == cid,
                AwardLineRecord.payer_code == "530000",
                AwardLineRecord.budget_confirmation_id.is_not(None),
                AwardLineRecord.paid_on.is_(None),
                AwardLineRecord.amount_fen > 0,
            )
            .order_by(AwardLineRecord.id),
        )
    ][:3]
    assert len(lines) == 3
    for round_, line_id in enumerate(lines):
        forms = []
        for i, s in enumerate(sessions):
            _action, f = s.form(page, f"{page}/paid")
            f.update(
                line_ids=[str(line_id)], payment_reference=f"YN-{round_}-{i}", paid_on="2024-10-08"
            )
            forms.append(f)
        responses = at_once(
            [
                lambda s=s, f=f, p=page: s.post(f"{p}/paid", f)
                for s, f in zip(sessions, forms, strict=True)
            ]
        )
        messages = [flashes(s, r) for s, r in zip(sessions, responses, strict=True)]
        assert all(messages), [(r.status, r.text[:300]) for r in responses]
        winner = one_won(messages, "已登记 1 条明细的支付。")
        loser = 1 - winner
        kept = f"YN-{round_}-{winner}"
        assert any(kept in m for m in messages[loser]), messages[loser]
        ((reference, paid),) = query(
            served,
            db.select(AwardLineRecord.payment_reference, db.func.count(AuditEntry.id))
            .outerjoin(
                AuditEntry,
                (AuditEntry.action == "mark_line_paid")
                & (AuditEntry.target_id == db.cast(AwardLineRecord.id, db.String)),
            )
            .where(AwardLineRecord.id == line_id)
            .group_by(AwardLineRecord.payment_reference),
        )
        assert (reference, paid) == (kept, 1)


def test_two_organisers_issuing_a_contests_certificates_at_once(served):
    """One valid certificate per holder; the other organiser is told, nobody gets a 500."""
    from compapp.certificates.models import Certificate
    from compapp.extensions import db

    organisers = [signed_in(served, "organiser1"), signed_in(served, "organiser2")]
    for name in (NATIONAL, "第47届世界技能大赛", "云南省第二届职业技能大赛"):
        cid = contest_id(served, name)
        page = f"/certificates/contests/{cid}"
        forms = [o.form(page, f"{page}/issue") for o in organisers]
        responses = at_once(
            [
                lambda o=o, f=f, p=page: o.post(f"{p}/issue", f[1])
                for o, f in zip(organisers, forms, strict=True)
            ]
        )
        messages = [flashes(o, r) for o, r in zip(organisers, responses, strict=True)]
        winner = one_won(messages, "份证书。", told="您的这次颁发没有执行")
        assert len(messages[winner]) == 1, messages
        duplicates = query(
            served,
            db.select(Certificate.kind, Certificate.entry_id, Certificate.holder_type)
            .where(Certificate.contest_id == cid, Certificate.status == "valid")
            .group_by(
                Certificate.kind,
                Certificate.entry_id,
                Certificate.holder_type,
                Certificate.competitor_id,
                Certificate.coach_id,
            )
            .having(db.func.count(Certificate.id) > 1),
        )
        assert duplicates == []


def test_two_administrators_creating_contests_of_one_new_body_at_once(served):
    """Both contests are registered under one new organising body; no 500, no second body."""
    from compapp.contests.models import Contest, OrganisingBody
    from compapp.extensions import db

    admins = [signed_in(served, "admin"), signed_in(served, "admin")]
    for round_ in range(3):
        body = f"测试新主办单位{round_}号"
        forms = []
        for i, a in enumerate(admins):
            f = page_form(a, "/contests/new", "")
            f.update(
                name=f"并发登记赛事{round_}-{i}",
                category="provincial_class1",
                organising_body=body,
                starts_on="2026-09-01",
                ends_on="2026-09-03",
                award_on="2026-09-03",
            )
            forms.append(f)
        responses = at_once(
            [
                lambda a=a, f=f: a.post("/contests/new", f)
                for a, f in zip(admins, forms, strict=True)
            ]
        )
        assert [r.status for r in responses] == [302, 302], [r.text[:500] for r in responses]
        bodies = query(served, db.select(OrganisingBody.id).filter_by(name=body))
        assert len(bodies) == 1
        contests = query(
            served, db.select(db.func.count(Contest.id)).filter_by(organising_body_id=bodies[0][0])
        )
        assert contests == [(2,)]
