"""compapp: vocational skills competition awards for Yunnan."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Create the compapp application; ``test_config`` overrides the environment."""
    import os

    from compapp.config import load_config

    app = Flask(
        __name__,
        instance_path=os.environ.get("COMPAPP_INSTANCE_PATH") or str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_mapping(load_config(app.instance_path, test_config))
    app.json.ensure_ascii = False  # the API answers in readable Chinese (UTF-8)

    from compapp import models  # noqa: F401  (every model registered on the metadata)
    from compapp.extensions import babel, csrf, db, limiter, login_manager, migrate
    from compapp.i18n import select_locale

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(ROOT / "compapp" / "translations"),
    )
    limiter.init_app(app)
    from compapp.headers import init_headers

    init_headers(app)

    from compapp import observability
    from compapp.web import register_web

    observability.init_app(app)
    register_web(app)
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # The client's address and scheme as the configured number of proxies forwarded them.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    return app
