"""Budget exports: Excel (openpyxl, write-only) and a printable PDF summary (ReportLab, laid out
page by page); both write to a binary stream as the rows come, so memory stays flat.

Plain rows in, a file out: no Flask, no database; a request or a background job calls them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import chain
from typing import BinaryIO, NamedTuple

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, SimpleDocTemplate, Spacer, Table, TableStyle

from compapp.certificates.fonts import ensure_font
from compapp.core.dates import format_day
from compapp.core.messages import N_, as_written
from compapp.core.money import capital_numerals, format_yuan
from compapp.core.pdftext import para
from compapp.core.xlsx import append_row, new_workbook, save_workbook, write_table


class BudgetRow(NamedTuple):
    """One line of a budget export, labelled (a tuple: cheap to make, spool and read)."""

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
    rows: Iterable[BudgetRow]  # consumed once: a generator keeps memory flat
    total: Decimal  # of the rows (summed in SQL)
    status_totals: list[tuple[str, Decimal]]
    citations: list[str]
    printed_on: date
    confirmations: list[str]
    notices: list[str]  # of the lines' computations (POLICY.md §4.5, §5.4)
    # The asker's language: its catalog (flask_babel's gettext) and code; the rows, totals'
    # names, citations and notices above come already in that language.
    say: Callable[..., str] = as_written
    language: str = "zh"


HEADERS = [
    N_("赛事"),
    N_("赛项"),
    N_("领取对象"),
    N_("选派单位"),
    N_("成绩"),
    N_("类型"),
    N_("金额（元）"),
    N_("状态"),
    N_("依据"),
]


def write_budget_workbook(out: BinaryIO, sheet: BudgetSheet) -> int:
    """Write the budget as an Excel workbook to ``out``, streamed: lines with a total row,
    then totals by status, citations and notices. Return how many lines were written."""
    _ = sheet.say  # the catalog's keyword, so the sentences below are extracted
    wb = new_workbook()
    ws = wb.create_sheet(_("预算明细"))
    written = write_table(
        ws,
        [_(h) for h in HEADERS],
        (
            [r.contest, r.event, r.payee, r.county, r.result, r.kind, r.amount, r.status, r.clause]
            for r in sheet.rows
        ),
        {7},
        [_("合计"), "", "", "", "", "", sheet.total, "", ""],
        widths=dict(enumerate((28, 16, 30, 26, 14, 8, 14, 12, 40), start=1)),
        caption=_("%(payer)s 奖励资金预算：%(scope)s", payer=sheet.payer, scope=sheet.scope),
    )
    if sheet.language != "en":
        append_row(ws, ["大写", capital_numerals(sheet.total)])
    totals = wb.create_sheet(_("按状态汇总"))
    append_row(totals, [_("状态"), _("金额（元）")])
    for name, amount in sheet.status_totals:
        append_row(totals, [name, amount])
    append_row(totals, [_("合计"), sheet.total])
    notes = wb.create_sheet(_("政策依据"))
    for line in sheet.citations:
        append_row(notes, [line])
    info = wb.create_sheet(_("说明"))
    info.column_dimensions["B"].width = 80
    for notice in sheet.notices:
        append_row(info, [_("提示"), notice])
    save_workbook(wb, out)
    return written


class PagedTable(Flowable):
    """A table whose rows come from an iterator, laid out one page at a time.

    ReportLab lays out a Table by measuring all of its rows and splitting it again at each
    page, so a table of 20,000 rows costs memory for all of them and time that grows faster
    than the rows. This flowable instead pulls just the rows that fit the space offered and
    emits them as an ordinary Table with the header repeated, then offers itself again for
    the next page: one page of rows exists at a time.
    """

    def __init__(self, header, rows, col_widths, style, last_row_style=()):
        super().__init__()
        self.header, self.rows = header, iter(rows)
        self.col_widths, self.style, self.last_row_style = col_widths, style, last_row_style
        self.pending = None  # a row pulled that did not fit the last page
        self.header_height = self._height(header)

    def _height(self, row) -> float:
        tallest = 0.0
        for cell, width in zip(row, self.col_widths, strict=True):
            if isinstance(cell, Flowable):
                tallest = max(tallest, cell.wrap(width - 12, 1e6)[1])
            else:
                tallest = max(tallest, 9 * 1.2)
        return tallest + 6  # the Table's top and bottom padding (3 + 3)

    def _next(self):
        if self.pending is not None:
            row, self.pending = self.pending, None
            return row
        return next(self.rows, None)

    def wrap(self, available_width, available_height):
        return available_width, available_height + 1  # never fits whole: always split

    def split(self, available_width, available_height):
        rows, used, last = [], self.header_height, False
        while True:
            row = self._next()
            if row is None:
                last = True
                break
            height = self._height(row)
            if used + height > available_height - 2:
                self.pending = row
                break
            rows.append(row)
            used += height
        if not rows and not last:
            return []  # not even one row fits here: the next frame
        # ReportLab marks a flowable that did not fit a frame and gives up if it does not fit
        # the next one either; this one fitted a page's worth, so the mark is stale.
        self.__dict__.pop("_postponed", None)
        table = Table([self.header, *rows], colWidths=self.col_widths, repeatRows=1)
        table.setStyle(TableStyle(self.style + (list(self.last_row_style) if last else [])))
        return [table] if last else [table, self]

    def draw(self):  # pragma: no cover - always split, never drawn itself
        pass


def fitted(text: str, style: ParagraphStyle, width: float):
    """A table cell's text: plain when it fits the column on one line (drawn as it is, no
    markup read, measured once), else a paragraph that wraps (``para``: escaped). A paragraph
    is laid out each time the table measures or draws it, which made most of a long budget's
    PDF time."""
    if stringWidth(text, style.fontName, style.fontSize) <= width - 6:  # padding 3 + 3
        return text
    return para(text, style)


def write_budget_pdf(out: BinaryIO, sheet: BudgetSheet) -> None:
    """Write a printable A4 landscape budget to ``out``: figures, 大写, signatures, citations.
    The lines are laid out page by page as they stream in (PagedTable)."""
    _ = sheet.say  # the catalog's keyword, so the sentences below are extracted
    font = ensure_font()
    base = ParagraphStyle("base", fontName=font, fontSize=9, leading=12)
    title = ParagraphStyle("title", parent=base, fontSize=16, leading=22, alignment=1)
    small = ParagraphStyle(
        "small", parent=base, fontSize=7.5, leading=10, textColor=colors.HexColor("#444444")
    )
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=14 * mm,
        rightMargin=14 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=_("%(payer)s 奖励资金预算确认表", payer=sheet.payer),
        author="compapp",
    )
    story = [
        para(_("%(payer)s 职业技能竞赛奖励资金预算确认表", payer=sheet.payer), title),
        Spacer(1, 4 * mm),
        para(
            _(
                "范围：%(scope)s　　打印日期：%(day)s",
                scope=sheet.scope,
                day=format_day(sheet.printed_on, sheet.language),
            ),
            base,
        ),
        Spacer(1, 3 * mm),
    ]
    for notice in sheet.notices:
        story.append(para(_("提示：%(notice)s", notice=notice), base))
    if sheet.notices:
        story.append(Spacer(1, 3 * mm))
    header = [para(_(h), base) for h in HEADERS[1:]]
    # The status column keeps the words of "Awaiting finance confirmation" whole.
    widths = [34 * mm, 52 * mm, 40 * mm, 26 * mm, 14 * mm, 30 * mm, 28 * mm, 44 * mm]
    rows = (
        [
            fitted(r.event, base, widths[0]),
            fitted(r.payee, base, widths[1]),
            fitted(r.county, base, widths[2]),
            fitted(r.result, base, widths[3]),
            r.kind,
            format_yuan(r.amount, symbol=False),
            fitted(r.status, base, widths[6]),
            para(r.clause, small),
        ]
        for r in sheet.rows
    )
    total = [_("合计"), "", "", "", "", format_yuan(sheet.total, symbol=False), "", ""]
    story.append(
        PagedTable(
            header,
            chain(rows, [total]),
            widths,
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#888888")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEF2F6")),
                ("ALIGN", (5, 1), (5, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ],
            [("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#F6F6F6"))],
        )
    )
    story.append(Spacer(1, 4 * mm))
    story.append(
        para(
            _("合计金额：%(total)s", total=format_yuan(sheet.total))
            if sheet.language == "en"
            else f"合计金额：{format_yuan(sheet.total)}（大写：{capital_numerals(sheet.total)}）",
            base,
        )
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
            [_("经办人（签字）："), "", _("审核人（签字）："), "", _("财务负责人（签字）："), ""],
            [_("日期："), "", _("日期："), "", _("单位（盖章）："), ""],
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
    story += [signatures, Spacer(1, 8 * mm), para(_("政策依据："), small)]
    story += [para(f"{i}. {c}", small) for i, c in enumerate(sheet.citations, start=1)]
    story.append(
        para(
            _(
                "标有“按 compapp 读法”的依据，以及各条提示所涉的读法，"
                "见 compapp 公开页面“compapp 对政策中不明确之处的读法”（/readings）。"
            ),
            small,
        )
    )
    story.append(
        para(
            _(
                "金额按政策文件逐条计算，每行四舍五入到分，合计为各行之和；"
                "“调整”为已确认明细之后成绩变更产生的差额。"
            ),
            small,
        )
    )
    doc.build(story)
