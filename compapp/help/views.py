"""Help pages: one short guide per role, in the page's language, open to everyone."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from compapp.auth.access import public

bp = Blueprint("help", __name__, url_prefix="/help")

GUIDES = {
    "organiser": _l("赛事组织者"),
    "finance": _l("财务人员"),
    "coach": _l("教练"),
    "winner": _l("获奖选手"),
    "admin": _l("管理员"),
}


def guide_for(role: str | None) -> str:
    """The guide that fits a role (everyone else: the organiser's, which names every step)."""
    return role if role in GUIDES else "organiser"


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
