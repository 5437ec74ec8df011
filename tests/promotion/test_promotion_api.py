"""POST /api/v1/promotion without Flask: parsing, errors and the answer (CONTRACT.md)."""

from __future__ import annotations

from datetime import date

import pytest

from compapp.policy.promotion import load_promotion_rules
from compapp.promotion.api import (
    ApiError,
    answer_promotion_request,
    parse_promotion_request,
    promotion_response,
)
from compapp.promotion.rules import check_eligibility

RULES = load_promotion_rules()

COUNTIES = {
    "533401": ("香格里拉市", "533400", "迪庆藏族自治州"),
    "533422": ("德钦县", "533400", "迪庆藏族自治州"),
    "533423": ("维西傈僳族自治县", "533400", "迪庆藏族自治州"),
    "530523": ("龙陵县", "530500", "保山市"),
}


def lookup(code: str):
    return COUNTIES.get(code)


def body(**changes) -> dict:
    """Return the CONTRACT.md example request with ``changes`` applied."""
    request = {
        "award_date": "2024-09-15",
        "category": "provincial_class1",
        "event_format": "pair",
        "rank": 2,
        "current_grade": "senior",
        "is_employee": True,
        "county": "533401",
    }
    request.update(changes)
    return request


def test_contract_example_parses_to_facts_with_the_prefecture_of_the_county():
    """The county decides the prefecture (POLICY.md §5.7)."""
    facts = parse_promotion_request(body(), lookup)
    assert facts.award_on == date(2024, 9, 15)
    assert (facts.category, facts.event_format, facts.rank) == ("provincial_class1", "pair", 2)
    assert (facts.current_grade, facts.is_employee) == ("senior", True)
    assert (facts.county_code, facts.prefecture_code) == ("533401", "533400")


def test_contract_example_answers_exactly_the_contract_shape():
    """CONTRACT.md: eligible … reason, nothing more, nothing less."""
    answer = answer_promotion_request(body(), lookup, RULES)
    assert list(answer) == [
        "eligible", "from_grade", "to_grade", "title", "title_needs_approval",
        "policy", "clause", "citation", "reason",
    ]  # fmt: skip
    assert answer["eligible"] is True
    assert answer["from_grade"] == "senior"
    assert answer["to_grade"] == "technician"
    assert answer["title"] == "云南竞赛技术能手"
    assert answer["title_needs_approval"] is True
    assert answer["policy"] == "dq-2022"
    assert answer["clause"] == "(1)"
    assert "迪庆方案（未印文号）四（四）3." in answer["citation"]
    assert ".txt" not in answer["citation"]
    assert answer["reason"]


def test_not_eligible_answer_has_null_grade_and_title_and_a_reason():
    """CONTRACT.md: to_grade and title are null when there is none; reason always says why."""
    answer = answer_promotion_request(body(rank=9), lookup, RULES)
    assert answer["eligible"] is False
    assert answer["to_grade"] is None and answer["title"] is None
    assert answer["title_needs_approval"] is False
    assert "第 9 名" in answer["reason"]


def test_non_diqing_county_answers_200_with_no_rule_configured():
    """POLICY.md §6: others get 'no promotion rule configured', not an error."""
    answer = answer_promotion_request(body(county="530523"), lookup, RULES)
    assert answer["eligible"] is False
    assert answer["policy"] is None
    assert answer["reason"] == "未配置晋升规则：仅迪庆州选送的选手适用迪庆方案。"


def test_promotion_and_quote_share_one_error_type():
    """Both calculator endpoints raise the same ApiError, so one handler serves both."""
    from compapp.rewards import quote

    assert ApiError is quote.ApiError


def test_response_is_built_from_the_eligibility_fields():
    """promotion_response maps policy_id to "policy" and leaves band/version out."""
    eligibility = check_eligibility(parse_promotion_request(body(), lookup), RULES)
    answer = promotion_response(eligibility)
    assert answer["policy"] == eligibility.policy_id
    assert "band" not in answer and "version_from" not in answer


def test_date_before_dq_2022_is_422_no_policy_naming_the_date():
    """CONTRACT.md: a date no policy version covers → 422, code no_policy."""
    with pytest.raises(ApiError) as info:
        answer_promotion_request(body(award_date="2022-05-26"), lookup, RULES)
    error = info.value
    assert (error.status, error.code, error.field) == (422, "no_policy", "award_date")
    assert "2022-05-26" in error.message


@pytest.mark.parametrize("raw", [None, [], "text", 3, ["award_date"]])
def test_body_that_is_not_an_object_is_400(raw):
    """Malformed request → 400."""
    with pytest.raises(ApiError) as info:
        parse_promotion_request(raw, lookup)
    assert (info.value.status, info.value.code) == (400, "bad_request")


@pytest.mark.parametrize(
    "field",
    ["award_date", "category", "event_format", "rank", "current_grade", "is_employee", "county"],
)
def test_missing_field_is_400_naming_it(field):
    """A missing field → 400 with that field."""
    request = body()
    del request[field]
    with pytest.raises(ApiError) as info:
        parse_promotion_request(request, lookup)
    assert (info.value.status, info.value.code, info.value.field) == (400, "missing_field", field)
    assert field in info.value.message


def test_null_field_counts_as_missing():
    """ "rank": null says nothing about the rank → 400 like a missing field."""
    with pytest.raises(ApiError) as info:
        parse_promotion_request(body(rank=None), lookup)
    assert (info.value.status, info.value.field) == (400, "rank")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("rank", 0),
        ("rank", -1),
        ("rank", 2.0),
        ("rank", "2"),
        ("rank", True),
        ("current_grade", "master"),
        ("current_grade", "Senior"),
        ("category", "olympics"),
        ("category", 1),
        ("event_format", "quartet"),
        ("county", "999999"),
        ("county", "533400"),
        ("county", 533401),
        ("county", "53340"),
        ("award_date", "2024-02-30"),
        ("award_date", "20240915"),
        ("award_date", "15/09/2024"),
        ("award_date", "2024-09-15T10:00:00"),
        ("award_date", 20240915),
        ("is_employee", "yes"),
        ("is_employee", 1),
    ],
)
def test_value_not_allowed_is_422_naming_the_field(field, value):
    """CONTRACT.md: unknown category/county/grade/format, rank below 1, bad date → 422."""
    with pytest.raises(ApiError) as info:
        parse_promotion_request(body(**{field: value}), lookup)
    error = info.value
    assert (error.status, error.code, error.field) == (422, "invalid_value", field)
    assert error.message.endswith("。")


def test_error_body_has_the_contract_shape():
    """{"error": {"code", "field", "message"}}."""
    with pytest.raises(ApiError) as info:
        parse_promotion_request(body(rank=0), lookup)
    assert info.value.to_body() == {
        "error": {"code": "invalid_value", "field": "rank", "message": info.value.message}
    }


def test_category_without_rule_is_200_not_an_error():
    """A national contest is a valid category; dq-2022 just has no promotion for it."""
    answer = answer_promotion_request(body(category="national_class1"), lookup, RULES)
    assert answer["eligible"] is False
    assert answer["policy"] == "dq-2022"
