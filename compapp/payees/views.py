"""Payee pages: organisers enter bank details of the people of their contests; coaches and
winners enter their own. Numbers are shown masked; nobody reads them back in full here."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from compapp.auth.access import organiser_required, require_role
from compapp.contests.models import Coach, Competitor, Contest
from compapp.core.messages import N_
from compapp.extensions import db
from compapp.paging import page_of
from compapp.payees import queries, services
from compapp.payees.forms import BankForm

bp = Blueprint("payees", __name__)


def _contest_in_scope(contest_id: int) -> Contest:
    contest = db.session.get(Contest, contest_id)
    if contest is None:
        abort(404)
    if current_user.role == "organiser" and current_user.organising_body_id not in (
        None,
        contest.organising_body_id,
    ):
        abort(404)
    return contest


@bp.route("/contests/<int:contest_id>/payees")
@organiser_required
def contest_payees(contest_id: int):
    """Everyone of the contest a bank may pay, a page at a time, with how many still lack
    their ID number or bank account (counted in SQL)."""
    contest = _contest_in_scope(contest_id)
    total, missing = queries.payee_counts(contest)
    page = page_of(queries.payees_query(contest), scalars=False, total=total)
    return render_template(
        "payees/contest.html",
        contest=contest,
        rows=queries.payee_rows(page.items),
        page=page,
        missing=missing,
    )


def _edit(holder, back: str, own: bool = False):
    form = BankForm()
    current = services.bank_account_of(holder)
    is_coach = isinstance(holder, Coach)
    if request.method == "GET" and current is not None:
        form.bank_name.data, form.branch.data = current.bank_name, current.branch
    status = 200
    if form.validate_on_submit():
        problems = services.check_payee(
            holder,
            form.bank_name.data or "",
            form.branch.data or "",
            form.account_number.data or "",
            (form.id_number.data or "") if is_coach and not holder.id_number else "",
        )
        if is_coach and not holder.id_number and not (form.id_number.data or "").strip():
            problems["id_number"] = N_("请填写教练的身份证号码：发放奖金须核对身份证。")
        if not problems:
            services.save_payee(
                holder,
                form.bank_name.data,
                form.branch.data,
                form.account_number.data,
                current_user,
                form.id_number.data or "",
            )
            db.session.commit()
            flash(_("已保存收款账户。"), "success")
            return redirect(back)
        for name, message in problems.items():
            getattr(form, name).errors = [*getattr(form, name).errors, _(message)]
        status = 422
    elif request.method == "POST":
        status = 422
    form.account_number.data = ""  # never sent back to the browser
    return render_template(
        "payees/form.html",
        form=form,
        holder=holder,
        is_coach=is_coach,
        current=current,
        back=back,
        own=own,
    ), status


@bp.route("/payees/competitors/<int:competitor_id>", methods=["GET", "POST"])
@organiser_required
def competitor(competitor_id: int):
    person = db.session.get(Competitor, competitor_id) or abort(404)
    if not services.people_in_scope(current_user, competitor=person):
        abort(404)
    return _edit(person, request.args.get("back") or url_for("main.index"))


@bp.route("/payees/coaches/<int:coach_id>", methods=["GET", "POST"])
@organiser_required
def coach(coach_id: int):
    person = db.session.get(Coach, coach_id) or abort(404)
    if not services.people_in_scope(current_user, coach=person):
        abort(404)
    return _edit(person, request.args.get("back") or url_for("main.index"))


@bp.route("/my/bank", methods=["GET", "POST"])
@require_role("coach", "winner")
def mine():
    """A coach or winner enters the account their award is paid into."""
    if current_user.role == "coach":
        holder = db.session.get(Coach, current_user.coach_id) if current_user.coach_id else None
    else:
        holder = (
            db.session.get(Competitor, current_user.competitor_id)
            if current_user.competitor_id
            else None
        )
    if holder is None:
        abort(404)
    return _edit(holder, url_for("payees.mine"), own=True)
