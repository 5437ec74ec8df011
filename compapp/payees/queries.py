"""Loading recipes of the payee pages: a contest's payees paged and counted in SQL."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import literal, union_all
from sqlalchemy.orm import joinedload

from compapp.contests.models import (
    Coach,
    Competitor,
    Contest,
    Entry,
    EntryCoach,
    EntryMember,
    Event,
    Placement,
)
from compapp.extensions import db
from compapp.payees.models import BankAccount
from compapp.payees.services import bank_accounts


def _people(contest: Contest):
    """One row per payee of the contest's placed entries: competitors, then each entry's
    coaching team, in event and entry order; ``complete`` when the ID number and a bank
    account are recorded."""
    return union_all(
        _payees(contest, "competitor", 0, EntryMember, Competitor, BankAccount.competitor_id),
        _payees(contest, "coach", 1, EntryCoach, Coach, BankAccount.coach_id),
    ).subquery()


def _payees(contest: Contest, kind: str, part: int, link, person, account_of):
    """The rows of one kind of payee: ``link`` ties an entry to a ``person`` (a competitor
    or a coach), whose bank account is found by ``account_of``."""
    return (
        db.select(
            literal(kind).label("kind"),
            person.id.label("person_id"),
            Entry.id.label("entry_id"),
            Event.id.label("event_id"),
            literal(part).label("part"),
            link.id.label("seq"),
            db.and_(
                db.func.coalesce(person.id_number, "") != "",
                BankAccount.id.is_not(None),
            ).label("complete"),
        )
        .select_from(link)
        .join(Entry, Entry.id == link.entry_id)
        .join(Event, Event.id == Entry.event_id)
        .join(Placement, Placement.entry_id == Entry.id)
        .join(person, person.id == getattr(link, f"{kind}_id"))
        .outerjoin(BankAccount, account_of == person.id)
        .where(Event.contest_id == contest.id)
    )


def payees_query(contest: Contest):
    """The contest's payees as (kind, person id, entry id), for ``paging.page_of``."""
    people = _people(contest)
    return db.select(people.c.kind, people.c.person_id, people.c.entry_id).order_by(
        people.c.event_id, people.c.entry_id, people.c.part, people.c.seq
    )


def payee_counts(contest: Contest) -> tuple[int, int]:
    """(payees, payees missing an ID number or a bank account), counted in SQL."""
    people = _people(contest)
    total, complete = db.session.execute(
        db.select(
            db.func.count(),
            db.func.coalesce(db.func.sum(db.case((people.c.complete, 1), else_=0)), 0),
        ).select_from(people)
    ).one()
    return total, total - int(complete)


@dataclass
class PayeeRow:
    kind: str  # competitor / coach
    person: Competitor | Coach
    entry: Entry
    account: BankAccount | None


def payee_rows(keys) -> list[PayeeRow]:
    """The page's payees with their entry (and event) and bank account, in a few queries."""
    keys = [tuple(k) for k in keys]
    competitor_ids = [p for kind, p, _e in keys if kind == "competitor"]
    coach_ids = [p for kind, p, _e in keys if kind == "coach"]
    competitors = {
        c.id: c
        for c in db.session.scalars(db.select(Competitor).where(Competitor.id.in_(competitor_ids)))
    }
    coaches = {c.id: c for c in db.session.scalars(db.select(Coach).where(Coach.id.in_(coach_ids)))}
    entries = {
        e.id: e
        for e in db.session.scalars(
            db.select(Entry)
            .where(Entry.id.in_({e for _k, _p, e in keys}))
            .options(joinedload(Entry.event))
        )
    }
    accounts = bank_accounts(competitor_ids, coach_ids)
    return [
        PayeeRow(
            kind,
            competitors[person] if kind == "competitor" else coaches[person],
            entries[entry],
            accounts.get((kind, person)),
        )
        for kind, person, entry in keys
    ]
