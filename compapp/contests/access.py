"""Who reaches which contest: the organiser's scope, and the lookups that enforce it."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from compapp.contests import queries
from compapp.contests.models import Contest, Entry, Event
from compapp.extensions import db


def in_scope(contest: Contest) -> bool:
    """Organisers reach the contests of their own body; administrators reach all."""
    if current_user.role == "admin":
        return True
    return current_user.organising_body_id in (None, contest.organising_body_id)


def scoped(query):
    """Limit a contest query to the signed-in organiser's body."""
    if current_user.role == "organiser" and current_user.organising_body_id is not None:
        return query.where(Contest.organising_body_id == current_user.organising_body_id)
    return query


def get_contest(contest_id: int) -> Contest:
    contest = db.session.get(Contest, contest_id)
    if contest is None or not in_scope(contest):
        abort(404)
    return contest


def get_event(event_id: int) -> Event:
    """The event (404 outside the user's scope), with its entries loaded for display."""
    event = queries.event_with_entries(event_id)
    if event is None or not in_scope(event.contest):
        abort(404)
    return event


def get_entry(entry_id: int) -> Entry:
    entry = db.session.get(Entry, entry_id)
    if entry is None or not in_scope(entry.event.contest):
        abort(404)
    return entry
