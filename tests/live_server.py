"""The real app on a loopback port, for the browser journeys and the production tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from werkzeug.serving import make_server

from compapp import create_app


@dataclass
class LiveServer:
    app: Flask
    url: str


def make_demo_app(database_url: str, folder: Path) -> Flask:
    """An app like `make run`'s (CSRF and sign-in on), on a migrated, demo-seeded database."""
    from flask_migrate import upgrade

    from compapp.demo import load_demo
    from compapp.extensions import db

    app = create_app(
        {
            "ENV_NAME": "development",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "live-server-tests-secret",
            "CERTIFICATE_ZIP_DIR": str(folder / "zips"),
            # Salted PBKDF2 with few rounds: the demo accounts are hashed and checked quickly.
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
    with app.app_context():
        upgrade()
        load_demo()
        db.session.commit()
        db.session.remove()
    return app


@contextmanager
def serving(app: Flask) -> Iterator[LiveServer]:
    """Serve ``app`` on a free loopback port (werkzeug, threaded) until the block ends."""
    from compapp.extensions import db

    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    # COMPAPP_BASE_URL is left unset: the certificates' QR codes point at the address this
    # server is reached at, whatever its port.
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app, url)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()
