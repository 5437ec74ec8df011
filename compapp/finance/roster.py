"""The payment roster (发放花名册): one row per payee of a payer's confirmed award lines.

A competitor's row carries their own lines; a coaching team's award is divided among its
members by the shares the organiser recorded (largest remainder, in fen: the parts add up to
the line exactly, POLICY.md §5.2), or evenly when none were recorded (the row says so).
Only confirmed lines of results not revoked are on it, paid or not (the status column says).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from functools import cache
from itertools import groupby
from operator import itemgetter
from typing import NamedTuple

from flask_babel import gettext as _
from sqlalchemy.orm import aliased

from compapp import labels
from compapp.citing.services import award_citation
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
from compapp.core.messages import N_
from compapp.core.money import split_by_percent, split_evenly
from compapp.core.vocab import Payee
from compapp.english import shown
from compapp.extensions import db
from compapp.finance.roster_exports import Roster, RosterRow
from compapp.payees.models import BankAccount
from compapp.reference.models import Jurisdiction
from compapp.rewards.models import AwardLineRecord

# Rows fetched from the database at a time: a 10,000-entry roster streams in bounded memory.
ROWS_AT_A_TIME = 1000
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


def roster_size(
    payer_code: str, contest: Contest | None = None, year: int | None = None
) -> tuple[int, int]:
    """How many lines the roster is made of and how many payees (its rows) it has, in one
    statement: each member paid by a competitor's line, each coach of an entry with a team's
    line (a payee whose lines add up to nothing has no row: the rows may be a few less)."""
    own = AwardLineRecord.payee == Payee.COMPETITOR
    lines = _where(db.select(db.func.count(AwardLineRecord.id)), payer_code, contest, year)
    members = _where(
        db.select(AwardLineRecord.entry_id, AwardLineRecord.competitor_id),
        payer_code,
        contest,
        year,
    ).where(
        own,
        db.exists().where(
            EntryMember.entry_id == AwardLineRecord.entry_id,
            EntryMember.competitor_id == AwardLineRecord.competitor_id,
        ),
    )
    teams = _where(db.select(AwardLineRecord.entry_id), payer_code, contest, year).where(~own)
    coaches = db.select(db.func.count(EntryCoach.id)).where(EntryCoach.entry_id.in_(teams))
    counts = db.session.execute(
        db.select(
            lines.scalar_subquery(),
            db.select(db.func.count()).select_from(members.distinct().subquery()).scalar_subquery(),
            coaches.scalar_subquery(),
        )
    ).one()
    return counts[0] or 0, (counts[1] or 0) + (counts[2] or 0)


def _people_rows(payer_code: str, contest: Contest | None, year: int | None):
    """One statement: each of the roster's lines with its entry's placing, event, contest and
    county, and whom it pays: a competitor's line joined to that member (with their bank
    details), a coaching team's line once per coach of the entry (with theirs); in the
    roster's order (contest, event, entry; members by position, then coaches; lines by id)."""
    member_bank = aliased(BankAccount)
    coach_bank = aliased(BankAccount)
    county = aliased(Jurisdiction)
    own = AwardLineRecord.payee == Payee.COMPETITOR
    query = _where(
        db.select(
            Entry.id,
            Contest.name,
            Event.occupation,
            county.name,
            Placement.rank,
            Placement.medal,
            Placement.prize,
            AwardLineRecord.id,
            AwardLineRecord.payee,
            AwardLineRecord.amount_fen,
            AwardLineRecord.policy_id,
            AwardLineRecord.clause,
            AwardLineRecord.paid_on.is_not(None),
            EntryMember.competitor_id,
            Competitor.name,
            Competitor.id_number,
            member_bank.bank_name,
            member_bank.branch,
            member_bank.account_number,
            EntryCoach.id,
            EntryCoach.role,
            EntryCoach.share_percent,
            Coach.name,
            Coach.id_number,
            coach_bank.bank_name,
            coach_bank.branch,
            coach_bank.account_number,
        ),
        payer_code,
        contest,
        year,
    )
    query = (
        query.join(county, county.code == Entry.sending_county_code)
        .outerjoin(
            EntryMember,
            db.and_(
                own,
                EntryMember.entry_id == AwardLineRecord.entry_id,
                EntryMember.competitor_id == AwardLineRecord.competitor_id,
            ),
        )
        .outerjoin(Competitor, Competitor.id == EntryMember.competitor_id)
        .outerjoin(member_bank, member_bank.competitor_id == EntryMember.competitor_id)
        .outerjoin(EntryCoach, db.and_(~own, EntryCoach.entry_id == AwardLineRecord.entry_id))
        .outerjoin(Coach, Coach.id == EntryCoach.coach_id)
        .outerjoin(coach_bank, coach_bank.coach_id == EntryCoach.coach_id)
        .order_by(
            Contest.award_on,
            Contest.id,
            Event.id,
            Entry.id,
            db.case((own, 0), else_=1),
            EntryMember.position,
            EntryCoach.id,
            AwardLineRecord.id,
        )
    )
    return db.session.execute(query.execution_options(yield_per=ROWS_AT_A_TIME))


def roster_rows(
    payer_code: str, contest: Contest | None = None, year: int | None = None
) -> Iterator[RosterRow]:
    """The roster's rows, one per payee, streamed from one statement whatever the number of
    entries, with the labels of the current language (names, documents and 文号 stay as
    recorded)."""
    words = Words()
    for _entry_id, lines in groupby(_people_rows(payer_code, contest, year), key=itemgetter(0)):
        yield from _entry_rows([Line(*line) for line in lines], words)


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


class Line(NamedTuple):
    """A roster line as ``_people_rows`` reads it, with the person it pays."""

    entry_id: int
    contest: str
    event: str
    county: str
    rank: int
    medal: str | None
    prize: str | None
    id: int
    payee: str
    amount_fen: int
    policy_id: str
    clause: str
    paid: bool
    member: int | None  # the competitor paid (a member of the entry)
    name: str | None
    id_number: str | None
    bank_name: str | None
    branch: str | None
    account_number: str | None
    coach: int | None  # the entry's coach paid (a team's line comes once per coach)
    role: str | None
    share_percent: int | None
    coach_name: str | None
    coach_id_number: str | None
    coach_bank_name: str | None
    coach_branch: str | None
    coach_account_number: str | None


def _row(line: Line, person: tuple, fen: int, lines: list[Line], words: Words, note: str = ""):
    """One payee's row; ``person``: name, role's name, ID number and bank details."""
    name, role, id_number, bank_name, branch, account_number = person
    return RosterRow(
        contest=line.contest,
        event=line.event,
        result=words.placing(line.rank, line.medal, line.prize),
        name=name,
        role=role,
        id_number=id_number or "",
        bank_name=bank_name or "",
        branch=branch or "",
        account_number=account_number or "",
        amount_fen=fen,
        clauses=sorted({words.citation(x.policy_id, x.clause) for x in lines}),
        line_ids=[x.id for x in lines],
        paid=all(x.paid for x in lines),
        note=note,
        county=line.county,
    )


def _entry_rows(lines: list[Line], words: Words) -> list[RosterRow]:
    """The rows of one entry: its members paid (by position), then its coaches sharing the
    team's lines."""
    own: dict[int, list[Line]] = {}
    team: dict[int, Line] = {}  # each team line once
    coaches: dict[int, Line] = {}
    for line in lines:
        if line.payee == Payee.COMPETITOR:
            if line.member is not None:
                own.setdefault(line.member, []).append(line)
        else:
            team.setdefault(line.id, line)
            if line.coach is not None:
                coaches.setdefault(line.coach, line)
    rows = []
    for mine in own.values():
        fen = sum(x.amount_fen for x in mine)
        if fen:
            m = mine[0]
            person = (m.name, words.competitor, m.id_number, m.bank_name, m.branch,
                      m.account_number)  # fmt: skip
            rows.append(_row(m, person, fen, mine, words))
    team_lines = list(team.values())
    team_fen = sum(x.amount_fen for x in team_lines)
    if team_lines and team_fen and coaches:
        percents = [c.share_percent for c in coaches.values()]
        even = not (None not in percents and sum(percents) == 100)
        if not even:
            parts = split_by_percent(team_fen, percents)
        else:
            parts = split_evenly(team_fen, len(coaches))
        for c, fen in zip(coaches.values(), parts, strict=True):
            share = words.even if even else words.share(c.share_percent)
            person = (c.coach_name, words.role(c.role), c.coach_id_number, c.coach_bank_name,
                      c.coach_branch, c.coach_account_number)  # fmt: skip
            rows.append(_row(team_lines[0], person, fen, team_lines, words, share))
    return rows
