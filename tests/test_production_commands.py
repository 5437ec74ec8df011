"""First administrator and production hygiene (issue 20 §5)."""

from __future__ import annotations

from compapp import create_app
from compapp.auth.models import User
from compapp.extensions import db as _db


def test_create_admin_asks_for_the_password_twice_and_never_takes_it_as_an_argument(db, runner):
    result = runner.invoke(
        args=["users", "create-admin", "chief"],
        input="short\nlong-enough-secret\nlong-enough-secret\n",
    )
    assert result.exit_code == 0, result.output
    assert "at least 10 characters" in result.output
    user = db.session.scalar(db.select(User).filter_by(username="chief"))
    assert user.role == "admin" and user.active and user.check_password("long-enough-secret")
    assert "long-enough-secret" not in result.output
    refused = runner.invoke(args=["users", "create-admin", "chief", "--password", "x" * 12])
    assert refused.exit_code != 0 and "No such option" in refused.output


def test_create_admin_refuses_an_existing_name(db, runner, create_user):
    create_user("taken", "organiser")
    result = runner.invoke(
        args=["users", "create-admin", "taken"], input="x" * 12 + "\n" + "x" * 12 + "\n"
    )
    assert result.exit_code != 0 and "already exists" in result.output


def test_demo_data_is_refused_in_production(app, db):
    production = create_app(
        {
            "ENV_NAME": "production",
            "SECRET_KEY": "k" * 64,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        }
    )
    with production.app_context():
        result = production.test_cli_runner().invoke(args=["seed", "demo"])
        _db.engine.dispose()
    assert result.exit_code != 0
    assert "refused in production" in result.output
    assert db.session.scalar(db.select(User).filter_by(username="admin")) is None


def test_every_setting_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("COMPAPP_INSTANCE_PATH", str(tmp_path / "inst"))
    monkeypatch.setenv("COMPAPP_REDIS_URL", "redis://127.0.0.1:6399/3")
    monkeypatch.setenv("COMPAPP_TRUSTED_PROXIES", "2")
    monkeypatch.setenv("COMPAPP_JOB_MAX_ACTIVE", "5")
    app = create_app()
    assert app.instance_path == str(tmp_path / "inst")
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith(f"sqlite:///{tmp_path}/inst/")
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6399/3"
    assert app.config["TRUSTED_PROXIES"] == 2 and app.config["JOB_MAX_ACTIVE"] == 5
    from compapp.jobs.runners import runner_of

    assert runner_of(app) == "rq"
