"""Pages of the certificates domain (blueprint registered in compapp.web)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("certificates", __name__)
