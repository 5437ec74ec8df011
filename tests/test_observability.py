"""Logs and metrics (issue 20 §4): one JSON line per request, errors with their traceback, a
lost database logged as a 503, the request id on error pages; Prometheus metrics readable
only by an administrator or the local network."""

from __future__ import annotations

import io
import json
import logging

import pytest

from compapp import create_app
from compapp.observability import configure_logging


@pytest.fixture
def app_config():
    return {"LOG_FORMAT": "json"}


@pytest.fixture
def log_lines(app):
    handler = next(h for h in logging.getLogger("compapp").handlers if getattr(h, "compapp", 0))
    stream = io.StringIO()
    old = handler.setStream(stream)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    handler.setStream(old)
    configure_logging(type("Plain", (), {"config": {"LOG_FORMAT": "text"}})())


def test_each_request_is_one_json_line_with_id_user_status_and_duration(
    client, auth, dummy_organiser, log_lines
):
    auth.login("organiser")
    response = client.get("/contests/", headers={"X-Request-ID": "req-test-0001"})
    assert response.headers["X-Request-ID"] == "req-test-0001"
    line = [r for r in log_lines() if r.get("request_id") == "req-test-0001"]
    assert len(line) == 1
    record = line[0]
    assert record["message"] == "request" and record["level"] == "INFO"
    assert record["status"] == 200 and record["path"] == "/contests/"
    assert record["user_id"] == dummy_organiser.id
    assert isinstance(record["duration_ms"], float)


def test_an_error_is_logged_with_its_traceback_and_its_page_shows_the_request_id(app, log_lines):
    def broken():
        raise RuntimeError("something broke")

    broken.is_public = True
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: a 500 page, not a raise
    app.add_url_rule("/broken-for-test", "broken_for_test", broken)
    client = app.test_client()
    response = client.get("/broken-for-test")
    assert response.status_code == 500
    request_id = response.headers["X-Request-ID"]
    assert request_id in response.get_data(as_text=True)
    records = [r for r in log_lines() if r.get("request_id") == request_id]
    error = next(r for r in records if r["level"] == "ERROR")
    assert "RuntimeError: something broke" in error["exc_info"]
    app.config["PROPAGATE_EXCEPTIONS"] = None
    assert any(r["message"] == "request" and r["status"] == 500 for r in records)


def test_a_lost_database_is_a_503_logged_with_its_request_id():
    app = create_app(
        {
            "TESTING": True,
            "LOG_FORMAT": "json",
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:9/none",
        }
    )
    handler = next(h for h in logging.getLogger("compapp").handlers if getattr(h, "compapp", 0))
    stream = io.StringIO()
    old = handler.setStream(stream)
    try:
        response = app.test_client().post("/login", data={"username": "a", "password": "b"})
    finally:
        handler.setStream(old)
    assert response.status_code == 503
    request_id = response.headers["X-Request-ID"]
    assert request_id in response.get_data(as_text=True)
    records = [json.loads(line) for line in stream.getvalue().splitlines()]
    mine = [r for r in records if r.get("request_id") == request_id]
    assert any(r["level"] == "ERROR" and "503" in r["message"] and r.get("exc_info") for r in mine)
    assert any(r["message"] == "request" and r["status"] == 503 for r in mine)


def test_metrics_are_served_to_the_local_network(client):
    client.get("/login")
    response = client.get("/metrics")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert 'compapp_request_duration_seconds_bucket{endpoint="auth.login"' in text
    assert 'compapp_jobs{kind="certificate_zip",state="queued"}' in text
    assert "compapp_job_duration_seconds_bucket" in text
    assert "compapp_sign_in_failures_total" in text


def test_metrics_are_hidden_from_other_networks_and_from_behind_an_untrusted_proxy(client):
    far = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.5"})
    assert far.status_code == 404
    proxied = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.5"})
    assert proxied.status_code == 404


def test_an_administrator_may_read_metrics_from_anywhere(client, auth, create_user):
    create_user("root", "admin")
    auth.login("root")
    response = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.5"})
    assert response.status_code == 200


def test_sign_in_failures_are_counted(client):
    from compapp.observability import SIGN_IN_FAILURES

    before = SIGN_IN_FAILURES.labels(reason="password")._value.get()
    client.post("/login", data={"username": "nobody", "password": "wrong-password"})
    assert SIGN_IN_FAILURES.labels(reason="password")._value.get() == before + 1
