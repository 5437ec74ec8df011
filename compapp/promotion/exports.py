"""The public notice (公示) of grade promotions as a PDF (ReportLab) and an Excel workbook.

Pure: takes a ``NoticeDocument`` of plain values and returns bytes; no Flask, no database.
Text is drawn in the embedded WenQuanYi Micro Hei TrueType font, so it can be copied out.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from compapp.certificates.fonts import GlyphMissing, ensure_font, missing_glyphs
from compapp.certificates.pdf import wrap_text
from compapp.core.dates import format_date
from compapp.core.pdftext import lines, para
from compapp.core.xlsx import append_row

NOTICE_TITLE = "职业技能等级晋升公示"
COLUMNS = ("序号", "姓名", "工作单位", "选送单位", "职业（工种）", "决赛名次", "现有等级",
           "拟晋升等级", "称号", "依据")  # fmt: skip
# Widths in mm; they add up to the 180 mm between A4 margins of 15 mm.
# Text width inside the frame (6 pt padding each side), less 1 pt so wrapped lines fit.
TEXT_WIDTH = 180 * mm - 13
COLUMN_WIDTHS_MM = (8, 15, 25, 18, 19, 17, 18, 18, 27, 15)


@dataclass(frozen=True)
class NoticeRow:
    """One promoted competitor as the notice prints them."""

    name: str
    employer: str
    county: str
    occupation: str
    placing: str
    from_grade: str
    to_grade: str
    title: str
    basis: str


@dataclass(frozen=True)
class NoticeDocument:
    """Everything a notice prints."""

    contest_name: str
    category_name: str
    award_on: date
    policy_document: str
    policy_id: str
    published_on: date
    working_days: int
    ends_on: date
    holidays_in_period: tuple[date, ...]
    issuer: str
    contact: str
    rows: tuple[NoticeRow, ...]


def cn_date(day: date) -> str:
    """Return a date the way a notice prints it: 2026年12月4日."""
    return format_date(day, "arabic")


def intro_text(doc: NoticeDocument) -> str:
    """Return the opening paragraph of the notice."""
    return (
        f"根据《{doc.policy_document}》（{doc.policy_id}）关于竞赛获奖选手技能等级晋升的规定，"
        f"经审核，以下 {len(doc.rows)} 名选手在{doc.contest_name}（{doc.category_name}，"
        f"{cn_date(doc.award_on)}）中取得的决赛名次符合职业技能等级晋升条件，现予以公示。"
    )


def period_text(doc: NoticeDocument) -> str:
    """Return the sentence giving the notice period and its end date."""
    rest = ""
    if doc.holidays_in_period:
        days = "、".join(f"{d.month}月{d.day}日" for d in doc.holidays_in_period)
        rest = f"，不含周末及节假日（{days}）"
    else:
        rest = "，不含周末及节假日"
    return (
        f"公示期：{cn_date(doc.published_on)}至{cn_date(doc.ends_on)}"
        f"（{doc.working_days} 个工作日{rest}）。公示期满无异议的，按程序确认晋升。"
    )


def _all_text(doc: NoticeDocument) -> str:
    parts = [NOTICE_TITLE, intro_text(doc), period_text(doc), doc.contact, doc.issuer, *COLUMNS]
    for row in doc.rows:
        parts.extend(
            [row.name, row.employer, row.county, row.occupation, row.placing, row.from_grade,
             row.to_grade, row.title, row.basis]
        )  # fmt: skip
    return "".join(parts)


def notice_pdf(doc: NoticeDocument) -> bytes:
    """Render the notice as an A4 PDF; raise ``GlyphMissing`` for text the font can't draw."""
    font = ensure_font()
    missing = missing_glyphs(_all_text(doc))
    if missing:
        raise GlyphMissing(
            f"公示中有字体无法显示的字符：{'、'.join(missing)}。请核对姓名或单位的写法。"
        )
    title = ParagraphStyle("title", fontName=font, fontSize=18, leading=26, alignment=TA_CENTER)
    body = ParagraphStyle(
        "body", fontName=font, fontSize=10.5, leading=17, firstLineIndent=21, wordWrap="CJK"
    )
    cell = ParagraphStyle("cell", fontName=font, fontSize=8, leading=10.5, wordWrap="CJK")
    head = ParagraphStyle("head", parent=cell, alignment=TA_CENTER)
    right = ParagraphStyle("right", parent=body, alignment=TA_RIGHT, firstLineIndent=0)

    def prose(text: str) -> Paragraph:
        # Break lines ourselves: ReportLab's CJK wrapping may start a line with "，". One
        # character of room is kept for closing punctuation that overhangs (避头点).
        width = TEXT_WIDTH - body.fontSize
        wrapped = wrap_text(text, font, body.fontSize, width, indent=body.firstLineIndent)
        return lines(wrapped, body)

    data = [[para(c, head) for c in COLUMNS]]
    for number, row in enumerate(doc.rows, start=1):
        data.append(
            [
                para(str(number), head),
                para(row.name, cell),
                para(row.employer, cell),
                para(row.county, cell),
                para(row.occupation, cell),
                para(row.placing, cell),
                para(row.from_grade, cell),
                para(row.to_grade, cell),
                para(row.title, cell),
                para(row.basis, cell),
            ]
        )
    table = Table(data, colWidths=[w * mm for w in COLUMN_WIDTHS_MM], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                # A Table sets its own default font (Helvetica, not embedded) unless told.
                ("FONT", (0, 0), (-1, -1), font, 8),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#555555")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEF2F6")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    story = [
        para(NOTICE_TITLE, title),
        Spacer(1, 6 * mm),
        prose(intro_text(doc)),
        Spacer(1, 4 * mm),
        table,
        Spacer(1, 4 * mm),
        # The period, whom to tell and the signature stay together: a signature never
        # stands alone at the top of a page, away from what it signs.
        KeepTogether(
            [
                prose(period_text(doc)),
                prose(doc.contact),
                Spacer(1, 10 * mm),
                para(doc.issuer, right),
                para(cn_date(doc.published_on), right),
            ]
        ),
    ]

    def footer(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.drawCentredString(A4[0] / 2, 10 * mm, f"第 {document.page} 页")
        canvas.restoreState()

    out = io.BytesIO()
    pdf = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"{NOTICE_TITLE} {doc.contest_name}",
        author=doc.issuer,
        # A fixed id keeps the same notice byte-identical between downloads.
        invariant=True,
        initialFontName=font,  # keeps an unembedded Helvetica out of the file
    )
    pdf.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


HEADER_FILL = PatternFill("solid", fgColor="EEF2F6")
EXCEL_WIDTHS = (6, 12, 28, 24, 22, 16, 16, 16, 18, 14)


def notice_workbook(doc: NoticeDocument) -> bytes:
    """Build the notice as an Excel workbook: heading lines, then one row per competitor."""
    wb = Workbook()
    ws = wb.active
    ws.title = "晋升公示"
    append_row(ws, [NOTICE_TITLE])
    ws["A1"].font = Font(bold=True, size=14)
    append_row(ws, [intro_text(doc)])
    append_row(ws, [period_text(doc)])
    append_row(ws, [f"公示截止日期：{cn_date(doc.ends_on)}"])
    append_row(ws, [])
    append_row(ws, list(COLUMNS))
    header_row = ws.max_row
    for c in ws[header_row]:
        c.font = Font(bold=True)
        c.fill = HEADER_FILL
        c.alignment = Alignment(vertical="center", wrap_text=True)
    for number, row in enumerate(doc.rows, start=1):
        append_row(
            ws,
            [number, row.name, row.employer, row.county, row.occupation, row.placing,
             row.from_grade, row.to_grade, row.title, row.basis],
        )  # fmt: skip
    append_row(ws, [])
    append_row(ws, [doc.contact])
    append_row(ws, [f"{doc.issuer}　{cn_date(doc.published_on)}"])
    for index, width in enumerate(EXCEL_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)

    info = wb.create_sheet("说明")
    append_row(info, ["赛事", doc.contest_name])
    append_row(info, ["赛事类别", doc.category_name])
    append_row(info, ["颁奖日期", doc.award_on])
    append_row(info, ["政策", f"《{doc.policy_document}》（{doc.policy_id}）"])
    append_row(info, ["公示日期", doc.published_on])
    append_row(info, ["公示工作日数", doc.working_days])
    append_row(info, ["公示截止日期", doc.ends_on])
    append_row(
        info, ["期内节假日", "、".join(d.isoformat() for d in doc.holidays_in_period) or "—"]
    )
    append_row(info, ["发布单位", doc.issuer])
    for (c,) in info.iter_rows(min_col=2, max_col=2):
        if isinstance(c.value, date):
            c.number_format = "yyyy-mm-dd"
    info.column_dimensions["A"].width = 14
    info.column_dimensions["B"].width = 80
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
