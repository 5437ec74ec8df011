"""Every page of the finance office's work opens for the people it is for, in both languages."""

from __future__ import annotations

import pytest

from tests.finance.finance_helpers import WORLDSKILLS
from tests.helpers import contest_named, signed_in


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_new_pages_open_for_their_users(app, db, demo, lang):
    contest = contest_named(db, WORLDSKILLS)
    placement = contest.events[0].entries[0].placement
    pages = {
        "organiser1": [
            "/contests/review/bulk",
            f"/contests/review/bulk?contest={contest.id}&event={contest.events[0].id}",
            "/revocations/",
            f"/revocations/placements/{placement.id}/new",
            f"/contests/{contest.id}/award-list",
            f"/contests/{contest.id}/payees",
            f"/promotion/contests/{contest.id}/bulk",
            f"/contests/{contest.id}/results",
        ],
        "finance_dq": [
            "/finance/recoveries",
            "/finance/reconciliation",
            "/finance/years/2024/report",
            f"/finance/contests/{contest.id}",
        ],
        "coach1": ["/my/bank"],
        "winner1": ["/my/bank"],
    }
    for username, urls in pages.items():
        client = signed_in(app, username)
        for url in urls:
            joiner = "&" if "?" in url else "?"
            response = client.get(f"{url}{joiner}lang={lang}")
            assert response.status_code == 200, (username, url, response.status_code)
    assert app.test_client().get(f"/awards/?lang={lang}").status_code == 200
