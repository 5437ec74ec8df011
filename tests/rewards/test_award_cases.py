"""Run the data-driven award cases in tests/cases/awards/ (one per cell of POLICY.md §4)."""

from __future__ import annotations

import re
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from compapp.policy.loader import NoPolicyInForce, load_policies
from compapp.rewards.rules import AwardFacts, compute_awards

CASES_DIR = Path(__file__).parent.parent / "cases" / "awards"
POLICIES = load_policies()

# county code -> (county, prefecture code, prefecture) for the counties the cases use (POLICY §2).
COUNTIES = {
    "533401": ("香格里拉市", "533400", "迪庆藏族自治州"),
    "533422": ("德钦县", "533400", "迪庆藏族自治州"),
    "533423": ("维西傈僳族自治县", "533400", "迪庆藏族自治州"),
    "530502": ("隆阳区", "530500", "保山市"),
    "530523": ("龙陵县", "530500", "保山市"),
    "530524": ("昌宁县", "530500", "保山市"),
    "530402": ("红塔区", "530400", "玉溪市"),
    "530481": ("澄江市", "530400", "玉溪市"),
    "530423": ("通海县", "530400", "玉溪市"),
    "530428": ("元江哈尼族彝族傣族自治县", "530400", "玉溪市"),
    "530102": ("五华区", "530100", "昆明市"),
    "532901": ("大理市", "532900", "大理白族自治州"),
    "532301": ("楚雄市", "532300", "楚雄彝族自治州"),
    "530602": ("昭阳区", "530600", "昭通市"),
    "533103": ("芒市", "533100", "德宏傣族景颇族自治州"),
}
PREFECTURES = {
    "530000": "云南省",
    "530100": "昆明市",
    "530400": "玉溪市",
    "530500": "保山市",
    "532900": "大理白族自治州",
    "533400": "迪庆藏族自治州",
}
# What a person reads must never show these (POLICY.md §8).
UNREADABLE = re.compile(r"\.txt|POLICY\.md|sha256|\b[a-z]{2}-\d{4}(-\d+)?\b")


def _load_cases() -> list:
    params = []
    for path in sorted(CASES_DIR.glob("*.toml")):
        with open(path, "rb") as fh:
            for case in tomllib.load(fh)["cases"]:
                params.append(pytest.param(case, id=f"{path.stem}: {case['name']}"))
    return params


CASES = _load_cases()


def _facts(case: dict) -> AwardFacts:
    county_name, prefecture_code, prefecture_name = COUNTIES[case["county"]]
    return AwardFacts(
        award_on=case["on"],
        category=case["category"],
        event_format=case["event_format"],
        medal=case.get("medal"),
        prize=case.get("prize"),
        rank=case.get("rank"),
        county_code=case["county"],
        county_name=county_name,
        prefecture_code=prefecture_code,
        prefecture_name=prefecture_name,
        organiser_code=case.get("organiser"),
        organiser_name=PREFECTURES.get(case.get("organiser", ""), ""),
    )


def _rows(lines) -> list[list[str]]:
    return [
        [line.payer_level, line.payer_code, f"{line.amount:.2f}", line.policy_id, line.clause]
        for line in lines
    ]


def test_award_cases_cover_every_cell_of_policy_section_4() -> None:
    """POLICY §4.1 has 26 cells, §4.2 4, §4.3 (7) 12, §4.4 15: each has a case."""
    assert len(CASES) >= 26 + 4 + 26 + 12 + 15 + 4


@pytest.mark.parametrize("case", CASES)
def test_award_case_gives_the_expected_lines(case: dict) -> None:
    """Each case names its clause; the computed lines, payers and notices must match it."""
    facts = _facts(case)
    if case.get("error") == "no_policy":
        with pytest.raises(NoPolicyInForce):
            compute_awards(facts, POLICIES)
        return
    result = compute_awards(facts, POLICIES)
    assert _rows(result.competitor_lines) == case["competitor"]
    expected_team = case["competitor"] if case["coaching_team"] == "same" else case["coaching_team"]
    assert _rows(result.coaching_team_lines) == expected_team
    for wanted in case["notices"]:
        assert any(wanted in notice for notice in result.notices), (wanted, result.notices)
    for unwanted in case.get("no_notices", []):
        assert not any(unwanted in notice for notice in result.notices), (unwanted, result.notices)
    if "notice_count" in case:
        assert len(result.notices) == case["notice_count"], result.notices
    for text in [*result.notices, *(line.explanation for line in result.lines)]:
        assert not UNREADABLE.search(text), text
    for line in result.lines:
        assert line.cited is not None and not UNREADABLE.search(line.cited.text)
    assert result.competitor_total == sum(
        (Decimal(row[2]) for row in case["competitor"]), Decimal(0)
    )
    for line in result.lines:
        assert line.explanation and line.citation and line.payer_name
