"""找人: search people by name or ID number within one's scope; one page per person."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from compapp.people import queries
from compapp.promotion.queries import grade_history

bp = Blueprint("people", __name__, url_prefix="/people")


def searchers_only():
    if not queries.may_search(current_user):
        abort(403)


@bp.route("/")
def search():
    searchers_only()
    text = (request.args.get("q") or "").strip()[:40]
    found = queries.find_people(current_user, text) if text else []
    return render_template(
        "people/search.html", text=text, found=found, limit=queries.RESULTS_LIMIT
    )


@bp.route("/<int:competitor_id>")
def person(competitor_id: int):
    searchers_only()
    found = queries.person_in_scope(current_user, competitor_id)
    if found is None:
        abort(404)
    history = []
    if current_user.role in ("admin", "organiser"):
        body = None if current_user.role == "admin" else current_user.organising_body_id
        history = grade_history(found, body_id=body)
    lines = queries.lines_of(found, current_user)
    return render_template(
        "people/person.html",
        person=found,
        entries=queries.entries_of(found, current_user),
        lines=lines,
        total=sum(line.amount_fen for line in lines),
        history=history,
        certificates=queries.certificates_of(found, current_user),
        honours=queries.honours_of(found, current_user),
    )
