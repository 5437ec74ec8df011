"""Configuration and the demo data set."""

import pytest

from compapp import create_app
from compapp.auth.models import User
from compapp.contests.models import Contest, Placement


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("COMPAPP_SECRET_KEY", raising=False)
    monkeypatch.setenv("COMPAPP_ENV", "production")
    with pytest.raises(RuntimeError, match="COMPAPP_SECRET_KEY"):
        create_app()


def test_environment_configures_the_database(monkeypatch, tmp_path):
    monkeypatch.setenv("COMPAPP_DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite")
    monkeypatch.setenv("COMPAPP_SECRET_KEY", "s3cret")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("/x.sqlite")
    assert app.config["SECRET_KEY"] == "s3cret"


def test_demo_data_loads_once(runner, db):
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    contests = db.session.scalar(db.select(db.func.count(Contest.id)))
    placements = db.session.scalar(db.select(db.func.count(Placement.id)))
    tiers = {c.category for c in db.session.scalars(db.select(Contest))}
    assert contests >= 10 and placements >= 25
    assert {
        "worldskills",
        "national_skills_competition",
        "provincial_class1",
        "prefecture_class1",
    } <= tiers
    again = runner.invoke(args=["seed", "demo"])
    assert "0 new contests" in again.output
    assert db.session.scalar(db.select(db.func.count(Contest.id))) == contests
    roles = {u.role for u in db.session.scalars(db.select(User))}
    assert roles == {"admin", "organiser", "coach", "finance", "winner"}


def test_demo_pages_render_for_an_administrator(runner, client, auth, db):
    runner.invoke(args=["seed", "demo"])
    auth.login("admin", "compapp-demo")
    for contest in db.session.scalars(db.select(Contest)):
        assert client.get(f"/contests/{contest.id}/awards").status_code == 200
        assert client.get(f"/contests/{contest.id}").status_code == 200
        assert client.get(f"/contests/{contest.id}/results").status_code == 200
        for event in contest.events:
            assert client.get(f"/contests/events/{event.id}").status_code == 200
