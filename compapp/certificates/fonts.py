"""Register the embedded Chinese TrueType font that certificates are drawn in."""

from __future__ import annotations

from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

# A TrueType font embedded as a subset keeps the text copyable in every viewer; ReportLab's
# STSong-Light CID font is not embedded, and Noto CJK ships CFF outlines ReportLab can't embed.
FONT_NAME = "WenQuanYiMicroHei"
FONT_PATH = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
FONT_SUBFONT_INDEX = 0
FONT_PACKAGE = "fonts-wqy-microhei"


class FontMissing(RuntimeError):
    """The certificate font file is not installed."""


def ensure_font(path: Path | str | None = None) -> str:
    """Register the certificate font with ReportLab once and return its registered name.

    :param path: the font file; the Debian package's path when omitted.
    """
    font_path = Path(path) if path is not None else FONT_PATH
    # Checked on every call (a stat is cheap) so a font removed after start-up is reported.
    if not font_path.is_file():
        raise FontMissing(
            f"certificate font not found at {font_path}: install the Debian package "
            f"{FONT_PACKAGE} (apt-get install {FONT_PACKAGE})"
        )
    if FONT_NAME in pdfmetrics.getRegisteredFontNames():
        return FONT_NAME
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(font_path), subfontIndex=FONT_SUBFONT_INDEX))
    return FONT_NAME


class GlyphMissing(ValueError):
    """Text holds characters the certificate font has no glyph for."""


def missing_glyphs(text: str) -> list[str]:
    """Return the distinct characters of ``text`` the registered font can't draw, in order."""
    cmap = pdfmetrics.getFont(ensure_font()).face.charToGlyph
    missing: list[str] = []
    for ch in text:
        if not ch.isspace() and ord(ch) not in cmap and ch not in missing:
            missing.append(ch)
    return missing
