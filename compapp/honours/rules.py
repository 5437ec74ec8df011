"""Price an honour under the provincial policy in force on its date (POLICY.md §4.7).

Pure: no Flask, no database, no clock. 云政发〔2017〕40号 第18条 (2017-07-01 to 2020-12-31)
sets the amounts; a WorldSkills national-training-team member receives the title
云南省技术能手 with no cash; after 2020-12-31 (and before 2017-07-01) no document in the
sources sets an amount: the honour is recorded, pays nothing, and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from compapp.core.money import format_yuan_short, round_fen
from compapp.policy.categories import HONOUR_NAMES
from compapp.policy.citations import UserCitation
from compapp.policy.model import PolicySet

__all__ = ["HonourPrice", "price_honour"]


@dataclass(frozen=True)
class HonourPrice:
    """What an honour pays, under which clause, and what the officer must read."""

    amount: Decimal
    policy_id: str | None
    clause: str | None
    version_from: date | None
    digest: str | None
    explanation: str
    notice: str
    cited: UserCitation | None


def price_honour(kind: str, awarded_on: date, policies: PolicySet) -> HonourPrice:
    """Return the price of honour ``kind`` awarded on ``awarded_on``."""
    name = HONOUR_NAMES[kind]
    for policy in policies:
        if policy.header.jurisdiction_level != "province":
            continue
        for version in policy.versions:
            if not version.covers(awarded_on):
                continue
            for row in version.honours:
                if kind not in row.amounts:
                    continue
                amount = round_fen(row.amounts[kind])
                cited = policy.header.cite(row.clause)
                if amount == 0:
                    return HonourPrice(
                        Decimal("0.00"),
                        policy.id,
                        row.clause,
                        version.effective_from,
                        version.digest,
                        f"{name}：{row.note or '文件未规定奖金'}",
                        f"{name}：{row.note or '文件未规定奖金'}，不计奖金。",
                        cited,
                    )
                return HonourPrice(
                    amount,
                    policy.id,
                    row.clause,
                    version.effective_from,
                    version.digest,
                    f"省级标准：{name}每人一次性奖励 {format_yuan_short(amount)}，云南省承担",
                    "",
                    cited,
                )
    return HonourPrice(
        Decimal("0.00"),
        None,
        None,
        None,
        None,
        f"{name}：没有施行中的政策规定奖金",
        f"{awarded_on.isoformat()} 没有施行中的政策（来源文件中）规定{name}的奖金："
        "已登记，不计奖金（技能强省行动计划第18条的标准施行至 2020-12-31）。",
        None,
    )
