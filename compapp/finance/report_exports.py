"""The annual execution report as Excel (with bar charts) and PDF (with bar charts); bytes out.

Plain rows in, bytes out: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from io import BytesIO

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from compapp.certificates.fonts import ensure_font
from compapp.core.messages import N_, as_written
from compapp.core.money import capital_numerals, format_yuan, from_fen
from compapp.core.pdftext import para
from compapp.core.xlsx import append_row, write_table


@dataclass(frozen=True)
class ReportRow:
    label: str
    confirmed_fen: int
    paid_fen: int
    entries: int

    @property
    def unpaid_fen(self) -> int:
        return self.confirmed_fen - self.paid_fen


@dataclass
class Report:
    payer: str
    year: int
    by_contest: list[ReportRow] = field(default_factory=list)
    by_category: list[ReportRow] = field(default_factory=list)
    by_prefecture: list[ReportRow] = field(default_factory=list)
    by_county: list[ReportRow] = field(default_factory=list)
    by_month: list[ReportRow] = field(default_factory=list)
    by_clause: list[ReportRow] = field(default_factory=list)
    # The asker's language: its catalog (flask_babel's gettext) and code; the rows' labels
    # come already in that language.
    say: Callable[..., str] = as_written
    language: str = "zh"

    @property
    def confirmed_fen(self) -> int:
        return sum(r.confirmed_fen for r in self.by_contest)

    @property
    def paid_fen(self) -> int:
        return sum(r.paid_fen for r in self.by_contest)

    def sections(self) -> list[tuple[str, str, list[ReportRow]]]:
        return [
            (N_("按赛事"), N_("赛事"), self.by_contest),
            (N_("按赛事类别"), N_("赛事类别"), self.by_category),
            (N_("按州（市）"), N_("选派州（市）"), self.by_prefecture),
            (N_("按县（市、区）"), N_("选派县（市、区）"), self.by_county),
            (N_("按月份"), N_("颁奖月份"), self.by_month),
            (N_("按政策依据"), N_("政策文件及条款"), self.by_clause),
        ]


HEADERS_TAIL = [N_("参赛组数"), N_("已确认（元）"), N_("已支付（元）"), N_("未支付（元）")]
CHARTED = (N_("按月份"), N_("按赛事类别"), N_("按州（市）"))


def report_workbook(report: Report) -> bytes:
    """One sheet per breakdown with totals, and bar charts of the month and category sheets."""
    _ = report.say  # the catalog's keyword, so the sentences below are extracted
    wb = Workbook()
    summary = wb.active
    summary.title = _("汇总")
    append_row(summary, [_title(report)])
    append_row(summary, [_("已确认（元）"), from_fen(report.confirmed_fen)])
    append_row(summary, [_("已支付（元）"), from_fen(report.paid_fen)])
    append_row(summary, [_("未支付（元）"), from_fen(report.confirmed_fen - report.paid_fen)])
    if report.language != "en":  # 大写: Chinese capital numerals, for Chinese files
        append_row(summary, ["已支付（大写）", capital_numerals(from_fen(report.paid_fen))])
    summary.column_dimensions["A"].width = 18
    summary.column_dimensions["B"].width = 40
    for row in range(2, 5):
        summary.cell(row=row, column=2).number_format = "#,##0.00"
    for key, label, rows in report.sections():
        title = _(key)
        ws = wb.create_sheet(title)
        write_table(
            ws,
            [_(label), *(_(h) for h in HEADERS_TAIL)],
            [
                [
                    r.label,
                    r.entries,
                    from_fen(r.confirmed_fen),
                    from_fen(r.paid_fen),
                    from_fen(r.unpaid_fen),
                ]
                for r in rows
            ],
            {3, 4, 5},
            [
                _("合计"),
                sum(r.entries for r in rows),
                from_fen(sum(r.confirmed_fen for r in rows)),
                from_fen(sum(r.paid_fen for r in rows)),
                from_fen(sum(r.unpaid_fen for r in rows)),
            ],
            widths={1: 48, 2: 10, 3: 16, 4: 16, 5: 16},
            caption=_(
                "%(payer)s %(year)s 年度：%(title)s",
                payer=report.payer,
                year=report.year,
                title=title,
            ),
        )
        ws.print_title_rows = "2:2"
        ws.page_setup.orientation = "landscape"
        if key in CHARTED and rows:
            chart = BarChart()
            chart.type = "col"
            chart.title = _("%(title)s（元）", title=title)
            chart.y_axis.title = _("元")
            data = Reference(ws, min_col=3, max_col=4, min_row=2, max_row=2 + len(rows))
            cats = Reference(ws, min_col=1, min_row=3, max_row=2 + len(rows))
            chart.add_data(data, titles_from_data=True)
            chart.set_categories(cats)
            chart.height, chart.width = 8, 18
            ws.add_chart(chart, "G3")
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _title(report: Report) -> str:
    _ = report.say
    return _(
        "%(payer)s %(year)s 年度职业技能竞赛奖励资金执行情况", payer=report.payer, year=report.year
    )


def _bar_chart(
    rows: list[ReportRow], font: str, title: str, horizontal: bool = False, say=as_written
) -> Drawing:
    """Confirmed and paid amounts (in 10,000 yuan) as grouped bars, labelled in the language
    of ``say``."""
    _ = say
    height = 70 * mm if not horizontal else max(50 * mm, (12 + 9 * len(rows)) * mm)
    drawing = Drawing(170 * mm, height)
    chart = HorizontalBarChart() if horizontal else VerticalBarChart()
    chart.x, chart.y = (60 * mm, 10 * mm) if horizontal else (18 * mm, 18 * mm)
    chart.width = 100 * mm if horizontal else 145 * mm
    chart.height = height - (18 * mm if horizontal else 30 * mm)
    chart.data = [
        [r.confirmed_fen / 1_000_000 for r in rows],
        [r.paid_fen / 1_000_000 for r in rows],
    ]
    chart.categoryAxis.categoryNames = [r.label[:18] for r in rows]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = colors.HexColor("#4C78A8")
    chart.bars[1].fillColor = colors.HexColor("#F58518")
    if not horizontal:
        chart.categoryAxis.labels.angle = 30
        chart.categoryAxis.labels.dy = -8
    drawing.add(chart)
    drawing.add(
        String(
            0,
            height - 8,
            _("%(title)s（万元；蓝：已确认，橙：已支付）", title=title),
            fontName=font,
            fontSize=9,
        )
    )
    return drawing


def report_pdf(report: Report) -> bytes:
    """A4 portrait: summary, charts by month, category and prefecture, then every table."""
    _ = report.say  # the catalog's keyword, so the sentences below are extracted
    font = ensure_font()
    base = ParagraphStyle("base", fontName=font, fontSize=9, leading=12)
    heading = ParagraphStyle("heading", parent=base, fontSize=16, leading=22, alignment=1)
    h2 = ParagraphStyle("h2", parent=base, fontSize=11.5, leading=16, spaceBefore=6)
    out = BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=_title(report),
        author="compapp",
    )
    paid, confirmed = from_fen(report.paid_fen), from_fen(report.confirmed_fen)
    story = [
        para(_title(report), heading),
        Spacer(1, 4 * mm),
        para(
            _(
                "已确认 %(confirmed)s，已支付 %(paid)s，未支付 %(unpaid)s。"
                "按颁奖日期在 %(year)s 年内的赛事统计。",
                confirmed=format_yuan(confirmed),
                paid=format_yuan(paid),
                unpaid=format_yuan(confirmed - paid),
                year=report.year,
            )
            if report.language == "en"
            else f"已确认 {format_yuan(confirmed)}，已支付 {format_yuan(paid)}"
            f"（{capital_numerals(paid)}），未支付 {format_yuan(confirmed - paid)}。"
            f"按颁奖日期在 {report.year} 年内的赛事统计。",
            base,
        ),
        Spacer(1, 3 * mm),
    ]
    if any(r.confirmed_fen for r in report.by_month):
        story.append(_bar_chart(report.by_month, font, _("按月份"), say=_))
    if report.by_category:
        story.append(_bar_chart(report.by_category, font, _("按赛事类别"), horizontal=True, say=_))
    if report.by_prefecture:
        story.append(
            _bar_chart(report.by_prefecture, font, _("按选派州（市）"), horizontal=True, say=_)
        )
    for key, label, rows in report.sections():
        story.append(para(_(key), h2))
        data = [[para(_(h), base) for h in [label, *HEADERS_TAIL]]]
        for r in rows:
            data.append(
                [
                    para(r.label, base),
                    str(r.entries),
                    format_yuan(from_fen(r.confirmed_fen), symbol=False),
                    format_yuan(from_fen(r.paid_fen), symbol=False),
                    format_yuan(from_fen(r.unpaid_fen), symbol=False),
                ]
            )
        data.append(
            [
                _("合计"),
                str(sum(r.entries for r in rows)),
                format_yuan(from_fen(sum(r.confirmed_fen for r in rows)), symbol=False),
                format_yuan(from_fen(sum(r.paid_fen for r in rows)), symbol=False),
                format_yuan(from_fen(sum(r.unpaid_fen for r in rows)), symbol=False),
            ]
        )
        table = Table(data, repeatRows=1, colWidths=[78 * mm, 18 * mm, 28 * mm, 28 * mm, 28 * mm])
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), font),
                    ("FONTSIZE", (0, 0), (-1, -1), 8.5),
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#888888")),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEF2F6")),
                    ("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#F6F6F6")),
                    ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ]
            )
        )
        story.append(table)
    doc.build(story)
    return out.getvalue()
