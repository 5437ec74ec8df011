"""File downloads: one response shape for every export (Excel, PDF, CSV, ZIP)."""

from __future__ import annotations

import io

from flask import Response, send_file

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
CSV = "text/csv"


def download(data: bytes, name: str, mimetype: str, inline: bool = False) -> Response:
    """Send ``data`` as the file ``name``, never cached.

    send_file writes filename*=UTF-8''… (RFC 5987) for a Chinese name, with an ASCII fallback
    for old clients.
    """
    return send_file(
        io.BytesIO(data),
        mimetype=mimetype,
        as_attachment=not inline,
        download_name=name,
        max_age=0,
    )
