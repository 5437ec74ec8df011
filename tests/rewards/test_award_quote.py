"""Parsing and answering ``POST /api/v1/quote`` without Flask (CONTRACT.md)."""

from __future__ import annotations

from datetime import date

import pytest

from compapp.policy.loader import load_policies
from compapp.rewards.quote import (
    ApiError,
    answer_quote_request,
    parse_quote_request,
    quote_response,
)
from compapp.rewards.rules import compute_awards

POLICIES = load_policies()
COUNTIES = {
    "533422": ("德钦县", "533400", "迪庆藏族自治州"),
    "530402": ("红塔区", "530400", "玉溪市"),
    "530502": ("隆阳区", "530500", "保山市"),
}
KEY_CHECK = {
    "award_date": "2024-09-15",
    "category": "national_skills_competition",
    "event_format": "individual",
    "result": {"medal": "gold"},
    "county": "533422",
}


def _error(body: object) -> ApiError:
    with pytest.raises(ApiError) as info:
        answer_quote_request(body, COUNTIES.get, POLICIES)
    return info.value


def test_quote_for_a_deqin_national_gold_matches_the_contract_example() -> None:
    """yn-2021-28 (2) ¥200,000 plus dq-2022 (6) 20% and 30%, each for the coaching team too."""
    answer = answer_quote_request(KEY_CHECK, COUNTIES.get, POLICIES)
    assert answer["currency"] == "CNY" and answer["award_date"] == "2024-09-15"
    for payee in ("competitor", "coaching_team"):
        lines = answer[payee]["lines"]
        assert [
            (x["payer_level"], x["payer_code"], x["amount"], x["policy"], x["clause"])
            for x in lines
        ] == [
            ("province", "530000", "200000.00", "yn-2021-28", "(2)"),
            ("prefecture", "533400", "40000.00", "dq-2022", "(6)"),
            ("county", "533422", "60000.00", "dq-2022", "(6)"),
        ]
        assert answer[payee]["total"] == "300000.00"
        assert set(lines[0]) == {
            "payer_level",
            "payer_code",
            "payer_name",
            "amount",
            "policy",
            "clause",
            "citation",
            "explanation",
        }
    assert lines[2]["payer_name"] == "德钦县"
    # POLICY §4.1, §8: documents by short title and 文号, the province's through Diqing's text.
    assert (
        lines[0]["citation"]
        == "“技能云南”行动意见（云政发〔2021〕28号，据迪庆方案四（四）2.(2)转述）"
    )
    assert lines[2]["citation"] == "迪庆方案（未印文号）四（四）2.(6)"
    assert "¥200,000 × 30% = ¥60,000" in lines[2]["explanation"]
    assert any("2021-01-01" in notice and "假定" in notice for notice in answer["notices"])


def test_quote_keys_are_exactly_the_contract_shape() -> None:
    """CONTRACT.md: currency, award_date, competitor, coaching_team, notices."""
    answer = answer_quote_request(KEY_CHECK, COUNTIES.get, POLICIES)
    assert set(answer) == {"currency", "award_date", "competitor", "coaching_team", "notices"}
    assert set(answer["competitor"]) == {"total", "lines"}


def test_quote_for_a_yuxi_competitor_says_yuxi_amounts_are_not_configured() -> None:
    """POLICY §4.5: never invent Yuxi's amounts; say they are not configured."""
    answer = answer_quote_request({**KEY_CHECK, "county": "530402"}, COUNTIES.get, POLICIES)
    assert [x["policy"] for x in answer["competitor"]["lines"]] == ["yn-2021-28"]
    assert any("未配置玉溪市的奖励金额" in notice for notice in answer["notices"])


def test_a_rank_alone_quotes_zero_with_no_lines() -> None:
    """CONTRACT: ``{"rank": N}`` alone is allowed and carries no cash."""
    body = {**KEY_CHECK, "category": "provincial_class2", "result": {"rank": 2}}
    answer = answer_quote_request(body, COUNTIES.get, POLICIES)
    assert answer["competitor"] == {"total": "0.00", "lines": []}
    assert answer["coaching_team"] == {"total": "0.00", "lines": []}


def test_a_prize_with_a_rank_parses_into_facts() -> None:
    """CONTRACT: a result may carry a prize and a rank."""
    body = {**KEY_CHECK, "category": "provincial_class1", "result": {"prize": 2, "rank": 5}}
    facts = parse_quote_request(body, COUNTIES.get)
    assert (facts.award_on, facts.prize, facts.rank, facts.medal) == (date(2024, 9, 15), 2, 5, None)
    assert (facts.county_name, facts.prefecture_code) == ("德钦县", "533400")


@pytest.mark.parametrize("body", [None, [], "x", 3])
def test_a_body_that_is_not_an_object_is_a_400(body) -> None:
    """CONTRACT: malformed JSON is a 400."""
    error = _error(body)
    assert (error.status, error.code) == (400, "bad_request")


@pytest.mark.parametrize("field", ["award_date", "category", "event_format", "result", "county"])
def test_a_missing_field_is_a_400_naming_it(field: str) -> None:
    """CONTRACT: a missing field is a 400."""
    body = {k: v for k, v in KEY_CHECK.items() if k != field}
    error = _error(body)
    assert (error.status, error.code, error.field) == (400, "missing_field", field)
    assert error.to_body() == {
        "error": {"code": "missing_field", "field": field, "message": error.message}
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"category": "x"}, "category"),
        ({"category": 7}, "category"),
        ({"event_format": "quartet"}, "event_format"),
        ({"county": "999999"}, "county"),
        ({"county": 533422}, "county"),
        ({"award_date": "2024-02-30"}, "award_date"),
        ({"award_date": "20240915"}, "award_date"),
        ({"result": "gold"}, "result"),
        ({"result": {}}, "result"),
        ({"result": {"medal": "gold", "prize": 1}}, "result"),
        ({"result": {"medal": "platinum"}}, "result.medal"),
        ({"result": {"medal": "gold", "place": 1}}, "result.place"),
        ({"result": {"prize": 1}}, "result.prize"),
        ({"result": {"prize": True}}, "result.prize"),
        ({"result": {"rank": 0}}, "result.rank"),
        ({"result": {"rank": 1.0}}, "result.rank"),
        (
            {"category": "prefecture_comprehensive", "result": {"medal": "excellence"}},
            "result.medal",
        ),
    ],
)
def test_a_value_that_is_not_allowed_is_a_422_naming_the_field(change: dict, field: str) -> None:
    """CONTRACT: unknown category or county, a medal the category does not award, a rank
    below 1, a bad date: 422 with a sentence a person can act on."""
    error = _error({**KEY_CHECK, **change})
    assert (error.status, error.code, error.field) == (422, "invalid_value", field)
    assert error.message.endswith("。")


def test_an_unknown_category_message_says_what_to_use() -> None:
    """The message names the wrong value and where the right ones are."""
    message = _error({**KEY_CHECK, "category": "x"}).message
    assert message.startswith("未知的赛事类别 “x”。请使用 POLICY 中的类别编号")


def test_a_date_no_policy_covers_is_a_422_no_policy() -> None:
    """CONTRACT and POLICY §5.4: a date no policy version covers is 422 ``no_policy``."""
    error = _error({**KEY_CHECK, "award_date": "2016-05-01"})
    assert (error.status, error.code, error.field) == (422, "no_policy", "award_date")
    assert "2016-05-01" in error.message


def test_quote_response_formats_amounts_with_two_decimals() -> None:
    """CONTRACT: amounts are strings in yuan with exactly two decimals."""
    facts = parse_quote_request(KEY_CHECK, COUNTIES.get)
    answer = quote_response(facts, compute_awards(facts, POLICIES))
    amounts = [x["amount"] for x in answer["competitor"]["lines"]]
    assert amounts == ["200000.00", "40000.00", "60000.00"]
