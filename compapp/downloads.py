"""File downloads: one response shape for every export (Excel, PDF, CSV, ZIP)."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable
from typing import BinaryIO

from flask import Response, send_file

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
CSV = "text/csv"


def download(data: bytes | BinaryIO, name: str, mimetype: str, inline: bool = False) -> Response:
    """Send ``data`` as the file ``name``, never cached.

    send_file writes filename*=UTF-8''… (RFC 5987) for a Chinese name, with an ASCII fallback
    for old clients.
    """
    return send_file(
        io.BytesIO(data) if isinstance(data, bytes) else data,
        mimetype=mimetype,
        as_attachment=not inline,
        download_name=name,
        max_age=0,
    )


def download_written(
    write: Callable[[BinaryIO], object], name: str, mimetype: str, inline: bool = False
) -> Response:
    """Send the file that ``write(out)`` writes, from a temporary file on disk.

    Exports are plain functions writing to a binary stream (a background job can call the
    same function with its own file); the response streams the file in blocks and removes
    it when sent, so a large export never sits in memory whole.
    """
    out = tempfile.TemporaryFile(prefix="compapp-export-")
    try:
        write(out)
        size = out.tell()
        out.seek(0)
        response = download(out, name, mimetype, inline)
    except BaseException:
        out.close()
        raise
    # Blocks read by a generator that closes the file when the body has been sent (or
    # dropped), whoever reads it.
    response.direct_passthrough = False
    response.response = _blocks(out)
    response.headers["Content-Length"] = str(size)
    return response


def _blocks(out: BinaryIO, size: int = 64 * 1024):
    try:
        while block := out.read(size):
            yield block
    finally:
        out.close()
