"""Command-line tools, sign-in rate limiting and production cookie settings."""

import pytest

from compapp import create_app


def test_policies_check_loads_every_file(runner):
    result = runner.invoke(args=["policies", "check"])
    assert result.exit_code == 0, result.output
    for policy_id in ("yn-2017-40", "yn-2021-28", "dq-2022", "ll-2022-64", "yx-2022-8"):
        assert policy_id in result.output


def test_policies_show_prints_the_version_in_force(runner):
    result = runner.invoke(args=["policies", "show", "dq-2022", "--on", "2024-09-15"])
    assert result.exit_code == 0, result.output
    assert "2022-05-27" in result.output and "000_506faec866124176.txt:91" in result.output


def test_policies_show_refuses_a_date_no_version_covers(runner):
    result = runner.invoke(args=["policies", "show", "yn-2017-40", "--on", "2016-01-01"])
    assert result.exit_code != 0
    assert "2016-01-01" in result.output


def test_policies_show_refuses_an_unknown_id(runner):
    result = runner.invoke(args=["policies", "show", "nope", "--on", "2024-01-01"])
    assert result.exit_code != 0 and "nope" in result.output


@pytest.fixture
def app_config(request):
    return getattr(request, "param", {})


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}], indirect=True)
def test_sign_in_is_rate_limited(client, create_user):
    """Ten attempts a minute per address; the eleventh gets 429 with a page in Chinese."""
    create_user("target", "organiser")
    statuses = [
        client.post("/login", data={"username": "target", "password": "wrong"}).status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    page = client.post("/login", data={"username": "target", "password": "wrong"})
    assert "请求过于频繁" in page.get_data(as_text=True)


def test_production_cookies_are_secure_and_sessions_expire(monkeypatch, tmp_path):
    monkeypatch.setenv("COMPAPP_ENV", "production")
    monkeypatch.setenv("COMPAPP_SECRET_KEY", "x" * 64)
    monkeypatch.setenv("COMPAPP_DATABASE_URL", f"sqlite:///{tmp_path}/p.sqlite")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 8 * 3600
