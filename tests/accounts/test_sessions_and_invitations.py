"""Accounts: invitations die with deactivation and are used once; ending a session ends it
for every copy of its cookie (sign-out, a new password, a reset, deactivation)."""

from __future__ import annotations

import re

import pytest

from tests.helpers import PASSWORD

NEW_PASSWORD = "a-new-long-password"


def signed_in(app, username: str, password: str = PASSWORD):
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 302, f"sign-in failed for {username}"
    return client


def copy_of(app, client):
    """A second browser holding a copy of ``client``'s session cookie."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    return thief


def can_open_contests(client) -> bool:
    response = client.get("/contests/")
    return response.status_code == 200


def invite(admin, user) -> str:
    page = admin.post(f"/accounts/{user.id}/invite").get_data(as_text=True)
    url = re.search(r'value="(http[^"]+/invitation/[^"]+)"', page).group(1)
    return url.split("localhost", 1)[1]


def edit_form(user, **changes) -> dict:
    data = {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "organising_body_id": str(user.organising_body_id or ""),
        "active": "y",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def organiser(create_user, db):
    from compapp.contests.services import get_or_create_body

    body = get_or_create_body("云南省人力资源和社会保障厅")
    db.session.commit()
    return create_user("org", "organiser", organising_body_id=body.id)


def test_a_copied_cookie_stops_working_when_its_owner_signs_out(app, organiser):
    """Reproduction: a session cookie copied before logout still worked afterwards."""
    client = signed_in(app, "org")
    thief = copy_of(app, client)
    assert can_open_contests(thief)
    client.post("/logout")
    assert not can_open_contests(client)
    assert not can_open_contests(thief)


def test_signing_out_ends_only_that_session(app, organiser):
    office, home = signed_in(app, "org"), signed_in(app, "org")
    office.post("/logout")
    assert can_open_contests(home)


def test_signing_out_everywhere_ends_every_session_of_the_account(app, organiser):
    office, home = signed_in(app, "org"), signed_in(app, "org")
    thief = copy_of(app, home)
    office.post("/logout", data={"everywhere": "1"})
    assert not any(can_open_contests(c) for c in (office, home, thief))


def test_changing_ones_password_ends_the_other_sessions_and_keeps_this_one(app, db, organiser):
    here, elsewhere = signed_in(app, "org"), signed_in(app, "org")
    thief = copy_of(app, elsewhere)
    response = here.post(
        "/password",
        data={"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert can_open_contests(here)
    assert not can_open_contests(elsewhere) and not can_open_contests(thief)
    signed_in(app, "org", NEW_PASSWORD)


def test_a_wrong_current_password_changes_nothing(app, organiser):
    here, elsewhere = signed_in(app, "org"), signed_in(app, "org")
    page = here.post(
        "/password", data={"current": "wrong", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    ).get_data(as_text=True)
    assert "当前密码不正确。" in page
    assert can_open_contests(elsewhere)
    signed_in(app, "org")


def test_a_password_reset_by_invitation_ends_every_session_of_the_account(
    app, db, dummy_admin, organiser
):
    """Reproduction: a cookie copied before a password reset still worked after it."""
    victim = signed_in(app, "org")
    thief = copy_of(app, victim)
    admin = signed_in(app, "admin")
    path = invite(admin, organiser)
    response = app.test_client().post(
        path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert not can_open_contests(thief) and not can_open_contests(victim)
    signed_in(app, "org", NEW_PASSWORD)


def test_deactivating_an_account_ends_its_sessions_and_its_invitations(
    app, db, dummy_admin, organiser
):
    """Reproduction: a deactivated account came back to life through its old invitation link."""
    from compapp.auth.models import User

    victim = signed_in(app, "org")
    admin = signed_in(app, "admin")
    path = invite(admin, organiser)
    response = admin.post(f"/accounts/{organiser.id}/edit", data=edit_form(organiser, active=None))
    assert response.status_code == 302
    assert not can_open_contests(victim)
    assert app.test_client().get(path).status_code == 410
    response = app.test_client().post(
        path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 410
    db.session.expire_all()
    assert db.session.get(User, organiser.id).active is False
    assert (
        app.test_client()
        .post("/login", data={"username": "org", "password": NEW_PASSWORD})
        .status_code
        == 200
    )


def test_a_deactivated_account_gets_no_new_invitation(app, db, dummy_admin, organiser):
    admin = signed_in(app, "admin")
    admin.post(f"/accounts/{organiser.id}/edit", data=edit_form(organiser, active=None))
    response = admin.post(f"/accounts/{organiser.id}/invite", follow_redirects=True)
    assert "该账户已停用，不能发送邀请链接；请先启用账户。" in response.get_data(as_text=True)
    assert "/invitation/" not in response.get_data(as_text=True)


def test_an_invitation_is_used_once(app, db, dummy_admin, organiser):
    admin = signed_in(app, "admin")
    path = invite(admin, organiser)
    first = app.test_client().post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert first.status_code == 302
    again = app.test_client().post(
        path, data={"password": "other-password-1", "confirm": "other-password-1"}
    )
    assert again.status_code == 410
    signed_in(app, "org", NEW_PASSWORD)


def test_the_second_of_two_claims_of_one_invitation_is_refused_by_the_database(
    app, db, dummy_admin, organiser
):
    """Both requests found the invitation unused; only the first claim sets the password."""
    from compapp.accounts import services

    token = services.create_invitation(organiser, dummy_admin)
    db.session.commit()
    seen = services.find_invitation(token)
    # Another request used the invitation after this one had loaded it.
    other = services.find_invitation(token)
    services.accept_invitation(other, NEW_PASSWORD)
    db.session.commit()
    with pytest.raises(services.InvitationRefused, match="刚刚已被使用"):
        services.accept_invitation(seen, "other-password-1")
    signed_in(app, "org", NEW_PASSWORD)
