"""The payment roster (发放花名册, issue 18 point 2) and payment sheets (point 3).

Runs on the demo data: 第47届世界技能大赛, 此里农布 (德钦县) gold, coaching team 和建华 60% /
木文军 40%; 迪庆州 pays 20% of the provincial standard (POLICY.md §4.3, 000_…txt:91 (6)).
"""

from __future__ import annotations

import subprocess
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from compapp.audit.models import AuditEntry
from compapp.rewards.models import AwardLineRecord
from tests.finance.finance_helpers import WORLDSKILLS, confirm_budget, roster_table
from tests.helpers import contest_named, signed_in


@pytest.fixture
def confirmed(app, db, demo):
    contest = contest_named(db, WORLDSKILLS)
    client = confirm_budget(app, "finance_dq", contest, "provincial_allocation")
    return contest, client


def dq_lines(db, contest):
    from compapp.contests.models import Entry, Event

    return db.session.scalars(
        db.select(AwardLineRecord)
        .join(Entry)
        .join(Event)
        .where(
            Event.contest_id == contest.id,
            AwardLineRecord.payer_code == "533400",
            AwardLineRecord.is_current.is_(True),
        )
    ).all()


def test_the_officer_downloads_a_roster_with_every_payee_bank_data_and_shares_adding_up(
    db, confirmed
):
    """One row per payee; the team award split 60/40 by the recorded shares; the rows add up
    to the confirmed lines to the fen; full numbers only here, and the reading is audited."""
    contest, client = confirmed
    response = client.get(f"/finance/contests/{contest.id}/roster.xlsx")
    assert response.status_code == 200
    header, rows = roster_table(response.data)
    assert header[:4] == ["序号", "姓名", "身份", "身份证号码"] and "领款人签字" in header
    lines = dq_lines(db, contest)
    assert {line.funding_source for line in lines} == {"provincial_allocation"}
    assert sum(Decimal(str(r["金额（元）"])) for r in rows) * 100 == sum(
        line.amount_fen for line in lines
    )
    by_name = {r["姓名"]: r for r in rows}
    assert set(by_name) == {"此里农布", "和建华", "木文军"}
    team = sum(line.amount_fen for line in lines if line.payee == "coaching_team")
    assert Decimal(str(by_name["和建华"]["金额（元）"])) * 100 == team * 60 // 100
    for row in rows:
        assert len(row["身份证号码"]) == 18
        assert row["开户银行"] and row["开户网点"]
        assert row["银行账号"].replace(" ", "").isdigit()
    book = load_workbook(BytesIO(response.data))
    ws = book.active
    assert ws.print_title_rows == "$2:$2"
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
    assert any(
        str(c).startswith("人民币") for row in ws.iter_rows(values_only=True) for c in row if c
    )
    read = db.session.scalar(db.select(AuditEntry).filter_by(action="read_bank_accounts"))
    assert read.username == "finance_dq" and read.after["payees"] == 3


def test_the_roster_pdf_renders_with_its_rows(tmp_path, confirmed):
    contest, client = confirmed
    response = client.get(f"/finance/contests/{contest.id}/roster.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    pdf = tmp_path / "roster.pdf"
    pdf.write_bytes(response.data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "发放花名册" in text and "此里农布" in text and "木文军" in text and "人民币" in text


@pytest.mark.parametrize(
    "username", ["admin", "organiser1", "finance_yn", "finance_deqin", "coach1"]
)
def test_nobody_but_the_paying_levels_officer_downloads_the_roster_of_its_lines(
    app, db, confirmed, username
):
    contest, _client = confirmed
    client = signed_in(app, username)
    response = client.get(f"/finance/contests/{contest.id}/roster.xlsx?payer=533400")
    assert response.status_code == 403


def test_another_payers_roster_holds_only_its_own_confirmed_lines(app, db, confirmed):
    """德钦县 has not confirmed: its roster is empty, nothing of 迪庆州's reaches it."""
    contest, _client = confirmed
    client = signed_in(app, "finance_deqin")
    response = client.get(f"/finance/contests/{contest.id}/roster.xlsx")
    assert response.status_code == 302


def test_a_payment_sheet_with_a_voucher_per_row_marks_the_lines_paid_once(db, confirmed):
    contest, client = confirmed
    data = client.get(f"/finance/contests/{contest.id}/roster.xlsx").data
    book = load_workbook(BytesIO(data))
    ws = book.active
    header = [c.value for c in ws[2]]
    voucher, paid_on = header.index("支付凭证号") + 1, header.index("支付日期") + 1
    for row in range(3, ws.max_row + 1):
        if isinstance(ws.cell(row, 1).value, int):
            ws.cell(row, voucher).value = f"DQ-2025-{row:03d}"
            ws.cell(row, paid_on).value = "2025-06-30"
    out = BytesIO()
    book.save(out)
    response = client.post(
        f"/finance/contests/{contest.id}/payment-sheet",
        data={"sheet": (BytesIO(out.getvalue()), "paid.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    lines = dq_lines(db, contest)
    assert all(line.paid_on is not None for line in lines)
    assert {line.paid_on.isoformat() for line in lines} == {"2025-06-30"}
    team = [line for line in lines if line.payee == "coaching_team"]
    assert all("；" in line.payment_reference for line in team)  # two coaches' vouchers
    again = client.post(
        f"/finance/contests/{contest.id}/payment-sheet",
        data={"sheet": (BytesIO(out.getvalue()), "paid.xlsx")},
        content_type="multipart/form-data",
    )
    assert again.status_code == 302
    paid = db.session.scalars(db.select(AuditEntry).filter_by(action="mark_line_paid")).all()
    assert len(paid) == len(lines)


def test_a_payment_sheet_that_is_not_a_spreadsheet_is_refused_with_a_message(db, confirmed):
    contest, client = confirmed
    response = client.post(
        f"/finance/contests/{contest.id}/payment-sheet",
        data={"sheet": (BytesIO(b"%PDF-1.4 nonsense"), "paid.xlsx")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "请上传从本页下载的发放花名册 Excel（.xlsx）文件。" in response.get_data(as_text=True)
    assert all(line.paid_on is None for line in dq_lines(db, contest_named(db, WORLDSKILLS)))


def test_a_years_roster_pdf_names_each_rows_contest_and_wraps_long_account_numbers(tmp_path):
    """A year's roster spans contests (its rows read alike without the contest's name); a
    30-digit account number stays inside its column."""
    from compapp.finance.roster_exports import Roster, RosterRow, roster_pdf

    def row(contest, name, account):
        return RosterRow(
            contest=contest,
            event="砌筑",
            result="第 1 名 金牌",
            name=name,
            role="选手",
            id_number="533422199803120012",
            bank_name="中国农业银行",
            branch="迪庆分行营业部",
            account_number=account,
            amount_fen=1_000_000,
            clauses=["迪庆方案（未印文号）四（四）2.(6)"],
            line_ids=[1],
            paid=False,
        )

    roster = Roster("迪庆藏族自治州", "2024 年度")
    roster.rows = [
        row("第47届世界技能大赛", "此里农布", "6228482199803120012"),
        row("迪庆州第一届职业技能大赛", "<b>扎西</b>", "1" * 30),
    ]
    pdf = tmp_path / "year.pdf"
    pdf.write_bytes(roster_pdf(roster))
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "赛事 / 赛项 / 成绩" in text
    assert "第47届世界技能大赛" in text and "迪庆州第一届职业技能大赛" in text
    assert "<b>扎西</b>" in text
    # The long number wraps between its groups: no line holds all of it.
    assert "1111 1111 1111 1111 1111 1111 1111 11" not in text
    assert text.count("1111") >= 7


def english_table(data: bytes) -> tuple[list[str], list[dict]]:
    rows = list(load_workbook(BytesIO(data)).active.iter_rows(values_only=True))
    header, body = list(rows[1]), []
    for row in rows[2:]:
        if row[0] == "Total":
            break
        body.append(dict(zip(header, row, strict=False)))
    return header, body


def test_the_roster_follows_the_pages_language_and_its_english_sheet_registers_payments(
    app, db, confirmed
):
    """Issue 19 point 7: on English pages the roster's headings, roles, placings and fixed
    words are English; names stay as recorded. The English sheet, filled in, is read back
    as a payment sheet like the Chinese one."""
    contest, client = confirmed
    with app.app_context():  # a context of its own, as a real request has (its language)
        response = client.get(f"/finance/contests/{contest.id}/roster.xlsx?lang=en")
    assert response.status_code == 200
    header, rows = english_table(response.data)
    assert header[:4] == ["No.", "Name", "Role", "ID card number"]
    assert {"Payment voucher number", "Payment date", "Line numbers (do not edit)"} <= set(header)
    by_name = {r["Name"]: r for r in rows}
    assert set(by_name) == {"此里农布", "和建华", "木文军"}
    assert by_name["此里农布"]["Role"] == "Competitor"
    assert by_name["此里农布"]["Result"].startswith("Rank 1 ")
    assert "Team award 60%" in by_name["和建华"]["Notes"]
    text = " ".join(str(c) for row in load_workbook(BytesIO(response.data)).active.iter_rows(
        values_only=True) for c in row if c)  # fmt: skip
    assert "人民币" not in text and "领款人签字" not in text
    book = load_workbook(BytesIO(response.data))
    ws = book.active
    head = [c.value for c in ws[2]]
    voucher = head.index("Payment voucher number") + 1
    paid_on = head.index("Payment date") + 1
    for row in range(3, ws.max_row + 1):
        if isinstance(ws.cell(row, 1).value, int):
            ws.cell(row, voucher).value = f"DQ-EN-{row:03d}"
            ws.cell(row, paid_on).value = "2025-06-30"
    out = BytesIO()
    book.save(out)
    client.post(
        f"/finance/contests/{contest.id}/payment-sheet",
        data={"sheet": (BytesIO(out.getvalue()), "paid.xlsx")},
        content_type="multipart/form-data",
    )
    assert all(line.paid_on is not None for line in dq_lines(db, contest))


def test_the_english_roster_pdf_has_english_headings(app, tmp_path, confirmed):
    contest, client = confirmed
    with app.app_context():
        response = client.get(f"/finance/contests/{contest.id}/roster.pdf?lang=en")
    assert response.status_code == 200
    pdf = tmp_path / "roster.pdf"
    pdf.write_bytes(response.data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "payment roster" in text and "Bank and branch" in text and "此里农布" in text
    assert "Total amount:" in text and "大写" not in text


def test_a_long_roster_is_made_by_a_background_job_and_its_reading_audited(
    app, db, confirmed, monkeypatch
):
    """Issue 17 point 2: a roster longer than the direct limit is offered as a job; the job
    writes the same sheet (every payee, adding up to the lines), its progress counting the
    payees the file has, and audits the reading of the full numbers under the officer who
    asked."""
    contest, client = confirmed
    monkeypatch.setitem(app.config, "EXPORT_DIRECT_MAX_ROWS", 1)
    url = f"/finance/contests/{contest.id}/roster.xlsx"
    offer = client.get(url)
    assert offer.status_code == 200 and "开始生成" in offer.get_data(as_text=True)
    assert db.session.scalar(db.select(AuditEntry).filter_by(action="read_bank_accounts")) is None
    started = client.post(url)
    assert started.status_code == 302 and "/exports/" in started.headers["Location"]
    status = client.get(started.headers["Location"] + "/status").get_json()
    assert status["state"] == "done", status
    data = client.get(status["download_url"]).data
    _header, rows = roster_table(data)
    assert {r["姓名"] for r in rows} == {"此里农布", "和建华", "木文军"}
    lines = dq_lines(db, contest)
    assert sum(Decimal(str(r["金额（元）"])) for r in rows) * 100 == sum(
        line.amount_fen for line in lines
    )
    # The progress counts the file's rows (one per payee: the team's line pays two coaches).
    assert status["total"] == status["done"] == len(rows) == 3 and len(lines) == 2
    read = db.session.scalar(db.select(AuditEntry).filter_by(action="read_bank_accounts"))
    assert read.username == "finance_dq" and read.after["payees"] == 3
