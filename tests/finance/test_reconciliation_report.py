"""Reconciliation per payer and period (issue 18, point 4) and the annual execution report
(point 5); 003_…txt:2455-2475 (ledgers, reconciliation, audit)."""

from __future__ import annotations

import subprocess
from io import BytesIO

import pytest
from openpyxl import load_workbook

from compapp.audit.models import AuditEntry
from compapp.finance.models import Reconciliation
from tests.finance.finance_helpers import WORLDSKILLS, confirm_budget
from tests.finance.test_roster import dq_lines
from tests.helpers import contest_named, signed_in
from tests.pages import submit


@pytest.fixture
def confirmed(app, db, demo):
    contest = contest_named(db, WORLDSKILLS)
    return contest, confirm_budget(app, "finance_dq", contest, "special_fund")


def pay_all(client, db, contest):
    lines = dq_lines(db, contest)
    page = f"/finance/contests/{contest.id}"
    payment = {
        "line_ids": [line.id for line in lines],
        "payment_reference": "DQ-9",
        "paid_on": "2024-12-01",
    }
    submit(client, page, f"{page}/paid", payment)  # as on the budget page
    return lines


def test_the_ledger_shows_confirmed_paid_and_zero_outstanding_once_everything_is_paid(
    db, confirmed
):
    contest, client = confirmed
    page = client.get("/finance/reconciliation?year=2024").get_data(as_text=True)
    total = sum(line.amount_fen for line in dq_lines(db, contest))
    assert "职业技能提升行动专账" in page
    assert f'id="ledger-outstanding"><strong>¥{total / 100:,.2f}' in page
    pay_all(client, db, contest)
    page = client.get("/finance/reconciliation?year=2024").get_data(as_text=True)
    assert 'id="ledger-outstanding"><strong>¥0.00' in page
    assert f'id="ledger-paid">¥{total / 100:,.2f}' in page


def test_the_officer_records_a_reconciliation_and_a_difference_needs_an_explanation(db, confirmed):
    contest, client = confirmed
    lines = pay_all(client, db, contest)
    total = sum(line.amount_fen for line in lines)
    refused = client.post("/finance/reconciliation?year=2024", data={"ledger_paid": "1.00"})
    assert refused.status_code == 422
    assert "请说明差额原因" in refused.get_data(as_text=True)
    assert db.session.scalar(db.select(Reconciliation)) is None
    response = client.post(
        "/finance/reconciliation?year=2024", data={"ledger_paid": f"{total / 100:.2f}"}
    )
    assert response.status_code == 302
    record = db.session.scalar(db.select(Reconciliation))
    assert record.paid_fen == total and record.outstanding_fen == 0 and record.difference_fen == 0
    assert record.reconciled_by.username == "finance_dq"
    assert db.session.scalar(db.select(AuditEntry).filter_by(action="record_reconciliation"))


def test_only_the_payers_officer_records_its_reconciliation(app, db, confirmed):
    assert (
        signed_in(app, "admin")
        .post("/finance/reconciliation?year=2024&payer=533400", data={"ledger_paid": "0"})
        .status_code
        == 403
    )


def test_the_annual_report_pdf_renders_its_charts_and_its_tables_add_up(tmp_path, db, confirmed):
    contest, client = confirmed
    lines = pay_all(client, db, contest)
    total = sum(line.amount_fen for line in lines)
    response = client.get("/finance/years/2024/report.pdf")
    assert response.status_code == 200
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "奖励资金执行情况" in text and "按月份" in text and "按政策依据" in text
    assert f"{total / 100:,.2f}" in text
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")],
        check=True,
    )
    assert (tmp_path / "p-1.png").stat().st_size > 5000
    book = load_workbook(BytesIO(client.get("/finance/years/2024/report.xlsx").data))
    assert book["按月份"]._charts and book["按赛事类别"]._charts
    contest_rows = list(book["按赛事"].iter_rows(min_row=3, values_only=True))
    assert contest_rows[-1][0] == "合计" and round(float(contest_rows[-1][2]) * 100) == total


def test_the_annual_report_files_read_in_one_language_the_language_of_the_page(
    app, tmp_path, db, confirmed
):
    """Exports take the language of the page that asked (issue 19 §7), one language inside:
    asked from the English page, categories and months read in English among English
    headings; asked from the Chinese page, 世界技能大赛 and 9月 among Chinese ones."""
    contest, client = confirmed

    def asked(path: str, lang: str):
        # A context of its own, as each real request has (the test's context would keep the
        # language its first request chose).
        with app.app_context():
            return client.get(f"{path}?lang={lang}")

    page = asked("/finance/years/2024/report", "en").get_data(as_text=True)
    assert "WorldSkills" in page and "Sep" in page and "9月" not in page
    for lang, present, absent in (
        # (世界技能大赛 may stay inside a contest's own name, a proper name.)
        ("en", ("WorldSkills", "Sep", "By category"), ("9月", "按赛事类别", "合计")),
        ("zh", ("世界技能大赛", "9月", "按赛事类别"), ("WorldSkills", "Sep", "By category")),
    ):
        pdf = tmp_path / f"report-{lang}.pdf"
        pdf.write_bytes(asked("/finance/years/2024/report.pdf", lang).data)
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert all(p in text for p in present) and not any(a in text for a in absent), lang
        book = load_workbook(BytesIO(asked("/finance/years/2024/report.xlsx", lang).data))
        sheet = book["By category" if lang == "en" else "按赛事类别"]
        cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c]
        assert any(present[0] in str(c) for c in cells), lang
        assert not any(a in str(c) for c in cells for a in absent[1:]), lang


def test_the_annual_report_page_draws_paid_and_unpaid_money_as_charts(db, confirmed):
    contest, client = confirmed
    html = client.get("/finance/years/2024/report").get_data(as_text=True)
    for key in ("report-by-month", "report-by-category", "report-by-prefecture"):
        figure = html.split(f'id="chart-{key}"', 1)[1].split("</figure>", 1)[0]
        assert "<svg" in figure and "<rect" in figure and "¥240,000" in figure
    assert "本年度没有已确认的明细" not in html
    empty = client.get("/finance/years/2019/report").get_data(as_text=True)
    assert "<svg" not in empty and "本年度没有已确认的明细" in empty
