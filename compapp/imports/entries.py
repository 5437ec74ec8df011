"""Turn the rows of a read sheet into entries: one row per competitor, the rows of one pair
or trio sharing 赛项、形式 and 组号; every cell checked, each problem named.

Pure: no Flask, no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from compapp.core.bank import bank_problems, clean_bank_details, mask_account
from compapp.core.idnumber import id_number_problem, normalise_id_number
from compapp.imports.layout import (
    ACCOUNT,
    BANK_NAME,
    BRANCH,
    COACH_SLOTS,
    COUNTY,
    EMPLOYEE,
    EMPLOYER,
    ENTRY_HEADERS,
    FORMAT,
    FORMAT_VALUES,
    GRADE,
    GRADE_VALUES,
    GROUP,
    ID_NUMBER,
    NAME,
    NO,
    OCCUPATION,
    RANK,
    RESULT,
    RESULT_VALUES,
    ROLE_VALUES,
    TIE,
    YES,
    coach_headers,
    coach_id_header,
)
from compapp.imports.reading import CellProblem, Table, cell_problem


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
            problems.append(cell_problem(sheet, number, OCCUPATION, "", "请填写赛项（工种）。"))
        if event_format is None:
            problems.append(
                cell_problem(sheet, number, FORMAT, raw_format, "形式只能是“单人”“双人”或“三人”。")
            )
        group = row.get(GROUP, "").strip()
        if not occupation or event_format is None:
            continue
        if not group:
            if event_format != "individual":
                problems.append(
                    cell_problem(
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
        problems.append(cell_problem(sheet, number, headers[field_name], shown, message))
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
                    cell_problem(
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
            cell_problem(
                sheet, number, EMPLOYEE, row.get(EMPLOYEE, ""), "“是否职工”只能填“是”或“否”。"
            )
        )
    grade_text = re.sub(r"\s+", "", row.get(GRADE, ""))
    grade = GRADE_VALUES.get(grade_text)
    if grade is None:
        problems.append(
            cell_problem(
                sheet,
                number,
                GRADE,
                grade_text,
                "未知的等级；请从下拉列表中选择（如“三级/高级工”）。",
            )
        )
    employer = row.get(EMPLOYER, "").strip() or None
    if employer and len(employer) > 160:
        problems.append(cell_problem(sheet, number, EMPLOYER, employer, "工作单位最长 160 个字。"))
    name = re.sub(r"\s+", "", row.get(NAME, ""))
    if len(name) > 80:
        problems.append(cell_problem(sheet, number, NAME, name, "姓名最长 80 个字。"))
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
            cell_problem(
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
                cell_problem(
                    sheet, first_number, RANK, shared[RANK], "名次应为整数（如 1、2、3）。"
                )
            )
        elif rank is None or rank > MAX_RANK:
            problems.append(
                cell_problem(
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
            cell_problem(sheet, first_number, TIE, shared[TIE], "“并列”只能填“是”或“否”。")
        )
    result = None
    if shared.get(RESULT):
        result = RESULT_VALUES.get(re.sub(r"\s+", "", shared[RESULT]))
        if result is None:
            problems.append(
                cell_problem(
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
                cell_problem(
                    sheet, first_number, name_h, "", "填写了角色或比例，但没有填写教练姓名。"
                )
            )
        return None
    role = ROLE_VALUES.get(role_text.strip() or "教练")
    if role is None:
        problems.append(
            cell_problem(
                sheet, first_number, role_h, role_text, "角色只能是教练、技术指导、翻译或专家。"
            )
        )
    share = None
    if share_text:
        share = _integer(share_text.rstrip("%％"))
        if share is None or share > 100:
            problems.append(
                cell_problem(sheet, first_number, share_h, share_text, "比例应在 0 到 100 之间。")
            )
            share = None
    coach_number = normalise_id_number(shared.get(coach_id_header(slot), ""))
    if coach_number:
        why = id_number_problem(coach_number)
        if why:
            problems.append(
                cell_problem(
                    sheet,
                    first_number,
                    coach_id_header(slot),
                    coach_number,
                    "教练身份证号码无效：%(why)s",
                    why=ID_NUMBER_REASONS[why],
                )
            )
    return ImportedCoach(name, role or "coach", share, coach_number)
