"""Run the readable promotion cases in tests/cases/promotion/*.toml (STYLE.md, OpenFisca-style)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from compapp.promotion.policy import NoPromotionRuleInForce, load_promotion_rules
from compapp.promotion.rules import PromotionFacts, check_eligibility

CASES_DIR = Path(__file__).resolve().parent.parent / "cases" / "promotion"
RULES = load_promotion_rules()
ERRORS = {"NoPromotionRuleInForce": NoPromotionRuleInForce}


def _cases() -> list:
    cases = []
    for path in sorted(CASES_DIR.glob("*.toml")):
        with open(path, "rb") as fh:
            for case in tomllib.load(fh)["cases"]:
                cases.append(pytest.param(case, id=f"{path.stem}: {case['name']}"))
    return cases


CASES = _cases()


def test_case_files_are_present():
    """An empty case directory would make the parametrized test below vacuous."""
    assert len(CASES) >= 15


@pytest.mark.parametrize("case", CASES)
def test_promotion_case(case):
    """Each case states its facts and the expected answer under POLICY.md §6."""
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
    assert not given, f"unknown input keys {sorted(given)}"
    expected = dict(case["output"])
    if "error" in expected:
        with pytest.raises(ERRORS[expected["error"]], match=case["on"].isoformat()):
            check_eligibility(facts, RULES)
        return
    result = check_eligibility(facts, RULES)
    if fragment := expected.pop("reason_contains", None):
        assert fragment in result.reason, result.reason
    # What a person reads names documents, never files or ids (POLICY §8).
    for text in (result.reason, result.citation or ""):
        assert ".txt" not in text and "dq-2022" not in text, text
    for key, value in expected.items():
        # TOML has no null: "" in a case means None.
        assert getattr(result, key) == (None if value == "" else value), key
