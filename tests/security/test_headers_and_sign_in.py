"""Security headers, no caching of signed-in pages (issue 15 §5) and sign-in timing (§6)."""

from __future__ import annotations

import pytest

from compapp import create_app


def test_every_page_refuses_framing_and_sniffing(client):
    """Clickjacking and MIME sniffing: X-Frame-Options, CSP frame-ancestors, nosniff."""
    for url in ("/login", "/verify", "/calculator", "/no-such-page"):
        response = client.get(url)
        assert response.headers["X-Frame-Options"] == "DENY", url
        assert response.headers["X-Content-Type-Options"] == "nosniff", url
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], url
        assert response.headers["Referrer-Policy"] == "same-origin", url


def test_the_api_answers_with_the_same_headers(client):
    response = client.post("/api/v1/quote", json={})
    assert response.status_code == 400
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_signed_in_pages_and_downloads_are_never_stored(client, auth, dummy_admin, create_contest):
    """On a shared office computer, the back button after sign-out must not show a page."""
    contest = create_contest()
    auth.login("admin")
    for url in ("/", f"/contests/{contest.id}", "/finance/", "/audit/export.csv"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url


def test_public_pages_for_visitors_may_be_cached(client):
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")


def test_hsts_is_sent_in_production_over_https_only(tmp_path):
    app = create_app(
        {
            "ENV_NAME": "production",
            "SECRET_KEY": "x" * 64,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.sqlite",
            # The rate limiter is one object for every app of the process: keep it off.
            "RATELIMIT_ENABLED": False,
        }
    )
    client = app.test_client()
    behind_nginx = client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert "max-age=31536000" in behind_nginx.headers["Strict-Transport-Security"]
    assert "Strict-Transport-Security" not in client.get("/healthz").headers
    assert app.config["SESSION_COOKIE_SECURE"]


def test_no_hsts_outside_production(client):
    response = client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers


def hashed_passwords(monkeypatch) -> list[str]:
    """Record the method of every password hash checked (the real check still runs)."""
    from compapp.auth import models

    seen: list[str] = []
    real = models.check_password_hash

    def recording(pwhash: str, password: str) -> bool:
        seen.append(pwhash.split("$", 1)[0])
        return real(pwhash, password)

    monkeypatch.setattr(models, "check_password_hash", recording)
    return seen


@pytest.mark.parametrize("username", ["nobody-has-this-name", "retired"])
def test_an_unknown_or_inactive_username_costs_the_same_hash_as_a_known_one(
    client, create_user, db, monkeypatch, username
):
    """Sign-in timing must not tell which usernames exist (it was 8 ms for an unknown name
    against 90 ms for a known one): every attempt checks one password hash of the same
    method, whether the name exists, is deactivated, or the password is wrong."""
    known = create_user("known", "organiser")
    create_user("retired", "organiser").active = False
    db.session.commit()
    seen = hashed_passwords(monkeypatch)
    client.post("/login", data={"username": "known", "password": "wrong"})
    client.post("/login", data={"username": username, "password": "wrong"})
    method = known.password_hash.split("$", 1)[0]
    assert seen == [method, method]


def test_a_deactivated_account_still_cannot_sign_in(client, create_user, db):
    from tests.helpers import PASSWORD

    create_user("retired", "organiser").active = False
    db.session.commit()
    response = client.post("/login", data={"username": "retired", "password": PASSWORD})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.get_data(as_text=True)
