"""The strict award-policy loader (STYLE.md: every dated value carries its citation)."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from compapp.policy.loader import (
    AWARDS_DIR,
    PolicyFileError,
    check_policies,
    describe_version,
    load_policies,
    load_policy_file,
    load_policy_text,
)
from compapp.policy.model import NoPolicyInForce
from compapp.rewards.rules import AwardFacts, compute_awards

VALID = """\
id = "zz-2030-1"
title = "测试政策"
short_title = "测试方案"
issuer = "测试县人民政府"
document_number = "测政发〔2030〕1号"
jurisdiction_code = "530523"
jurisdiction_name = "龙陵县"
jurisdiction_level = "county"
payer_levels = ["county"]
source = "002_94ce137adccda832.txt:3"

[clauses."27"]
section = ""
item = "第27条"
citation = "002_94ce137adccda832.txt:47"
quote = "对龙陵选派获得……的选手，给予每人……一次性奖励。"

[[versions]]
effective_from = 2030-01-01
date_assumed = false
date_citation = "002_94ce137adccda832.txt:2"

[versions.settings.applies_to]
value = "sent_by_jurisdiction"
clause = "27"
citation = "002_94ce137adccda832.txt:47"
reading = "sending-jurisdiction"

[versions.settings.team_members]
value = "each_full_amount"
clause = "27"
citation = "002_94ce137adccda832.txt:47"
reading = "team-members"

[versions.settings.coaching_team]
value = "same_standard"
clause = "27"
citation = "002_94ce137adccda832.txt:47"
reading = "coaching-team"

[[versions.schedule]]
clause = "27"
citation = "002_94ce137adccda832.txt:47"
categories = ["national_skills_competition"]
payer = "county"
amounts = { gold = 80000, silver = "60000.50" }
"""


def _write(tmp_path: Path, text: str, name: str = "zz-2030-1.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _refused(tmp_path: Path, text: str) -> str:
    with pytest.raises(PolicyFileError) as info:
        load_policy_file(_write(tmp_path, text))
    return str(info.value)


def test_shipped_award_policies_all_load() -> None:
    """POLICY.md §1: one file per source document, each loading cleanly."""
    assert check_policies() == [
        "bs-2022-9",
        "dq-2022",
        "ll-2022-64",
        "yn-2017-40",
        "yn-2021-28",
        "yx-2022-8",
    ]


def test_a_valid_file_loads_with_decimal_amounts_and_its_digest(tmp_path: Path) -> None:
    """Amounts are integers or quoted decimals, read as Decimal; the digest is of the bytes."""
    path = _write(tmp_path, VALID)
    version = load_policy_file(path).version_on(date(2031, 1, 1))
    row = version.schedule_row("national_skills_competition", "silver", "county")
    assert row is not None and row.amounts["silver"] == Decimal("60000.50")
    assert version.digest == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_float_is_refused_naming_file_and_key(tmp_path: Path) -> None:
    """Money is never a float (POLICY.md §5.6)."""
    message = _refused(tmp_path, VALID.replace('silver = "60000.50"', "silver = 60000.5"))
    assert "zz-2030-1.toml" in message and "silver" in message and "float" in message


def test_a_duplicate_key_is_refused_naming_file_and_key(tmp_path: Path) -> None:
    """A key given twice is ambiguous."""
    message = _refused(
        tmp_path, VALID.replace('payer = "county"', 'payer = "county"\npayer = "county"')
    )
    assert "zz-2030-1.toml" in message and "payer" in message


def test_an_uncited_setting_is_refused_naming_file_and_key(tmp_path: Path) -> None:
    """Every setting carries its citation."""
    text = VALID.replace(
        'clause = "27"\ncitation = "002_94ce137adccda832.txt:47"\nreading = "coaching-team"',
        'clause = "27"\nreading = "coaching-team"',
    )
    message = _refused(tmp_path, text)
    assert "zz-2030-1.toml" in message and "settings.coaching_team.citation" in message


def test_an_uncited_schedule_row_is_refused(tmp_path: Path) -> None:
    """Every amount carries its citation: a seed file and line, not free text."""
    text = VALID.replace(
        'clause = "27"\ncitation = "002_94ce137adccda832.txt:47"\ncategories',
        'clause = "27"\ncitation = "see the document"\ncategories',
    )
    message = _refused(tmp_path, text)
    assert (
        "zz-2030-1.toml" in message and "schedule[0].citation" in message and "uncited" in message
    )


def test_overlapping_versions_are_refused(tmp_path: Path) -> None:
    """§5.4: one version in force per date."""
    second = VALID[VALID.index("[[versions]]") :].replace("2030-01-01", "2032-01-01")
    message = _refused(tmp_path, VALID + "\n" + second)
    assert "zz-2030-1.toml" in message and "versions" in message and "overlapping" in message


def test_consecutive_versions_load_and_each_date_finds_its_own(tmp_path: Path) -> None:
    """A version that ends the day before the next starts does not overlap."""
    first = VALID.replace("date_assumed = false", "effective_to = 2031-12-31\ndate_assumed = false")
    second = VALID[VALID.index("[[versions]]") :].replace("2030-01-01", "2032-01-01")
    second = second.replace("gold = 80000", "gold = 90000")
    policy = load_policy_file(_write(tmp_path, first + "\n" + second))
    assert policy.version_on(date(2031, 12, 31)).effective_from == date(2030, 1, 1)
    assert policy.version_on(date(2032, 1, 1)).effective_from == date(2032, 1, 1)


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ('payer = "county"', 'payer = "county"\nbudget = 3', "schedule[0].budget"),
        ('["national_skills_competition"]', '["national_class9"]', "categories[0]"),
        ("gold = 80000", "platinum = 80000", "amounts.platinum"),
        ("amounts = { gold = 80000", "amounts = { prize_1 = 1, gold = 80000", "amounts.prize_1"),
        ("gold = 80000", "gold = -5", "amounts.gold"),
        ('payer = "county"', 'payer = "province"', "schedule[0].payer"),
        ('value = "same_standard"', 'value = "half"', "coaching_team.value"),
        ("[versions.settings.team_members]", "[versions.settings.team_split]", "team_split"),
        ("effective_from = 2030-01-01", "effective_from = 2030-01-01T00:00:00", "effective_from"),
    ],
)
def test_unknown_or_impossible_values_are_refused_naming_the_key(tmp_path, old, new, key) -> None:
    """Unknown keys, categories and result keys, and results a category cannot have, are refused."""
    assert old in VALID
    message = _refused(tmp_path, VALID.replace(old, new, 1))
    assert "zz-2030-1.toml" in message and key in message


def test_unconfigured_amounts_with_amounts_given_are_refused(tmp_path: Path) -> None:
    """POLICY §4.5: a policy whose amounts are not configured must not carry numbers."""
    text = VALID.replace(
        "[[versions.schedule]]",
        '[versions.settings.amounts_configured]\nvalue = false\nclause = "27"\n'
        'citation = "001_da08546dd4712789.txt:42"\nreading = "local-amounts-not-configured"\n'
        'notice = "未配置"\n\n[[versions.schedule]]',
    )
    assert "amounts_configured" in _refused(tmp_path, text)


def test_a_date_before_the_first_version_raises_no_policy_in_force() -> None:
    """§5.4: a date no version covers is an error, with the date and policy in the message."""
    policy = load_policies()["yn-2017-40"]
    with pytest.raises(NoPolicyInForce, match=r"没有在 2016-05-01 生效的政策版本 \(yn-2017-40\)"):
        policy.version_on(date(2016, 5, 1))
    with pytest.raises(NoPolicyInForce):
        policy.version_on(date(2021, 1, 1))


def test_yn_2021_28_starts_on_an_assumed_date() -> None:
    """§5.4: the sources give no day for 云政发〔2021〕28号; 2021-01-01 is marked assumed."""
    version = load_policies()["yn-2021-28"].version_on(date(2021, 1, 1))
    assert version.date_assumed and version.effective_to is None
    assert version.setting("coaching_team") == "same_standard"
    assert version.setting_citation("coaching_team").source == "000_506faec866124176.txt:91"


def test_every_shipped_amount_has_a_citation_to_a_seed_line() -> None:
    """STYLE.md: every dated value carries its legal reference."""
    seeds = {
        "000_506faec866124176.txt",
        "001_da08546dd4712789.txt",
        "002_94ce137adccda832.txt",
        "003_a0dee99659bd7bcf.txt",
    }
    for policy in load_policies():
        for version in policy.versions:
            for row in version.schedule:
                for category in row.categories:
                    for result in row.amounts:
                        cited = version.citation_for(category, result, row.payer)
                        assert cited is not None and cited.source.split(":")[0] in seeds


def test_describe_version_shows_amounts_settings_and_citations() -> None:
    """``policies show ID --on DATE`` prints what a version says and where it says it."""
    text = describe_version(load_policies()["dq-2022"].version_on(date(2024, 9, 15)))
    for wanted in (
        "dq-2022",
        "2022-05-27",
        "topup_base = provincial_amount",
        "excellence_topup = false",
        "20%",
        "30%",
        "¥10,000",
        "000_506faec866124176.txt:91",
    ):
        assert wanted in text


def test_a_draft_version_from_text_takes_precedence_from_its_first_day() -> None:
    """A what-if draft replaces the policy from its date; the older version keeps the days before."""
    draft_text = (AWARDS_DIR / "ll-2022-64.toml").read_text(encoding="utf-8")
    draft_text = draft_text.replace("2022-09-16", "2025-01-01").replace(
        "gold = 80000", "gold = 90000"
    )
    policies = load_policies().with_draft(load_policy_text(draft_text, "draft.toml"))
    policy = policies["ll-2022-64"]
    assert [v.effective_from for v in policy.versions] == [date(2022, 9, 16), date(2025, 1, 1)]
    assert policy.versions[0].effective_to == date(2024, 12, 31)

    def longling(on: date) -> Decimal:
        facts = AwardFacts(
            on,
            "national_skills_competition",
            "individual",
            "gold",
            None,
            None,
            "530523",
            "龙陵县",
            "530500",
            "保山市",
        )
        result = compute_awards(facts, policies)
        return next(x.amount for x in result.competitor_lines if x.policy_id == "ll-2022-64")

    assert longling(date(2024, 12, 31)) == Decimal("80000.00")
    assert longling(date(2025, 1, 1)) == Decimal("90000.00")


def test_a_draft_text_with_a_float_is_refused_naming_the_draft() -> None:
    """Uploaded drafts are held to the same rules as shipped files."""
    with pytest.raises(PolicyFileError, match=r"draft\.toml: .*gold.*float"):
        load_policy_text(VALID.replace("gold = 80000", "gold = 8e4"), "draft.toml")


def test_a_file_named_otherwise_than_its_id_is_refused(tmp_path: Path) -> None:
    """One file per policy id, named after it, so ``policies show ID`` finds it."""
    _write(tmp_path, VALID, name="other.toml")
    with pytest.raises(PolicyFileError, match="other.toml: id"):
        load_policies(tmp_path)


def test_a_file_that_is_not_utf8_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "zz-2030-1.toml"
    path.write_bytes('title = "奖励"\n'.encode("gb18030"))
    with pytest.raises(PolicyFileError, match=r"^zz-2030-1\.toml: not UTF-8 text"):
        load_policy_file(path)


def test_a_file_is_read_once(tmp_path: Path, monkeypatch) -> None:
    """The file is opened once; the digest and the parse both come from its bytes."""
    import builtins
    import io

    path = sorted(AWARDS_DIR.glob("*.toml"))[0]
    opened = []
    original = io.open

    def counting(file, *args, **kwargs):
        if str(file) == str(path):
            opened.append(file)
        return original(file, *args, **kwargs)

    monkeypatch.setattr(io, "open", counting)
    monkeypatch.setattr(builtins, "open", counting)
    policy = load_policy_file(path)
    assert len(opened) == 1
    assert policy.versions[0].digest == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_clause_without_its_quoted_sentence_is_refused(tmp_path: Path) -> None:
    """POLICY §8: every clause carries the exact sentence a person can read; none, no load."""
    text = VALID.replace('quote = "对龙陵选派获得……的选手，给予每人……一次性奖励。"\n', "")
    message = _refused(tmp_path, text)
    assert "clauses.27.quote" in message


def test_an_empty_quote_is_refused(tmp_path: Path) -> None:
    """A blank quote is no quote."""
    text = VALID.replace('"对龙陵选派获得……的选手，给予每人……一次性奖励。"', '"  "')
    assert "unquoted" in _refused(tmp_path, text)


def test_a_row_naming_a_clause_that_is_not_quoted_is_refused(tmp_path: Path) -> None:
    """Rows, settings and notices name a clause of [clauses]; an unknown one is refused."""
    text = VALID.replace(
        '[[versions.schedule]]\nclause = "27"', '[[versions.schedule]]\nclause = "28"'
    )
    message = _refused(tmp_path, text)
    assert "schedule[0].clause" in message and "'28'" in message


def test_every_shipped_clause_is_quoted_and_every_reading_is_published() -> None:
    """Each shipped clause has its quote; each reading a policy names is on the readings page."""
    from compapp.policy.loader import check_readings
    from compapp.policy.readings import load_readings

    policies = load_policies()
    readings = load_readings()
    check_readings(policies, readings)
    for policy in policies:
        assert policy.header.short_title
        for clause in policy.header.clauses.values():
            assert len(clause.quote) > 10, (policy.id, clause.key)


def test_a_policy_naming_an_unpublished_reading_is_refused(tmp_path: Path) -> None:
    """A notice may link only to a reading the public page shows."""
    from compapp.policy.loader import check_readings
    from compapp.policy.readings import load_readings

    text = VALID.replace('reading = "team-members"', 'reading = "made-up-reading"')
    policies = load_policies(_write(tmp_path, text).parent)
    with pytest.raises(PolicyFileError, match="made-up-reading"):
        check_readings(policies, load_readings())


def test_an_amount_above_what_an_award_line_holds_is_refused(tmp_path: Path) -> None:
    """An award line keeps its amount as a 32-bit number of fen on PostgreSQL: a policy
    stating more than ¥10,000,000 for one person is refused when read, not when priced."""
    message = _refused(tmp_path, VALID.replace("gold = 80000", 'gold = "10000000.01"'))
    assert "gold" in message and "10,000,000" in message
    load_policy_file(_write(tmp_path, VALID.replace("gold = 80000", "gold = 10000000")))
