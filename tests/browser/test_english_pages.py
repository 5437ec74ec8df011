"""English pages in chromium: what a person reads on the main pages of each role, in English,
has no Chinese outside proper names, document references and quotations (the rule and its
known gaps are those of tests/test_english_everywhere.py, which checks every page)."""

from __future__ import annotations

import pytest

from tests.browser.test_phone_and_access import PHONE, signed_in_page
from tests.test_english_everywhere import _allowed_names, chinese_left, known_gap

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PAGES = [
    ("admin", "/", DESKTOP),
    ("organiser1", "/contests/", DESKTOP),
    ("finance_dq", "/", DESKTOP),
    ("finance_yn", "/finance/", PHONE),
    ("coach1", "/my/team", PHONE),
    ("winner1", "/my/results", PHONE),
    (None, "/calculator", PHONE),
]
# The text a person reads, leaving out parts marked Chinese, identifiers and quotations.
READ_TEXT = """() => {
  const skip = 'script, style, code, blockquote, q, [lang^="zh"]';
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!el || el.closest(skip) || !el.getClientRects().length) continue;
    if (node.textContent.trim()) out.push(node.textContent);
  }
  return out;
}"""


@pytest.fixture(scope="module")
def names(live_server):
    from compapp.extensions import db

    with live_server.app.app_context():
        found = _allowed_names()
        db.session.remove()
    return found


@pytest.mark.parametrize(("username", "path", "viewport"), PAGES)
def test_english_page_reads_in_english(browser, live_server, names, username, path, viewport):
    page = signed_in_page(browser, live_server, username, viewport)
    try:
        page.goto(path + ("&" if "?" in path else "?") + "lang=en")
        assert page.locator("html").get_attribute("lang") == "en"
        left = [
            piece
            for piece in chinese_left(page.evaluate(READ_TEXT), names)
            if known_gap(path, piece) is None
        ]
        assert not left, left
    finally:
        # Later journeys read Chinese pages: the language choice lives in the session.
        page.goto("/?lang=zh")
        page.context.close()
