"""The notices stored with a computation show wherever its award is shown (POLICY.md §4.5, §5.4).

A 红塔区 (玉溪市, 530402) competitor's national gold: the province pays ¥200,000 and Yuxi's own
amounts are not configured, which every page and export of the award must say.
"""

import subprocess
from io import BytesIO

import pytest
from openpyxl import load_workbook

from compapp.contests import services as contest_services
from tests.helpers import PASSWORD, id_number_for

YUXI_NOTICE = "未配置玉溪市的奖励金额"
DATE_NOTICE = "是假定的"


@pytest.fixture
def yuxi_gold(db, dummy_contest, create_event):
    """A 红塔区 competitor's national gold, with a one-person coaching team."""
    event = create_event(dummy_contest, "精细木工", "individual", "medals")
    data = contest_services.EntryData(
        sending_county="530402",
        members=[contest_services.MemberData(id_number_for("530402"), "张玉兰")],
        coaches=[contest_services.CoachData("李志强", "coach", 100)],
        rank=1,
        result="gold",
    )
    assert not contest_services.check_entry(event, data)
    entry = contest_services.save_entry(event, data, None, event.version)
    db.session.commit()
    return entry


def signed_in(app, username):
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def notices_in(page: str) -> list[str]:
    return [part.split("</div>", 1)[0] for part in page.split('class="notice award-notice">')[1:]]


def test_the_yuxi_notice_is_stored_with_the_computation(db, yuxi_gold):
    from compapp.rewards.services import live_lines

    lines = live_lines(yuxi_gold)
    assert {line.payer_code for line in lines} == {"530000"}
    assert any(YUXI_NOTICE in n for n in lines[0].computation.basis.notices)


def test_payer_page_shows_the_notices_once(app, dummy_organiser, yuxi_gold):
    client = signed_in(app, "organiser")
    contest_id = yuxi_gold.event.contest_id
    page = client.get(f"/contests/{contest_id}/awards/payers/530000").get_data(as_text=True)
    shown = notices_in(page)
    assert sum(YUXI_NOTICE in n for n in shown) == 1  # two lines, one distinct notice
    assert any(DATE_NOTICE in n for n in shown)


def test_awards_export_lists_the_notices(app, dummy_organiser, yuxi_gold):
    client = signed_in(app, "organiser")
    response = client.get(f"/contests/{yuxi_gold.event.contest_id}/awards.xlsx")
    book = load_workbook(BytesIO(response.data))
    notes = [row[1] for row in book["说明"].iter_rows(values_only=True) if row[0] == "提示"]
    assert sum(YUXI_NOTICE in n for n in notes) == 1


def test_finance_budget_page_and_exports_show_the_notices(app, create_user, yuxi_gold, tmp_path):
    create_user("finance_yn", "finance", jurisdiction_code="530000")
    client = signed_in(app, "finance_yn")
    contest_id = yuxi_gold.event.contest_id
    page = client.get(f"/finance/contests/{contest_id}").get_data(as_text=True)
    assert sum(YUXI_NOTICE in n for n in notices_in(page)) == 1
    year = client.get(f"/finance/years/{yuxi_gold.event.contest.award_on.year}")
    assert sum(YUXI_NOTICE in n for n in notices_in(year.get_data(as_text=True))) == 1

    book = load_workbook(BytesIO(client.get(f"/finance/contests/{contest_id}/budget.xlsx").data))
    notes = [row[1] for row in book["说明"].iter_rows(values_only=True) if row[0] == "提示"]
    assert sum(YUXI_NOTICE in n for n in notes) == 1

    path = tmp_path / "budget.pdf"
    path.write_bytes(client.get(f"/finance/contests/{contest_id}/budget.pdf").data)
    text = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert YUXI_NOTICE in text


def test_winner_and_coach_pages_show_the_notices(app, db, create_user, yuxi_gold):
    create_user("winner_yx", "winner", competitor_id=yuxi_gold.members[0].competitor_id)
    create_user("coach_yx", "coach", coach_id=yuxi_gold.coaches[0].coach_id)
    winner = signed_in(app, "winner_yx").get("/my/results").get_data(as_text=True)
    assert sum(YUXI_NOTICE in n for n in notices_in(winner)) == 1
    coach = signed_in(app, "coach_yx").get("/my/team").get_data(as_text=True)
    assert sum(YUXI_NOTICE in n for n in notices_in(coach)) == 1
