"""Budget exports: Excel (openpyxl) and a printable PDF summary (ReportLab); both return bytes.

Plain rows in, bytes out: no Flask, no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from io import BytesIO

from openpyxl import Workbook
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from compapp.certificates.fonts import ensure_font
from compapp.core.money import capital_numerals, format_yuan
from compapp.core.pdftext import para
from compapp.core.xlsx import append_row, write_table


@dataclass(frozen=True)
class BudgetRow:
    contest: str
    event: str
    payee: str  # "选手 张三" / "教练团队（和建华、木文军）"
    county: str
    result: str
    amount: Decimal
    kind: str  # 奖励 / 调整
    status: str
    clause: str


@dataclass(frozen=True)
class BudgetSheet:
    payer: str
    scope: str  # contest name or "2024 年度"
    rows: list[BudgetRow]
    status_totals: list[tuple[str, Decimal]]
    citations: list[str]
    printed_on: date
    confirmations: list[str]
    notices: list[str]  # of the lines' computations (POLICY.md §4.5, §5.4)

    @property
    def total(self) -> Decimal:
        return sum((r.amount for r in self.rows), Decimal("0.00"))


HEADERS = ["赛事", "赛项", "领取对象", "选派单位", "成绩", "类型", "金额（元）", "状态", "依据"]


def budget_workbook(sheet: BudgetSheet) -> bytes:
    """The budget as an Excel workbook: lines with a total row, then totals by status."""
    wb = Workbook()
    ws = wb.active
    ws.title = "预算明细"
    write_table(
        ws,
        HEADERS,
        [
            [r.contest, r.event, r.payee, r.county, r.result, r.kind, r.amount, r.status, r.clause]
            for r in sheet.rows
        ],
        {7},
        ["合计", "", "", "", "", "", sheet.total, "", ""],
        widths=dict(enumerate((28, 16, 30, 26, 14, 8, 14, 12, 40), start=1)),
        caption=f"{sheet.payer} 奖励资金预算：{sheet.scope}",
    )
    append_row(ws, ["大写", capital_numerals(sheet.total)])
    totals = wb.create_sheet("按状态汇总")
    append_row(totals, ["状态", "金额（元）"])
    for name, amount in sheet.status_totals:
        append_row(totals, [name, amount])
    append_row(totals, ["合计", sheet.total])
    notes = wb.create_sheet("政策依据")
    for line in sheet.citations:
        append_row(notes, [line])
    info = wb.create_sheet("说明")
    for notice in sheet.notices:
        append_row(info, ["提示", notice])
    info.column_dimensions["B"].width = 80
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def budget_pdf(sheet: BudgetSheet) -> bytes:
    """A printable A4 landscape budget summary with figures, 大写, signatures and citations."""
    font = ensure_font()
    base = ParagraphStyle("base", fontName=font, fontSize=9, leading=12)
    title = ParagraphStyle("title", parent=base, fontSize=16, leading=22, alignment=1)
    small = ParagraphStyle(
        "small", parent=base, fontSize=7.5, leading=10, textColor=colors.HexColor("#444444")
    )
    out = BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=14 * mm,
        rightMargin=14 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=f"{sheet.payer} 奖励资金预算确认表",
        author="compapp",
    )
    story = [
        para(f"{sheet.payer} 职业技能竞赛奖励资金预算确认表", title),
        Spacer(1, 4 * mm),
        para(f"范围：{sheet.scope}　　打印日期：{sheet.printed_on.isoformat()}", base),
        Spacer(1, 3 * mm),
    ]
    for notice in sheet.notices:
        story.append(para(f"提示：{notice}", base))
    if sheet.notices:
        story.append(Spacer(1, 3 * mm))
    data = [
        [
            para(h, base)
            for h in ("赛项", "领取对象", "选派单位", "成绩", "类型", "金额（元）", "状态", "依据")
        ]
    ]
    for r in sheet.rows:
        data.append(
            [
                para(r.event, base),
                para(r.payee, base),
                para(r.county, base),
                para(r.result, base),
                r.kind,
                format_yuan(r.amount, symbol=False),
                r.status,
                para(r.clause, small),
            ]
        )
    data.append(["合计", "", "", "", "", format_yuan(sheet.total, symbol=False), "", ""])
    table = Table(
        data,
        repeatRows=1,
        colWidths=[34 * mm, 52 * mm, 40 * mm, 26 * mm, 14 * mm, 30 * mm, 22 * mm, 50 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#888888")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEF2F6")),
                ("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#F6F6F6")),
                ("ALIGN", (5, 1), (5, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    story += [table, Spacer(1, 4 * mm)]
    story.append(
        para(f"合计金额：{format_yuan(sheet.total)}（大写：{capital_numerals(sheet.total)}）", base)
    )
    story.append(
        para(
            "　".join(f"{name} {format_yuan(amount)}" for name, amount in sheet.status_totals), base
        )
    )
    for text in sheet.confirmations:
        story.append(para(text, base))
    story.append(Spacer(1, 10 * mm))
    signatures = Table(
        [
            ["经办人（签字）：", "", "审核人（签字）：", "", "财务负责人（签字）：", ""],
            ["日期：", "", "日期：", "", "单位（盖章）：", ""],
        ],
        colWidths=[30 * mm, 55 * mm, 30 * mm, 55 * mm, 36 * mm, 55 * mm],
        rowHeights=12 * mm,
    )
    signatures.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTSIZE", (0, 0), (-1, -1), 10),
                ("LINEBELOW", (1, 0), (1, -1), 0.5, colors.black),
                ("LINEBELOW", (3, 0), (3, -1), 0.5, colors.black),
                ("LINEBELOW", (5, 0), (5, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ]
        )
    )
    story += [signatures, Spacer(1, 8 * mm), para("政策依据：", small)]
    story += [para(f"{i}. {c}", small) for i, c in enumerate(sheet.citations, start=1)]
    story.append(
        para(
            "金额按政策文件逐条计算，每行四舍五入到分，合计为各行之和；“调整”为已确认明细之后成绩变更产生的差额。",
            small,
        )
    )
    doc.build(story)
    return out.getvalue()
