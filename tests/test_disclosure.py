"""Public disclosure of a contest's award list (issue 18, point 6; 003_…txt:2401 公开): masked
names, no ID or bank data; publication and withdrawal audited; an internal list with full names."""

from __future__ import annotations

import subprocess

import pytest

from compapp.audit.models import AuditEntry
from compapp.contests.models import Competitor
from compapp.payees.models import BankAccount
from tests.finance.finance_helpers import WORLDSKILLS, sheet_rows
from tests.helpers import contest_named, signed_in


@pytest.fixture
def published(app, db, demo):
    contest = contest_named(db, WORLDSKILLS)
    client = signed_in(app, "organiser1")
    response = client.post(f"/contests/{contest.id}/award-list/publish")
    assert response.status_code == 302
    return contest, client


def secrets(db) -> list[str]:
    """Every ID number and account number in the database."""
    numbers = [p.id_number for p in db.session.scalars(db.select(Competitor))]
    accounts = [a.account_number for a in db.session.scalars(db.select(BankAccount))]
    return numbers + accounts + [a[-8:] for a in accounts]


def test_the_public_award_list_masks_names_and_holds_no_id_or_bank_data(app, db, published):
    contest, _client = published
    anonymous = app.test_client()
    page = anonymous.get(f"/awards/{contest.id}").get_data(as_text=True)
    assert "此***" in page
    assert "此里农布" not in page and "和建华" not in page
    for secret in secrets(db):
        assert secret not in page
    index = anonymous.get("/awards/").get_data(as_text=True)
    assert contest.name in index


def test_the_public_pdf_renders_masked_names_only(tmp_path, app, db, published):
    contest, _client = published
    response = app.test_client().get(f"/awards/{contest.id}.pdf")
    assert response.status_code == 200
    (tmp_path / "list.pdf").write_bytes(response.data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "list.pdf"), "-"], capture_output=True, text=True
    ).stdout
    assert "获奖名单" in text and "此***" in text and "此里农布" not in text
    for secret in secrets(db):
        assert secret not in text


def test_withdrawal_needs_a_reason_takes_the_page_down_and_both_are_audited(app, db, published):
    contest, client = published
    client.post(f"/contests/{contest.id}/award-list/withdraw", data={"reason": ""})
    assert app.test_client().get(f"/awards/{contest.id}").status_code == 200
    client.post(
        f"/contests/{contest.id}/award-list/withdraw", data={"reason": "名单有误，核对后重新公开"}
    )
    assert app.test_client().get(f"/awards/{contest.id}").status_code == 404
    actions = [a.action for a in db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id))]
    assert "publish_award_list" in actions and "withdraw_award_list" in actions


def test_the_internal_award_list_has_full_names_but_no_id_or_bank_data(app, db, published):
    contest, client = published
    response = client.get(f"/contests/{contest.id}/award-list.xlsx")
    rows = sheet_rows(response.data)
    names = {row[3] for row in rows[2:]}
    assert "此里农布" in names and "和建华、木文军" in names
    flat = " ".join(str(c) for row in rows for c in row if c is not None)
    for secret in secrets(db):
        assert secret not in flat
    assert (
        signed_in(app, "finance_dq").get(f"/contests/{contest.id}/award-list.xlsx").status_code
        == 403
    )


@pytest.mark.parametrize("per_page", [1, 2, 3, 7, 50])
def test_the_preview_read_a_page_at_a_time_is_the_list_that_would_be_published(
    app, db, demo, per_page
):
    """The preview reads a page of rows, their count and the totals in SQL (a 10,000-entry
    contest loads only the page's entries); page after page it is the published list."""
    from flask_babel import refresh

    from compapp.contests.models import Contest
    from compapp.disclosure import services

    listed = 0
    for contest in db.session.scalars(db.select(Contest)).all():
        with app.test_request_context("/"):
            refresh()
            whole = services.public_content(contest)
            head, first = services.preview_page(contest, 1, per_page)
            rows, total = list(first.items), first.total
            for page in range(2, -(-total // per_page) + 1):
                rows += services.preview_page(contest, page, per_page)[1].items
        assert total == len(whole["rows"]), contest.name
        listed += total
        assert rows == whole["rows"], contest.name
        assert head["totals"] == whole["totals"], contest.name
        assert {k: v for k, v in head.items() if k not in ("rows", "totals")} == {
            k: v for k, v in whole.items() if k not in ("rows", "totals")
        }
    assert listed > 20  # the demo's contests list competitors and coaching teams
