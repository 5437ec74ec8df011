"""Fixed vocabulary shared by models, rules and forms (POLICY.md §2, §6)."""

from __future__ import annotations

from enum import StrEnum


class EventFormat(StrEnum):
    INDIVIDUAL = "individual"
    PAIR = "pair"
    TRIO = "trio"


TEAM_SIZE = {EventFormat.INDIVIDUAL: 1, EventFormat.PAIR: 2, EventFormat.TRIO: 3}


class ResultKind(StrEnum):
    """What an event awards: medals, prizes 1–3, or only ranks."""

    MEDALS = "medals"
    PRIZES = "prizes"
    RANK_ONLY = "rank_only"


class Medal(StrEnum):
    GOLD = "gold"
    SILVER = "silver"
    BRONZE = "bronze"
    EXCELLENCE = "excellence"


class Tier(StrEnum):
    WORLD = "world"
    NATIONAL = "national"
    PROVINCIAL = "provincial"
    PREFECTURE = "prefecture"


class JurisdictionLevel(StrEnum):
    PROVINCE = "province"
    PREFECTURE = "prefecture"
    COUNTY = "county"


class Role(StrEnum):
    ADMIN = "admin"
    ORGANISER = "organiser"
    COACH = "coach"
    FINANCE = "finance"
    WINNER = "winner"


class CoachRole(StrEnum):
    COACH = "coach"
    TECHNICAL_DIRECTOR = "technical_director"
    TRANSLATOR = "translator"
    EXPERT = "expert"


class PlacementStatus(StrEnum):
    ENTERED = "entered"
    CONFIRMED = "confirmed"


GRADES = (
    # code, order, Chinese name, English name
    ("none", 0, "无等级", "No grade"),
    ("junior", 1, "五级/初级工", "Level 5 / Junior worker"),
    ("intermediate", 2, "四级/中级工", "Level 4 / Intermediate worker"),
    ("senior", 3, "三级/高级工", "Level 3 / Senior worker"),
    ("technician", 4, "二级/技师", "Level 2 / Technician"),
    ("senior_technician", 5, "一级/高级技师", "Level 1 / Senior technician"),
)
GRADE_ORDER = {code: order for code, order, _zh, _en in GRADES}
