"""Help: a short guide per role, in Chinese and English, linked from every page."""

from __future__ import annotations

import re

import pytest

ROLES = ("organiser", "finance", "coach", "winner", "admin")


@pytest.mark.parametrize("role", ROLES)
def test_each_role_has_a_guide_with_its_steps_and_the_statuses(client, role):
    html = client.get(f"/help/{role}").get_data(as_text=True)
    assert '<ol class="steps">' in html and 'id="statuses"' in html
    assert "待财务确认" in html and "公示" in html


@pytest.mark.parametrize("role", ROLES)
def test_english_guide_is_english(client, role):
    """Only proper names and the title 云南竞赛技术能手 / the word 公示 stay Chinese."""
    from flask_babel import refresh

    refresh()
    html = client.get(f"/help/{role}?lang=en").get_data(as_text=True)
    article = html[html.index('<article class="card guide">') : html.index("</article>")]
    leftover = set(re.findall(r"[\u4e00-\u9fff]+", article)) - {"云南竞赛技术能手", "公示"}
    assert not leftover, leftover


def test_header_links_to_the_guide_of_ones_role(client, auth, create_user):
    create_user("fin", "finance", jurisdiction_code="533400")
    auth.login("fin")
    html = client.get("/todo").get_data(as_text=True)
    assert '<a href="/help/finance">帮助</a>' in html


def test_unknown_guide_is_not_found(client):
    assert client.get("/help/nobody").status_code == 404
