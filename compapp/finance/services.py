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

from flask_babel import lazy_gettext as _l

from compapp.audit.services import record_change
from compapp.auth.models import utcnow
from compapp.contests.models import Contest, Entry, Event, Placement
from compapp.core.money import format_yuan, from_fen
from compapp.extensions import db
from compapp.reference.models import Jurisdiction
from compapp.rewards.models import AwardLineRecord, BudgetConfirmation
from compapp.rewards.services import line_loading, line_notices

STATUSES = ("provisional", "awaiting_budget", "confirmed", "paid")


class BudgetRefused(Exception):
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
        from compapp.citing.services import line_citation, listed

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


def line_status_sql():
    """``AwardLineRecord.status()`` as SQL, over the line and its entry's (outer-joined) placement."""
    return db.case(
        (AwardLineRecord.paid_on.is_not(None), "paid"),
        (AwardLineRecord.budget_confirmation_id.is_not(None), "confirmed"),
        (Placement.status == "confirmed", "awaiting_budget"),
        else_="provisional",
    )


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


def confirm_budget(
    contest: Contest, payer_code: str, user, note: str | None = None
) -> BudgetConfirmation:
    """Confirm every line of the contest that ``payer_code`` pays and that awaits confirmation."""
    if user.role != "finance" or user.jurisdiction_code != payer_code:
        raise BudgetRefused(_l("只有该承担单位的财务人员可以确认其预算。"))
    budget = budget_lines(payer_code, contest)
    lines = budget.confirmable
    if not lines:
        raise BudgetRefused(_l("没有待确认的明细：成绩须先经第二人复核确认。"))
    confirmation = BudgetConfirmation(
        contest_id=contest.id,
        payer_code=payer_code,
        confirmed_by_id=user.id,
        total_fen=sum(line.amount_fen for line in lines),
        line_count=len(lines),
        note=note,
    )
    db.session.add(confirmation)
    db.session.flush()
    for line in lines:
        line.budget_confirmation_id = confirmation.id
    record_change(
        "confirm_budget",
        "budget",
        confirmation.id,
        f"{budget.payer.name} 确认 {contest.name} 预算 {len(lines)} 条，"
        f"合计 {format_yuan(confirmation.total)}",
        after={
            "contest_id": contest.id,
            "payer_code": payer_code,
            "line_ids": [line.id for line in lines],
            "total_fen": confirmation.total_fen,
        },
        user=user,
    )
    db.session.flush()
    return confirmation


def mark_paid(
    lines: list[AwardLineRecord], payer_code: str, reference: str, paid_on: date, user
) -> None:
    """Record payment of confirmed lines with a payment reference and date."""
    if user.role != "finance" or user.jurisdiction_code != payer_code:
        raise BudgetRefused(_l("只有该承担单位的财务人员可以登记支付。"))
    if not reference.strip():
        raise BudgetRefused(_l("请填写支付凭证号。"))
    for line in lines:
        if line.payer_code != payer_code or line.status() != "confirmed":
            raise BudgetRefused(_l("只能登记本单位已确认、尚未支付的明细。"))
        if line.amount_fen < 0:
            raise BudgetRefused(_l("负数调整明细为应收回金额，请按收回流程处理，不能登记为支付。"))
    for line in lines:
        before = {"paid_on": None, "payment_reference": None}
        line.paid_on, line.payment_reference = paid_on, reference.strip()
        line.paid_by_id, line.paid_at = user.id, utcnow()
        record_change(
            "mark_line_paid",
            "award_line",
            line.id,
            f"登记支付 {format_yuan(line.amount)}（凭证 {reference.strip()}）",
            before=before,
            after={"paid_on": paid_on, "payment_reference": reference.strip()},
            user=user,
        )
    db.session.flush()


def confirmations(contest: Contest, payer_code: str) -> list[BudgetConfirmation]:
    return db.session.scalars(
        db.select(BudgetConfirmation)
        .filter_by(contest_id=contest.id, payer_code=payer_code)
        .order_by(BudgetConfirmation.id)
    ).all()
