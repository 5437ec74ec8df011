"""Text in ReportLab paragraphs: one place that escapes it (ReportLab only, no Flask).

A ReportLab ``Paragraph`` reads its text as markup: a contest named ``a<b`` breaks the PDF,
``<a href="javascript:…">`` becomes a link and ``<img src="/path">`` embeds a file of the
server. Every piece of text a PDF shows goes through ``para`` (or ``markup`` where a
paragraph is assembled from parts), never into ``Paragraph`` directly.
"""

from __future__ import annotations

from collections.abc import Iterable
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph


def markup(text: object) -> str:
    """Return ``text`` as paragraph markup that shows exactly ``text`` (& < > escaped)."""
    return escape(str(text))


def para(text: object, style: ParagraphStyle) -> Paragraph:
    """Return a paragraph that shows ``text`` as it is."""
    return Paragraph(markup(text), style)


def lines(texts: Iterable[object], style: ParagraphStyle) -> Paragraph:
    """Return one paragraph showing each text on its own line."""
    return Paragraph("<br/>".join(markup(t) for t in texts), style)
