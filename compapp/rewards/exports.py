"""Excel exports of award lines and payer totals (openpyxl; returns bytes)."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook

from compapp.core.xlsx import append_row, write_table


def awards_workbook(
    contest_name: str,
    status_text: str,
    line_rows: list[list],
    total_rows: list[list],
    grand_total,
    notices: list[str],
) -> bytes:
    """Build the contest's award workbook: every line, totals per payer, then notes.

    :param line_rows: [event, payee, name, county, result, payer level, payer, amount (Decimal),
        policy, clause, explanation, status]
    :param total_rows: [payer level, payer, competitor amount, team amount, total, lines]
    :param notices: the distinct notices of the lines' computations (POLICY.md §4.5, §5.4)
    """
    wb = Workbook()
    wb.active.title = "奖励明细"
    write_table(
        wb.active,
        [
            "赛项",
            "领取对象",
            "姓名/教练团队",
            "选派单位",
            "成绩",
            "承担层级",
            "承担单位",
            "金额（元）",
            "政策",
            "条款",
            "计算说明",
            "状态",
        ],
        line_rows,
        {8},
        [
            "合计",
            "",
            "",
            "",
            "",
            "",
            "",
            sum((r[7] for r in line_rows), 0),
            "",
            "",
            "",
            status_text,
        ],
        widths={1: 18, 3: 22, 4: 26, 7: 18, 8: 14, 11: 60},
    )
    write_table(
        wb.create_sheet("按承担单位汇总"),
        ["承担层级", "承担单位", "选手奖励（元）", "教练团队奖励（元）", "合计（元）", "明细条数"],
        total_rows,
        {3, 4, 5},
        [
            "合计",
            "",
            sum((r[2] for r in total_rows), 0),
            sum((r[3] for r in total_rows), 0),
            grand_total,
            sum(r[5] for r in total_rows),
        ],
        widths={2: 24, 3: 16, 4: 18, 5: 16},
    )
    info = wb.create_sheet("说明")
    append_row(info, ["赛事", contest_name])
    append_row(info, ["状态", status_text])
    append_row(
        info, ["说明", "金额按政策文件逐条计算，每行保留两位小数（四舍五入到分），合计为各行之和。"]
    )
    for notice in notices:
        append_row(info, ["提示", notice])
    info.column_dimensions["B"].width = 80
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
