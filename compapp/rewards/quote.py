"""Parse and answer ``POST /api/v1/quote`` without Flask (CONTRACT.md).

Pure: the view decodes the JSON, passes the body, a county lookup and the policy set in,
and turns an ``ApiError`` into ``error.to_body()`` with ``error.status``.
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
from compapp.core.money import format_plain
from compapp.policy.categories import MEDALS
from compapp.policy.model import NoPolicyInForce, PolicySet
from compapp.rewards.rules import (
    AwardFacts,
    AwardLine,
    AwardResult,
    InvalidFacts,
    check_result,
    compute_awards,
)

__all__ = [
    "ApiError",
    "CountyLookup",
    "answer_quote_request",
    "parse_quote_request",
    "quote_response",
]

REQUIRED_FIELDS = ("award_date", "category", "event_format", "result", "county")
RESULT_FIELDS = ("medal", "prize", "rank")


def _is_int(value: object) -> bool:
    # bool is an int subclass and 2.0 is not a prize: accept only true integers.
    return type(value) is int


def parse_quote_request(
    body: object, lookup_county: CountyLookup, lookup_organiser: OrganiserLookup | None = None
) -> AwardFacts:
    """Return the facts of a quote request, or raise ``ApiError`` (400 shape, 422 value)."""
    require_fields(body, REQUIRED_FIELDS)
    award_on = parse_award_date(body["award_date"])
    category = parse_category(body["category"])
    event_format = parse_event_format(body["event_format"])
    medal, prize, rank = _parse_result(body["result"], category)

    county, county_name, prefecture_code, prefecture_name = parse_county(
        body["county"], lookup_county
    )
    organiser_code, organiser_name = parse_organiser(body, category, lookup_organiser)

    return AwardFacts(
        award_on=award_on,
        category=category,
        event_format=event_format,
        medal=medal,
        prize=prize,
        rank=rank,
        county_code=county,
        county_name=county_name,
        prefecture_code=prefecture_code,
        prefecture_name=prefecture_name,
        organiser_code=organiser_code,
        organiser_name=organiser_name,
    )


def _parse_result(value: object, category: str) -> tuple[str | None, int | None, int | None]:
    """Return (medal, prize, rank) from the ``result`` object, checked against the category."""
    if not isinstance(value, dict):
        raise invalid(
            "result", 'result 必须是一个对象，如 {"medal": "gold"}、{"prize": 1} 或 {"rank": 5}。'
        )
    for key in value:
        if key not in RESULT_FIELDS:
            raise invalid(
                f"result.{str(key)[:40]}",
                f"result 中不认识 {excerpt(key)}。只可填写 medal、prize、rank。",
            )
    medal = value.get("medal")
    prize = value.get("prize")
    rank = value.get("rank")
    if medal is None and prize is None and rank is None:
        raise invalid("result", "result 至少要给出 medal、prize 或 rank 之一。")
    if medal is not None and prize is not None:
        raise invalid(
            "result", "一个名次只能有奖牌（medal）或等级奖（prize）之一，请去掉其中一个。"
        )
    if medal is not None and medal not in MEDALS:
        raise invalid("result.medal", f"未知的奖牌 {excerpt(medal)}。请使用 {'、'.join(MEDALS)}。")
    if prize is not None and (not _is_int(prize) or prize not in (1, 2, 3)):
        raise invalid("result.prize", f"等级奖 prize 应为 1、2 或 3，收到 {excerpt(prize)}。")
    if rank is not None and (not _is_int(rank) or rank < 1):
        raise invalid("result.rank", f"名次 rank 必须是不小于 1 的整数，收到 {excerpt(rank)}。")
    try:
        check_result(category, medal, prize)
    except InvalidFacts as exc:
        field = "result.medal" if medal is not None else "result.prize"
        raise invalid(field, f"{exc}请按该类别可颁发的结果填写。") from exc
    return medal, prize, rank


def _line_body(line: AwardLine) -> dict:
    return {
        "payer_level": line.payer_level,
        "payer_code": line.payer_code,
        "payer_name": line.payer_name,
        "amount": format_plain(line.amount),
        "policy": line.policy_id,
        "clause": line.cited.item if line.cited else line.clause,
        "citation": line.cited.text if line.cited else line.clause,
        "explanation": line.explanation,
    }


def quote_response(facts: AwardFacts, result: AwardResult) -> dict:
    """Return the 200 answer of CONTRACT.md for ``facts`` and its computed ``result``."""
    return {
        "currency": "CNY",
        "award_date": facts.award_on.isoformat(),
        "competitor": {
            "total": format_plain(result.competitor_total),
            "lines": [_line_body(line) for line in result.competitor_lines],
        },
        "coaching_team": {
            "total": format_plain(result.coaching_team_total),
            "lines": [_line_body(line) for line in result.coaching_team_lines],
        },
        "notices": list(result.notices),
    }


def answer_quote_request(
    body: object,
    lookup_county: CountyLookup,
    policies: PolicySet,
    lookup_organiser: OrganiserLookup | None = None,
) -> dict:
    """Parse ``body``, compute the awards and return the 200 answer; raise ``ApiError`` else."""
    facts = parse_quote_request(body, lookup_county, lookup_organiser)
    try:
        result = compute_awards(facts, policies)
    except NoPolicyInForce as exc:
        raise ApiError(
            422,
            "no_policy",
            "award_date",
            f"{exc}。请确认获奖日期；该日期没有可适用的奖励政策。",
        ) from exc
    except InvalidFacts as exc:
        raise invalid("result", str(exc)) from exc
    return quote_response(facts, result)
