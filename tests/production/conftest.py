"""Production parts tested for real: servers on loopback ports, real HTTP, real PostgreSQL.

Tests marked ``postgresql_only`` need ``COMPAPP_TEST_DATABASE_URL`` (the PostgreSQL run of
`make test` sets it; the SQLite run deselects them with ``-m "not postgresql_only"``).
Without it they fail saying so: a test that quietly skips would hide a failure.
"""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from production_helpers import PG_THROWAWAY, LiveServer, OwnCluster, free_port
from werkzeug.serving import make_server


@pytest.fixture
def serve():
    """Serve apps on free loopback ports (werkzeug, threaded); stop them after the test."""
    started = []

    def serve(app: Flask) -> LiveServer:
        server = make_server("127.0.0.1", 0, app, threaded=True)
        url = f"http://127.0.0.1:{server.server_port}"
        app.config["COMPAPP_BASE_URL"] = url
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        started.append((server, thread, app))
        return LiveServer(app, url)

    yield serve
    from compapp.extensions import db

    for server, thread, app in started:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def own_postgresql() -> Iterator[OwnCluster]:
    """Start a throwaway PostgreSQL cluster on its own port, so stopping it harms no one else."""
    port = free_port(26000, 32000)
    directory = Path(f"/tmp/compapp-pg-failure-{port}")
    env = {**os.environ, "COMPAPP_PG_PORT": str(port), "COMPAPP_PG_DIR": str(directory)}
    started = subprocess.run(
        ["sh", str(PG_THROWAWAY), "start"], env=env, capture_output=True, text=True, timeout=120
    )
    assert started.returncode == 0, started.stderr
    try:
        yield OwnCluster(port, directory, started.stdout.strip().splitlines()[-1])
    finally:
        subprocess.run(["sh", str(PG_THROWAWAY), "stop"], env=env, capture_output=True, timeout=120)
