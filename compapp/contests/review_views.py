"""The bulk review page: filter the queue, confirm or return many results in one go."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from compapp.auth.access import organiser_required
from compapp.binding import seen_from_field
from compapp.contests import bulk_review, queries
from compapp.contests.access import in_scope, scoped
from compapp.contests.views import placement_tokens
from compapp.formtools import ConfirmForm
from compapp.routing import record_id

bp = Blueprint("review", __name__, url_prefix="/contests/review")

MAX_SELECTED = 1000


@bp.before_request
@organiser_required
def organisers_only():
    return None


def _filters() -> tuple[int | None, int | None]:
    return (
        request.values.get("contest", type=record_id),
        request.values.get("event", type=record_id),
    )


@bp.route("/bulk")
def bulk():
    contest_id, event_id = _filters()
    rows, total, page, pages = bulk_review.queue_page(
        bulk_review.queue(scoped, contest_id, event_id), request.args.get("page", 1, type=int)
    )
    contests = queries.recent_contests(scoped, limit=200)
    events = queries.events_of(contest_id) if contest_id else []
    return render_template(
        "contests/bulk_review.html",
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        contests=contests,
        events=events,
        contest_id=contest_id,
        event_id=event_id,
        seen=placement_tokens(rows),
        returned=bulk_review.returned_to(current_user),
        form=ConfirmForm(),
    )


@bp.route("/bulk", methods=["POST"])
def bulk_action():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    contest_id, event_id = _filters()
    action = request.form.get("action")
    shown = request.form.getlist("shown", type=record_id)
    ids = shown if action == "confirm_all" else request.form.getlist("ids", type=record_id)
    back = redirect(url_for("review.bulk", contest=contest_id, event=event_id))
    if not ids:
        flash(_("请先勾选要处理的成绩。"), "error")
        return back
    if len(ids) > MAX_SELECTED:
        flash(_("一次最多处理 %(n)s 项。", n=MAX_SELECTED), "error")
        return back
    # Each row carries the token of the result as the page showed it (compapp.core.seen).
    seen = {pid: seen_from_field("placement", pid, f"seen-{pid}") for pid in set(ids)}
    if action == "return":
        reason = (request.form.get("reason") or "").strip()
        if not reason:
            flash(_("退回时请写明原因，录入人会看到。"), "error")
            return back
        outcome = bulk_review.return_many(ids, seen, reason[:400], current_user, in_scope)
        done = _("已退回 %(n)s 项成绩给录入人。", n=len(outcome.done))
    elif action in ("confirm", "confirm_all"):
        outcome = bulk_review.confirm_many(ids, seen, current_user, in_scope)
        done = _("已确认 %(n)s 项成绩。", n=len(outcome.done))
    else:
        abort(400)
    if outcome.done:
        flash(done, "success")
    for what, why in outcome.refused[:30]:
        flash(f"{what}：{why}" if what else why, "error")
    return back
