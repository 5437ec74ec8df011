"""Promotion rules kept in the database are read like award policies' stored versions: the
active text of a promotion policy takes the place of its shipped file, read by the one strict
reader (the path by which an administrator's entered promotion rule comes into force)."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError

from compapp.auth.models import utcnow
from compapp.policies import services
from compapp.policies.models import PolicyRevision
from compapp.policies.queries import policies_in_force, promotion_rules_in_force
from compapp.policy.promotion import DEFAULT_DATA_DIR
from compapp.promotion.services import promotion_rules

SHIPPED = (DEFAULT_DATA_DIR / "dq-2022.toml").read_text(encoding="utf-8")
# An invented later start, as an administrator would store a corrected version.
STORED = SHIPPED.replace("effective_from = 2022-05-27", "effective_from = 2022-06-01", 1)


def _store(db, users, text: str, *, kind: str = "promotion", state: str = "active"):
    author, reviewer = users
    revision = PolicyRevision(
        policy_id="dq-2022",
        kind=kind,
        state=state,
        text=text,
        digest=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        version_from=date(2022, 6, 1),
        summary="测试：晋升规则的新版本",
        source="import",
        created_by_id=author.id,
        reviewed_by_id=None if state == "pending" else reviewer.id,
        reviewed_at=None if state == "pending" else utcnow(),
    )
    db.session.add(revision)
    db.session.flush()
    return revision


@pytest.fixture
def users(create_user):
    return create_user("admin_a", "admin"), create_user("admin_b", "admin")


def test_shipped_promotion_rules_are_in_force_when_nothing_is_stored(app, db):
    """No active stored version: the shipped dq-2022 file, from 2022-05-27."""
    (policy,) = promotion_rules().policies
    assert policy.versions[0].effective_from == date(2022, 5, 27)


def test_an_active_stored_promotion_version_takes_the_place_of_the_shipped_file(app, db, users):
    """The active text is read strictly and replaces the shipped file of its id."""
    _store(db, users, STORED)
    services.forget_policies_in_force()
    (policy,) = promotion_rules().policies
    assert policy.versions[0].effective_from == date(2022, 6, 1)
    assert policy.digest == hashlib.sha256(STORED.encode("utf-8")).hexdigest()
    # The award policy of the same id is untouched: a revision names its kind.
    assert policies_in_force()["dq-2022"].versions[0].effective_from == date(2022, 5, 27)
    assert services.text_in_force("dq-2022") == (
        DEFAULT_DATA_DIR.parent / "awards" / "dq-2022.toml"
    ).read_text(encoding="utf-8")


def test_a_pending_promotion_version_is_not_in_force(app, db, users):
    """Only an activated text counts (four eyes)."""
    _store(db, users, STORED, state="pending")
    services.forget_policies_in_force()
    (policy,) = promotion_rules_in_force().policies
    assert policy.versions[0].effective_from == date(2022, 5, 27)


def test_a_stored_promotion_text_is_checked_by_the_strict_reader(app, db, users):
    """A stored text in the old words is refused when read, naming the key."""
    _store(db, users, STORED.replace("effective_from", "valid_from", 1))
    services.forget_policies_in_force()
    with pytest.raises(services.PolicyFileError, match=r"versions\[0\]\.valid_from: renamed"):
        services.check_active_revisions()


def test_one_active_text_per_kind_and_policy(app, db, users):
    """An award text and a promotion text of dq-2022 may both be active; two promotion
    texts of it may not (the unique index on kind and policy)."""
    award_text = (DEFAULT_DATA_DIR.parent / "awards" / "dq-2022.toml").read_text(encoding="utf-8")
    _store(db, users, award_text, kind="awards")
    _store(db, users, STORED)
    with pytest.raises(IntegrityError), db.session.begin_nested():
        _store(db, users, STORED.replace("2022-06-01", "2022-06-02", 1))
