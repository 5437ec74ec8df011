"""Home page and the public pages."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from compapp import labels
from compapp.auth.access import public
from compapp.contests.access import scoped
from compapp.contests.models import Contest, Entry, Event, Placement
from compapp.contests.services import counties
from compapp.core.api import ApiError
from compapp.core.vocab import JurisdictionLevel
from compapp.dashboards import queries
from compapp.extensions import db
from compapp.formtools import options
from compapp.policy.categories import CATEGORIES
from compapp.reference.models import Jurisdiction
from compapp.reference.queries import lookup_county, lookup_organiser
from compapp.rewards.quote import answer_quote_request
from compapp.rewards.services import award_policies

bp = Blueprint("main", __name__)


HOME_BY_ROLE = {"coach": "portal.coach", "winner": "portal.winner"}
PROVINCE = "530000"


def dashboard_charts(user) -> dict:
    """The charts of ``user``'s home page: the province's picture for administrators and
    organisers (limited to their body's contests) and the provincial finance office; a finance
    officer's own budget by status over the years; results and promotions for organisers."""

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


RESULTS = (
    ("medal:gold", "金牌"),
    ("medal:silver", "银牌"),
    ("medal:bronze", "铜牌"),
    ("medal:excellence", "优胜奖"),
    ("prize:1", "一等奖"),
    ("prize:2", "二等奖"),
    ("prize:3", "三等奖"),
    ("", "无（仅名次）"),
)


def calculator_form():
    """The public calculator's form: what a person knows of one placement (read from ?…)."""
    from flask_babel import gettext as _
    from flask_babel import lazy_gettext as _l
    from flask_wtf import FlaskForm
    from wtforms import DateField, IntegerField, SelectField
    from wtforms.validators import InputRequired, NumberRange, Optional

    class CalculatorForm(FlaskForm):
        class Meta:
            csrf = False  # a public GET form that writes nothing

        award_date = DateField(_l("颁奖日期"), validators=[InputRequired(_l("请填写颁奖日期。"))])
        category = SelectField(_l("赛事类别"))
        event_format = SelectField(_l("赛项形式"))
        result = SelectField(_l("奖项"), validate_choice=False)
        rank = IntegerField(
            _l("名次（决赛）"), validators=[Optional(), NumberRange(min=1, max=100000)]
        )
        county = SelectField(_l("选派单位（县、市、区）"), validate_choice=False)
        organiser = SelectField(_l("主办地区"), validate_choice=False)

    form = CalculatorForm(request.args)
    form.category.choices = options((c, labels.category(c)) for c in CATEGORIES)
    form.event_format.choices = options(labels.FORMAT_NAMES.items())
    form.result.choices = options((code, _(name)) for code, name in RESULTS)
    form.county.choices = options([("", _("— 请选择 —")), *((j.code, j.label) for j in counties())])
    prefectures = db.session.scalars(
        db.select(Jurisdiction)
        .where(Jurisdiction.level == JurisdictionLevel.PREFECTURE)
        .order_by(Jurisdiction.code)
    ).all()
    form.organiser.choices = options(
        [("", _("按赛事级别默认")), ("530000", "云南省"), *((j.code, j.name) for j in prefectures)]
    )
    return form


def quote_body(form) -> dict:
    """The calculator API's request body for the form's values."""
    result: dict = {}
    if form.result.data:
        kind, value = form.result.data.split(":", 1)
        result[kind] = int(value) if kind == "prize" else value
    if form.rank.data:
        result["rank"] = form.rank.data
    body = {
        "award_date": form.award_date.data.isoformat(),
        "category": form.category.data,
        "event_format": form.event_format.data,
        "result": result,
        "county": form.county.data or "",
    }
    if form.organiser.data:
        body["organiser"] = form.organiser.data
    return body


@bp.route("/calculator")
@public
def calculator():
    """The award calculator as a form: the lines each competitor and the coaching team get,
    with their explanations, computed exactly as POST /api/v1/quote answers."""

    form = calculator_form()
    answer, status = None, 200
    if request.args and form.validate():
        try:
            answer = answer_quote_request(
                quote_body(form), lookup_county, award_policies(), lookup_organiser
            )
        except ApiError as error:
            field = (error.field or "").split(".", 1)[0]
            target = getattr(form, field, None) if field else None
            if target is None or not hasattr(target, "errors"):
                target = form.result
            target.errors = [*target.errors, error.message]
            status = 422
    elif request.args:
        status = 422
    return render_template("main/calculator.html", form=form, answer=answer), status


@bp.route("/healthz")
@public
def healthz():
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}
