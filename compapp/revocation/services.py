"""Revocation for fraud (003_…txt:1015 取消资格、追回): requested by one person, confirmed by
another. On confirmation the result's awards and certificates are revoked, the money a payer
confirmed becomes recovery lines (追回 if paid, 停止支付 if not) tracked to settlement, and
the entry's competitors can be barred from new entries until a day.

Confirmed award lines are never edited: they stay as the record of what was confirmed and
paid, and their status reads "revoked" (unpaid) or "paid" with a recovery line beside it.
"""

from __future__ import annotations

from datetime import date

from compapp.audit.services import record_change, says
from compapp.auth.models import utcnow
from compapp.certificates.issuing import revoke
from compapp.certificates.models import Certificate
from compapp.contests.models import Placement
from compapp.core.messages import N_
from compapp.core.money import format_yuan
from compapp.core.refusals import Refusal
from compapp.core.vocab import CertificateStatus, RecoveryKind, RevocationStatus, rank_text
from compapp.extensions import db
from compapp.finance.models import RecoveryLine
from compapp.promotion.models import PromotionCase
from compapp.revocation.models import PersonBar, Revocation
from compapp.rewards.models import AwardComputation, AwardLineRecord
from compapp.rewards.services import placement_snapshot

REASON_MAX = 400


class RevocationRefused(Refusal):
    """A revocation step is not allowed; the message says why (translated)."""


def _what(placement: Placement) -> str:
    entry = placement.entry
    return (
        f"{entry.event.contest.name} · {entry.event.occupation} {rank_text(placement.rank)} "
        + "、".join(c.name for c in entry.competitors)
    )


def pending(placement: Placement) -> Revocation | None:
    return db.session.scalar(
        db.select(Revocation).filter_by(
            placement_id=placement.id, status=RevocationStatus.REQUESTED
        )
    )


def request_revocation(
    placement: Placement, reason: str, bar_until: date | None, user, today: date
) -> Revocation:
    """Ask for a result to be revoked (a second person must confirm it)."""
    reason = (reason or "").strip()
    if not reason:
        raise RevocationRefused(N_("撤销获奖须写明原因（如：冒名顶替、伪造材料）。"))
    if len(reason) > REASON_MAX:
        raise RevocationRefused(N_("原因请控制在 400 字以内。"))
    if placement.revoked_at is not None:
        raise RevocationRefused(N_("该获奖已撤销。"))
    if pending(placement) is not None:
        raise RevocationRefused(N_("该获奖已有待确认的撤销申请。"))
    if bar_until is not None and bar_until < today:
        raise RevocationRefused(N_("禁赛截止日期不能早于今天。"))
    revocation = Revocation(
        placement_id=placement.id, reason=reason, bar_until=bar_until, requested_by_id=user.id
    )
    db.session.add(revocation)
    db.session.flush()
    record_change(
        "request_revocation",
        "placement",
        placement.id,
        says(N_("申请撤销获奖：%(what)s（%(why)s）"), what=_what(placement), why=reason),
        after={"revocation_id": revocation.id, "bar_until": bar_until},
        user=user,
    )
    return revocation


def withdraw_revocation(revocation: Revocation, user, note: str) -> None:
    if revocation.status != RevocationStatus.REQUESTED:
        raise RevocationRefused(N_("该撤销申请已处理。"))
    revocation.status = RevocationStatus.WITHDRAWN
    db.session.flush()
    record_change(
        "withdraw_revocation",
        "placement",
        revocation.placement_id,
        says(
            N_("撤回撤销申请：%(what)s（%(note)s）"),
            what=_what(revocation.placement),
            note=note or "—",
        ),
        user=user,
    )


def confirm_revocation(revocation: Revocation, user, today: date) -> list[RecoveryLine]:
    """A second person confirms: revoke awards and certificates, open recoveries, bar people."""
    if revocation.status != RevocationStatus.REQUESTED:
        raise RevocationRefused(N_("该撤销申请已处理。"))
    if revocation.requested_by_id == user.id:
        raise RevocationRefused(N_("撤销获奖须由另一人确认：不能确认自己提出的申请。"))
    # Only one of two simultaneous confirmations changes the row (compare-and-set).
    claimed = db.session.execute(
        db.update(Revocation)
        .where(Revocation.id == revocation.id, Revocation.status == RevocationStatus.REQUESTED)
        .values(status=RevocationStatus.CONFIRMED, confirmed_by_id=user.id, confirmed_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise RevocationRefused(N_("该撤销申请已处理。"))
    db.session.refresh(revocation)
    placement = revocation.placement
    placement.revoked_at = utcnow()
    entry = placement.entry
    recoveries = _revoke_money(revocation, entry, user)
    certificates = _revoke_certificates(entry, revocation.reason, user)
    _close_promotions(placement, revocation.reason, user)
    bars = _bar_people(revocation, entry, today)
    db.session.flush()
    record_change(
        "confirm_revocation",
        "placement",
        placement.id,
        says(
            N_(
                "确认撤销获奖：%(what)s（%(why)s）；追回/停付 %(n)s 条，合计 %(total)s；"
                "撤销证书 %(certificates)s 份；禁赛 %(barred)s 人"
            ),
            what=_what(placement),
            why=revocation.reason,
            n=len(recoveries),
            total=format_yuan(sum(r.amount for r in recoveries)),
            certificates=certificates,
            barred=len(bars),
        ),
        before={"revoked": False},
        after={
            "revoked": True,
            "recovery_lines": [[r.payer_code, r.kind, r.amount_fen] for r in recoveries],
            "certificates": certificates,
            "bar_until": revocation.bar_until,
        },
        user=user,
    )
    return recoveries


def _revoke_money(revocation: Revocation, entry, user) -> list[RecoveryLine]:
    """Unconfirmed lines drop out; each confirmed line gets a recovery line for its payer."""
    lines = db.session.scalars(
        db.select(AwardLineRecord).filter_by(entry_id=entry.id, is_current=True)
    ).all()
    current = db.session.scalar(
        db.select(AwardComputation).filter_by(entry_id=entry.id, superseded_at=None)
    )

    computation = AwardComputation(
        entry_id=entry.id,
        basis_id=None,
        computed_by_id=user.id,
        reason="撤销获奖",
        placement=placement_snapshot(entry.placement),
        error=None,
    )
    db.session.add(computation)
    db.session.flush()
    if current is not None:
        current.superseded_at = utcnow()
        current.superseded_by_id = computation.id
    recoveries = []
    for line in lines:
        if line.budget_confirmation_id is None:
            line.is_current = False
            continue
        if line.amount_fen <= 0:
            continue
        recovery = RecoveryLine(
            revocation_id=revocation.id,
            award_line_id=line.id,
            payer_code=line.payer_code,
            kind=RecoveryKind.RECOVER if line.paid_on is not None else RecoveryKind.STOP_PAYMENT,
            amount_fen=line.amount_fen,
        )
        db.session.add(recovery)
        recoveries.append(recovery)
    db.session.flush()
    return recoveries


def _revoke_certificates(entry, reason: str, user) -> int:

    certificates = db.session.scalars(
        db.select(Certificate).filter_by(entry_id=entry.id, status=CertificateStatus.VALID)
    ).all()
    for cert in certificates:
        revoke(cert, f"获奖撤销：{reason}"[:REASON_MAX], user)
    return len(certificates)


def _close_promotions(placement: Placement, reason: str, user) -> None:
    """Undecided or confirmed promotions resting on the result are closed as not granted."""

    cases = db.session.scalars(
        db.select(PromotionCase).where(
            PromotionCase.placement_id == placement.id,
            PromotionCase.status.in_(("proposed", "confirmed", "ineligible")),
        )
    ).all()
    for case in cases:
        before = case.status
        case.status = "rejected" if case.eligible else case.status
        case.decision_note = f"获奖撤销：{reason}"[:1000]
        case.decided_by_id, case.decided_at = user.id, utcnow()
        record_change(
            "reject_promotion",
            "promotion_case",
            case.id,
            says(N_("获奖撤销，不予晋升：%(name)s"), name=case.competitor.name),
            before={"status": before},
            after={"status": case.status},
            user=user,
        )


def _bar_people(revocation: Revocation, entry, today: date) -> list[PersonBar]:
    if revocation.bar_until is None:
        return []
    bars = [
        PersonBar(
            competitor_id=member.competitor_id,
            revocation_id=revocation.id,
            starts_on=today,
            until_on=revocation.bar_until,
            reason=revocation.reason,
        )
        for member in entry.members
    ]
    db.session.add_all(bars)
    return bars


def settle_recovery(recovery: RecoveryLine, reference: str, settled_on: date, user) -> None:
    """The paying level's officer records the money recovered (or the payment stopped)."""
    if user.role != "finance" or user.jurisdiction_code != recovery.payer_code:
        raise RevocationRefused(N_("只有该承担单位的财务人员可以登记追回。"))
    if recovery.settled_on is not None:
        raise RevocationRefused(N_("该追回明细已登记结清。"))
    reference = (reference or "").strip()
    if not reference:
        raise RevocationRefused(N_("请填写收回凭证号（停止支付的请写明处理情况）。"))
    claimed = db.session.execute(
        db.update(RecoveryLine)
        .where(RecoveryLine.id == recovery.id, RecoveryLine.settled_on.is_(None))
        .values(
            settled_on=settled_on,
            settlement_reference=reference[:80],
            settled_by_id=user.id,
            settled_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise RevocationRefused(N_("该追回明细已登记结清。"))
    db.session.refresh(recovery)
    record_change(
        "settle_recovery",
        "recovery_line",
        recovery.id,
        says(
            (
                N_("登记追回 %(amount)s（%(reference)s）")
                if recovery.kind == "recover"
                else N_("登记停止支付 %(amount)s（%(reference)s）")
            ),
            amount=format_yuan(recovery.amount),
            reference=reference[:80],
        ),
        after={"settled_on": settled_on, "reference": reference[:80]},
        user=user,
    )
