"""Reconciliation (对账) of one payer's ledger over a period, and the officer's record of it.

The figures are sums in SQL over the payer's current award lines of contests awarded in the
period (003_…txt:2455-2475: separate ledgers, reconciliation, audit): confirmed, paid, stopped
by a revocation, and what is still to pay; with the recoveries (追回) opened by revocations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import BigInteger

from compapp.audit.services import record_change, says
from compapp.contests.models import Contest, Entry, Event, Placement
from compapp.core.messages import N_
from compapp.core.money import format_yuan, from_fen
from compapp.core.refusals import Refusal
from compapp.core.vocab import AwardLineKind, RecoveryKind
from compapp.extensions import db
from compapp.finance.models import Reconciliation, RecoveryLine
from compapp.rewards.models import AwardLineRecord


class ReconciliationRefused(Refusal):
    """The reconciliation cannot be recorded; the message says why (translated)."""


@dataclass
class Ledger:
    payer_code: str
    start: date
    end: date
    awaiting_fen: int = 0  # results confirmed, budget not yet
    confirmed_fen: int = 0
    adjustments_fen: int = 0  # part of confirmed: adjustment lines (±)
    paid_fen: int = 0
    stopped_fen: int = 0  # confirmed, unpaid, result revoked: must not be paid
    recoveries_due_fen: int = 0  # paid money of revoked results, to get back
    recovered_fen: int = 0
    stops_unsettled: int = 0
    by_source: dict[str, int] = field(default_factory=dict)

    @property
    def outstanding_fen(self) -> int:
        return self.confirmed_fen - self.paid_fen - self.stopped_fen

    @property
    def recoveries_outstanding_fen(self) -> int:
        return self.recoveries_due_fen - self.recovered_fen

    def yuan(self, name: str) -> Decimal:
        return from_fen(getattr(self, name))


def _fen_sum(fen):
    """SUM of a fen column as a 64-bit integer (0 when no row): the amounts are summed as
    BIGINT, so no database adds them in 32 bits, and the sum reads back as an int."""
    return db.cast(db.func.coalesce(db.func.sum(db.cast(fen, BigInteger)), 0), BigInteger)


def ledger(payer_code: str, start: date, end: date) -> Ledger:
    """The payer's figures for contests awarded from ``start`` to ``end`` (a few SQL sums)."""
    result = Ledger(payer_code, start, end)
    revoked = Placement.revoked_at.is_not(None)
    confirmed = AwardLineRecord.budget_confirmation_id.is_not(None)
    paid = AwardLineRecord.paid_on.is_not(None)

    def fen(condition):
        return _fen_sum(db.case((condition, AwardLineRecord.amount_fen), else_=0))

    row = db.session.execute(
        db.select(
            fen(db.and_(~confirmed, Placement.status == "confirmed", ~revoked)),
            fen(confirmed),
            fen(db.and_(confirmed, AwardLineRecord.kind == AwardLineKind.ADJUSTMENT)),
            fen(paid),
            fen(db.and_(confirmed, ~paid, revoked)),
        )
        .select_from(AwardLineRecord)
        .join(Entry, Entry.id == AwardLineRecord.entry_id)
        .join(Event, Event.id == Entry.event_id)
        .join(Contest, Contest.id == Event.contest_id)
        .outerjoin(Placement, Placement.entry_id == Entry.id)
        .where(
            AwardLineRecord.payer_code == payer_code,
            AwardLineRecord.is_current.is_(True),
            Contest.award_on >= start,
            Contest.award_on <= end,
        )
    ).one()
    (
        result.awaiting_fen,
        result.confirmed_fen,
        result.adjustments_fen,
        result.paid_fen,
        result.stopped_fen,
    ) = (int(v) for v in row)
    sources = db.session.execute(
        db.select(AwardLineRecord.funding_source, _fen_sum(AwardLineRecord.amount_fen))
        .join(Entry, Entry.id == AwardLineRecord.entry_id)
        .join(Event, Event.id == Entry.event_id)
        .join(Contest, Contest.id == Event.contest_id)
        .where(
            AwardLineRecord.payer_code == payer_code,
            AwardLineRecord.is_current.is_(True),
            confirmed,
            Contest.award_on >= start,
            Contest.award_on <= end,
        )
        .group_by(AwardLineRecord.funding_source)
    ).all()
    result.by_source = {source or "budget": int(total) for source, total in sources}
    recoveries = db.session.execute(
        db.select(
            _fen_sum(
                db.case(
                    (RecoveryLine.kind == RecoveryKind.RECOVER, RecoveryLine.amount_fen), else_=0
                )
            ),
            _fen_sum(
                db.case(
                    (
                        db.and_(
                            RecoveryLine.kind == RecoveryKind.RECOVER,
                            RecoveryLine.settled_on.is_not(None),
                        ),
                        RecoveryLine.amount_fen,
                    ),
                    else_=0,
                )
            ),
            db.func.count(
                db.case(
                    (
                        db.and_(
                            RecoveryLine.kind == RecoveryKind.STOP_PAYMENT,
                            RecoveryLine.settled_on.is_(None),
                        ),
                        RecoveryLine.id,
                    )
                )
            ),
        )
        .join(AwardLineRecord, AwardLineRecord.id == RecoveryLine.award_line_id)
        .join(Entry, Entry.id == AwardLineRecord.entry_id)
        .join(Event, Event.id == Entry.event_id)
        .join(Contest, Contest.id == Event.contest_id)
        .where(
            RecoveryLine.payer_code == payer_code,
            Contest.award_on >= start,
            Contest.award_on <= end,
        )
    ).one()
    result.recoveries_due_fen, result.recovered_fen, result.stops_unsettled = (
        int(v) for v in recoveries
    )
    return result


def record_reconciliation(
    figures: Ledger, ledger_paid_fen: int, explanation: str, user
) -> Reconciliation:
    """The officer records that their books agree (or why they differ) with compapp's ledger."""
    if user.role != "finance" or user.jurisdiction_code != figures.payer_code:
        raise ReconciliationRefused(N_("只有该承担单位的财务人员可以记录对账。"))
    explanation = (explanation or "").strip()
    difference = ledger_paid_fen - figures.paid_fen
    if difference and not explanation:
        raise ReconciliationRefused(
            N_("账面支付数与系统记录相差 %(diff)s，请说明差额原因。"),
            diff=format_yuan(from_fen(difference)),
        )
    record = Reconciliation(
        payer_code=figures.payer_code,
        period_start=figures.start,
        period_end=figures.end,
        confirmed_fen=figures.confirmed_fen,
        paid_fen=figures.paid_fen,
        stopped_fen=figures.stopped_fen,
        outstanding_fen=figures.outstanding_fen,
        recoveries_due_fen=figures.recoveries_due_fen,
        recovered_fen=figures.recovered_fen,
        ledger_paid_fen=ledger_paid_fen,
        explanation=explanation[:2000] or None,
        reconciled_by_id=user.id,
    )
    db.session.add(record)
    db.session.flush()
    record_change(
        "record_reconciliation",
        "reconciliation",
        record.id,
        says(
            N_(
                "对账 %(start)s–%(end)s：确认 %(confirmed)s，已付 %(paid)s，未付 %(unpaid)s，"
                "账面差额 %(difference)s"
            ),
            start=figures.start,
            end=figures.end,
            confirmed=format_yuan(figures.yuan("confirmed_fen")),
            paid=format_yuan(figures.yuan("paid_fen")),
            unpaid=format_yuan(from_fen(figures.outstanding_fen)),
            difference=format_yuan(from_fen(difference)),
        ),
        after={
            "payer_code": figures.payer_code,
            "confirmed_fen": figures.confirmed_fen,
            "paid_fen": figures.paid_fen,
            "outstanding_fen": figures.outstanding_fen,
            "ledger_paid_fen": ledger_paid_fen,
            "explanation": explanation[:400],
        },
        user=user,
    )
    return record


def reconciliations(payer_code: str) -> list[Reconciliation]:
    return db.session.scalars(
        db.select(Reconciliation)
        .filter_by(payer_code=payer_code)
        .order_by(Reconciliation.id.desc())
        .limit(50)
    ).all()
