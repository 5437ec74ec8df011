"""``flask --app wsgi certificates …`` commands (registered in compapp.cli)."""

from __future__ import annotations

from flask.cli import AppGroup

certificates = AppGroup("certificates", help="Render and manage certificates.")
