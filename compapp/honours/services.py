"""Record and confirm honours (POLICY.md §4.7); what the province's budget owes for them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import joinedload

from compapp.audit.services import record_change, says, snapshot
from compapp.auth.models import utcnow
from compapp.contests.models import Competitor
from compapp.core.messages import N_
from compapp.core.money import to_fen
from compapp.core.refusals import Refusal
from compapp.extensions import db
from compapp.honours.models import Honour
from compapp.honours.rules import price_honour
from compapp.policy.categories import HONOUR_KINDS, HONOUR_NAMES
from compapp.rewards.services import award_policies

FIELDS = ["competitor_id", "kind", "awarded_on", "recommended_by", "amount_fen", "policy_id",
          "clause", "confirmed_by_id"]  # fmt: skip


class HonourRefused(Refusal):
    """An honour cannot be recorded or confirmed as asked; the message says why."""


@dataclass
class HonourData:
    competitor_id: int
    kind: str
    awarded_on: date
    recommended_by: str


def record_honour(data: HonourData, user) -> Honour:
    """Record an honour, priced under the policy in force on its date; flush, never commit."""

    if data.kind not in HONOUR_KINDS:
        raise HonourRefused(N_("未知的荣誉类别。"))
    competitor = db.session.get(Competitor, data.competitor_id)
    if competitor is None:
        raise HonourRefused(N_("找不到该选手。"))
    recommended_by = (data.recommended_by or "").strip()
    if not recommended_by:
        raise HonourRefused(N_("请填写推荐单位。"))
    price = price_honour(data.kind, data.awarded_on, award_policies())
    honour = Honour(
        competitor_id=competitor.id,
        kind=data.kind,
        awarded_on=data.awarded_on,
        recommended_by=recommended_by[:120],
        amount_fen=to_fen(price.amount),
        payer_code="530000",
        policy_id=price.policy_id,
        clause=price.clause,
        version_from=price.version_from,
        policy_digest=price.digest,
        explanation=price.explanation,
        notice=price.notice or None,
        recorded_by_id=user.id,
    )
    db.session.add(honour)
    db.session.flush()
    record_change(
        "record_honour",
        "honour",
        honour.id,
        says(
            N_("登记荣誉：%(name)s %(honour)s"),
            name=competitor.name,
            honour=HONOUR_NAMES[data.kind],
        ),
        None,
        snapshot(honour, FIELDS),
        user=user,
    )
    return honour


def confirm_honour(honour: Honour, user) -> None:
    """Confirm an honour: a second person, never the one who recorded it."""

    if honour.confirmed_by_id is not None:
        raise HonourRefused(N_("该荣誉已确认。"))
    if honour.recorded_by_id == user.id:
        raise HonourRefused(N_("登记人不能确认自己登记的荣誉，请由另一位工作人员确认。"))
    before = snapshot(honour, FIELDS)
    honour.confirmed_by_id = user.id
    honour.confirmed_at = utcnow()
    db.session.flush()
    record_change(
        "confirm_honour",
        "honour",
        honour.id,
        says(
            N_("确认荣誉：%(name)s %(honour)s"),
            name=honour.competitor.name,
            honour=HONOUR_NAMES[honour.kind],
        ),
        before,
        snapshot(honour, FIELDS),
        user=user,
    )


def competitor_by_id_number(number: str) -> Competitor | None:
    """The competitor with that ID number, if compapp knows them."""
    return db.session.scalar(db.select(Competitor).filter_by(id_number=number))


def honours(competitor_id: int | None = None) -> list[Honour]:
    """Honours, newest first (one person's when ``competitor_id`` is given)."""
    query = (
        db.select(Honour)
        .options(
            joinedload(Honour.competitor),
            joinedload(Honour.recorded_by),
            joinedload(Honour.confirmed_by),
        )
        .order_by(Honour.awarded_on.desc(), Honour.id.desc())
    )
    if competitor_id is not None:
        query = query.filter_by(competitor_id=competitor_id)
    return db.session.scalars(query).all()


def confirmed_honours_total_fen(payer_code: str, year: int) -> tuple[int, int]:
    """(count, total fen) of the confirmed honours ``payer_code`` pays for ``year``, in SQL."""
    count, total = db.session.execute(
        db.select(db.func.count(Honour.id), db.func.coalesce(db.func.sum(Honour.amount_fen), 0))
        .where(Honour.payer_code == payer_code, Honour.confirmed_by_id.is_not(None))
        .where(Honour.amount_fen > 0)
        .where(Honour.awarded_on >= date(year, 1, 1), Honour.awarded_on < date(year + 1, 1, 1))
    ).one()
    return count, total
