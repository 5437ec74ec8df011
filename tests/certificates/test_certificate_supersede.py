"""A correction, reopening or withdrawal of a result marks its certificates at once.

Issue side door 3: after a gold was corrected to bronze and re-confirmed, the issued gold
certificate still verified as "有效". Now reopening the result makes the certificate stop
standing at once (revoked, pending reissue); the public page says so in general words; the
organiser sees it to reissue, and issuing gives the holder a new certificate in its place.
"""

from __future__ import annotations

import pytest

from compapp.certificates import issuing as certificate_issuing
from compapp.certificates.models import Certificate
from compapp.contests.models import Contest, Placement
from tests.helpers import flashes
from tests.helpers import signed_in as login
from tests.pages import submit

DEMO_PASSWORD = "compapp-demo"
NATIONAL = "第二届全国技能大赛"
NOTE = "裁判组复核：计分错误，内部备注"


@pytest.fixture
def app_config(tmp_path) -> dict:
    return {"CERTIFICATE_ZIP_DIR": str(tmp_path / "zips")}


def issued_gold(app, db) -> tuple[Contest, Placement, Certificate]:
    contest = db.session.scalar(db.select(Contest).filter_by(name=NATIONAL))
    organiser = login(app, "organiser1")
    response = organiser.post(f"/certificates/contests/{contest.id}/issue")
    assert response.status_code == 302
    cert = db.session.scalar(
        db.select(Certificate)
        .join(Placement, Placement.entry_id == Certificate.entry_id)
        .where(
            Certificate.contest_id == contest.id,
            Placement.medal == "gold",
            Certificate.holder_type == "competitor",
        )
        .order_by(Certificate.id)
    )
    assert cert is not None and cert.is_valid
    return contest, cert.entry.placement, cert


def correct_to_bronze(app, placement) -> None:
    """Reopen (organiser1, with a reason), correct to bronze, confirm (organiser2)."""
    organiser1 = login(app, "organiser1")
    organiser1.post(f"/contests/placements/{placement.id}/reopen", data={"note": NOTE})
    entry = placement.entry
    form = {
        "version": str(entry.event.version),
        "sending_county": entry.sending_county_code,
        "rank": "3",
        "result": "bronze",
    }
    for i, member in enumerate(entry.members):
        form[f"members-{i}-id_number"] = member.competitor.id_number
        form[f"members-{i}-name"] = member.competitor.name
    for i, coach in enumerate(entry.coaches):
        form[f"coaches-{i}-name"] = coach.coach.name
        form[f"coaches-{i}-role"] = coach.role
    response = organiser1.post(f"/contests/entries/{entry.id}/edit", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    organiser2 = login(app, "organiser2")
    response = submit(
        organiser2,
        f"/contests/events/{entry.event_id}",
        f"/contests/placements/{placement.id}/confirm",
    )
    assert response.status_code == 302


def test_a_corrected_gold_no_longer_verifies_as_valid(app, db, demo, client):
    """The issue's reproduction: gold corrected to bronze and re-confirmed."""
    _contest, placement, cert = issued_gold(app, db)
    correct_to_bronze(app, placement)
    page = client.get(f"/verify/{cert.serial}").get_data(as_text=True)
    assert "不再有效" in page and "✔" not in page
    assert "证书所依据的成绩已撤回确认、正在更正" in page
    assert NOTE not in page  # the internal reason stays internal


def test_reopening_marks_the_certificate_at_once_before_any_correction(app, db, demo, client):
    _contest, placement, cert = issued_gold(app, db)
    login(app, "organiser1").post(
        f"/contests/placements/{placement.id}/reopen", data={"note": NOTE}
    )
    db.session.expire_all()
    cert = db.session.get(Certificate, cert.id)
    assert (cert.status, cert.superseded_reason) == ("revoked", "result_reopened")
    assert not cert.is_valid
    page = client.get(f"/verify/{cert.serial}").get_data(as_text=True)
    assert "不再有效" in page
    # Every certificate resting on that result (the coaching team's too) stopped standing.
    others = db.session.scalars(
        db.select(Certificate).filter_by(entry_id=placement.entry_id, status="valid")
    ).all()
    assert others == []


def test_the_organiser_sees_what_to_reissue_and_issuing_replaces_it(app, db, demo):
    contest, placement, cert = issued_gold(app, db)
    organiser = login(app, "organiser1")
    organiser.post(f"/contests/placements/{placement.id}/reopen", data={"note": NOTE})
    page = organiser.get(f"/certificates/contests/{contest.id}").get_data(as_text=True)
    assert 'id="awaiting-result"' in page and cert.content["holder_name"] in page

    correct_to_bronze_after_reopen(app, placement)
    page = organiser.get(f"/certificates/contests/{contest.id}").get_data(as_text=True)
    assert 'id="to-reissue"' in page
    response = organiser.post(f"/certificates/contests/{contest.id}/issue", follow_redirects=True)
    assert any("替代因成绩更正而不再有效的证书" in m for m in flashes(response)), flashes(response)
    db.session.expire_all()
    old = db.session.get(Certificate, cert.id)
    new = old.replaced_by
    assert new is not None and new.is_valid
    assert new.content["result_text"] == "铜牌" and new.serial != old.serial


def correct_to_bronze_after_reopen(app, placement) -> None:
    """As correct_to_bronze, the result being reopened already."""
    organiser1 = login(app, "organiser1")
    entry = placement.entry
    form = {
        "version": str(entry.event.version),
        "sending_county": entry.sending_county_code,
        "rank": "3",
        "result": "bronze",
    }
    for i, member in enumerate(entry.members):
        form[f"members-{i}-id_number"] = member.competitor.id_number
        form[f"members-{i}-name"] = member.competitor.name
    for i, coach in enumerate(entry.coaches):
        form[f"coaches-{i}-name"] = coach.coach.name
        form[f"coaches-{i}-role"] = coach.role
    assert organiser1.post(f"/contests/entries/{entry.id}/edit", data=form).status_code == 302
    response = submit(
        login(app, "organiser2"),
        f"/contests/events/{entry.event_id}",
        f"/contests/placements/{placement.id}/confirm",
    )
    assert response.status_code == 302


def test_a_price_relevant_contest_change_supersedes_its_certificates(app, db, demo):
    contest, _placement, cert = issued_gold(app, db)
    data = {
        "name": contest.name,
        "category": "worldskills",
        "organising_body": contest.organising_body.name,
        "organiser": contest.organiser_code,
        "starts_on": contest.starts_on.isoformat(),
        "ends_on": contest.ends_on.isoformat(),
        "award_on": contest.award_on.isoformat(),
    }
    response = login(app, "organiser1").post(
        f"/contests/{contest.id}/edit", data=data, follow_redirects=True
    )
    assert any("证书已标记为不再有效" in m for m in flashes(response)), flashes(response)
    db.session.expire_all()
    assert db.session.get(Certificate, cert.id).superseded_reason == "result_reopened"
    assert not db.session.scalars(
        db.select(Certificate).filter_by(contest_id=contest.id, status="valid")
    ).all()


def test_a_hand_revocation_is_not_reissued_by_issue_all(app, db, demo):
    """Only superseded certificates are reissued automatically; a revocation stays."""
    contest, _placement, cert = issued_gold(app, db)
    certificate_issuing.revoke(cert, "伪造材料", None)
    db.session.commit()
    login(app, "organiser1").post(f"/certificates/contests/{contest.id}/issue")
    db.session.expire_all()
    assert db.session.get(Certificate, cert.id).replaced_by_id is None
