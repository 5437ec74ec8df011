"""Wire blueprints, the sign-in guard, error pages, template helpers and CLI commands."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from flask import Flask, g, render_template, request, session
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.routing import IntegerConverter

from compapp.core.money import format_yuan, format_yuan_short, from_fen
from compapp.extensions import db, login_manager

# Record ids are PostgreSQL integers: a larger number in a URL or form is no record (404),
# never a query that overflows.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<int:…>`` in every route: a non-negative integer up to ``MAX_ID``, else 404."""

    def __init__(self, url_map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def record_id(text: str) -> int:
    """Read a record id from a request value (``type=record_id``); ValueError when out of range."""
    value = int(text)
    if not 0 < value <= MAX_ID:
        raise ValueError(text)
    return value


def public(view: Callable) -> Callable:
    """Mark a view as reachable without signing in."""
    view.is_public = True  # type: ignore[attr-defined]
    return view


def register_web(app: Flask) -> None:
    """Register blueprints, guards, error handlers, filters and commands on ``app``."""
    from compapp.accounts.views import bp as accounts_bp
    from compapp.api import bp as api_bp
    from compapp.auth.sessions import SESSION_KEY, session_user
    from compapp.auth.views import bp as auth_bp
    from compapp.certificates.views import bp as certificates_bp
    from compapp.citing.views import bp as citing_bp
    from compapp.contests.review_views import bp as review_bp
    from compapp.contests.views import bp as contests_bp
    from compapp.disclosure.views import bp as disclosure_bp
    from compapp.finance.views import bp as finance_bp
    from compapp.help.views import bp as help_bp
    from compapp.honours.views import bp as honours_bp
    from compapp.imports.views import bp as imports_bp
    from compapp.jobs.exports import bp as exports_bp
    from compapp.main import bp as main_bp
    from compapp.notifications.views import bp as notifications_bp
    from compapp.payees.views import bp as payees_bp
    from compapp.people.views import bp as people_bp
    from compapp.policies.views import bp as policies_bp
    from compapp.portal.views import bp as portal_bp
    from compapp.promotion.bulk_views import bp as promotion_bulk_bp
    from compapp.promotion.views import bp as promotion_bp
    from compapp.reference.views import bp as reference_bp
    from compapp.revocation.views import bp as revocation_bp
    from compapp.rewards.views import bp as rewards_bp

    app.url_map.converters["int"] = IdConverter
    for blueprint in (
        main_bp,
        auth_bp,
        contests_bp,
        reference_bp,
        api_bp,
        rewards_bp,
        promotion_bp,
        imports_bp,
        certificates_bp,
        finance_bp,
        portal_bp,
        accounts_bp,
        payees_bp,
        review_bp,
        promotion_bulk_bp,
        disclosure_bp,
        revocation_bp,
        notifications_bp,
        help_bp,
        people_bp,
        policies_bp,
        citing_bp,
        honours_bp,
        exports_bp,
    ):
        app.register_blueprint(blueprint)

    login_manager.login_view = "auth.login"
    login_manager.login_message = None

    @login_manager.user_loader
    def load_user(user_id: str) -> object | None:
        # Signed in only while the session's row is open (compapp.auth.sessions).
        return session_user(user_id, session.get(SESSION_KEY))

    @app.before_request
    def remember_language():
        # Kept even when the page only redirects (e.g. the home page of a coach).
        asked = request.args.get("lang")
        if asked in app.config["LANGUAGES"]:
            session["lang"] = asked

    @app.before_request
    def require_sign_in():
        if request.endpoint is None or request.endpoint == "static":
            return None
        view = app.view_functions.get(request.endpoint)
        if getattr(view, "is_public", False):
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return None

    register_error_pages(app)
    register_template_helpers(app)

    from compapp.cli import register_cli

    register_cli(app)


def register_error_pages(app: Flask) -> None:
    """Show errors as pages in the user's language (JSON under /api/)."""

    def wants_json() -> bool:
        return request.path.startswith("/api/")

    def page(status: int, title: str, message: str):
        if wants_json():
            return {"error": {"code": str(status), "field": None, "message": message}}, status
        return render_template("error.html", status=status, title=title, message=message), status

    @app.errorhandler(400)
    def bad_request(_error):
        return page(400, _("请求有误"), _("提交的内容无法处理，请返回上一页重试。"))

    @app.errorhandler(403)
    def forbidden(_error):
        return page(403, _("无权访问"), _("您的账户无权查看此页面。"))

    @app.errorhandler(404)
    def not_found(_error):
        return page(404, _("页面不存在"), _("找不到您要的页面或记录。"))

    @app.errorhandler(405)
    def method_not_allowed(error):
        response = page(405, _("请求方式不对"), _("此地址不接受这种请求方式。"))
        body, status = response
        allowed = getattr(error, "valid_methods", None) or []
        return body, status, {"Allow": ", ".join(allowed)} if allowed else {}

    @app.errorhandler(413)
    def too_large(_error):
        return page(413, _("文件过大"), _("上传的文件超过允许的大小。"))

    @app.errorhandler(429)
    def too_many(_error):
        return page(429, _("请求过于频繁"), _("尝试次数过多，请稍后再试。"))

    @app.errorhandler(OperationalError)
    def database_unavailable(error):
        app.logger.error("database unavailable: 503", exc_info=error)
        # Nothing here may touch the database: not the signed-in user (whose attributes the
        # rollback expired), not the menu. The page is self-contained.
        try:
            db.session.rollback()
        except OperationalError:
            pass
        db.session.remove()
        # Templates' context processors would load the user from the database otherwise.
        g._login_user = login_manager.anonymous_user()
        title = _("服务暂不可用")
        message = _("数据库暂时无法连接，您的操作没有保存。请稍后重试；如持续出现，请联系管理员。")
        if wants_json():
            body = {"error": {"code": "service_unavailable", "field": None, "message": message}}
            return body, 503, {"Retry-After": "30"}
        html = render_template(
            "unavailable.html",
            status=503,
            title=title,
            message=message,
            retry=_("重试"),
            lang=session.get("lang"),
            request_id=g.get("request_id"),
        )
        return html, 503, {"Retry-After": "30"}

    @app.errorhandler(StaleDataError)
    def changed_meanwhile(_error):
        # A versioned record (a result, a promotion case) changed between reading and writing:
        # the database refused the write (compare-and-set); nothing of this request is kept.
        db.session.rollback()
        return page(
            409,
            _("内容已被他人修改"),
            _(
                "在您操作期间，这条记录已被他人修改，您的操作没有保存。请返回刷新后，核对最新内容再操作。"
            ),
        )

    @app.errorhandler(500)
    def server_error(_error):
        db.session.rollback()
        return page(500, _("系统错误"), _("处理请求时发生错误，操作没有保存。请稍后重试。"))


def register_template_helpers(app: Flask) -> None:
    """Filters for money, dates and labels used by every template."""

    @app.template_filter("yuan")
    def yuan_filter(value) -> str:
        if value is None:
            return ""
        if isinstance(value, int) and not isinstance(value, bool):
            value = from_fen(value)
        return format_yuan(Decimal(value))

    @app.template_filter("yuan_short")
    def yuan_short_filter(value) -> str:
        if isinstance(value, int) and not isinstance(value, bool):
            value = from_fen(value)
        return format_yuan_short(Decimal(value))

    @app.template_filter("cndate")
    def date_filter(value: date | None) -> str:
        from compapp.core.dates import format_date

        if value is None:
            return ""
        if str(get_locale()) == "en":
            return value.strftime("%Y-%m-%d")
        return format_date(value, "arabic")

    @app.template_filter("cntime")
    def time_filter(value) -> str:
        """A stored (UTC) timestamp in Beijing time: 2026年12月3日 14:05."""
        from compapp.core.dates import format_datetime

        if value is None:
            return ""
        return format_datetime(value, str(get_locale()))

    @app.context_processor
    def inject_helpers():
        from compapp import labels
        from compapp.citing.services import honour_citation, line_citation, promotion_citation
        from compapp.policy.subsidies import subsidies_for

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
    from flask import url_for

    from compapp.help.views import guide_for

    if not current_user.is_authenticated:
        return url_for("help.index")
    return url_for("help.guide", role=guide_for(current_user.role))


def language_url(lang: str) -> str:
    """Return this page's address in ``lang``, keeping its filters, sorting and page."""
    from flask import url_for

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
