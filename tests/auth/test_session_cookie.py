"""The session cookie is written by what a person does, not by the header's background count;
an expired form says so and offers its page again."""

from __future__ import annotations

import pytest

from tests.helpers import PASSWORD, signed_in


@pytest.fixture
def app_config(request):
    return getattr(request, "param", {})


def test_the_header_count_never_writes_the_session_cookie(app, create_user):
    """The count is fetched by the page's script after the page is shown. Its answer can
    arrive after the person signed out and opened the sign-in form: a cookie on it would put
    the old session back under the new form (whose token then fails to match)."""
    create_user("counter", "organiser")
    client = signed_in(app, "counter", PASSWORD)
    page = client.get("/")
    assert "Set-Cookie" in page.headers  # a page refreshes the signed-in session's cookie
    count = client.get("/todo/count")
    assert count.status_code == 200 and "count" in count.get_json()
    assert "Set-Cookie" not in count.headers


def test_the_count_leaves_a_signed_out_browser_signed_out(app, create_user):
    """A late count answer for the old session does not sign the person back in."""
    create_user("counter2", "organiser")
    client = signed_in(app, "counter2", PASSWORD)
    late = client.get("/todo/count")  # sent before signing out, answered after
    client.delete_cookie("session")
    assert "Set-Cookie" not in late.headers
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}], indirect=True)
def test_an_expired_sign_in_form_says_so_and_offers_the_form_again(app, client, create_user):
    create_user("late", "organiser")
    response = client.post("/login", data={"username": "late", "password": "x"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "页面已过期" in page and "您的操作没有保存" in page
    assert 'id="open-again" href="/login"' in page or 'href="/login" id="open-again"' in page
    assert client.get("/").status_code == 302  # not signed in


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}], indirect=True)
def test_an_expired_action_without_a_page_links_home_in_english(app, client, create_user):
    response = client.post("/logout?lang=en")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "open-again" not in page  # /logout has no page of its own to reopen
    assert "Page expired" in page and "nothing was saved" in page
