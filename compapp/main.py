"""Home page and the public pages."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from compapp.contests.models import Contest, Placement
from compapp.extensions import db
from compapp.web import public

bp = Blueprint("main", __name__)


HOME_BY_ROLE = {"coach": "portal.coach", "winner": "portal.winner"}
PROVINCE = "530000"


def dashboard_charts(user) -> dict:
    """The charts of ``user``'s home page: the province's picture for administrators and
    organisers (limited to their body's contests) and the provincial finance office; a finance
    officer's own budget by status over the years; results and promotions for organisers."""
    from compapp.dashboards import queries

    charts: dict = {"charts": [], "matrix": None}
    if user.role == "finance":
        if user.jurisdiction_code:
            charts["charts"].append(queries.payer_budget_by_year(user.jurisdiction_code))
        if user.jurisdiction_code != PROVINCE:
            return charts
    scope = None
    if user.role == "organiser" and user.organising_body_id is not None:
        scope = Contest.organising_body_id == user.organising_body_id
    charts["charts"] += [
        queries.awards_by_prefecture(scope),
        queries.awards_by_year(scope),
        queries.awards_by_category(scope),
    ]
    charts["matrix"] = queries.payer_matrix(scope)
    if user.role in ("admin", "organiser"):
        charts["charts"] += [queries.results_by_contest(scope), queries.promotions_by_status(scope)]
    return charts


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
    return render_template(
        "main/index.html",
        recent=recent,
        counts=counts,
        user=current_user,
        **dashboard_charts(current_user),
    )


@bp.route("/calculator")
@public
def calculator():
    return render_template("main/calculator.html")


@bp.route("/healthz")
@public
def healthz():
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}
