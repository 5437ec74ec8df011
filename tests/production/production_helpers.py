"""Helpers for the production tests: loopback ports, demo databases, a form-filling HTTP client,
and a PostgreSQL cluster of one's own to stop and start.
"""

from __future__ import annotations

import glob
import http.cookiejar
import os
import random
import socket
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from compapp import ROOT

DEMO_PASSWORD = "compapp-demo"
PG_THROWAWAY = ROOT / "scripts" / "pg_throwaway.sh"


def free_port(low: int | None = None, high: int | None = None) -> int:
    """Return a loopback TCP port nobody listens on, in [low, high] when given."""
    for _ in range(200):
        port = random.randint(low, high) if low is not None and high is not None else 0
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError(f"no free port in {low}-{high}")


def postgresql_url() -> str:
    """Return COMPAPP_TEST_DATABASE_URL; fail (never skip) the test when it is not set."""
    url = os.environ.get("COMPAPP_TEST_DATABASE_URL")
    if not url:
        pytest.fail(
            "this test needs PostgreSQL: set COMPAPP_TEST_DATABASE_URL (make test-postgresql "
            "does), or deselect it with -m 'not postgresql_only'",
            pytrace=False,
        )
    return url


def fresh_database(server_url: str, name: str) -> str:
    """Create (again) database ``name`` on the server of ``server_url``; return its URL."""
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str, name: str) -> None:
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


# --- a small browser-like HTTP client: cookies, no automatic redirects, HTML forms ----------


class FormParser(HTMLParser):
    """Collect the forms of a page: action and the values a browser would submit."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._select: str | None = None
        self._select_first: str | None = None
        self._option: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action") or "", "fields": {}})
        if not self.forms:
            return
        fields = self.forms[-1]["fields"]
        if tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    fields[a["name"]] = a.get("value") or "y"
            elif kind not in ("submit", "button", "file"):
                fields[a["name"]] = a.get("value") or ""
        elif tag == "select" and a.get("name"):
            self._select, self._select_first = a["name"], None
        elif tag == "option" and self._select:
            value = a.get("value") or ""
            if self._select_first is None:
                self._select_first = value
                fields.setdefault(self._select, value)
            if "selected" in a:
                fields[self._select] = value
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            fields[self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1]["fields"][self._textarea] += data


def forms_of(html: str) -> list[dict]:
    parser = FormParser()
    parser.feed(html)
    return parser.forms


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Response:
    status: int
    text: str
    headers: dict = field(default_factory=dict)


class WebUser:
    """One person's browser session against a live server (cookies kept, redirects shown)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect()
        )

    def request(self, path: str, data: dict | None = None, timeout: float = 60) -> Response:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        req = urllib.request.Request(self.base_url + path, data=body)
        try:
            with self.opener.open(req, timeout=timeout) as resp:
                return Response(resp.status, resp.read().decode(), dict(resp.headers))
        except urllib.error.HTTPError as err:
            with err:
                return Response(err.code, err.read().decode(errors="replace"), dict(err.headers))

    def get(self, path: str) -> Response:
        return self.request(path)

    def post(self, path: str, data: dict) -> Response:
        return self.request(path, data)

    def form(self, path: str, action_contains: str = "") -> tuple[str, dict]:
        """GET ``path``; return the (action, fields) of its first form whose action matches."""
        page = self.get(path)
        assert page.status == 200, (path, page.status, page.text[:500])
        for form in forms_of(page.text):
            if action_contains in form["action"] and "csrf_token" in form["fields"]:
                return form["action"] or path, dict(form["fields"])
        raise AssertionError(f"no form with action containing {action_contains!r} on {path}")

    def sign_in(self, username: str, password: str = DEMO_PASSWORD) -> None:
        action, fields = self.form("/login", "")
        fields.update(username=username, password=password)
        response = self.post("/login", fields)
        assert response.status == 302, f"sign-in failed for {username}: {response.status}"


# --- a throwaway PostgreSQL cluster of one's own (to stop and start it) ---------------------


def _pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    if not found:
        pytest.fail("PostgreSQL is not installed (make test installs it)", pytrace=False)
    return Path(found[-1])


@dataclass
class OwnCluster:
    """A PostgreSQL server started with scripts/pg_throwaway.sh on a port of its own."""

    port: int
    directory: Path
    url: str

    def _pg_ctl(self, *args: str) -> None:
        command = [str(_pg_bin() / "pg_ctl"), "-D", str(self.directory), *args]
        if os.getuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def stop(self) -> None:
        """Stop the server at once (fast shutdown: open transactions are rolled back)."""
        self._pg_ctl("-m", "fast", "-w", "stop")

    def start(self) -> None:
        """Start the stopped server again on the same data directory and port."""
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.directory} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200"
        )
        self._pg_ctl("-w", "-l", str(self.directory / "server.log"), "-o", options, "start")
