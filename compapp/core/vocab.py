"""compapp's vocabulary: every code it stores, with its display name.

Every code is a member of a ``Coded`` enum below; ``compapp.labels`` translates their names
for a page, the models' CHECK constraints list their codes, and nothing else writes either.
"""

from __future__ import annotations

from enum import StrEnum

from compapp.core.messages import N_


class Coded(StrEnum):
    """A code compapp stores, with its display name (a catalog msgid: the Chinese name).

    The one place a code and its name are written: the database's CHECK constraints
    (``sql_in``), the name tables (``names``), forms' choices and pages' labels derive from
    these classes. A member is its code (``EventFormat.PAIR == "pair"``).
    """

    def __new__(cls, code: str, name: str = ""):
        member = str.__new__(cls, code)
        member._value_ = code
        member.label = name
        return member

    @classmethod
    def codes(cls) -> tuple[str, ...]:
        return tuple(member.value for member in cls)

    @classmethod
    def names(cls) -> dict[str, str]:
        """Code → Chinese name (the msgid a page translates)."""
        return {member.value: member.label for member in cls}

    @classmethod
    def sql_in(cls, column: str, *, nullable: bool = False) -> str:
        """The CHECK constraint's text: ``column IN ('a', 'b')`` (or NULL)."""
        check = f"{column} IN ({sql_list(cls)})"
        return f"{column} IS NULL OR {check}" if nullable else check


def sql_list(codes) -> str:
    """Codes as an SQL list's items, ``'a', 'b'``: the one writer of a quoted code list (for
    constraints and partial indexes over some codes of an enum)."""
    return ", ".join(f"'{code}'" for code in codes)


class SkillGrade(Coded):
    """A skill grade, lowest first (POLICY.md §6, 003_a0dee99659bd7bcf.txt:3461)."""

    NONE = "none", N_("无等级")
    JUNIOR = "junior", N_("五级/初级工")
    INTERMEDIATE = "intermediate", N_("四级/中级工")
    SENIOR = "senior", N_("三级/高级工")
    TECHNICIAN = "technician", N_("二级/技师")
    SENIOR_TECHNICIAN = "senior_technician", N_("一级/高级技师")


# A grade's order: its place in SkillGrade (none 0 … senior_technician 5).
GRADE_ORDER = {grade.value: order for order, grade in enumerate(SkillGrade)}
# The Chinese names, as printed on certificates and notices and written in reasons.
GRADE_NAMES = SkillGrade.names()


class Tier(Coded):
    WORLD = "world", N_("世界级")
    NATIONAL = "national", N_("国家级")
    PROVINCIAL = "provincial", N_("省级")
    PREFECTURE = "prefecture", N_("州（市）级")


class EventFormat(Coded):
    INDIVIDUAL = "individual", N_("单人赛项")
    PAIR = "pair", N_("双人赛项")
    TRIO = "trio", N_("三人赛项")


TEAM_SIZE = {EventFormat.INDIVIDUAL: 1, EventFormat.PAIR: 2, EventFormat.TRIO: 3}


class ResultKind(Coded):
    MEDALS = "medals", N_("奖牌")
    PRIZES = "prizes", N_("等级奖（一、二、三等奖）")
    RANK_ONLY = "rank_only", N_("仅名次")


class Medal(Coded):
    GOLD = "gold", N_("金牌")
    SILVER = "silver", N_("银牌")
    BRONZE = "bronze", N_("铜牌")
    EXCELLENCE = "excellence", N_("优胜奖")


PRIZE_NAMES = {1: N_("一等奖"), 2: N_("二等奖"), 3: N_("三等奖")}


class PayerLevel(Coded):
    PROVINCE = "province", N_("省级")
    PREFECTURE = "prefecture", N_("州（市）级")
    COUNTY = "county", N_("县（市、区）级")


class Payee(Coded):
    COMPETITOR = "competitor", N_("选手")
    COACHING_TEAM = "coaching_team", N_("教练团队")


class CoachRole(Coded):
    COACH = "coach", N_("教练")
    TECHNICAL_DIRECTOR = "technical_director", N_("技术指导")
    TRANSLATOR = "translator", N_("翻译")
    EXPERT = "expert", N_("专家")


class Role(Coded):
    ADMIN = "admin", N_("管理员")
    ORGANISER = "organiser", N_("赛事组织者")
    COACH = "coach", N_("教练")
    FINANCE = "finance", N_("财务人员")
    WINNER = "winner", N_("获奖选手")


class PlacementStatus(Coded):
    ENTERED = "entered", N_("待复核")
    CONFIRMED = "confirmed", N_("已确认")


class LineStatus(Coded):
    """An award line's status as a person reads it (derived, not stored: see
    rewards.services.line_status)."""

    PROVISIONAL = "provisional", N_("暂定（成绩待复核）")
    AWAITING_BUDGET = "awaiting_budget", N_("待财务确认")
    CONFIRMED = "confirmed", N_("已确认")
    REVOKED = "revoked", N_("已撤销（停止支付）")
    PAID = "paid", N_("已支付")


class FundingSource(Coded):
    # 000_…txt:93 (列入财政预算); 003_…txt:1351 (提升行动专账; 省级每年 2000 万元用于竞赛)
    BUDGET = "budget", N_("财政预算")
    SPECIAL_FUND = "special_fund", N_("职业技能提升行动专账")
    PROVINCIAL_ALLOCATION = "provincial_allocation", N_("省级竞赛专项资金（每年 2000 万元）")


class CaseStatus(Coded):
    """A promotion case's status. ineligible: the rules left the competitor out (the reason
    says why); the other states are the path of an eligible case: proposed → confirmed |
    rejected → noticed → final. During the notice an objection (异议) moves a case to
    objected until an organiser resolves it: upheld → withdrawn, dismissed → back to noticed
    (final only after the notice has ended)."""

    INELIGIBLE = "ineligible", N_("不符合条件")
    PROPOSED = "proposed", N_("待确认")
    CONFIRMED = "confirmed", N_("已确认")
    REJECTED = "rejected", N_("不予晋升")
    NOTICED = "noticed", N_("公示中")
    OBJECTED = "objected", N_("有异议")
    WITHDRAWN = "withdrawn", N_("异议成立，已撤销")
    FINAL = "final", N_("已生效")


class ObjectionStatus(Coded):
    OPEN = "open", N_("待处理")
    UPHELD = "upheld", N_("异议成立")
    DISMISSED = "dismissed", N_("异议不成立")


class TitleStatus(Coded):
    NONE = "none", "—"
    PROPOSED = "proposed", N_("待核准")
    APPROVED = "approved", N_("已核准")
    REJECTED = "rejected", N_("不予核准")


class CertificateKind(Coded):
    AWARD = "award", N_("获奖证书")
    PROMOTION = "promotion", N_("晋升职业技能等级确认书")
    TITLE = "title", N_("荣誉称号证书")
    HONOUR = "honour", N_("荣誉奖励证书")


class HolderType(Coded):
    """Who holds a certificate: a competitor, or a member of the coaching team."""

    COMPETITOR = "competitor", N_("选手")
    COACH = "coach", N_("教练")


class CertificateStatus(Coded):
    VALID = "valid", N_("有效")
    REVOKED = "revoked", N_("已撤销")


class VerificationOutcome(Coded):
    """What a look-up on the public verification page found."""

    VALID = "valid"
    REVOKED = "revoked"
    UNKNOWN = "unknown"


class SupersededReason(Coded):
    """Why a certificate stopped standing without anyone revoking it by hand, in the general
    words the public verification page gives (never the internal reason or note)."""

    RESULT_REOPENED = (
        "result_reopened",
        N_(
            "证书所依据的成绩已撤回确认、正在更正，本证书不再作为有效凭证；"
            "成绩重新确认后将另行颁发新证书。"
        ),
    )
    RESULT_WITHDRAWN = "result_withdrawn", N_("证书所依据的成绩已撤销，本证书不再有效。")
    PROMOTION_REOPENED = "promotion_reopened", N_("证书所依据的晋升决定已撤回，本证书不再有效。")


class AwardLineKind(Coded):
    """An award line as priced, or a signed adjustment to a budget-confirmed line."""

    AWARD = "award", N_("奖励")
    ADJUSTMENT = "adjustment", N_("调整")


class RecoveryKind(Coded):
    """What a payer does about a revoked award: get paid money back, or not pay it."""

    RECOVER = "recover", N_("追回已付奖金")
    STOP_PAYMENT = "stop_payment", N_("停止支付")


class RevocationStatus(Coded):
    REQUESTED = "requested", N_("待确认")
    CONFIRMED = "confirmed", N_("已撤销")
    WITHDRAWN = "withdrawn", N_("已撤回")


class ImportStatus(Coded):
    """An uploaded file's state between the dry run and saving."""

    INVALID = "invalid", N_("有问题，未保存")
    CHECKED = "checked", N_("已检查，待确认")
    SAVED = "saved", N_("已保存")
    DISCARDED = "discarded", N_("已作废")


class JobState(Coded):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


ACTIVE_JOB_STATES = (JobState.QUEUED, JobState.RUNNING)


class RevisionState(Coded):
    """A policy revision's review: pending → active (superseded by a later one) | returned."""

    PENDING = "pending", N_("待另一位管理员审核")
    RETURNED = "returned", N_("已退回")
    ACTIVE = "active", N_("已生效")
    SUPERSEDED = "superseded", N_("已被更新版本取代")


class PolicyKind(Coded):
    """Which policy data a revision is a file of: award policies or promotion rules."""

    AWARDS = "awards"
    PROMOTION = "promotion"


class CalendarStatus(Coded):
    """An entered year of the working-day calendar: proposed, then confirmed or rejected by a
    second administrator; a confirmed correction supersedes the earlier year."""

    PROPOSED = "proposed", N_("待另一名管理员确认")
    CONFIRMED = "confirmed", N_("已确认，生效")
    REJECTED = "rejected", N_("已退回")
    SUPERSEDED = "superseded", N_("已被更正版本取代")


class HonourKind(Coded):
    """Honours are awards to a person, not placements (POLICY.md §4.7)."""

    ZHONGHUA_SKILLS_AWARD = "zhonghua_skills_award", N_("中华技能大奖")
    NATIONAL_TECHNICAL_EXPERT = "national_technical_expert", N_("全国技术能手")
    YUNNAN_SKILLS_AWARD = "yunnan_skills_award", N_("云南省技能大奖")
    YUNNAN_TECHNICAL_EXPERT = "yunnan_technical_expert", N_("云南省技术能手")
    NATIONAL_TRAINING_TEAM = "national_training_team", N_("世界技能大赛国家集训队队员")


# A jurisdiction's level is the level it pays at: one vocabulary for both.
JurisdictionLevel = PayerLevel


def rank_text(rank: int | str, is_tie: bool = False) -> str:
    """A placing as Chinese documents and records print it: "第 2 名", "第 2 名（并列）", and a
    band of ranks "第 1–3 名". (Pages show it in their language: compapp.labels.placement.)"""
    return f"第 {rank} 名" + ("（并列）" if is_tie else "")
