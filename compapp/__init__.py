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

    from compapp import (
        cli,
        errors,
        headers,
        i18n,
        models,  # noqa: F401  (every table registered on the metadata)
        observability,
        routing,
        templating,
        transactions,
    )
    from compapp.auth import access
    from compapp.extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    transactions.init_app(app)  # after db: its teardown runs before the session's removal
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        default_translation_directories=str(ROOT / "compapp" / "translations"),
    )
    i18n.install_catalogs(app, babel)
    limiter.init_app(app)
    headers.init_app(app)
    observability.init_app(app)
    routing.init_app(app)
    i18n.init_app(app)
    access.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    cli.init_app(app)
    for blueprint in blueprints():
        app.register_blueprint(blueprint)
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # The client's address and scheme as the configured number of proxies forwarded them.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    return app


def blueprints() -> list:
    """Every page of compapp, by blueprint (imported here: the views need the app's parts)."""
    from compapp.accounts.views import bp as accounts_bp
    from compapp.api import bp as api_bp
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

    return [
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
    ]
