"""Budgets per payer: lines, totals by status, confirmation by the payer's finance officer, payments.

Confirmed lines are never edited: a later change to a result adds adjustment lines (see
compapp.rewards.services.grant_awards) that need their own confirmation.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import NamedTuple

from sqlalchemy import update
from sqlalchemy.orm import contains_eager, joinedload

from compapp.audit.services import record_change, says
from compapp.auth.models import User, utcnow
from compapp.citing.services import award_citation, line_citation, listed
from compapp.contests.models import Coach, Competitor, Contest, Entry, EntryCoach, Event, Placement
from compapp.core.messages import N_
from compapp.core.money import format_yuan, from_fen
from compapp.core.refusals import Refusal
from compapp.core.seen import AlreadyDone, Changed, check, digest
from compapp.core.vocab import FundingSource, LineStatus
from compapp.extensions import db
from compapp.finance.models import BudgetConfirmation
from compapp.reference.models import Jurisdiction
from compapp.rewards.models import AwardBasis, AwardComputation, AwardLineRecord, line_status_sql
from compapp.rewards.services import line_loading, line_notices

STATUSES = LineStatus.codes()


class BudgetRefused(Refusal):
    """A budget action is not allowed; the message says why (Chinese msgid)."""


@dataclass
class Budget:
    payer: Jurisdiction
    lines: list[AwardLineRecord]

    @cached_property
    def by_status(self) -> dict[str, int]:
        """Fen per line status, over the lines (only statuses that occur)."""
        totals: dict[str, int] = defaultdict(int)
        for line in self.lines:
            totals[line.status()] += line.amount_fen
        return dict(totals)

    @property
    def total_fen(self) -> int:
        return sum(line.amount_fen for line in self.lines)

    @property
    def total(self) -> Decimal:
        return from_fen(self.total_fen)

    def status_total(self, status: str) -> Decimal:
        return from_fen(self.by_status.get(status, 0))

    @property
    def confirmable(self) -> list[AwardLineRecord]:
        return [line for line in self.lines if line.status() == "awaiting_budget"]

    @property
    def payable(self) -> list[AwardLineRecord]:
        return [line for line in self.lines if line.status() == "confirmed"]

    @property
    def notices(self) -> list[str]:
        return line_notices(self.lines)

    def policy_citations(self) -> list[str]:
        """The distinct citations of the lines, each with its quoted sentence (POLICY §8)."""

        seen = {}
        for line in self.lines:
            seen.setdefault((line.policy_id, line.clause), line)
        return [listed(line_citation(line)) for _key, line in sorted(seen.items())]


def budget_lines(
    payer_code: str, contest: Contest | None = None, year: int | None = None
) -> Budget:
    """Current lines paid by ``payer_code`` for one contest or one award year."""
    payer = db.session.get(Jurisdiction, payer_code)
    query = (
        db.select(AwardLineRecord)
        .join(Entry)
        .join(Event)
        .join(Contest)
        .where(AwardLineRecord.payer_code == payer_code, AwardLineRecord.is_current.is_(True))
        .order_by(
            Contest.award_on, Contest.id, Event.id, AwardLineRecord.entry_id, AwardLineRecord.id
        )
        .options(*line_loading())
    )
    if contest is not None:
        query = query.where(Event.contest_id == contest.id)
    if year is not None:
        query = query.where(
            Contest.award_on >= date(year, 1, 1), Contest.award_on < date(year + 1, 1, 1)
        )
    return Budget(payer, db.session.scalars(query).all())


def _budget_where(query, payer_code: str, contest: Contest | None, year: int | None):
    query = query.where(
        AwardLineRecord.payer_code == payer_code, AwardLineRecord.is_current.is_(True)
    )
    if contest is not None:
        query = query.where(Event.contest_id == contest.id)
    if year is not None:
        query = query.where(
            Contest.award_on >= date(year, 1, 1), Contest.award_on < date(year + 1, 1, 1)
        )
    return query


def _budget_joins(query):
    return (
        query.join(Entry, Entry.id == AwardLineRecord.entry_id)
        .join(Event, Event.id == Entry.event_id)
        .join(Contest, Contest.id == Event.contest_id)
        .outerjoin(Placement, Placement.entry_id == Entry.id)
    )


@dataclass
class BudgetSummary:
    """A payer's budget for one contest or year, summed in SQL, with one page of its lines."""

    payer: Jurisdiction
    by_status: dict[str, int]  # fen per line status (only statuses that occur)
    counts: dict[str, int]  # lines per status
    notices: list[str]
    lines: list[AwardLineRecord]  # the page shown (compapp.paging.Page.items)

    @property
    def total_fen(self) -> int:
        return sum(self.by_status.values())

    @property
    def total(self) -> Decimal:
        return from_fen(self.total_fen)

    @property
    def count(self) -> int:
        return sum(self.counts.values())

    def status_total(self, status: str) -> Decimal:
        return from_fen(self.by_status.get(status, 0))

    @property
    def confirmable_count(self) -> int:
        return self.counts.get("awaiting_budget", 0)

    @property
    def confirmable_fen(self) -> int:
        return self.by_status.get("awaiting_budget", 0)

    @property
    def payable(self) -> bool:
        return self.counts.get("confirmed", 0) > 0


def status_figures(
    payer_code: str, contest: Contest | None = None, year: int | None = None
) -> dict[str, tuple[int, int, str]]:
    """Per line status of a payer's contest or year: how many lines, their fen, and a
    fingerprint of which lines they are, summed in SQL (a page of 10,000 lines loads none of
    them to show its totals or bind its forms).

    Lines are append-only (an amount never changes; a change adds lines with new ids), so the
    ids alone say which lines at which amounts; their count, sum, least and greatest stand for
    the set."""
    status = line_status_sql()
    rows = db.session.execute(
        _budget_where(
            _budget_joins(
                db.select(
                    status,
                    db.func.count(),
                    db.func.sum(AwardLineRecord.amount_fen),
                    db.func.sum(AwardLineRecord.id),
                    db.func.min(AwardLineRecord.id),
                    db.func.max(AwardLineRecord.id),
                ).select_from(AwardLineRecord)
            ),
            payer_code,
            contest,
            year,
        ).group_by(status)
    ).all()
    return {
        s: (n, int(fen or 0), _fingerprint(n, id_sum, low, high))
        for s, n, fen, id_sum, low, high in rows
    }


def _fingerprint(count: int, id_sum, low, high) -> str:
    return digest([(count, int(id_sum or 0), low, high)])


def budget_totals(
    payer_code: str,
    contest: Contest | None = None,
    year: int | None = None,
    figures: dict | None = None,
) -> tuple[dict[str, int], dict[str, int]]:
    """Fen and number of lines per line status of a payer's contest or year, in SQL
    (``figures``: the ``status_figures`` when the caller has them)."""
    figures = status_figures(payer_code, contest, year) if figures is None else figures
    return {s: fen for s, (_n, fen, _f) in figures.items()}, {
        s: n for s, (n, _fen, _f) in figures.items()
    }


def budget_notices(payer_code: str, contest: Contest | None = None, year: int | None = None):
    """The distinct notices of the current computations of the entries behind a payer's lines
    (POLICY.md §4.5, §5.4)."""

    basis_ids = _budget_where(
        _budget_joins(
            db.select(AwardComputation.basis_id)
            .select_from(AwardLineRecord)
            # The entry's current computation: a line confirmed under an older one keeps its
            # figures, but what is said about the award now comes from the current one.
            .join(
                AwardComputation,
                db.and_(
                    AwardComputation.entry_id == AwardLineRecord.entry_id,
                    AwardComputation.superseded_at.is_(None),
                ),
            )
        ),
        payer_code,
        contest,
        year,
    ).distinct()
    seen: dict[str, None] = {}
    # Only the notices: a basis's facts and trace are large and not needed here.
    for notices in db.session.scalars(
        db.select(AwardBasis.notices).where(AwardBasis.id.in_(basis_ids)).order_by(AwardBasis.id)
    ):
        for notice in notices:
            seen.setdefault(notice)
    return list(seen)


def budget_lines_query(
    payer_code: str,
    contest: Contest | None = None,
    year: int | None = None,
    status: str | None = None,
    search: str = "",
):
    """A payer's current lines for a contest or year in budget order, optionally of one status
    or with a payee name containing ``search``; loaded for display (for a page of them)."""

    query = _budget_where(
        _budget_joins(db.select(AwardLineRecord)), payer_code, contest, year
    ).order_by(Contest.award_on, Contest.id, Event.id, AwardLineRecord.entry_id, AwardLineRecord.id)
    if status in STATUSES:
        query = query.where(line_status_sql() == status)
    if search:
        by_coach = (
            db.select(EntryCoach.entry_id)
            .join(Coach, Coach.id == EntryCoach.coach_id)
            .where(Coach.name.contains(search, autoescape=True))
        )
        query = query.where(
            db.or_(
                AwardLineRecord.competitor_id.in_(
                    db.select(Competitor.id).where(
                        Competitor.name.contains(search, autoescape=True)
                    )
                ),
                db.and_(
                    AwardLineRecord.payee == "coaching_team",
                    AwardLineRecord.entry_id.in_(by_coach),
                ),
            )
        )
    return query.options(*_budget_line_loading())


def _budget_line_loading():
    """What a budget page shows of each line, in two statements: the line with its entry,
    event, contest and result from the joins the query has anyway, its competitor, payer and
    county joined; the coaching teams' names after (``line_loading`` reads an entry's
    relations in four more statements, and its members, which a budget does not show)."""
    entry = contains_eager(AwardLineRecord.entry)
    return (
        joinedload(AwardLineRecord.competitor),
        joinedload(AwardLineRecord.payer),
        entry.contains_eager(Entry.event).contains_eager(Event.contest),
        entry.contains_eager(Entry.placement),
        entry.joinedload(Entry.sending_county).joinedload(Jurisdiction.parent),
        entry.selectinload(Entry.coaches).joinedload(EntryCoach.coach),
    )


def budget_summary(
    payer_code: str,
    lines: list,
    contest: Contest | None = None,
    year: int | None = None,
    totals: tuple[dict[str, int], dict[str, int]] | None = None,
) -> BudgetSummary:
    """The SQL totals and notices of a payer's contest or year, with ``lines`` (one page);
    ``totals``: ``budget_totals`` when the caller has them already."""
    by_status, counts = totals or budget_totals(payer_code, contest, year)
    return BudgetSummary(
        db.session.get(Jurisdiction, payer_code),
        by_status,
        counts,
        budget_notices(payer_code, contest, year),
        lines,
    )


def budget_citations(
    payer_code: str, contest: Contest | None = None, year: int | None = None
) -> list[str]:
    """The citation of each distinct clause behind a payer's lines (distinct in SQL), each
    with its quoted sentence, as a person reads it (POLICY §8)."""

    rows = db.session.execute(
        _budget_where(
            _budget_joins(
                db.select(AwardLineRecord.policy_id, AwardLineRecord.clause).select_from(
                    AwardLineRecord
                )
            ),
            payer_code,
            contest,
            year,
        ).group_by(AwardLineRecord.policy_id, AwardLineRecord.clause)
    ).all()
    return [listed(award_citation(pid, clause)) for pid, clause in sorted(rows)]


class BudgetLineRow(NamedTuple):
    """One budget line as exports print it: plain values, no ORM objects."""

    contest: str
    occupation: str
    payee: str
    competitor_name: str | None
    entry_id: int
    county: str
    placement_id: int | None  # None when the result was deleted
    rank: int | None
    medal: str | None
    prize: str | None
    amount_fen: int
    kind: str
    status: str
    policy_id: str
    clause: str


def budget_teams(payer_code: str, contest: Contest | None = None, year: int | None = None):
    """The coaches' names of each entry with a line of the payer's, joined as a team is
    printed ("和建华、木文军"), in one statement."""
    entry_ids = _budget_where(
        _budget_joins(db.select(AwardLineRecord.entry_id).select_from(AwardLineRecord)),
        payer_code,
        contest,
        year,
    )
    teams: dict[int, list[str]] = defaultdict(list)
    for entry_id, name in db.session.execute(
        db.select(EntryCoach.entry_id, Coach.name)
        .join(Coach, Coach.id == EntryCoach.coach_id)
        .where(EntryCoach.entry_id.in_(entry_ids))
        .order_by(EntryCoach.entry_id, EntryCoach.id)
    ):
        teams[entry_id].append(name)
    return {entry_id: "、".join(names) for entry_id, names in teams.items()}


def budget_line_rows(
    payer_code: str, contest: Contest | None = None, year: int | None = None, chunk: int = 1000
):
    """Yield a payer's current lines for a contest or year in budget order (BudgetLineRow):
    one streamed query, memory flat at any number of lines; the teams' names come from
    ``budget_teams``."""
    query = _budget_where(
        _budget_joins(
            db.select(
                Contest.name,
                Event.occupation,
                AwardLineRecord.payee,
                Competitor.name,
                AwardLineRecord.entry_id,
                Jurisdiction.name,
                Placement.id,
                Placement.rank,
                Placement.medal,
                Placement.prize,
                AwardLineRecord.amount_fen,
                AwardLineRecord.kind,
                line_status_sql(),
                AwardLineRecord.policy_id,
                AwardLineRecord.clause,
            ).select_from(AwardLineRecord)
        )
        .join(Jurisdiction, Jurisdiction.code == Entry.sending_county_code)
        .outerjoin(Competitor, Competitor.id == AwardLineRecord.competitor_id),
        payer_code,
        contest,
        year,
    ).order_by(Contest.award_on, Contest.id, Event.id, AwardLineRecord.entry_id, AwardLineRecord.id)
    make = BudgetLineRow._make
    for row in db.session.execute(query.execution_options(yield_per=chunk)):
        yield make(row)


@dataclass
class ContestSummary:
    contest: Contest
    by_status: dict[str, int]  # fen per line status (only statuses that occur)

    @property
    def total_fen(self) -> int:
        return sum(self.by_status.values())

    @property
    def total(self) -> Decimal:
        return from_fen(self.total_fen)

    def status_total(self, status: str) -> Decimal:
        return from_fen(self.by_status.get(status, 0))


def payer_overview(payer_code: str) -> dict[int, list[ContestSummary]]:
    """Per award year, the contests with lines paid by ``payer_code`` and their totals by status."""
    status = line_status_sql()
    rows = db.session.execute(
        db.select(Event.contest_id, status, db.func.sum(AwardLineRecord.amount_fen))
        .select_from(AwardLineRecord)
        .join(Entry, Entry.id == AwardLineRecord.entry_id)
        .join(Event, Event.id == Entry.event_id)
        .outerjoin(Placement, Placement.entry_id == Entry.id)
        .where(AwardLineRecord.payer_code == payer_code, AwardLineRecord.is_current.is_(True))
        .group_by(Event.contest_id, status)
    ).all()
    by_contest: dict[int, dict[str, int]] = defaultdict(dict)
    for contest_id, line_status, fen in rows:
        by_contest[contest_id][line_status] = int(fen)
    contests = db.session.scalars(
        db.select(Contest)
        .where(Contest.id.in_(list(by_contest)))
        .order_by(Contest.award_on.desc(), Contest.id.desc())
    )
    years: dict[int, list[ContestSummary]] = defaultdict(list)
    for contest in contests:
        years[contest.award_on.year].append(ContestSummary(contest, by_contest[contest.id]))
    return dict(years)


def _status_fingerprint(
    payer_code: str, contest: Contest, status: str, figures: dict | None = None
) -> tuple[int, int, str]:
    """Number, fen and fingerprint of the lines of ``status`` a payer has for a contest
    (``status_figures``; ``figures``: those the caller has)."""
    figures = status_figures(payer_code, contest) if figures is None else figures
    return figures.get(status) or (0, 0, _fingerprint(0, 0, None, None))


def budget_view(payer_code: str, contest: Contest, figures: dict | None = None) -> dict:
    """What the budget page shows for confirmation, and so what a confirmation binds to: the
    lines awaiting it (how many, their total, and which lines at which amounts)."""
    count, fen, which = _status_fingerprint(payer_code, contest, "awaiting_budget", figures)
    return {N_("待确认明细条数"): count, N_("待确认合计"): fen, N_("待确认明细"): which}


def payment_view(payer_code: str, contest: Contest, figures: dict | None = None) -> dict:
    """What the budget page shows for payment, and so what a payment binds to."""
    count, fen, which = _status_fingerprint(payer_code, contest, "confirmed", figures)
    return {N_("待支付明细条数"): count, N_("待支付合计"): fen, N_("待支付明细"): which}


CHUNK = 500


def _claim_lines(ids: list[int], values: dict, *conditions) -> int:
    """Compare-and-set ``values`` on the lines ``ids`` that still meet ``conditions``; return
    how many rows changed (in chunks, so a large budget stays within parameter limits)."""
    changed = 0
    for start in range(0, len(ids), CHUNK):
        result = db.session.execute(
            update(AwardLineRecord)
            .where(AwardLineRecord.id.in_(ids[start : start + CHUNK]), *conditions)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        changed += result.rowcount
    return changed


def _awaiting_lines(payer_code: str, contest: Contest):
    """The guards of a line awaiting confirmation, as SQL over the line alone (so a conditional
    UPDATE can claim them): the payer's current, unconfirmed, unpaid lines of the contest whose
    result has its second confirmation and is not revoked (``line_status_sql`` = awaiting_budget)."""
    confirmed_results = (
        db.select(Placement.entry_id)
        .join(Entry, Entry.id == Placement.entry_id)
        .join(Event, Event.id == Entry.event_id)
        .where(
            Event.contest_id == contest.id,
            Placement.status == "confirmed",
            Placement.revoked_at.is_(None),
        )
    )
    return (
        AwardLineRecord.payer_code == payer_code,
        AwardLineRecord.is_current.is_(True),
        AwardLineRecord.budget_confirmation_id.is_(None),
        AwardLineRecord.paid_on.is_(None),
        AwardLineRecord.entry_id.in_(confirmed_results),
    )


def _confirmed_by(confirmation: BudgetConfirmation) -> tuple[int, int, str]:
    """Number, fen and fingerprint (as ``_status_fingerprint``) of the lines a confirmation
    claimed, summed in SQL."""
    count, fen, id_sum, low, high = db.session.execute(
        db.select(
            db.func.count(),
            db.func.sum(AwardLineRecord.amount_fen),
            db.func.sum(AwardLineRecord.id),
            db.func.min(AwardLineRecord.id),
            db.func.max(AwardLineRecord.id),
        ).where(AwardLineRecord.budget_confirmation_id == confirmation.id)
    ).one()
    return count, int(fen or 0), digest([(count, int(id_sum or 0), low, high)])


def confirm_budget(
    contest: Contest,
    payer_code: str,
    user,
    note: str | None = None,
    funding_source: str = "budget",
    seen: dict | None = None,
) -> BudgetConfirmation:
    """Confirm every line of the contest that ``payer_code`` pays and that awaits confirmation,
    as the officer saw them (``seen``: the page's ``budget_view``, compapp.core.seen).

    The lines are claimed in SQL by one conditional UPDATE carrying the guards of a line
    awaiting confirmation (current, unconfirmed, unpaid, its result confirmed by a second
    person and not revoked): no line is loaded, at any size. Of two simultaneous confirmations
    exactly one wins; the other is rolled back and told (``AlreadyDone``); a budget that
    changed since the page was opened is not confirmed (``Changed``), and the lines claimed
    must be exactly those the officer saw (their count, total and fingerprint).

    :param funding_source: where the money comes from (a FundingSource code).
    """

    if user.role != "finance" or user.jurisdiction_code != payer_code:
        raise BudgetRefused(N_("只有该承担单位的财务人员可以确认其预算。"))
    if funding_source not in FundingSource.codes():
        raise BudgetRefused(N_("请选择资金来源。"))
    view = budget_view(payer_code, contest)
    count, fen = view[N_("待确认明细条数")], view[N_("待确认合计")]
    if not count:
        _already_confirmed(contest, payer_code, seen)
        raise BudgetRefused(N_("没有待确认的明细：成绩须先经第二人复核确认。"))
    try:
        check(seen, view)
    except Changed:
        # The view is read afresh (on PostgreSQL a statement sees what committed a moment
        # ago): lines the officer saw confirmed meanwhile by someone else say who did it.
        _already_confirmed(contest, payer_code, seen)
        raise
    confirmation = BudgetConfirmation(
        contest_id=contest.id,
        payer_code=payer_code,
        confirmed_by_id=user.id,
        total_fen=fen,
        line_count=count,
        note=note,
    )
    db.session.add(confirmation)
    db.session.flush()
    db.session.execute(
        update(AwardLineRecord)
        .where(*_awaiting_lines(payer_code, contest))
        .values(budget_confirmation_id=confirmation.id, funding_source=funding_source)
        .execution_options(synchronize_session=False)
    )
    if _confirmed_by(confirmation) != (count, fen, view[N_("待确认明细")]):
        db.session.rollback()
        _already_confirmed(contest, payer_code, seen)
        check(seen, budget_view(payer_code, contest))
        raise Changed([], unknown=True)
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, AwardLineRecord):  # lines the caller holds read the claim afresh
            db.session.expire(obj, ["budget_confirmation_id", "funding_source"])
    payer = db.session.get(Jurisdiction, payer_code)
    record_change(
        "confirm_budget",
        "budget",
        confirmation.id,
        says(
            N_("%(payer)s 确认 %(contest)s 预算 %(n)s 条，合计 %(total)s"),
            payer=payer.name,
            contest=contest.name,
            n=count,
            total=format_yuan(confirmation.total),
        ),
        after={
            "contest_id": contest.id,
            "payer_code": payer_code,
            "line_count": count,
            "total_fen": fen,
            "funding_source": funding_source,
        },
        user=user,
    )
    db.session.flush()
    return confirmation


def _already_confirmed(contest: Contest, payer_code: str, seen: dict | None) -> None:
    """Raise ``AlreadyDone`` when the lines the officer saw awaiting confirmation were
    confirmed meanwhile by someone else (the newest confirmation says who and when)."""
    if not seen or not seen.get(N_("待确认明细条数")):
        return
    last = db.session.scalar(
        db.select(BudgetConfirmation)
        .filter_by(contest_id=contest.id, payer_code=payer_code)
        .order_by(BudgetConfirmation.id.desc())
        .limit(1)
    )
    if (
        last is not None
        and budget_view(payer_code, contest)[N_("待确认明细条数")] < seen[N_("待确认明细条数")]
    ):
        raise AlreadyDone("confirm_budget", last.confirmed_by.display_name, last.confirmed_at)


def mark_paid(
    lines: list[AwardLineRecord],
    payer_code: str,
    reference: str,
    paid_on: date,
    user,
    seen: dict | None = None,
    contest: Contest | None = None,
) -> None:
    """Record payment of confirmed lines with a payment reference and date.

    Bound to the payable lines the officer saw (``seen``: the page's ``payment_view`` of
    ``contest``). The lines are claimed with a conditional UPDATE (still unpaid): of two
    simultaneous registrations exactly one is recorded, the other is rolled back and told who
    paid them (``AlreadyDone``); a voucher is never overwritten.
    """
    if user.role != "finance" or user.jurisdiction_code != payer_code:
        raise BudgetRefused(N_("只有该承担单位的财务人员可以登记支付。"))
    if not reference.strip():
        raise BudgetRefused(N_("请填写支付凭证号。"))
    reference = reference.strip()[:80]
    for line in lines:
        if line.payer_code != payer_code:
            raise BudgetRefused(N_("只能登记本单位已确认、尚未支付的明细。"))
        if line.paid_on is not None:
            _already_paid(lines)
        if line.status() != "confirmed":
            raise BudgetRefused(N_("只能登记本单位已确认、尚未支付的明细。"))
        if line.amount_fen < 0:
            raise BudgetRefused(N_("负数调整明细为应收回金额，请按收回流程处理，不能登记为支付。"))
    if contest is not None:
        try:
            check(seen, payment_view(payer_code, contest))
        except Changed:
            # Paid a moment ago by someone else (the view is read afresh): say who and how.
            _already_paid(
                db.session.scalars(
                    db.select(AwardLineRecord)
                    .where(AwardLineRecord.id.in_([line.id for line in lines]))
                    .execution_options(populate_existing=True)
                )
            )
            raise
    ids = [line.id for line in lines]
    at = utcnow()
    claimed = _claim_lines(
        ids,
        {"paid_on": paid_on, "payment_reference": reference, "paid_by_id": user.id, "paid_at": at},
        AwardLineRecord.paid_on.is_(None),
        AwardLineRecord.budget_confirmation_id.is_not(None),
        AwardLineRecord.payer_code == payer_code,
        AwardLineRecord.amount_fen >= 0,
        AwardLineRecord.entry_id.not_in(
            db.select(Placement.entry_id).where(Placement.revoked_at.is_not(None))
        ),
    )
    if claimed != len(ids):
        db.session.rollback()
        _already_paid(
            db.session.scalars(db.select(AwardLineRecord).where(AwardLineRecord.id.in_(ids)))
        )
        raise Changed([], unknown=True)
    for line in lines:
        db.session.expire(line, ["paid_on", "payment_reference", "paid_by_id", "paid_at"])
        record_change(
            "mark_line_paid",
            "award_line",
            line.id,
            says(
                N_("登记支付 %(amount)s（凭证 %(reference)s）"),
                amount=format_yuan(line.amount),
                reference=reference,
            ),
            before={"paid_on": None, "payment_reference": None},
            after={"paid_on": paid_on, "payment_reference": reference},
            user=user,
        )
    db.session.flush()


def mark_paid_each(items: list[tuple[AwardLineRecord, str, date]], payer_code: str, user) -> None:
    """Record payment of confirmed lines, each with its own voucher and date; all or none."""
    if user.role != "finance" or user.jurisdiction_code != payer_code:
        raise BudgetRefused(N_("只有该承担单位的财务人员可以登记支付。"))
    for line, reference, _on in items:
        if not reference.strip():
            raise BudgetRefused(N_("请填写支付凭证号。"))
        if line.payer_code != payer_code or line.status() != "confirmed":
            raise BudgetRefused(N_("只能登记本单位已确认、尚未支付的明细。"))
        if line.amount_fen < 0:
            raise BudgetRefused(N_("负数调整明细为应收回金额，请按收回流程处理，不能登记为支付。"))
    for line, reference, paid_on in items:
        before = {"paid_on": None, "payment_reference": None}
        # Compare-and-set: of two registrations of one line at the same moment, one wins.
        claimed = db.session.execute(
            db.update(AwardLineRecord)
            .where(AwardLineRecord.id == line.id, AwardLineRecord.paid_on.is_(None))
            .values(
                paid_on=paid_on,
                payment_reference=reference.strip()[:80],
                paid_by_id=user.id,
                paid_at=utcnow(),
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            raise BudgetRefused(N_("该明细已由他人登记支付，请刷新后查看。"))
        db.session.refresh(line)
        record_change(
            "mark_line_paid",
            "award_line",
            line.id,
            says(
                N_("登记支付 %(amount)s（凭证 %(reference)s）"),
                amount=format_yuan(line.amount),
                reference=line.payment_reference,
            ),
            before=before,
            after={"paid_on": paid_on, "payment_reference": line.payment_reference},
            user=user,
        )
    db.session.flush()


def _already_paid(lines) -> None:
    """Raise ``AlreadyDone`` naming who registered the payment of a line already paid."""

    for line in lines:
        if line.paid_on is not None:
            who = db.session.get(User, line.paid_by_id) if line.paid_by_id else None
            raise AlreadyDone(
                "mark_paid",
                who.display_name if who is not None else None,
                line.paid_at,
                line.payment_reference,
            )


def confirmations(contest: Contest, payer_code: str) -> list[BudgetConfirmation]:
    return db.session.scalars(
        db.select(BudgetConfirmation)
        .filter_by(contest_id=contest.id, payer_code=payer_code)
        .order_by(BudgetConfirmation.id)
    ).all()


def register_sheet_payments(contest: Contest, payer_code: str, rows, user) -> int:
    """Mark the lines named by a payment sheet's rows paid, each with its row's voucher.

    A team line split among coaches appears on several rows: their vouchers are joined. Lines
    already paid are skipped (a sheet uploaded twice pays nothing twice); anything else that
    is not this payer's confirmed line of this contest refuses the whole sheet.
    """
    wanted: dict[int, tuple[list[str], date]] = {}
    for row in rows:
        for line_id in row.line_ids:
            vouchers, _on = wanted.setdefault(line_id, ([], row.paid_on))
            if row.voucher not in vouchers:
                vouchers.append(row.voucher)
    lines = db.session.scalars(
        db.select(AwardLineRecord)
        .join(Entry)
        .join(Event)
        .where(AwardLineRecord.id.in_(sorted(wanted)), Event.contest_id == contest.id)
        .with_for_update(of=AwardLineRecord)
    ).all()
    if len(lines) != len(wanted):
        raise BudgetRefused(N_("支付表中有不属于本赛事的明细编号：请使用本赛事下载的发放花名册。"))
    items = [
        (line, "；".join(wanted[line.id][0]), wanted[line.id][1])
        for line in lines
        if line.paid_on is None
    ]
    mark_paid_each(items, payer_code, user)
    return len(items)
