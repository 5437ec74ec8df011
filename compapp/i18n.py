"""Language selection: Chinese first, English on request (?lang=en, kept in the session)."""

from __future__ import annotations

from flask import Flask, current_app, request, session
from flask_babel import gettext

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


def init_app(app: Flask) -> None:
    """Remember a language asked for, even on a page that only redirects (a coach's home)."""

    @app.before_request
    def remember_language():
        asked = request.args.get("lang")
        if asked in app.config["LANGUAGES"]:
            session["lang"] = asked
