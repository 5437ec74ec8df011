"""Bulk promotion decisions: confirm or reject many proposed cases of a contest in one go.

Each case is bound to what the organiser saw exactly as a single decision is (a signed token
of ``case_view`` per row, compapp.core.seen); a case that changed since, or that the services
refuse, is reported on its own and the others go through. Each decision is made and audited
by the same service as a single one (promotion.services) and committed on its own, so that a
refused one never undoes another.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from compapp.auth.access import organiser_required
from compapp.binding import refusal_message, seen_from_field, seen_token
from compapp.contests.access import in_scope
from compapp.contests.models import Contest
from compapp.core.seen import AlreadyDone, Changed
from compapp.extensions import db
from compapp.formtools import ConfirmForm
from compapp.i18n import refusal_text
from compapp.promotion import queries, services
from compapp.promotion.models import PromotionCase
from compapp.routing import record_id

bp = Blueprint("promotion_bulk", __name__)


def _contest(contest_id: int) -> Contest:
    contest = db.session.get(Contest, contest_id)
    if contest is None or not in_scope(contest):
        abort(404)
    return contest


@bp.route("/promotion/contests/<int:contest_id>/bulk")
@organiser_required
def bulk(contest_id: int):
    contest = _contest(contest_id)
    eligible, _left_out = queries.contest_cases(contest)
    proposed = [c for c in eligible if c.status == "proposed"]
    return render_template(
        "promotion/bulk.html",
        contest=contest,
        cases=proposed,
        seen={c.id: seen_token("promotion_case", c.id, services.case_view(c)) for c in proposed},
        form=ConfirmForm(),
    )


@bp.route("/promotion/contests/<int:contest_id>/bulk", methods=["POST"])
@organiser_required
def bulk_decide(contest_id: int):
    contest = _contest(contest_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    back = redirect(url_for("promotion_bulk.bulk", contest_id=contest.id))
    ids = request.form.getlist("ids", type=record_id)[:1000]
    action = request.form.get("action")
    note = (request.form.get("note") or "").strip()[:400]
    if not ids:
        flash(_("请先勾选要处理的晋升。"), "error")
        return back
    if action == "reject" and not note:
        flash(_("不予晋升时请在备注中写明理由。"), "error")
        return back
    if action not in ("confirm", "reject"):
        abort(400)
    case_ids = db.session.scalars(
        db.select(PromotionCase.id)
        .where(PromotionCase.id.in_(sorted(set(ids))), PromotionCase.contest_id == contest.id)
        .order_by(PromotionCase.id)
    ).all()
    done, refused = 0, []
    for case_id in case_ids:
        case = db.session.get(PromotionCase, case_id)
        name = case.competitor.name
        seen = seen_from_field("promotion_case", case_id, f"seen-{case_id}")
        try:
            if action == "confirm":
                services.confirm_case(case, current_user, note or None, seen)
            else:
                services.reject_case(case, current_user, note, seen)
        except services.PromotionRefused as exc:
            db.session.rollback()
            refused.append(f"{name}：{refusal_text(exc)}")
            continue
        except (Changed, AlreadyDone) as exc:
            db.session.rollback()
            refused.append(f"{name}：{refusal_message(exc)}")
            continue
        db.session.commit()
        done += 1
    if len(case_ids) != len(set(ids)):
        refused.append(_("有一项晋升已不存在或不属于本赛事。"))
    db.session.commit()
    if done:
        message = (
            _("已确认 %(n)s 人晋升。", n=done)
            if action == "confirm"
            else _("已记录 %(n)s 人不予晋升。", n=done)
        )
        flash(message, "success")
    for text in refused[:30]:
        flash(text, "error")
    return back
