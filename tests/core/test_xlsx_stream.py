"""Long Excel exports write their prepared cells straight to the sheet (compapp.core.xlsx):
the file is the one openpyxl's own row converter writes, and the formula rule still holds."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

import openpyxl
from openpyxl.styles import Alignment

from compapp.core.xlsx import (
    MONEY,
    cell_maker,
    column_cells,
    new_workbook,
    save_workbook,
    stream_cells,
    text_cell,
)


def _rows(ws):
    wrap = cell_maker(ws, alignment=Alignment(vertical="center", wrap_text=True))
    money = cell_maker(ws, number_format=MONEY)
    return [
        [1, wrap("张三"), money(Decimal("1234.50")), None, "", text_cell(ws, "=SUM(A1:A9)")],
        [2, wrap('=HYPERLINK("x")'), money(Decimal("0.01")), date(2026, 12, 3), "plain"],
        [datetime(2026, 12, 3, 8, 30), "after a date", wrap("-2+3"), wrap("a\x01b"), 3.5],
        [wrap(""), None, None, text_cell(ws, "\t=1+1"), money(None)],
    ]


def _sheet_xml(fast: bool) -> bytes:
    wb = new_workbook()
    ws = wb.create_sheet("rows")
    if fast:
        stream_cells(ws)
    for row in _rows(ws):
        ws.append(row)
    out = io.BytesIO()
    save_workbook(wb, out)
    with zipfile.ZipFile(out) as book:
        names = [n for n in book.namelist() if n.startswith("xl/")]
        return b"".join(book.read(n) for n in sorted(names))


def test_prepared_cells_written_straight_make_the_same_file_as_openpyxls_own_converter():
    """The shortcut only skips openpyxl's probing of each prepared cell: same XML, styles."""
    assert _sheet_xml(fast=True) == _sheet_xml(fast=False)


def test_cells_of_a_style_keep_text_that_starts_like_a_formula_as_text():
    """Text starting with = + - @ tab or CR is written as text (quote prefix), never run;
    control characters are replaced."""
    wb = new_workbook()
    ws = wb.create_sheet("rows")
    stream_cells(ws)
    for row in _rows(ws):
        ws.append(row)
    out = io.BytesIO()
    save_workbook(wb, out)
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue()))["rows"]
    assert sheet["B2"].value == '=HYPERLINK("x")' and sheet["B2"].data_type == "s"
    assert sheet["B2"].quotePrefix and sheet["B2"].alignment.wrap_text
    assert sheet["C3"].value == "-2+3" and sheet["C3"].quotePrefix
    assert sheet["D3"].value == "a\ufffdb"
    assert sheet["F1"].value == "=SUM(A1:A9)" and sheet["F1"].data_type == "s"
    assert sheet["C1"].value == 1234.5 and sheet["C1"].number_format == MONEY
    assert not sheet["B1"].quotePrefix and sheet["B1"].alignment.wrap_text
    assert sheet["D2"].is_date and not sheet["E2"].is_date  # the date's format stays its own


def _column_xml(make) -> bytes:
    wb = new_workbook()
    ws = wb.create_sheet("rows")
    stream_cells(ws)
    wrap = Alignment(vertical="center", wrap_text=True)
    name, money = make(ws, alignment=wrap), make(ws, number_format=MONEY)
    plain_text, plain_amount = make(ws), make(ws)  # one maker per column
    values = [
        ("张三", Decimal("1.50")),
        ("=cmd|' /C calc'!A0", Decimal("-2")),
        ("", None),
        ("+86 0887", 3),
        (None, datetime(2026, 12, 3, 8, 30)),
        ("a\x02b", 2.5),
        ("#N/A", 1),
        ("长" * 40000, 0),
    ]
    for text, amount in values:
        ws.append([name(text), money(amount), plain_text(text), plain_amount(amount), "after"])
    out = io.BytesIO()
    save_workbook(wb, out)
    with zipfile.ZipFile(out) as book:
        return book.read("xl/worksheets/sheet1.xml") + book.read("xl/styles.xml")


def test_a_columns_cell_given_each_rows_value_writes_what_a_new_cell_per_value_writes():
    """column_cells reuses one cell per column in a write-only sheet: the same XML and
    styles as a cell made for every value (cell_maker), formula-like text as text."""
    assert _column_xml(column_cells) == _column_xml(cell_maker)
