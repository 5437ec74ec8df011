"""Pages for coaches and winners: only their own entries, awards and status."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, render_template
from flask_login import current_user

from compapp.auth.access import require_role
from compapp.contests.models import Entry
from compapp.core.money import from_fen, split_by_percent
from compapp.honours.services import honours
from compapp.portal import queries
from compapp.promotion.services import status_name, title_status_name
from compapp.rewards.services import line_notices

bp = Blueprint("portal", __name__, url_prefix="/my")


def shares(entry: Entry, team_fen: int) -> list[tuple[str, str, int | None, Decimal | None]]:
    """How the coaching team's award is divided: (name, role, percent, amount) per member.

    Amounts are shown only when every member's percentage is recorded (they add up to 100,
    checked when the entry is saved); the parts then add up to the team's total to the fen.
    """
    percents = [ec.share_percent for ec in entry.coaches]
    amounts: list[Decimal | None] = [None] * len(percents)
    if percents and None not in percents and sum(percents) == 100:
        amounts = [from_fen(f) for f in split_by_percent(team_fen, percents)]
    return [
        (ec.coach.name, ec.role, ec.share_percent, amount)
        for ec, amount in zip(entry.coaches, amounts, strict=True)
    ]


@bp.route("/team")
@require_role("coach")
def coach():
    entries = []
    if current_user.coach_id is not None:
        entries = queries.coached_entries(current_user.coach_id)
    lines = queries.current_lines([e.id for e in entries])
    rows = []
    for entry in entries:
        mine = [line for line in lines if line.entry_id == entry.id]
        team = [line for line in mine if line.payee == "coaching_team"]
        team_fen = sum(line.amount_fen for line in team)
        team_total = from_fen(team_fen)
        rows.append(
            {
                "entry": entry,
                "competitor_lines": [line for line in mine if line.payee == "competitor"],
                "team_lines": team,
                "team_total": team_total,
                "shares": shares(entry, team_fen),
                "notices": line_notices(mine),
            }
        )
    return render_template("portal/coach.html", rows=rows)


@bp.route("/results")
@require_role("winner")
def winner():
    entries = []
    if current_user.competitor_id is not None:
        entries = queries.competitor_entries(current_user.competitor_id)
    lines = queries.current_lines([e.id for e in entries], competitor_id=current_user.competitor_id)
    rows = []
    for entry in entries:
        mine = [line for line in lines if line.entry_id == entry.id]
        rows.append(
            {
                "entry": entry,
                "lines": mine,
                "total": from_fen(sum(line.amount_fen for line in mine)),
                "notices": line_notices(mine),
            }
        )

    return render_template(
        "portal/winner.html",
        rows=rows,
        promotion_status=status_name,
        title_status=title_status_name,
        honours=honours(current_user.competitor_id) if current_user.competitor_id else [],
        promotions=queries.competitor_promotions(current_user.competitor_id),
    )
