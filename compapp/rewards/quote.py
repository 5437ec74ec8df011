"""Parse and answer ``POST /api/v1/quote`` without Flask (CONTRACT.md).

Pure: the view decodes the JSON, passes the body, a county lookup and the policy set in,
and turns an ``ApiError`` into ``error.to_body()`` with ``error.status``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from compapp.core.money import format_plain
from compapp.policy.categories import CATEGORIES, EVENT_FORMATS, MEDALS
from compapp.policy.loader import NoPolicyInForce, PolicySet
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

# county code -> (county name, prefecture code, prefecture name), or None when unknown.
CountyLookup = Callable[[str], "tuple[str, str, str] | None"]

REQUIRED_FIELDS = ("award_date", "category", "event_format", "result", "county")
RESULT_FIELDS = ("medal", "prize", "rank")
_ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_COUNTY_RE = re.compile(r"^\d{6}$")


class ApiError(Exception):
    """A request the API refuses: HTTP status, machine code, offending field, and a sentence."""

    def __init__(self, status: int, code: str, field: str | None, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.field = field
        self.message = message

    def to_body(self) -> dict:
        """Return the JSON error body of CONTRACT.md."""
        return {"error": {"code": self.code, "field": self.field, "message": self.message}}


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(422, "invalid_value", field, message)


def _is_int(value: object) -> bool:
    # bool is an int subclass and 2.0 is not a prize: accept only true integers.
    return type(value) is int


def parse_quote_request(body: object, lookup_county: CountyLookup) -> AwardFacts:
    """Return the facts of a quote request, or raise ``ApiError`` (400 shape, 422 value)."""
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", None, "请求体必须是一个 JSON 对象。")
    for name in REQUIRED_FIELDS:
        # A null counts as missing: the client did not say what the value is.
        if body.get(name) is None:
            raise ApiError(400, "missing_field", name, f"缺少字段 {name}，请补充后重新提交。")

    award_on = _parse_date(body["award_date"])

    category = body["category"]
    if not isinstance(category, str) or category not in CATEGORIES:
        raise _invalid(
            "category",
            f"未知的赛事类别 “{category}”。请使用 POLICY 中的类别编号：{'、'.join(CATEGORIES)}。",
        )

    event_format = body["event_format"]
    if not isinstance(event_format, str) or event_format not in EVENT_FORMATS:
        raise _invalid(
            "event_format", f"未知的赛项形式 “{event_format}”。请使用 individual、pair 或 trio。"
        )

    medal, prize, rank = _parse_result(body["result"], category)

    county = body["county"]
    found = lookup_county(county) if isinstance(county, str) and _COUNTY_RE.match(county) else None
    if found is None:
        raise _invalid(
            "county",
            f"未知的选送县（市、区）代码 “{county}”。请填写 6 位行政区划代码，如 533422。",
        )
    county_name, prefecture_code, prefecture_name = found

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
    )


def _parse_result(value: object, category: str) -> tuple[str | None, int | None, int | None]:
    """Return (medal, prize, rank) from the ``result`` object, checked against the category."""
    if not isinstance(value, dict):
        raise _invalid(
            "result", 'result 必须是一个对象，如 {"medal": "gold"}、{"prize": 1} 或 {"rank": 5}。'
        )
    for key in value:
        if key not in RESULT_FIELDS:
            raise _invalid(
                f"result.{key}", f"result 中不认识 “{key}”。只可填写 medal、prize、rank。"
            )
    medal = value.get("medal")
    prize = value.get("prize")
    rank = value.get("rank")
    if medal is None and prize is None and rank is None:
        raise _invalid("result", "result 至少要给出 medal、prize 或 rank 之一。")
    if medal is not None and prize is not None:
        raise _invalid(
            "result", "一个名次只能有奖牌（medal）或等级奖（prize）之一，请去掉其中一个。"
        )
    if medal is not None and medal not in MEDALS:
        raise _invalid("result.medal", f"未知的奖牌 “{medal}”。请使用 {'、'.join(MEDALS)}。")
    if prize is not None and (not _is_int(prize) or prize not in (1, 2, 3)):
        raise _invalid("result.prize", f"等级奖 prize 应为 1、2 或 3，收到 {prize!r}。")
    if rank is not None and (not _is_int(rank) or rank < 1):
        raise _invalid("result.rank", f"名次 rank 必须是不小于 1 的整数，收到 {rank!r}。")
    try:
        check_result(category, medal, prize)
    except InvalidFacts as exc:
        field = "result.medal" if medal is not None else "result.prize"
        raise _invalid(field, f"{exc}请按该类别可颁发的结果填写。") from exc
    return medal, prize, rank


def _parse_date(value: object) -> date:
    # date.fromisoformat also takes "20240915" and week dates; the contract says YYYY-MM-DD.
    if isinstance(value, str) and _ISO_DATE_RE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise _invalid(
        "award_date", f"获奖日期 award_date 应为有效日期，格式 YYYY-MM-DD，收到 {value!r}。"
    )


def _line_body(line: AwardLine) -> dict:
    return {
        "payer_level": line.payer_level,
        "payer_code": line.payer_code,
        "payer_name": line.payer_name,
        "amount": format_plain(line.amount),
        "policy": line.policy_id,
        "clause": line.clause,
        "citation": line.citation,
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


def answer_quote_request(body: object, lookup_county: CountyLookup, policies: PolicySet) -> dict:
    """Parse ``body``, compute the awards and return the 200 answer; raise ``ApiError`` else."""
    facts = parse_quote_request(body, lookup_county)
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
        raise _invalid("result", str(exc)) from exc
    return quote_response(facts, result)
