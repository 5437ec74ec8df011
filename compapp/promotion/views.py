"""Pages of the promotion domain (blueprint registered in compapp.web)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("promotion", __name__)
