"""Rendered certificates: copyable text, embedded font, a QR code that decodes to the URL."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import date

import pytest
from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth

from compapp.certificates.content import (
    Placing,
    award_certificate,
    promotion_certificate,
    title_certificate,
    verify_url,
)
from compapp.certificates.fonts import GlyphMissing, ensure_font
from compapp.certificates.pdf import (
    PREVIEW_MARK,
    render_certificate,
    render_preview,
    wrap_text,
)
from compapp.certificates.serials import new_serial

BASE_URL = "https://compapp.example.cn"


def _contents(serial: str) -> dict:
    common = dict(serial=serial, issued_on=date(2025, 11, 3))
    return {
        "award": award_certificate(
            Placing(
                holder_name="欧阳娜娜",
                contest_name="2024年全国职业技能大赛",
                event_name="焊接",
                result_text="金牌",
                **common,
            )
        ),
        "coach": award_certificate(
            Placing(
                holder_name="王五",
                contest_name="第47届世界技能大赛",
                event_name="砌筑",
                result_text="优胜奖",
                **common,
            ),
            holder_role="教练",
        ),
        "promotion": promotion_certificate(
            Placing(
                holder_name="扎西",
                contest_name="2025年云南省第三届职业技能大赛",
                event_name="中式烹调师",
                result_text="第 2 名",
                **common,
            ),
            from_grade="三级/高级工",
            to_grade="二级/技师",
        ),
        "title": title_certificate(
            Placing(
                holder_name="李四",
                contest_name="2025年云南省第三届职业技能大赛",
                event_name="电工",
                result_text="第 1 名",
                **common,
            )
        ),
    }


def _run(*args: str, stdin: bytes | None = None) -> bytes:
    return subprocess.run(args, input=stdin, capture_output=True, check=True).stdout


def _pdftotext(pdf: bytes) -> str:
    return _run("pdftotext", "-layout", "-", "-", stdin=pdf).decode("utf-8")


def _pypdf_text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture(scope="module")
def award_pdf() -> tuple[bytes, str, str]:
    serial = new_serial()
    url = verify_url(BASE_URL, serial)
    return render_certificate(_contents(serial)["award"], url), serial, url


def test_holder_name_and_serial_read_back_with_pypdf(award_pdf):
    """The name is real text a person can copy out (CONTRACT.md, Certificates)."""
    pdf, serial, _url = award_pdf
    text = _pypdf_text(pdf)
    assert "欧阳娜娜" in text
    assert serial in text


def test_holder_name_and_serial_read_back_with_pdftotext(award_pdf):
    """Poppler reads the same text: the font carries a ToUnicode map."""
    pdf, serial, _url = award_pdf
    text = _pdftotext(pdf)
    assert "欧阳娜娜" in text
    assert f"证书编号：{serial}" in text
    assert "获" in text and "云南省人力资源和社会保障厅" in text


def test_every_font_in_the_pdf_is_embedded(award_pdf):
    """pdffonts lists only the WenQuanYi TrueType subset, embedded (no STSong CID font)."""
    pdf, _serial, _url = award_pdf
    out = _run("pdffonts", "-", stdin=pdf).decode()
    rows = [line.split() for line in out.splitlines()[2:] if line.strip()]
    assert rows, out
    for row in rows:
        # name, type..., encoding, emb, sub, uni, object, generation
        emb, _sub, uni = row[-5], row[-4], row[-3]
        assert "WenQuanYiMicroHei" in row[0], out
        assert "TrueType" in row, out
        assert (emb, uni) == ("yes", "yes"), out


def test_qr_code_decodes_to_the_verify_url(award_pdf, tmp_path):
    """The QR code points to /verify/<serial> (CONTRACT.md, Certificates)."""
    pdf, _serial, url = award_pdf
    (tmp_path / "c.pdf").write_bytes(pdf)
    _run(
        "pdftoppm", "-png", "-r", "150", "-singlefile", str(tmp_path / "c.pdf"), str(tmp_path / "c")
    )
    decoded = _run("zbarimg", "--quiet", "--raw", str(tmp_path / "c.png")).decode().strip()
    assert decoded == url


def test_certificate_is_one_a4_landscape_page(award_pdf):
    """Certificates are A4 landscape: 842 x 595 points."""
    pdf, _serial, _url = award_pdf
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) == 1
    box = pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)


@pytest.mark.parametrize("kind", ["award", "coach", "promotion", "title"])
def test_each_kind_renders_its_title_name_and_body(kind, tmp_path):
    """Every kind renders; its title, holder, wording and QR code come out as expected."""
    serial = new_serial()
    content = _contents(serial)[kind]
    url = verify_url(BASE_URL, serial)
    pdf = render_certificate(content, url)
    text = re.sub(r"\s+", "", _pdftotext(pdf))
    expected_title = {
        "award": "获奖证书",
        "coach": "获奖证书",
        "promotion": "晋升职业技能等级确认书",
    }
    assert expected_title.get(kind, "荣誉证书") in text
    assert content.holder_name in text and serial in text
    assert content.contest_name in text
    extra = {"coach": "指导选手", "promotion": "二级/技师", "title": "云南竞赛技术能手"}
    assert extra.get(kind, "金牌") in text
    (tmp_path / "c.pdf").write_bytes(pdf)
    _run(
        "pdftoppm", "-png", "-r", "150", "-singlefile", str(tmp_path / "c.pdf"), str(tmp_path / "c")
    )
    assert _run("zbarimg", "--quiet", "--raw", str(tmp_path / "c.png")).decode().strip() == url


def test_preview_carries_the_watermark_and_the_certificate_does_not():
    """Previews before issuing say 样本 PREVIEW across the page; issued ones don't."""
    serial = new_serial()
    content = _contents(serial)["title"]
    url = verify_url(BASE_URL, serial)
    # pypdf, since pdftotext -layout leaves out the rotated mark.
    assert "样本 PREVIEW" in _pypdf_text(render_preview(content, url))
    assert "PREVIEW" not in _pypdf_text(render_certificate(content, url))
    assert PREVIEW_MARK == "样本 PREVIEW"


def test_same_certificate_renders_to_the_same_bytes():
    """Rendering is deterministic, so a re-render can be compared with an issued file."""
    serial = new_serial()
    content = _contents(serial)["promotion"]
    url = verify_url(BASE_URL, serial)
    assert render_certificate(content, url) == render_certificate(content, url)


def test_wrapped_lines_fit_and_never_start_with_closing_punctuation():
    """Chinese line breaking: within the width, no line opens with ，。、 or a closing quote."""
    font = ensure_font()
    text = (
        "依据《迪庆藏族自治州人民政府关于实施“技能云南”行动迪庆方案的意见》，经核准，授予“云南竞赛技术能手”称号。"
        * 3
    )
    lines = wrap_text(text, font, 17, 300)
    assert "".join(lines) == text
    assert len(lines) > 3
    for line in lines[1:]:
        assert line[0] not in "，。、；：）》”"
    for line in lines:
        # A closing mark may overhang by one character, as in print.
        assert stringWidth(line.rstrip("，。、；：）》”"), font, 17) <= 300


def test_name_with_a_character_outside_the_font_is_refused_not_printed_as_a_box():
    """An official certificate never shows an empty box where a name's character should be."""
    serial = new_serial()
    content = award_certificate(
        Placing(
            serial=serial,
            holder_name="刘䶮",
            contest_name="2024年全国职业技能大赛",
            event_name="焊接",
            result_text="金牌",
            issued_on=date(2024, 9, 15),
        )
    )
    with pytest.raises(GlyphMissing, match="holder_name '䶮'"):
        render_certificate(content, verify_url(BASE_URL, serial))
