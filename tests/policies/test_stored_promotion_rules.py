"""Promotion rules kept in the database are read like award policies' stored versions: the
active text of a promotion policy takes the place of its shipped file, read by the one strict
reader (the path by which an administrator's entered promotion rule comes into force)."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from flask_babel import refresh
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


# --- entering a promotion version (issue 21 point 2, the path under the form) ---------------

QUOTE = "获得州级一类竞赛第1名的选手，可晋升技师（测试用虚构条文）。"


def _entered_text(effective_from: date = date(2026, 1, 1)) -> str:
    """dq-2022 with a new version from ``effective_from`` entered (invented test rule)."""
    from compapp.policies.drafting import (
        PromotionRuleInput,
        PromotionVersionInput,
        add_promotion_version,
        parse,
    )

    rule = PromotionRuleInput(
        clause="(3)",
        categories=("prefecture_class1",),
        bands={"individual": (1, 1), "pair": (1, 1), "trio": (1, 1)},
        target="technician",
        if_at_target="senior_technician",
        quote=QUOTE,
        applies_to="contests_run_by_jurisdiction",
    )
    version = PromotionVersionInput(effective_from, None, False, "", (rule,))
    return add_promotion_version(parse(SHIPPED), version).text


def test_an_entered_promotion_version_cuts_back_the_old_one_and_loads_strictly():
    """The entered version follows the one in force, which now ends the day before; the
    text is in the file shape and the strict reader reads it."""
    from compapp.policy.promotion import load_promotion_text

    policy = load_promotion_text(_entered_text(), "dq-2022.toml")
    old, new = policy.versions
    assert (old.effective_from, old.effective_to) == (date(2022, 5, 27), date(2025, 12, 31))
    assert new.effective_from == date(2026, 1, 1) and new.effective_to is None
    assert new.date_citation == "entered" and [r.quote for r in new.rules] == [QUOTE]
    assert len(old.rules) == 7


def test_an_entered_promotion_version_is_reviewed_activated_and_exported(
    app, db, client, auth, users, tmp_path
):
    """Entered by one administrator, activated by another (never by the same), then in
    force; its exported file loads with the strict reader."""
    from compapp.policy.promotion import load_promotion_file

    admin_a, admin_b = users
    revision = services.save_promotion_revision(
        _entered_text(), admin_a, summary="测试：州级一类竞赛的新规则", source="form"
    )
    assert (revision.kind, revision.state, revision.version_from) == (
        "promotion",
        "pending",
        date(2022, 5, 27),  # the old version's end changed too: the period starts there
    )
    with pytest.raises(services.PolicyRefused):
        services.activate_revision(revision, admin_a)
    services.activate_revision(revision, admin_b)
    assert services.start_apply(revision, admin_b) == (None, False)  # nothing is priced
    db.session.commit()
    (policy,) = promotion_rules().policies
    assert policy.version_on(date(2026, 3, 1)).rules[0].quote == QUOTE
    assert policies_in_force()["dq-2022"].versions[0].effective_from == date(2022, 5, 27)

    auth.login("admin_a")
    exported = client.get(f"/policies/admin/revisions/{revision.id}/export")
    assert exported.status_code == 200
    path = tmp_path / "dq-2022.toml"
    path.write_bytes(exported.data)
    assert load_promotion_file(path).version_on(date(2026, 3, 1)).rules[0].quote == QUOTE


def test_the_same_promotion_text_again_is_refused(app, db, users):
    """A text identical to the rule in force has nothing to review."""
    with pytest.raises(services.PolicyRefused):
        services.save_promotion_revision(SHIPPED, users[0], summary="无变化", source="import")


def test_a_promotion_revision_page_shows_its_rules_and_no_money_preview(
    app, db, client, auth, users
):
    """The reviewer reads the entered rule like the document (bands, grades, the quote) and
    is told what activation does; there is no award preview for a rule that prices nothing."""
    revision = services.save_promotion_revision(
        _entered_text(), users[0], summary="测试：州级一类竞赛的新规则", source="form"
    )
    db.session.commit()
    auth.login("admin_b")
    page = client.get(f"/policies/admin/revisions/{revision.id}").get_data(as_text=True)
    assert 'id="promotion-bands"' in page and QUOTE in page
    assert "此后的晋升按该版本判断" in page
    assert 'id="preview"' not in page
    refresh()  # the test's application context holds the locale of the page before
    english = client.get(f"/policies/admin/revisions/{revision.id}?lang=en")
    assert english.status_code == 200
    assert "promotions from then on are decided under this version" in english.get_data(
        as_text=True
    )


def promotion_form(**overrides) -> dict:
    """The promotion version form as an administrator fills it in (an invented test rule)."""
    data = {
        "summary": "测试：州级一类竞赛第1名晋升技师",
        "effective_from": "2026-01-01",
        "rule-0-categories": ["prefecture_class1"],
        "rule-0-applies_to": "contests_run_by_jurisdiction",
        "rule-0-individual": "1",
        "rule-0-pair": "1-1",
        "rule-0-trio": "1",
        "rule-0-target": "technician",
        "rule-0-if_at_target": "senior_technician",
        "rule-0-item": "(3)",
        "rule-0-quote": QUOTE,
    }
    for n in range(1, 4):
        data.update(
            {
                f"rule-{n}-applies_to": "sent_by_jurisdiction",
                f"rule-{n}-target": "senior",
                f"rule-{n}-if_at_target": "technician",
            }
        )
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_an_administrator_enters_a_promotion_version_through_the_form(
    app, db, client, auth, users, tmp_path
):
    """Issue 21 point 2: entered by admin A through the form, checked strictly, activated by
    admin B; the exported file of that version loads with the strict reader."""
    from compapp.policy.promotion import load_promotion_file

    auth.login("admin_a")
    listed = client.get("/policies/admin").get_data(as_text=True)
    assert "/policies/admin/promotion/dq-2022/new-version" in listed
    assert client.get("/policies/admin/promotion/dq-2022/new-version").status_code == 200
    response = client.post("/policies/admin/promotion/dq-2022/new-version", data=promotion_form())
    assert response.status_code == 302, response.get_data(as_text=True)
    revision = db.session.scalars(db.select(PolicyRevision)).one()
    assert (revision.kind, revision.state, revision.policy_id) == (
        "promotion",
        "pending",
        "dq-2022",
    )
    auth.logout()

    auth.login("admin_b")
    page = client.post(
        f"/policies/admin/revisions/{revision.id}/activate", data={}, follow_redirects=True
    )
    assert page.status_code == 200 and "晋升规则的新版本已生效" in page.get_data(as_text=True)
    db.session.refresh(revision)
    assert revision.state == "active"
    (policy,) = promotion_rules().policies
    assert policy.version_on(date(2026, 3, 1)).rules[0].bands["pair"] == (1, 1)

    exported = client.get(f"/policies/admin/revisions/{revision.id}/export")
    path = tmp_path / "dq-2022.toml"
    path.write_bytes(exported.data)
    loaded = load_promotion_file(path)
    assert loaded.version_on(date(2026, 3, 1)).rules[0].quote == QUOTE
    assert loaded.version_on(date(2025, 12, 31)).effective_from == date(2022, 5, 27)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"rule-0-individual": "第一名"}, "rule-0-individual", "请写名次范围"),
        ({"rule-0-quote": ""}, "rule-0-quote", "请逐字摘录该条款的原文"),
        ({"rule-0-categories": None}, "rule-0-categories", "请选择至少一个竞赛类别"),
        ({"rule-0-if_at_target": "senior"}, "rule-0-if_at_target", "must be above the target"),
        ({"rule-0-individual": "3-1"}, "rule-0-individual", "is not a rank band"),
    ],
)
def test_a_promotion_form_problem_is_shown_next_to_its_field(
    app, db, client, auth, users, overrides, field, message
):
    """The form's own checks and the strict reader's both land beside the field concerned,
    and nothing is stored."""
    auth.login("admin_a")
    response = client.post(
        "/policies/admin/promotion/dq-2022/new-version", data=promotion_form(**overrides)
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    at = page.index(f'id="{field}-error"')
    assert message in page[at : at + 400], page[at : at + 400]
    assert db.session.scalars(db.select(PolicyRevision)).first() is None
