"""Names typed by anyone stay plain text in the finance office's files (issue 18 with the
shared escaping of issue 15): the payment roster, the annual report and the award list, in
Excel and PDF. Payee, contest and event names are user text."""

from __future__ import annotations

import pytest

from compapp.disclosure.exports import award_list_pdf, award_list_workbook
from compapp.finance.report_exports import Report, ReportRow, report_pdf, report_workbook
from compapp.finance.roster_exports import Roster, RosterRow, roster_pdf, roster_workbook
from tests.security.test_hostile_exports import (
    HOSTILE_NAMES,
    assert_safe_pdf,
    assert_safe_workbook,
)


def roster_of(name: str) -> Roster:
    roster = Roster("迪庆藏族自治州", name)
    roster.rows = [
        RosterRow(
            contest=name,
            event=name,
            result="第 1 名 金牌",
            name=name,
            role="选手",
            id_number="533422199803120012",
            bank_name=name,
            branch=name,
            account_number="6228482199803120012",
            amount_fen=12_000_000,
            clauses=["迪庆方案（未印文号）四（四）2.(6)"],
            line_ids=[7],
            paid=False,
            note=name,
        ),
        RosterRow(
            contest="第47届世界技能大赛",
            event="砌筑",
            result="第 1 名 金牌",
            name="木文军",
            role="翻译",
            id_number="533423197511300238",
            bank_name="中国农业银行",
            branch="迪庆分行营业部",
            account_number="6228483197511300238",
            amount_fen=4_800_000,
            clauses=["迪庆方案（未印文号）四（四）2.(6)"],
            line_ids=[8],
            paid=True,
        ),
    ]
    return roster


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_the_payment_roster_keeps_a_hostile_name_as_plain_text(name):
    roster = roster_of(name)
    assert_safe_workbook(roster_workbook(roster), name)
    assert_safe_pdf(roster_pdf(roster), name)


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_the_annual_report_keeps_a_hostile_contest_name_as_plain_text(name):
    report = Report("迪庆藏族自治州", 2024)
    row = ReportRow(name, 24_000_000, 0, 1)
    report.by_contest = report.by_category = report.by_prefecture = [row]
    report.by_county = report.by_clause = [row]
    report.by_month = [ReportRow(f"{m}月", 0, 0, 0) for m in range(1, 13)]
    assert_safe_workbook(report_workbook(report), name)
    assert_safe_pdf(report_pdf(report), name)


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_the_award_list_keeps_a_hostile_name_as_plain_text(name):
    row = {
        "event": name,
        "format": "单人赛项",
        "result": "第 1 名 金牌",
        "name": name,
        "kind": "选手",
        "county": "德钦县",
        "province_fen": 60_000_000,
        "prefecture_fen": 12_000_000,
        "county_fen": 18_000_000,
        "total_fen": 90_000_000,
    }
    totals = {k: row[k] for k in ("province_fen", "prefecture_fen", "county_fen", "total_fen")}
    content = {
        "rows": [row],
        "totals": totals,
        "category": "世界技能大赛",
        "award_on": "2024-09-15",
        "organiser": name,
    }
    assert_safe_workbook(award_list_workbook(content, name), name)
    assert_safe_pdf(award_list_pdf(content, name, name), name)


@pytest.mark.parametrize("make", ["dimension_bomb", "xml_bomb", "billion_laughs", "far_cell"])
def test_a_hostile_payment_sheet_is_refused_with_a_sentence_and_pays_nothing(make):
    """The payment sheet is read as every upload is (bounded, never trusted)."""
    from datetime import date

    from compapp.finance.payment_sheet import read_payment_sheet
    from tests.security import hostile

    sheet = read_payment_sheet(getattr(hostile, make)(), date(2025, 6, 30))
    assert sheet.rows == [] and sheet.problems
    row, message, params = sheet.problems[0]
    assert row is None and message and (message % params if params else message)


def test_a_payment_sheet_saved_again_with_its_line_numbers_as_numbers_still_reads():
    from datetime import date
    from io import BytesIO

    from openpyxl import Workbook

    from compapp.finance.payment_sheet import read_payment_sheet

    book = Workbook()
    ws = book.active
    ws.title = "发放花名册"
    ws.append(["迪庆藏族自治州 职业技能竞赛奖励资金发放花名册"])
    ws.append(["序号", "姓名", "支付凭证号", "支付日期", "明细编号（勿改）"])
    ws.append([1, "此里农布", "DQ-1", "2025-06-30", 12])  # Excel kept "12" as a number
    ws.append([2, "和建华", "DQ-2", None, 13.0])
    ws.append(["合计", "2 人"])
    out = BytesIO()
    book.save(out)
    sheet = read_payment_sheet(out.getvalue(), date(2025, 7, 1))
    assert sheet.problems == []
    assert [(r.line_ids, r.voucher, r.paid_on.isoformat()) for r in sheet.rows] == [
        ([12], "DQ-1", "2025-06-30"),
        ([13], "DQ-2", "2025-07-01"),
    ]
