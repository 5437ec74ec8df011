"""One look for the tables of every Excel export, written as a stream (openpyxl's write-only
mode: rows go to a temporary file as they come, so memory stays flat at any length).

No Flask, no database. An export is a plain function that writes a workbook to a binary
stream (a response's temporary file, or a background job's file).

Text a person typed (a name, a contest, an employer) can start with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return; a spreadsheet would run it as a formula (``=HYPERLINK(…)``,
``=cmd|' /C calc'!A0``). Every export writes such text as text: in .xlsx a string cell
marked "quote prefix" (Excel shows it exactly as typed and keeps it text when edited); in
.csv, which has no cell types, with a leading apostrophe (the spreadsheet convention for
"this is text"). Write cells through ``cell`` / ``write_table`` / ``append_row`` /
``text_cell`` / ``put`` (xlsx) and ``csv_row`` (csv), never with a bare ``ws.append``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

HEADER_FILL = PatternFill("solid", fgColor="EEF2F6")
MONEY = "#,##0.00"
BOLD = Font(bold=True)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
TEXT_LIMIT = 32767  # characters a cell holds (openpyxl cuts longer text)
# Values a column's cell takes without changing its style (a date would set its format).
SAME_FORMAT = (int, float, Decimal)


def looks_like_formula(value: object) -> bool:
    """Whether a spreadsheet would read ``value`` as a formula (text starting = + - @ tab CR)."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_field(value: object) -> object:
    """Return a CSV field no spreadsheet runs: such text gets a leading apostrophe."""
    return "'" + value if looks_like_formula(value) else value


def csv_row(values) -> list:
    """Return a CSV row with every field passed through ``csv_field``."""
    return [csv_field(v) for v in values]


def _printable(value: str) -> str:
    # Control characters cannot be stored in .xlsx (openpyxl refuses them): show a mark.
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)


def _as_text(cell: Cell) -> Cell:
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def text_cell(ws, value: object) -> object:
    """Return what ``ws.append`` should get for ``value``: a cell written as text when the
    value looks like a formula, the value itself otherwise (works in write-only sheets)."""
    if isinstance(value, Cell) or not isinstance(value, str):
        return value
    value = _printable(value)
    if looks_like_formula(value):
        return _as_text(Cell(ws, row=1, column=1, value=value))
    return value


def styled_cell(ws, value: object) -> Cell:
    """Return a cell holding ``value`` under the formula rule, ready to be styled and appended
    (also in write-only sheets)."""
    made = text_cell(ws, value)
    return made if isinstance(made, Cell) else Cell(ws, row=1, column=1, value=made)


def append_row(ws, values) -> None:
    """Append a row of values to ``ws`` with the formula rule applied to every cell."""
    ws.append([text_cell(ws, v) for v in values])


def put(ws, row: int, column: int, value: object) -> Cell:
    """Set one cell of ``ws`` with the formula rule applied; return the cell."""
    cell = ws.cell(row=row, column=column)
    cell.value = _printable(value) if isinstance(value, str) else value
    if looks_like_formula(cell.value):
        _as_text(cell)
    return cell


def new_workbook() -> Workbook:
    """An empty streaming workbook: add sheets with ``create_sheet``, then ``save_workbook``."""
    return Workbook(write_only=True)


def save_workbook(wb: Workbook, out: BinaryIO) -> None:
    """Write the workbook to the binary stream ``out``."""
    wb.save(out)


def cell(ws, value, *, bold: bool = False, money: bool = False, **style) -> WriteOnlyCell:
    """A styled cell for ``ws.append`` (bold, money format #,##0.00, or any openpyxl style),
    text that starts like a formula written as text."""
    c = styled_cell(ws, value)
    if bold:
        c.font = BOLD
    if money:
        c.number_format = MONEY
    for name, setting in style.items():
        setattr(c, name, setting)
    return c


def cell_maker(ws, **style) -> Callable[[object], Cell]:
    """Return a function making cells of one style (as ``cell``), fast: the style is looked
    up in the workbook once and given to each cell as it is made (setting a style on every
    cell of a 10,000-row sheet costs more than writing it). The formula rule still applies."""
    proto = cell(ws, "", **style)._style

    def make(value) -> Cell:
        if isinstance(value, str):
            value = _printable(value)
            if looks_like_formula(value):
                made = Cell(ws, row=1, column=1, value=value, style_array=proto)
                return _as_text(made)
        return Cell(ws, row=1, column=1, value=value, style_array=proto)

    return make


def _cells_first(ws: WriteOnlyWorksheet):
    """The write-only sheet's row converter, taking a prepared cell as it is.

    openpyxl's own first tries to store each value in a plain cell and, for a prepared
    (styled) cell, catches the ValueError that raises: an exception and a repr of the cell
    for every styled cell, which cost a long sheet of styled rows half again the time of
    writing its values. This one checks for a cell first; every other value goes through
    the same plain cell as before, so the sheet's XML is the same."""

    def values_to_row(values, row_idx):
        plain = WriteOnlyCell(ws)
        for col_idx, value in enumerate(values, 1):
            if value is None:
                continue
            if isinstance(value, Cell):
                made = value
            else:
                made = plain
                made.value = value
            made.column = col_idx
            made.row = row_idx
            if made.hyperlink is not None:
                made.hyperlink.ref = made.coordinate
            yield made
            if made is plain and (plain.has_style or plain.hyperlink):  # a date's format
                plain = WriteOnlyCell(ws)

    return values_to_row


def stream_cells(ws) -> None:
    """Make ``ws`` (a write-only sheet) take the prepared cells appended to it as they are
    (``_cells_first``); other sheets are left as they are."""
    if isinstance(ws, WriteOnlyWorksheet) and hasattr(ws, "_values_to_row"):
        ws._values_to_row = _cells_first(ws)


class _ColumnCell(Cell):
    """A column's cell in a write-only sheet: its style never changes, so its index in the
    workbook's styles is looked up once (openpyxl looks it up, hashing the style, for every
    cell it writes)."""

    __slots__ = ("_style_id", "_styled")

    @classmethod
    def of(cls, made: Cell) -> _ColumnCell:
        column = cls(made.parent, row=1, column=1, style_array=made._style)
        column._value, column.data_type = made._value, made.data_type
        column._style_id, column._styled = None, made.has_style
        return column

    @property
    def has_style(self) -> bool:
        return self._styled

    def set_text(self, text: str) -> None:
        """Hold ``text``, already made printable and not a formula or an error code: what
        openpyxl's value setter would store, without checking it a second time."""
        self._value, self.data_type = text[:TEXT_LIMIT], "s"

    @property
    def style_id(self) -> int:
        if self._style_id is None:  # when first written, as for any cell
            self._style_id = self.parent.parent._cell_styles.add(self._style)
        return self._style_id


def column_cells(ws, **style) -> Callable[[object], object]:
    """Return a function giving the cell of one column's value in one style (as
    ``cell_maker``, the formula rule included). In a write-only sheet a row is written when it
    is appended, so the column's cell is made once and given each row's value: making a cell
    and its style for every value of a long table cost about as much as writing it. One
    function per column: a row holding two values of one function would show the last twice."""
    fresh = cell_maker(ws, **style)
    if not isinstance(ws, WriteOnlyWorksheet):
        return fresh  # a sheet in memory keeps the cells appended: one each
    plain, quoted = _ColumnCell.of(fresh("")), _ColumnCell.of(fresh("="))

    def put(value):
        if isinstance(value, Cell):
            return value  # made by the caller, style and all
        if isinstance(value, str):
            value = _printable(value)
            if looks_like_formula(value):
                quoted.value = value
                quoted.data_type = "s"  # written as text (its style has the quote prefix)
                return quoted
            if value not in ERROR_CODES:
                plain.set_text(value)
                return plain
        elif value is not None and not isinstance(value, SAME_FORMAT):
            return fresh(value)  # a date gets its own number format
        plain.value = value
        return plain

    return put


def write_table(
    ws,
    headers: list[str],
    rows: Iterable[list],
    money_cols: set[int],
    total_row: list | Callable[[], list] | None = None,
    widths: dict[int, int] | None = None,
    caption: str | None = None,
) -> int:
    """Write a table into an empty sheet: an optional bold caption row, a shaded bold header,
    the rows and a bold total row; money columns as #,##0.00; the header stays in view.
    Return how many rows were written.

    :param rows: any iterable, consumed once (a generator keeps memory flat)
    :param total_row: the total row, or a function giving it after the rows are written
        (sums gathered while streaming)
    :param widths: column width by 1-based index; other columns are sized by their header
    """
    for index, header in enumerate(headers, start=1):
        width = (widths or {}).get(index, max(10, min(40, len(str(header)) * 2 + 4)))
        ws.column_dimensions[get_column_letter(index)].width = width
    header_row = 1
    if caption is not None:
        header_row = 2
    ws.freeze_panes = f"A{header_row + 1}"
    stream_cells(ws)
    if caption is not None:
        ws.append([cell(ws, caption, font=Font(bold=True, size=13))])
    wrap = Alignment(vertical="center", wrap_text=True)
    ws.append([cell(ws, h, bold=True, fill=HEADER_FILL, alignment=wrap) for h in headers])
    money = {c - 1 for c in money_cols}
    columns = [
        column_cells(ws, number_format=MONEY) if i in money else column_cells(ws)
        for i in range(len(headers))
    ]
    width = len(columns)
    count = 0
    for row in rows:
        ws.append([columns[i](v) if i < width else text_cell(ws, v) for i, v in enumerate(row)])
        count += 1
    if total_row is not None:
        values = total_row() if callable(total_row) else total_row
        ws.append([cell(ws, v, bold=True, money=i in money) for i, v in enumerate(values)])
    return count
