"""Record changes in the audit log: who, when, what, before and after."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask import has_request_context, request
from flask_login import current_user

from compapp.audit.models import AuditEntry
from compapp.extensions import db


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def snapshot(obj, fields: list[str]) -> dict:
    """Return the named attributes of ``obj`` as JSON-safe values."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def record_change(
    action: str,
    target_type: str,
    target_id,
    summary: str,
    before: dict | None = None,
    after: dict | None = None,
    user=None,
) -> AuditEntry:
    """Append an audit entry (flushes, never commits).

    :param action: a verb_noun such as ``create_contest``, ``confirm_placement``.
    :param user: who did it; defaults to the signed-in user, if any.
    """
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user._get_current_object()
    entry = AuditEntry(
        user_id=getattr(user, "id", None),
        username=getattr(user, "username", None),
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        summary=summary[:400],
        before=_plain(before) if before is not None else None,
        after=_plain(after) if after is not None else None,
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    db.session.flush()
    return entry
