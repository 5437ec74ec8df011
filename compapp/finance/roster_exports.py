"""The payment roster (发放花名册) as a print-ready Excel sheet and a PDF; both return bytes.

Plain rows in, bytes out: no Flask, no database. The roster holds full ID and account
numbers: only the paying level's finance officer receives it (compapp.finance.views).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.properties import PageSetupProperties
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from compapp.certificates.fonts import ensure_font
from compapp.core.bank import group_account
from compapp.core.money import capital_numerals, format_yuan, from_fen
from compapp.core.pdftext import lines, markup, para
from compapp.core.xlsx import append_row, write_table


@dataclass
class RosterRow:
    contest: str
    event: str
    result: str
    name: str
    role: str  # 选手 / 教练 / 技术指导 …
    id_number: str  # full; "" when not recorded
    bank_name: str
    branch: str
    account_number: str  # full digits; "" when not recorded
    amount_fen: int
    clauses: list[str]
    line_ids: list[int]
    paid: bool
    note: str = ""
    county: str = ""

    @property
    def amount(self) -> Decimal:
        return from_fen(self.amount_fen)

    @property
    def complete(self) -> bool:
        return bool(self.id_number and self.account_number)


@dataclass
class Roster:
    payer: str
    scope: str  # a contest's name or "2025 年度"
    rows: list[RosterRow] = field(default_factory=list)
    line_total_fen: int = 0  # the lines' sum: the rows add up to it (checked by tests)
    printed_on: date | None = None

    @property
    def total_fen(self) -> int:
        return sum(r.amount_fen for r in self.rows)

    @property
    def total(self) -> Decimal:
        return from_fen(self.total_fen)

    @property
    def incomplete(self) -> list[RosterRow]:
        return [r for r in self.rows if not r.complete]


HEADERS = [
    "序号",
    "姓名",
    "身份",
    "身份证号码",
    "赛事",
    "赛项",
    "成绩",
    "开户银行",
    "开户网点",
    "银行账号",
    "金额（元）",
    "政策依据",
    "备注",
    "领款人签字",
    "支付凭证号",
    "支付日期",
    "明细编号（勿改）",
]
MONEY_COL = HEADERS.index("金额（元）") + 1
TEXT_COLS = [HEADERS.index(h) + 1 for h in ("身份证号码", "银行账号", "明细编号（勿改）")]
WIDTHS = (6, 10, 9, 21, 24, 14, 12, 16, 18, 25, 14, 40, 18, 14, 16, 12, 14)


def line_ref(ids: list[int]) -> str:
    return ",".join(str(i) for i in ids)


def roster_workbook(roster: Roster) -> bytes:
    """The roster as an A4 landscape sheet: repeated header, totals, 大写 and signatures."""
    wb = Workbook()
    ws = wb.active
    ws.title = "发放花名册"
    rows = [
        [
            n,
            r.name,
            r.role,
            r.id_number or "未登记",
            r.contest,
            r.event,
            r.result,
            r.bank_name or "未登记",
            r.branch,
            group_account(r.account_number) if r.account_number else "未登记",
            r.amount,
            "；".join(r.clauses),
            "；".join(x for x in (r.note, "已支付" if r.paid else "") if x),
            "",
            "",
            "",
            line_ref(r.line_ids),
        ]
        for n, r in enumerate(roster.rows, start=1)
    ]
    total = ["合计", f"{len(roster.rows)} 人", *[""] * (MONEY_COL - 3), roster.total]
    total += [""] * (len(HEADERS) - len(total))
    printed = roster.printed_on.isoformat() if roster.printed_on else ""
    write_table(
        ws,
        HEADERS,
        rows,
        {MONEY_COL},
        total,
        widths=dict(enumerate(WIDTHS, start=1)),
        caption=f"{roster.payer} 职业技能竞赛奖励资金发放花名册：{roster.scope}（打印日期 {printed}）",
    )
    for col in TEXT_COLS:
        for (cell,) in ws.iter_rows(min_row=3, max_row=ws.max_row, min_col=col, max_col=col):
            cell.number_format = "@"
    for row in ws.iter_rows(min_row=3, max_row=ws.max_row):
        for cell in row:
            cell.alignment = Alignment(vertical="center", wrap_text=True)
    last = ws.max_row
    append_row(ws, ["大写", "", "", capital_numerals(roster.total)])
    append_row(ws, [])
    append_row(
        ws,
        [
            "经办人（签字）：",
            "",
            "",
            "",
            "审核人（签字）：",
            "",
            "",
            "财务负责人（签字）：",
            "",
            "",
            "单位（盖章）：",
        ],
    )
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    ws.print_title_rows = "2:2"
    ws.print_area = f"A1:N{ws.max_row}"  # the payment columns are the office's, not printed
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddHeader.center.text = f"{roster.payer} 发放花名册"
    ws.print_options.horizontalCentered = True
    for row in range(3, last + 1):
        ws.row_dimensions[row].height = 30
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def roster_pdf(roster: Roster) -> bytes:
    """The roster as an A4 landscape PDF with page numbers, totals, 大写 and signature lines."""
    font = ensure_font()
    base = ParagraphStyle("base", fontName=font, fontSize=8.5, leading=11)
    small = ParagraphStyle("small", parent=base, fontSize=7, leading=9)
    title = ParagraphStyle("title", parent=base, fontSize=15, leading=20, alignment=1)
    out = BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=10 * mm,
        rightMargin=10 * mm,
        topMargin=12 * mm,
        bottomMargin=14 * mm,
        title=f"{roster.payer} 发放花名册",
        author="compapp",
    )

    def page_number(canvas, document):
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.drawCentredString(
            landscape(A4)[0] / 2, 7 * mm, f"{roster.payer} 发放花名册 · 第 {document.page} 页"
        )
        canvas.restoreState()

    # A year's roster spans contests: each row then names its contest too.
    several = len({r.contest for r in roster.rows}) > 1
    head = [
        "序号",
        "姓名",
        "身份证号码",
        "赛事 / 赛项 / 成绩" if several else "赛项 / 成绩",
        "开户银行及网点",
        "银行账号",
        "金额（元）",
        "依据",
        "领款人签字",
    ]
    data = [[para(h, base) for h in head]]
    for n, r in enumerate(roster.rows, start=1):
        who = f"{markup(r.name)}<br/><font size=7>{markup(r.role)}</font>"
        if r.note:
            who += f"<br/><font size=6.5>{markup(r.note)}</font>"
        data.append(
            [
                str(n),
                Paragraph(who, base),
                r.id_number or "未登记",
                lines(((r.contest,) if several else ()) + (r.event, r.result), small),
                para(f"{r.bank_name} {r.branch}".strip() or "未登记", small),
                # A paragraph, so that a long (up to 30-digit) number wraps between its groups.
                para(group_account(r.account_number) if r.account_number else "未登记", base),
                format_yuan(r.amount, symbol=False),
                para("；".join(r.clauses), small),
                "",
            ]
        )
    data.append(
        [
            "合计",
            f"{len(roster.rows)} 人",
            "",
            "",
            "",
            "",
            format_yuan(roster.total, symbol=False),
            "",
            "",
        ]
    )
    table = Table(
        data,
        repeatRows=1,
        colWidths=[12 * mm, 26 * mm, 36 * mm, 36 * mm, 38 * mm, 42 * mm, 24 * mm, 38 * mm, 25 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTSIZE", (0, 0), (-1, -1), 8.5),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#666666")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEF2F6")),
                ("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#F6F6F6")),
                ("ALIGN", (6, 1), (6, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("MINROWHEIGHT", (0, 1), (-1, -1), 10 * mm),
            ]
        )
    )
    printed = roster.printed_on.isoformat() if roster.printed_on else ""
    story = [
        para(f"{roster.payer} 职业技能竞赛奖励资金发放花名册", title),
        Spacer(1, 3 * mm),
        para(f"范围：{roster.scope}　　打印日期：{printed}", base),
        Spacer(1, 3 * mm),
        table,
        Spacer(1, 4 * mm),
        para(
            f"合计金额：{format_yuan(roster.total)}（大写：{capital_numerals(roster.total)}），"
            f"共 {len(roster.rows)} 人。",
            base,
        ),
        Spacer(1, 10 * mm),
    ]
    signatures = Table(
        [
            [
                "经办人（签字）：",
                "",
                "审核人（签字）：",
                "",
                "财务负责人（签字）：",
                "",
                "单位（盖章）：",
                "",
            ]
        ],
        colWidths=[28 * mm, 40 * mm, 28 * mm, 40 * mm, 34 * mm, 40 * mm, 26 * mm, 30 * mm],
        rowHeights=12 * mm,
    )
    signatures.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                *[("LINEBELOW", (c, 0), (c, 0), 0.5, colors.black) for c in (1, 3, 5, 7)],
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ]
        )
    )
    story += [
        signatures,
        Spacer(1, 4 * mm),
        para(
            "本表含完整身份证号码和银行账号，仅供承担单位财务发放使用，请妥善保管。"
            "教练团队奖励按组织者登记的分配比例拆分到人（按分计算，最大余数法，各人之和等于团队奖励）。",
            small,
        ),
    ]
    doc.build(story, onFirstPage=page_number, onLaterPages=page_number)
    return out.getvalue()
