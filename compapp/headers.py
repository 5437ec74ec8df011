"""Security headers on every response, and no caching of signed-in pages.

Flask-Talisman sets the headers: pages may not be framed by another site (clickjacking:
X-Frame-Options DENY and CSP frame-ancestors 'none'), browsers may not guess content types
(X-Content-Type-Options: nosniff), other sites learn no paths (Referrer-Policy:
same-origin), and in production browsers keep to HTTPS (Strict-Transport-Security, sent on
HTTPS requests, including those nginx forwards with X-Forwarded-Proto: https). HTTPS itself
is nginx's job, so compapp never redirects. A page or download served to a signed-in user
is ``Cache-Control: no-store``: on a shared office computer the back button after signing out
shows no finance page.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_login import current_user
from flask_talisman import Talisman

# The templates still use inline scripts, handlers and style attributes: scripts may come only
# from compapp itself or the page; nothing may be framed, embedded or posted elsewhere.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": ["'self'", "'unsafe-inline'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
HSTS_SECONDS = 365 * 24 * 3600


def init_app(app: Flask) -> None:
    """Bind Flask-Talisman to ``app`` and mark signed-in responses as not to be stored."""
    production = app.config.get("ENV_NAME") == "production"

    # Registered before Talisman's hook, so it runs after it (Flask runs them in reverse).
    @app.after_request
    def policy_only_on_pages(response: Response) -> Response:
        # A PDF opened in the browser's viewer is not a page: a policy would only get in its way.
        if response.mimetype != "text/html":
            response.headers.pop("Content-Security-Policy", None)
        return response

    # One Talisman per application: it keeps its settings on itself, not on the app.
    app.extensions["talisman"] = Talisman(
        app,
        force_https=False,
        frame_options="DENY",
        content_security_policy=CONTENT_SECURITY_POLICY,
        referrer_policy="same-origin",
        strict_transport_security=production,
        strict_transport_security_max_age=HSTS_SECONDS,
        strict_transport_security_include_subdomains=False,
        # compapp's own settings decide the cookies (config.py: secure in production).
        session_cookie_secure=bool(app.config.get("SESSION_COOKIE_SECURE")),
        session_cookie_samesite=app.config.get("SESSION_COOKIE_SAMESITE", "Lax"),
    )

    @app.after_request
    def never_store_signed_in_pages(response: Response) -> Response:
        if request.endpoint != "static" and current_user.is_authenticated:
            response.headers["Cache-Control"] = "no-store"
            response.headers.pop("Expires", None)
        return response
