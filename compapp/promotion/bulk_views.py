"""Bulk promotion decisions: confirm or reject many proposed cases of a contest in one go.

Each case is bound to what the organiser saw (a digest of its facts and proposal); a case that
changed since, or that the services refuse, is reported on its own and the others go through.
Each decision is made and audited by the same service as a single one (promotion.services).
"""

from __future__ import annotations

import hashlib
import json

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from compapp.auth.access import organiser_required
from compapp.contests.forms import ConfirmForm
from compapp.contests.models import Contest
from compapp.contests.views import in_scope
from compapp.extensions import db
from compapp.promotion import services
from compapp.promotion.models import PromotionCase

bp = Blueprint("promotion_bulk", __name__)


def case_digest(case: PromotionCase) -> str:
    """What the bulk page shows of a case, digested: its decision is bound to it."""
    view = [
        case.status,
        case.eligible,
        case.from_grade,
        case.to_grade,
        case.title,
        case.facts,
        case.placement.status,
    ]
    text = json.dumps(view, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _contest(contest_id: int) -> Contest:
    contest = db.session.get(Contest, contest_id)
    if contest is None or not in_scope(contest):
        abort(404)
    return contest


@bp.route("/promotion/contests/<int:contest_id>/bulk")
@organiser_required
def bulk(contest_id: int):
    contest = _contest(contest_id)
    eligible, _left_out = services.contest_cases(contest)
    proposed = [c for c in eligible if c.status == "proposed"]
    return render_template(
        "promotion/bulk.html",
        contest=contest,
        cases=proposed,
        seen={c.id: case_digest(c) for c in proposed},
        form=ConfirmForm(),
    )


@bp.route("/promotion/contests/<int:contest_id>/bulk", methods=["POST"])
@organiser_required
def bulk_decide(contest_id: int):
    contest = _contest(contest_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    back = redirect(url_for("promotion_bulk.bulk", contest_id=contest.id))
    ids = request.form.getlist("ids", type=int)[:1000]
    action = request.form.get("action")
    note = (request.form.get("note") or "").strip()[:400]
    if not ids:
        flash(_("请先勾选要处理的晋升。"), "error")
        return back
    if action == "reject" and not note:
        flash(_("不予晋升时请在备注中写明理由。"), "error")
        return back
    cases = db.session.scalars(
        db.select(PromotionCase)
        .where(PromotionCase.id.in_(sorted(set(ids))), PromotionCase.contest_id == contest.id)
        .order_by(PromotionCase.id)
        .with_for_update(of=PromotionCase)
    ).all()
    done, refused = 0, []
    for case in cases:
        name = case.competitor.name
        if request.form.get(f"seen-{case.id}") != case_digest(case):
            refused.append(f"{name}：{_('在您查看之后已有变化，没有处理；请重新查看。')}")
            continue
        try:
            with db.session.begin_nested():
                if action == "confirm":
                    services.confirm_case(case, current_user, note or None)
                elif action == "reject":
                    services.reject_case(case, current_user, note)
                else:
                    abort(400)
        except services.PromotionRefused as exc:
            refused.append(f"{name}：{exc}")
            continue
        done += 1
    if len(cases) != len(set(ids)):
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
