"""Generated malformed sheets: whatever an organiser's file holds, the dry run answers with
problems on cells, never a crash (issue 15 §4).

Hypothesis builds tables from the template's headers (some missing, repeated or unknown) and
cells drawn from what organisers type: valid and invalid counties, formats, results and
grades, ID numbers (some repeated under another name), numbers, dates, booleans, formulas
and blanks. Each table is written as .xlsx or CSV, read, checked against a contest, and
its problem report built.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compapp.imports import layout, reading, services
from compapp.imports.report import build_report
from tests.helpers import id_number_for

ID_NUMBERS = [id_number_for("533422", n) for n in range(900, 906)] + [
    "533422199001011230",  # wrong check digit
    "12345",
    "",
]
WORDS = {
    layout.OCCUPATION: ["电工", "焊工", " 电 工 ", ""],
    layout.FORMAT: ["单人", "双人", "三人", "四人", "pair", ""],
    layout.GROUP: ["1", "2", "1-2", ""],
    layout.NAME: ["张三", "李四", "=cmd|' /C calc'!A0", "x" * 90, ""],
    layout.ID_NUMBER: ID_NUMBERS,
    layout.EMPLOYER: ["迪庆电力公司", "y" * 170, ""],
    layout.EMPLOYEE: ["是", "否", "也许", ""],
    layout.GRADE: ["三级/高级工", "高级工", "十级", ""],
    layout.COUNTY: ["德钦县", "德钦县（迪庆藏族自治州）", "533422", "火星县", ""],
    layout.RANK: ["1", "2", "第3名", "0", "-1", "一", ""],
    layout.TIE: ["是", "否", "maybe", ""],
    layout.RESULT: ["金牌", "银牌", "一等奖", "优胜奖", "特等奖", ""],
    "教练1": ["李教练", ""],
    "教练1角色": ["教练", "翻译", "厨师", ""],
    "教练1比例（%）": ["50", "150", "abc", ""],
    "教练2": ["李教练", "王教练", ""],
}
HEADER_CHOICES = list(WORDS) + ["手机", "选手姓名", "备注"]
ODD_VALUES = st.one_of(
    st.none(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(min_value=date(1900, 1, 1)),
    st.datetimes(min_value=datetime(1900, 1, 1)),
    st.text(max_size=30),
    st.just("=1+1"),
)


@st.composite
def sheets(draw):
    headers = draw(st.lists(st.sampled_from(HEADER_CHOICES), min_size=1, max_size=12))
    rows = []
    for _ in range(draw(st.integers(min_value=0, max_value=8))):
        row = []
        for header in headers:
            choices = WORDS.get(header)
            if choices and draw(st.integers(0, 9)) < 8:
                row.append(draw(st.sampled_from(choices)))
            else:
                row.append(draw(ODD_VALUES))
        rows.append(row)
    as_csv = draw(st.booleans())
    return headers, rows, as_csv


def to_bytes(headers: list, rows: list, as_csv: bool) -> bytes:
    if as_csv:
        out = io.StringIO()
        writer = csv.writer(out)
        for row in [headers, *rows]:
            writer.writerow(["" if v is None else str(v).replace("\x00", "") for v in row])
        return out.getvalue().encode("utf-8")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = layout.SHEET
    for row in [headers, *rows]:
        sheet.append([_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value):
    if isinstance(value, str):
        return openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sheet=sheets())
def test_any_malformed_sheet_gets_problems_on_cells_never_a_crash(db, create_contest, sheet):
    """Every generated file: read, checked like the entry form, problems readable, report built."""
    contest = db.session.scalar(db.select(services.Contest)) or create_contest()
    headers, rows, as_csv = sheet
    data = to_bytes(headers, rows, as_csv)
    table = reading.read_upload(data, "成绩.csv" if as_csv else "成绩.xlsx")
    plan = services.check_import(contest, table)
    for problem in plan.problems:
        assert problem.text()  # every message fills its placeholders
    assert plan.problems or plan.rows
    build_report(table, plan.problems)
    reading.Table.from_dict(table.as_dict())
