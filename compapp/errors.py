"""Error pages in the user's language, and JSON errors under /api/."""

from __future__ import annotations

from flask import Flask, current_app, g, render_template, request, session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from compapp.extensions import db, login_manager

# status -> (title, message) of the page that says it.
PAGES = {
    400: (_l("请求有误"), _l("提交的内容无法处理，请返回上一页重试。")),
    403: (_l("无权访问"), _l("您的账户无权查看此页面。")),
    404: (_l("页面不存在"), _l("找不到您要的页面或记录。")),
    405: (_l("请求方式不对"), _l("此地址不接受这种请求方式。")),
    413: (_l("文件过大"), _l("上传的文件超过允许的大小。")),
    429: (_l("请求过于频繁"), _l("尝试次数过多，请稍后再试。")),
    500: (_l("系统错误"), _l("处理请求时发生错误，操作没有保存。请稍后重试。")),
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def page(status: int, title: str, message: str):
    """The error as a page (as the API's error body under /api/)."""
    if wants_json():
        return {"error": {"code": str(status), "field": None, "message": message}}, status
    return render_template("error.html", status=status, title=title, message=message), status


def http_error(error):
    """An HTTP error (400, 403, 404, 405, 413, 429) as its page; 405 names what is allowed."""
    title, message = PAGES[error.code]
    body, status = page(error.code, str(title), str(message))
    allowed = getattr(error, "valid_methods", None) or []
    if error.code == 405 and allowed:
        return body, status, {"Allow": ", ".join(allowed)}
    return body, status


def form_expired(_error):
    """A form's security token no longer matches the session (the person signed out or in
    elsewhere, or the session ended): say so, and offer the form again."""
    message = _(
        "此页面已过期（例如期间在别处退出或重新登录过），您的操作没有保存。"
        "请重新打开此页面，再填写提交。"
    )
    if wants_json():
        return page(400, "", message)
    # The form's own page, where it is one (a POST-only action has none: home instead).
    rule = request.url_rule
    again = None
    if rule is not None and "GET" in (rule.methods or ()):
        again = request.full_path if request.query_string else request.path
    html = render_template(
        "error.html", status=400, title=_("页面已过期"), message=message, again=again
    )
    return html, 400


def changed_meanwhile(_error):
    """A versioned record (a result, a promotion case) changed between reading and writing:
    the database refused the write (compare-and-set); nothing of this request is kept."""
    db.session.rollback()
    return page(
        409,
        _("内容已被他人修改"),
        _(
            "在您操作期间，这条记录已被他人修改，您的操作没有保存。请返回刷新后，核对最新内容再操作。"
        ),
    )


def server_error(_error):
    db.session.rollback()
    title, message = PAGES[500]
    return page(500, str(title), str(message))


def database_unavailable(error):
    """The database cannot be reached: a self-contained 503 page (Retry-After 30 s)."""
    current_app.logger.error("database unavailable: 503", exc_info=error)
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


def init_app(app: Flask) -> None:
    """Show errors as pages in the user's language (JSON under /api/)."""
    for status in (400, 403, 404, 405, 413, 429):
        app.register_error_handler(status, http_error)
    app.register_error_handler(CSRFError, form_expired)
    app.register_error_handler(OperationalError, database_unavailable)
    app.register_error_handler(StaleDataError, changed_meanwhile)
    app.register_error_handler(500, server_error)
