"""Policy versions decided by several administrators at the same moment (issue 21, point 4).

Real simultaneous requests against a served app (werkzeug, threaded), on SQLite in the SQLite
pass and on PostgreSQL in the PostgreSQL pass. Four eyes and one-activation-wins are held by
the service (compapp.policies.services.activate_revision: one compare-and-set) and the
database (a check constraint on the reviewer, a unique index on the active text of a policy).
"""

from __future__ import annotations

import os
import threading
from datetime import date
from decimal import Decimal

import pytest
from production_helpers import WebUser, drop_database, fresh_database

from compapp import create_app

PASSWORD = "race-password-1"
REVIEWERS = 5
ROUNDS = 3
REFUSALS = ("由他人处理", "不能自己审核", "已有其他版本生效", "刚有另一版本生效")


@pytest.fixture
def app(tmp_path):
    from flask_migrate import upgrade

    from compapp.auth.models import User
    from compapp.extensions import db

    server_url = os.environ.get("COMPAPP_TEST_DATABASE_URL")
    name = "compapp_policy_race"
    url = fresh_database(server_url, name) if server_url else f"sqlite:///{tmp_path}/race.sqlite"
    app = create_app(
        {
            "ENV_NAME": "development",
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "policy-race-tests-secret",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
    with app.app_context():
        upgrade()
        for username in ["author", *(f"reviewer{i}" for i in range(REVIEWERS))]:
            user = User(username=username, display_name=username, role="admin")
            user.set_password(PASSWORD)
            db.session.add(user)
        db.session.commit()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()
    if server_url:
        drop_database(server_url, name)


def enter_version(app, gold: int) -> int:
    """The author enters a Yuxi version (invented test figures) on the text in force."""
    from compapp.auth.models import User
    from compapp.extensions import db
    from compapp.policies import services
    from compapp.policies.drafting import (
        CitedClause,
        ScheduleInput,
        VersionInput,
        add_version,
        parse,
    )

    with app.test_request_context():
        author = db.session.scalar(db.select(User).filter_by(username="author"))
        version = VersionInput(
            date(2022, 1, 1),
            None,
            True,
            "来源文件只印年份，假定自 2022年1月1日起施行。",
            (
                ScheduleInput(
                    0,
                    ("national_skills_competition",),
                    "prefecture",
                    {"gold": Decimal(gold)},
                    "same_standard",
                    "sent_by_jurisdiction",
                    CitedClause(
                        "《玉溪市“兴玉英才支持计划”实施办法》", "第五条", "(二)", "测试用虚构条文。"
                    ),
                ),
            ),
        )
        draft = add_version(parse(services.text_in_force("yx-2022-8")), version)
        revision = services.save_revision(draft.text, author, summary=f"金牌 {gold}", source="form")
        db.session.commit()
        revision_id = revision.id
        db.session.remove()
    return revision_id


def signed_in(base_url: str, usernames: list[str]) -> dict[str, WebUser]:
    """One browser session per administrator (signed in once: sign-ins are rate-limited)."""
    users = {}
    for username in usernames:
        users[username] = WebUser(base_url)
        users[username].sign_in(username, PASSWORD)
    return users


def decide_at_once(sessions: dict[str, WebUser], people: list[tuple[str, int]]) -> list:
    """Each (username, revision id) opens the revision page, then all press 生效 at once."""
    users, forms = [], []
    for username, revision_id in people:
        user = sessions[username]
        path = f"/policies/admin/revisions/{revision_id}"
        page = user.get(path)
        assert page.status == 200, page.text[:300]
        fields = _csrf_fields(page.text)
        users.append(user)
        forms.append((path + "/activate", fields))
    barrier = threading.Barrier(len(people))
    answers: list = [None] * len(people)

    def press(i: int) -> None:
        path, fields = forms[i]
        barrier.wait()
        answers[i] = users[i].post(path, fields)

    threads = [threading.Thread(target=press, args=(i,)) for i in range(len(people))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


def _csrf_fields(html: str) -> dict:
    import re

    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert token, "no CSRF token on the page"
    return {"csrf_token": token.group(1)}


def state(app, revision_ids):
    from compapp.audit.models import AuditEntry
    from compapp.extensions import db
    from compapp.policies.models import PolicyRevision

    with app.app_context():
        revisions = {r.id: r for r in db.session.scalars(db.select(PolicyRevision))}
        out = {
            "states": [revisions[i].state for i in revision_ids],
            "reviewers": [revisions[i].reviewed_by_id for i in revision_ids],
            "authors": [revisions[i].created_by_id for i in revision_ids],
            "active": sum(r.state == "active" for r in revisions.values()),
            "activations": db.session.scalar(
                db.select(db.func.count(AuditEntry.id)).filter_by(action="activate_policy_version")
            ),
        }
        db.session.remove()
    return out


def test_one_of_several_simultaneous_activations_wins_and_never_the_authors(app, serve):
    """The author and five other administrators press 生效 on one version at the same moment:
    exactly one other administrator's press puts it in force; everyone else is told why."""
    server = serve(app)
    names = ["author"] + [f"reviewer{i}" for i in range(REVIEWERS)]
    sessions = signed_in(server.url, names)
    for round_ in range(ROUNDS):
        revision_id = enter_version(app, 50000 + round_)
        answers = decide_at_once(sessions, [(name, revision_id) for name in names])
        statuses = [a.status for a in answers]
        assert statuses.count(302) == 1, statuses
        assert statuses[0] == 409, statuses  # the author
        assert set(statuses) <= {302, 409}, statuses
        for answer in answers:
            if answer.status == 409:
                assert any(reason in answer.text for reason in REFUSALS), answer.text[:300]
        after = state(app, [revision_id])
        assert after["states"] == ["active"]
        assert after["reviewers"][0] != after["authors"][0]
        assert after["active"] == 1
        assert after["activations"] == round_ + 1


def test_two_versions_of_one_policy_activated_at_the_same_moment_leave_one_in_force(app, serve):
    """Two versions drafted on the same text, activated at once by two administrators: one
    is in force, the other stays pending (its base changed) — never two active texts."""
    server = serve(app)
    sessions = signed_in(server.url, ["reviewer0", "reviewer1"])
    for round_ in range(ROUNDS):
        first = enter_version(app, 60000 + round_ * 2)
        second = enter_version(app, 60001 + round_ * 2)
        answers = decide_at_once(sessions, [("reviewer0", first), ("reviewer1", second)])
        statuses = sorted(a.status for a in answers)
        assert statuses == [302, 409], statuses
        after = state(app, [first, second])
        assert sorted(after["states"]) == ["active", "pending"]
        assert after["active"] == 1
        assert after["activations"] == round_ + 1
