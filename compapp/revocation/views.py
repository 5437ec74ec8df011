"""Revocation pages: organisers request and (a second one) confirm; finance officers settle
the recovery lines of their level."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from compapp.auth.access import organiser_required, require_role
from compapp.contests.access import in_scope
from compapp.contests.models import Entry, Event, Placement
from compapp.extensions import db
from compapp.finance.models import RecoveryLine
from compapp.formtools import ConfirmForm
from compapp.i18n import refusal_text
from compapp.revocation import services
from compapp.revocation.models import Revocation

bp = Blueprint("revocation", __name__)


def _placement(placement_id: int) -> Placement:
    placement = db.session.get(Placement, placement_id)
    if placement is None or not in_scope(placement.entry.event.contest):
        abort(404)
    return placement


@bp.route("/revocations/")
@organiser_required
def index():
    rows = db.session.scalars(
        db.select(Revocation)
        .order_by(Revocation.id.desc())
        .options(
            joinedload(Revocation.placement)
            .joinedload(Placement.entry)
            .joinedload(Entry.event)
            .joinedload(Event.contest),
            joinedload(Revocation.requested_by),
            joinedload(Revocation.confirmed_by),
        )
        .limit(300)
    ).all()
    rows = [r for r in rows if in_scope(r.placement.entry.event.contest)]
    return render_template("revocation/index.html", rows=rows, form=ConfirmForm())


@bp.route("/revocations/placements/<int:placement_id>/new", methods=["GET", "POST"])
@organiser_required
def new(placement_id: int):
    placement = _placement(placement_id)
    error = None
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        bar_until = None
        text = (request.form.get("bar_until") or "").strip()
        try:
            bar_until = date.fromisoformat(text) if text else None
        except ValueError:
            error = _("禁赛截止日期格式不对，请填写如 2027-12-31。")
        if error is None:
            try:
                services.request_revocation(
                    placement, request.form.get("reason", ""), bar_until, current_user, date.today()
                )
            except services.RevocationRefused as exc:
                db.session.rollback()
                error = refusal_text(exc)
            else:
                db.session.commit()
                flash(_("已提交撤销申请，须由另一名组织者或管理员确认后生效。"), "success")
                return redirect(url_for("revocation.index"))
    return render_template(
        "revocation/new.html", placement=placement, form=ConfirmForm(), error=error
    ), (422 if error else 200)


def _revocation(revocation_id: int) -> Revocation:
    revocation = db.session.get(Revocation, revocation_id)
    if revocation is None or not in_scope(revocation.placement.entry.event.contest):
        abort(404)
    return revocation


@bp.route("/revocations/<int:revocation_id>/confirm", methods=["POST"])
@organiser_required
def confirm(revocation_id: int):
    revocation = _revocation(revocation_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        recoveries = services.confirm_revocation(revocation, current_user, date.today())
    except services.RevocationRefused as exc:
        db.session.rollback()
        flash(refusal_text(exc), "error")
    else:
        db.session.commit()
        flash(
            _(
                "已撤销获奖；生成 %(n)s 条追回（停付）明细，由各承担单位财务登记结清。",
                n=len(recoveries),
            ),
            "success",
        )
    return redirect(url_for("revocation.index"))


@bp.route("/revocations/<int:revocation_id>/withdraw", methods=["POST"])
@organiser_required
def withdraw(revocation_id: int):
    revocation = _revocation(revocation_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.withdraw_revocation(revocation, current_user, request.form.get("note", "")[:400])
    except services.RevocationRefused as exc:
        db.session.rollback()
        flash(refusal_text(exc), "error")
    else:
        db.session.commit()
        flash(_("已撤回撤销申请。"), "success")
    return redirect(url_for("revocation.index"))


@bp.route("/finance/recoveries")
@require_role("finance", "admin")
def recoveries():
    code = current_user.jurisdiction_code if current_user.role == "finance" else None
    query = (
        db.select(RecoveryLine)
        .order_by(RecoveryLine.settled_on.is_not(None), RecoveryLine.id.desc())
        .options(
            joinedload(RecoveryLine.award_line),
            joinedload(RecoveryLine.revocation)
            .joinedload(Revocation.placement)
            .joinedload(Placement.entry)
            .joinedload(Entry.event)
            .joinedload(Event.contest),
            joinedload(RecoveryLine.payer),
        )
        .limit(500)
    )
    if code is not None:
        query = query.where(RecoveryLine.payer_code == code)
    return render_template(
        "revocation/recoveries.html",
        rows=db.session.scalars(query).all(),
        form=ConfirmForm(),
        today=date.today(),
    )


@bp.route("/finance/recoveries/<int:recovery_id>/settle", methods=["POST"])
@require_role("finance")
def settle(recovery_id: int):
    recovery = db.session.get(RecoveryLine, recovery_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        settled_on = date.fromisoformat(request.form.get("settled_on", ""))
    except ValueError:
        flash(_("请填写有效的日期。"), "error")
        return redirect(url_for("revocation.recoveries"))
    try:
        services.settle_recovery(
            recovery, request.form.get("reference", ""), settled_on, current_user
        )
    except services.RevocationRefused as exc:
        db.session.rollback()
        flash(refusal_text(exc), "error")
    else:
        db.session.commit()
        flash(_("已登记结清。"), "success")
    return redirect(url_for("revocation.recoveries"))
