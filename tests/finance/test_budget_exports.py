"""Budget exports are written as the rows stream in: every row lands, in order, across pages."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import date
from decimal import Decimal

import openpyxl

from compapp.finance.exports import BudgetRow, BudgetSheet, write_budget_pdf, write_budget_workbook

ROWS = 700


def rows():
    """A generator (consumed once, as the database stream is): long payee texts wrap."""
    for i in range(1, ROWS + 1):
        yield BudgetRow(
            contest="第二届全省职业技能大赛",
            event=f"工种{i // 100 + 1}",
            payee=f"选手 测试{i:04d}" if i % 3 else f"教练团队（教练甲{i}、教练乙{i}、教练丙{i}）",
            county="德钦县",
            result=f"第 {i} 名 铜牌",
            amount=Decimal("10000.00"),
            kind="奖励",
            status="暂定（成绩待复核）",
            clause="yn-2021-28 (5)",
        )


def sheet() -> BudgetSheet:
    return BudgetSheet(
        "云南省",
        "2025 年度",
        rows(),
        Decimal("7000000.00"),
        [("暂定（成绩待复核）", Decimal("7000000.00"))],
        ["yn-2021-28 (5)：云政发〔2021〕28号"],
        date(2026, 12, 1),
        [],
        [],
    )


def test_budget_pdf_lays_out_every_streamed_row_page_by_page(tmp_path):
    """700 rows: many pages, each with the header, every row once and in order, then the
    total and signatures after the last row."""
    path = tmp_path / "budget.pdf"
    with path.open("wb") as out:
        write_budget_pdf(out, sheet())
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")
    assert len([p for p in pages if p.strip()]) > 10
    assert all("领取对象" in p for p in pages if "测试" in p)  # the header on every page
    seen = [int(n) for n in re.findall(r"第 (\d+) 名", text)]
    assert seen == list(range(1, ROWS + 1))
    assert text.index("第 700 名") < text.index("合计金额：¥7,000,000.00") < text.index("经办人")


def test_budget_workbook_streams_every_row_with_a_total(tmp_path):
    out = io.BytesIO()
    assert write_budget_workbook(out, sheet()) == ROWS
    book = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    lines = book["预算明细"]
    assert lines.freeze_panes == "A3"
    values = [[c.value for c in row] for row in lines.iter_rows()]
    assert values[1][:3] == ["赛事", "赛项", "领取对象"]
    assert [v[4] for v in values[2 : 2 + ROWS]] == [f"第 {i} 名 铜牌" for i in range(1, ROWS + 1)]
    total = values[2 + ROWS]
    assert total[0] == "合计" and total[6] == 7000000
    assert lines.cell(row=3 + ROWS, column=7).number_format == "#,##0.00"
    assert lines.cell(row=3 + ROWS, column=1).font.b
