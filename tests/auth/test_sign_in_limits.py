"""Sign-in limits behind a proxy (issue 20 §1): per client and per account, exactly; one
person's failures never lock out another. Here on the limiter's in-process storage; the
two-host test (tests/production/test_two_hosts.py) holds the same across processes on Redis."""

from __future__ import annotations

import pytest

from compapp.extensions import db as _db
from compapp.extensions import limiter


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "TRUSTED_PROXIES": 1}


@pytest.fixture(autouse=True)
def fresh_limits(app):
    limiter.reset()
    yield
    limiter.reset()


def attempt(client, username, client_address, password="wrong-password"):
    """A sign-in through one proxy: nginx forwards the client's address."""
    return client.post(
        "/login",
        data={"username": username, "password": password},
        headers={"X-Forwarded-For": client_address},
    ).status_code


def test_thirty_people_behind_one_proxy_are_not_one_bucket(client, create_user):
    """30 people each mistyping twice through the same proxy: nobody is refused (the limit was
    keyed on the proxy's address, so they shared one bucket and got 429 after ~20 tries)."""
    for n in range(30):
        create_user(f"person{n}", "organiser")
    statuses = [
        attempt(client, f"person{n}", f"10.1.0.{n + 1}") for n in range(30) for _ in range(2)
    ]
    assert statuses == [200] * 60


def test_one_client_gets_ten_attempts_a_minute_whatever_the_accounts(client):
    """One address: 10 attempts a minute across any accounts, the 11th is 429."""
    statuses = [attempt(client, f"nobody{n}", "198.51.100.7") for n in range(11)]
    assert statuses == [200] * 10 + [429]
    assert attempt(client, "somebody-else", "198.51.100.8") == 200


def test_one_account_gets_ten_guesses_a_minute_from_any_number_of_clients(client, create_user):
    """Guesses at one account from many addresses: exactly 10 a minute, the 11th is 429; the
    same addresses may still try other accounts."""
    create_user("target", "organiser")
    statuses = [attempt(client, "target", f"203.0.113.{n + 1}") for n in range(11)]
    assert statuses == [200] * 10 + [429]
    assert attempt(client, " TARGET ", "203.0.113.99") == 429  # the same account, typed loosely
    assert attempt(client, "someone", "203.0.113.1") == 200


def test_the_owner_of_an_account_under_attack_can_still_sign_in(app, create_user):
    """A browser that signed in to the account before keeps a bucket of its own: someone
    guessing at the account does not lock its owner out."""
    from tests.helpers import PASSWORD

    create_user("owner", "organiser")
    owner = app.test_client()
    assert attempt(owner, "owner", "192.0.2.10", PASSWORD) == 302
    owner.post("/logout", headers={"X-Forwarded-For": "192.0.2.10"})
    attacker = app.test_client()
    statuses = [attempt(attacker, "owner", f"203.0.113.{n + 1}") for n in range(12)]
    assert statuses[-1] == 429
    assert attempt(owner, "owner", "192.0.2.10", PASSWORD) == 302


def test_forwarded_addresses_are_ignored_without_trusted_proxies(app, create_user):
    """Without COMPAPP_TRUSTED_PROXIES a client cannot pick its own address to dodge the limit."""
    from compapp import create_app

    plain = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "RATELIMIT_ENABLED": True,
        }
    )
    client = plain.test_client()
    statuses = [attempt(client, f"nobody{n}", f"10.9.9.{n}") for n in range(11)]
    with plain.app_context():
        _db.engine.dispose()
    assert statuses == [200] * 10 + [429]
