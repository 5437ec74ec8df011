"""Build upload files for the import tests: the contest's template filled with openpyxl, CSV."""

from __future__ import annotations

import csv
import io

import openpyxl

from compapp.imports import layout
from tests.helpers import id_number_for

COUNTY = "德钦县（迪庆藏族自治州）"


def person_rows(
    n: int, occupation: str = "电工", county: str = COUNTY, start: int = 1, medal: str = "金牌"
) -> list[dict[str, str]]:
    """``n`` individual entries ranked 1..n; the first three get a result."""
    rows = []
    for i in range(n):
        rank = start + i
        rows.append(
            {
                layout.OCCUPATION: occupation,
                layout.FORMAT: "单人",
                layout.NAME: f"选手{rank}",
                layout.ID_NUMBER: id_number_for("533422", 100_000 + rank * 7 + len(occupation)),
                layout.EMPLOYER: "迪庆电力公司",
                layout.EMPLOYEE: "是",
                layout.GRADE: "三级/高级工",
                layout.COUNTY: county,
                layout.RANK: str(rank),
                layout.RESULT: {1: medal, 2: "银牌", 3: "铜牌"}.get(rank, ""),
                "教练1": "李教练" if rank <= 3 else "",
            }
        )
    return rows


def fill_template(template: bytes, rows: list[dict[str, str]]) -> bytes:
    """Fill the downloaded template's 参赛组 sheet with ``rows`` (as an organiser would)."""
    book = openpyxl.load_workbook(io.BytesIO(template))
    sheet = book[layout.SHEET]
    headers = [c.value for c in sheet[1]]
    for r, row in enumerate(rows, start=2):
        for c, header in enumerate(headers, start=1):
            value = row.get(header, "")
            sheet.cell(row=r, column=c, value=value if value != "" else None)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx(rows: list[list], title: str = layout.SHEET) -> bytes:
    """A workbook with one sheet holding ``rows`` as given (first row = headers)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def table_rows(rows: list[dict[str, str]], headers=layout.HEADERS) -> list[list]:
    return [list(headers)] + [[row.get(h, "") for h in headers] for row in rows]


def csv_bytes(rows: list[dict[str, str]], encoding: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in table_rows(rows):
        writer.writerow(row)
    return out.getvalue().encode(encoding)
