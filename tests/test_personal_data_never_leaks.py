"""Bank and ID data never appear in public pages, logs or other payers' exports (issue 18).

Only the paying level's officer reads full numbers, on the payment roster; everything else
shows them masked or not at all.
"""

from __future__ import annotations

import logging
import subprocess

from compapp.audit.models import AuditEntry
from compapp.contests.models import Coach, Competitor
from compapp.payees.models import BankAccount
from tests.finance.finance_helpers import WORLDSKILLS, confirm_budget
from tests.helpers import contest_named, signed_in


def account_numbers(db) -> list[str]:
    return [a.account_number for a in db.session.scalars(db.select(BankAccount))]


def id_numbers(db) -> list[str]:
    people = [p.id_number for p in db.session.scalars(db.select(Competitor))]
    return people + [c.id_number for c in db.session.scalars(db.select(Coach)) if c.id_number]


def pdf_text(tmp_path, data: bytes) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def xlsx_text(data: bytes) -> str:
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(data))
    return " ".join(
        str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c
    )


def test_numbers_stay_out_of_logs_audit_public_pages_and_other_payers_exports(
    app, db, demo, tmp_path, caplog
):
    caplog.set_level(logging.DEBUG)
    contest = contest_named(db, WORLDSKILLS)
    officer = confirm_budget(app, "finance_dq", contest)
    confirm_budget(app, "finance_yn", contest)
    organiser = signed_in(app, "organiser1")
    person = db.session.scalar(db.select(Competitor).filter_by(name="此里农布"))
    organiser.post(
        f"/payees/competitors/{person.id}",
        data={
            "bank_name": "中国农业银行",
            "branch": "德钦县支行",
            "account_number": "6228480099998888777",
        },
    )
    organiser.post(f"/contests/{contest.id}/award-list/publish")
    roster = officer.get(f"/finance/contests/{contest.id}/roster.xlsx")
    assert "6228480099998888777" in xlsx_text(roster.data).replace(" ", "")  # the officer's own

    secrets = account_numbers(db) + id_numbers(db)
    grouped = [" ".join(a[i : i + 4] for i in range(0, len(a), 4)) for a in account_numbers(db)]
    anonymous = app.test_client()
    other = signed_in(app, "finance_yn")
    readings = {
        "public page": anonymous.get(f"/awards/{contest.id}").get_data(as_text=True),
        "public PDF": pdf_text(tmp_path, anonymous.get(f"/awards/{contest.id}.pdf").data),
        "verify lookup": anonymous.get("/verify").get_data(as_text=True),
        "province budget Excel": xlsx_text(
            other.get(f"/finance/contests/{contest.id}/budget.xlsx").data
        ),
        "province budget PDF": pdf_text(
            tmp_path, other.get(f"/finance/contests/{contest.id}/budget.pdf").data
        ),
        "province budget page": other.get(f"/finance/contests/{contest.id}").get_data(as_text=True),
        "province report": pdf_text(tmp_path, other.get("/finance/years/2024/report.pdf").data),
        "Diqing budget Excel": xlsx_text(
            officer.get(f"/finance/contests/{contest.id}/budget.xlsx").data
        ),
        "Diqing report Excel": xlsx_text(officer.get("/finance/years/2024/report.xlsx").data),
        "internal award list": xlsx_text(
            organiser.get(f"/contests/{contest.id}/award-list.xlsx").data
        ),
        "payee page": organiser.get(f"/contests/{contest.id}/payees").get_data(as_text=True),
        "logs": caplog.text,
    }
    assert other.get(f"/finance/contests/{contest.id}/roster.xlsx?payer=533400").status_code == 403
    for where, text in readings.items():
        for secret in secrets + grouped:
            assert secret not in text, f"{where} shows a full number"
    for entry in db.session.scalars(db.select(AuditEntry)):
        text = f"{entry.summary} {entry.before} {entry.after}"
        for number in account_numbers(db) + grouped:
            assert number not in text, entry.action
