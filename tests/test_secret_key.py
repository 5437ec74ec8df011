"""The key that signs sessions is never one published in compapp's source (outside tests).

Production refuses to start without COMPAPP_SECRET_KEY; development (no COMPAPP_ENV) makes a
key once per instance, keeps it in a file only its owner can read, and reuses it.
"""

from __future__ import annotations

import os
import stat
import threading

import pytest
from flask import Flask
from flask_migrate import upgrade

from compapp import create_app
from compapp.config import PUBLISHED_SECRET_KEYS, _key_from_file

OLD_DEVELOPMENT_KEY = "compapp-development-only-secret"


@pytest.fixture
def bare_environment(monkeypatch, tmp_path):
    """No COMPAPP_ENV and no COMPAPP_SECRET_KEY, as when someone just starts the app."""
    monkeypatch.delenv("COMPAPP_ENV", raising=False)
    monkeypatch.delenv("COMPAPP_SECRET_KEY", raising=False)
    monkeypatch.setenv("COMPAPP_SECRET_KEY_FILE", str(tmp_path / "instance" / "secret_key"))
    monkeypatch.setenv("COMPAPP_DATABASE_URL", f"sqlite:///{tmp_path}/dev.sqlite")
    return tmp_path


def forged_cookie(key: str, session: dict) -> str:
    signer = Flask("forger")
    signer.secret_key = key
    return signer.session_interface.get_signing_serializer(signer).dumps(session)


def test_a_cookie_signed_with_the_published_development_key_gets_nobody_in(bare_environment):
    """Reproduction: started without COMPAPP_ENV, a cookie forged with the key printed in the
    source code was accepted as the administrator's."""
    from compapp.auth.models import User
    from compapp.extensions import db

    app = create_app()
    with app.app_context():
        upgrade()
        admin = User(username="admin", display_name="管理员", role="admin")
        admin.set_password("a-long-password")
        db.session.add(admin)
        db.session.commit()
        admin_id = admin.id
    assert app.secret_key not in PUBLISHED_SECRET_KEYS
    client = app.test_client()
    for forged in (
        {"_user_id": str(admin_id), "_fresh": True},
        {"_user_id": str(admin_id), "_fresh": True, "sid": "guessed"},
    ):
        client.set_cookie("session", forged_cookie(OLD_DEVELOPMENT_KEY, forged))
        response = client.get("/accounts/")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    with app.app_context():
        db.engine.dispose()


def test_development_makes_its_key_once_keeps_it_private_and_reuses_it(bare_environment):
    first = create_app().secret_key
    path = bare_environment / "instance" / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) >= 64 and first not in PUBLISHED_SECRET_KEYS
    assert create_app().secret_key == first  # a restart (or another worker) signs the same


def test_each_instance_has_its_own_key(bare_environment, monkeypatch):
    first = create_app().secret_key
    monkeypatch.setenv("COMPAPP_SECRET_KEY_FILE", str(bare_environment / "other" / "secret_key"))
    assert create_app().secret_key != first


def test_workers_starting_at_once_agree_on_one_key(tmp_path):
    path = tmp_path / "secret_key"
    keys, barrier = [], threading.Barrier(8)

    def start():
        barrier.wait()
        keys.append(_key_from_file(path))

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys) == 8 and len(set(keys)) == 1


def test_a_key_file_others_can_read_is_refused(bare_environment):
    create_app()
    path = bare_environment / "instance" / "secret_key"
    os.chmod(path, 0o644)
    with pytest.raises(RuntimeError, match="chmod 600"):
        create_app()


@pytest.mark.parametrize("key", sorted(PUBLISHED_SECRET_KEYS))
@pytest.mark.parametrize("env", ["development", "production"])
def test_a_published_key_is_refused(bare_environment, monkeypatch, key, env):
    monkeypatch.setenv("COMPAPP_ENV", env)
    monkeypatch.setenv("COMPAPP_SECRET_KEY", key)
    with pytest.raises(RuntimeError, match="published in compapp's source"):
        create_app()


def test_the_test_configuration_cannot_be_chosen_from_the_environment(
    bare_environment, monkeypatch
):
    monkeypatch.setenv("COMPAPP_ENV", "testing")
    with pytest.raises(RuntimeError, match="COMPAPP_ENV='testing'"):
        create_app()


def test_production_without_a_key_refuses_to_start_and_writes_no_key_file(
    bare_environment, monkeypatch
):
    monkeypatch.setenv("COMPAPP_ENV", "production")
    with pytest.raises(RuntimeError, match="COMPAPP_SECRET_KEY is not set"):
        create_app()
    assert not (bare_environment / "instance" / "secret_key").exists()


def test_a_key_file_that_cannot_be_made_refuses_to_start_with_what_to_do(
    bare_environment, monkeypatch
):
    (bare_environment / "not-a-folder").write_text("")
    monkeypatch.setenv("COMPAPP_SECRET_KEY_FILE", str(bare_environment / "not-a-folder" / "key"))
    with pytest.raises(RuntimeError, match="Set COMPAPP_SECRET_KEY, or let compapp write"):
        create_app()
