"""待我处理: what awaits the signed-in person, and their notifications."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm

from compapp.auth import sessions
from compapp.certificates.services import today_local
from compapp.core.messages import N_
from compapp.extensions import db
from compapp.notifications import services

bp = Blueprint("notifications", __name__)

# A task's sentence with its count (%(num)s): English needs the singular for one
# ("1 objection"), so it is read with ngettext; the calendar's has no count.
TASK_TEXT = {
    "results": N_("%(num)s 条成绩等待您复核"),
    "promotions": N_("%(num)s 个晋升案件等待确认"),
    "titles": N_("%(num)s 个称号等待核准"),
    "objections": N_("%(num)s 条公示异议等待调查处理"),
    "reissue": N_("%(num)s 份已撤销的证书尚未补发"),
    "calendar": N_("工作日历即将到期：请录入下一年的节假日安排，否则无法计算公示期"),
    "lines": N_("%(num)s 条本级财政承担的奖励明细等待确认"),
    "unpaid": N_("%(num)s 条已确认的奖励明细尚未登记支付"),
}


def task_text(task: services.Task) -> str:
    text = TASK_TEXT[task.key]
    if "%(num)s" not in text:
        return _(text)
    # Chinese has one form; the catalog gives English its singular and plural.
    return ngettext(text, text, task.count)


def notification_text(n) -> str:
    message = services.MESSAGES.get(n.kind, (n.kind, None))[0]
    params = {k: v for k, v in n.params.items() if not k.startswith("_")}
    return _(message, **params)


def notification_url(n) -> str:
    try:
        return url_for(n.link, **n.params.get("_args", {}))
    except Exception:  # an endpoint renamed since: the list still opens
        return url_for("notifications.todo")


def header_count() -> int:
    """The number beside 待我处理 in the header: tasks waiting plus unread notifications."""
    if not current_user.is_authenticated:
        return 0
    tasks = services.tasks_for(current_user, today_local())
    return sum(1 if t.key == "calendar" else t.count for t in tasks) + services.unread_count(
        current_user.id
    )


@bp.route("/todo/count")
def count():
    """The header's number, fetched after the page is shown (pages stay as quick as they were).
    Its answer never writes the session cookie (compapp.auth.sessions.SessionCookie)."""
    sessions.read_only()
    n = header_count()
    return {"count": n, "label": _("%(n)s 项待处理", n=n)}


@bp.route("/todo")
def todo():
    tasks = services.tasks_for(current_user, today_local())
    notes = services.visible(current_user.id)
    return render_template(
        "notifications/todo.html",
        tasks=tasks,
        notes=notes,
        form=None,
        action_form=FlaskForm(),
        task_text=task_text,
        notification_text=notification_text,
        notification_url=notification_url,
    )


def _own(notification_id: int):
    if not FlaskForm().validate_on_submit():
        abort(400)
    found = services.own_notification(current_user.id, notification_id)
    if found is None:
        abort(404)
    return found


@bp.route("/notifications/<int:notification_id>/open", methods=["POST"])
def open_notification(notification_id: int):
    note = _own(notification_id)
    services.mark_read(note)
    db.session.commit()
    return redirect(notification_url(note), 303)


@bp.route("/notifications/<int:notification_id>/dismiss", methods=["POST"])
def dismiss(notification_id: int):
    services.dismiss(_own(notification_id))
    db.session.commit()
    return redirect(url_for("notifications.todo"), 303)


@bp.route("/notifications/read-all", methods=["POST"])
def read_all():
    if not FlaskForm().validate_on_submit():
        abort(400)
    services.mark_all_read(current_user.id)
    db.session.commit()
    return redirect(url_for("notifications.todo"), 303)
