"""What every page shares: the language switch, the menu, the skip link, error summaries."""

from __future__ import annotations

import re
from html import unescape


def language_link(html: str) -> str:
    found = re.search(r'<a href="([^"]+)" lang="(en|zh-CN)">', html)
    assert found, "every page offers the other language"
    return unescape(found.group(1))


def test_switching_language_keeps_the_filters_of_the_list(client, auth, dummy_organiser):
    """Switching to English on a filtered list shows the same filtered list in English."""
    from flask_babel import refresh

    auth.login("organiser")
    html = client.get("/contests/?tier=provincial&year=2025").get_data(as_text=True)
    link = language_link(html)
    assert link.startswith("/contests/?")
    assert "tier=provincial" in link and "year=2025" in link and "lang=en" in link
    refresh()  # the test's app context outlives requests; forget its cached locale
    english = client.get(link).get_data(as_text=True)
    back = language_link(english)
    assert "tier=provincial" in back and "year=2025" in back and "lang=zh" in back
    assert back.count("lang=") == 1


def test_current_menu_entry_is_marked_also_on_the_pages_below_it(
    client, auth, dummy_organiser, dummy_contest
):
    """The menu marks 赛事 on the contest list and on a contest's own page, and nothing else."""
    auth.login("organiser")
    for path in ("/contests/", f"/contests/{dummy_contest.id}"):
        html = client.get(path).get_data(as_text=True)
        current = re.findall(r'<a href="([^"]+)" aria-current="page" class="current">', html)
        assert current == ["/contests/"], (path, current)


def test_every_page_starts_with_a_skip_link_to_its_content(client):
    html = client.get("/login").get_data(as_text=True)
    assert html.index('class="skip-link" href="#main"') < html.index("<header")
    assert '<main id="main" tabindex="-1">' in html


def test_flash_messages_are_announced(client, auth, dummy_organiser):
    """Flashes sit in a live region so screen readers read them out."""
    auth.login("organiser")
    html = client.get("/").get_data(as_text=True)
    assert 'class="flashes" role="status" aria-live="polite"' in html


def test_refused_form_has_summary_linking_to_invalid_fields(client, auth, dummy_organiser):
    """A refused form lists its problems at the top, each linking to its field; the field
    says it is invalid and which message describes it."""
    auth.login("organiser")
    html = client.post("/contests/new", data={"name": ""}).get_data(as_text=True)
    summary = html[html.index('class="error-summary"') : html.index("</ul>")]
    assert '<a href="#name">' in summary
    field = re.search(r"<input[^>]*\bid=\"name\"[^>]*>", html).group(0)
    assert 'aria-invalid="true"' in field
    assert 'aria-describedby="name-error"' in field
    assert 'id="name-error"' in html
