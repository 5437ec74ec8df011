"""Administrators manage accounts and read the audit log; invited users set a password."""

from __future__ import annotations

import csv
import io
from datetime import date

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from compapp.accounts import services
from compapp.accounts.forms import SetPasswordForm, UserForm
from compapp.audit.actions import action_name, target_name
from compapp.audit.models import AuditEntry
from compapp.audit.queries import audit_actions, audit_query
from compapp.audit.services import record_change, says, snapshot, summary_text
from compapp.auth.access import admin_required, public
from compapp.auth.models import User
from compapp.auth.queries import user_named, users_in_order
from compapp.contests import queries as contest_queries
from compapp.contests.models import Coach, Competitor, OrganisingBody
from compapp.core.idnumber import normalise_id_number
from compapp.core.messages import N_
from compapp.core.xlsx import csv_row
from compapp.downloads import CSV, download
from compapp.extensions import db, limiter
from compapp.formtools import ConfirmForm, options
from compapp.i18n import refusal_text
from compapp.paging import sorted_page
from compapp.reference import queries as reference_queries
from compapp.reference.models import Jurisdiction

bp = Blueprint("accounts", __name__)

SCOPE_FIELD = {
    "organiser": "organising_body_id",
    "finance": "jurisdiction_code",
    "coach": "coach_id",
    "winner": "competitor_id",
}


def prepare(form: UserForm) -> None:
    none = [("", "—")]
    form.organising_body_id.choices = options(
        none + [(b.id, b.name) for b in contest_queries.bodies()]
    )
    form.jurisdiction_code.choices = options(
        none + [(j.code, f"{j.code} {j.name}") for j in reference_queries.jurisdictions()]
    )


SCOPE_MODEL = {
    "organising_body_id": OrganisingBody,
    "jurisdiction_code": Jurisdiction,
    "coach_id": Coach,
    "competitor_id": Competitor,
}


def scope_exists(field: str, value: str) -> bool:
    """Whether the chosen scope record exists (a stale or forged id is refused, not saved)."""
    key: object = value
    if field != "jurisdiction_code":
        if not str(value).isdigit():
            return False
        key = int(value)
    return db.session.get(SCOPE_MODEL[field], key) is not None


def find_scope(field: str, text: str) -> tuple[object | None, str | None]:
    """Return the scope key the form's text names, or None and why it names none.

    A coach is named by ID number or record number, never by name (two coaches may share a
    name); a winner by ID number or record number.
    """
    text = text.strip()
    if field == "coach_id" and len(text) > 10:
        number = normalise_id_number(text)
        coach = contest_queries.coach_id_with_number(number)
        if coach is None:
            return None, _("找不到身份证号码为 %(number)s 的教练，请核对。", number=number)
        return coach, None
    if field == "coach_id" and not text.isdigit():
        return None, _(
            "请填写教练的身份证号码（或教练编号）：账户按身份证号码关联教练，同名的教练按姓名无法区分。"
        )
    if field == "competitor_id" and len(text) > 10:
        number = normalise_id_number(text)
        person = contest_queries.competitor_id_with_number(number)
        if person is None:
            return None, _("找不到身份证号码为 %(number)s 的选手，请核对。", number=number)
        return person, None
    if not scope_exists(field, text):
        return None, _("所选范围不存在，请重新选择。")
    return (text if field == "jurisdiction_code" else int(text)), None


def linked_names(user: User | None) -> dict[str, str]:
    """The coach's name and the competitor's name and masked ID number the user is linked to."""
    names = {}
    if user is not None and user.coach_id:
        coach = db.session.get(Coach, user.coach_id)
        names["coach_id"] = f"{coach.name} {coach.masked_id}".strip()
    if user is not None and user.competitor_id:
        person = db.session.get(Competitor, user.competitor_id)
        names["competitor_id"] = f"{person.name} {person.masked_id}"
    return names


def apply_form(form: UserForm, user: User) -> list[tuple]:
    """Copy the form onto ``user``; return (field, message) problems (nothing applied then)."""
    role = form.role.data
    problems = []
    field = SCOPE_FIELD.get(role)
    scope = None
    if field and not (getattr(form, field).data or "").strip():
        problems.append((field, _("该角色须指定其范围。")))
    elif field:
        scope, why = find_scope(field, getattr(form, field).data)
        if why:
            problems.append((field, why))
    clash = user_named(form.username.data)
    if clash is not None and clash is not user:
        problems.append(("username", _("该用户名已被使用。")))
    if problems:
        return problems
    user.username = form.username.data.strip()
    user.display_name = form.display_name.data.strip()
    user.role = role
    was_active = user.active is not False and user.id is not None
    user.active = form.active.data
    if was_active and not user.active:
        services.deactivate_user(user, current_user)
    for name in SCOPE_FIELD.values():
        setattr(user, name, scope if name == field else None)
    return []


@bp.route("/accounts/")
@admin_required
def index():
    users = users_in_order()
    return render_template("accounts/index.html", users=users)


@bp.route("/accounts/new", methods=["GET", "POST"])
@bp.route("/accounts/<int:user_id>/edit", methods=["GET", "POST"])
@admin_required
def edit(user_id: int | None = None):
    user = db.session.get(User, user_id) if user_id else None
    if user_id and user is None:
        abort(404)
    form = UserForm(obj=user)
    prepare(form)
    if request.method == "GET" and user is not None:
        for name in SCOPE_FIELD.values():
            value = getattr(user, name)
            getattr(form, name).data = "" if value is None else str(value)
    invite_url = None
    if form.validate_on_submit():
        before = snapshot(user, services.USER_FIELDS) if user else None
        target = user or User(username="", display_name="", role=form.role.data)
        problems = apply_form(form, target)
        if problems:
            for field, message in problems:
                getattr(form, field).errors.append(message)
        else:
            if user is None:
                db.session.add(target)
                db.session.flush()
            record_change(
                "update_user" if user else "create_user",
                "user",
                target.id,
                says(N_("账户 %(user)s"), user=target.username),
                before=before,
                after=snapshot(target, services.USER_FIELDS),
            )
            if user is None and target.active:
                token = services.create_invitation(target, current_user)
                db.session.commit()
                invite_url = url_for("accounts.accept", token=token, _external=True)
                return render_template("accounts/invited.html", user=target, url=invite_url)
            db.session.commit()
            flash(_("已保存账户 %(name)s。", name=target.username), "success")
            return redirect(url_for("accounts.index"))
    return render_template("accounts/edit.html", form=form, user=user, linked=linked_names(user))


@bp.route("/accounts/<int:user_id>/invite", methods=["POST"])
@admin_required
def invite(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        token = services.create_invitation(user, current_user)
    except services.InvitationRefused as exc:
        db.session.rollback()
        flash(refusal_text(exc), "error")
        return redirect(url_for("accounts.edit", user_id=user.id))
    db.session.commit()
    return render_template(
        "accounts/invited.html",
        user=user,
        url=url_for("accounts.accept", token=token, _external=True),
    )


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
@public
def accept(token: str):
    invitation = services.find_invitation(token)
    if invitation is None:
        return render_template(
            "error.html",
            status=410,
            title=_("链接已失效"),
            message=_("邀请链接无效、已使用或已过期。请联系管理员重新发送。"),
        ), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            services.accept_invitation(invitation, form.password.data)
        except services.InvitationRefused as exc:
            return render_template(
                "error.html", status=409, title=_("链接已失效"), message=refusal_text(exc)
            ), 409
        db.session.commit()
        flash(_("密码已设置，请登录。"), "success")
        return redirect(url_for("auth.login"))
    return render_template("accounts/accept.html", form=form, user=invitation.user)


@bp.route("/audit/")
@admin_required
def audit():

    entries = sorted_page(
        audit_query(request.args),
        {
            "at": AuditEntry.id,  # ids follow the time of writing
            "user": AuditEntry.username,
            "action": AuditEntry.action,
            "target": AuditEntry.target_type,
        },
        default="-at",
        tiebreak=AuditEntry.id,
    )
    actions = audit_actions()
    return render_template(
        "accounts/audit.html",
        entries=entries,
        actions=actions,
        summary_text=summary_text,
        action_name=action_name,
        target_name=target_name,
    )


@bp.route("/audit/export.csv")
@admin_required
def audit_export():
    import json

    out = io.StringIO()
    writer = csv.writer(out)
    # Names and summaries are typed by people: no field may start like a formula.
    writer.writerow(
        [
            "id",
            "at_utc",
            "user",
            "action",
            "target_type",
            "target_id",
            "summary",
            "before",
            "after",
            "ip",
        ]
    )
    for e in db.session.scalars(audit_query(request.args)):
        writer.writerow(
            csv_row(
                [
                    e.id,
                    e.at.isoformat(),
                    e.username or "",
                    e.action,
                    e.target_type,
                    e.target_id or "",
                    summary_text(e),
                    json.dumps(e.before, ensure_ascii=False) if e.before is not None else "",
                    json.dumps(e.after, ensure_ascii=False) if e.after is not None else "",
                    e.ip or "",
                ]
            )
        )
    return download(
        ("\ufeff" + out.getvalue()).encode(), f"审计日志_{date.today().isoformat()}.csv", CSV
    )
