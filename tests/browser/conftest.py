"""Browser journeys: the real app served on 127.0.0.1, driven by Debian's chromium.

One server and one browser per session (fast); a fresh browser context per test (its own
cookies). The database is a temporary SQLite file upgraded with the migrations and seeded
with the demo data, as `make run` does. A failing journey leaves a screenshot and the page's
HTML in test-artifacts/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from compapp import ROOT
from tests.helpers import DEMO_PASSWORD
from tests.live_server import LiveServer, make_demo_app, serving

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    """Serve compapp on a free loopback port against a migrated, demo-seeded SQLite file."""
    folder = tmp_path_factory.mktemp("browser")
    app = make_demo_app("sqlite:///" + str(folder / "compapp.sqlite"), folder)
    with serving(app) as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, "report_" + report.when, report)
    return report


def _artifact_name(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.split("::", 1)[-1])


@pytest.fixture
def page(request, browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A fresh context (own cookies) and page; on failure, save a screenshot and the HTML."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        accept_downloads=True,
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    # Pages ask "are you sure?" with confirm(); a user clicks OK.
    page.on("dialog", lambda dialog: dialog.accept())
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        stem = ARTIFACTS / _artifact_name(request.node.nodeid)
        try:
            page.screenshot(path=str(stem) + ".png", full_page=True)
            Path(str(stem) + ".html").write_text(page.content(), encoding="utf-8")
        except Exception as exc:  # the failure itself is what the report must show
            print(f"could not save the failure screenshot: {exc}")
    context.close()


@pytest.fixture
def sign_in(page: Page):
    """Sign in through the login form as a demo account (signing out whoever is signed in)."""

    def sign_in(username: str) -> None:
        from compapp.extensions import limiter

        # The sign-in limit per address counts every journey's sign-ins (all from 127.0.0.1);
        # the journeys are not about it (tests/auth/test_sign_in_limits.py is).
        limiter.reset()
        page.goto("/login")
        signed_in = page.locator("header").get_by_role("button", name="退出")
        if signed_in.count():  # someone else first signs out, as a person would
            signed_in.click()
            expect(page.locator(".flash.info")).to_contain_text("您已退出")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="登录").click()
        expect(page).not_to_have_url(re.compile(r"/login"))
        expect(page.locator("header .who")).to_contain_text("退出")

    return sign_in
