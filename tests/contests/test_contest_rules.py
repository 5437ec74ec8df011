"""The pure checks behind every contest form (POLICY.md §2–3)."""

from datetime import date

import pytest

from compapp.contests import rules
from compapp.core.idnumber import make_id_number
from compapp.policy.categories import CATEGORIES, result_key


def messages(problems):
    return [(p.field, p.text()) for p in problems]


@pytest.mark.parametrize(
    ("event_format", "count", "ok"),
    [
        ("individual", 1, True),
        ("individual", 2, False),
        ("pair", 1, False),
        ("pair", 2, True),
        ("trio", 2, False),
        ("trio", 3, True),
        ("trio", 4, False),
    ],
)
def test_team_size_must_match_format(event_format, count, ok):
    """An entry has one, two or three competitors as its event's format says."""
    numbers = [make_id_number(f"53342219900101{n:03d}") for n in range(count)]
    problems = rules.check_team(event_format, numbers)
    assert (not problems) is ok
    if not ok:
        assert "每组应有" in problems[0].text()


def test_same_person_twice_in_one_team_is_refused():
    number = make_id_number("53342219900101001")
    assert "两次" in rules.check_team("pair", [number, number])[0].text()


@pytest.mark.parametrize(
    ("category", "kind", "result", "ok"),
    [
        ("worldskills", "medals", "excellence", True),
        ("national_skills_competition", "medals", "gold", True),
        # POLICY §3: 优胜奖 is recorded (no cash) at national class-1 and provincial contests.
        ("national_class1", "medals", "excellence", True),
        ("national_class1", "prizes", "prize_1", True),
        ("national_class1", "medals", "prize_1", False),
        ("provincial_class1", "prizes", "prize_3", True),
        ("provincial_comprehensive", "medals", "excellence", True),
        ("prefecture_class1", "medals", "excellence", False),
        ("prefecture_class1", "medals", "bronze", True),
        ("provincial_class2", "rank_only", "gold", False),
        ("provincial_class2", "rank_only", None, True),
    ],
)
def test_result_must_be_one_the_category_awards(category, kind, result, ok):
    """§3: a medal or prize not allowed for the category is a validation error, not a zero."""
    problems = rules.check_placement(category, kind, 1, False, result, [])
    assert (not problems) is ok
    if not ok:
        assert problems[0].field == "result"


@pytest.mark.parametrize(
    ("category", "kinds"),
    [
        ("worldskills", ("medals",)),
        ("national_class1", ("medals", "prizes")),
        ("prefecture_class2", ("rank_only",)),
    ],
)
def test_event_result_kinds_follow_the_category(category, kinds):
    assert rules.allowed_result_kinds(category) == kinds
    assert (not rules.check_event(category, "pair", "prizes")) is ("prizes" in kinds)
    assert not rules.check_event(category, "pair", kinds[0])


def test_rank_must_be_at_least_one():
    assert rules.check_placement("worldskills", "medals", 0, False, None, [])[0].field == "rank"


def test_rank_must_be_unique_unless_both_tied():
    """Ranks are unique within an event unless every placement sharing it is marked as a tie."""
    assert rules.check_placement("worldskills", "medals", 2, False, None, [(2, False)])
    assert rules.check_placement("worldskills", "medals", 2, True, None, [(2, False)])
    assert not rules.check_placement("worldskills", "medals", 2, True, None, [(2, True)])
    assert not rules.check_placement("worldskills", "medals", 3, False, None, [(2, False)])


def test_dates_must_be_consistent():
    problems = rules.check_contest_dates(date(2024, 9, 10), date(2024, 9, 9), date(2024, 9, 1))
    assert {p.field for p in problems} == {"ends_on", "award_on"}
    assert not rules.check_contest_dates(date(2024, 9, 10), date(2024, 9, 15), date(2024, 9, 15))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("53342219900101001", "length"),
        ("53342219900101001A", "characters"),
        ("533422199013010011", "birth_date"),
    ],
)
def test_id_number_problems_are_named(text, reason):
    problems = rules.check_id_number("id_number", text)
    assert problems and problems[0].text() == rules.ID_NUMBER_MESSAGES[reason]


def test_id_number_check_digit_follows_gb_11643():
    good = make_id_number("53342219900101001")
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    assert not rules.check_id_number("id_number", good)
    assert (
        rules.check_id_number("id_number", wrong)[0].text()
        == rules.ID_NUMBER_MESSAGES["check_digit"]
    )
    # A published example with X as check digit.
    assert not rules.check_id_number("id_number", "11010519491231002X")


def test_coach_shares_must_add_up_to_100():
    """POLICY.md §5.2: the parts of the coaching team's award add up to the total."""
    assert rules.check_coach_shares([60, 40]) == []
    assert "80%" in rules.check_coach_shares([50, 30])[0].text()
    assert rules.check_coach_shares([None, None]) == []


@pytest.mark.parametrize("category", sorted(CATEGORIES))
def test_result_choices_are_the_category_result_keys_and_round_trip(category):
    """The form's result codes are the category's schedule keys (§3); parsing inverts them."""
    codes = [
        code
        for kind in rules.allowed_result_kinds(category)
        for code in rules.result_choices(category, kind)
    ]
    assert tuple(codes) == CATEGORIES[category].result_keys
    for code in codes:
        assert result_key(*rules.parse_result(code)) == code


def _refusals():
    """Every refusal of a result kind or a result, over every category, kind and result."""
    from compapp.policy.categories import RESULT_KEYS

    for category in CATEGORIES:
        for kind in rules.RESULT_KINDS:
            for problem in rules.check_event(category, "individual", kind):
                yield category, kind, None, problem
            for code in RESULT_KEYS:
                for problem in rules.check_placement(category, kind, 1, False, code, []):
                    if problem.field == "result":
                        yield category, kind, code, problem


def test_a_refused_result_says_what_the_category_or_event_awards():
    """A refused result names what may be chosen instead, never an internal file (§3 is
    the rule; the user reads it in words, as POLICY §8 asks)."""
    seen = {}
    for category, kind, code, problem in _refusals():
        text = problem.text()
        assert "§" not in text and "政策说明" not in text and "POLICY" not in text, text
        seen[(category, kind, code)] = text
    assert seen[("prefecture_class1", "medals", "excellence")] == (
        "本赛项设金牌、银牌、铜牌，不设优胜奖，也不设一、二、三等奖。"
    )
    assert seen[("national_class1", "medals", "prize_1")] == (
        "本赛项按奖牌评奖（金牌、银牌、铜牌、优胜奖），不设一、二、三等奖。"
    )
    assert seen[("provincial_class1", "prizes", "gold")] == "本赛项按一、二、三等奖评奖，不设奖牌。"
    assert seen[("provincial_class2", "rank_only", "gold")] == (
        "本赛项只记名次，不设奖牌或一、二、三等奖。"
    )
    assert seen[("worldskills", "prizes", None)] == (
        "该类赛事只设奖牌（金牌、银牌、铜牌、优胜奖），不设一、二、三等奖。"
    )
    assert (
        seen[("national_class2", "medals", None)] == "该类赛事只记名次，不设奖牌或一、二、三等奖。"
    )
    assert seen[("provincial_comprehensive", "rank_only", None)] == (
        "该类赛事设奖牌或一、二、三等奖，请选择其中一种。"
    )
    # Allowed results are never refused.
    assert ("provincial_class1", "medals", "excellence") not in seen
    assert ("prefecture_class1", "prizes", "prize_3") not in seen
