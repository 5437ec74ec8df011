"""Phone layout and accessibility, checked in chromium on the demo data.

At 390×844 (a common phone) no page scrolls sideways, tables become stacked cards and the
menu folds into a button. axe-core, installed from the npm registry by ``make axe`` and
injected into each page from disk (nothing is fetched while the tests run), finds no
serious or critical violation of WCAG 2 A/AA on the main pages.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from compapp import ROOT
from tests.helpers import DEMO_PASSWORD

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def axe_script() -> str:
    """Return axe-core's source; ``make axe`` puts it under .venv (a missing file fails)."""
    found = sorted(Path(ROOT, ".venv").glob("axe-core-*/axe.min.js"))
    assert found, "axe-core is not installed: run `make axe` (it installs it from npm)"
    return found[-1].read_text(encoding="utf-8")


def demo_serial(live_server) -> str:
    """A valid certificate's serial: the world contest's certificates, issued if not yet."""
    from compapp.auth.models import User
    from compapp.certificates.issuing import issue_all_certificates
    from compapp.certificates.models import Certificate
    from compapp.contests.models import Contest
    from compapp.extensions import db

    with live_server.app.app_context():
        valid = db.select(Certificate.serial).where(Certificate.status == "valid").limit(1)
        serial = db.session.scalar(valid)
        if serial is None:
            contest = db.session.scalar(db.select(Contest).filter_by(name="第47届世界技能大赛"))
            organiser = db.session.scalar(db.select(User).filter_by(username="organiser1"))
            issue_all_certificates(contest, organiser)
            db.session.commit()
            serial = db.session.scalar(valid)
        db.session.remove()
    assert serial, "the world contest's winners receive certificates"
    return serial


_SIGNED_IN: dict[str, dict] = {}


def signed_in_page(browser: Browser, live_server, username: str | None, viewport) -> Page:
    """A page in a new context signed in as ``username`` (each account signs in once: the
    sign-in form is rate-limited per address)."""
    state = _SIGNED_IN.get(username) if username else None
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport=viewport, storage_state=state
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    if username and state is None:
        from compapp.extensions import limiter

        # The sign-in limit per address counts every journey's sign-ins; these checks are not
        # about it.
        limiter.reset()
        page.goto("/login")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="登录").click()
        expect(page.locator("header .who")).to_contain_text("退出")
        _SIGNED_IN[username] = context.storage_state()
    return page


PHONE_PAGES = [
    ("winner1", "/my/results"),
    ("winner1", "/my/certificates"),
    ("coach1", "/my/team"),
    ("finance_yn", "/finance/"),
    ("finance_yn", "/finance/years/2025"),
    ("finance_dq", "/finance/contests/1"),
    ("finance_deqin", "/finance/"),
    ("admin", "/"),
    ("finance_dq", "/"),
    (None, "/login"),
    (None, "/calculator"),
    (None, "/verify"),
    (None, "/verify/{serial}"),
    ("organiser1", "/contests/2/award-list"),
    ("organiser1", "/contests/2/payees"),
    ("finance_yn", "/finance/recoveries"),
]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(("username", "path"), PHONE_PAGES)
def test_phone_pages_never_scroll_sideways(browser, live_server, username, path, lang):
    """At 390 px no page of a winner, coach or finance officer, nor a public page, is wider
    than the screen."""
    page = signed_in_page(browser, live_server, username, PHONE)
    try:
        page.goto(path.format(serial=demo_serial(live_server)) + f"?lang={lang}")
        widths = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1] == 390, (path, widths)
        # Nor does a table scroll sideways inside its box (the page itself then looks narrow).
        inner = page.evaluate(
            "[...document.querySelectorAll('.table-scroll')]"
            ".filter(s => s.scrollWidth > s.clientWidth).length"
        )
        assert inner == 0, path
    finally:
        page.context.close()


def test_phone_tables_become_cards_labelled_with_their_column(browser, live_server):
    """On a phone a table row is a card: each value shows its column heading beside it."""
    page = signed_in_page(browser, live_server, "finance_yn", PHONE)
    try:
        page.goto("/finance/")
        cell = page.locator("main table tbody tr").first.locator("td").first
        expect(cell).to_have_attribute("data-label", "赛事")
        assert (
            page.evaluate("getComputedStyle(document.querySelector('main tbody tr')).display")
            == "block"
        )
        assert page.locator("main table thead").first.bounding_box()["height"] <= 1
    finally:
        page.context.close()


def test_phone_menu_folds_into_a_button_that_opens_it(browser, live_server):
    """On a phone the menu is one button; pressing it shows the entries and says so."""
    page = signed_in_page(browser, live_server, "organiser1", PHONE)
    try:
        page.goto("/")
        menu = page.locator("#site-menu")
        button = page.get_by_role("button", name="菜单")
        expect(menu).to_be_hidden()
        expect(button).to_have_attribute("aria-expanded", "false")
        button.click()
        expect(menu).to_be_visible()
        expect(button).to_have_attribute("aria-expanded", "true")
        menu.get_by_role("link", name="赛事", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("赛事")
    finally:
        page.context.close()


def test_desktop_menu_is_open_and_marks_the_current_section(page, sign_in):
    """On a desktop the menu is shown; the section being looked at is marked as current."""
    sign_in("organiser1")
    page.goto("/contests/1")
    expect(page.get_by_role("button", name="菜单")).to_be_hidden()
    current = page.locator("#site-menu a[aria-current=page]")
    expect(current).to_have_count(1)
    expect(current).to_have_text("赛事")


def test_skip_link_takes_keyboard_users_to_the_content(page, sign_in):
    """The first Tab reaches “跳到正文”; following it puts the focus on the page's content."""
    sign_in("organiser1")
    page.goto("/contests/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到正文")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_refused_form_lists_its_errors_at_the_top_with_focus_and_links(page, sign_in):
    """A refused form opens on a summary of what to correct (focused), each item a link to
    its field; the field is marked invalid and described by its message."""
    sign_in("organiser1")
    page.goto("/contests/new")
    page.locator("form button[type=submit]").last.click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    link = summary.locator("a").first
    target = link.get_attribute("href")
    field = page.locator(target)
    expect(field).to_have_attribute("aria-invalid", "true")
    error_id = field.get_attribute("aria-describedby").split()[-1]
    expect(page.locator(f"#{error_id}")).to_contain_text(link.inner_text().split("：", 1)[1])
    link.click()
    expect(field).to_be_focused()


DESKTOP = {"width": 1280, "height": 900}
AXE_PAGES = [
    (None, "/login", PHONE),
    (None, "/calculator", PHONE),
    (None, "/verify/{serial}", PHONE),
    ("winner1", "/my/results", PHONE),
    ("coach1", "/my/team", PHONE),
    ("finance_yn", "/finance/", PHONE),
    ("admin", "/", PHONE),
    (None, "/login", DESKTOP),
    (None, "/calculator", DESKTOP),
    (None, "/verify/{serial}", DESKTOP),
    ("winner1", "/my/results", DESKTOP),
    ("winner1", "/my/certificates", DESKTOP),
    ("coach1", "/my/team", DESKTOP),
    ("finance_yn", "/finance/", DESKTOP),
    ("finance_dq", "/finance/contests/1", DESKTOP),
    ("organiser1", "/", DESKTOP),
    ("finance_dq", "/", DESKTOP),
    ("organiser1", "/contests/", DESKTOP),
    ("organiser1", "/contests/1", DESKTOP),
    ("organiser1", "/contests/new", DESKTOP),
    ("organiser1", "/contests/review", DESKTOP),
    ("organiser1", "/promotion/", DESKTOP),
    ("organiser1", "/certificates/", DESKTOP),
    ("admin", "/accounts/", DESKTOP),
    ("admin", "/audit/", DESKTOP),
]


@pytest.mark.parametrize(
    ("username", "path", "viewport"),
    AXE_PAGES,
    ids=[f"{u}-{p}-{v['width']}" for u, p, v in AXE_PAGES],
)
def test_axe_finds_no_serious_accessibility_violation(
    browser, live_server, username, path, viewport
):
    """axe-core (WCAG 2 A and AA rules) reports no serious or critical violation."""
    page = signed_in_page(browser, live_server, username, viewport)
    try:
        page.goto(path.format(serial=demo_serial(live_server)))
        page.add_script_tag(content=axe_script())
        result = page.evaluate(
            "axe.run(document, {runOnly: {type: 'tag', values: "
            "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, "
            "resultTypes: ['violations']})"
        )
        bad = [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:5])
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert not bad, bad
    finally:
        page.context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_dashboard_draws_its_charts_with_data(browser, live_server, viewport):
    """The administrator's home page draws each chart's bars and totals, with the same numbers
    in the table beside it."""
    page = signed_in_page(browser, live_server, "admin", viewport)
    try:
        page.goto("/")
        for key in ("by-prefecture", "by-year", "by-category", "results", "promotions"):
            figure = page.locator(f"#chart-{key}")
            expect(figure.locator("svg rect").first).to_be_visible()
            box = figure.locator("svg rect").first.bounding_box()
            assert box["width"] > 0 and box["height"] > 0, key
            expect(figure.locator("table tbody tr").first).to_be_visible()
        expect(page.locator("#chart-by-prefecture")).to_contain_text("迪庆藏族自治州")
        expect(page.locator("#payer-matrix .badge").first).to_be_visible()
    finally:
        page.context.close()


def test_header_counts_what_awaits_and_the_todo_page_lists_it(browser, live_server):
    """organiser2 (who may review organiser1's results) sees a number beside 待我处理 and, on
    the page, the results to review; removing a notification takes it off the list."""
    from compapp.auth.models import User
    from compapp.extensions import db
    from compapp.notifications.services import notify

    with live_server.app.app_context():
        reviewer = db.session.scalar(db.select(User).filter_by(username="organiser2"))
        notify([reviewer.id], "result_entered", {"contest": "浏览器通知测试赛"})
        db.session.commit()
        db.session.remove()
    page = signed_in_page(browser, live_server, "organiser2", DESKTOP)
    try:
        page.goto("/")
        badge = page.locator("header a.todo .count")
        expect(badge).to_be_visible()
        assert int(badge.inner_text()) >= 1
        page.locator("header a.todo").click()
        expect(page.locator("[data-task=results]")).to_contain_text("等待您复核")
        row = page.locator("table.notifications tr").filter(has_text="浏览器通知测试赛")
        expect(row).to_have_count(1)
        row.get_by_role("button", name="移除").click()
        expect(
            page.locator("table.notifications tr").filter(has_text="浏览器通知测试赛")
        ).to_have_count(0)
    finally:
        page.context.close()


def test_finding_a_person_stays_within_ones_scope(browser, live_server):
    """The province's organiser finds 此里农布 by name and opens the person's page; a coach has
    no search; the page works on a phone."""
    page = signed_in_page(browser, live_server, "organiser1", PHONE)
    try:
        page.goto("/")
        page.get_by_role("button", name="菜单").click()
        page.locator("#site-menu").get_by_role("link", name="查找人员").click()
        page.get_by_label("姓名或身份证号码").fill("农布")
        page.get_by_role("button", name="查找").click()
        page.locator("#people").get_by_role("link", name="此里农布").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("此里农布")
        expect(page.locator("#awards")).to_be_visible()
        widths = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1]
    finally:
        page.context.close()
    coach = signed_in_page(browser, live_server, "coach1", DESKTOP)
    try:
        assert coach.goto("/people/?q=此").status == 403
    finally:
        coach.context.close()
