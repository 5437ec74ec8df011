"""Payee pages: organisers enter bank details of the people of their contests; coaches and
winners enter their own. Numbers are shown masked; nobody reads them back in full here."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from compapp.auth.access import organiser_required, require_role
from compapp.contests.models import Coach, Competitor, Contest, Entry, EntryCoach, EntryMember
from compapp.contests.queries import contest_entries
from compapp.core.messages import N_
from compapp.extensions import db
from compapp.payees import services
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
    """Everyone of the contest a bank may pay, with what is still missing."""
    contest = _contest_in_scope(contest_id)
    entries = contest_entries(
        contest,
        selectinload(Entry.members).joinedload(EntryMember.competitor),
        selectinload(Entry.coaches).joinedload(EntryCoach.coach),
        joinedload(Entry.event),
        selectinload(Entry.placement),
    )
    entries = [e for e in entries if e.placement is not None]
    accounts = services.bank_accounts(
        [m.competitor_id for e in entries for m in e.members],
        [c.coach_id for e in entries for c in e.coaches],
    )
    rows = []
    for entry in entries:
        for m in entry.members:
            rows.append(
                ("competitor", m.competitor, entry, accounts.get(("competitor", m.competitor_id)))
            )
        for c in entry.coaches:
            rows.append(("coach", c.coach, entry, accounts.get(("coach", c.coach_id))))
    missing = sum(
        1 for kind, person, _e, account in rows if account is None or not person.id_number
    )
    return render_template("payees/contest.html", contest=contest, rows=rows, missing=missing)


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
