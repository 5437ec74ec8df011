"""The payment roster (发放花名册): one row per payee of a payer's confirmed award lines.

A competitor's row carries their own lines; a coaching team's award is divided among its
members by the shares the organiser recorded (largest remainder, in fen: the parts add up to
the line exactly, POLICY.md §5.2), or evenly when none were recorded (the row says so).
Only confirmed lines of results not revoked are on it, paid or not (the status column says).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy.orm import joinedload, selectinload

from compapp.citing.services import award_citation
from compapp.contests.models import Contest, Entry, EntryCoach, EntryMember, Event, Placement
from compapp.core.money import split_by_percent, split_evenly
from compapp.core.vocab import CoachRole, rank_text
from compapp.extensions import db
from compapp.finance.roster_exports import Roster, RosterRow
from compapp.payees.services import bank_accounts
from compapp.policy.categories import result_name
from compapp.reference.models import Jurisdiction
from compapp.rewards.models import AwardLineRecord


def roster_lines(payer_code: str, contest: Contest | None = None, year: int | None = None):
    """The payer's confirmed, current lines of results not revoked, for a contest or a year."""
    query = (
        db.select(AwardLineRecord)
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
        .order_by(Contest.award_on, Contest.id, Event.id, Entry.id, AwardLineRecord.id)
        .options(
            selectinload(AwardLineRecord.entry).options(
                selectinload(Entry.placement),
                selectinload(Entry.members).joinedload(EntryMember.competitor),
                selectinload(Entry.coaches).joinedload(EntryCoach.coach),
                joinedload(Entry.event).joinedload(Event.contest),
                joinedload(Entry.sending_county),
            ),
        )
    )
    if contest is not None:
        query = query.where(Contest.id == contest.id)
    if year is not None:
        query = query.where(
            Contest.award_on >= date(year, 1, 1), Contest.award_on < date(year + 1, 1, 1)
        )
    return db.session.scalars(query).all()


def clause_text(policy_id: str, clause: str) -> str:
    """The document and item behind a line as every page cites it (POLICY.md §8), e.g.
    "云南省职业技能竞赛奖励办法（云政发〔2021〕28号）第二条(2)"."""

    return award_citation(policy_id, clause).text


def _clause(line: AwardLineRecord) -> str:
    return clause_text(line.policy_id, line.clause)


def build_roster(
    payer_code: str, contest: Contest | None = None, year: int | None = None
) -> Roster:
    """The roster of ``payer_code`` for one contest or one award year (full numbers inside)."""
    payer = db.session.get(Jurisdiction, payer_code)
    scope = contest.name if contest is not None else f"{year} 年度"
    lines = roster_lines(payer_code, contest, year)
    roster = Roster(payer.name, scope, line_total_fen=sum(line.amount_fen for line in lines))
    by_entry: dict[int, list[AwardLineRecord]] = defaultdict(list)
    entries: dict[int, Entry] = {}
    for line in lines:
        by_entry[line.entry_id].append(line)
        entries[line.entry_id] = line.entry
    accounts = bank_accounts(
        [m.competitor_id for e in entries.values() for m in e.members],
        [c.coach_id for e in entries.values() for c in e.coaches],
    )
    for entry_id, entry_lines in by_entry.items():
        roster.rows += _entry_rows(entries[entry_id], entry_lines, accounts)
    return roster


# The roster is an official Chinese form, printed the same whatever the page language.
ROLE_ZH = CoachRole.names()


def placing_text(placement) -> str:
    """The placing as the (Chinese) roster prints it: "第 1 名 金牌"."""
    text = rank_text(placement.rank)
    if placement.medal or placement.prize:
        text += " " + result_name(placement.medal, placement.prize)
    return text


def _row(entry: Entry, person, role: str, account, fen: int, lines, note: str = "") -> RosterRow:
    return RosterRow(
        contest=entry.event.contest.name,
        event=entry.event.occupation,
        result=placing_text(entry.placement),
        name=person.name,
        role=role,
        id_number=person.id_number or "",
        bank_name=account.bank_name if account else "",
        branch=account.branch if account else "",
        account_number=account.account_number if account else "",
        amount_fen=fen,
        clauses=sorted({_clause(line) for line in lines}),
        line_ids=[line.id for line in lines],
        paid=all(line.paid_on is not None for line in lines),
        note=note,
        county=entry.sending_county.name,
    )


def _entry_rows(entry: Entry, lines: list[AwardLineRecord], accounts) -> list[RosterRow]:
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
            rows.append(_row(entry, member.competitor, "选手", account, fen, mine))
    team_fen = sum(line.amount_fen for line in team)
    if team and team_fen and entry.coaches:
        percents = [ec.share_percent for ec in entry.coaches]
        note = ""
        if None not in percents and sum(percents) == 100:
            parts = split_by_percent(team_fen, percents)
        else:
            parts = split_evenly(team_fen, len(entry.coaches))
            note = "未登记分配比例，按人数平均分配"
        for ec, fen in zip(entry.coaches, parts, strict=True):
            share = f"团队奖励 {ec.share_percent}%" if not note else note
            account = accounts.get(("coach", ec.coach_id))
            rows.append(
                _row(entry, ec.coach, ROLE_ZH.get(ec.role, ec.role), account, fen, team, share)
            )
    return rows
