"""Stored awards: each computation of a placement's awards, its lines, and what produced them.

Nothing here is ever deleted. A changed placement gets a new computation; the previous one
is marked superseded and stays, with its lines, to explain past figures.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from compapp.auth.models import utcnow
from compapp.contests.models import Placement
from compapp.core.money import from_fen
from compapp.core.vocab import AwardLineKind, LineStatus, Payee, PayerLevel
from compapp.extensions import db

if TYPE_CHECKING:
    from compapp.finance.models import BudgetConfirmation


class AwardBasis(db.Model):
    """The facts, trace and notices of one distinct computation, shared by identical cases."""

    __tablename__ = "award_bases"

    id: Mapped[int] = mapped_column(primary_key=True)
    # sha256 over facts and policy digests: identical inputs under identical policy files.
    key: Mapped[str] = mapped_column(String(64), unique=True)
    facts: Mapped[dict] = mapped_column(JSON)
    trace: Mapped[list] = mapped_column(JSON)
    notices: Mapped[list] = mapped_column(JSON)
    # policy id -> [version effective_from (ISO), sha256 of the policy file]
    policies: Mapped[dict] = mapped_column(JSON)


class AwardComputation(db.Model):
    """One computation of an entry's awards; the current one has no ``superseded_at``."""

    __tablename__ = "award_computations"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), index=True)
    basis_id: Mapped[int | None] = mapped_column(ForeignKey("award_bases.id"))
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    computed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(200))
    # Placement as priced: rank, medal, prize, status (the placement row itself may change).
    placement: Mapped[dict | None] = mapped_column(JSON)
    superseded_at: Mapped[datetime | None] = mapped_column(index=True)
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("award_computations.id"))
    error: Mapped[str | None] = mapped_column(Text)

    basis: Mapped[AwardBasis | None] = relationship()
    entry = relationship("Entry")
    lines: Mapped[list[AwardLineRecord]] = relationship(
        back_populates="computation", order_by="AwardLineRecord.id"
    )


class AwardLineRecord(db.Model):
    """One payer's amount for one payee of one computation (integer fen)."""

    __tablename__ = "award_lines"
    __table_args__ = (
        CheckConstraint(Payee.sql_in("payee"), name="payee"),
        CheckConstraint(PayerLevel.sql_in("payer_level"), name="payer_level"),
        CheckConstraint(AwardLineKind.sql_in("kind"), name="kind"),
        CheckConstraint("kind = 'adjustment' OR amount_fen >= 0", name="award_not_negative"),
        CheckConstraint(
            "(payee = 'competitor') = (competitor_id IS NOT NULL)", name="competitor_matches_payee"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    computation_id: Mapped[int] = mapped_column(ForeignKey("award_computations.id"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), index=True)
    payee: Mapped[str] = mapped_column(String(20))
    competitor_id: Mapped[int | None] = mapped_column(ForeignKey("competitors.id"), index=True)
    payer_level: Mapped[str] = mapped_column(String(20))
    payer_code: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"), index=True)
    amount_fen: Mapped[int]
    policy_id: Mapped[str] = mapped_column(String(40))
    version_from: Mapped[date]
    policy_digest: Mapped[str] = mapped_column(String(64))
    clause: Mapped[str] = mapped_column(String(40))
    citation: Mapped[str] = mapped_column(String(200))
    explanation: Mapped[str] = mapped_column(Text)
    # Current lines only: superseded lines keep their values but drop out of totals.
    is_current: Mapped[bool] = mapped_column(default=True, index=True)
    # "award", or "adjustment" (±) added when a budget-confirmed line's placement changed.
    kind: Mapped[str] = mapped_column(String(20), default=AwardLineKind.AWARD)
    budget_confirmation_id: Mapped[int | None] = mapped_column(
        ForeignKey("budget_confirmations.id"), index=True
    )
    paid_on: Mapped[date | None]
    payment_reference: Mapped[str | None] = mapped_column(String(80))
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    paid_at: Mapped[datetime | None]
    # Where the money comes from (compapp.core.vocab.FundingSource), set on confirmation.
    funding_source: Mapped[str | None] = mapped_column(String(30))

    computation: Mapped[AwardComputation] = relationship(back_populates="lines")
    competitor = relationship("Competitor")
    payer = relationship("Jurisdiction")
    entry = relationship("Entry")

    budget_confirmation: Mapped[BudgetConfirmation | None] = relationship("BudgetConfirmation")

    @property
    def amount(self):
        return from_fen(self.amount_fen)

    def status(self) -> str:
        """provisional (result not confirmed), awaiting_budget, confirmed, revoked or paid."""
        placement = self.entry.placement
        return line_status(
            self.paid_on,
            placement.revoked_at if placement is not None else None,
            self.budget_confirmation_id,
            placement.status if placement is not None else None,
        )


# An award line's status, derived from what is stored (compapp.core.vocab.LineStatus names
# them). The one definition, in Python for a loaded line and in SQL for a query: the first
# test that holds wins, in this order.
def line_status(
    paid_on: date | None,
    revoked_at: datetime | None,
    budget_confirmation_id: int | None,
    placement_status: str | None,
) -> str:
    """The status of a line from its payment date, its result's revocation, its budget
    confirmation and its result's status (as ``line_status_sql`` computes it in a query)."""
    if paid_on is not None:
        return LineStatus.PAID
    if revoked_at is not None:
        return LineStatus.REVOKED
    if budget_confirmation_id is not None:
        return LineStatus.CONFIRMED
    if placement_status == "confirmed":
        return LineStatus.AWAITING_BUDGET
    return LineStatus.PROVISIONAL


def line_status_sql():
    """``line_status`` as SQL, over the line and its entry's (outer-joined) placement."""
    return db.case(
        (AwardLineRecord.paid_on.is_not(None), LineStatus.PAID.value),
        (Placement.revoked_at.is_not(None), LineStatus.REVOKED.value),
        (AwardLineRecord.budget_confirmation_id.is_not(None), LineStatus.CONFIRMED.value),
        (Placement.status == "confirmed", LineStatus.AWAITING_BUDGET.value),
        else_=LineStatus.PROVISIONAL.value,
    )
