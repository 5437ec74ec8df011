"""Language selection: Chinese first, English on request (?lang=en, kept in the session)."""

from __future__ import annotations

from flask import Flask, current_app, g, has_app_context, request, session
from flask_babel import Domain, gettext

from compapp.core.refusals import Refusal


def select_locale() -> str:
    """Pick the page language: ?lang=…, then the session, then Chinese."""
    languages = current_app.config["LANGUAGES"]
    asked = request.args.get("lang")
    if asked in languages:
        session["lang"] = asked
        return asked
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def refusal_text(refusal: Refusal) -> str:
    """Say why a service refused, in the page's language (the one place refusals are shown)."""
    return gettext(refusal.msgid, **refusal.values)


class CatalogDomain(Domain):
    """flask_babel's message domain, finding the catalog of the page's language faster.

    A page asks for a translation hundreds of times (a budget page of 100 lines: about 650);
    flask_babel looks the language up again each time and names it (``str(locale)``) to find
    its catalog. This keeps the catalog found with the request's language, beside it, for
    as long as the language is the same object: a language forced for a while
    (``force_locale``: a job in its asker's language, a notice in Chinese) is another object,
    so its catalog is looked up, and the request's is again afterwards.
    """

    def get_translations(self):
        context = g.get("_flask_babel") if has_app_context() else None
        locale = getattr(context, "babel_locale", None)
        if locale is None:
            return super().get_translations()
        kept = getattr(context, "compapp_catalog", None)
        if kept is None or kept[0] is not locale:
            kept = context.compapp_catalog = (locale, super().get_translations())
        return kept[1]


def install_catalogs(app: Flask, babel) -> None:
    """Use ``CatalogDomain`` for ``gettext`` in Python and in templates."""
    domain = vars(babel).get("domain_instance")  # flask_babel's cached property, if made
    if not isinstance(domain, CatalogDomain):
        domain = babel.domain_instance = CatalogDomain(
            domain=app.extensions["babel"].default_domain
        )
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: domain.get_translations().ugettext(s),
        ngettext=lambda s, p, n: domain.get_translations().ungettext(s, p, n),
        pgettext=lambda c, s: domain.get_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: domain.get_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )


def init_app(app: Flask) -> None:
    """Remember a language asked for, even on a page that only redirects (a coach's home)."""

    @app.before_request
    def remember_language():
        asked = request.args.get("lang")
        if asked in app.config["LANGUAGES"]:
            session["lang"] = asked
