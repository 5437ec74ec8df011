"""Error pages in the user's language, and JSON errors under /api/."""

from __future__ import annotations

from flask import Flask, g, render_template, request, session
from flask_babel import gettext as _
from sqlalchemy.exc import OperationalError

from compapp.extensions import db, login_manager


def init_app(app: Flask) -> None:
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

    @app.errorhandler(500)
    def server_error(_error):
        db.session.rollback()
        return page(500, _("系统错误"), _("处理请求时发生错误，操作没有保存。请稍后重试。"))
