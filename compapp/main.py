"""Home page and the public pages."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from compapp.contests.models import Contest, Placement
from compapp.extensions import db
from compapp.web import public

bp = Blueprint("main", __name__)


HOME_BY_ROLE = {"coach": "portal.coach", "winner": "portal.winner", "finance": "finance.index"}


@bp.route("/")
def index():
    if current_user.role in HOME_BY_ROLE:
        return redirect(url_for(HOME_BY_ROLE[current_user.role]))
    from compapp.contests.models import Entry, Event
    from compapp.contests.views import scoped

    recent = db.session.scalars(
        scoped(db.select(Contest)).order_by(Contest.award_on.desc(), Contest.id.desc()).limit(8)
    ).all()
    placements = scoped(
        db.select(db.func.count(Placement.id)).join(Entry).join(Event).join(Contest)
    )
    counts = {
        "contests": db.session.scalar(scoped(db.select(db.func.count(Contest.id)))),
        "placements": db.session.scalar(placements),
        "to_confirm": db.session.scalar(placements.where(Placement.status == "entered")),
    }
    return render_template("main/index.html", recent=recent, counts=counts, user=current_user)


@bp.route("/calculator")
@public
def calculator():
    return render_template("main/calculator.html")


@bp.route("/healthz")
@public
def healthz():
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}
