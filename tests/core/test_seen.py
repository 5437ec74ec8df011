"""The shared binding of a confirmation to what was seen (compapp.core.seen), as pure code."""

from __future__ import annotations

import pytest

from compapp.core.seen import (
    Change,
    Changed,
    check,
    check_each,
    digest,
    make_token,
    read_token,
)

SECRET = "test-secret"
VIEW = {"名次": 2, "奖项": ["silver", None], "选手": ["张三", "李四"]}


def test_a_token_gives_back_the_view_it_was_made_with():
    token = make_token(SECRET, "placement", 7, VIEW)
    assert read_token(SECRET, "placement", 7, token) == VIEW


@pytest.mark.parametrize(
    "kind, key, secret",
    [("placement", 8, SECRET), ("budget", 7, SECRET), ("placement", 7, "another-secret")],
)
def test_a_token_is_refused_for_another_record_or_signed_by_another_key(kind, key, secret):
    token = make_token(SECRET, "placement", 7, VIEW)
    assert read_token(secret, kind, key, token) is None


@pytest.mark.parametrize("token", [None, "", "not-a-token", "x" * 9000, "W10.abc"])
def test_a_missing_or_malformed_token_reads_as_unknown(token):
    assert read_token(SECRET, "placement", 7, token) is None


def test_check_lists_each_changed_field_with_before_and_now():
    now = {**VIEW, "奖项": ["gold", None]}
    with pytest.raises(Changed) as caught:
        check(VIEW, now)
    assert caught.value.changes == [Change("奖项", ["silver", None], ["gold", None])]


def test_check_refuses_when_what_was_seen_is_unknown():
    with pytest.raises(Changed) as caught:
        check(None, VIEW)
    assert caught.value.unknown


def test_check_passes_when_nothing_changed_tuples_and_lists_alike():
    check({"奖项": ("silver", None)}, {"奖项": ["silver", None]})


def test_check_each_names_only_the_records_that_changed():
    pairs = [(1, VIEW, VIEW), (2, VIEW, {**VIEW, "名次": 1}), (3, None, VIEW)]
    assert sorted(check_each(pairs)) == [2, 3]


def test_digest_ignores_order_but_not_amounts():
    assert digest([(1, 100), (2, 200)]) == digest([(2, 200), (1, 100)])
    assert digest([(1, 100), (2, 200)]) != digest([(1, 100), (2, 201)])
