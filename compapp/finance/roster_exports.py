"""The payment roster (发放花名册) as a print-ready Excel sheet and a PDF, written to a binary
stream as the rows come (openpyxl write-only; ReportLab laid out page by page), so memory
stays flat at any length.

Plain rows in, a file out: no Flask, no database; a request or a background job calls them.
The headings and fixed words are in the asker's language (``say``, the catalog); names,
documents and 文号 stay as recorded. The roster holds full ID and account numbers: only the
paying level's finance officer receives it (compapp.finance.views).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from io import BytesIO
from itertools import chain
from typing import BinaryIO

from openpyxl.styles import Alignment
from openpyxl.worksheet.properties import PageSetupProperties
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from compapp.certificates.fonts import ensure_font
from compapp.core.bank import group_account
from compapp.core.dates import format_day
from compapp.core.messages import N_, as_written
from compapp.core.money import capital_numerals, format_yuan, from_fen
from compapp.core.pdftext import lines, markup, para
from compapp.core.xlsx import (
    append_row,
    cell,
    column_cells,
    new_workbook,
    save_workbook,
    write_table,
)
from compapp.finance.exports import PagedTable


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


@dataclass
class RosterSheet:
    """A roster to write: its rows as a stream (consumed once), in the asker's language."""

    payer: str
    scope: str  # a contest's name or the year ("2025 年度" / "Year 2025")
    rows: Iterable[RosterRow]
    printed_on: date | None = None
    several: bool = False  # the rows span contests (a year's roster): each names its contest
    say: Callable[..., str] = as_written
    language: str = "zh"


class Tally:
    """Counts the rows and their amounts as they stream past (the totals come last)."""

    def __init__(self) -> None:
        self.count, self.fen = 0, 0

    def __call__(self, rows: Iterable[RosterRow]) -> Iterator[RosterRow]:
        for row in rows:
            self.count += 1
            self.fen += row.amount_fen
            yield row

    @property
    def total(self) -> Decimal:
        return from_fen(self.fen)


HEADERS = [
    N_("序号"),
    N_("姓名"),
    N_("身份"),
    N_("身份证号码"),
    N_("赛事"),
    N_("赛项"),
    N_("成绩"),
    N_("开户银行"),
    N_("开户网点"),
    N_("银行账号"),
    N_("金额（元）"),
    N_("政策依据"),
    N_("备注"),
    N_("领款人签字"),
    N_("支付凭证号"),
    N_("支付日期"),
    N_("明细编号（勿改）"),
]
MONEY_COL = HEADERS.index("金额（元）") + 1
TEXT_COLS = [HEADERS.index(h) + 1 for h in ("身份证号码", "银行账号", "明细编号（勿改）")]
# Every column a person reads wraps (the number and money columns and the office's own
# columns do not).
WRAPPED_COLS = [
    HEADERS.index(h) + 1
    for h in HEADERS
    if h not in ("序号", "金额（元）", "领款人签字", "支付凭证号", "支付日期")
]
WIDTHS = (6, 10, 9, 21, 24, 14, 12, 16, 18, 25, 14, 40, 18, 14, 16, 12, 14)
SIGNATURES = [
    N_("经办人（签字）："),
    N_("审核人（签字）："),
    N_("财务负责人（签字）："),
    N_("单位（盖章）："),
]
WARNING = N_(
    "本表含完整身份证号码和银行账号，仅供承担单位财务发放使用，请妥善保管。"
    "教练团队奖励按组织者登记的分配比例拆分到人（按分计算，最大余数法，各人之和等于团队奖励）。"
)


def line_ref(ids: list[int]) -> str:
    return ",".join(str(i) for i in ids)


def write_roster_workbook(out: BinaryIO, sheet: RosterSheet) -> int:
    """Write the roster as an A4 landscape sheet to ``out``, streamed: repeated header,
    totals, 大写 (Chinese) and signatures. Return how many payees (rows) were written."""
    _ = sheet.say  # the catalog's keyword, so the sentences below are extracted
    missing, paid = _("未登记"), _("已支付")
    wb = new_workbook()
    ws = wb.create_sheet(_("发放花名册"))
    tally = Tally()
    wrap = Alignment(vertical="center", wrap_text=True)
    text = {"number_format": "@", "alignment": wrap}  # ID, account: kept as text
    wrapped = {"alignment": wrap}
    columns = {c: column_cells(ws, **(text if c in TEXT_COLS else wrapped)) for c in WRAPPED_COLS}

    def styled(values: list) -> list:
        return [columns[c](v) if c in columns else v for c, v in enumerate(values, start=1)]

    rows = (
        styled(
            [
                n,
                r.name,
                r.role,
                r.id_number or missing,
                r.contest,
                r.event,
                r.result,
                r.bank_name or missing,
                r.branch,
                group_account(r.account_number) if r.account_number else missing,
                r.amount,
                "；".join(r.clauses),
                "；".join(x for x in (r.note, paid if r.paid else "") if x),
                None,  # signature, voucher and date: left for the office
                None,
                None,
                line_ref(r.line_ids),
            ]
        )
        for n, r in enumerate(tally(sheet.rows), start=1)
    )

    def total() -> list:
        row = [_("合计"), _("%(n)s 人", n=tally.count), *[""] * (MONEY_COL - 3), tally.total]
        return row + [""] * (len(HEADERS) - len(row))

    printed = sheet.printed_on.isoformat() if sheet.printed_on else ""
    ws.print_title_rows = "2:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = _("第 &P 页，共 &N 页")
    ws.oddHeader.center.text = _("%(payer)s 发放花名册", payer=sheet.payer)
    ws.print_options.horizontalCentered = True
    write_table(
        ws,
        [_(h) for h in HEADERS],
        rows,
        {MONEY_COL},
        total,
        widths=dict(enumerate(WIDTHS, start=1)),
        caption=_(
            "%(payer)s 职业技能竞赛奖励资金发放花名册：%(scope)s（打印日期 %(day)s）",
            payer=sheet.payer,
            scope=sheet.scope,
            day=printed,
        ),
    )
    last = tally.count + 3  # caption, header, rows, total
    if sheet.language != "en":
        append_row(ws, ["大写", "", "", capital_numerals(tally.total)])
        last += 1
    append_row(ws, [])
    signed = [_(SIGNATURES[0]), "", "", "", _(SIGNATURES[1]), "", "", _(SIGNATURES[2]), "", ""]
    ws.append([cell(ws, v, bold=True) for v in [*signed, _(SIGNATURES[3])]])
    # The payment columns are the office's, not printed.
    ws.print_area = f"A1:N{last + 2}"
    save_workbook(wb, out)
    return tally.count


def roster_workbook(roster: Roster) -> bytes:
    """The roster's workbook as bytes (Chinese)."""
    out = BytesIO()
    write_roster_workbook(out, _sheet_of(roster))
    return out.getvalue()


def _sheet_of(roster: Roster) -> RosterSheet:
    several = len({r.contest for r in roster.rows}) > 1
    return RosterSheet(roster.payer, roster.scope, roster.rows, roster.printed_on, several)


class Later(Flowable):
    """A paragraph made when it is laid out: the totals after a streamed table."""

    def __init__(self, make: Callable[[], Flowable]) -> None:
        super().__init__()
        self.make, self.made = make, None

    def wrap(self, available_width, available_height):
        self.made = self.made or self.make()
        return self.made.wrap(available_width, available_height)

    def draw(self):
        self.made.drawOn(self.canv, 0, 0)


def write_roster_pdf(out: BinaryIO, sheet: RosterSheet) -> int:
    """Write the roster as an A4 landscape PDF to ``out``, laid out page by page as the rows
    stream in: page numbers, totals, 大写 (Chinese) and signature lines. Return the rows."""
    _ = sheet.say  # the catalog's keyword, so the sentences below are extracted
    missing = _("未登记")
    font = ensure_font()
    base = ParagraphStyle("base", fontName=font, fontSize=8.5, leading=11)
    small = ParagraphStyle("small", parent=base, fontSize=7, leading=9)
    title = ParagraphStyle("title", parent=base, fontSize=15, leading=20, alignment=1)
    heading = _("%(payer)s 发放花名册", payer=sheet.payer)
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=10 * mm,
        rightMargin=10 * mm,
        topMargin=12 * mm,
        bottomMargin=14 * mm,
        title=heading,
        author="compapp",
    )

    def page_number(canvas, document):
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.drawCentredString(
            landscape(A4)[0] / 2,
            7 * mm,
            _("%(heading)s · 第 %(page)s 页", heading=heading, page=document.page),
        )
        canvas.restoreState()

    head = [
        _("序号"),
        _("姓名"),
        _("身份证号码"),
        _("赛事 / 赛项 / 成绩") if sheet.several else _("赛项 / 成绩"),
        _("开户银行及网点"),
        _("银行账号"),
        _("金额（元）"),
        _("依据"),
        _("领款人签字"),
    ]
    tally = Tally()

    def row(n: int, r: RosterRow) -> list:
        who = f"{markup(r.name)}<br/><font size=7>{markup(r.role)}</font>"
        if r.note:
            who += f"<br/><font size=6.5>{markup(r.note)}</font>"
        return [
            str(n),
            Paragraph(who, base),
            r.id_number or missing,
            lines(((r.contest,) if sheet.several else ()) + (r.event, r.result), small),
            para(f"{r.bank_name} {r.branch}".strip() or missing, small),
            # A paragraph, so that a long (up to 30-digit) number wraps between its groups.
            para(group_account(r.account_number) if r.account_number else missing, base),
            format_yuan(r.amount, symbol=False),
            para("；".join(r.clauses), small),
            "",
        ]

    def total_row():
        return [
            _("合计"),
            _("%(n)s 人", n=tally.count),
            "",
            "",
            "",
            "",
            format_yuan(tally.total, symbol=False),
            "",
            "",
        ]

    def last():  # the total row, made once every row has streamed past
        yield total_row()

    rows = (row(n, r) for n, r in enumerate(tally(sheet.rows), start=1))
    widths = [12 * mm, 26 * mm, 36 * mm, 36 * mm, 38 * mm, 42 * mm, 24 * mm, 38 * mm, 25 * mm]
    table = PagedTable(
        [para(h, base) for h in head],
        chain(rows, last()),
        widths,
        [
            ("FONTNAME", (0, 0), (-1, -1), font),
            ("FONTSIZE", (0, 0), (-1, -1), 8.5),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#666666")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEF2F6")),
            ("ALIGN", (6, 1), (6, -1), "RIGHT"),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("MINROWHEIGHT", (0, 1), (-1, -1), 10 * mm),
        ],
        [("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#F6F6F6"))],
    )
    printed = format_day(sheet.printed_on, sheet.language) if sheet.printed_on else ""

    def summary():
        if sheet.language == "en":
            text = _(
                "合计金额：%(total)s，共 %(n)s 人。",
                total=format_yuan(tally.total),
                n=tally.count,
            )
        else:
            text = (
                f"合计金额：{format_yuan(tally.total)}（大写：{capital_numerals(tally.total)}），"
                f"共 {tally.count} 人。"
            )
        return para(text, base)

    story = [
        para(_("%(payer)s 职业技能竞赛奖励资金发放花名册", payer=sheet.payer), title),
        Spacer(1, 3 * mm),
        para(_("范围：%(scope)s　　打印日期：%(day)s", scope=sheet.scope, day=printed), base),
        Spacer(1, 3 * mm),
        table,
        Spacer(1, 4 * mm),
        Later(summary),
        Spacer(1, 10 * mm),
    ]
    signatures = Table(
        [[_(SIGNATURES[0]), "", _(SIGNATURES[1]), "", _(SIGNATURES[2]), "", _(SIGNATURES[3]), ""]],
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
    story += [signatures, Spacer(1, 4 * mm), para(_(WARNING), small)]
    doc.build(story, onFirstPage=page_number, onLaterPages=page_number)
    return tally.count


def roster_pdf(roster: Roster) -> bytes:
    """The roster's PDF as bytes (Chinese)."""
    out = BytesIO()
    write_roster_pdf(out, _sheet_of(roster))
    return out.getvalue()
