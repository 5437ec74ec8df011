"""The problem report of a dry run as .xlsx: every problem listed, problem cells marked.

Pure: takes the parsed table and its problems, returns bytes.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Callable

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from compapp.core.xlsx import append_row, put
from compapp.imports.reading import CellProblem, Table

PROBLEM_FILL = PatternFill("solid", fgColor="FF9999")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def build_report(
    table: Table | None, problems: list[CellProblem], translate: Callable[[str], str] = lambda s: s
) -> bytes:
    """Return a workbook: sheet 问题清单 (sheet, row, column, value, message) and the data
    sheet as uploaded, rows at their original numbers, problem cells filled red with a note."""
    book = Workbook()
    listing = book.active
    listing.title = "问题清单"
    append_row(listing, ["工作表", "行", "列", "值", "问题"])
    for cell in listing[1]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    for width, letter in zip((12, 8, 18, 28, 90), "ABCDE", strict=True):
        listing.column_dimensions[letter].width = width
    for problem in problems:
        append_row(
            listing,
            [
                problem.sheet,
                problem.row,
                problem.column or "",
                problem.value,
                problem.text(translate),
            ],
        )
    if table is not None and table.headers:
        data = book.create_sheet(table.sheet if table.sheet != "问题清单" else "数据")
        header_row = min((n for n, _r in table.rows), default=2) - 1
        columns = {header: index for index, header in enumerate(table.headers, start=1)}
        for header, index in columns.items():
            cell = put(data, max(header_row, 1), index, header)
            cell.font, cell.fill = Font(bold=True), HEADER_FILL
        for number, row in table.rows:
            for header, index in columns.items():
                # Text, so an ID number stays 18 characters when the report is opened.
                cell = put(data, number, index, row.get(header, "") or None)
                cell.number_format = "@"
        notes: dict[tuple[int, int], list[str]] = defaultdict(list)
        for problem in problems:
            if problem.row is not None and problem.column in columns:
                notes[(problem.row, columns[problem.column])].append(problem.text(translate))
        for (row, column), messages in notes.items():
            cell = data.cell(row=row, column=column)
            cell.fill = PROBLEM_FILL
            cell.comment = Comment("\n".join(messages), "compapp", width=300, height=120)
        data.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
