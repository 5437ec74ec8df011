"""Plain helpers shared by the tests: passwords, valid ID numbers, signing in.

Test modules import these from here (never from a conftest, which pytest loads itself);
tests/conftest.py builds its fixtures on them.
"""

from __future__ import annotations

from itertools import count

from compapp.core.idnumber import make_id_number

PASSWORD = "test-password-1"
"""The password of every account the factories of tests/conftest.py create."""

DEMO_PASSWORD = "compapp-demo"
"""The password of every account of the demo data set (``flask seed demo``)."""

_serial = count(1)


def next_serial() -> int:
    """A number not handed out before in this test run (unique names and ID numbers)."""
    return next(_serial)


def id_number_for(county: str = "533422", serial: int | None = None) -> str:
    """A valid ID number from ``county`` (GB 11643 check digit)."""
    serial = next_serial() if serial is None else serial
    return make_id_number(
        f"{county}1990{(serial % 12) + 1:02d}{(serial % 28) + 1:02d}{serial % 1000:03d}"
    )


class AuthActions:
    """Sign a test client in and out through the real /login and /logout pages."""

    def __init__(self, client):
        self._client = client

    def login(self, username: str, password: str = PASSWORD):
        response = self._client.post("/login", data={"username": username, "password": password})
        assert response.status_code == 302, "sign-in failed for " + username
        return response

    def logout(self):
        return self._client.post("/logout")


def signed_in(app, username: str, password: str = DEMO_PASSWORD):
    """A new test client of ``app`` signed in as ``username`` (its own cookies, so several
    people can be signed in at once); by default with the demo data set's password."""
    client = app.test_client()
    AuthActions(client).login(username, password)
    return client
