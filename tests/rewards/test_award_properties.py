"""Properties of the award rules over many placements (POLICY.md §4, §5)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compapp.policy.categories import CATEGORIES, EVENT_FORMATS
from compapp.policy.loader import load_policies
from compapp.policy.model import NoPolicyInForce
from compapp.rewards.rules import AwardFacts, ResultNotAllowed, compute_awards

POLICIES = load_policies()
COUNTIES = [
    ("533401", "香格里拉市", "533400", "迪庆藏族自治州"),
    ("533422", "德钦县", "533400", "迪庆藏族自治州"),
    ("533423", "维西傈僳族自治县", "533400", "迪庆藏族自治州"),
    ("530502", "隆阳区", "530500", "保山市"),
    ("530523", "龙陵县", "530500", "保山市"),
    ("530402", "红塔区", "530400", "玉溪市"),
    ("530102", "五华区", "530100", "昆明市"),
]
DIQING = [c for c in COUNTIES if c[2] == "533400"]
FIRST_DAY = date(2017, 7, 1)


@st.composite
def placements(draw, counties=COUNTIES, start=FIRST_DAY, end=date(2030, 12, 31)) -> AwardFacts:
    """Draw a placement whose result the category awards, dated within ``start``..``end``."""
    category = draw(st.sampled_from(sorted(CATEGORIES)))
    entry = CATEGORIES[category]
    results = [(m, None) for m in entry.medals] + [(None, p) for p in entry.prizes] + [(None, None)]
    medal, prize = draw(st.sampled_from(results))
    code, name, prefecture_code, prefecture_name = draw(st.sampled_from(counties))
    return AwardFacts(
        award_on=draw(st.dates(start, end)),
        category=category,
        event_format=draw(st.sampled_from(EVENT_FORMATS)),
        medal=medal,
        prize=prize,
        rank=draw(st.none() | st.integers(1, 50)),
        county_code=code,
        county_name=name,
        prefecture_code=prefecture_code,
        prefecture_name=prefecture_name,
    )


@settings(max_examples=300, deadline=None)
@given(placements())
def test_award_totals_are_sums_of_nonnegative_lines_rounded_to_the_fen(facts: AwardFacts) -> None:
    """§5.6: each line is rounded to the fen and no line is zero or negative; totals are sums."""
    result = compute_awards(facts, POLICIES)
    for line in result.lines:
        assert line.amount > 0
        assert line.amount == line.amount.quantize(Decimal("0.01"))
    assert result.competitor_total == sum((x.amount for x in result.competitor_lines), Decimal(0))
    assert result.coaching_team_total == sum(
        (x.amount for x in result.coaching_team_lines), Decimal(0)
    )


@settings(max_examples=300, deadline=None)
@given(placements(counties=DIQING, start=date(2022, 5, 27)))
def test_diqing_lines_are_twenty_and_thirty_percent_of_the_provincial_line(facts) -> None:
    """dq-2022 (6), 000_506faec866124176.txt:91: prefecture 20%, county 30% of the province's."""
    result = compute_awards(facts, POLICIES)
    for lines in (result.competitor_lines, result.coaching_team_lines):
        province = [x for x in lines if x.payer_level == "province"]
        topups = [x for x in lines if x.clause == "(6)" and x.policy_id == "dq-2022"]
        if not topups:
            continue
        assert len(province) == 1
        by_level = {x.payer_level: x for x in topups}
        assert by_level["prefecture"].amount == province[0].amount * Decimal("0.2")
        assert by_level["county"].amount == province[0].amount * Decimal("0.3")
        assert by_level["county"].payer_code == facts.county_code


@settings(max_examples=200, deadline=None)
@given(placements())
def test_excellence_is_never_topped_up(facts: AwardFacts) -> None:
    """dq-2022 (6) lists no 优胜奖 and Longling names no amount: only the province pays it."""
    facts = replace(facts, category="worldskills", medal="excellence", prize=None)
    result = compute_awards(facts, POLICIES)
    assert {x.payer_level for x in result.lines} <= {"province"}


@settings(max_examples=200, deadline=None)
@given(placements(), st.dates(date(1990, 1, 1), date(2017, 6, 30)))
def test_a_date_before_every_provincial_version_is_an_error(facts, early: date) -> None:
    """§5.4: a date no version covers is an error, never a silent zero."""
    facts = replace(facts, award_on=early)
    if facts.medal is None and facts.prize is None:
        assert compute_awards(facts, POLICIES).lines == []  # rank only: no cash, no error
        return
    with pytest.raises(NoPolicyInForce, match=early.isoformat()):
        compute_awards(facts, POLICIES)


@settings(max_examples=200, deadline=None)
@given(placements())
def test_each_pair_or_trio_member_gets_the_full_amount(facts: AwardFacts) -> None:
    """§5.3 每人: the amount per competitor does not depend on the event format."""
    results = [compute_awards(replace(facts, event_format=f), POLICIES) for f in EVENT_FORMATS]
    amounts = [[(x.payer_code, x.amount) for x in r.lines] for r in results]
    assert amounts[0] == amounts[1] == amounts[2]


@settings(max_examples=100, deadline=None)
@given(placements())
def test_coaching_team_mirrors_the_competitor_except_prefecture_contests(facts) -> None:
    """§5.2: the coaching team gets the same standard, except dq-2022 (7), which names none."""
    result = compute_awards(facts, POLICIES)
    mirrored = [(x.payer_code, x.amount) for x in result.competitor_lines if x.clause != "(7)"]
    assert [(x.payer_code, x.amount) for x in result.coaching_team_lines] == mirrored


@pytest.mark.parametrize(
    ("category", "medal", "prize"),
    [
        ("prefecture_class1", "excellence", None),
        ("worldskills", None, 1),
        ("provincial_class2", "gold", None),
        ("prefecture_class2", None, 3),
    ],
)
def test_a_result_the_category_does_not_award_is_refused(category, medal, prize) -> None:
    """§3: a medal or prize not allowed for the category is a validation error, not a zero."""
    code, name, prefecture_code, prefecture_name = DIQING[1]
    facts = AwardFacts(
        award_on=date(2024, 9, 15),
        category=category,
        event_format="individual",
        medal=medal,
        prize=prize,
        rank=None,
        county_code=code,
        county_name=name,
        prefecture_code=prefecture_code,
        prefecture_name=prefecture_name,
    )
    with pytest.raises(ResultNotAllowed):
        compute_awards(facts, POLICIES)
