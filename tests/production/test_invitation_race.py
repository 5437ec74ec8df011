"""One invitation used by several people at the same moment: exactly one sets the password.

Real simultaneous requests against a served app (werkzeug, threaded), on SQLite in the SQLite
pass and on PostgreSQL in the PostgreSQL pass. The claim is one compare-and-set in the
database (compapp.accounts.services.accept_invitation).
"""

from __future__ import annotations

import os
import threading

import pytest
from production_helpers import WebUser, drop_database, fresh_database

from compapp import create_app

PEOPLE = 6
ROUNDS = 3


@pytest.fixture
def app(tmp_path):
    from flask_migrate import upgrade

    from compapp.extensions import db

    server_url = os.environ.get("COMPAPP_TEST_DATABASE_URL")
    name = "compapp_invitation_race"
    url = fresh_database(server_url, name) if server_url else f"sqlite:///{tmp_path}/race.sqlite"
    app = create_app(
        {
            "ENV_NAME": "development",
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "invitation-race-tests-secret",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
    with app.app_context():
        upgrade()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()
    if server_url:
        drop_database(server_url, name)


def new_invitation(app, username: str) -> tuple[int, str]:
    from compapp.accounts.services import create_invitation
    from compapp.auth.models import User
    from compapp.extensions import db

    with app.app_context():
        user = User(username=username, display_name=username, role="winner")
        db.session.add(user)
        db.session.flush()
        token = create_invitation(user, None)
        db.session.commit()
        user_id = user.id
        db.session.remove()
    return user_id, token


def use_at_once(base_url: str, path: str) -> dict:
    """PEOPLE browsers open the invitation, then all submit a password at the same moment."""
    people = [WebUser(base_url) for _ in range(PEOPLE)]
    forms = [person.form(path) for person in people]
    barrier = threading.Barrier(PEOPLE)
    answers: dict[int, object] = {}

    def use(i: int) -> None:
        _action, fields = forms[i]
        password = f"password-of-person-{i}"
        fields.update(password=password, confirm=password)
        barrier.wait()
        answers[i] = people[i].post(path, fields)

    threads = [threading.Thread(target=use, args=(i,)) for i in range(PEOPLE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def test_one_invitation_used_at_the_same_moment_sets_one_password(app, serve):
    """Reproduction: one invitation was used twice at the same moment."""
    from compapp.audit.models import AuditEntry
    from compapp.auth.models import User
    from compapp.extensions import db

    server = serve(app)
    for round_ in range(ROUNDS):
        user_id, token = new_invitation(app, f"invited{round_}")
        answers = use_at_once(server.url, f"/invitation/{token}")
        statuses = sorted(answer.status for answer in answers.values())
        assert statuses.count(302) == 1, statuses
        assert set(statuses) <= {302, 409, 410}, statuses
        for answer in answers.values():
            if answer.status != 302:
                assert "邀请链接" in answer.text and "500" not in answer.text[:200]
        winner = next(i for i, a in answers.items() if a.status == 302)
        with app.app_context():
            user = db.session.get(User, user_id)
            assert user.check_password(f"password-of-person-{winner}")
            assert not any(
                user.check_password(f"password-of-person-{i}") for i in answers if i != winner
            )
            sets = db.session.scalar(
                db.select(db.func.count(AuditEntry.id)).filter_by(
                    action="set_password", target_id=str(user_id)
                )
            )
            assert sets == 1
            db.session.remove()
