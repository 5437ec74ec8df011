"""The award list (获奖名单) as Excel and PDF: the public one (masked names) and the internal
one (full names). Plain rows in, bytes out: no Flask, no database; never ID or bank data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from io import BytesIO

from openpyxl import Workbook
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from compapp.certificates.fonts import ensure_font
from compapp.core.dates import format_day
from compapp.core.messages import N_, as_written
from compapp.core.money import format_yuan, from_fen
from compapp.core.pdftext import para
from compapp.core.xlsx import write_table

HEADERS = [
    N_("赛项"),
    N_("形式"),
    N_("成绩"),
    N_("姓名"),
    N_("类别"),
    N_("选派单位"),
    N_("省级（元）"),
    N_("州（市）级（元）"),
    N_("县级（元）"),
    N_("合计（元）"),
]
LEVEL_KEYS = ("province_fen", "prefecture_fen", "county_fen", "total_fen")


def _cells(row: dict) -> list:
    return [row["event"], row["format"], row["result"], row["name"], row["kind"], row["county"]]


def award_list_workbook(content: dict, title: str, say: Callable[..., str] = as_written) -> bytes:
    """The award list as a workbook, in the language of ``say`` (flask_babel's gettext from a
    request; Chinese by default)."""
    _ = say  # the catalog's keyword, so the sentences below are extracted
    wb = Workbook()
    ws = wb.active
    ws.title = _("获奖名单")
    write_table(
        ws,
        [_(h) for h in HEADERS],
        [_cells(r) + [from_fen(r[k]) for k in LEVEL_KEYS] for r in content["rows"]],
        {7, 8, 9, 10},
        [_("合计"), "", "", _("%(n)s 行", n=len(content["rows"])), "", ""]
        + [from_fen(content["totals"][k]) for k in LEVEL_KEYS],
        widths=dict(enumerate((16, 8, 14, 20, 10, 22, 14, 16, 14, 14), start=1)),
        caption=title,
    )
    ws.print_title_rows = "2:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.oddFooter.center.text = _("第 &P 页，共 &N 页")
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def award_list_pdf(
    content: dict,
    title: str,
    footnote: str,
    say: Callable[..., str] = as_written,
    language: str = "zh",
) -> bytes:
    """The award list as a PDF, in the language of ``say`` (Chinese by default: the public
    list is a Chinese document)."""
    _ = say  # the catalog's keyword, so the sentences below are extracted
    font = ensure_font()
    base = ParagraphStyle("base", fontName=font, fontSize=9, leading=12)
    heading = ParagraphStyle("heading", parent=base, fontSize=15, leading=20, alignment=1)
    small = ParagraphStyle("small", parent=base, fontSize=7.5, leading=10)
    out = BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=title,
        author="compapp",
    )
    data = [[para(_(h), base) for h in HEADERS]]
    for r in content["rows"]:
        data.append(
            [para(str(c), base) for c in _cells(r)]
            + [format_yuan(from_fen(r[k]), symbol=False) for k in LEVEL_KEYS]
        )
    data.append(
        [_("合计"), "", "", "", "", ""]
        + [format_yuan(from_fen(content["totals"][k]), symbol=False) for k in LEVEL_KEYS]
    )
    table = Table(
        data,
        repeatRows=1,
        # Wide enough for an occupation of 9 characters and for English labels on one line.
        colWidths=[
            38 * mm,
            20 * mm,
            30 * mm,
            34 * mm,
            22 * mm,
            30 * mm,
            24 * mm,
            24 * mm,
            24 * mm,
            24 * mm,
        ],
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#888888")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEF2F6")),
                ("ALIGN", (6, 1), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    story = [
        para(title, heading),
        Spacer(1, 3 * mm),
        para(
            _(
                "%(category)s · 成绩认定日期 %(day)s · %(organiser)s",
                category=content["category"],
                day=format_day(date.fromisoformat(content["award_on"]), language),
                organiser=content["organiser"],
            ),
            base,
        ),
        Spacer(1, 3 * mm),
        table,
        Spacer(1, 4 * mm),
        para(footnote, small),
    ]
    doc.build(story)
    return out.getvalue()
