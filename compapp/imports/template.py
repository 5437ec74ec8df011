"""The downloadable .xlsx template of one contest: headers, drop-down lists, instructions.

Pure: takes plain values (no database), returns bytes.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from compapp.core.messages import N_, as_written
from compapp.core.vocab import GRADE_NAMES
from compapp.core.xlsx import put
from compapp.imports import layout
from compapp.policy.categories import FORMAT_NAMES

LAST_ROW = 5000
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
WIDTHS = {
    layout.OCCUPATION: 18,
    layout.NAME: 10,
    layout.ID_NUMBER: 22,
    layout.EMPLOYER: 24,
    layout.GRADE: 14,
    layout.COUNTY: 26,
}
HEADER_NOTES = {
    layout.OCCUPATION: N_("赛项的职业（工种）名称。本赛事尚无此赛项时，导入会新建。"),
    layout.FORMAT: N_("单人、双人或三人。"),
    layout.GROUP: N_(
        "双人、三人赛项必填：同一组的选手填写相同的组号（如 1、2、3）。单人赛项可留空。"
    ),
    layout.ID_NUMBER: N_("18 位身份证号码。本列为文本格式，请勿改为数字，否则末几位会丢失。"),
    layout.COUNTY: N_("选派选手的县（市、区），从下拉列表选择。"),
    layout.RANK: N_("决赛名次（整数）。成绩未出时可留空。"),
    layout.TIE: N_("并列名次填“是”。"),
    layout.RESULT: N_("只能选择本赛事类别设有的奖项；仅有名次时留空。"),
}


def _list_validation(
    formula: str, prompt: str, strict: bool = True, say: Callable[..., str] = as_written
) -> DataValidation:
    _ = say
    validation = DataValidation(type="list", formula1=formula, allow_blank=True)
    validation.error = _("请从下拉列表中选择。")
    validation.errorTitle = _("输入值无效")
    validation.prompt = prompt
    validation.showInputMessage = True
    validation.showErrorMessage = True
    # A new occupation may be typed in: warn instead of refusing.
    validation.errorStyle = "stop" if strict else "warning"
    return validation


def build_template(
    contest_name: str,
    category_name: str,
    award_on: str,
    result_labels: Sequence[str],
    county_labels: Sequence[str],
    events: Sequence[tuple[str, str]] = (),
    say: Callable[..., str] = as_written,
) -> bytes:
    """Return the template workbook for a contest.

    :param result_labels: the medals/prizes the category allows, in Chinese ("金牌" …).
    :param county_labels: counties as "德钦县（迪庆藏族自治州）", from the jurisdictions table.
    :param events: the contest's existing events as (occupation, format label).
    :param say: the catalog of the asker's language for notes, prompts and instructions; the
        sheet names, column headers and drop-down values stay the Chinese the importer reads.
    """
    _ = say  # the catalog's keyword, so the sentences below are extracted
    book = Workbook()
    sheet = book.active
    sheet.title = layout.SHEET
    sheet.append(list(layout.HEADERS))
    sheet.freeze_panes = "A2"
    for index, header in enumerate(layout.HEADERS):
        letter = layout.column_letter(index)
        cell = sheet.cell(row=1, column=index + 1)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.fill = REQUIRED_FILL if header in layout.REQUIRED_HEADERS else HEADER_FILL
        if header in HEADER_NOTES:
            cell.comment = Comment(_(HEADER_NOTES[header]), "compapp")
        sheet.column_dimensions[letter].width = WIDTHS.get(header, 12)
    # ID numbers, group numbers and ranks as text: Excel would turn 18 digits into 5.3E+17
    # and "1-2" into a date.
    for header in (layout.ID_NUMBER, layout.GROUP):
        letter = layout.column_letter(layout.HEADERS.index(header))
        sheet.column_dimensions[letter].number_format = "@"
        for row in range(2, LAST_ROW + 1):
            sheet[f"{letter}{row}"].number_format = "@"

    options = book.create_sheet(layout.OPTIONS_SHEET)
    lists = {
        "形式": list(FORMAT_NAMES.values()),
        "奖项": list(result_labels) or ["（本类别只设名次）"],
        "县": list(county_labels),
        "角色": list(layout.ROLE_LABELS.values()),
        "等级": list(GRADE_NAMES.values()),
        "是否": ["是", "否"],
        "赛项": sorted({occupation for occupation, _f in events}) or ["（尚无赛项）"],
    }
    ranges = {}
    for col, (title, values) in enumerate(lists.items(), start=1):
        letter = layout.column_letter(col - 1)
        options.cell(row=1, column=col, value=title).font = Font(bold=True)
        for row, value in enumerate(values, start=2):
            put(options, row, col, value)
        ranges[title] = f"{layout.OPTIONS_SHEET}!${letter}$2:${letter}${len(values) + 1}"
    options.sheet_state = "hidden"

    def validate(header: str, key: str, prompt: str, strict: bool = True) -> None:
        letter = layout.column_letter(layout.HEADERS.index(header))
        validation = _list_validation(ranges[key], prompt, strict, say)
        validation.add(f"{letter}2:{letter}{LAST_ROW}")
        sheet.add_data_validation(validation)

    validate(
        layout.OCCUPATION, "赛项", _("选择已有赛项，或输入新的职业（工种）名称。"), strict=False
    )
    validate(layout.FORMAT, "形式", _("单人、双人或三人"))
    validate(layout.RESULT, "奖项", _("本赛事类别设有的奖项"))
    validate(layout.COUNTY, "县", _("选派的县（市、区）"))
    validate(layout.GRADE, "等级", _("选手现有的职业技能等级"))
    validate(layout.EMPLOYEE, "是否", _("是否为企业职工"))
    validate(layout.TIE, "是否", _("名次是否并列"))
    for slot in range(1, layout.COACH_SLOTS + 1):
        validate(layout.coach_headers(slot)[1], "角色", _("教练团队中的角色"))
    rank_letter = layout.column_letter(layout.HEADERS.index(layout.RANK))
    rank_check = DataValidation(
        type="whole", operator="greaterThanOrEqual", formula1="1", allow_blank=True
    )
    rank_check.error, rank_check.errorTitle = _("名次应为不小于 1 的整数。"), _("输入值无效")
    rank_check.add(f"{rank_letter}2:{rank_letter}{LAST_ROW}")
    sheet.add_data_validation(rank_check)

    _instructions(
        book.create_sheet(layout.INSTRUCTIONS_SHEET, 0),
        contest_name,
        category_name,
        award_on,
        result_labels,
        events,
        say,
    )
    book.active = 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _instructions(
    sheet, contest_name, category_name, award_on, result_labels, events, say=as_written
) -> None:
    _ = say  # the catalog's keyword, so the sentences below are extracted
    sheet.column_dimensions["A"].width = 110
    lines = [
        (_("填写说明"), True),
        (
            _(
                "赛事：%(contest)s（%(category)s），颁奖（成绩认定）日期：%(day)s",
                contest=contest_name,
                category=category_name,
                day=award_on,
            ),
            False,
        ),
        ("", False),
        (_("1. 在“参赛组”工作表中每行填写一名选手；不要改动第一行的列标题。"), False),
        (
            _(
                "2. 双人、三人赛项：同一组的选手各占一行，填写相同的“组号”；选派县、名次、并列、奖项、"
                "教练只需在本组第一行填写（其他行留空或填写相同内容）。"
            ),
            False,
        ),
        (_("3. 单人赛项可不填组号。"), False),
        (
            _(
                "4. 身份证号码填写完整 18 位。本列已设为文本格式，请勿改为数字格式"
                "（否则 Excel 会丢掉末几位）。"
            ),
            False,
        ),
        (_("5. 形式、选派县、现有等级、奖项、是否职工、并列、教练角色请从下拉列表选择。"), False),
        (
            _(
                "6. 本赛事类别可设的奖项：%(results)s",
                results="、".join(result_labels) or _("只设名次，不设奖牌或等级奖"),
            ),
            False,
        ),
        (_("7. 名次为决赛名次（整数）；并列名次两组都填“是”。成绩未出时名次、奖项可留空。"), False),
        (_("8. 教练比例（%）为教练团队奖励的分配比例，填写时合计应为 100；不分配时留空。"), False),
        (_("9. 请勿合并单元格，请勿使用公式；日期不要填入任何列。"), False),
        (
            _(
                "10. 上传后系统先逐行检查（不保存），列出全部问题并可下载标出问题单元格的报告；"
                "全部无误并确认后才一次性保存。"
            ),
            False,
        ),
        (
            _(
                "11. 再次上传同一文件不会重复登记；修改后的文件会列出新增、修改和文件中没有的参赛组，"
                "需确认后保存。已确认（复核）的成绩不会被导入覆盖，需走更正流程。"
            ),
            False,
        ),
        (
            _(
                "12. 文件可为 .xlsx 或 CSV（UTF-8 或 Excel 默认的中文编码 GB18030）；"
                "最多 20,000 行，最大 10 MB。"
            ),
            False,
        ),
        ("", False),
        (_("示例（双人赛项）："), True),
        (
            _(
                "赛项（工种）=电工，形式=双人，组号=1，选手姓名=张三，身份证号=533422199001011234，"
                "选派县=德钦县（迪庆藏族自治州），名次=1，奖项=金牌，教练1=李四"
            ),
            False,
        ),
        (
            _(
                "赛项（工种）=电工，形式=双人，组号=1，选手姓名=王五，身份证号=…（本组第二行，其余可留空）"
            ),
            False,
        ),
    ]
    if events:
        lines.append(("", False))
        lines.append((_("本赛事已有赛项："), True))
        for occupation, format_label in events:
            lines.append((f"    {occupation}（{format_label}）", False))
    for row, (text, bold) in enumerate(lines, start=1):
        cell = put(sheet, row, 1, text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if bold:
            cell.font = Font(bold=True, size=13 if row == 1 else 11)
