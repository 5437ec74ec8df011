"""Sign in and out, and change one's own password."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from compapp.audit.services import record_change, says
from compapp.auth import limits, sessions
from compapp.auth.access import public
from compapp.auth.forms import ChangePasswordForm, LoginForm
from compapp.auth.models import verify_sign_in
from compapp.auth.queries import user_named
from compapp.core.messages import N_
from compapp.extensions import db, limiter
from compapp.observability import SIGN_IN_FAILURES

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Return ``target`` if it is a path on this site, else the home page."""
    if target and target.startswith("/") and not urlsplit(target).netloc and "//" not in target:
        return target
    return url_for("main.index")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    limits.client_limit, key_func=limits.client_key, methods=["POST"], on_breach=limits.count_breach
)
@limiter.limit(
    limits.account_limit,
    key_func=limits.account_key,
    methods=["POST"],
    on_breach=limits.count_breach,
)
@public
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = user_named(form.username.data)
        if not verify_sign_in(user, form.password.data):
            form.password.errors.append(_("用户名或密码不正确。"))
            SIGN_IN_FAILURES.labels(reason="password").inc()
        else:
            lang = session.get("lang")
            session.clear()
            if lang:
                session["lang"] = lang
            session.permanent = True
            session[sessions.SESSION_KEY] = sessions.start_session(user)
            db.session.commit()
            login_user(user)
            return limits.remember_device(
                redirect(_safe_next(request.args.get("next"))), user.username
            )
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@public
def logout():
    # Ends the session in the database too: a copy of the cookie stops working as well.
    # "everywhere" ends every session of the account (a lost phone, a shared computer).
    if request.form.get("everywhere") and current_user.is_authenticated:
        sessions.end_user_sessions(current_user, "logout_everywhere")
    else:
        sessions.end_session(session.get(sessions.SESSION_KEY), "logout")
    db.session.commit()
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("您已退出。"), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("当前密码不正确。"))
        else:
            current_user.set_password(form.password.data)
            ended = sessions.end_user_sessions(
                current_user, "password_changed", keep=session.get(sessions.SESSION_KEY)
            )
            record_change(
                "change_password",
                "user",
                current_user.id,
                says(
                    N_("修改密码：%(user)s（结束其他 %(sessions)s 个登录）"),
                    user=current_user.username,
                    sessions=ended,
                ),
            )
            db.session.commit()
            flash(_("密码已修改；您在其他地方的登录已全部退出。"), "success")
            return redirect(url_for("main.index"))
    return render_template("auth/password.html", form=form)
