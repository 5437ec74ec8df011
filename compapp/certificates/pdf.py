"""Draw a certificate as a one-page PDF with ReportLab; returns bytes, touches no database."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields, replace

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab import rl_config
from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from compapp.certificates.content import (
    CertificateContent,
    CertificateTemplate,
    body_text,
    format_date,
    label_text,
    load_template,
)
from compapp.certificates.fonts import GlyphMissing, ensure_font, missing_glyphs

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
PREVIEW_MARK = "样本 PREVIEW"
QR_MASK_PATTERN = 2
# Chinese typesetting never starts a line with closing punctuation (避头点).
_NO_LINE_START = set("，。、；：？！）》」』”’．,.;:?!)%")
_NO_LINE_END = set("（《「『“‘(")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


# A run of Latin letters, digits and the marks inside numbers, addresses and serials
# (0887-8221234, https://…, ¥30,000.00) is one unbreakable piece; any other character is one.
_PIECE = re.compile(r"[0-9A-Za-z¥][0-9A-Za-z¥\-./:@_,%+]*[0-9A-Za-z%]|.", re.S)


def wrap_text(text: str, font: str, size: float, width: float, indent: float = 0) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` points, character by character.

    Chinese has no spaces to break at; closing punctuation is kept on the line before
    (it may overhang the margin slightly, as in print), opening punctuation on the line after.
    A telephone number, an address or a serial is not cut (unless it is wider than a line).
    """
    lines: list[str] = []
    line = ""
    line_width = indent
    pieces: list[str] = []
    for piece in _PIECE.findall(text):
        if len(piece) > 1 and stringWidth(piece, font, size) > width - indent:
            pieces.extend(piece)
        else:
            pieces.append(piece)
    for piece in pieces:
        w = stringWidth(piece, font, size)
        if line and line_width + w > width and piece[0] not in _NO_LINE_START:
            carry = ""
            while line and line[-1] in _NO_LINE_END:
                carry, line = line[-1] + carry, line[:-1]
            lines.append(line)
            line = carry
            line_width = stringWidth(carry, font, size)
        line += piece
        line_width += w
    if line:
        lines.append(line)
    # Don't leave one character alone on the last line: bring the previous character down.
    if len(lines) > 1 and len(lines[-1].rstrip("".join(_NO_LINE_START))) == 1:
        if lines[-2] and lines[-2][-1] not in _NO_LINE_START:
            lines[-2], lines[-1] = lines[-2][:-1], lines[-2][-1] + lines[-1]
    return lines


def qr_image(data: str) -> ImageReader:
    """Return a QR code of ``data`` as a one-pixel-per-module image ready for drawImage.

    A PIL bitmap drawn with drawImage is several times faster than ReportLab's QR widget,
    which draws every module as a vector rectangle.
    """
    # A fixed mask skips qrcode's trial of all eight masks (half the cost of a certificate);
    # every mask gives a valid code, the trial only picks the most evenly patterned.
    code = qrcode.QRCode(
        error_correction=ERROR_CORRECT_M, box_size=1, border=0, mask_pattern=QR_MASK_PATTERN
    )
    code.add_data(data)
    code.make(fit=True)
    return ImageReader(code.make_image().get_image())


def _draw_frame(c: Canvas, t: CertificateTemplate) -> None:
    layout, colours = t.layout, t.colours
    c.setFillColor(HexColor(colours["background"]))
    c.rect(0, 0, PAGE_WIDTH, PAGE_HEIGHT, stroke=0, fill=1)

    outer = layout["border_outer"] * mm
    inner = layout["border_inner"] * mm
    c.setStrokeColor(HexColor(colours["border"]))
    c.setLineWidth(3.2)
    c.rect(outer, outer, PAGE_WIDTH - 2 * outer, PAGE_HEIGHT - 2 * outer)
    c.setLineWidth(0.7)
    rule = outer + 1.6 * mm
    c.rect(rule, rule, PAGE_WIDTH - 2 * rule, PAGE_HEIGHT - 2 * rule)

    # A row of beads in the band between the two borders: one dashed stroke with round caps
    # draws them all, far cheaper than a path per bead.
    band = (rule + inner) / 2
    c.saveState()
    c.setStrokeColor(HexColor(colours["accent"]))
    c.setLineWidth(1.3 * mm)
    c.setLineCap(1)
    c.setDash([0, 4 * mm])
    c.rect(band, band, PAGE_WIDTH - 2 * band, PAGE_HEIGHT - 2 * band)
    c.restoreState()

    c.setStrokeColor(HexColor(colours["accent"]))
    c.setFillColor(HexColor(colours["accent"]))
    c.setLineWidth(1.2)
    c.rect(inner, inner, PAGE_WIDTH - 2 * inner, PAGE_HEIGHT - 2 * inner)
    # Corner ornaments: a filled square set on its point, with bracket lines.
    arm = 14 * mm
    for cx, cy, sx, sy in (
        (inner, inner, 1, 1),
        (PAGE_WIDTH - inner, inner, -1, 1),
        (inner, PAGE_HEIGHT - inner, 1, -1),
        (PAGE_WIDTH - inner, PAGE_HEIGHT - inner, -1, -1),
    ):
        d = 3 * mm
        c.lines(
            [
                (cx + sx * d, cy + sy * d, cx + sx * arm, cy + sy * d),
                (cx + sx * d, cy + sy * d, cx + sx * d, cy + sy * arm),
            ]
        )
        corner = c.beginPath()
        corner.moveTo(cx, cy - 2.2 * mm)
        corner.lineTo(cx + 2.2 * mm, cy)
        corner.lineTo(cx, cy + 2.2 * mm)
        corner.lineTo(cx - 2.2 * mm, cy)
        corner.close()
        c.drawPath(corner, stroke=0, fill=1)


def _draw_centred(c: Canvas, font: str, size: float, y: float, text: str, space: float) -> None:
    width = stringWidth(text, font, size) + space * (len(text) - 1)
    obj = c.beginText((PAGE_WIDTH - width) / 2, y)
    obj.setFont(font, size)
    obj.setCharSpace(space)
    obj.textOut(text)
    # Tc is graphics state in PDF and outlives the text object: reset it for later text.
    obj.setCharSpace(0)
    c.drawText(obj)


def _draw_content(
    c: Canvas, content: CertificateContent, verify_url: str, t: CertificateTemplate, font: str
) -> None:
    layout, colours = t.layout, t.colours
    text_colour = HexColor(colours["text"])
    accent = HexColor(colours["accent"])

    c.setFillColor(HexColor(colours["title"]))
    _draw_centred(
        c, font, layout["title_size"], layout["title_y"] * mm, t.title, layout["title_spacing"] * mm
    )
    subtitle = label_text(t.subtitle, content, t)
    if subtitle:
        size = layout["subtitle_size"]
        y = layout["subtitle_y"] * mm
        c.setFillColor(accent)
        _draw_centred(c, font, size, y, subtitle, size * 0.15)
        half = (stringWidth(subtitle, font, size) + size * 0.15 * len(subtitle)) / 2
        c.setStrokeColor(accent)
        c.setLineWidth(0.8)
        mid = y + size * 0.33
        c.line(PAGE_WIDTH / 2 - half - 32 * mm, mid, PAGE_WIDTH / 2 - half - 6 * mm, mid)
        c.line(PAGE_WIDTH / 2 + half + 6 * mm, mid, PAGE_WIDTH / 2 + half + 32 * mm, mid)

    # Holder name, large, then the salutation in body size on the same baseline.
    name_x, name_y, name_size = layout["name_x"] * mm, layout["name_y"] * mm, layout["name_size"]
    body_size = layout["body_size"]
    c.setFillColor(text_colour)
    c.setFont(font, name_size)
    c.drawString(name_x, name_y, content.holder_name)
    name_width = stringWidth(content.holder_name, font, name_size)
    c.setStrokeColor(accent)
    c.setLineWidth(0.6)
    c.line(name_x - 2 * mm, name_y - 2.2 * mm, name_x + name_width + 2 * mm, name_y - 2.2 * mm)
    c.setFont(font, body_size)
    c.drawString(name_x + name_width + 3 * mm, name_y, t.name_suffix)

    # Body paragraph with the customary two-character first-line indent.
    indent = 2 * body_size
    lines = wrap_text(
        body_text(content, t), font, body_size, layout["body_width"] * mm, indent=indent
    )
    body = c.beginText(layout["body_x"] * mm, layout["body_y"] * mm)
    body.setFont(font, body_size, leading=layout["body_leading"] * mm)
    for i, line in enumerate(lines):
        body.setXPos(indent if i == 0 else 0)
        body.textLine(line)
        if i == 0:
            body.setXPos(-indent)
    c.drawText(body)

    # Issuing body and date, centred on one axis that ends at issuer_right.
    issuer_size = layout["issuer_size"]
    issued = format_date(content.issued_on, t.date_style)
    axis = (
        layout["issuer_right"] * mm
        - max(
            stringWidth(content.issuing_body, font, issuer_size),
            stringWidth(issued, font, issuer_size),
        )
        / 2
    )
    c.setFont(font, issuer_size)
    c.drawCentredString(axis, layout["issuer_y"] * mm, content.issuing_body)
    c.drawCentredString(axis, layout["date_y"] * mm, issued)

    # QR code on a white pad so scanners find the quiet zone on the tinted paper.
    qx, qy, qs = layout["qr_x"] * mm, layout["qr_y"] * mm, layout["qr_size"] * mm
    pad = 1.5 * mm
    c.setFillColor(white)
    c.rect(qx - pad, qy - pad, qs + 2 * pad, qs + 2 * pad, stroke=0, fill=1)
    c.drawImage(qr_image(verify_url), qx, qy, qs, qs)

    serial_size = layout["serial_size"]
    c.setFillColor(HexColor(colours["muted"]))
    c.setFont(font, serial_size)
    c.drawString(qx - pad, layout["serial_y"] * mm, t.serial_label.format(serial=content.serial))
    c.setFont(font, serial_size - 2)
    c.drawString(
        qx - pad,
        layout["serial_y"] * mm - serial_size * 1.2,
        t.verify_hint.format(verify_url=verify_url),
    )


def _draw_preview_mark(c: Canvas, font: str) -> None:
    c.saveState()
    c.setFillColor(HexColor("#9A9A9A"))
    c.setFillAlpha(0.28)
    c.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
    c.rotate(24)
    c.setFont(font, 84)
    c.drawCentredString(0, -28, PREVIEW_MARK)
    c.restoreState()


def check_printable(content: CertificateContent, verify_url: str) -> None:
    """Raise GlyphMissing if the font can't draw some of the certificate's text.

    A rare character in a name (生僻字 outside the font) would otherwise print as an empty box
    on an official document.
    """
    template = load_template(content.kind)
    texts = {
        "holder_name": content.holder_name,
        "subtitle": label_text(template.subtitle, content, template),
        "body": body_text(content, template),
        "issuing_body": content.issuing_body,
        "verify_url": verify_url,
    }
    problems = [
        f"{field} {''.join(chars)!r}"
        for field, chars in ((f, missing_glyphs(t)) for f, t in texts.items())
        if chars
    ]
    if problems:
        raise GlyphMissing(
            f"certificate {content.serial}: the font has no glyph for "
            + "; ".join(problems)
            + " — correct the text or print this certificate by hand"
        )


@contextmanager
def _binary_streams() -> Iterator[None]:
    # ReportLab's ASCII85 stream encoding is pure Python (its C accelerator is a separate
    # package) and makes files 25% bigger; binary streams are fine for every reader.
    # rl_config is process-wide, so set it only while rendering and put it back.
    saved = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = saved


def _render(content: CertificateContent, verify_url: str, preview: bool) -> bytes:
    with _binary_streams():
        return _render_page(content, verify_url, preview)


def plain_text(content: CertificateContent) -> CertificateContent:
    """Return ``content`` with control characters (a line break typed into a name) shown as
    a space: a certificate draws each character, and a control character has no glyph."""
    changed = {
        f.name: _CONTROL.sub(" ", value).strip()
        for f in fields(content)
        if isinstance(value := getattr(content, f.name), str) and _CONTROL.search(value)
    }
    return replace(content, **changed) if changed else content


def _render_page(content: CertificateContent, verify_url: str, preview: bool) -> bytes:
    font = ensure_font()
    content = plain_text(content)
    check_printable(content, verify_url)
    template = load_template(content.kind)
    out = io.BytesIO()
    # invariant: the same certificate gives the same bytes, so re-renders can be compared.
    c = Canvas(
        out,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        invariant=1,
        pageCompression=1,
        initialFontName=font,  # keeps an unembedded Helvetica out of the file
    )
    c.setTitle(f"{template.title} {content.holder_name}")
    c.setAuthor(content.issuing_body)
    c.setSubject(f"{content.contest_name} {content.event_name} {content.result_text}")
    c.setCreator("compapp")
    _draw_frame(c, template)
    _draw_content(c, content, verify_url, template, font)
    if preview:
        _draw_preview_mark(c, font)
    c.showPage()
    c.save()
    return out.getvalue()


def render_certificate(content: CertificateContent, verify_url: str) -> bytes:
    """Return the certificate as a one-page A4 landscape PDF with its QR code to ``verify_url``."""
    return _render(content, verify_url, preview=False)


def render_preview(content: CertificateContent, verify_url: str) -> bytes:
    """Return the certificate as ``render_certificate`` does, marked 样本 PREVIEW across it."""
    return _render(content, verify_url, preview=True)
