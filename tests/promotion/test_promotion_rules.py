"""Promotion eligibility under dq-2022 (000_506faec866124176.txt:95, POLICY.md §6)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from compapp.core.vocab import GRADE_ORDER
from compapp.policy.promotion import NoPromotionRuleInForce, load_promotion_rules
from compapp.promotion.rules import (
    GRADE_NAMES,
    Eligibility,
    PromotionFacts,
    check_eligibility,
)

RULES = load_promotion_rules()
FORMATS = ("individual", "pair", "trio")
GRADES = tuple(GRADE_ORDER)  # none … senior_technician
TITLE = "云南竞赛技术能手"
FORMAT_ZH = {"individual": "单人赛项", "pair": "双人赛项", "trio": "三人赛项"}


def _all(band: tuple[int, int]) -> dict[str, tuple[int, int]]:
    return {fmt: band for fmt in FORMATS}


# POLICY.md §6, typed by hand from the table (not read from the data file): a mistake in
# either one makes these tests fail.
TABLE = (
    ("(1)", "provincial_class1", {"individual": (1, 3), "pair": (1, 2), "trio": (1, 1)},
     "technician", "senior_technician"),
    ("(1)", "provincial_class2", {"individual": (1, 2), "pair": (1, 1), "trio": (1, 1)},
     "technician", "senior_technician"),
    ("(2)", "provincial_class1", {"individual": (4, 10), "pair": (3, 8), "trio": (2, 6)},
     "senior", "technician"),
    ("(2)", "provincial_class2", {"individual": (3, 10), "pair": (2, 8), "trio": (2, 7)},
     "senior", "technician"),
    ("(3)", "prefecture_class1", _all((1, 1)), "technician", "senior_technician"),
    ("(3)", "prefecture_class1", _all((2, 4)), "senior", "technician"),
    ("(3)", "prefecture_class2", _all((1, 1)), "senior", "technician"),
)  # fmt: skip


BASE_FACTS = PromotionFacts(
    award_on=date(2024, 9, 15),
    category="provincial_class1",
    event_format="pair",
    rank=2,
    current_grade="senior",
    is_employee=True,
    county_code="533401",
    prefecture_code="533400",
)


def facts(
    category: str = BASE_FACTS.category,
    event_format: str = BASE_FACTS.event_format,
    rank: int = BASE_FACTS.rank,
    current_grade: str = BASE_FACTS.current_grade,
    **changes,
) -> PromotionFacts:
    """Return the base facts with the given changes (a Diqing senior worker, pair, 2nd)."""
    return replace(
        BASE_FACTS,
        category=category,
        event_format=event_format,
        rank=rank,
        current_grade=current_grade,
        **changes,
    )


def _row_for(category: str, event_format: str, rank: int):
    for row in TABLE:
        clause, cat, bands, _target, _if_at = row
        first, last = bands[event_format]
        if cat == category and first <= rank <= last:
            return row
    return None


def _edge_cases():
    seen = set()
    for clause, category, bands, _t, _a in TABLE:
        for fmt in FORMATS:
            first, last = bands[fmt]
            for rank in {first - 1, first, last, last + 1} - {0}:
                for grade in GRADES:
                    key = (category, fmt, rank, grade)
                    if key not in seen:
                        seen.add(key)
                        yield pytest.param(*key, id=f"{clause}-{category}-{fmt}-{rank}-{grade}")


@pytest.mark.parametrize(("category", "event_format", "rank", "grade"), list(_edge_cases()))
def test_every_band_edge_gives_the_grade_of_the_table(category, event_format, rank, grade):
    """Each band edge, and the rank just outside it, for every format and current grade.

    dq-2022 四（四）3.(1)–(3): below the target → the target; at the target → the "if
    already" grade; above the target → not eligible; outside every band → not eligible.
    """
    result = check_eligibility(facts(category, event_format, rank, grade), RULES)
    row = _row_for(category, event_format, rank)
    assert isinstance(result, Eligibility)
    assert result.from_grade == grade
    assert result.reason
    if row is None:
        assert (result.eligible, result.to_grade, result.clause, result.band) == (
            False, None, None, None,
        )  # fmt: skip
        assert "不在迪庆方案规定的可晋升名次范围内" in result.reason
        return
    clause, _cat, bands, target, if_at = row
    first, last = bands[event_format]
    span = f"{first}" if first == last else f"{first}–{last}"
    assert result.clause == clause
    assert result.band == f"{FORMAT_ZH[event_format]}第 {span} 名"
    assert result.policy_id == "dq-2022"
    assert result.version_from == date(2022, 5, 27)
    assert "迪庆方案（未印文号）四（四）3." in result.citation
    assert ".txt" not in result.citation and "dq-2022" not in result.citation
    if GRADE_ORDER[grade] < GRADE_ORDER[target]:
        assert (result.eligible, result.to_grade) == (True, target)
    elif grade == target:
        assert (result.eligible, result.to_grade) == (True, if_at)
    else:
        assert (result.eligible, result.to_grade) == (False, None)
        assert "不符合晋升条件" in result.reason
    # The title belongs to rule (1) only; these facts are all employees.
    assert result.title == (TITLE if clause == "(1)" else None)
    assert result.title_needs_approval == (clause == "(1)")


@pytest.mark.parametrize(
    ("rank", "eligible", "to_grade", "clause"),
    [(2, True, "technician", "(1)"), (3, True, "senior", "(2)"), (8, True, "senior", "(2)"),
     (9, False, None, None)],
)  # fmt: skip
def test_provincial_class1_pair_ranks_2_3_8_9(rank, eligible, to_grade, clause):
    """省级一类双人赛项: 前2名 → 技师 (1); 3–8名 → 高级工 (2); 第9名 nothing."""
    result = check_eligibility(facts(rank=rank, current_grade="intermediate"), RULES)
    assert (result.eligible, result.to_grade, result.clause) == (eligible, to_grade, clause)


def test_promotion_below_target_skipping_levels_is_called_poge():
    """破格晋升: a competitor without a grade who places 1st goes straight to 技师 (1)."""
    result = check_eligibility(facts(rank=1, current_grade="none"), RULES)
    assert result.to_grade == "technician"
    assert "破格晋升" in result.reason
    assert "四级/中级工" in result.reason  # the levels skipped are named


def test_promotion_one_level_below_target_is_not_called_poge():
    """A senior worker placing 2nd in a pair moves one level: no 破格 (1)."""
    result = check_eligibility(facts(rank=2, current_grade="senior"), RULES)
    assert result.to_grade == "technician"
    assert "破格" not in result.reason


def test_at_target_moves_one_level_and_says_so():
    """已有技师资格和等级的，晋升为高级技师 (1)."""
    result = check_eligibility(facts(rank=1, current_grade="technician"), RULES)
    assert result.to_grade == "senior_technician"
    assert f"已有{GRADE_NAMES['technician']}" in result.reason


def test_technician_placing_under_rule_2_is_not_eligible_and_told_why():
    """Rule (2) promotes to 高级工, or 高级工 to 技师; a 技师 is above its target."""
    result = check_eligibility(facts(rank=5, current_grade="technician"), RULES)
    assert not result.eligible
    assert result.clause == "(2)"
    assert "已高于本项的目标等级三级/高级工" in result.reason


def test_senior_technician_is_at_the_top_grade():
    """一级/高级技师 is the highest grade (003_a0dee99659bd7bcf.txt:3461): nothing to reach."""
    result = check_eligibility(facts(rank=1, current_grade="senior_technician"), RULES)
    assert not result.eligible
    assert "已是最高等级一级/高级技师" in result.reason


@pytest.mark.parametrize(
    ("category", "event_format", "rank"),
    [("provincial_class1", "individual", 3), ("provincial_class1", "pair", 2),
     ("provincial_class1", "trio", 1), ("provincial_class2", "individual", 2),
     ("provincial_class2", "pair", 1), ("provincial_class2", "trio", 1)],
)  # fmt: skip
def test_title_is_proposed_to_employees_under_rule_1_pending_approval(category, event_format, rank):
    """身份为职工的选手，经核准，授予“云南竞赛技术能手”称号 (1)."""
    result = check_eligibility(facts(category, event_format, rank, is_employee=True), RULES)
    assert (result.title, result.title_needs_approval) == (TITLE, True)
    assert "经核准" in result.reason


@pytest.mark.parametrize(
    ("category", "event_format", "rank"),
    [("provincial_class1", "individual", 1), ("provincial_class2", "pair", 1)],
)
def test_title_is_not_proposed_to_non_employees(category, event_format, rank):
    """The title is for 职工 only (1); the grade promotion still applies."""
    result = check_eligibility(facts(category, event_format, rank, is_employee=False), RULES)
    assert result.eligible
    assert (result.title, result.title_needs_approval) == (None, False)
    assert "仅授予身份为职工的选手" in result.reason


@pytest.mark.parametrize(
    ("category", "rank"),
    [("provincial_class1", 4), ("provincial_class2", 3), ("prefecture_class1", 1),
     ("prefecture_class1", 2), ("prefecture_class2", 1)],
)  # fmt: skip
def test_no_title_outside_rule_1_even_for_employees(category, rank):
    """Only rule (1) names a title; rules (2) and (3) promote grades only."""
    result = check_eligibility(facts(category, "individual", rank, is_employee=True), RULES)
    assert result.eligible
    assert result.title is None


def test_employee_at_top_grade_still_gets_the_title_proposal():
    """The title in (1) does not depend on the grade: 高级技师 employees placing 1st get it."""
    result = check_eligibility(facts(rank=1, current_grade="senior_technician"), RULES)
    assert not result.eligible
    assert result.title == TITLE


@pytest.mark.parametrize(
    ("county", "prefecture"),
    [("530523", "530500"), ("530402", "530400"), ("530102", "530100")],
)
def test_competitor_not_sent_by_diqing_has_no_promotion_rule(county, prefecture):
    """POLICY.md §6: the rules are stated for competitors Diqing sent (我州选送)."""
    result = check_eligibility(facts(rank=1, county_code=county, prefecture_code=prefecture), RULES)
    assert not result.eligible
    assert result.reason == "未配置晋升规则：仅迪庆州选送的选手适用迪庆方案。"
    assert (result.policy_id, result.clause, result.citation, result.title) == (
        None, None, None, None,
    )  # fmt: skip


def test_non_diqing_competitor_before_2022_is_told_no_rule_not_an_error():
    """No policy at all for the prefecture: say so, whatever the date."""
    result = check_eligibility(
        facts(county_code="530523", prefecture_code="530500", award_on=date(2010, 1, 1)), RULES
    )
    assert result.reason.startswith("未配置晋升规则")


@pytest.mark.parametrize("county", ["533401", "533422", "533423"])
def test_every_diqing_county_is_covered(county):
    """香格里拉市, 德钦县, 维西县 all belong to 迪庆州 533400."""
    result = check_eligibility(facts(rank=1, county_code=county), RULES)
    assert result.policy_id == "dq-2022"


@pytest.mark.parametrize(
    "category",
    ["worldskills", "national_skills_competition", "national_class1", "national_class2"],
)  # fmt: skip
def test_category_without_a_promotion_rule_is_not_eligible(category):
    """dq-2022 3.(1)–(3) name only provincial/prefecture class 1 and 2 contests."""
    result = check_eligibility(facts(category=category, rank=1, current_grade="none"), RULES)
    assert not result.eligible
    assert result.policy_id == "dq-2022"
    assert "未对" in result.reason and "规定晋升" in result.reason


def test_diqing_competitor_before_the_policy_raises_naming_the_date():
    """POLICY.md §5.4: a date no version covers is an error, never a silent 'no'."""
    with pytest.raises(NoPromotionRuleInForce, match="2022-05-26"):
        check_eligibility(facts(award_on=date(2022, 5, 26)), RULES)


def test_policy_applies_from_its_signing_day():
    """dq-2022 is dated 2022年5月27日 (000_506faec866124176.txt:135)."""
    result = check_eligibility(facts(award_on=date(2022, 5, 27)), RULES)
    assert result.eligible


@pytest.mark.parametrize(
    ("field", "value"),
    [("category", "olympics"), ("event_format", "quartet"), ("rank", 0), ("rank", True),
     ("current_grade", "master")],
)  # fmt: skip
def test_facts_refuse_values_the_rules_cannot_read(field, value):
    """Unknown categories, formats, grades and ranks below 1 never reach the table."""
    with pytest.raises(ValueError):
        facts(**{field: value})


@pytest.mark.parametrize(
    "given",
    [
        facts(),  # in a band
        facts(rank=20),  # outside every band
        facts(category="national_class1"),  # no rule for the category
    ],
)
def test_eligibility_carries_the_digest_of_the_version_it_was_decided_under(given):
    """An outcome under a policy names that version's file digest, so the case can record it
    without looking the version up again."""
    _policy, version = RULES.in_force(given.prefecture_code, given.award_on)
    assert check_eligibility(given, RULES).policy_digest == version.digest


def test_eligibility_without_a_policy_has_no_digest():
    """No policy for the sending prefecture: no version, no digest."""
    outside = facts(county_code="530523", prefecture_code="530500")
    assert check_eligibility(outside, RULES).policy_digest is None


def test_in_force_finds_the_same_version_as_version_on():
    """The rule set's look-up by prefecture and the policy's own look-up by date agree."""
    for policy in RULES.policies:
        for version in policy.versions:
            on = version.effective_from
            assert RULES.in_force(policy.prefecture, on) == (policy, policy.version_on(on))


def test_ineligible_answers_cite_the_policy_only_under_a_version():
    """One constructor for every "not eligible": under a version it cites the policy as a
    whole; a policy without a version in force is named but not cited."""
    policy = RULES.policies[0]
    version = policy.versions[0]
    under = Eligibility.ineligible(facts(), "理由", policy, version)
    assert (under.eligible, under.to_grade, under.title, under.clause) == (False, None, None, None)
    assert (under.policy_id, under.version_from) == (policy.id, version.effective_from)
    assert under.citation == policy.citation(None, policy.source)
    assert under.policy_digest == version.digest and under.reason == "理由"
    named = Eligibility.ineligible(facts(), "理由", policy)
    assert (named.policy_id, named.version_from, named.citation) == (policy.id, None, None)
    bare = Eligibility.ineligible(facts(current_grade="junior"), "理由")
    assert (bare.policy_id, bare.citation, bare.from_grade) == (None, None, "junior")
