"""Two organisers acting on the same promotion at the same moment: exactly one wins.

Real simultaneous requests against a served app (werkzeug, threaded), on SQLite in the SQLite
pass and on PostgreSQL in the PostgreSQL pass. Finalising and deciding an objection are
compare-and-set updates in the database (compapp.promotion.notices).
"""

from __future__ import annotations

import os
import threading
from datetime import date

import pytest
from production_helpers import WebUser, drop_database, fresh_database

from compapp import create_app
from compapp.promotion import notices, services

PASSWORD = "a-long-password"
PUBLISHED_ON = date(2026, 11, 27)
AFTER = date(2026, 12, 4)
ROUNDS = 3


@pytest.fixture
def app(tmp_path, monkeypatch):
    from flask_migrate import upgrade

    from compapp.extensions import db

    server_url = os.environ.get("COMPAPP_TEST_DATABASE_URL")
    name = "compapp_notice_races"
    url = fresh_database(server_url, name) if server_url else f"sqlite:///{tmp_path}/race.sqlite"
    app = create_app(
        {
            "ENV_NAME": "development",
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "notice-race-tests-secret",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
    today = {"day": PUBLISHED_ON}
    monkeypatch.setattr(notices, "office_today", lambda: today["day"])
    app.config["TEST_TODAY"] = today
    with app.app_context():
        upgrade()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()
    if server_url:
        drop_database(server_url, name)


def noticed_cases(app, rounds: int) -> tuple[int, list[int]]:
    """A contest with ``rounds`` confirmed promotions under one notice; return notice, cases."""
    from compapp.auth.models import User
    from compapp.contests.models import Competitor, Placement
    from compapp.contests.services import (
        ContestData,
        EntryData,
        MemberData,
        add_event,
        get_or_create_body,
        save_contest,
        save_entry,
    )
    from compapp.core.idnumber import make_id_number
    from compapp.extensions import db
    from compapp.promotion.models import PromotionCase

    with app.app_context():
        body = get_or_create_body("云南省人力资源和社会保障厅")
        db.session.flush()
        users = {}
        for username, role in (("organiser1", "organiser"), ("organiser2", "organiser")):
            user = User(
                username=username, display_name=username, role=role, organising_body_id=body.id
            )
            user.set_password(PASSWORD)
            db.session.add(user)
            users[username] = user
        contest = save_contest(
            ContestData(
                name="全省技能竞赛",
                category="provincial_class1",
                organising_body=body.name,
                starts_on=date(2025, 8, 20),
                ends_on=date(2025, 8, 21),
                award_on=date(2025, 8, 22),
            )
        )
        event = add_event(contest, "中式烹调师", "individual", "prizes")
        for rank in range(1, rounds + 1):
            save_entry(
                event,
                EntryData(
                    sending_county="533422",
                    members=[
                        MemberData(
                            id_number=make_id_number(f"53342219900101{rank:03d}"),
                            name=f"选手{rank}",
                            grade="senior",
                        )
                    ],
                    rank=rank,
                ),
                None,
                event.version,
            )
        for placement in db.session.scalars(db.select(Placement)):
            placement.status = "confirmed"
        for person in db.session.scalars(db.select(Competitor)):
            person.grade_code = "senior"
        db.session.flush()
        services.evaluate_contest_promotions(contest)
        cases = db.session.scalars(
            db.select(PromotionCase).filter_by(eligible=True).order_by(PromotionCase.id)
        ).all()
        for case in cases:
            services.confirm_case(case, users["organiser1"], seen=services.case_view(case))
        notice = notices.publish_notice(contest, PUBLISHED_ON, users["organiser1"])
        db.session.commit()
        result = notice.id, [c.id for c in cases]
        db.session.remove()
    assert len(result[1]) == rounds
    return result


def at_once(requests: list) -> list:
    """Run the callables at the same moment (a barrier), return their answers in order."""
    barrier = threading.Barrier(len(requests))
    answers: list = [None] * len(requests)

    def run(i: int) -> None:
        barrier.wait()
        answers[i] = requests[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def signed_in(server, username: str) -> WebUser:
    user = WebUser(server.url)
    user.sign_in(username, PASSWORD)
    return user


def test_two_organisers_finalising_one_promotion_at_once_change_the_grade_once(app, serve):
    from compapp.extensions import db
    from compapp.promotion.models import GradeChange, PromotionCase

    notice_id, case_ids = noticed_cases(app, ROUNDS)
    app.config["TEST_TODAY"]["day"] = AFTER
    server = serve(app)
    people = [signed_in(server, "organiser1"), signed_in(server, "organiser2")]
    for case_id in case_ids:
        forms = [
            p.form(f"/promotion/notices/{notice_id}", f"/cases/{case_id}/finalize") for p in people
        ]
        answers = at_once(
            [lambda p=p, f=f: p.post(f[0], f[1]) for p, f in zip(people, forms, strict=True)]
        )
        assert [a.status for a in answers] == [302, 302]
        pages = [p.get(f"/promotion/notices/{notice_id}").text for p in people]
        told = [("晋升已生效" in page, "已是最终结果" in page) for page in pages]
        assert sorted(told) == [(False, True), (True, False)], told
        with app.app_context():
            changes = db.session.scalar(
                db.select(db.func.count(GradeChange.id)).filter_by(case_id=case_id)
            )
            assert changes == 1
            assert db.session.get(PromotionCase, case_id).status == "final"
            db.session.remove()


def test_two_organisers_deciding_one_objection_at_once_decide_it_once(app, serve):
    from compapp.auth.models import User
    from compapp.extensions import db
    from compapp.promotion.models import NoticeObjection, PromotionCase

    notice_id, case_ids = noticed_cases(app, ROUNDS)
    with app.app_context():
        recorder = db.session.scalar(db.select(User).filter_by(username="organiser1"))
        admin = User(username="admin", display_name="管理员", role="admin")
        admin.set_password(PASSWORD)
        db.session.add(admin)
        objection_ids = [
            notices.lodge_objection(
                db.session.get(PromotionCase, case_id), recorder, "李某", "名次有误"
            ).id
            for case_id in case_ids
        ]
        db.session.commit()
        db.session.remove()
    server = serve(app)
    people = [signed_in(server, "organiser2"), signed_in(server, "admin")]
    for objection_id, case_id in zip(objection_ids, case_ids, strict=True):
        forms = [
            p.form(f"/promotion/notices/{notice_id}", f"/objections/{objection_id}/resolution")
            for p in people
        ]
        forms[0][1].update(note="经核对名次无误。", dismiss="1")
        forms[1][1].update(note="经调查名次登记错误。", uphold="1")
        answers = at_once(
            [lambda p=p, f=f: p.post(f[0], f[1]) for p, f in zip(people, forms, strict=True)]
        )
        assert [a.status for a in answers] == [302, 302]
        pages = [p.get(f"/promotion/notices/{notice_id}").text for p in people]
        refused = ["该异议已经处理过了" in page for page in pages]
        assert sorted(refused) == [False, True], refused
        with app.app_context():
            objection = db.session.get(NoticeObjection, objection_id)
            case = db.session.get(PromotionCase, case_id)
            winner = "admin" if refused[0] else "organiser2"
            assert objection.resolved_by.username == winner
            expected = ("upheld", "withdrawn") if winner == "admin" else ("dismissed", "noticed")
            assert (objection.status, case.status) == expected
            db.session.remove()
