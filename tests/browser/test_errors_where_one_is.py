"""An error after a long list shows where the person is: rejecting a promotion without a
note on a long page (a phone stacks every case as a card) puts the message beside the case's
row, in view, with focus on it and the note box marked invalid."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_phone_and_access import PHONE, signed_in_page

pytestmark = pytest.mark.browser


def last_proposed_case(live_server) -> tuple[int, int]:
    """(contest id, case id) of the last undecided case on its contest's first page."""
    from compapp.extensions import db
    from compapp.promotion.models import PromotionCase
    from compapp.promotion.queries import contest_cases_query

    with live_server.app.app_context():
        contest_id = db.session.scalar(
            db.select(PromotionCase.contest_id)
            .where(PromotionCase.status == "proposed", PromotionCase.eligible.is_(True))
            .group_by(PromotionCase.contest_id)
            .order_by(db.func.count().desc())
            .limit(1)
        )
        assert contest_id, "the demo has promotion cases awaiting a decision"
        from compapp.contests.models import Contest

        cases = db.session.scalars(
            contest_cases_query(db.session.get(Contest, contest_id), True).limit(50)
        ).all()
        proposed = [c.id for c in cases if c.status == "proposed"]
        db.session.remove()
    return contest_id, proposed[-1]


def test_rejecting_without_a_note_shows_the_error_beside_the_row_in_view(browser, live_server):
    contest_id, case_id = last_proposed_case(live_server)
    page = signed_in_page(browser, live_server, "admin", PHONE)
    try:
        page.goto(f"/promotion/contests/{contest_id}")
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height > 2 * PHONE["height"], "a page long enough to lose a message at its top"
        row = page.locator(f"#case-{case_id}")
        row.get_by_role("button", name="不予晋升").click()
        error = page.locator(f"#case-{case_id}-error")
        expect(error).to_contain_text("理由")
        expect(error).to_be_in_viewport()
        assert page.evaluate("document.activeElement.id") == f"case-{case_id}-error"
        note = page.locator(f"#note-{case_id}")
        expect(note).to_have_attribute("aria-invalid", "true")
        expect(note).to_have_attribute("aria-describedby", f"case-{case_id}-error")
        # Nothing was decided: the case still waits, and the message is not shown twice
        # beside another row.
        expect(page.locator("p.error.focus-on-load")).to_have_count(1)
        expect(row.get_by_role("button", name="不予晋升")).to_be_visible()
    finally:
        page.context.close()
