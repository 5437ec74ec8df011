"""Loading recipes of the audit log's page and export: its search, its kinds of action."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta

from compapp.audit.models import AuditEntry
from compapp.extensions import db


def audit_query(args: Mapping):
    """The audit entries matching the page's filters (``q`` in the summary or user name,
    ``action``, ``target_type``, ``from``/``to`` dates; a date that is none is ignored),
    newest first."""
    query = db.select(AuditEntry).order_by(AuditEntry.id.desc())
    if args.get("q"):
        like = f"%{args['q']}%"
        query = query.where(AuditEntry.summary.like(like) | AuditEntry.username.like(like))
    if args.get("action"):
        query = query.filter_by(action=args["action"])
    if args.get("target_type"):
        query = query.filter_by(target_type=args["target_type"])
    for name, op in (("from", "ge"), ("to", "lt")):
        if args.get(name):
            try:
                day = date.fromisoformat(args[name])
                moment = datetime.combine(
                    day + timedelta(days=1 if op == "lt" else 0), datetime.min.time()
                )
            except (ValueError, OverflowError):  # not a date, or "to" the last day there is
                continue
            query = query.where(AuditEntry.at >= moment if op == "ge" else AuditEntry.at < moment)
    return query


def audit_actions() -> list[str]:
    """The kinds of action the log holds, for the page's filter."""
    return db.session.scalars(
        db.select(AuditEntry.action).distinct().order_by(AuditEntry.action)
    ).all()
