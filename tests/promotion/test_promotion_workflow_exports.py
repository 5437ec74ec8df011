"""The public notice (公示) exports: pure rendering, embedded font, refused glyphs.

The notice publishes confirmed promotions for at least 5 working days
(003_a0dee99659bd7bcf.txt:3520); the exports take plain values and return bytes.
"""

from __future__ import annotations

import ast
import io
import re
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from compapp.certificates.fonts import GlyphMissing
from compapp.promotion.exports import NoticeDocument, NoticeRow, notice_pdf, notice_workbook

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("flask", "flask_babel", "flask_login", "flask_wtf", "sqlalchemy", "wtforms")


def document(name: str = "格桑次仁", rows: int = 1) -> NoticeDocument:
    row = NoticeRow(
        name=name, employer="德钦县梅里雪山旅游公司", county="德钦县", occupation="中式烹调师",
        placing="双人赛项第 2 名", from_grade="三级/高级工", to_grade="二级/技师",
        title="云南竞赛技术能手", basis="第(1)项",
    )  # fmt: skip
    return NoticeDocument(
        contest_name="2025年云南省乡村工匠职业技能竞赛",
        category_name="其他省级一类职业技能竞赛",
        award_on=date(2025, 8, 22),
        policy_document="迪庆藏族自治州人民政府关于实施“技能云南”行动迪庆方案的意见",
        policy_id="dq-2022",
        published_on=date(2026, 11, 27),
        working_days=5,
        ends_on=date(2026, 12, 4),
        holidays_in_period=(date(2026, 12, 1),),
        issuer="迪庆藏族自治州人力资源和社会保障局",
        contact="如有异议，请于公示期内反映。联系电话：0887-8221234",
        rows=(row,) * rows,
    )


def test_exports_module_imports_no_framework():
    """Rendering is pure: no Flask, SQLAlchemy or WTForms in compapp/promotion/exports.py."""
    tree = ast.parse((ROOT / "compapp/promotion/exports.py").read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert not imported & set(FORBIDDEN)


def test_pdf_embeds_every_font_it_uses():
    """Text is real text in an embedded font (CONTRACT: a person can copy the name out)."""
    reader = PdfReader(io.BytesIO(notice_pdf(document())))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    for ref in fonts.values():
        font = ref.get_object()
        base = str(font["/BaseFont"])
        assert "WenQuanYiMicroHei" in base, base
        descriptor = font.get("/FontDescriptor") or font["/DescendantFonts"][0]["/FontDescriptor"]
        assert "/FontFile2" in descriptor.get_object()


def test_pdf_states_the_period_with_the_holiday_and_the_end_date():
    """The period sentence names the holiday that was not counted and the end date."""
    text = re.sub(r"\s+", "", PdfReader(io.BytesIO(notice_pdf(document()))).pages[0].extract_text())
    assert "公示期：2026年11月27日至2026年12月4日（5个工作日，不含周末及节假日（12月1日））" in text


def test_pdf_runs_onto_more_pages_with_the_header_repeated():
    """A long list continues on the next A4 page under the same column headings."""
    reader = PdfReader(io.BytesIO(notice_pdf(document(rows=60))))
    assert len(reader.pages) >= 2
    assert "拟晋升等级" in reader.pages[1].extract_text()


def test_pdf_refuses_a_name_the_font_cannot_draw():
    """A character without a glyph would print as an empty box: refuse and say which."""
    with pytest.raises(GlyphMissing, match="𠀀"):
        notice_pdf(document("扎西𠀀"))


def test_workbook_has_the_list_and_the_dates():
    """The Excel notice: heading lines, one row per competitor, the dates on 说明."""
    wb = load_workbook(io.BytesIO(notice_workbook(document(rows=2))))
    ws = wb["晋升公示"]
    assert ws["A1"].value == "职业技能等级晋升公示"
    assert ws["A4"].value == "公示截止日期：2026年12月4日"
    assert [ws.cell(row=r, column=2).value for r in (7, 8)] == ["格桑次仁", "格桑次仁"]
    assert wb["说明"]["B7"].value.date() == date(2026, 12, 4)
    assert wb["说明"]["B8"].value == "2026-12-01"


@pytest.mark.parametrize("pad", range(0, 24, 3))
def test_pdf_keeps_the_phone_number_on_one_line(pad):
    """Reproduction: the contact line broke inside 0887-8221234. Wherever the number falls
    on the line (the text before it grows a character at a time), it is never cut."""
    from dataclasses import replace

    doc = replace(
        document(),
        contact="如有异议，请于公示期内以书面形式向"
        + "迪" * pad
        + "州人社局反映。联系电话：0887-8221234",
    )
    reader = PdfReader(io.BytesIO(notice_pdf(doc)))
    lines = [ln.strip() for page in reader.pages for ln in page.extract_text().splitlines()]
    assert any("0887-8221234" in line for line in lines), lines


@pytest.mark.parametrize("rows", range(20, 40))
def test_pdf_keeps_the_signature_with_the_text_it_signs(rows):
    """However long the list, the issuer and date are on the page of the contact line that
    precedes them (a signature alone at the top of a page signs nothing)."""
    reader = PdfReader(io.BytesIO(notice_pdf(document(rows=rows))))
    pages = [re.sub(r"\s+", "", page.extract_text()) for page in reader.pages]
    signed = [i for i, text in enumerate(pages) if "迪庆藏族自治州人力资源和社会保障局" in text]
    contact = [i for i, text in enumerate(pages) if "联系电话" in text]
    assert signed and contact and signed[-1] == contact[-1], (signed, contact, len(pages))
