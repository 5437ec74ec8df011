"""Display names for codes, in the page's language (msgids are the Chinese names)."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l

from compapp.core.vocab import GRADES
from compapp.policy.categories import CATEGORY_TIER

CATEGORY_NAMES = {
    "worldskills": _l("世界技能大赛"),
    "national_skills_competition": _l("全国职业技能大赛"),
    "national_class1": _l("其他全国一类职业技能竞赛"),
    "national_class2": _l("全国二类职业技能竞赛"),
    "provincial_comprehensive": _l("全省综合性职业技能大赛"),
    "provincial_class1": _l("其他省级一类职业技能竞赛"),
    "provincial_class2": _l("省级二类职业技能竞赛"),
    "prefecture_comprehensive": _l("州（市）综合性职业技能大赛"),
    "prefecture_class1": _l("其他州（市）级一类职业技能竞赛"),
    "prefecture_class2": _l("州（市）级二类职业技能竞赛"),
}
TIER_NAMES = {
    "world": _l("世界级"),
    "national": _l("国家级"),
    "provincial": _l("省级"),
    "prefecture": _l("州（市）级"),
}
FORMAT_NAMES = {"individual": _l("单人赛项"), "pair": _l("双人赛项"), "trio": _l("三人赛项")}
RESULT_KIND_NAMES = {
    "medals": _l("奖牌"),
    "prizes": _l("等级奖（一、二、三等奖）"),
    "rank_only": _l("仅名次"),
}
MEDAL_NAMES = {
    "gold": _l("金牌"),
    "silver": _l("银牌"),
    "bronze": _l("铜牌"),
    "excellence": _l("优胜奖"),
}
PRIZE_NAMES = {1: _l("一等奖"), 2: _l("二等奖"), 3: _l("三等奖")}
PAYER_LEVEL_NAMES = {
    "province": _l("省级"),
    "prefecture": _l("州（市）级"),
    "county": _l("县（市、区）级"),
}
COACH_ROLE_NAMES = {
    "coach": _l("教练"),
    "technical_director": _l("技术指导"),
    "translator": _l("翻译"),
    "expert": _l("专家"),
}
ROLE_NAMES = {
    "admin": _l("管理员"),
    "organiser": _l("赛事组织者"),
    "coach": _l("教练"),
    "finance": _l("财务人员"),
    "winner": _l("获奖选手"),
}
STATUS_NAMES = {"entered": _l("待复核"), "confirmed": _l("已确认")}
GRADE_NAMES = {code: zh for code, _order, zh, _en in GRADES}


def category(code: str) -> str:
    return str(CATEGORY_NAMES.get(code, code))


def tier(code: str) -> str:
    return str(TIER_NAMES.get(code, code))


def category_tier(code: str) -> str:
    return tier(CATEGORY_TIER.get(code, ""))


def event_format(code: str) -> str:
    return str(FORMAT_NAMES.get(code, code))


def result_kind(code: str) -> str:
    return str(RESULT_KIND_NAMES.get(code, code))


def medal(code: str | None) -> str:
    return str(MEDAL_NAMES.get(code, code or ""))


def prize(number: int | None) -> str:
    return str(PRIZE_NAMES.get(number, "")) if number else ""


def result(medal_code: str | None, prize_number: int | None) -> str:
    """The medal or prize of a placement, or a dash when it has only a rank."""
    if medal_code:
        return medal(medal_code)
    if prize_number:
        return prize(prize_number)
    return "—"


def placement(p) -> str:
    """ "第 1 名 金牌": the rank and result of a placement (or of its stored snapshot, a dict)."""
    if isinstance(p, Mapping):
        rank, medal_code, prize_number = p["rank"], p.get("medal"), p.get("prize")
    else:
        rank, medal_code, prize_number = p.rank, p.medal, p.prize
    return f"{_l('第 %(n)s 名', n=rank)} {result(medal_code, prize_number)}"


GRADE_NAMES_EN = {code: en for code, _order, _zh, en in GRADES}


def grade(code: str | None) -> str:
    """The grade's name in the page's language (the names live in compapp.core.vocab)."""
    from flask_babel import get_locale

    names = GRADE_NAMES_EN if str(get_locale()) == "en" else GRADE_NAMES
    return names.get(code or "none", code or "")


def payer_level(code: str) -> str:
    return str(PAYER_LEVEL_NAMES.get(code, code))


def coach_role(code: str) -> str:
    return str(COACH_ROLE_NAMES.get(code, code))


def role(code: str) -> str:
    return str(ROLE_NAMES.get(code, code))


def status(code: str) -> str:
    return str(STATUS_NAMES.get(code, code))


LINE_STATUS_NAMES = {
    "provisional": _l("暂定（成绩待复核）"),
    "awaiting_budget": _l("待财务确认"),
    "confirmed": _l("已确认"),
    "revoked": _l("已撤销（停止支付）"),
    "paid": _l("已支付"),
}


def honour_name(code: str) -> str:
    from compapp.policy.categories import HONOUR_NAMES

    return str(_l(HONOUR_NAMES[code])) if code in HONOUR_NAMES else code


def line_status(code: str) -> str:
    """The status of an award line: provisional, awaiting budget, confirmed or paid."""
    return str(LINE_STATUS_NAMES.get(code, code))


FUNDING_SOURCE_NAMES = {
    # 000_…txt:93 (列入财政预算); 003_…txt:1351 (提升行动专账; 省级每年 2000 万元用于竞赛)
    "budget": _l("财政预算"),
    "special_fund": _l("职业技能提升行动专账"),
    "provincial_allocation": _l("省级竞赛专项资金（每年 2000 万元）"),
}


def funding_source(code: str | None) -> str:
    """Where an award line's money comes from (财政预算 / 专项资金 / 省级竞赛经费)."""
    return str(FUNDING_SOURCE_NAMES.get(code, code or ""))
