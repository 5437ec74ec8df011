"""Account pages: the audit export and the account form's scope fields."""

from __future__ import annotations

from urllib.parse import unquote


def download_name(response) -> str:
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    return unquote(disposition.split("filename*=UTF-8''")[1])


def test_audit_export_is_a_csv_download_named_in_chinese(client, auth, dummy_admin):
    auth.login("admin")
    response = client.get("/audit/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert download_name(response).startswith("审计日志_")
    assert response.get_data(as_text=True).startswith("\ufeffid,at_utc,")


def new_account(client, role: str, **scope):
    data = {"username": f"u-{role}", "display_name": "新账户", "role": role, "active": "y"}
    return client.post("/accounts/new", data={**data, **scope})


def test_a_winner_and_a_coach_are_linked_by_id_number(
    client, auth, db, dummy_admin, dummy_contest, create_event, create_entry
):
    """The form takes text, not a list of every person; the link is looked up on saving."""
    from compapp.auth.models import User
    from compapp.contests.models import Coach

    entry = create_entry(create_event(dummy_contest), names=["此里农布"])
    person = entry.members[0].competitor
    from tests.helpers import id_number_for

    coach_number = id_number_for("533401")
    db.session.add_all([Coach(name="周红梅"), Coach(name="周红梅", id_number=coach_number)])
    db.session.commit()
    auth.login("admin")
    page = client.get("/accounts/new").get_data(as_text=True)
    assert "此里农布" not in page and "周红梅" not in page
    assert new_account(client, "winner", competitor_id=person.id_number.lower()).status_code == 200
    assert new_account(client, "coach", coach_id=f" {coach_number.lower()} ").status_code == 200
    winner = db.session.scalar(db.select(User).filter_by(username="u-winner"))
    coach = db.session.scalar(db.select(User).filter_by(username="u-coach"))
    assert winner.competitor_id == person.id and winner.coach_id is None
    assert coach.coach_id == db.session.scalar(
        db.select(Coach.id).filter_by(id_number=coach_number)
    )
    page = client.get(f"/accounts/{winner.id}/edit").get_data(as_text=True)
    assert "此里农布 " + person.masked_id in page and person.id_number not in page


def test_unknown_or_ambiguous_people_are_refused_with_a_message(
    client, auth, db, dummy_admin, dummy_contest, create_event
):
    from compapp.auth.models import User
    from compapp.contests.models import Coach
    from tests.helpers import id_number_for

    db.session.add_all([Coach(name="李强"), Coach(name="李强")])
    db.session.commit()
    auth.login("admin")
    number = id_number_for()
    page = new_account(client, "winner", competitor_id=number).get_data(as_text=True)
    assert f"找不到身份证号码为 {number} 的选手，请核对。" in page
    page = new_account(client, "coach", coach_id=number).get_data(as_text=True)
    assert f"找不到身份证号码为 {number} 的教练，请核对。" in page
    page = new_account(client, "coach", coach_id="李强").get_data(as_text=True)
    assert "账户按身份证号码关联教练，同名的教练按姓名无法区分。" in page
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 1
