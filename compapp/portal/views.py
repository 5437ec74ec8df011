"""Pages for coaches and winners: only their own entries, awards and status."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, render_template
from flask_login import current_user

from compapp.auth.access import require_role
from compapp.contests.models import Contest, Entry, EntryCoach, EntryMember, Event
from compapp.core.money import from_fen, split_by_percent
from compapp.extensions import db
from compapp.promotion.models import PromotionCase
from compapp.rewards.models import AwardLineRecord
from compapp.rewards.services import line_loading, line_notices

bp = Blueprint("portal", __name__, url_prefix="/my")


def current_lines(entry_ids: list[int], **filters) -> list[AwardLineRecord]:
    if not entry_ids:
        return []
    return db.session.scalars(
        db.select(AwardLineRecord)
        .where(AwardLineRecord.entry_id.in_(entry_ids), AwardLineRecord.is_current.is_(True))
        .filter_by(**filters)
        .order_by(AwardLineRecord.id)
        .options(*line_loading())
    ).all()


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


def entries_of(join, condition) -> list[Entry]:
    """The entries reached through ``join`` that meet ``condition``, newest contest first."""
    return db.session.scalars(
        db.select(Entry)
        .join(join)
        .join(Event)
        .join(Contest)
        .where(condition)
        .order_by(Contest.award_on.desc(), Entry.id)
    ).all()


@bp.route("/team")
@require_role("coach")
def coach():
    entries = []
    if current_user.coach_id is not None:
        entries = entries_of(EntryCoach, EntryCoach.coach_id == current_user.coach_id)
    lines = current_lines([e.id for e in entries])
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
        entries = entries_of(EntryMember, EntryMember.competitor_id == current_user.competitor_id)
    lines = current_lines([e.id for e in entries], competitor_id=current_user.competitor_id)
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
    from compapp.honours.services import honours
    from compapp.promotion.services import status_name, title_status_name

    return render_template(
        "portal/winner.html",
        rows=rows,
        promotion_status=status_name,
        title_status=title_status_name,
        honours=honours(current_user.competitor_id) if current_user.competitor_id else [],
        promotions=db.session.scalars(
            db.select(PromotionCase).where(
                PromotionCase.competitor_id == current_user.competitor_id
            )
        ).all(),
    )
