"""Read an uploaded results sheet (.xlsx or .csv) into a table of cell texts by header.

Pure: no Flask, no database. Every refusal is a ``CellProblem`` naming the sheet, row,
column and value with a Chinese message id, so a broken file is explained, never a crash.
The bytes are read in bounded memory by ``files``; the sheet's layout is ``layout``; the
rows become entries in ``entries``.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

from compapp.core.messages import N_
from compapp.imports import files
from compapp.imports.layout import (
    HEADERS,
    ID_NUMBER,
    INSTRUCTIONS_SHEET,
    OPTIONS_SHEET,
    REQUIRED_HEADERS,
    SHEET,
    canonical_header,
    column_letter,
)

MAX_ROWS = 20_000
# Problems kept for one file: past this many the rest are counted, not listed (a whole
# column in the wrong format would otherwise give 20,000 problems of one kind).
MAX_PROBLEMS = 1_000


@dataclass(frozen=True)
class CellProblem:
    """One problem in the upload: where it is (sheet, row, column), the value and a message id."""

    sheet: str
    row: int | None
    column: str | None
    value: str
    message: str
    params: tuple[tuple[str, object], ...] = ()

    def text(self, translate=lambda s: s) -> str:
        """Return the message in the caller's language, parameters filled in."""
        message = translate(self.message)
        return message % dict(self.params) if self.params else message

    def as_dict(self) -> dict:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
            "params": list(self.params),
        }

    @classmethod
    def from_dict(cls, data: dict) -> CellProblem:
        return cls(
            data["sheet"],
            data["row"],
            data["column"],
            data["value"],
            data["message"],
            tuple(tuple(p) for p in data.get("params") or ()),
        )


def cell_problem(sheet, row, column, cell_value, message, **params) -> CellProblem:
    return CellProblem(
        sheet, row, column, str(cell_value)[:200], message, tuple(sorted(params.items()))
    )


@dataclass
class Table:
    """The sheet as read: canonical headers and rows of text keyed by header."""

    sheet: str
    headers: list[str]
    rows: list[tuple[int, dict[str, str]]]
    problems: list[CellProblem] = field(default_factory=list)
    kind: str = "xlsx"
    encoding: str | None = None

    def as_dict(self) -> dict:
        return {
            "sheet": self.sheet,
            "headers": self.headers,
            "rows": [[n, values] for n, values in self.rows],
            "kind": self.kind,
            "encoding": self.encoding,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Table:
        return cls(
            data["sheet"],
            list(data["headers"]),
            [(int(n), dict(values)) for n, values in data["rows"]],
            kind=data.get("kind", "xlsx"),
            encoding=data.get("encoding"),
        )


def read_upload(data: bytes, filename: str = "") -> Table:
    """Read an uploaded file (.xlsx or .csv, detected from its bytes) into a ``Table``."""
    name = filename or "?"
    if not data or not data.strip():
        return _refused(name, N_("文件是空的，请选择填好的模板文件。"))
    if data[:4] == b"PK\x03\x04":
        return read_xlsx(data)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return _refused(
            name, N_("这是旧版 Excel（.xls）文件，请在 Excel 中“另存为” .xlsx 或 CSV 后再上传。")
        )
    if data[:5] == b"%PDF-" or b"\x00" in data[:4096]:
        return _refused(name, N_("该文件不是电子表格。请上传 .xlsx 文件或 CSV 文件。"))
    return read_csv(data)


def _refused(sheet: str, message: str, **params) -> Table:
    return Table(sheet, [], [], [cell_problem(sheet, None, None, "", message, **params)], kind="")


def decode_text(data: bytes) -> tuple[str, str] | None:
    """Decode CSV bytes: UTF-8 with BOM, UTF-8, or GB18030 (Chinese Excel); None if none fits."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            return None
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return None


def read_csv(data: bytes) -> Table:
    """Read CSV bytes (comma, semicolon or tab separated) into a ``Table``."""
    decoded = decode_text(data)
    if decoded is None:
        return _refused(
            "CSV",
            N_(
                "无法识别文件的文字编码。请保存为 UTF-8 或 GB18030（Excel 默认的“CSV”）编码的 CSV，或直接上传 .xlsx。"
            ),
        )
    text, encoding = decoded
    first = text[: files.MAX_CSV_LINE_CHARS].split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first.count)
    try:
        records = files.csv_records(text, delimiter, MAX_ROWS + 1)
    except files.Refused as refused:
        return _refused("CSV", refused.message, **refused.params)
    table = _table_from_records("CSV", records)
    table.kind, table.encoding = "csv", encoding
    return table


def read_xlsx(data: bytes) -> Table:
    """Read the 参赛组 sheet (or the first data sheet) of an .xlsx file into a ``Table``.

    The file is read in bounded memory whatever it declares (``compapp.imports.files``).
    """
    try:
        sheet = files.read_sheet(data, SHEET, (INSTRUCTIONS_SHEET, OPTIONS_SHEET), MAX_ROWS + 1)
    except files.Refused as refused:
        return _refused(refused.sheet, refused.message, **refused.params)
    problems = [
        cell_problem(
            sheet.name,
            row,
            f"#{col}",
            formula,
            "单元格 %(ref)s 是公式 %(formula)s，但文件中没有它的计算结果。请在 Excel 中打开并保存一次，或把公式改为数值（复制 → 选择性粘贴 → 数值）。",
            ref=f"{column_letter(col)}{row}",
            formula=formula,
        )
        for row, col, formula in sheet.formulas
    ]
    for ref in sheet.merged:
        problems.append(
            cell_problem(
                sheet.name,
                _first_row(ref),
                None,
                ref,
                "单元格 %(ref)s 是合并单元格。请取消合并，并在每一行填写完整的值（同组选手各占一行）。",
                ref=ref,
            )
        )
    if sheet.more_merged:
        problems.append(
            cell_problem(
                sheet.name,
                None,
                None,
                "",
                "工作表中还有更多合并单元格，没有逐一列出。请取消工作表中所有的合并单元格。",
            )
        )
    return _table_from_records(sheet.name, sheet.records, problems)


def _first_row(ref: str) -> int | None:
    found = re.search(r"\d+", ref)
    return int(found.group()) if found else None


def _cell_text(value) -> tuple[str, str | None]:
    """Return a cell as text, and a problem message id when the cell's type is wrong."""
    if value is None:
        return "", None
    if isinstance(value, bool):
        return ("是" if value else "否"), None
    if isinstance(value, datetime | date | time | files.DateText):
        return str(value)[:19], "date"
    if isinstance(value, int):
        return str(value), None
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value)), None
        return repr(value), "float"
    return str(value).strip(), None


def _table_from_records(
    sheet: str, records: list[tuple[int, list]], earlier: list[CellProblem] | None = None
) -> Table:
    """Find the header row (the first non-empty row), map columns, collect typed problems."""
    records = [
        (n, values)
        for n, values in records
        if any(v is not None and str(v).strip() for v in values)
    ]
    if not records:
        if earlier:
            return Table(sheet, [], [], list(earlier))
        return _refused(
            sheet, N_("文件中没有任何内容（第一行应为列标题，从第二行起每行一名选手）。")
        )
    header_number, header_values = records[0]
    problems: list[CellProblem] = list(earlier or [])
    columns = _header_columns(sheet, header_number, header_values, problems)
    headers = [columns[i] for i in sorted(columns)]
    rows = []
    unlisted = 0
    for number, values in records[1:]:
        if len(rows) >= MAX_ROWS:
            return _refused(sheet, "文件超过 %(n)s 行，请分成几个文件上传。", n=MAX_ROWS)
        row, found = _row_cells(sheet, number, values, columns)
        for problem in found:
            if len(problems) < MAX_PROBLEMS:
                problems.append(problem)
            else:
                unlisted += 1
        if any(row.values()):
            rows.append((number, row))
    # Formula problems were found before the headers were known: name their column now.
    problems = [
        CellProblem(
            p.sheet,
            p.row,
            columns.get(int(p.column[1:]), column_letter(int(p.column[1:]))),
            p.value,
            p.message,
            p.params,
        )
        if p.column and p.column.startswith("#")
        else p
        for p in problems
    ]
    if unlisted:
        problems.append(too_many_problems(sheet, unlisted))
    if not rows and not problems:
        problems.append(
            cell_problem(
                sheet, None, None, "", "文件只有列标题，没有数据行。请从第二行起每行填写一名选手。"
            )
        )
    return Table(sheet, headers, rows, problems)


def _header_columns(
    sheet: str, header_number: int, header_values: list, problems: list
) -> dict[int, str]:
    """Map the header row's columns to the template's headers; unknown, repeated and missing
    headers are problems."""
    columns: dict[int, str] = {}
    for index, raw in enumerate(header_values):
        if raw is None or not str(raw).strip():
            continue
        header = canonical_header(str(raw))
        if header not in HEADERS:
            problems.append(
                cell_problem(
                    sheet,
                    header_number,
                    column_letter(index),
                    raw,
                    "无法识别的列标题“%(header)s”。请使用模板中的列标题（可在导入页面下载模板）。",
                    header=str(raw).strip(),
                )
            )
        elif header in columns.values():
            problems.append(
                cell_problem(
                    sheet,
                    header_number,
                    header,
                    raw,
                    "列标题“%(header)s”出现了两次。",
                    header=header,
                )
            )
        else:
            columns[index] = header
    missing = [h for h in REQUIRED_HEADERS if h not in columns.values()]
    if missing:
        problems.append(
            cell_problem(
                sheet,
                header_number,
                None,
                "、".join(missing),
                "缺少必需的列：%(headers)s。第一行应为模板中的列标题。",
                headers="、".join(missing),
            )
        )
    return columns


def _row_cells(sheet: str, number: int, values: list, columns: dict[int, str]) -> tuple:
    """One data row's text by header, and the problems of its values' types."""
    row: dict[str, str] = {}
    found = []
    for index, header in columns.items():
        value = values[index] if index < len(values) else None
        text, kind = _cell_text(value)
        if isinstance(value, str) and value.startswith("=") and len(value) > 1:
            kind = "formula_text"
        row[header] = text
        if kind is not None:
            found.append(_type_problem(sheet, number, header, text, kind))
    return row, found


def too_many_problems(sheet: str, unlisted: int) -> CellProblem:
    """The note that ends a list of problems cut at ``MAX_PROBLEMS``."""
    return cell_problem(
        sheet,
        None,
        None,
        "",
        "另有 %(n)s 个问题没有逐一列出。请先改正以上问题（常见原因是整列的单元格格式不对），再重新上传。",
        n=unlisted,
    )


def _type_problem(sheet: str, row: int, header: str, text: str, kind: str) -> CellProblem:
    if kind == "date":
        return cell_problem(
            sheet,
            row,
            header,
            text,
            "此单元格是日期 %(value)s，而“%(header)s”不应是日期（Excel 会把“1-2”这类输入自动变成日期）。请把该列设为“文本”格式后重新输入。",
            value=text,
            header=header,
        )
    if kind == "formula_text":
        return cell_problem(
            sheet,
            row,
            header,
            text,
            "此单元格是公式 %(value)s，不是数值。请把公式改为数值后再上传。",
            value=text,
        )
    if header == ID_NUMBER:
        return cell_problem(
            sheet,
            row,
            header,
            text,
            "身份证号码被 Excel 存成了数字（%(value)s），末几位已经丢失。请把该列设为“文本”格式，重新输入完整的 18 位号码。",
            value=text,
        )
    return cell_problem(
        sheet,
        row,
        header,
        text,
        "“%(header)s”应为整数，而不是 %(value)s。",
        header=header,
        value=text,
    )
