"""An entry's award history as a civil servant reads it (POLICY.md §8).

Each computation says when it was made, by whom and why, which documents (by title, 文号
and the date their applied version took effect) it was made under, and what changed from
the computation before: the result, the documents, the amounts per payee and payer. Policy
ids, digests, the facts and the rule trace are for administrators' details only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import gettext as _

from compapp import labels
from compapp.auth.models import User
from compapp.core.money import format_yuan, from_fen
from compapp.english import shown
from compapp.extensions import db
from compapp.rewards.models import AwardComputation, AwardLineRecord
from compapp.rewards.services import award_policies


@dataclass
class HistoryStep:
    """One computation of an entry's awards, explained."""

    number: int  # 1 for the first computation of the entry
    computation: AwardComputation
    who: str
    current: bool
    documents: list[str]  # "迪庆方案（未印文号），2022-05-27 起施行的版本"
    changes: list[str] = field(default_factory=list)  # plain sentences, against the one before


def _documents(computation: AwardComputation) -> dict[str, tuple[str, bool]]:
    """Document name -> (the date its applied version took effect, whether that date is
    assumed because the sources give no day: POLICY §5.4)."""

    if computation.basis is None:
        return {}
    policies = award_policies()
    out = {}
    for policy_id, (effective_from, _digest) in sorted(computation.basis.policies.items()):
        policy = policies[policy_id] if policy_id in policies else None
        name = policy.header.document_text if policy is not None else _("已停用的政策文件")
        assumed = policy is not None and any(
            v.effective_from.isoformat() == effective_from and v.date_assumed
            for v in policy.versions
        )
        out[name] = (effective_from, assumed)
    return out


def _version_text(name: str, on: tuple[str, bool]) -> str:
    if on[1]:
        return _(
            "%(doc)s，%(on)s 起施行的版本（文件未写明施行日期，按假定日期）",
            doc=shown(name),
            on=on[0],
        )
    return _("%(doc)s，%(on)s 起施行的版本", doc=shown(name), on=on[0])


def _amounts(computation: AwardComputation) -> dict[tuple[str, str], int]:
    """(payee, payer) -> fen of the computation's lines."""
    out: dict[tuple[str, str], int] = defaultdict(int)
    for line in computation.lines:
        payee = line.competitor.name if line.competitor is not None else _("教练团队")
        out[(payee, line.payer.name)] += line.amount_fen
    return out


def _yuan(fen: int) -> str:
    return format_yuan(from_fen(fen))


def _changes(before: AwardComputation | None, after: AwardComputation) -> list[str]:
    if before is None:
        return [_("首次计算。")]
    changes = []
    if before.placement != after.placement:
        old = labels.placement(before.placement) if before.placement else _("无成绩")
        new = labels.placement(after.placement) if after.placement else _("成绩已删除")
        changes.append(_("成绩：%(old)s → %(new)s", old=old, new=new))
    old_docs, new_docs = _documents(before), _documents(after)
    for name in sorted(set(old_docs) | set(new_docs)):
        if name not in new_docs:
            changes.append(_("不再适用：%(doc)s", doc=name))
        elif name not in old_docs:
            changes.append(_("开始适用：%(doc)s", doc=_version_text(name, new_docs[name])))
        elif old_docs[name][0] != new_docs[name][0]:
            changes.append(
                _(
                    "%(doc)s：改按 %(new)s 起施行的版本（原为 %(old)s 起施行的版本）",
                    doc=name,
                    new=new_docs[name][0],
                    old=old_docs[name][0],
                )
            )
    old_amounts, new_amounts = _amounts(before), _amounts(after)
    # In the lines' order (each payee's province, prefecture, county), then lines gone.
    for payee, payer in [*new_amounts, *(k for k in old_amounts if k not in new_amounts)]:
        old, new = old_amounts.get((payee, payer), 0), new_amounts.get((payee, payer), 0)
        if old != new:
            changes.append(
                _(
                    "%(payee)s · %(payer)s承担：%(old)s → %(new)s",
                    payee=payee,
                    payer=payer,
                    old=_yuan(old),
                    new=_yuan(new),
                )
            )
    if after.error and after.error != before.error:
        changes.append(_("未能计算：%(error)s", error=after.error))
    elif before.error and not after.error:
        changes.append(_("已能按政策计算。"))
    return changes or [_("金额和依据均未变化。")]


def history_steps(entry) -> list[HistoryStep]:
    """Every computation of ``entry``, newest first, each explained against the one before."""
    from sqlalchemy.orm import joinedload, selectinload

    computations = db.session.scalars(
        db.select(AwardComputation)
        .filter_by(entry_id=entry.id)
        .order_by(AwardComputation.id)
        .options(
            joinedload(AwardComputation.basis),
            selectinload(AwardComputation.lines).joinedload(AwardLineRecord.competitor),
            selectinload(AwardComputation.lines).joinedload(AwardLineRecord.payer),
        )
    ).all()
    user_ids = {c.computed_by_id for c in computations if c.computed_by_id is not None}
    names = {
        u.id: u.display_name
        for u in db.session.scalars(db.select(User).where(User.id.in_(user_ids)))
    }
    steps, before = [], None
    for number, computation in enumerate(computations, start=1):
        who = names.get(computation.computed_by_id) if computation.computed_by_id else None
        documents = _documents(computation)
        steps.append(
            HistoryStep(
                number=number,
                computation=computation,
                who=who or _("系统自动计算"),
                current=computation.superseded_at is None,
                documents=[_version_text(name, on) for name, on in documents.items()],
                changes=_changes(before, computation),
            )
        )
        before = computation
    return steps[::-1]
