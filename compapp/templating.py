"""What every template can use: money and date filters, labels, citations, the menu."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import Flask, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from compapp import labels
from compapp.citing.services import honour_citation, line_citation, promotion_citation
from compapp.core.dates import format_date, format_datetime
from compapp.core.money import format_yuan, format_yuan_short, from_fen
from compapp.english import recorded, recorded_in_chinese, shown, shown_reason
from compapp.help.guides import guide_for
from compapp.policy.subsidies import subsidies_for


def yuan_filter(value) -> str:
    """Money (integer fen or a decimal) as "¥1,234.50"; blank for None."""
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        value = from_fen(value)
    return format_yuan(Decimal(value))


def yuan_short_filter(value) -> str:
    """Money (integer fen or a decimal) as "¥1,234"."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = from_fen(value)
    return format_yuan_short(Decimal(value))


def date_filter(value: date | None) -> str:
    """A date in the page's language; blank for None."""
    if value is None:
        return ""
    if str(get_locale()) == "en":
        return value.strftime("%Y-%m-%d")
    return format_date(value, "arabic")


def time_filter(value) -> str:
    """A stored (UTC) timestamp in Beijing time: 2026年12月3日 14:05."""
    if value is None:
        return ""
    return format_datetime(value, str(get_locale()))


def shown_filter(value):
    """A sentence compapp stores in Chinese, read in the page's language (compapp.english)."""

    return shown(value)


def reason_filter(value):
    """A promotion case's stored reason, in the page's language (compapp.english)."""

    return shown_reason(value)


def recorded_filter(value):
    """A recorded step ([msgid, values]) in the page's language; an old step stored as
    Chinese text is marked as Chinese (lang="zh-CN") on an English page."""
    from markupsafe import Markup, escape

    if recorded_in_chinese(value) and str(get_locale()) == "en":
        return Markup('<span lang="zh-CN">%s</span>') % escape(value)
    return recorded(value)


FILTERS = {
    "yuan": yuan_filter,
    "yuan_short": yuan_short_filter,
    "cndate": date_filter,
    "cntime": time_filter,
    "shown": shown_filter,
    "reason": reason_filter,
    "recorded": recorded_filter,
}


def init_app(app: Flask) -> None:
    """Filters for money, dates and labels used by every template."""
    for name, function in FILTERS.items():
        app.add_template_filter(function, name)

    @app.context_processor
    def inject_helpers():
        return {
            "labels": labels,
            "cite_line": line_citation,
            "cite_promotion": promotion_citation,
            "cite_honour": honour_citation,
            "training_subsidies": subsidies_for,
            "current_locale": str(get_locale()),
            "nav_items": lambda: nav_items(app),
            "language_url": language_url,
            "help_url": help_url,
        }


def help_url() -> str:
    """The guide for the signed-in person's role (the list of guides for visitors)."""
    if not current_user.is_authenticated:
        return url_for("help.index")
    return url_for("help.guide", role=guide_for(current_user.role))


def language_url(lang: str) -> str:
    """Return this page's address in ``lang``, keeping its filters, sorting and page."""
    if request.endpoint is None:
        return url_for("main.index", lang=lang)
    args = {}
    if request.method == "GET":
        args = {k: v for k, v in request.args.to_dict(flat=False).items() if k != "lang"}
    args.update(request.view_args or {})
    return url_for(request.endpoint, **args, lang=lang)


NAV = (
    # endpoint, label msgid, roles that see it
    ("main.index", _l("首页"), None),
    ("contests.index", _l("赛事"), ("admin", "organiser")),
    ("portal.coach", _l("我的参赛队"), ("coach",)),
    ("portal.winner", _l("我的成绩"), ("winner",)),
    ("payees.mine", _l("收款账户"), ("coach", "winner")),
    ("contests.review", _l("成绩复核"), ("admin", "organiser")),
    ("finance.index", _l("奖励资金预算"), ("admin", "finance")),
    ("revocation.recoveries", _l("追回明细"), ("admin", "finance")),
    ("revocation.index", _l("撤销获奖"), ("admin", "organiser")),
    ("promotion.index", _l("等级晋升"), ("admin", "organiser")),
    ("honours.index", _l("荣誉奖励"), ("admin", "organiser")),
    ("imports.index", _l("批量导入"), ("admin", "organiser")),
    ("certificates.index", _l("证书"), ("admin", "organiser")),
    ("reference.index", _l("行政区划"), ("admin",)),
    ("promotion.calendar", _l("工作日历"), ("admin",)),
    ("policies.index", _l("政策文件"), None),
    ("rewards.what_if", _l("政策草案试算"), ("admin",)),
    ("accounts.index", _l("账户"), ("admin",)),
    ("accounts.audit", _l("审计日志"), ("admin",)),
    ("disclosure.public_index", _l("获奖名单公开"), None),
    ("people.search", _l("查找人员"), ("admin", "organiser", "finance")),
)


def nav_items(app: Flask) -> list[tuple[str, str, bool]]:
    """Return the menu entries the signed-in user may open, the current one marked.

    The current entry is the one whose page is shown, else the first of the same section
    (a contest's page marks 赛事).
    """
    items = []
    for endpoint, label, roles in NAV + tuple(app.config.get("EXTRA_NAV", ())):
        if endpoint not in app.view_functions:
            continue
        if roles is None or current_user.role in roles:
            items.append((endpoint, str(label)))
    shown = request.endpoint or ""
    current = next((e for e, _label in items if e == shown), None)
    if current is None and "." in shown:
        section = shown.split(".", 1)[0] + "."
        current = next((e for e, _label in items if e.startswith(section)), None)
    return [(endpoint, label, endpoint == current) for endpoint, label in items]
