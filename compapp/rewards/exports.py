"""Excel export of a contest's award lines and payer totals, written as a stream (openpyxl
write-only mode through compapp.core.xlsx): memory stays flat at any number of lines, and
the function writes to any binary stream, so a request or a background job can call it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import BinaryIO

from compapp.core.messages import N_, as_written
from compapp.core.xlsx import append_row, new_workbook, save_workbook, write_table

LINE_HEADERS = [
    N_("赛项"),
    N_("领取对象"),
    N_("姓名/教练团队"),
    N_("选派单位"),
    N_("成绩"),
    N_("承担层级"),
    N_("承担单位"),
    N_("金额（元）"),
    N_("依据"),
    N_("计算说明"),
    N_("状态"),
]
TOTAL_HEADERS = [
    N_("承担层级"),
    N_("承担单位"),
    N_("选手奖励（元）"),
    N_("教练团队奖励（元）"),
    N_("合计（元）"),
    N_("明细条数"),
]


def write_awards_workbook(  # noqa: PLR0913 - the export's parts, and its language
    out: BinaryIO,
    contest_name: str,
    status_text: str,
    line_rows: Iterable[list],
    total_rows: list[list],
    grand_total,
    notices: list[str],
    say: Callable[..., str] = as_written,
) -> int:
    """Write the contest's award workbook to ``out``: every line, totals per payer, then
    notes; return how many lines were written.

    :param line_rows: [event, payee, name, county, result, payer level, payer, amount (Decimal),
        citation (as compapp.citing.services makes it), explanation, status], consumed once
        (a generator keeps memory flat)
    :param total_rows: [payer level, payer, competitor amount, team amount, total, lines]
    :param notices: the distinct notices of the lines' computations (POLICY.md §4.5, §5.4)
    :param say: the catalog in the asker's language (flask_babel's gettext); the rows and
        notices come already in that language
    """
    _ = say  # the catalog's keyword, so the sentences below are extracted
    wb = new_workbook()
    summed = {"amount": Decimal("0.00")}

    def counted(rows):
        for row in rows:
            summed["amount"] += row[7]
            yield row

    written = write_table(
        wb.create_sheet(_("奖励明细")),
        [_(h) for h in LINE_HEADERS],
        counted(line_rows),
        {8},
        lambda: [_("合计"), "", "", "", "", "", "", summed["amount"], "", "", status_text],
        widths={1: 18, 3: 22, 4: 26, 7: 18, 8: 14, 9: 40, 10: 60},
    )
    write_table(
        wb.create_sheet(_("按承担单位汇总")),
        [_(h) for h in TOTAL_HEADERS],
        total_rows,
        {3, 4, 5},
        [
            _("合计"),
            "",
            sum((r[2] for r in total_rows), 0),
            sum((r[3] for r in total_rows), 0),
            grand_total,
            sum(r[5] for r in total_rows),
        ],
        widths={2: 24, 3: 16, 4: 18, 5: 16},
    )
    info = wb.create_sheet(_("说明"))
    info.column_dimensions["B"].width = 80
    append_row(info, [_("赛事"), contest_name])
    append_row(info, [_("状态"), status_text])
    append_row(
        info,
        [
            _("说明"),
            _("金额按政策文件逐条计算，每行保留两位小数（四舍五入到分），合计为各行之和。"),
        ],
    )
    for notice in notices:
        append_row(info, [_("提示"), notice])
    append_row(
        info,
        [_("读法"), _("compapp 对政策中不明确之处的读法见“政策读法”页面（/readings）。")],
    )
    save_workbook(wb, out)
    return written
