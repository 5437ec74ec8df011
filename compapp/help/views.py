"""Help pages: one short guide per role, in the page's language, open to everyone."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_babel import get_locale
from flask_login import current_user

from compapp.auth.access import public
from compapp.help.guides import GUIDES, guide_for

bp = Blueprint("help", __name__, url_prefix="/help")


@bp.route("/")
@public
def index():
    mine = guide_for(current_user.role) if current_user.is_authenticated else None
    return render_template("help/index.html", guides=GUIDES, mine=mine)


@bp.route("/<role>")
@public
def guide(role: str):
    if role not in GUIDES:
        abort(404)
    language = "en" if str(get_locale()) == "en" else "zh"
    return render_template(f"help/{language}/{role}.html", guides=GUIDES, role=role)
