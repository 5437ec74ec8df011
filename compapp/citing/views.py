"""Public pages: one clause of a document with its quoted paragraph, and compapp's readings."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user

from compapp.auth.access import public
from compapp.citing import services

bp = Blueprint("citing", __name__)


@bp.route("/citations/<kind>/<policy_id>/", defaults={"clause": ""})
@bp.route("/citations/<kind>/<policy_id>/<path:clause>")
@public
def citation(kind: str, policy_id: str, clause: str):
    document = services.cited_document(kind, policy_id, clause)
    if document is None:
        abort(404)
    is_admin = current_user.is_authenticated and current_user.role == "admin"
    return render_template("citing/citation.html", doc=document, is_admin=is_admin)


@bp.route("/readings")
@public
def readings():
    return render_template("citing/readings.html", readings=services.readings())
