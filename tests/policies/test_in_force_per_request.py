"""The policies in force are read once per request: never carried from one request to the
next, even where one application context serves several (the test client, a job)."""

from __future__ import annotations

from tests.helpers import signed_in
from tests.queries import counted


def test_every_request_reads_which_versions_are_in_force(app, db, demo):
    client = signed_in(app, "admin")
    client.get("/promotion/")
    read = []
    for _ in range(20):
        db.session.remove()
        with counted(db) as statements:
            assert client.get("/promotion/").status_code == 200
        read.append(sum("FROM policy_revisions" in s for s in statements))
    # Before: a request whose object happened to reuse the previous one's address found the
    # previous request's set (a stale one, after another host activated a version).
    assert read == [1] * 20
