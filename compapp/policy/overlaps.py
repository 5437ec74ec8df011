"""Two policies of one jurisdiction that the engine cannot tell apart.

Awards: ``compapp.rewards.rules.compute_awards`` applies every policy of the competitor's (or
the organising) jurisdiction whose version covers the award date, and each adds its own lines.
Two documents of one jurisdiction that both price the same category, result and payer level
on a common day would pay that payer twice for one placement — and nothing on the line says
which document was meant. That is an overlap. Two documents of one jurisdiction that price
different categories, results or payers, or follow each other in time, are told apart.

Promotion: ``PromotionRuleSet.in_force`` takes the first document of the prefecture with a
version covering the award date, whatever the category; two documents of one prefecture in
force on a common day are an overlap (the loader refuses such a set).

A new version of the SAME document replaces its versions from its date: never an overlap.
Pure: no Flask, no database, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from compapp.policy.model import Policy, PolicyVersion
from compapp.policy.promotion import PromotionPolicy
from compapp.policy.reading import overlap


@dataclass(frozen=True)
class Overlap:
    """Where a policy overlaps another one of its jurisdiction: the other document, the two
    versions' periods, and (awards) one category, result and payer level both price."""

    other: str  # the other document as a person names it
    other_period: str
    period: str
    category: str = ""
    result: str = ""
    payer: str = ""


def priced(version: PolicyVersion) -> set[tuple[str, str, str]]:
    """The (category, result, payer level) an award version adds a line for."""
    keys = set()
    for row in version.schedule:
        for result, amount in row.amounts.items():
            if amount:
                keys.update((category, result, row.payer) for category in row.categories)
    for rule in version.topups:
        for share in rule.shares:
            if share.percent:
                keys.update(
                    (category, result, share.payer)
                    for category in rule.categories
                    for result in rule.results
                )
    return keys


def award_overlap(policy: Policy, others: Iterable[Policy]) -> Overlap | None:
    """Return the first overlap of award ``policy`` with another policy of its jurisdiction."""
    code = policy.header.jurisdiction_code
    for other in others:
        if other.id == policy.id or other.header.jurisdiction_code != code:
            continue
        for mine in policy.versions:
            keys = priced(mine)
            for theirs in other.versions:
                common = sorted(keys & priced(theirs)) if overlap(mine, theirs) else []
                if common:
                    category, result, payer = common[0]
                    return Overlap(
                        other.header.document_text,
                        theirs.period_text(),
                        mine.period_text(),
                        category,
                        result,
                        payer,
                    )
    return None


def promotion_overlap(policy: PromotionPolicy, others: Iterable[PromotionPolicy]) -> Overlap | None:
    """Return the first overlap of promotion ``policy`` with another policy of its prefecture."""
    for other in others:
        if other.id == policy.id or other.prefecture != policy.prefecture:
            continue
        for mine in policy.versions:
            for theirs in other.versions:
                if overlap(mine, theirs):
                    return Overlap(
                        f"{other.short_title}（{other.document_number or '未印文号'}）",
                        _period(theirs.effective_from, theirs.effective_to),
                        _period(mine.effective_from, mine.effective_to),
                    )
    return None


def _period(start: date, end: date | None) -> str:
    return start.isoformat() + (f" 至 {end.isoformat()}" if end else " 起")
