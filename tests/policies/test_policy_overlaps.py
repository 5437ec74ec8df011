"""A policy the engine could not tell apart from another of its jurisdiction is refused, with
the message next to the field (issue 21, point 2).

compapp.rewards.rules.compute_awards applies every award policy of the competitor's (or the
organising) jurisdiction in force on the award date, each adding its own lines: two documents
of one jurisdiction pricing the same category, result and payer on a common day would pay
twice. Promotion takes the first document of the prefecture in force on the date, whatever
the category: two in force on one day cannot be told apart. A new version of the same
document replaces its old versions from its date and is never an overlap.

dq-2022's amounts are those of ``000_506faec866124176.txt`` (州级竞赛, 州级承担); the new
documents and figures here are invented test data.
"""

from __future__ import annotations

from datetime import date

import pytest

from compapp.policies import services
from compapp.policies.models import PolicyRevision
from compapp.policy.loader import load_policy_text
from compapp.policy.overlaps import award_overlap, promotion_overlap
from compapp.policy.promotion import DEFAULT_DATA_DIR, load_promotion_text
from compapp.rewards.services import award_policies

QUOTE = "对在本州主办的州级一类竞赛中获得金牌的选手给予奖励（测试用虚构条文）。"


@pytest.fixture
def admins(create_user):
    return create_user("admin_a", "admin"), create_user("admin_b", "admin")


def new_policy_form(**overrides) -> dict:
    """A new Diqing document as an administrator enters it (invented test figures)."""
    data = {
        "policy_id": "dq-2024-1",
        "title": "迪庆州职业技能竞赛奖励办法（测试）",
        "short_title": "迪庆测试办法",
        "issuer": "迪庆藏族自治州人民政府",
        "jurisdiction_code": "533400",
        "summary": "录入迪庆州的测试办法",
        "effective_from": "2024-01-01",
        "schedule-0-categories": ["prefecture_class1"],
        "schedule-0-payer": "prefecture",
        "schedule-0-applies_to": "contests_run_by_jurisdiction",
        "schedule-0-gold": "20000",
        "schedule-0-coaching_team": "none",
        "schedule-0-section": "第三条",
        "schedule-0-item": "(一)",
        "schedule-0-quote": QUOTE,
        "schedule-1-coaching_team": "same_standard",
        "schedule-1-applies_to": "sent_by_jurisdiction",
        "schedule-2-coaching_team": "same_standard",
        "schedule-2-applies_to": "sent_by_jurisdiction",
        "topup-0-coaching_team": "same_standard",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _field_error(page: str, field_id: str) -> str:
    """The error shown with the field ``field_id`` ("" when it has none)."""
    marker = f'id="{field_id}-error"'
    if marker not in page:
        return ""
    start = page.index(marker)
    return page[start : page.index("</div>", start)]


def test_a_new_policy_pricing_what_another_of_its_jurisdiction_prices_is_refused(
    db, client, auth, admins
):
    """dq-2022 pays the prefecture-class-1 gold from 2022-05-27 (州级承担): a second Diqing
    document paying it from 2024 would pay it twice; refused next to the row's categories."""
    auth.login("admin_a")
    response = client.post("/policies/admin/new", data=new_policy_form())
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    near = _field_error(page, "schedule-0-categories")
    assert "与同一地区的另一项政策重叠" in near
    assert "迪庆方案" in near and "其他州（市）级一类职业技能竞赛金牌由州（市）级承担" in near
    assert db.session.scalar(db.select(db.func.count()).select_from(PolicyRevision)) == 0


@pytest.mark.parametrize(
    "overrides",
    [
        # Before dq-2022 is in force: the two follow each other in time.
        {"effective_from": "2021-01-01", "effective_to": "2022-05-26"},
        # A result dq-2022 does not price (its top-ups leave out 优胜奖).
        {
            "schedule-0-categories": ["national_skills_competition"],
            "schedule-0-applies_to": "sent_by_jurisdiction",
            "schedule-0-gold": None,
            "schedule-0-excellence": "2000",
        },
        # Paid by the counties, not the prefecture.
        {"schedule-0-payer": "county"},
    ],
    ids=["before", "other-result", "other-payer"],
)
def test_a_new_policy_the_engine_tells_apart_is_stored(db, client, auth, admins, overrides):
    auth.login("admin_a")
    response = client.post("/policies/admin/new", data=new_policy_form(**overrides))
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    assert db.session.scalars(db.select(PolicyRevision.policy_id)).all() == ["dq-2024-1"]


def test_a_new_version_of_the_same_policy_is_not_an_overlap(app, db):
    """dq-2022 read twice (an entered version of it) does not overlap itself."""
    policy = award_policies()["dq-2022"]
    assert award_overlap(policy, award_policies()) is None


def test_an_imported_file_overlapping_another_policy_is_refused_on_the_file_field(
    db, client, auth, admins
):
    """dq-2022's own text under another id is the plainest overlap there is."""
    from io import BytesIO

    text = services.text_in_force("dq-2022").replace('id = "dq-2022"', 'id = "dq-2024-2"', 1)
    assert load_policy_text(text, "dq-2024-2.toml").id == "dq-2024-2"
    auth.login("admin_a")
    response = client.post(
        "/policies/admin/import",
        data={"file": (BytesIO(text.encode("utf-8")), "dq-2024-2.toml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "与同一地区的另一项政策重叠" in _field_error(response.get_data(as_text=True), "file")
    assert db.session.scalar(db.select(db.func.count()).select_from(PolicyRevision)) == 0


def test_activation_refuses_a_version_that_came_to_overlap_meanwhile(db, admins):
    """Two new Diqing documents, each fine alone, both entered before either is active: the
    second to be activated is refused."""
    admin_a, admin_b = admins
    text = services.text_in_force("dq-2022")
    first = services.save_revision(
        text.replace('id = "dq-2022"', 'id = "dq-2024-3"', 1).replace(
            "effective_from = 2022-05-27",
            "effective_from = 2021-01-01\neffective_to = 2022-05-26",
            1,
        ),
        admin_a,
        summary="测试甲",
        source="import",
    )
    second = services.save_revision(
        text.replace('id = "dq-2022"', 'id = "dq-2024-4"', 1).replace(
            "effective_from = 2022-05-27",
            "effective_from = 2020-01-01\neffective_to = 2021-06-30",
            1,
        ),
        admin_a,
        summary="测试乙",
        source="import",
    )
    services.activate_revision(first, admin_b)
    db.session.flush()
    services.forget_policies_in_force()
    with pytest.raises(services.PolicyOverlap) as refused:
        services.activate_revision(second, admin_b)
    # Outside a request (logs, the command line) the refusal reads in Chinese.
    said = str(refused.value)
    assert said.startswith("与同一地区的另一项政策重叠") and "2020-01-01 至 2021-06-30" in said


def test_two_promotion_documents_of_one_prefecture_in_force_together_overlap():
    shipped = (DEFAULT_DATA_DIR / "dq-2022.toml").read_text(encoding="utf-8")
    policy = load_promotion_text(shipped, "dq-2022.toml")
    other = load_promotion_text(
        shipped.replace('id = "dq-2022"', 'id = "dq-2025-1"', 1), "dq-2025-1.toml"
    )
    assert promotion_overlap(policy, [policy]) is None
    found = promotion_overlap(other, [policy])
    assert found is not None and found.period == "2022-05-27 起"
    later = load_promotion_text(
        shipped.replace('id = "dq-2022"', 'id = "dq-2025-1"', 1).replace(
            "effective_from = 2022-05-27",
            "effective_from = 2020-01-01\neffective_to = 2022-05-26",
            1,
        ),
        "dq-2025-1.toml",
    )
    assert promotion_overlap(later, [policy]) is None
    assert date(2022, 5, 26) < policy.versions[0].effective_from


def test_a_new_policy_paying_a_share_another_pays_as_a_top_up_is_refused(db, client, auth, admins):
    """dq-2022 (6) adds 20% of the provincial national gold, paid by the prefecture, for the
    competitors Diqing sends: a fixed prefecture amount for the same gold would pay twice."""
    auth.login("admin_a")
    form = new_policy_form(
        **{
            "schedule-0-categories": ["national_skills_competition"],
            "schedule-0-applies_to": "sent_by_jurisdiction",
        }
    )
    page = client.post("/policies/admin/new", data=form).get_data(as_text=True)
    near = _field_error(page, "schedule-0-categories")
    assert "与同一地区的另一项政策重叠" in near and "全国职业技能大赛金牌" in near


def test_the_overlap_refusal_reads_in_the_page_language(app, db, client, auth, admins):
    """The refusal names the other document, the periods, the category, the result and the
    payer in the page's language: an English page has no Chinese left in its sentence but
    the other document's own title."""
    import re

    auth.login("admin_a")
    form = new_policy_form(
        **{
            "schedule-0-categories": ["national_skills_competition"],
            "schedule-0-applies_to": "sent_by_jurisdiction",
        }
    )
    # Each request in an application context of its own, as a served request is.
    with app.app_context():
        page = client.post("/policies/admin/new?lang=en", data=form).get_data(as_text=True)
    near = _field_error(page, "schedule-0-categories")
    assert "This overlaps another policy of the same jurisdiction" in near
    assert "National Skills Competition Gold" in near and "paid by the Prefecture" in near
    assert re.search(r"\(from \d{4}-\d\d-\d\d", near) or re.search(r"\d{4}-\d\d-\d\d to ", near)
    # The other document's title is its own (a name); every other word is English.
    title = re.search(r"jurisdiction: (.+?) \(", near).group(1)
    assert not re.search(r"[\u4e00-\u9fff]", near.replace(title, "")), near
    with app.app_context():
        chinese = client.post("/policies/admin/new?lang=zh", data=form).get_data(as_text=True)
    near = _field_error(chinese, "schedule-0-categories")
    assert "与同一地区的另一项政策重叠" in near and "全国职业技能大赛金牌" in near
