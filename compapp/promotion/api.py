"""Parse and answer ``POST /api/v1/promotion`` without Flask (CONTRACT.md).

Pure: the view decodes JSON, passes the body and a county lookup in, and turns an
``ApiError`` (shared with the quote API) into ``error.to_body()`` with ``error.status``.
Codes: 400 ``bad_request`` / ``missing_field``; 422 ``invalid_value`` (the ``field`` says
which value) or ``no_policy``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from compapp.core.vocab import GRADE_ORDER
from compapp.policy.categories import CATEGORIES, EVENT_FORMATS
from compapp.promotion.policy import NoPromotionRuleInForce, PromotionRuleSet
from compapp.promotion.rules import Eligibility, PromotionFacts, check_eligibility

# One error type for both calculator endpoints, so a client handles them alike.
from compapp.rewards.quote import ApiError

__all__ = [
    "ApiError",
    "CountyLookup",
    "answer_promotion_request",
    "parse_promotion_request",
    "promotion_response",
]

# county code -> (county name, prefecture code, prefecture name), or None when unknown.
CountyLookup = Callable[[str], "tuple[str, str, str] | None"]

REQUIRED_FIELDS = (
    "award_date",
    "category",
    "event_format",
    "rank",
    "current_grade",
    "is_employee",
    "county",
)
_ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_COUNTY_RE = re.compile(r"^\d{6}$")


def parse_promotion_request(body: object, lookup_county: CountyLookup) -> PromotionFacts:
    """Return the facts of a promotion request, or raise ``ApiError`` (400 shape, 422 value)."""
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", None, "请求体必须是一个 JSON 对象。")
    for name in REQUIRED_FIELDS:
        # A null counts as missing: the client did not say what the value is.
        if body.get(name) is None:
            raise ApiError(400, "missing_field", name, f"缺少字段 {name}，请补充后重新提交。")

    award_on = _parse_date(body["award_date"])

    category = body["category"]
    if not isinstance(category, str) or category not in CATEGORIES:
        raise ApiError(
            422,
            "invalid_value",
            "category",
            f"未知的赛事类别 {category!r}，可用的类别：{'、'.join(CATEGORIES)}。",
        )

    event_format = body["event_format"]
    if not isinstance(event_format, str) or event_format not in EVENT_FORMATS:
        raise ApiError(
            422,
            "invalid_value",
            "event_format",
            f"未知的赛项形式 {event_format!r}，应为 individual、pair 或 trio。",
        )

    rank = body["rank"]
    # bool is an int subclass and 2.0 is not a rank: accept only true integers.
    if type(rank) is not int or rank < 1:
        raise ApiError(
            422, "invalid_value", "rank", f"决赛名次 rank 必须是不小于 1 的整数，收到 {rank!r}。"
        )

    grade = body["current_grade"]
    if not isinstance(grade, str) or grade not in GRADE_ORDER:
        raise ApiError(
            422,
            "invalid_value",
            "current_grade",
            f"未知的现有等级 {grade!r}，应为 {'、'.join(GRADE_ORDER)} 之一。",
        )

    is_employee = body["is_employee"]
    if not isinstance(is_employee, bool):
        raise ApiError(
            422,
            "invalid_value",
            "is_employee",
            f"is_employee 必须是 true 或 false，收到 {is_employee!r}。",
        )

    county = body["county"]
    found = lookup_county(county) if isinstance(county, str) and _COUNTY_RE.match(county) else None
    if found is None:
        raise ApiError(
            422,
            "invalid_value",
            "county",
            f"未知的选送县（市、区）代码 {county!r}，请填写 6 位行政区划代码，如 533401。",
        )
    _county_name, prefecture_code, _prefecture_name = found

    return PromotionFacts(
        award_on=award_on,
        category=category,
        event_format=event_format,
        rank=rank,
        current_grade=grade,
        is_employee=is_employee,
        county_code=county,
        prefecture_code=prefecture_code,
    )


def promotion_response(eligibility: Eligibility) -> dict:
    """Return the 200 answer of CONTRACT.md for ``eligibility``."""
    return {
        "eligible": eligibility.eligible,
        "from_grade": eligibility.from_grade,
        "to_grade": eligibility.to_grade,
        "title": eligibility.title,
        "title_needs_approval": eligibility.title_needs_approval,
        "policy": eligibility.policy_id,
        "clause": eligibility.clause,
        "citation": eligibility.citation,
        "reason": eligibility.reason,
    }


def answer_promotion_request(
    body: object, lookup_county: CountyLookup, rules: PromotionRuleSet
) -> dict:
    """Parse ``body``, check eligibility and return the 200 answer; raise ``ApiError`` else."""
    facts = parse_promotion_request(body, lookup_county)
    try:
        eligibility = check_eligibility(facts, rules)
    except NoPromotionRuleInForce as exc:
        raise ApiError(422, "no_policy", "award_date", str(exc)) from exc
    return promotion_response(eligibility)


def _parse_date(value: object) -> date:
    # date.fromisoformat also takes "20240915" and week dates; the contract says YYYY-MM-DD.
    if isinstance(value, str) and _ISO_DATE_RE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ApiError(
        422,
        "invalid_value",
        "award_date",
        f"获奖日期 award_date 应为有效日期，格式 YYYY-MM-DD，收到 {value!r}。",
    )
