"""Sign-in limits: per client and per account, shared by every worker through the limiter's
storage (Redis when COMPAPP_REDIS_URL is set), counted in a moving window.

One person's failed attempts never lock out another: the client limit is keyed on the real
client address (behind COMPAPP_TRUSTED_PROXIES proxies, the address they forwarded), and the
account limit is shared only by browsers that never signed in to that account. A browser that
did (it carries a signed "known device" cookie naming the account) has a bucket of its own, so
someone guessing at an account does not keep its owner out.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from flask import current_app, request
from flask_limiter.util import get_remote_address
from itsdangerous import BadSignature, URLSafeSerializer

from compapp.observability import SIGN_IN_FAILURES

DEVICE_COOKIE = "compapp_device"
DEVICE_DAYS = 180
DEVICE_ACCOUNTS = 10


def _account(username: str | None) -> str:
    """A keyed digest of the username as typed (trimmed, case-folded): no names in Redis."""
    name = (username or "").strip().casefold()[:200]
    key = (current_app.secret_key or "").encode()
    return hmac.new(key, name.encode(), hashlib.sha256).hexdigest()[:32]


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="compapp-known-device")


def _device() -> dict:
    raw = request.cookies.get(DEVICE_COOKIE)
    if raw:
        try:
            data = _serializer().loads(raw)
        except BadSignature:
            data = None
        if isinstance(data, dict) and isinstance(data.get("a"), list) and data.get("d"):
            return data
    return {"d": os.urandom(12).hex(), "a": []}


def client_key() -> str:
    return "client:" + (get_remote_address() or "unknown")


def account_key() -> str:
    account = _account(request.form.get("username"))
    device = _device()
    if account in device["a"]:
        return f"account:{account}:device:{device['d']}"
    return f"account:{account}"


def client_limit() -> str:
    return current_app.config["LOGIN_LIMIT_CLIENT"]


def account_limit() -> str:
    return current_app.config["LOGIN_LIMIT_ACCOUNT"]


def count_breach(_limit) -> None:

    SIGN_IN_FAILURES.labels(reason="limited").inc()


def remember_device(response, username: str):
    """Mark this browser as one that signed in to ``username`` (a signed, HTTP-only cookie)."""
    device = _device()
    account = _account(username)
    accounts = [a for a in device["a"] if a != account][-(DEVICE_ACCOUNTS - 1) :] + [account]
    response.set_cookie(
        DEVICE_COOKIE,
        _serializer().dumps({"d": device["d"], "a": accounts}),
        max_age=DEVICE_DAYS * 24 * 3600,
        httponly=True,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        samesite="Lax",
    )
    return response
