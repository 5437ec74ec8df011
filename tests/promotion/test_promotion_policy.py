"""The strict loader of promotion policy files (STYLE.md: every value cited, dated, checked)."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from compapp.policy.promotion import (
    DEFAULT_DATA_DIR,
    NoPromotionRuleInForce,
    load_promotion_rules,
)
from compapp.policy.strict_toml import PolicyFileError

SHIPPED = DEFAULT_DATA_DIR / "dq-2022.toml"

# A minimal valid file; each refusal test changes one thing in it.
VALID = """\
id = "dq-test"
document = "测试文件"
short_title = "测试方案"
issuer = "迪庆藏族自治州人民政府"
section = "四（四）3."
citation = "000_506faec866124176.txt:95"

[applies_to]
prefecture = "533400"
prefecture_name = "迪庆藏族自治州"
short_name = "迪庆州"
counties = ["533401", "533422", "533423"]
citation = "000_506faec866124176.txt:95"

[[versions]]
effective_from = 2022-05-27
date_assumed = false
date_citation = "000_506faec866124176.txt:135"

[[versions.rules]]
clause = "(1)"
categories = ["provincial_class1"]
target = "technician"
if_at_target = "senior_technician"
title = "云南竞赛技术能手"
citation = "000_506faec866124176.txt:95"
quote = "可晋升技师"
[versions.rules.bands]
individual = [1, 3]
pair = [1, 2]
trio = [1, 1]

[[versions.rules]]
clause = "(2)"
categories = ["provincial_class1"]
target = "senior"
if_at_target = "technician"
citation = "000_506faec866124176.txt:95"
quote = "可晋升高级工"
[versions.rules.bands]
individual = [4, 10]
pair = [3, 8]
trio = [2, 6]
"""


def write(directory: Path, text: str, name: str = "dq-test.toml") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_rules_load_with_seven_rows_in_force_from_2022_05_27():
    """POLICY.md §6 has seven rows; dq-2022 is dated 2022-05-27 (000_…txt:135)."""
    rules = load_promotion_rules()
    (policy,) = rules.policies
    assert policy.id == "dq-2022"
    assert policy.prefecture == "533400"
    (version,) = policy.versions
    assert version.effective_from == date(2022, 5, 27)
    assert version.effective_to is None
    assert not version.date_assumed and version.date_citation == "000_506faec866124176.txt:135"
    assert len(version.rules) == 7
    assert [r.clause for r in version.rules] == ["(1)", "(1)", "(2)", "(2)", "(3)", "(3)", "(3)"]


def test_digest_is_the_sha256_of_the_file_bytes():
    """An award record keeps the digest of the policy file that produced it (STYLE.md)."""
    (policy,) = load_promotion_rules().policies
    expected = hashlib.sha256(SHIPPED.read_bytes()).hexdigest()
    assert policy.digest == expected
    assert policy.versions[0].digest == expected


def test_every_shipped_rule_cites_the_promotion_line():
    """Every row comes from 000_506faec866124176.txt:95."""
    (policy,) = load_promotion_rules().policies
    assert {r.source for r in policy.versions[0].rules} == {"000_506faec866124176.txt:95"}


def test_only_rule_1_carries_the_title_and_it_needs_approval():
    """“云南竞赛技术能手” is in (1) only, for employees, 经核准."""
    (policy,) = load_promotion_rules().policies
    for rule in policy.versions[0].rules:
        if rule.clause == "(1)":
            assert rule.title == "云南竞赛技术能手"
            assert rule.title_employees_only and rule.title_needs_approval
        else:
            assert rule.title is None


def test_valid_minimal_file_loads(tmp_path):
    """The fixture file of these tests is itself accepted."""
    write(tmp_path, VALID)
    (policy,) = load_promotion_rules(tmp_path).policies
    assert policy.id == "dq-test"


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("individual = [4, 10]", "individual = [4.0, 10]", "individual = [4.0, 10]"),
        ('target = "senior"', 'target = "senior"\ntarget = "senior"', "target"),
        ('date_citation = "000_506faec866124176.txt:135"\n', "\n", "versions[0].date_citation"),
        ('if_at_target = "technician"\ncitation = "000_506faec866124176.txt:95"\n',
         'if_at_target = "technician"\n', "versions[0].rules[1].citation"),
        ('citation = "000_506faec866124176.txt:95"\n\n[applies_to]', "\n[applies_to]",
         "citation"),
        ('target = "senior"', 'target = "master"', "versions[0].rules[1].target"),
        ('target = "senior"', 'target = "none"', "versions[0].rules[1].target"),
        ('if_at_target = "technician"', 'if_at_target = "junior"',
         "versions[0].rules[1].if_at_target"),
        ('categories = ["provincial_class1"]\ntarget = "senior"',
         'categories = ["provincial_class9"]\ntarget = "senior"',
         "versions[0].rules[1].categories[0]"),
        ("trio = [2, 6]", "quartet = [2, 6]", "versions[0].rules[1].bands.quartet"),
        ("pair = [3, 8]", "pair = [2, 8]", "versions[0].rules[1].bands.pair"),
        ("trio = [2, 6]", "trio = [6, 2]", "versions[0].rules[1].bands.trio"),
        ("trio = [2, 6]", "trio = [0, 6]", "versions[0].rules[1].bands.trio"),
        ("trio = [2, 6]", "trio = [true, 6]", "versions[0].rules[1].bands.trio"),
        ("trio = [2, 6]", "trio = [2]", "versions[0].rules[1].bands.trio"),
        ('date_citation = "000_506faec866124176.txt:135"', 'date_citation = "see the document"',
         "versions[0].date_citation"),
        ("effective_from = 2022-05-27", "effective_from = 2022-05-27T00:00:00",
         "versions[0].effective_from"),
        ("effective_from = 2022-05-27", 'effective_from = "2022-05-27"',
         "versions[0].effective_from"),
        ('clause = "(2)"', 'clause = "(2)"\nbonus = 3', "versions[0].rules[1].bonus"),
        ('counties = ["533401", "533422", "533423"]', 'counties = ["533401", "530523"]',
         "applies_to.counties[1]"),
        ('prefecture = "533400"', 'prefecture = "5334"', "applies_to.prefecture"),
    ],
    ids=[
        "float", "duplicate-key", "uncited-version", "uncited-rule", "uncited-policy",
        "unknown-grade", "none-as-target", "if-at-below-target", "unknown-category",
        "unknown-format", "overlapping-bands", "reversed-band", "rank-zero", "bool-rank",
        "one-number-band", "citation-not-a-line", "datetime-not-date", "string-date",
        "unknown-key", "county-of-another-prefecture", "bad-division-code",
    ],
)  # fmt: skip
def test_loader_refuses_naming_file_and_key(tmp_path, old, new, key):
    """A file the loader cannot vouch for is refused; the error names the file and key."""
    assert old in VALID
    write(tmp_path, VALID.replace(old, new, 1))
    with pytest.raises(PolicyFileError) as info:
        load_promotion_rules(tmp_path)
    message = str(info.value)
    assert message.startswith("dq-test.toml: ")
    assert key in message


def test_loader_refuses_overlapping_versions(tmp_path):
    """Two versions in force on one day would make the answer depend on file order."""
    second = VALID.split("[[versions]]", 1)[1].replace("2022-05-27", "2024-01-01", 1)
    write(tmp_path, VALID + "\n[[versions]]" + second)
    with pytest.raises(PolicyFileError, match=r"dq-test\.toml: versions: .*overlaps"):
        load_promotion_rules(tmp_path)


def test_loader_accepts_versions_that_follow_each_other(tmp_path):
    """A closed version followed by a new one: each date finds exactly one version."""
    first = VALID.replace(
        "effective_from = 2022-05-27", "effective_from = 2022-05-27\neffective_to = 2023-12-31"
    )
    second = VALID.split("[[versions]]", 1)[1].replace("2022-05-27", "2024-01-01", 1)
    write(tmp_path, first + "\n[[versions]]" + second)
    (policy,) = load_promotion_rules(tmp_path).policies
    assert policy.version_on(date(2023, 12, 31)).effective_from == date(2022, 5, 27)
    assert policy.version_on(date(2024, 1, 1)).effective_from == date(2024, 1, 1)


def test_loader_refuses_two_files_in_force_together_for_one_prefecture(tmp_path):
    """A second document for Diqing must start after the first one ends."""
    write(tmp_path, VALID)
    write(tmp_path, VALID.replace('id = "dq-test"', 'id = "dq-other"'), name="dq-other.toml")
    with pytest.raises(PolicyFileError, match="dq-test.toml: versions: .*overlaps dq-other.toml"):
        load_promotion_rules(tmp_path)


def test_loader_refuses_an_empty_directory(tmp_path):
    """No file means no rules: an error, not an empty rule set."""
    with pytest.raises(PolicyFileError, match="no promotion policy files"):
        load_promotion_rules(tmp_path)


def test_date_before_every_version_raises_no_rule_in_force(tmp_path):
    """POLICY.md §5.4: the message names the date asked for."""
    write(tmp_path, VALID)
    rules = load_promotion_rules(tmp_path)
    with pytest.raises(NoPromotionRuleInForce, match="2021-01-01") as info:
        rules.in_force("533400", date(2021, 1, 1))
    assert info.value.on == date(2021, 1, 1)
    assert "2022-05-27" in str(info.value)


def test_no_rule_in_force_is_a_no_policy_in_force():
    """One handler serves the award and promotion APIs (CONTRACT.md: 422 no_policy)."""
    from compapp.policy.model import NoPolicyInForce

    error = NoPromotionRuleInForce(date(2021, 1, 1), "dq-2022", date(2022, 5, 27))
    assert isinstance(error, NoPolicyInForce)
    assert error.policy_ids == ("dq-2022",)
    assert str(error).startswith("2021-01-01 没有有效的晋升规则")


def test_date_after_a_closed_version_raises_no_rule_in_force(tmp_path):
    """A version that ended leaves later dates uncovered until a new one is entered."""
    write(
        tmp_path,
        VALID.replace(
            "effective_from = 2022-05-27", "effective_from = 2022-05-27\neffective_to = 2023-12-31"
        ),
    )
    rules = load_promotion_rules(tmp_path)
    with pytest.raises(NoPromotionRuleInForce, match="2024-01-01"):
        rules.in_force("533400", date(2024, 1, 1))


def test_other_prefecture_has_no_policy_rather_than_an_error(tmp_path):
    """Only Diqing's rule is in the sources: others get None ('no rule configured')."""
    write(tmp_path, VALID)
    assert load_promotion_rules(tmp_path).in_force("530500", date(2021, 1, 1)) is None


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("effective_from = 2022-05-27", "valid_from = 2022-05-27", "versions[0].valid_from"),
        ("effective_from = 2022-05-27", "effective_from = 2022-05-27\nvalid_until = 2023-12-31",
         "versions[0].valid_until"),
    ],
)  # fmt: skip
def test_the_old_date_words_are_refused_with_their_new_name(tmp_path, old, new, key):
    """Promotion and award files share one vocabulary of a version's dates; a file written
    with the words promotion files used before is told which word to write instead."""
    write(tmp_path, VALID.replace(old, new, 1))
    with pytest.raises(PolicyFileError) as info:
        load_promotion_rules(tmp_path)
    message = str(info.value)
    assert message.startswith(f"dq-test.toml: {key}: renamed: write effective_")


def test_an_assumed_date_needs_its_note(tmp_path):
    """As in award files: an assumed start date says why (date_note), or it is refused."""
    write(tmp_path, VALID.replace("date_assumed = false", "date_assumed = true", 1))
    with pytest.raises(PolicyFileError, match=r"dq-test\.toml: versions\[0\]\.date_note"):
        load_promotion_rules(tmp_path)


def test_a_rule_without_its_quoted_sentence_is_refused(tmp_path):
    """One citation rule for every policy file: each rule quotes the sentence it applies."""
    write(tmp_path, VALID.replace('quote = "可晋升高级工"', 'quote = "  "', 1))
    with pytest.raises(PolicyFileError, match=r"versions\[0\]\.rules\[1\]\.quote: unquoted"):
        load_promotion_rules(tmp_path)


def test_a_stored_version_takes_the_place_of_the_shipped_file():
    """A version kept in the database is read by the same strict reader as the files and
    replaces the shipped file of its id (as award policies' stored versions do)."""
    text = SHIPPED.read_text(encoding="utf-8").replace(
        "effective_from = 2022-05-27", "effective_from = 2022-06-01", 1
    )
    (policy,) = load_promotion_rules(revisions={"dq-2022": (text, "dq-2022.toml")}).policies
    assert policy.versions[0].effective_from == date(2022, 6, 1)
    assert policy.digest == hashlib.sha256(text.encode("utf-8")).hexdigest()
    with pytest.raises(PolicyFileError, match="is stored as 'dq-other'"):
        load_promotion_rules(revisions={"dq-other": (text, "dq-other.toml")})
