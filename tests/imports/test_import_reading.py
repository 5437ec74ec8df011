"""Reading uploads: encodings, broken files, formulas, merged cells, dates — each a message."""

import io
import re
import zipfile
from datetime import date, datetime

import openpyxl
import pytest

from compapp.imports import layout, reading
from compapp.imports.entries import build_entries
from compapp.imports.template import build_template
from tests.imports.import_helpers import csv_bytes, person_rows, table_rows, xlsx


def messages(table) -> list[str]:
    return [p.text() for p in table.problems]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_each_encoding_reads_the_same_rows(encoding):
    """Chinese Excel writes CSV as GB18030; others UTF-8 with or without BOM (issue 7 §1)."""
    rows = person_rows(3)
    table = reading.read_upload(csv_bytes(rows, encoding), "a.csv")
    assert not table.problems
    assert table.kind == "csv"
    assert [r[layout.NAME] for _n, r in table.rows] == ["选手1", "选手2", "选手3"]
    assert table.rows[0][1][layout.COUNTY] == "德钦县（迪庆藏族自治州）"
    assert [n for n, _r in table.rows] == [2, 3, 4]


def test_gb18030_csv_is_detected_not_garbled():
    """GB18030 bytes are not valid UTF-8, so the reader falls back to GB18030."""
    data = csv_bytes(person_rows(1), "gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    table = reading.read_upload(data, "a.csv")
    assert table.encoding == "gb18030"
    assert table.headers[0] == layout.OCCUPATION


def test_xlsx_and_csv_give_the_same_table():
    rows = person_rows(4)
    from_xlsx = reading.read_upload(xlsx(table_rows(rows)), "a.xlsx")
    from_csv = reading.read_upload(csv_bytes(rows, "utf-8"), "a.csv")
    assert from_xlsx.rows == from_csv.rows


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"", "文件是空的"),
        (b"   \n\n", "文件是空的"),
        (b"%PDF-1.7\n...", "不是电子表格"),
        (b"\x00\x01\x02binary", "不是电子表格"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "旧版 Excel（.xls）"),
        (b"PK\x03\x04broken zip", "不是有效的 Excel .xlsx 文件"),
        (b"\xff\xfe\x00\x41\x00\x42\xc3", "不是电子表格"),
    ],
)
def test_broken_files_get_a_clear_message(data, expected):
    """Empty files, non-spreadsheets and damaged archives are refused with a message (§4)."""
    table = reading.read_upload(data, "x")
    assert table.rows == []
    assert len(table.problems) == 1
    assert expected in table.problems[0].text()


def test_a_word_document_renamed_to_xlsx_is_not_a_spreadsheet():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    table = reading.read_upload(out.getvalue(), "a.xlsx")
    assert "不是有效的 Excel .xlsx 文件" in messages(table)[0]


def test_undecodable_csv_names_the_encodings():
    table = reading.read_upload("姓名".encode("utf-16-be") + b"\x81", "a.csv")
    assert table.problems


def test_unknown_and_missing_headers_are_named():
    """Wrong or missing headers: name the header and the required columns (§4)."""
    table = reading.read_upload(
        xlsx([["赛项（工种）", "形式", "姓 名", "手机"], ["电工", "单人", "甲", "1"]])
    )
    text = messages(table)
    assert any("无法识别的列标题“手机”" in m for m in text)
    assert any("缺少必需的列：身份证号、选派县（市、区）" in m for m in text)
    assert table.problems[0].row == 1


def test_common_header_spellings_are_accepted():
    """姓名 for 选手姓名, 身份证号码 for 身份证号, ASCII brackets for full-width ones."""
    table = reading.read_upload(
        xlsx(
            [
                ["赛项(工种)", "形式", "姓名", "身份证号码", "选派县(市、区)"],
                ["电工", "单人", "甲", "533422199001011234", "德钦县"],
            ]
        )
    )
    assert not table.problems
    assert table.headers == [
        layout.OCCUPATION,
        layout.FORMAT,
        layout.NAME,
        layout.ID_NUMBER,
        layout.COUNTY,
    ]


def test_duplicate_header_is_refused():
    table = reading.read_upload(xlsx([list(layout.REQUIRED_HEADERS) + ["姓名"]]))
    assert any("出现了两次" in m for m in messages(table))


def test_headers_without_rows_say_so():
    table = reading.read_upload(xlsx([list(layout.HEADERS)]))
    assert "没有数据行" in messages(table)[0]


def test_empty_sheet_says_so():
    table = reading.read_upload(xlsx([]))
    assert "没有任何内容" in messages(table)[0]


def test_uncomputed_formula_is_refused_with_its_cell():
    """A formula nobody calculated has no value to read: refuse it, naming the cell (§4)."""
    rows = table_rows(person_rows(2))
    rows[1][layout.HEADERS.index(layout.RANK)] = "=1+0"
    table = reading.read_upload(xlsx(rows))
    problem = next(p for p in table.problems if "公式" in p.message)
    assert problem.row == 2 and problem.column == layout.RANK
    assert "J2" in problem.text()


def _with_cached_value(data: bytes, ref: str, value: str) -> bytes:
    """Add the value Excel would have stored beside a formula (openpyxl writes none)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = content.decode()
                text = re.sub(
                    rf'(<c r="{ref}"[^>]*>)<f>([^<]*)</f>(<v\s*/>|<v></v>)?',
                    rf"\1<f>\2</f><v>{value}</v>",
                    text,
                )
                content = text.encode()
            target.writestr(item, content)
    return out.getvalue()


def test_computed_formula_values_are_read():
    """A formula Excel calculated: its stored result is used (§4: formulas)."""
    rows = table_rows(person_rows(2))
    rows[1][layout.HEADERS.index(layout.RANK)] = "=1+0"
    data = _with_cached_value(xlsx(rows), "J2", "1")
    table = reading.read_upload(data)
    assert not table.problems, messages(table)
    assert table.rows[0][1][layout.RANK] == "1"


def test_merged_cells_are_refused_with_their_range():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = layout.SHEET
    for row in table_rows(person_rows(3)):
        sheet.append(row)
    sheet.merge_cells("I2:I4")
    out = io.BytesIO()
    book.save(out)
    table = reading.read_upload(out.getvalue())
    problem = next(p for p in table.problems if "合并单元格" in p.message)
    assert problem.row == 2 and "I2:I4" in problem.text()


def test_a_date_cell_where_a_group_number_belongs_is_explained():
    """Excel turns "1-2" into a date: say so instead of importing 2024-01-02 (§4: dates)."""
    rows = table_rows(person_rows(1))
    rows[1][layout.HEADERS.index(layout.GROUP)] = datetime(2024, 1, 2)
    rows[1][layout.HEADERS.index(layout.RANK)] = date(2024, 9, 15)
    table = reading.read_upload(xlsx(rows))
    found = [(p.column, p.message) for p in table.problems]
    assert len(found) == 2
    assert all("日期" in m for _c, m in found)
    assert {c for c, _m in found} == {layout.GROUP, layout.RANK}


def test_a_date_typed_as_text_in_the_rank_column_is_not_a_rank():
    table = reading.read_upload(xlsx(table_rows(person_rows(1))))
    table.rows[0][1][layout.RANK] = "2024-09-15"
    entries, problems = build_entries(table, {"德钦县（迪庆藏族自治州）": "533422"})
    assert [p.message for p in problems] == ["名次应为整数（如 1、2、3）。"]


def test_id_number_stored_as_a_number_is_explained():
    """Excel stores 18 digits as 5.33422199001011E+17 and loses the last digits."""
    rows = table_rows(person_rows(1))
    rows[1][layout.HEADERS.index(layout.ID_NUMBER)] = 533422199001011234
    rows[1][layout.HEADERS.index(layout.ID_NUMBER)] = float(533422199001011234)
    table = reading.read_upload(xlsx(rows))
    assert any("存成了数字" in m for m in messages(table))


def test_pair_rows_with_the_same_group_number_form_one_entry():
    rows = person_rows(2)
    for row in rows:
        row[layout.FORMAT], row[layout.GROUP] = "双人", "7"
    rows[1][layout.RANK] = ""  # later rows of a group may leave entry columns empty
    rows[1][layout.RESULT] = ""
    rows[1]["教练1"] = ""
    table = reading.read_upload(xlsx(table_rows(rows)))
    entries, problems = build_entries(table, {"德钦县（迪庆藏族自治州）": "533422"})
    assert not problems
    assert len(entries) == 1
    assert entries[0].rows == [2, 3] and entries[0].rank == 1 and entries[0].result == "gold"


def test_group_rows_that_disagree_are_refused():
    rows = person_rows(2)
    for row in rows:
        row[layout.FORMAT], row[layout.GROUP] = "双人", "7"
    table = reading.read_upload(xlsx(table_rows(rows)))
    _entries, problems = build_entries(table, {"德钦县（迪庆藏族自治州）": "533422"})
    assert {(p.row, p.column) for p in problems} == {(3, layout.RANK), (3, layout.RESULT)}


def test_template_has_instructions_lists_and_text_id_column():
    """The template: Chinese headers, 填写说明, drop-down lists, ID column as text (§1)."""
    data = build_template(
        "赛事",
        "全国职业技能大赛",
        "2024-09-15",
        ["金牌", "银牌"],
        ["德钦县（迪庆藏族自治州）"],
        [("电工", "单人赛项")],
    )
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames[:2] == [layout.INSTRUCTIONS_SHEET, layout.SHEET]
    sheet = book[layout.SHEET]
    assert [c.value for c in sheet[1]] == list(layout.HEADERS)
    ranges = {str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation}
    assert ranges["B2"].startswith("选项!")  # 形式
    assert ranges["L2"].startswith("选项!")  # 奖项
    assert ranges["I2"].startswith("选项!")  # 选派县
    assert ranges["N2"].startswith("选项!")  # 教练1角色
    options = book[layout.OPTIONS_SHEET]
    values = {
        options.cell(1, c).value: [options.cell(r, c).value for r in range(2, 5)]
        for c in range(1, 8)
    }
    assert values["奖项"][:2] == ["金牌", "银牌"]
    assert values["县"][0] == "德钦县（迪庆藏族自治州）"
    assert sheet["E2"].number_format == "@"
    assert "填写说明" in book[layout.INSTRUCTIONS_SHEET]["A1"].value
    # An untouched template is a header row and nothing else.
    assert "没有数据行" in reading.read_upload(data).problems[0].text()
