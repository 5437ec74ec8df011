"""One look for the tables of every Excel export (openpyxl; no Flask, no database)."""

from __future__ import annotations

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

HEADER_FILL = PatternFill("solid", fgColor="EEF2F6")
MONEY = "#,##0.00"


def write_table(
    ws,
    headers: list[str],
    rows: list[list],
    money_cols: set[int],
    total_row: list | None = None,
    widths: dict[int, int] | None = None,
    caption: str | None = None,
) -> None:
    """Write a table into an empty sheet: an optional bold caption row, a shaded bold header,
    the rows and a bold total row; money columns as #,##0.00; the header stays in view.

    :param widths: column width by 1-based index; other columns are sized by their header
    """
    header_row = 1
    if caption is not None:
        ws.append([caption])
        ws.cell(row=1, column=1).font = Font(bold=True, size=13)
        header_row = 2
    ws.append(headers)
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for row in rows:
        ws.append(row)
    if total_row is not None:
        ws.append(total_row)
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
    for col in money_cols:
        for (cell,) in ws.iter_rows(min_row=header_row + 1, min_col=col, max_col=col):
            cell.number_format = MONEY
    for index, header in enumerate(headers, start=1):
        width = (widths or {}).get(index, max(10, min(40, len(str(header)) * 2 + 4)))
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = f"A{header_row + 1}"
