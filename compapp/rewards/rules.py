"""Compute the cash award lines of one placement from plain facts and the policy data.

Pure: no Flask, no database, no clock. Every line carries its policy, version, clause,
citation and a sentence with the arithmetic; the result carries the notices a finance
officer must read and a trace of every decision (POLICY.md §4, §5).

Decisions on the points POLICY.md leaves open:

- The provincial policies anchor the date: if no version of any provincial award policy
  covers the award date (before 2017-07-01, or a gap), ``NoPolicyInForce`` is raised
  (§5.4), whatever the category.
- A provincial version in force that has no amount for the category (yn-2017-40 covers
  only WorldSkills, so a 2019 national skills competition medal) gives no line and a
  notice saying so: the date is covered, the document simply pays nothing for it.
- A local policy not (yet) in force on the date gives no line and a notice naming its
  period; that is not an error, since the provincial award is still due.
- A placement with no medal and no prize (rank only) gives no line and no error, and
  consults no policy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from compapp.core.messages import N_
from compapp.core.money import format_yuan_short, round_fen
from compapp.policy.categories import (
    CATEGORIES,
    CATEGORY_NAMES,
    EVENT_FORMATS,
    FORMAT_NAMES,
    PAYER_LEVELS,
    result_key,
    result_name,
)
from compapp.policy.citations import UserCitation
from compapp.policy.model import (
    NoPolicyInForce,
    Policy,
    PolicySet,
    PolicyVersion,
    ScheduleRow,
    TopUpRule,
)

__all__ = [
    "AwardFacts",
    "AwardLine",
    "AwardResult",
    "InvalidFacts",
    "NoPolicyInForce",
    "ResultNotAllowed",
    "UnknownCategory",
    "applies_to",
    "check_result",
    "compute_awards",
    "default_organiser",
]

PROVINCE = "province"
PROVINCE_CODE = "530000"
PROVINCE_NAME = "云南省"
HUNDRED = Decimal(100)


class InvalidFacts(ValueError):
    """The facts of a placement cannot be priced as given."""


class UnknownCategory(InvalidFacts):
    """The category is not one of POLICY.md §3."""


class ResultNotAllowed(InvalidFacts):
    """The medal or prize is not one the category awards (POLICY.md §3)."""


@dataclass(frozen=True)
class AwardFacts:
    """What the award rules need to know about one placement."""

    award_on: date
    category: str
    event_format: str
    medal: str | None
    prize: int | None
    rank: int | None
    county_code: str
    county_name: str
    prefecture_code: str
    prefecture_name: str
    # The contest's organising jurisdiction (POLICY.md §3): 530000 or, for a prefecture-tier
    # contest, the prefecture that runs it. None: the default of ``default_organiser``.
    organiser_code: str | None = None
    organiser_name: str = ""

    @property
    def organiser(self) -> tuple[str, str]:
        """Return the organiser's (code, name), falling back on ``default_organiser``."""
        if self.organiser_code is not None:
            return self.organiser_code, self.organiser_name
        return default_organiser(self.category, self.prefecture_code, self.prefecture_name)


def default_organiser(category: str, prefecture_code: str, prefecture_name: str) -> tuple[str, str]:
    """Return the organiser a contest has when none is given (CONTRACT.md ``organiser``).

    A prefecture-tier contest is run by the sending county's prefecture; any other by the
    province.
    """
    if CATEGORIES[category].tier == "prefecture":
        return prefecture_code, prefecture_name
    return PROVINCE_CODE, PROVINCE_NAME


@dataclass(frozen=True)
class AwardLine:
    """One payer's amount for one payee, with where it comes from and how it was reckoned."""

    payee: str  # "competitor" (each competitor of the entry) or "coaching_team" (one per entry)
    payer_level: str
    payer_code: str
    payer_name: str
    amount: Decimal
    policy_id: str
    version_from: date
    clause: str
    citation: str
    explanation: str
    base_amount: Decimal | None = None
    percent: Decimal | None = None
    cited: UserCitation | None = None  # what a person reads (POLICY.md §8)


@dataclass(frozen=True)
class AwardResult:
    """The award lines of a placement, the notices to show with them, and the trace."""

    competitor_lines: list[AwardLine] = field(default_factory=list)
    coaching_team_lines: list[AwardLine] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    # Each step as [msgid, values] (compapp.core.messages): read in the page's language.
    trace: list[list] = field(default_factory=list)
    # policy id -> (version effective_from, sha256 of the policy file)
    policies_used: dict[str, tuple[date, str]] = field(default_factory=dict)

    @property
    def competitor_total(self) -> Decimal:
        """Return what each competitor receives: the sum of the competitor lines."""
        return sum((line.amount for line in self.competitor_lines), Decimal("0.00"))

    @property
    def coaching_team_total(self) -> Decimal:
        """Return what the coaching team receives: the sum of its lines."""
        return sum((line.amount for line in self.coaching_team_lines), Decimal("0.00"))

    @property
    def lines(self) -> list[AwardLine]:
        """Return all lines, competitor lines first."""
        return [*self.competitor_lines, *self.coaching_team_lines]


def check_result(category: str, medal: str | None, prize: int | None) -> str | None:
    """Return the schedule key of the result, refusing one the category does not award."""
    entry = CATEGORIES.get(category)
    if entry is None:
        raise UnknownCategory(f"未知的赛事类别 “{category}”。")
    if medal is not None and prize is not None:
        raise ResultNotAllowed("一个名次只能有奖牌或等级奖之一，不能同时有两者。")
    if medal is not None and medal not in entry.medals:
        allowed = "、".join(entry.medals) or "无"
        raise ResultNotAllowed(f"{entry.name}不颁发 “{medal}”（可用的奖牌：{allowed}）。")
    if prize is not None and prize not in entry.prizes:
        allowed = "、".join(str(p) for p in entry.prizes) or "无"
        raise ResultNotAllowed(f"{entry.name}不设 “{prize}” 等奖（可用的等级奖：{allowed}）。")
    return result_key(medal, prize)


def applies_to(policy: Policy, facts: AwardFacts) -> bool:
    """Return True when the policy covers competitors sent by the facts' county (§5.7)."""
    return applies_to_header(policy.header, facts)


def applies_to_header(header, facts: AwardFacts) -> bool:
    """Return True when the document's jurisdiction sent the competitor (§5.7)."""
    if header.jurisdiction_level == PROVINCE:
        # Division codes share the province's first two digits (GB/T 2260).
        return facts.county_code[:2] == header.jurisdiction_code[:2]
    if header.jurisdiction_level == "prefecture":
        return facts.prefecture_code == header.jurisdiction_code
    return facts.county_code == header.jurisdiction_code


# The computation's first step: the facts it was given (with the place when there is one).
FACTS_RANKED = N_(
    "%(on)s %(category)s（%(format)s）%(result)s，第 %(rank)s 名；"
    "选派单位 %(county)s %(county_code)s（%(prefecture)s %(prefecture_code)s）"
)
FACTS = N_(
    "%(on)s %(category)s（%(format)s）%(result)s；"
    "选派单位 %(county)s %(county_code)s（%(prefecture)s %(prefecture_code)s）"
)


def compute_awards(facts: AwardFacts, policies: PolicySet) -> AwardResult:
    """Return the award lines for ``facts`` under the policies in force on its award date."""
    if facts.event_format not in EVENT_FORMATS:
        raise InvalidFacts(f"未知的赛项形式 “{facts.event_format}”。")
    if facts.rank is not None and facts.rank < 1:
        raise InvalidFacts(f"名次必须不小于 1，收到 {facts.rank}。")
    result = check_result(facts.category, facts.medal, facts.prize)
    out = AwardResult()
    facts_step = {
        "on": facts.award_on.isoformat(),
        "category": CATEGORY_NAMES[facts.category],
        "format": FORMAT_NAMES[facts.event_format],
        "result": result_name(facts.medal, facts.prize),
        "county": facts.county_name,
        "county_code": facts.county_code,
        "prefecture": facts.prefecture_name,
        "prefecture_code": facts.prefecture_code,
    }
    _step(out, FACTS_RANKED if facts.rank is not None else FACTS, rank=facts.rank, **facts_step)
    if result is None:
        _step(out, N_("只有名次，没有奖牌或等级奖：不计现金奖励。"))
        return out

    level_order = {level: index for index, level in enumerate(PAYER_LEVELS)}
    organiser_code, organiser_name = facts.organiser
    _step(out, N_("主办：%(name)s %(code)s"), name=organiser_name, code=organiser_code)
    applicable = sorted(
        (policy for policy in policies if applies_to(policy, facts) or runs_contest(policy, facts)),
        key=lambda p: (level_order[p.header.jurisdiction_level], p.id),
    )
    provincial = [p for p in applicable if p.header.jurisdiction_level == PROVINCE]
    if not any(v.covers(facts.award_on) for p in provincial for v in p.versions):
        raise NoPolicyInForce(facts.award_on, [p.id for p in provincial] or ["province"])

    for policy in applicable:
        try:
            version = policy.version_on(facts.award_on)
        except NoPolicyInForce:
            periods = "；".join(v.period_text() for v in policy.versions)
            _step(
                out,
                N_("%(policy)s 在 %(on)s 不在施行期（%(periods)s）。"),
                policy=policy.id,
                on=facts.award_on.isoformat(),
                periods=periods,
            )
            latest = version_any(policy)
            if (
                policy.header.jurisdiction_level != PROVINCE
                and latest.setting("amounts_configured", True)
                and _concerns(latest, facts)
            ):
                out.notices.append(
                    f"{policy.header.jurisdiction_name}的{policy.header.document_text}"
                    f"施行期为 {periods}，不适用于 {facts.award_on.isoformat()} 的获奖，未计其奖励。"
                )
            continue
        _apply_version(version, facts, result, out)

    if not any(line.payer_level == PROVINCE for line in out.competitor_lines):
        _explain_missing_provincial(provincial, facts, result, out)
    _explain_missing_local(applicable, facts, out)
    priced = {line.policy_id for line in out.lines}
    for policy_id, (version_from, _digest) in out.policies_used.items():
        version = policies[policy_id].version_from(version_from)
        # An assumed date matters only where it decided an amount.
        if version.date_assumed and policy_id in priced:
            out.notices.append(
                f"{version.header.document_text}的施行日期 "
                f"{version.effective_from.isoformat()} 是假定的：{version.date_note}"
            )
    if not out.competitor_lines and not out.coaching_team_lines:
        checked = "、".join(
            policies[policy_id].header.short_title for policy_id in out.policies_used
        )
        out.notices.append(
            f"按 {facts.award_on.isoformat()} 施行且已配置的政策（已核对：{checked or '无'}），"
            f"{CATEGORY_NAMES[facts.category]}{result_name(facts.medal, facts.prize)}"
            "没有现金奖励。"
        )
    return out


def version_any(policy: Policy) -> PolicyVersion:
    """Return the policy's latest version (for what it says about itself, not for amounts)."""
    return policy.versions[-1]


def runs_contest(policy: Policy, facts: AwardFacts) -> bool:
    """Return True when the policy's prefecture organises the (prefecture-tier) contest."""
    header = policy.header
    return (
        header.jurisdiction_level == "prefecture"
        and CATEGORIES[facts.category].tier == "prefecture"
        and facts.organiser[0] == header.jurisdiction_code
    )


def _concerns(version: PolicyVersion, facts: AwardFacts) -> bool:
    """Return True when the version has anything to say about the facts' category.

    A local policy whose rows, top-ups and notices never mention the category (Yuxi's for a
    provincial class-2 contest, Diqing's for a prefecture contest another prefecture runs)
    stays silent: no notice where no rule could apply (POLICY.md §4.5).
    """
    category = facts.category
    sent = applies_to_header(version.header, facts)
    runs = facts.organiser[0] == version.header.jurisdiction_code
    for row in version.schedule:
        if category in row.categories and (
            sent if row.applies_to == "sent_by_jurisdiction" else runs
        ):
            return True
    if sent and any(category in rule.categories for rule in version.topups):
        return True
    configured = version.settings.get("amounts_configured")
    if sent and configured is not None and not configured.value:
        return not configured.categories or category in configured.categories
    return False


def _explain_missing_local(applicable: list[Policy], facts: AwardFacts, out: AwardResult) -> None:
    """Say when no local policy of the competitor's (or the organising) jurisdiction exists.

    POLICY.md §4.6: every prefecture and county without a local policy gets the provincial
    award and a notice that no local policy of theirs is configured. For a prefecture-tier
    contest the organising prefecture's policy is the one that could pay.
    """
    local = [p for p in applicable if p.header.jurisdiction_level != PROVINCE]
    if CATEGORIES[facts.category].tier == "prefecture":
        code, name = facts.organiser
        if not any(p.header.jurisdiction_code == code for p in local):
            out.notices.append(
                f"本赛事由{name}主办；compapp 未配置{name}的竞赛奖励政策，"
                "因此没有计算州（市）级竞赛奖励。"
            )
        return
    if not local:
        out.notices.append(
            f"compapp 未配置{facts.prefecture_name}或{facts.county_name}的本地奖励政策："
            "以上只计省级奖励。"
        )


def _explain_missing_provincial(
    provincial: list[Policy], facts: AwardFacts, result: str, out: AwardResult
) -> None:
    """Add a notice when another provincial version pays this result but the one in force does not.

    A 2019 national skills competition medal is paid under yn-2021-28 but not under
    yn-2017-40, which was in force then: the officer must see why the line is missing.
    """
    elsewhere = [
        f"{version.header.document_text}，{version.period_text()}"
        for policy in provincial
        for version in policy.versions
        if not version.covers(facts.award_on)
        and version.schedule_row(facts.category, result, PROVINCE) is not None
    ]
    if elsewhere:
        out.notices.append(
            f"{facts.award_on.isoformat()} 施行的省级政策未规定{CATEGORY_NAMES[facts.category]}"
            f"{result_name(facts.medal, facts.prize)}的奖励金额，未计省级奖励。"
            f"有此规定的版本：{'；'.join(elsewhere)}。"
        )


def _apply_version(
    version: PolicyVersion, facts: AwardFacts, result: str, out: AwardResult
) -> None:
    """Add the lines, notices and trace that one policy version gives for the result."""
    header = version.header
    sent = applies_to_header(header, facts)
    runs = facts.organiser[0] == header.jurisdiction_code
    out.policies_used[header.id] = (version.effective_from, version.digest)
    _step(
        out,
        N_(
            "%(policy)s（%(number)s）版本 %(period)s 适用（选派单位）；文件 %(file)s sha256 %(digest)s…"
        )
        if sent
        else N_(
            "%(policy)s（%(number)s）版本 %(period)s 适用（主办单位）；文件 %(file)s sha256 %(digest)s…"
        ),
        policy=header.id,
        number=header.number_text,
        period=version.period_text(),
        file=version.file_name,
        digest=version.digest[:12],
    )
    configured = version.settings.get("amounts_configured")
    if configured is not None and configured.value is False:
        if sent and (not configured.categories or facts.category in configured.categories):
            out.notices.append(configured.notice)
        _step(
            out,
            N_("%(policy)s：金额未配置，不计奖励（amounts_configured = false）。"),
            policy=header.id,
        )
        return

    found = False
    for payer in header.payer_levels:
        row = version.schedule_row(facts.category, result, payer)
        if row is not None and (sent if row.applies_to == "sent_by_jurisdiction" else runs):
            found = True
            _add_fixed(version, row, payer, facts, result, out)
    rule = version.topup_rule(facts.category, result) if sent else None
    if rule is not None:
        found = True
        _add_topup(version, rule, facts, out)
    for notice in version.notices if sent else ():
        if notice.matches(facts.category, result):
            out.notices.append(notice.text)
            _step(
                out,
                N_("%(policy)s %(clause)s：%(notice)s"),
                policy=header.id,
                clause=notice.clause,
                notice=notice.text,
            )
    if not found:
        _step(
            out,
            N_("%(policy)s 对%(category)s%(result)s没有规定金额。"),
            policy=header.id,
            category=CATEGORY_NAMES[facts.category],
            result=result_name(facts.medal, facts.prize),
        )
    if found and facts.event_format != "individual":
        # §5.3: 每人 — amounts do not depend on the format; say so where it shows.
        _step(
            out,
            N_("%(format)s：每名选手各得全额（%(policy)s team_members）。"),
            format=FORMAT_NAMES[facts.event_format],
            policy=header.id,
        )


def _payer(version: PolicyVersion, payer: str, facts: AwardFacts) -> tuple[str, str]:
    """Return the code and name of the jurisdiction that pays at level ``payer``."""
    header = version.header
    if payer == header.jurisdiction_level:
        return header.jurisdiction_code, header.jurisdiction_name
    # A lower level than the policy's own is the competitor's own prefecture or county.
    if payer == "prefecture":
        return facts.prefecture_code, facts.prefecture_name
    return facts.county_code, facts.county_name


def _standard_name(version: PolicyVersion) -> str:
    header = version.header
    return (
        "省级标准" if header.jurisdiction_level == PROVINCE else f"{header.jurisdiction_name}标准"
    )


def _add_fixed(
    version: PolicyVersion,
    row: ScheduleRow,
    payer: str,
    facts: AwardFacts,
    result: str,
    out: AwardResult,
) -> None:
    amount = round_fen(row.amounts[result])
    code, name = _payer(version, payer, facts)
    sentence = (
        f"{_standard_name(version)}：{CATEGORY_NAMES[facts.category]}"
        f"{result_name(facts.medal, facts.prize)}每人 {format_yuan_short(amount)}，{name}承担"
    )
    payees = ["competitor"] + (["coaching_team"] if row.coaching_team == "same_standard" else [])
    for payee in payees:
        line = AwardLine(
            payee=payee,
            payer_level=payer,
            payer_code=code,
            payer_name=name,
            amount=amount,
            policy_id=version.policy_id,
            version_from=version.effective_from,
            clause=row.clause,
            citation=row.citation,
            explanation=sentence if payee == "competitor" else f"教练团队按同等标准：{sentence}",
            cited=version.header.cite(row.clause),
        )
        _add_line(line, out)
    if row.coaching_team == "none":
        _step(
            out,
            N_("%(policy)s %(clause)s：未规定教练团队奖励。"),
            policy=version.policy_id,
            clause=row.clause,
        )


def _add_topup(
    version: PolicyVersion, rule: TopUpRule, facts: AwardFacts, out: AwardResult
) -> None:
    payees = ["competitor"] + (["coaching_team"] if rule.coaching_team == "same_standard" else [])
    for payee in payees:
        # topup_base = provincial_amount (§5.1): the province's lines for the same payee.
        existing = out.competitor_lines if payee == "competitor" else out.coaching_team_lines
        base = sum((line.amount for line in existing if line.payer_level == PROVINCE), Decimal(0))
        if base == 0:
            _step(
                out,
                N_("%(policy)s %(clause)s：没有省级金额可追加。"),
                policy=version.policy_id,
                clause=rule.clause,
            )
            continue
        for share in rule.shares:
            amount = round_fen(base * share.percent / HUNDRED)
            code, name = _payer(version, share.payer, facts)
            sentence = (
                f"省级标准 {format_yuan_short(base)} × {share.percent}% = "
                f"{format_yuan_short(amount)}，{name}承担"
            )
            _add_line(
                AwardLine(
                    payee=payee,
                    payer_level=share.payer,
                    payer_code=code,
                    payer_name=name,
                    amount=amount,
                    policy_id=version.policy_id,
                    version_from=version.effective_from,
                    clause=rule.clause,
                    citation=rule.citation,
                    explanation=sentence
                    if payee == "competitor"
                    else f"教练团队按同等标准：{sentence}",
                    base_amount=base,
                    percent=share.percent,
                    cited=version.header.cite(rule.clause),
                ),
                out,
            )


def _add_line(line: AwardLine, out: AwardResult) -> None:
    """Keep a line with an amount; a zero line is left out (CONTRACT.md)."""
    if line.amount == 0:
        _step(out, N_("零金额不列：%(line)s"), line=line.explanation)
        return
    target = out.competitor_lines if line.payee == "competitor" else out.coaching_team_lines
    target.append(line)
    if line.payee == "competitor":
        _step(out, N_("选手：%(line)s"), line=line.explanation)
    else:
        _step(out, N_("教练团队：%(line)s"), line=line.explanation)


def _step(out: AwardResult, msgid: str, **values: object) -> None:
    """Record one step of the computation as its catalog msgid and values (read in the page's
    language where it is shown; compapp.english.recorded)."""
    out.trace.append([msgid, values])
