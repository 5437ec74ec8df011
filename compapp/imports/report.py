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

from compapp.core.xlsx import append_row, styled_cell
from compapp.imports.reading import CellProblem, Table

PROBLEM_FILL = PatternFill("solid", fgColor="FF9999")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def build_report(
    table: Table | None, problems: list[CellProblem], translate: Callable[[str], str] = lambda s: s
) -> bytes:
    """Return a workbook: sheet 问题清单 (sheet, row, column, value, message) and the data
    sheet as uploaded, rows at their original numbers, problem cells filled red with a note.

    Written row by row (openpyxl's write-only mode): 20,000 rows cost little memory.
    """
    book = Workbook(write_only=True)
    listing = book.create_sheet("问题清单")
    for width, letter in zip((12, 8, 18, 28, 90), "ABCDE", strict=True):
        listing.column_dimensions[letter].width = width
    append_row(listing, [_header(listing, h) for h in ("工作表", "行", "列", "值", "问题")])
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
        _data_sheet(book, table, problems, translate)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _header(ws, text: str):
    cell = styled_cell(ws, text)
    cell.font, cell.fill = Font(bold=True), HEADER_FILL
    return cell


def _data_sheet(book, table: Table, problems: list[CellProblem], translate) -> None:
    data = book.create_sheet(table.sheet if table.sheet != "问题清单" else "数据")
    data.freeze_panes = "A2"
    columns = {header: index for index, header in enumerate(table.headers)}
    notes: dict[tuple[int, int], list[str]] = defaultdict(list)
    for problem in problems:
        if problem.row is not None and problem.column in columns:
            notes[(problem.row, columns[problem.column])].append(problem.text(translate))
    rows = sorted(table.rows, key=lambda item: item[0])
    header_row = max(min((n for n, _r in rows), default=2) - 1, 1)
    for _ in range(header_row - 1):
        data.append([])
    append_row(data, [_header(data, h) for h in table.headers])
    written = header_row
    for number, row in rows:
        if number <= written:  # a row number given twice: keep the first
            continue
        for _ in range(number - written - 1):
            data.append([])
        cells = []
        for header, index in columns.items():
            # Text, so an ID number stays 18 characters when the report is opened.
            cell = styled_cell(data, row.get(header, "") or None)
            cell.number_format = "@"
            messages = notes.get((number, index))
            if messages:
                cell.fill = PROBLEM_FILL
                cell.comment = Comment("\n".join(messages), "compapp", width=300, height=120)
            cells.append(cell)
        append_row(data, cells)
        written = number
