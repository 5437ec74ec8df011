"""Production parts tested for real: servers on loopback ports, real HTTP, real PostgreSQL.

Tests marked ``postgresql_only`` need ``COMPAPP_TEST_DATABASE_URL`` (the PostgreSQL run of
`make test` sets it; the SQLite run deselects them with ``-m "not postgresql_only"``).
Without it they fail saying so: a test that quietly skips would hide a failure.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from flask import Flask
from production_helpers import PG_THROWAWAY, OwnCluster, free_port

from tests.live_server import LiveServer, serving


@pytest.fixture
def serve():
    """Serve apps on free loopback ports (werkzeug, threaded); stop them after the test."""
    with ExitStack() as stack:

        def serve(app: Flask) -> LiveServer:
            return stack.enter_context(serving(app))

        yield serve


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
