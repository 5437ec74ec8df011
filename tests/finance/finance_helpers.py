"""Shared steps of the finance-office tests: demo data, signing in, confirming, reading sheets."""

from __future__ import annotations

import re
from io import BytesIO

from openpyxl import load_workbook

from tests.helpers import signed_in
from tests.pages import submit

DEMO_PASSWORD = "compapp-demo"
WORLDSKILLS = "第47届世界技能大赛"


def csrf(client, url) -> str:
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def confirm_budget(app, username, contest, funding_source="budget"):
    """The officer confirms the contest's lines their level pays, from the budget page as they
    see it (the form binds the confirmation to the lines shown)."""
    client = signed_in(app, username)
    page = f"/finance/contests/{contest.id}"
    response = submit(
        client, page, f"{page}/confirm", {"funding_source": funding_source, "note": ""}
    )
    assert response.status_code == 302
    assert "本次没有确认" not in client.get(page).get_data(as_text=True)
    return client


def sheet_rows(data: bytes, sheet: str | None = None) -> list[tuple]:
    book = load_workbook(BytesIO(data))
    ws = book[sheet] if sheet else book.active
    return list(ws.iter_rows(values_only=True))


def roster_table(data: bytes) -> tuple[list[str], list[dict]]:
    """The roster's header and its payee rows (up to the total row) as dicts."""
    rows = sheet_rows(data)
    header = list(rows[1])
    body = []
    for row in rows[2:]:
        if row[0] == "合计":
            break
        body.append(dict(zip(header, row, strict=False)))
    return header, body
