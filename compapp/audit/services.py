"""Record changes in the audit log: who, when, what, before and after."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from flask import has_request_context, request
from flask_login import current_user

from compapp.audit.models import AuditEntry
from compapp.english import shown, shown_reason
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


@dataclass(frozen=True)
class Said:
    """An audit summary as a catalog msgid and its values: stored as both, shown in the page's
    language (``summary_text``). Values that are labels or stored sentences (a result, a
    certificate kind, a promotion reason) are given in Chinese and read through the catalog."""

    msgid: str
    values: dict = field(default_factory=dict)

    def chinese(self) -> str:
        return self.msgid % self.values if self.values else self.msgid


def says(msgid: str, /, **values: object) -> Said:
    """An audit summary: ``says(N_("下载%(kind)s %(serial)s"), kind=…, serial=…)``."""
    return Said(msgid, {k: _plain(v) for k, v in values.items()})


def summary_text(entry: AuditEntry) -> str:
    """What ``entry`` says, in the page's language. An entry written before summaries were
    kept as msgid and values reads as written (Chinese)."""
    from flask_babel import gettext

    if not entry.summary_msgid:
        return entry.summary
    values = {}
    for key, value in (entry.summary_values or {}).items():
        if isinstance(value, str) and value:
            value = shown_reason(value) if key == "case_reason" else shown(gettext(value))
        values[key] = value
    return gettext(entry.summary_msgid, **values)


def snapshot(obj, fields: list[str]) -> dict:
    """Return the named attributes of ``obj`` as JSON-safe values."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def record_change(
    action: str,
    target_type: str,
    target_id,
    summary: str | Said,
    before: dict | None = None,
    after: dict | None = None,
    user=None,
) -> AuditEntry:
    """Append an audit entry (flushes, never commits).

    :param action: a verb_noun such as ``create_contest``, ``confirm_placement``.
    :param summary: what happened, best as ``says(msgid, **values)`` (read in the page's
        language); plain text is kept as written.
    :param user: who did it; defaults to the signed-in user, if any.
    """
    said = summary if isinstance(summary, Said) else None
    if said is not None:
        summary = said.chinese()
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user._get_current_object()
    entry = AuditEntry(
        user_id=getattr(user, "id", None),
        username=getattr(user, "username", None),
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        summary=summary[:400],
        summary_msgid=said.msgid if said is not None else None,
        summary_values=said.values if said is not None else None,
        before=_plain(before) if before is not None else None,
        after=_plain(after) if after is not None else None,
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    db.session.flush()
    return entry
