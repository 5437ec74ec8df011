"""The payment roster (发放花名册): one row per payee of a payer's confirmed award lines.

A competitor's row carries their own lines; a coaching team's award is divided among its
members by the shares the organiser recorded (largest remainder, in fen: the parts add up to
the line exactly, POLICY.md §5.2), or evenly when none were recorded (the row says so).
Only confirmed lines of results not revoked are on it, paid or not (the status column says).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from functools import cache

from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from compapp import labels
from compapp.citing.services import award_citation
from compapp.contests.models import Contest, Entry, EntryCoach, EntryMember, Event, Placement
from compapp.core.messages import N_
from compapp.core.money import split_by_percent, split_evenly
from compapp.english import shown
from compapp.extensions import db
from compapp.finance.roster_exports import Roster, RosterRow
from compapp.payees.services import bank_accounts
from compapp.reference.models import Jurisdiction
from compapp.rewards.models import AwardLineRecord

# Entries read at a time: the roster of a 10,000-entry contest is written in bounded memory.
CHUNK_ENTRIES = 500
EVEN_SPLIT = N_("未登记分配比例，按人数平均分配")


def _where(query, payer_code: str, contest: Contest | None, year: int | None):
    """The payer's confirmed, current lines of results not revoked, for a contest or a year."""
    query = (
        query.select_from(AwardLineRecord)
        .join(Entry, Entry.id == AwardLineRecord.entry_id)
        .join(Event, Event.id == Entry.event_id)
        .join(Contest, Contest.id == Event.contest_id)
        .join(Placement, Placement.entry_id == Entry.id)
        .where(
            AwardLineRecord.payer_code == payer_code,
            AwardLineRecord.is_current.is_(True),
            AwardLineRecord.budget_confirmation_id.is_not(None),
            Placement.revoked_at.is_(None),
        )
    )
    if contest is not None:
        query = query.where(Contest.id == contest.id)
    if year is not None:
        query = query.where(
            Contest.award_on >= date(year, 1, 1), Contest.award_on < date(year + 1, 1, 1)
        )
    return query


def roster_line_count(payer_code: str, contest: Contest | None = None, year: int | None = None):
    """How many lines the roster is made of (counted in SQL)."""
    query = _where(db.select(db.func.count(AwardLineRecord.id)), payer_code, contest, year)
    return db.session.scalar(query) or 0


def roster_entry_ids(
    payer_code: str, contest: Contest | None = None, year: int | None = None
) -> list[int]:
    """The entries with lines on the roster, in the roster's order (contest, event, entry)."""
    query = _where(db.select(Entry.id), payer_code, contest, year)
    return list(
        db.session.scalars(
            query.group_by(Entry.id, Contest.award_on, Contest.id, Event.id).order_by(
                Contest.award_on, Contest.id, Event.id, Entry.id
            )
        )
    )


def _chunk(payer_code: str, contest, year, entry_ids: list[int]):
    """The lines, entries (with people, placing, event, county) and bank accounts of a few
    hundred entries, in a fixed number of queries."""
    lines = db.session.scalars(
        _where(db.select(AwardLineRecord), payer_code, contest, year)
        .where(AwardLineRecord.entry_id.in_(entry_ids))
        .order_by(AwardLineRecord.entry_id, AwardLineRecord.id)
    ).all()
    entries = {
        e.id: e
        for e in db.session.scalars(
            db.select(Entry)
            .where(Entry.id.in_(entry_ids))
            .options(
                selectinload(Entry.placement),
                selectinload(Entry.members).joinedload(EntryMember.competitor),
                selectinload(Entry.coaches).joinedload(EntryCoach.coach),
                joinedload(Entry.event).joinedload(Event.contest),
                joinedload(Entry.sending_county),
            )
        )
    }
    by_entry: dict[int, list[AwardLineRecord]] = defaultdict(list)
    for line in lines:
        by_entry[line.entry_id].append(line)
    accounts = bank_accounts(
        [m.competitor_id for e in entries.values() for m in e.members],
        [c.coach_id for e in entries.values() for c in e.coaches],
    )
    return by_entry, entries, accounts


def roster_rows(
    payer_code: str, contest: Contest | None = None, year: int | None = None
) -> Iterator[RosterRow]:
    """The roster's rows, one per payee, read a few hundred entries at a time, with the labels
    of the current language (names, documents and 文号 stay as recorded)."""
    words = Words()
    ids = roster_entry_ids(payer_code, contest, year)
    for start in range(0, len(ids), CHUNK_ENTRIES):
        chunk = ids[start : start + CHUNK_ENTRIES]
        by_entry, entries, accounts = _chunk(payer_code, contest, year, chunk)
        for entry_id in chunk:
            if by_entry.get(entry_id):
                yield from _entry_rows(entries[entry_id], by_entry[entry_id], accounts, words)


def clause_text(policy_id: str, clause: str) -> str:
    """The document and item behind a line as every page cites it (POLICY.md §8), e.g.
    "云南省职业技能竞赛奖励办法（云政发〔2021〕28号）第二条(2)"."""

    return award_citation(policy_id, clause).text


def roster_scope(contest: Contest | None, year: int | None) -> str:
    return contest.name if contest is not None else _("%(year)s 年度", year=year)


def build_roster(
    payer_code: str, contest: Contest | None = None, year: int | None = None
) -> Roster:
    """The roster of ``payer_code`` for one contest or one award year (full numbers inside),
    its rows in a list (the exports stream ``roster_rows`` instead)."""
    payer = db.session.get(Jurisdiction, payer_code)
    line_total = db.session.scalar(
        _where(db.select(db.func.sum(AwardLineRecord.amount_fen)), payer_code, contest, year)
    )
    roster = Roster(payer.name, roster_scope(contest, year), line_total_fen=line_total or 0)
    roster.rows = list(roster_rows(payer_code, contest, year))
    return roster


class Words:
    """The roster's labels in the current language, each made once per roster."""

    def __init__(self) -> None:
        self.competitor = _("选手")
        self.even = _(EVEN_SPLIT)
        self.citation = cache(lambda policy_id, clause: shown(clause_text(policy_id, clause)))
        self.placing = cache(placing_text)
        self.role = cache(lambda code: labels.coach_role(code))

    def share(self, percent) -> str:
        return _("团队奖励 %(percent)s%%", percent=percent)


def placing_text(rank, medal=None, prize=None) -> str:
    """The placing as the roster prints it: "第 1 名 金牌" (in English: "No. 1 Gold")."""
    text = _("第 %(n)s 名", n=rank)
    if medal or prize:
        text += " " + labels.result(medal, prize)
    return text


def _row(entry: Entry, who: tuple, account, fen: int, lines, words: Words, note: str = ""):
    """One payee's row; ``who``: the person and their role's name."""
    person, role = who
    placement = entry.placement
    return RosterRow(
        contest=entry.event.contest.name,
        event=entry.event.occupation,
        result=words.placing(placement.rank, placement.medal, placement.prize),
        name=person.name,
        role=role,
        id_number=person.id_number or "",
        bank_name=account.bank_name if account else "",
        branch=account.branch if account else "",
        account_number=account.account_number if account else "",
        amount_fen=fen,
        clauses=sorted({words.citation(line.policy_id, line.clause) for line in lines}),
        line_ids=[line.id for line in lines],
        paid=all(line.paid_on is not None for line in lines),
        note=note,
        county=entry.sending_county.name,
    )


def _entry_rows(
    entry: Entry, lines: list[AwardLineRecord], accounts, words: Words
) -> list[RosterRow]:
    rows = []
    own: dict[int, list[AwardLineRecord]] = defaultdict(list)
    team: list[AwardLineRecord] = []
    for line in lines:
        (own[line.competitor_id] if line.payee == "competitor" else team).append(line)
    for member in entry.members:
        mine = own.get(member.competitor_id, [])
        fen = sum(line.amount_fen for line in mine)
        if mine and fen:
            account = accounts.get(("competitor", member.competitor_id))
            who = (member.competitor, words.competitor)
            rows.append(_row(entry, who, account, fen, mine, words))
    team_fen = sum(line.amount_fen for line in team)
    if team and team_fen and entry.coaches:
        percents = [ec.share_percent for ec in entry.coaches]
        even = not (None not in percents and sum(percents) == 100)
        if not even:
            parts = split_by_percent(team_fen, percents)
        else:
            parts = split_evenly(team_fen, len(entry.coaches))
        for ec, fen in zip(entry.coaches, parts, strict=True):
            share = words.even if even else words.share(ec.share_percent)
            account = accounts.get(("coach", ec.coach_id))
            who = (ec.coach, words.role(ec.role))
            rows.append(_row(entry, who, account, fen, team, words, share))
    return rows
