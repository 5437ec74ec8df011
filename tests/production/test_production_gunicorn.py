"""`make serve`: gunicorn with the production configuration needs COMPAPP_SECRET_KEY."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from production_helpers import free_port

from compapp import ROOT

BIN = Path(sys.executable).parent


def production_env(database: Path, secret: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPAPP_")}
    env.update(COMPAPP_ENV="production", COMPAPP_DATABASE_URL=f"sqlite:///{database}")
    if secret is not None:
        env["COMPAPP_SECRET_KEY"] = secret
    return env


def gunicorn(port: int) -> list[str]:
    """The command `make serve` runs (fewer workers: this is a test)."""
    return [
        str(BIN / "gunicorn"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--access-logfile",
        "-",
        "wsgi:app",
    ]


def test_gunicorn_refuses_to_start_in_production_without_a_secret_key(tmp_path):
    """Production refuses a missing COMPAPP_SECRET_KEY and says which variable to set."""
    env = production_env(tmp_path / "compapp.sqlite", None)
    upgrade = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert upgrade.returncode != 0
    assert "COMPAPP_SECRET_KEY" in upgrade.stderr

    served = subprocess.run(
        gunicorn(free_port()), cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert served.returncode != 0
    assert "COMPAPP_SECRET_KEY is not set" in served.stderr


def test_gunicorn_serves_the_production_configuration_with_a_secret_key(tmp_path):
    """With the key, the database upgrades and gunicorn serves pages with secure cookies."""
    env = production_env(tmp_path / "compapp.sqlite", "a-long-random-test-value-0123456789")
    subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    port = free_port()
    server = subprocess.Popen(
        gunicorn(port),
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.communicate()[1]
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=30) as r:
                    status, body, cookie = r.status, r.read().decode(), r.headers["Set-Cookie"]
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                # Not up yet, or a first request slow on a busy machine: ask again.
                assert time.monotonic() < deadline, "gunicorn did not answer within 60 s"
                time.sleep(0.2)
        assert status == 200
        assert "登录" in body
        assert "Secure" in cookie and "HttpOnly" in cookie
    finally:
        server.send_signal(signal.SIGTERM)
        _out, err = server.communicate(timeout=60)
    assert server.returncode == 0, err
    assert "Booting worker" in err
