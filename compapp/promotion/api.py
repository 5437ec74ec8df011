"""Parse and answer ``POST /api/v1/promotion`` without Flask (CONTRACT.md).

Pure: the view decodes JSON, passes the body and a county lookup in, and turns an
``ApiError`` (shared with the quote API) into ``error.to_body()`` with ``error.status``.
Codes: 400 ``bad_request`` / ``missing_field``; 422 ``invalid_value`` (the ``field`` says
which value) or ``no_policy``.
"""

from __future__ import annotations

from compapp.core.api import (
    ApiError,
    CountyLookup,
    OrganiserLookup,
    excerpt,
    invalid,
    parse_award_date,
    parse_category,
    parse_county,
    parse_event_format,
    parse_organiser,
    require_fields,
)
from compapp.core.vocab import GRADE_ORDER
from compapp.policy.promotion import NoPromotionRuleInForce, PromotionRuleSet
from compapp.promotion.rules import Eligibility, PromotionFacts, check_eligibility

__all__ = [
    "ApiError",
    "CountyLookup",
    "answer_promotion_request",
    "parse_promotion_request",
    "promotion_response",
]


REQUIRED_FIELDS = (
    "award_date",
    "category",
    "event_format",
    "rank",
    "current_grade",
    "is_employee",
    "county",
)


def parse_promotion_request(
    body: object, lookup_county: CountyLookup, lookup_organiser: OrganiserLookup | None = None
) -> PromotionFacts:
    """Return the facts of a promotion request, or raise ``ApiError`` (400 shape, 422 value)."""
    require_fields(body, REQUIRED_FIELDS)
    award_on = parse_award_date(body["award_date"])
    category = parse_category(body["category"])
    event_format = parse_event_format(body["event_format"])

    rank = body["rank"]
    # bool is an int subclass and 2.0 is not a rank: accept only true integers.
    if type(rank) is not int or rank < 1:
        raise invalid("rank", f"决赛名次 rank 必须是不小于 1 的整数，收到 {excerpt(rank)}。")

    grade = body["current_grade"]
    if not isinstance(grade, str) or grade not in GRADE_ORDER:
        raise invalid(
            "current_grade",
            f"未知的现有等级 {excerpt(grade)}，应为 {'、'.join(GRADE_ORDER)} 之一。",
        )

    is_employee = body["is_employee"]
    if not isinstance(is_employee, bool):
        raise invalid(
            "is_employee", f"is_employee 必须是 true 或 false，收到 {excerpt(is_employee)}。"
        )

    county, _county_name, prefecture_code, _prefecture_name = parse_county(
        body["county"], lookup_county
    )
    organiser_code, organiser_name = parse_organiser(body, category, lookup_organiser)

    return PromotionFacts(
        award_on=award_on,
        category=category,
        event_format=event_format,
        rank=rank,
        current_grade=grade,
        is_employee=is_employee,
        county_code=county,
        prefecture_code=prefecture_code,
        organiser_code=organiser_code,
        organiser_name=organiser_name,
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
    body: object,
    lookup_county: CountyLookup,
    rules: PromotionRuleSet,
    lookup_organiser: OrganiserLookup | None = None,
) -> dict:
    """Parse ``body``, check eligibility and return the 200 answer; raise ``ApiError`` else."""
    facts = parse_promotion_request(body, lookup_county, lookup_organiser)
    try:
        eligibility = check_eligibility(facts, rules)
    except NoPromotionRuleInForce as exc:
        raise ApiError(422, "no_policy", "award_date", str(exc)) from exc
    return promotion_response(eligibility)
