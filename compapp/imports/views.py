"""Pages of the imports domain (blueprint registered in compapp.web)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("imports", __name__)
