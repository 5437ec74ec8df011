"""Run the readable rule cases in tests/cases/<kind>/*.toml through the pure rules.

One format for every kind (OpenFisca's shape): each case is ``name``, ``on`` (the award
date), ``input`` (the facts), ``output`` (the expected answer by name) and, where it helps
a reader, ``source`` (the document and clause the case is derived from). One runner: it
checks the named outputs, that each answer cites the clause the case expects, and that
what a person reads names documents, never files or internal ids (POLICY.md §8).

Kinds: ``awards`` (compapp.rewards.rules.compute_awards, POLICY.md §4) and ``promotion``
(compapp.promotion.rules.check_eligibility, POLICY.md §6).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from compapp.policy.loader import load_policies
from compapp.policy.model import NoPolicyInForce
from compapp.policy.promotion import NoPromotionRuleInForce, load_promotion_rules
from compapp.promotion.rules import PromotionFacts, check_eligibility
from compapp.rewards.rules import AwardFacts, compute_awards

CASES_DIR = Path(__file__).parent / "cases"
CASE_KEYS = {"name", "on", "input", "output", "source"}
ERRORS = {"NoPolicyInForce": NoPolicyInForce, "NoPromotionRuleInForce": NoPromotionRuleInForce}

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

AWARD_POLICIES = load_policies()
PROMOTION_RULES = load_promotion_rules()


def _load(kind: str) -> list:
    params = []
    for path in sorted((CASES_DIR / kind).glob("*.toml")):
        with open(path, "rb") as fh:
            for case in tomllib.load(fh)["cases"]:
                params.append(pytest.param(case, id=f"{path.stem}: {case['name']}"))
    return params


def _readable(text: str) -> None:
    assert not UNREADABLE.search(text), text


def _line_rows(lines) -> list[list[str]]:
    return [
        [line.payer_level, line.payer_code, f"{line.amount:.2f}", line.policy_id, line.clause]
        for line in lines
    ]


def run_award_case(case: dict) -> None:
    """Award lines: payer, amount, document and clause per line; notices by fragment."""
    given = dict(case["input"])
    county_name, prefecture_code, prefecture_name = COUNTIES[given["county"]]
    organiser = given.pop("organiser", None)
    facts = AwardFacts(
        award_on=case["on"],
        category=given.pop("category"),
        event_format=given.pop("event_format"),
        medal=given.pop("medal", None),
        prize=given.pop("prize", None),
        rank=given.pop("rank", None),
        county_code=given.pop("county"),
        county_name=county_name,
        prefecture_code=prefecture_code,
        prefecture_name=prefecture_name,
        organiser_code=organiser,
        organiser_name=PREFECTURES.get(organiser or "", ""),
    )
    assert not given, f"unknown input {sorted(given)}"
    expected = case["output"]
    if "error" in expected:
        with pytest.raises(ERRORS[expected["error"]]):
            compute_awards(facts, AWARD_POLICIES)
        return
    result = compute_awards(facts, AWARD_POLICIES)
    assert _line_rows(result.competitor_lines) == expected["competitor"]
    team = (
        expected["competitor"] if expected["coaching_team"] == "same" else expected["coaching_team"]
    )
    assert _line_rows(result.coaching_team_lines) == team
    for wanted in expected["notices"]:
        assert any(wanted in notice for notice in result.notices), (wanted, result.notices)
    for unwanted in expected.get("no_notices", []):
        assert not any(unwanted in notice for notice in result.notices), (unwanted, result.notices)
    if "notice_count" in expected:
        assert len(result.notices) == expected["notice_count"], result.notices
    assert result.competitor_total == sum(
        (Decimal(row[2]) for row in expected["competitor"]), Decimal(0)
    )
    for text in result.notices:
        _readable(text)
    for line in result.lines:
        # The clause a line names is one the document really has, quoted for the reader.
        assert line.explanation and line.citation and line.payer_name
        assert line.cited is not None, (line.policy_id, line.clause)
        _readable(line.explanation)
        _readable(line.cited.text)


def run_promotion_case(case: dict) -> None:
    """Eligibility by field (``""`` in a case means None); reason by fragment."""
    given = dict(case["input"])
    facts = PromotionFacts(
        award_on=case["on"],
        category=given.pop("category"),
        event_format=given.pop("event_format"),
        rank=given.pop("rank"),
        current_grade=given.pop("current_grade"),
        is_employee=given.pop("is_employee", True),
        county_code=given.pop("county", "533401"),
        prefecture_code=given.pop("prefecture", "533400"),
        organiser_code=given.pop("organiser", None),
        organiser_name=given.pop("organiser_name", ""),
    )
    assert not given, f"unknown input {sorted(given)}"
    expected = dict(case["output"])
    if "error" in expected:
        with pytest.raises(ERRORS[expected["error"]], match=case["on"].isoformat()):
            check_eligibility(facts, PROMOTION_RULES)
        return
    result = check_eligibility(facts, PROMOTION_RULES)
    if fragment := expected.pop("reason_contains", None):
        assert fragment in result.reason, result.reason
    for key, value in expected.items():
        assert getattr(result, key) == (None if value == "" else value), key
    if result.eligible:
        # An eligible answer cites the clause it rests on.
        assert result.clause and result.citation, result
    _readable(result.reason)
    _readable(result.citation or "")


RUNNERS: dict[str, Callable[[dict], None]] = {
    "awards": run_award_case,
    "promotion": run_promotion_case,
}
CASES = {kind: _load(kind) for kind in RUNNERS}


def test_every_case_folder_has_a_runner() -> None:
    """A folder of cases no runner reads would pass unnoticed."""
    folders = {path.name for path in CASES_DIR.iterdir() if path.is_dir()}
    assert folders == set(RUNNERS)


def test_award_cases_cover_every_cell_of_policy_section_4() -> None:
    """POLICY §4.1 has 26 cells, §4.2 4, §4.3 (7) 12, §4.4 15: each has a case."""
    assert len(CASES["awards"]) >= 26 + 4 + 26 + 12 + 15 + 4


def test_promotion_cases_are_present() -> None:
    """An empty case folder would make the parametrized test vacuous."""
    assert len(CASES["promotion"]) >= 15


@pytest.mark.parametrize(
    ("kind", "case"),
    [
        pytest.param(kind, case.values[0], id=f"{kind}/{case.id}")
        for kind in RUNNERS
        for case in CASES[kind]
    ],
)
def test_rule_case(kind: str, case: dict) -> None:
    """Each case states its facts and the answer the documents give (POLICY.md §4, §6)."""
    assert set(case) <= CASE_KEYS and {"name", "on", "input", "output"} <= set(case), sorted(case)
    RUNNERS[kind](case)
