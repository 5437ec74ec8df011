"""The web side of binding a confirmation to what the person saw (compapp.core.seen).

A page puts ``seen_token(kind, key, view)`` in a hidden ``seen`` field of its form; the view
that handles the post reads it back with ``seen_from_form`` and hands the result to the
service; when the service refuses, ``refusal_message`` tells the person what happened.
"""

from __future__ import annotations

from flask import current_app, request
from flask_babel import format_datetime
from flask_babel import gettext as _

from compapp import labels
from compapp.core.money import format_yuan, from_fen
from compapp.core.seen import AlreadyDone, Change, Changed, make_token, read_token
from compapp.extensions import db
from compapp.promotion.services import status_name, title_status_name
from compapp.reference.models import Jurisdiction

FIELD = "seen"


def seen_token(kind: str, key: object, view: dict) -> str:
    """Return the token a form carries for ``view`` of the record ``kind``/``key``."""
    return make_token(current_app.config["SECRET_KEY"], kind, key, view)


def seen_from_form(kind: str, key: object) -> dict | None:
    """Return the view the posted form was made with (None: missing, forged or another's)."""
    return read_token(current_app.config["SECRET_KEY"], kind, key, request.form.get(FIELD))


def seen_from_field(kind: str, key: object, field: str) -> dict | None:
    """Return the view a token posted in ``field`` was made with: a page confirming many
    records at once carries one token per record, each in a field of its own."""
    return read_token(current_app.config["SECRET_KEY"], kind, key, request.form.get(field))


def _names(value) -> str:
    return "、".join(str(v) for v in value) if value else "—"


# How a field's value reads (the field names are msgids; compapp.core.messages.N_ marks them).
FORMATS = {
    "赛事类别": labels.category,
    "赛项形式": labels.event_format,
    "名次": lambda v: _("第 %(n)s 名", n=v),
    "并列": lambda v: _("是") if v else _("否"),
    "奖项": lambda v: labels.result(*v) if v else "—",
    "选手": _names,
    "教练团队": _names,
    "教练团队分配比例": lambda v: "、".join("—" if x is None else f"{x}%" for x in v) or "—",
    "复核状态": labels.status,
    "成绩复核状态": labels.status,
    "现有等级": labels.grade,
    "拟晋升等级": labels.grade,
    "待确认合计": lambda v: format_yuan(from_fen(v)),
    "待支付合计": lambda v: format_yuan(from_fen(v)),
    "主办地区": lambda v: _jurisdiction_name(v),
    "待确认明细": lambda _v: _("（明细有变化）"),
    "待支付明细": lambda _v: _("（明细有变化）"),
}


def _jurisdiction_name(code: str) -> str:

    found = db.session.get(Jurisdiction, code)
    return f"{found.name}（{code}）" if found is not None else str(code)


def value_text(field: str, value) -> str:
    """Return a view's value as the page shows it."""
    if value is None or value == "":
        return "—"
    if field == "晋升状态":
        return status_name(value)
    if field == "称号核准":
        return title_status_name(value)
    format_ = FORMATS.get(field)
    return str(format_(value)) if format_ else str(value)


def change_text(change: Change) -> str:
    """One change as a sentence part: "奖项：银牌 → 金牌"."""
    if change.field in ("待确认明细", "待支付明细"):
        return _("所列明细有变化")
    return _(
        "%(field)s：%(before)s → %(now)s",
        field=_(change.field),
        before=value_text(change.field, change.before),
        now=value_text(change.field, change.now),
    )


def refusal_message(exc: Changed | AlreadyDone) -> str:
    """Tell the person plainly that nothing was confirmed, and why."""
    if isinstance(exc, AlreadyDone):
        when = format_datetime(exc.at, "yyyy-MM-dd HH:mm") if exc.at else ""
        text = _(
            "%(who)s 已于 %(when)s 办理了这一操作，您的这次提交没有重复记录。",
            who=exc.by or _("另一位用户"),
            when=when or _("刚才"),
        )
        if exc.detail:
            text += _("（已记录的凭证：%(detail)s）", detail=exc.detail)
        return text
    if exc.unknown or not exc.changes:
        return _("页面已过期或内容已被他人修改，本次没有确认。请刷新页面，核对最新内容后再确认。")
    return _(
        "您打开页面后，内容已被他人修改，本次没有确认。变化：%(changes)s。请核对后再确认。",
        changes="；".join(change_text(c) for c in exc.changes),
    )
