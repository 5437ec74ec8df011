"""Decide whether a competition rank makes a competitor eligible for promotion (POLICY.md §6).

Pure: takes plain facts and the loaded rule set, returns an ``Eligibility`` that carries
its own reason (a Chinese sentence) and citation. "可晋升" is eligibility only: an
authorised person confirms and the result is published before any certificate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from compapp.core.vocab import GRADE_NAMES, GRADE_ORDER, rank_text
from compapp.policy.categories import CATEGORIES, CATEGORY_NAMES, EVENT_FORMATS, FORMAT_NAMES
from compapp.policy.promotion import (
    NoPromotionRuleInForce,
    PromotionPolicy,
    PromotionRule,
    PromotionRuleSet,
    PromotionVersion,
)

__all__ = [
    "GRADE_NAMES",
    "TOP_GRADE",
    "Eligibility",
    "NoPromotionRuleInForce",
    "PromotionFacts",
    "band_text",
    "check_eligibility",
]

TOP_GRADE = max(GRADE_ORDER, key=GRADE_ORDER.__getitem__)


@dataclass(frozen=True)
class PromotionFacts:
    """What the rules need to know about one placement and its competitor."""

    award_on: date
    category: str
    event_format: str
    rank: int
    current_grade: str
    is_employee: bool
    county_code: str
    prefecture_code: str
    # The contest's organising jurisdiction (POLICY.md §3); None: the sending prefecture for
    # a prefecture-tier contest (CONTRACT.md ``organiser`` default), else the province.
    organiser_code: str | None = None
    organiser_name: str = ""

    @property
    def runs_prefecture_contest(self) -> str | None:
        """Return the prefecture running the contest, or None when it is not prefecture-tier."""
        if CATEGORIES[self.category].tier != "prefecture":
            return None
        return self.organiser_code or self.prefecture_code

    def __post_init__(self) -> None:
        # The API and forms check these first; this guards direct callers of the rules.
        if self.category not in CATEGORIES:
            raise ValueError(f"unknown category {self.category!r}")
        if self.event_format not in EVENT_FORMATS:
            raise ValueError(f"unknown event format {self.event_format!r}")
        if type(self.rank) is not int or self.rank < 1:
            raise ValueError(f"rank must be an integer of at least 1, not {self.rank!r}")
        if self.current_grade not in GRADE_ORDER:
            raise ValueError(f"unknown grade {self.current_grade!r}")
        if not isinstance(self.award_on, date) or isinstance(self.award_on, datetime):
            raise ValueError(f"award_on must be a date, not {self.award_on!r}")


@dataclass(frozen=True)
class Eligibility:
    """The answer for one placement: eligible or not, to which grade, and why."""

    eligible: bool
    from_grade: str
    to_grade: str | None
    title: str | None
    title_needs_approval: bool
    policy_id: str | None
    version_from: date | None
    clause: str | None
    citation: str | None
    reason: str
    band: str | None
    # The digest of the policy file the version was read from (None when no version applied).
    policy_digest: str | None = None

    @classmethod
    def ineligible(
        cls,
        facts: PromotionFacts,
        reason: str,
        policy: PromotionPolicy | None = None,
        version: PromotionVersion | None = None,
    ) -> Eligibility:
        """Return a "not eligible" answer for ``facts`` saying why.

        :param policy: the policy that applied (cited as a whole when ``version`` is given;
            only named when none of its versions covers the award date).
        """
        return cls(
            eligible=False,
            from_grade=facts.current_grade,
            to_grade=None,
            title=None,
            title_needs_approval=False,
            policy_id=policy.id if policy is not None else None,
            version_from=version.effective_from if version is not None else None,
            clause=None,
            citation=policy.citation(None, policy.source) if version is not None else None,
            reason=reason,
            band=None,
            policy_digest=version.digest if version is not None else None,
        )


def band_text(event_format: str, band: tuple[int, int]) -> str:
    """Return a band in Chinese: "双人赛项第 1–2 名", "三人赛项第 1 名"."""
    first, last = band
    ranks = f"{first}" if first == last else f"{first}–{last}"
    return f"{FORMAT_NAMES[event_format]}{rank_text(ranks)}"


def check_eligibility(facts: PromotionFacts, rules: PromotionRuleSet) -> Eligibility:
    """Return the promotion eligibility of ``facts`` under the rule set in force on its date.

    Raises ``NoPromotionRuleInForce`` when the competitor's prefecture has a policy but no
    version of it covers ``facts.award_on``.
    """
    organiser = facts.runs_prefecture_contest
    if organiser is not None:
        # Rule (3) is Diqing's for the contests Diqing runs, whoever is placing (POLICY §6).
        found = rules.in_force(organiser, facts.award_on)
        scope = "contests_run_by_jurisdiction"
    else:
        found = rules.in_force(facts.prefecture_code, facts.award_on)
        scope = "sent_by_jurisdiction"
    if found is None:
        return _no_jurisdiction(facts, rules)
    policy, version = found

    candidates = tuple(r for r in version.rules_for(facts.category) if r.applies_to == scope)
    if not candidates:
        if organiser is None and any(
            r.applies_to != scope for r in version.rules_for(facts.category)
        ):
            return _no_jurisdiction(facts, rules)
        return _no_category(facts, policy, version)

    placing = (
        f"{CATEGORY_NAMES[facts.category]}{FORMAT_NAMES[facts.event_format]}决赛"
        f"{rank_text(facts.rank)}"
    )
    for rule in candidates:
        band = rule.band_for(facts.event_format)
        if band and band[0] <= facts.rank <= band[1]:
            return _apply(facts, policy, version, rule, band, placing)
    return _outside_bands(facts, policy, version, candidates, placing)


def _apply(
    facts: PromotionFacts,
    policy: PromotionPolicy,
    version: PromotionVersion,
    rule: PromotionRule,
    band: tuple[int, int],
    placing: str,
) -> Eligibility:
    current = facts.current_grade
    have, target = GRADE_ORDER[current], GRADE_ORDER[rule.target]
    within = (
        f"{placing}，属{policy.cite(rule.clause).text}（{band_text(facts.event_format, band)}）"
    )
    if facts.category.endswith("_comprehensive"):
        within += "；综合性大赛本身就是同级一类竞赛，按一类竞赛的规定办理"
    rule_says = (
        f"本项可晋升{GRADE_NAMES[rule.target]}，"
        f"已有{GRADE_NAMES[rule.target]}的晋升为{GRADE_NAMES[rule.if_at_target]}"
    )

    to_grade: str | None
    if have < target:
        to_grade = rule.target
        skipped = [
            GRADE_NAMES[code] for code, order in GRADE_ORDER.items() if have < order < target
        ]
        if skipped:
            outcome = (
                f"可由{GRADE_NAMES[current]}破格晋升为{GRADE_NAMES[to_grade]}"
                f"（越过{'、'.join(skipped)}）。"
            )
        else:
            outcome = f"可由{GRADE_NAMES[current]}晋升为{GRADE_NAMES[to_grade]}。"
    elif have == target:
        to_grade = rule.if_at_target
        outcome = f"选手已有{GRADE_NAMES[current]}，按本项可晋升为{GRADE_NAMES[to_grade]}。"
    elif current == TOP_GRADE:
        to_grade = None
        outcome = (
            f"{rule_says}；选手已是最高等级{GRADE_NAMES[current]}，无可晋升的等级，不符合晋升条件。"
        )
    else:
        to_grade = None
        outcome = (
            f"{rule_says}；选手现有等级{GRADE_NAMES[current]}已高于本项的目标等级"
            f"{GRADE_NAMES[rule.target]}，本项不能使其再晋升，不符合晋升条件。"
        )

    title, needs_approval, title_note = _title(facts, rule)
    return Eligibility(
        eligible=to_grade is not None,
        from_grade=current,
        to_grade=to_grade,
        title=title,
        title_needs_approval=needs_approval,
        policy_id=policy.id,
        version_from=version.effective_from,
        clause=rule.clause,
        citation=policy.citation(rule.clause, rule.source),
        reason=f"{within}，{outcome}{title_note}",
        band=band_text(facts.event_format, band),
        policy_digest=version.digest,
    )


def _title(facts: PromotionFacts, rule: PromotionRule) -> tuple[str | None, bool, str]:
    # The title is proposed by the rule itself, whether or not the grade can still rise:
    # 000_…txt:95 (1) grants it to employees placing in the band, "经核准".
    if rule.title is None:
        return None, False, ""
    if rule.title_employees_only and not facts.is_employee:
        return None, False, f"“{rule.title}”称号仅授予身份为职工的选手，本选手不适用。"
    if rule.title_needs_approval:
        return rule.title, True, f"选手身份为职工，经核准可授予“{rule.title}”称号并颁发证书。"
    return rule.title, False, f"可授予“{rule.title}”称号并颁发证书。"


def _outside_bands(
    facts: PromotionFacts,
    policy: PromotionPolicy,
    version: PromotionVersion,
    candidates: tuple[PromotionRule, ...],
    placing: str,
) -> Eligibility:
    listed = [
        f"第{rule.clause}项{band_text(facts.event_format, band)}"
        for rule in candidates
        if (band := rule.band_for(facts.event_format))
    ]
    if listed:
        ranges = f"（{'；'.join(listed)}）"
    else:
        ranges = f"（本类竞赛的{FORMAT_NAMES[facts.event_format]}没有可晋升的名次）"
    return Eligibility.ineligible(
        facts,
        f"{placing}不在{policy.short_title}规定的可晋升名次范围内{ranges}，不符合晋升条件。",
        policy,
        version,
    )


def _no_category(
    facts: PromotionFacts, policy: PromotionPolicy, version: PromotionVersion
) -> Eligibility:
    covered = []
    for rule in version.rules:
        for category in rule.categories:
            name = CATEGORY_NAMES[category]
            if name not in covered:
                covered.append(name)
    return Eligibility.ineligible(
        facts,
        f"{policy.short_title}未对{CATEGORY_NAMES[facts.category]}的名次规定晋升"
        f"（仅适用于{'、'.join(covered)}的决赛名次），不符合晋升条件。",
        policy,
        version,
    )


def _no_jurisdiction(facts: PromotionFacts, rules: PromotionRuleSet) -> Eligibility:
    by_place: dict[str, list[str]] = {}
    for policy in rules.policies:
        by_place.setdefault(policy.short_name, []).append(policy.short_title)
    if facts.runs_prefecture_contest is not None:
        stated = "；".join(
            f"只有{place}主办的州级竞赛适用{'、'.join(titles)}"
            for place, titles in by_place.items()
        )
        who = f"本赛事由{facts.organiser_name or facts.runs_prefecture_contest}主办，"
    else:
        stated = "；".join(
            f"仅{place}选送的选手适用{'、'.join(titles)}" for place, titles in by_place.items()
        )
        who = ""
    return Eligibility.ineligible(
        facts, f"{who}未配置晋升规则：{stated or '尚未录入任何晋升政策'}。"
    )
