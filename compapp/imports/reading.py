"""Read an uploaded results sheet (.xlsx or .csv) into plain rows, and rows into entries.

Pure: no Flask, no database. Every refusal is a ``CellProblem`` naming the sheet, row,
column and value with a Chinese message id, so a broken file is explained, never a crash.
The layout is one row per competitor: rows of one pair or trio share 赛项、形式 and 组号.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

from compapp.core.bank import bank_problems, clean_bank_details, mask_account
from compapp.core.idnumber import id_number_problem, normalise_id_number
from compapp.core.messages import N_
from compapp.core.vocab import GRADE_NAMES
from compapp.imports import files

SHEET = "参赛组"
INSTRUCTIONS_SHEET = "填写说明"
OPTIONS_SHEET = "选项"
MAX_ROWS = 20_000
# Problems kept for one file: past this many the rest are counted, not listed (a whole
# column in the wrong format would otherwise give 20,000 problems of one kind).
MAX_PROBLEMS = 1_000
COACH_SLOTS = 4

OCCUPATION = "赛项（工种）"
FORMAT = "形式"
GROUP = "组号"
NAME = "选手姓名"
ID_NUMBER = "身份证号"
EMPLOYER = "工作单位"
EMPLOYEE = "是否职工"
GRADE = "现有等级"
COUNTY = "选派县（市、区）"
RANK = "名次"
TIE = "并列"
RESULT = "奖项"


BANK_NAME = "开户银行"
BRANCH = "开户网点"
ACCOUNT = "银行账号"


def coach_headers(slot: int) -> tuple[str, str, str]:
    """Return the name, role and share headers of coach ``slot`` (1-based)."""
    return f"教练{slot}", f"教练{slot}角色", f"教练{slot}比例（%）"


def coach_id_header(slot: int) -> str:
    """Return the ID-number header of coach ``slot``: coaches are told apart by it."""
    return f"教练{slot}身份证号码"


COACH_HEADERS = tuple(h for slot in range(1, COACH_SLOTS + 1) for h in coach_headers(slot))
COACH_ID_HEADERS = tuple(coach_id_header(slot) for slot in range(1, COACH_SLOTS + 1))


HEADERS: tuple[str, ...] = (
    OCCUPATION,
    FORMAT,
    GROUP,
    NAME,
    ID_NUMBER,
    EMPLOYER,
    EMPLOYEE,
    GRADE,
    COUNTY,
    RANK,
    TIE,
    RESULT,
    *COACH_HEADERS,
    # Later additions go at the end, so older files and templates keep their columns.
    *COACH_ID_HEADERS,
    BANK_NAME,
    BRANCH,
    ACCOUNT,
)
REQUIRED_HEADERS = (OCCUPATION, FORMAT, NAME, ID_NUMBER, COUNTY)
# Entry-level columns: the same on every row of a pair or trio (later rows may leave them empty).
ENTRY_HEADERS = (COUNTY, RANK, TIE, RESULT, *COACH_HEADERS, *COACH_ID_HEADERS)
# Headers organisers commonly type instead of the template's.
HEADER_ALIASES = {
    "赛项": OCCUPATION,
    "工种": OCCUPATION,
    "职业（工种）": OCCUPATION,
    "赛项形式": FORMAT,
    "姓名": NAME,
    "身份证号码": ID_NUMBER,
    "身份证": ID_NUMBER,
    "选派县": COUNTY,
    "选派单位": COUNTY,
    "选派单位（县、市、区）": COUNTY,
    "决赛名次": RANK,
    "是否并列": TIE,
    "企业职工": EMPLOYEE,
    "职工": EMPLOYEE,
    "等级": GRADE,
    "组别": GROUP,
}

FORMAT_VALUES = {
    "单人": "individual",
    "单人赛项": "individual",
    "individual": "individual",
    "双人": "pair",
    "双人赛项": "pair",
    "pair": "pair",
    "三人": "trio",
    "三人赛项": "trio",
    "trio": "trio",
}
RESULT_VALUES = {
    "金牌": "gold",
    "金": "gold",
    "银牌": "silver",
    "银": "silver",
    "铜牌": "bronze",
    "铜": "bronze",
    "优胜奖": "excellence",
    "一等奖": "prize_1",
    "二等奖": "prize_2",
    "三等奖": "prize_3",
}
ROLE_VALUES = {
    "教练": "coach",
    "技术指导": "technical_director",
    "翻译": "translator",
    "专家": "expert",
}
ROLE_LABELS = {v: k for k, v in ROLE_VALUES.items()}
YES = {"是", "Y", "YES", "TRUE", "1", "√", "✓"}
NO = {"否", "N", "NO", "FALSE", "0", ""}
GRADE_VALUES: dict[str, str] = {}
for _code, _zh in GRADE_NAMES.items():
    GRADE_VALUES[_zh] = _code
    for _part in _zh.split("/"):
        GRADE_VALUES[_part] = _code
GRADE_VALUES[""] = "none"
GRADE_LABELS = GRADE_NAMES


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


def _cell_problem(sheet, row, column, cell_value, message, **params) -> CellProblem:
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


def canonical_header(text: str) -> str:
    """Normalise a header: no spaces, full-width brackets, known aliases mapped."""
    value = re.sub(r"\s+", "", str(text or ""))
    value = value.replace("(", "（").replace(")", "）").replace("％", "%")
    return HEADER_ALIASES.get(value, value)


def column_letter(index: int) -> str:
    """Return the spreadsheet letter of a 0-based column index (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# --- files -----------------------------------------------------------------------------------


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
    return Table(sheet, [], [], [_cell_problem(sheet, None, None, "", message, **params)], kind="")


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
        _cell_problem(
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
            _cell_problem(
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
            _cell_problem(
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
            _cell_problem(
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
                _cell_problem(
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
                _cell_problem(
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
            _cell_problem(
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
    return _cell_problem(
        sheet,
        None,
        None,
        "",
        "另有 %(n)s 个问题没有逐一列出。请先改正以上问题（常见原因是整列的单元格格式不对），再重新上传。",
        n=unlisted,
    )


def _type_problem(sheet: str, row: int, header: str, text: str, kind: str) -> CellProblem:
    if kind == "date":
        return _cell_problem(
            sheet,
            row,
            header,
            text,
            "此单元格是日期 %(value)s，而“%(header)s”不应是日期（Excel 会把“1-2”这类输入自动变成日期）。请把该列设为“文本”格式后重新输入。",
            value=text,
            header=header,
        )
    if kind == "formula_text":
        return _cell_problem(
            sheet,
            row,
            header,
            text,
            "此单元格是公式 %(value)s，不是数值。请把公式改为数值后再上传。",
            value=text,
        )
    if header == ID_NUMBER:
        return _cell_problem(
            sheet,
            row,
            header,
            text,
            "身份证号码被 Excel 存成了数字（%(value)s），末几位已经丢失。请把该列设为“文本”格式，重新输入完整的 18 位号码。",
            value=text,
        )
    return _cell_problem(
        sheet,
        row,
        header,
        text,
        "“%(header)s”应为整数，而不是 %(value)s。",
        header=header,
        value=text,
    )


# --- rows → entries --------------------------------------------------------------------------


@dataclass
class ImportedMember:
    row: int
    id_number: str
    name: str
    employer: str | None
    is_employee: bool
    grade: str
    # Bank details (all three or none), checked by compapp.core.bank.
    bank: tuple[str, str, str] | None = None


@dataclass
class ImportedCoach:
    name: str
    role: str
    share_percent: int | None
    id_number: str = ""


@dataclass
class ImportedEntry:
    """One entry (1–3 rows of the sheet) as the file states it."""

    occupation: str
    event_format: str
    group: str
    rows: list[int]
    members: list[ImportedMember]
    sending_county: str | None
    rank: int | None
    is_tie: bool
    result: str | None
    coaches: list[ImportedCoach]

    @property
    def event_key(self) -> tuple[str, str]:
        return (self.occupation, self.event_format)

    @property
    def first_row(self) -> int:
        return self.rows[0]


def _yes_no(value: str) -> bool | None:
    upper = value.strip().upper()
    if upper in YES:
        return True
    if upper in NO:
        return False
    return None


MAX_RANK = 100_000  # as the entry form: a contest of 10,000 entries ranks far below this
_WHOLE_NUMBER = re.compile(r"[+]?\d+|第?\s*\d+\s*名?")


def _integer(value: str) -> int | None:
    """The whole number a cell holds ("3", "+3", "第3名"), or None. At most 9 digits: no rank
    or share has more, and a longer one would overflow the database (or Python's int())."""
    text = value.strip()
    match = re.fullmatch(r"[+]?(\d+)", text) or re.fullmatch(r"第?\s*(\d+)\s*名?", text)
    if match is None or len(match.group(1).lstrip("0")) > 9:
        return None
    return int(match.group(1))


def build_entries(
    table: Table, counties: dict[str, str]
) -> tuple[list[ImportedEntry], list[CellProblem]]:
    """Group rows into entries and turn cell text into codes.

    :param counties: accepted spellings of each county (label, name, code) → its code.
    """
    problems: list[CellProblem] = []
    sheet = table.sheet
    groups: dict[tuple, list[tuple[int, dict[str, str]]]] = {}
    for number, row in table.rows:
        occupation = re.sub(r"\s+", "", row.get(OCCUPATION, ""))
        raw_format = row.get(FORMAT, "").strip()
        event_format = FORMAT_VALUES.get(raw_format.lower()) or FORMAT_VALUES.get(raw_format)
        if not occupation:
            problems.append(_cell_problem(sheet, number, OCCUPATION, "", "请填写赛项（工种）。"))
        if event_format is None:
            problems.append(
                _cell_problem(sheet, number, FORMAT, raw_format, "形式只能是“单人”“双人”或“三人”。")
            )
        group = row.get(GROUP, "").strip()
        if not occupation or event_format is None:
            continue
        if not group:
            if event_format != "individual":
                problems.append(
                    _cell_problem(
                        sheet,
                        number,
                        GROUP,
                        "",
                        "双人、三人赛项请填写组号：同一组的选手填写相同的组号。",
                    )
                )
                continue
            key = (occupation, event_format, f"#row{number}")
        else:
            key = (occupation, event_format, group)
        groups.setdefault(key, []).append((number, row))
    entries = []
    for (occupation, event_format, group), rows in groups.items():
        entries.append(_entry(sheet, occupation, event_format, group, rows, counties, problems))
    return entries, problems


ID_NUMBER_REASONS = {
    "length": "应为 18 位",
    "characters": "前 17 位应为数字，最后一位为数字或 X",
    "birth_date": "出生日期无效",
    "check_digit": "校验位不正确",
}


def _bank(sheet, number: int, row: dict, problems: list) -> tuple[str, str, str] | None:
    """The row's bank details, or None when the three columns are empty; problems named."""
    values = (row.get(BANK_NAME, ""), row.get(BRANCH, ""), row.get(ACCOUNT, ""))
    if not any(v.strip() for v in values):
        return None
    found = bank_problems(*values)
    headers = {"bank_name": BANK_NAME, "branch": BRANCH, "account_number": ACCOUNT}
    for field_name, message in found.items():
        value = values[list(headers).index(field_name)]
        # Never echo an account number back in full: the report shows its last digits only.
        shown = mask_account(value) if field_name == "account_number" else value
        problems.append(_cell_problem(sheet, number, headers[field_name], shown, message))
    if found:
        return None
    details = clean_bank_details(*values)
    return (details.bank_name, details.branch, details.account_number)


def _entry(sheet, occupation, event_format, group, rows, counties, problems) -> ImportedEntry:
    first_number, _first = rows[0]
    shared = _shared_values(sheet, rows, problems)
    members = [_member(sheet, number, row, problems) for number, row in rows]
    county, rank, is_tie, result = _placing(sheet, first_number, shared, counties, problems)
    coaches = []
    for slot in range(1, COACH_SLOTS + 1):
        coach = _coach(sheet, first_number, shared, slot, problems)
        if coach is not None:
            coaches.append(coach)
    return ImportedEntry(
        occupation=occupation,
        event_format=event_format,
        group="" if group.startswith("#row") else group,
        rows=[n for n, _r in rows],
        members=members,
        sending_county=county,
        rank=rank,
        is_tie=bool(is_tie),
        result=result,
        coaches=coaches,
    )


def _shared_values(sheet: str, rows, problems: list) -> dict[str, str]:
    """Entry-level values: taken from the first row that fills them; others must agree or be
    empty."""
    shared: dict[str, str] = {}
    for header in ENTRY_HEADERS:
        for number, row in rows:
            value = row.get(header, "").strip()
            if not value:
                continue
            if header not in shared:
                shared[header] = value
            elif value != shared[header]:
                problems.append(
                    _cell_problem(
                        sheet,
                        number,
                        header,
                        value,
                        "同一组的“%(header)s”应一致：本组前面的行填写的是“%(other)s”。",
                        header=header,
                        other=shared[header],
                    )
                )
    return shared


def _member(sheet: str, number: int, row: dict, problems: list) -> ImportedMember:
    """One member's row of an entry: name, ID number, employer, grade and bank details."""
    is_employee = _yes_no(row.get(EMPLOYEE, ""))
    if is_employee is None:
        problems.append(
            _cell_problem(
                sheet, number, EMPLOYEE, row.get(EMPLOYEE, ""), "“是否职工”只能填“是”或“否”。"
            )
        )
    grade_text = re.sub(r"\s+", "", row.get(GRADE, ""))
    grade = GRADE_VALUES.get(grade_text)
    if grade is None:
        problems.append(
            _cell_problem(
                sheet,
                number,
                GRADE,
                grade_text,
                "未知的等级；请从下拉列表中选择（如“三级/高级工”）。",
            )
        )
    employer = row.get(EMPLOYER, "").strip() or None
    if employer and len(employer) > 160:
        problems.append(_cell_problem(sheet, number, EMPLOYER, employer, "工作单位最长 160 个字。"))
    name = re.sub(r"\s+", "", row.get(NAME, ""))
    if len(name) > 80:
        problems.append(_cell_problem(sheet, number, NAME, name, "姓名最长 80 个字。"))
    return ImportedMember(
        number,
        normalise_id_number(row.get(ID_NUMBER, "")),
        name,
        employer,
        bool(is_employee),
        grade or "none",
        _bank(sheet, number, row, problems),
    )


def _placing(sheet: str, first_number: int, shared: dict, counties, problems: list) -> tuple:
    """An entry's sending county, rank, tie and result, from its shared values."""
    county_text = shared.get(COUNTY, "")
    county = counties.get(re.sub(r"\s+", "", county_text).replace("(", "（").replace(")", "）"))
    if county_text and county is None:
        problems.append(
            _cell_problem(
                sheet,
                first_number,
                COUNTY,
                county_text,
                "未知的县（市、区）“%(value)s”；请从下拉列表中选择。",
                value=county_text,
            )
        )
    rank = None
    if shared.get(RANK):
        rank = _integer(shared[RANK])
        if rank is None and not _WHOLE_NUMBER.fullmatch(shared[RANK].strip()):
            problems.append(
                _cell_problem(
                    sheet, first_number, RANK, shared[RANK], "名次应为整数（如 1、2、3）。"
                )
            )
        elif rank is None or rank > MAX_RANK:
            problems.append(
                _cell_problem(
                    sheet,
                    first_number,
                    RANK,
                    shared[RANK],
                    "决赛名次应为 1 到 100000 之间的整数。",
                )
            )
            rank = None
    is_tie = _yes_no(shared.get(TIE, ""))
    if is_tie is None:
        problems.append(
            _cell_problem(sheet, first_number, TIE, shared[TIE], "“并列”只能填“是”或“否”。")
        )
    result = None
    if shared.get(RESULT):
        result = RESULT_VALUES.get(re.sub(r"\s+", "", shared[RESULT]))
        if result is None:
            problems.append(
                _cell_problem(
                    sheet,
                    first_number,
                    RESULT,
                    shared[RESULT],
                    "未知的奖项；请从下拉列表中选择（金牌、银牌、铜牌、优胜奖、一等奖…）。",
                )
            )
    return county, rank, is_tie, result


def _coach(sheet: str, first_number: int, shared: dict, slot: int, problems: list):
    """The coach in ``slot`` of an entry (None when the slot is empty)."""
    name_h, role_h, share_h = coach_headers(slot)
    name = re.sub(r"\s+", "", shared.get(name_h, ""))
    role_text = shared.get(role_h, "")
    share_text = shared.get(share_h, "")
    if not name:
        if role_text or share_text:
            problems.append(
                _cell_problem(
                    sheet, first_number, name_h, "", "填写了角色或比例，但没有填写教练姓名。"
                )
            )
        return None
    role = ROLE_VALUES.get(role_text.strip() or "教练")
    if role is None:
        problems.append(
            _cell_problem(
                sheet, first_number, role_h, role_text, "角色只能是教练、技术指导、翻译或专家。"
            )
        )
    share = None
    if share_text:
        share = _integer(share_text.rstrip("%％"))
        if share is None or share > 100:
            problems.append(
                _cell_problem(sheet, first_number, share_h, share_text, "比例应在 0 到 100 之间。")
            )
            share = None
    coach_number = normalise_id_number(shared.get(coach_id_header(slot), ""))
    if coach_number:
        why = id_number_problem(coach_number)
        if why:
            problems.append(
                _cell_problem(
                    sheet,
                    first_number,
                    coach_id_header(slot),
                    coach_number,
                    "教练身份证号码无效：%(why)s",
                    why=ID_NUMBER_REASONS[why],
                )
            )
    return ImportedCoach(name, role or "coach", share, coach_number)
