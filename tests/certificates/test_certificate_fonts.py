"""The certificate font is an embedded TrueType; a missing one names its Debian package."""

from __future__ import annotations

import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from compapp.certificates.fonts import FONT_NAME, FontMissing, ensure_font


def test_missing_font_file_raises_font_missing_naming_the_debian_package(tmp_path):
    """Without the font the error says what to install: fonts-wqy-microhei."""
    with pytest.raises(FontMissing, match="fonts-wqy-microhei") as caught:
        ensure_font(tmp_path / "wqy-microhei.ttc")
    assert str(tmp_path) in str(caught.value)


def test_ensure_font_registers_a_truetype_font_once():
    """The font is TrueType (embeddable), not a CID font such as STSong-Light."""
    assert ensure_font() == FONT_NAME
    assert ensure_font() == FONT_NAME
    assert isinstance(pdfmetrics.getFont(FONT_NAME), TTFont)
